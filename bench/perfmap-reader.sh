#!/usr/bin/env bash
# The perf-map reader on a ~1 M-line map laid out as jjf's agent writes it (bench/perfmap-reader.md).
#
#   bench/perfmap-reader.sh [-n RUNS] JAR [JAR...]
#
# Each JAR (for example target/jjf.jar of two commits) is run RUNS times (default 3), alternating, in a
# fresh JVM that reads the map 5 times: CPU ms of each read (the first is what a command-line run
# pays, cold JIT), bytes allocated by one read, heap still used by the map after a GC, and the JVM's
# peak RSS. The map is generated once (seeded, same bytes every time) in ${TMPDIR:-/tmp}.
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
runs=3
if [ "${1:-}" = "-n" ]; then runs="$2"; shift 2; fi
[ $# -ge 1 ] || { echo "usage: $0 [-n RUNS] JAR [JAR...]" >&2; exit 2; }
work="${TMPDIR:-/tmp}/jjf-perfmap-bench"
mkdir -p "$work/classes"
javac -cp "$1" -d "$work/classes" "$root/bench/PerfMapReader.java"
map="$work/agent-1m.map"
[ -s "$map" ] || java -cp "$1:$work/classes" PerfMapReader generate "$map" 1000000
for r in $(seq 1 "$runs"); do
  for jar in "$@"; do
    /usr/bin/time -f "  peak RSS %M KB" java -cp "$jar:$work/classes" PerfMapReader read "$map" 5 2>&1 | sed "s|^|run $r $(basename "$(dirname "$(dirname "$jar")")")/$(basename "$jar"): |"
  done
done
