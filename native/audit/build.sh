#!/usr/bin/env bash
# Builds libjjfaudit.so, jjf run's LD_AUDIT library (see jjfaudit.c).
#   native/audit/build.sh OUTPUT.so
# Maven runs it in generate-resources; it rebuilds only when the source or this script is newer
# than OUTPUT.so. CC and CFLAGS_EXTRA are honoured.
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "$0")")" && pwd)"
out="${1:?usage: build.sh OUTPUT.so}"
src="$here/jjfaudit.c"
cc="${CC:-}"
if [[ -z "$cc" ]]; then
    for c in gcc cc clang; do
        if command -v "$c" >/dev/null 2>&1; then cc="$c"; break; fi
    done
fi
[[ -n "$cc" ]] && command -v "$cc" >/dev/null 2>&1 || { echo "audit: no C compiler found (apt-get install gcc)" >&2; exit 1; }
common="$here/../common"
if [[ -f "$out" && "$out" -nt "$src" && "$out" -nt "$common/jjf_process.h" && "$out" -nt "$common/jjf_io.h" && "$out" -nt "$0" ]]; then
    exit 0
fi
mkdir -p "$(dirname "$out")"
tmp="$out.tmp.$$"
trap 'rm -f "$tmp"' EXIT
# shellcheck disable=SC2086 # CFLAGS_EXTRA is a list of flags
"$cc" -O2 -Wall -Wextra -std=gnu11 -fPIC -shared -fvisibility=hidden -I"$common" ${CFLAGS_EXTRA:-} -o "$tmp" "$src" \
    || { echo "audit: compiling $src with $cc failed (see the messages above)" >&2; exit 1; }
mv -f "$tmp" "$out"
echo "audit: built $out with $cc"
