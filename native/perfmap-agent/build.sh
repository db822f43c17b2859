#!/usr/bin/env bash
# Builds libjjfperfmap.so, the perf-map JVMTI agent, against a JDK's jvmti.h.
#   native/perfmap-agent/build.sh OUTPUT.so [JAVA_HOME]
# Maven runs it in generate-resources with the JDK that runs the build; it rebuilds only when
# the source or this script is newer than OUTPUT.so. CC and CFLAGS_EXTRA are honoured.
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "$0")")" && pwd)"
out="${1:?usage: build.sh OUTPUT.so [JAVA_HOME]}"
jdk="${2:-${JAVA_HOME:-}}"
srcs=("$here/perfmap.c" "$here/javastack.c")
src="${srcs[0]}"
install_hint="install a C compiler and the JDK headers: apt-get install gcc openjdk-17-jdk-headless"

fail() {
    echo "perfmap-agent: $1" >&2
    echo "perfmap-agent: $install_hint" >&2
    exit 1
}

if [[ -z "$jdk" ]]; then
    javac_path="$(command -v javac || true)"
    [[ -n "$javac_path" ]] && jdk="$(dirname "$(dirname "$(readlink -f "$javac_path")")")"
fi
# java.home of a JDK 8 is its jre/ directory; the headers live one level up.
[[ -n "$jdk" && ! -f "$jdk/include/jvmti.h" && -f "$jdk/../include/jvmti.h" ]] && jdk="$jdk/.."
[[ -n "$jdk" && -f "$jdk/include/jvmti.h" ]] || fail "no JDK headers: jvmti.h not found under '${jdk:-<no JAVA_HOME>}/include'"
[[ -f "$jdk/include/linux/jni_md.h" ]] || fail "no Linux JDK headers: $jdk/include/linux/jni_md.h is missing"

cc="${CC:-}"
if [[ -z "$cc" ]]; then
    for c in gcc cc clang; do
        if command -v "$c" >/dev/null 2>&1; then cc="$c"; break; fi
    done
fi
[[ -n "$cc" ]] && command -v "$cc" >/dev/null 2>&1 || fail "no C compiler found (looked for \$CC, gcc, cc, clang)"

fresh=true
common="$here/../common"
for f in "${srcs[@]}" "$here/javastack.h" "$common/jjf_process.h" "$common/jjf_io.h" "$0"; do
    [[ -f "$out" && "$out" -nt "$f" ]] || fresh=false
done
$fresh && exit 0
mkdir -p "$(dirname "$out")"
tmp="$out.tmp.$$"
trap 'rm -f "$tmp"' EXIT
# shellcheck disable=SC2086 # CFLAGS_EXTRA is a list of flags
# Frame pointers: javastack.c calibrates by walking its own stack through the agent's frames.
"$cc" -O2 -Wall -Wextra -std=gnu11 -fPIC -shared -fvisibility=hidden -fno-omit-frame-pointer -pthread \
    -I"$jdk/include" -I"$jdk/include/linux" -I"$common" ${CFLAGS_EXTRA:-} \
    -o "$tmp" "${srcs[@]}" || fail "compiling ${srcs[*]} with $cc failed (see the messages above)"
mv -f "$tmp" "$out"
echo "perfmap-agent: built $out with $cc against $jdk"
