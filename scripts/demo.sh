#!/usr/bin/env bash
# From a fresh Debian/Ubuntu machine to a flamegraph of examples/GenerateUnsafeLeak.java with whole
# Java stacks: installs what is missing, builds jemalloc with libunwind once (about 2 minutes,
# cached in ~/.cache/jjf), then profiles the example with `jjf run`.
#   scripts/demo.sh [EXAMPLE]     EXAMPLE defaults to GenerateUnsafeLeak
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
cd "$root"
example="${1:-GenerateUnsafeLeak}"
scripts/setup.sh
scripts/build-jemalloc.sh >/dev/null
out="jjf-out/demo-$example"
./jjf run --out "$out" -- java "examples/$example.java"
echo "open $root/$out/flames.svg in a browser"
