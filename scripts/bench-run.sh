#!/usr/bin/env bash
# What profiling with `jjf run` costs: wall time and peak RSS of an example run plainly and under
# `jjf run` (default sampling, 1 sample per 512 KiB), alternating, medians of N runs each.
# Rendering is timed separately. Writes bench/run-overhead.md.
#   scripts/bench-run.sh [RUNS] [EXAMPLE]      defaults: 7 GenerateUnsafeLeak
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
cd "$root"
runs="${1:-7}"
example="${2:-GenerateUnsafeLeak}"
command -v /usr/bin/time >/dev/null || { echo "bench-run: needs GNU time (apt-get install time)" >&2; exit 1; }
./jjf --version >/dev/null   # build the jar first, outside the measurements
# The jar itself is timed: ./jjf would rebuild it inside a measurement if a source changed meanwhile.
jjf=(java -jar "$root/target/jjf.jar")
scripts/build-jemalloc.sh >/dev/null
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# Compile once so the source launcher's javac does not dominate both sides equally.
mkdir -p "$work/classes"
javac -nowarn -d "$work/classes" "examples/$example.java" 2>/dev/null

measure() { # label, command...: appends "label wall_s peak_kib" to $work/results
  local label="$1"; shift
  /usr/bin/time -f "%e %M" -o "$work/t" "$@" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
  echo "$label $(cat "$work/t")" >> "$work/results"
}
lib="$(scripts/build-jemalloc.sh | tail -1)"
flags="-XX:+UnlockDiagnosticVMOptions -XX:+DebugNonSafepoints -XX:+PreserveFramePointer -XX:+DumpPerfMapAtExit"
for i in $(seq "$runs"); do
  measure plain java -cp "$work/classes" "$example"
  mkdir -p "$work/hand$i"
  measure byhand env LD_PRELOAD="$lib" JAVA_TOOL_OPTIONS="$flags" \
    MALLOC_CONF="prof:true,prof_final:true,prof_leak:true,lg_prof_sample:19,prof_prefix:$work/hand$i/jeprof" \
    java -cp "$work/classes" "$example"
  measure jjf "${jjf[@]}" run --no-render --out "$work/out$i" -- java -cp "$work/classes" "$example"
  measure render "${jjf[@]}" render --latest --dir "$work/out$i" -o "$work/out$i/flames.svg"
done

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
col() { awk -v l="$1" -v c="$2" '$1==l {print $c}' "$work/results" | median; }
pw=$(col plain 2); hw=$(col byhand 2); jw=$(col jjf 2); rw=$(col render 2)
pr=$(col plain 3); hr=$(col byhand 3); jr=$(col jjf 3)
mib() { awk -v k="$1" 'BEGIN {printf "%.0f", k/1024}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a/b}'; }
mkdir -p bench
{
  echo "# Overhead of \`jjf run\`"
  echo
  echo "$(date -u +%Y-%m-%d), $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $runs alternating runs each, medians."
  echo "Example: \`examples/$example.java\` (precompiled), default sampling (\`lg_prof_sample:19\`), jemalloc: $lib."
  echo "Peak RSS is GNU time's maximum resident set of any one process (the JVM; under \`jjf run\`, the larger of jjf's own JVM and the program's)."
  echo "\"profiled by hand\" is the program with exactly the environment \`jjf run\` sets (jemalloc preloaded, profiling on, the JVM flags): the cost of profiling itself; the rest of \`jjf run\`'s time is its own JVM starting and watching the process tree."
  echo
  echo "| | wall time (s) | × plain | peak RSS (MiB) | × plain |"
  echo "|---|---|---|---|---|"
  echo "| \`java $example\` | $pw | 1.00 | $(mib "$pr") | 1.00 |"
  echo "| profiled by hand | $hw | $(ratio "$hw" "$pw") | $(mib "$hr") | $(ratio "$hr" "$pr") |"
  echo "| \`jjf run --no-render -- java $example\` | $jw | $(ratio "$jw" "$pw") | $(mib "$jr") | $(ratio "$jr" "$pr") |"
  echo "| then \`jjf render --latest\` (SVG) | $rw | | | |"
  echo
  echo "Repeat: \`scripts/bench-run.sh $runs $example\`. Raw samples (label, seconds, KiB):"
  echo
  echo '```'
  cat "$work/results"
  echo '```'
} > bench/run-overhead.md
cat bench/run-overhead.md
