#!/usr/bin/env bash
# What issue 15's run-time additions cost, measured the way bench-run.sh measures `jjf run`:
# alternating runs, medians of wall time and peak RSS. Writes bench/runtime-costs.md.
#   - the load-time auditor (LD_AUDIT=libjjfaudit.so, jjf run's default) on a JVM and on a shell that
#     starts 50 short processes (the auditor runs in each);
#   - jemalloc's prof_accum:true (allocation totals; jjf run leaves it off, render refuses alloc-*
#     without it);
#   - the probe jjf run makes to learn whether the JVM knows -XX:+EnableDynamicAgentLoading.
#   scripts/bench-runtime.sh [RUNS] [EXAMPLE]      defaults: 7 GenerateUnsafeLeak
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
cd "$root"
runs="${1:-7}"
example="${2:-GenerateUnsafeLeak}"
command -v /usr/bin/time >/dev/null || { echo "bench-runtime: needs GNU time (apt-get install time)" >&2; exit 1; }
./jjf --version >/dev/null
lib="$(scripts/build-jemalloc.sh | tail -1)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/classes"
javac -nowarn -d "$work/classes" "examples/$example.java" 2>/dev/null
unzip -q -o -j target/jjf.jar dev/jjf/launch/native/linux-x86_64/libjjfaudit.so -d "$work"
audit="$work/libjjfaudit.so"

measure() { # label, command...: appends "label wall_s peak_kib"
  local label="$1"; shift
  /usr/bin/time -f "%e %M" -o "$work/t" "$@" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
  echo "$label $(cat "$work/t")" >> "$work/results"
}
flags="-XX:+UnlockDiagnosticVMOptions -XX:+DebugNonSafepoints -XX:+PreserveFramePointer -XX:+DumpPerfMapAtExit"
conf="prof:true,prof_final:true,prof_leak:true,lg_prof_sample:19"
shell_loop='for i in $(seq 50); do /bin/true; done'
for i in $(seq "$runs"); do
  mkdir -p "$work/a$i" "$work/b$i" "$work/c$i" "$work/d$i" "$work/e$i"
  measure jvm env LD_PRELOAD="$lib" JAVA_TOOL_OPTIONS="$flags" MALLOC_CONF="$conf,prof_prefix:$work/a$i/jeprof" \
    java -cp "$work/classes" "$example"
  measure jvm+audit env LD_PRELOAD="$lib" JAVA_TOOL_OPTIONS="$flags" MALLOC_CONF="$conf,prof_prefix:$work/b$i/jeprof" \
    LD_AUDIT="$audit" JJF_AUDIT_DIR="$work/b$i" GLIBC_TUNABLES=glibc.rtld.optional_static_tls=4096 java -cp "$work/classes" "$example"
  measure jvm+accum env LD_PRELOAD="$lib" JAVA_TOOL_OPTIONS="$flags" MALLOC_CONF="$conf,prof_accum:true,prof_prefix:$work/c$i/jeprof" \
    java -cp "$work/classes" "$example"
  measure shell env LD_PRELOAD="$lib" MALLOC_CONF="$conf,prof_prefix:$work/d$i/jeprof" sh -c "$shell_loop"
  measure shell+audit env LD_PRELOAD="$lib" MALLOC_CONF="$conf,prof_prefix:$work/e$i/jeprof" \
    LD_AUDIT="$audit" JJF_AUDIT_DIR="$work/e$i" GLIBC_TUNABLES=glibc.rtld.optional_static_tls=4096 sh -c "$shell_loop"
  measure probe java -XX:+EnableDynamicAgentLoading -version
done

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
col() { awk -v l="$1" -v c="$2" '$1==l {print $c}' "$work/results" | median; }
mib() { awk -v k="$1" 'BEGIN {printf "%.1f", k/1024}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a/b}'; }
row() { # label, baseline label, description
  echo "| $3 | $(col "$1" 2) | $(ratio "$(col "$1" 2)" "$(col "$2" 2)") | $(mib "$(col "$1" 3)") | $(ratio "$(col "$1" 3)" "$(col "$2" 3)") |"
}
mkdir -p bench
{
  echo "# Costs of jjf run's load-time auditor, prof_accum, and the JEP 451 probe"
  echo
  echo "$(date -u +%Y-%m-%d), $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $runs alternating runs each, medians."
  echo "JVM: \`examples/$example.java\` (precompiled) profiled by hand as \`jjf run\` profiles it; shell: \`sh -c '$shell_loop'\` under the same jemalloc (51 processes). jemalloc: $lib."
  echo
  echo "| | wall time (s) | × baseline | peak RSS (MiB) | × baseline |"
  echo "|---|---|---|---|---|"
  row jvm jvm "JVM, profiled (baseline)"
  row jvm+audit jvm "JVM, profiled, with the auditor"
  row jvm+accum jvm "JVM, profiled, with \`prof_accum:true\`"
  row shell shell "shell + 50 processes, profiled (baseline)"
  row shell+audit shell "shell + 50 processes, profiled, with the auditor"
  echo
  echo "The probe \`java -XX:+EnableDynamicAgentLoading -version\` that \`jjf run\` makes once per run: $(col probe 2) s."
  echo
  echo "Repeat: \`scripts/bench-runtime.sh $runs $example\`. Raw samples (label, seconds, KiB):"
  echo
  echo '```'
  cat "$work/results"
  echo '```'
} > bench/runtime-costs.md
cat bench/runtime-costs.md
