#!/usr/bin/env bash
# Coverage-guided fuzzing of jjf's readers with Jazzer. `mvn verify` only replays the kept inputs
# (SeedReplayTest); live fuzzing happens here.
#
#   scripts/fuzz.sh [DURATION] [TARGET...]
#
# DURATION is per target, in Jazzer's form (30s, 10m, 2h; default 10m). TARGETs (default: all but
# readers): heap-profile perf-map perf-map-dialects elf demangler svg readers.
# A crash stops that target's run and fails the script; its input is saved in
# src/test/resources/dev/jjf/fuzz/<Target>FuzzTestInputs/<method>/crash-*, where SeedReplayTest
# replays it from then on. Turn each into a named test in FoundByFuzzingTest and fix the cause.
# Allocation and hang findings count only when a fresh JVM without Jazzer repeats them (fuzz/Replay):
# Jazzer's instrumentation itself allocates on the target's thread (one demangler input, kept as
# seed-heavy-under-instrumentation, allocates 3.9 MB under it and 26 KB without). The others are kept
# in target/fuzz-unconfirmed/ (input, message, the replay's output) and counted in the report.
# To watch it work: mvn -Dfuzz surefire:test@fuzz -Dfuzz.target=dev.jjf.fuzz.DemanglerFuzzTest \
#   -Dfuzz.duration=30s -Dfuzz.fixedBytes=1048576
# The report (one line per target: result, runs, unconfirmed findings) is printed at the end and
# kept in target/fuzz-report.txt; each target's output is in target/fuzz-logs/.
# The corpus each run grows is kept in .cifuzz-corpus/ (not committed) and reused next time.
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
cd "$root"

duration="${1:-10m}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(heap-profile perf-map perf-map-dialects elf demangler svg hprof)
fi

class_of() {
  case "$1" in
    heap-profile) echo HeapProfileFuzzTest ;;
    perf-map) echo PerfMapFuzzTest ;;
    perf-map-dialects) echo PerfMapDialectsFuzzTest ;;
    elf) echo ElfFuzzTest ;;
    demangler) echo DemanglerFuzzTest ;;
    svg) echo SvgFuzzTest ;;
    hprof) echo HprofFuzzTest ;;
    readers) echo ReadersFuzzTest ;;
    *) echo "unknown target '$1' (heap-profile perf-map perf-map-dialects elf demangler svg hprof readers)" >&2; exit 2 ;;
  esac
}
for t in "${targets[@]}"; do class_of "$t" >/dev/null; done

mvn -B -ntp -q test-compile
mkdir -p target/fuzz-logs target/fuzz-unconfirmed
report=target/fuzz-report.txt
echo "jjf fuzzing, $duration per target, started $(date -u +%Y-%m-%dT%H:%MZ) at $(git rev-parse --short HEAD 2>/dev/null || echo '?')" > "$report"
failed=()
for t in "${targets[@]}"; do
  echo "== fuzzing $t for $duration"
  log="target/fuzz-logs/$t.log"
  before=$(find target/fuzz-unconfirmed -name '*.finding' | wc -l)
  # The execution of the fuzz profile in pom.xml, pointed at one target.
  if mvn -B -ntp -Dfuzz surefire:test@fuzz -Dfuzz.target="dev.jjf.fuzz.$(class_of "$t")" -Dfuzz.duration="$duration" \
      > "$log" 2>&1; then
    result=clean
  else
    result=FAILED
    failed+=("$t")
  fi
  grep -avE '^INFO: (Loaded [0-9]+ hooks|Instrumented) ' "$log" | tail -n 40
  # libFuzzer ends with "Done N runs in S second(s)"; a stopped run's last status line is "#N ...".
  runs=$(grep -aoE 'Done [0-9]+ runs' "$log" | tail -n 1 | grep -oE '[0-9]+' || true)
  [ -n "$runs" ] || runs=$(grep -aoE '^#[0-9]+' "$log" | tail -n 1 | tr -d '#' || true)
  unconfirmed=$(( $(find target/fuzz-unconfirmed -name '*.finding' | wc -l) - before ))
  grep -a '^jjf-fuzz: not confirmed' "$log" | head -n 5 || true
  printf '%-18s %-7s runs=%-10s unconfirmed=%s\n' "$t" "$result" "${runs:-?}" "$unconfirmed" >> "$report"
done
echo "finished $(date -u +%Y-%m-%dT%H:%MZ)" >> "$report"
cat "$report"
if [ ${#failed[@]} -gt 0 ]; then
  echo "crashes or failures in: ${failed[*]} (inputs saved under src/test/resources/dev/jjf/fuzz/; logs in target/fuzz-logs/)" >&2
  exit 1
fi
echo "no crash in: ${targets[*]}"
