#!/usr/bin/env bash
# The project's test command: installs what the tests need, then runs unit and integration tests
# (real JVMs under real jemalloc, jeprof, gcc-built ELF files, headless Chromium).
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
cd "$root"
scripts/setup.sh --test
# Whole Java stacks need jemalloc built with libunwind (cached in ~/.cache/jjf; about 2 minutes once).
scripts/build-jemalloc.sh >/dev/null
mvn -B -ntp verify "$@"
