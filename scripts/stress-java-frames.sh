#!/usr/bin/env bash
# The Java-frames stress test (src/test/java/dev/jjf/it/JavaFramesStressIT.java) for longer than
# CI runs it: every mode (JDK 17 default, -Xint, -Xcomp; JDK 25 default, with virtual threads, and -Xcomp; the hook
# attached by a snapshot on JDK 17 and 25) for SECONDS
# seconds each, every allocation sampled, on Debian's jemalloc.
#   scripts/stress-java-frames.sh [SECONDS]      default: 300
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
cd "$root"
seconds="${1:-300}"
mvn -B -ntp verify -Dit.test=JavaFramesStressIT -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false -DskipFuzz \
    -Djjf.stress.seconds="$seconds"
