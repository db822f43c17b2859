#!/usr/bin/env bash
# From a fresh Debian/Ubuntu machine to a flamegraph of examples/GenerateUnsafeLeak.java with whole
# Java stacks: installs what is missing, then profiles the example with `jjf run`. The system's
# jemalloc 5.3 or newer needs nothing more (jjf's agent unwinds Java frames through jemalloc's
# backtrace hook); an older one is replaced by a build with libunwind, made once (about 2 minutes,
# cached in ~/.cache/jjf).
#   scripts/demo.sh [EXAMPLE]     EXAMPLE defaults to GenerateUnsafeLeak
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
cd "$root"
example="${1:-GenerateUnsafeLeak}"
scripts/setup.sh
# "5.3.0-0-g54eaed1d..." from the statistics jemalloc prints when asked at exit.
system_jemalloc=/usr/lib/x86_64-linux-gnu/libjemalloc.so.2
version="$(LD_PRELOAD=$system_jemalloc MALLOC_CONF=stats_print:true /bin/true 2>&1 | sed -n 's/^Version: "\{0,1\}\([0-9][0-9.]*\).*/\1/p' | head -1)"
if [[ -f "$system_jemalloc" ]] && printf '5.3.0\n%s\n' "$version" | sort -V -C; then
    jemalloc=(--jemalloc "$system_jemalloc")
else
    scripts/build-jemalloc.sh >/dev/null
    jemalloc=()
fi
out="jjf-out/demo-$example"
./jjf run "${jemalloc[@]}" --out "$out" -- java "examples/$example.java"
echo "open $root/$out/flames.svg in a browser"
