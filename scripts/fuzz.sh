#!/usr/bin/env bash
# Coverage-guided fuzzing of jjf's readers with Jazzer, longer than the short run in `mvn verify`.
#
#   scripts/fuzz.sh [DURATION] [TARGET...]
#
# DURATION is per target, in Jazzer's form (30s, 10m, 2h; default 10m). TARGETs (default: all but
# readers): heap-profile perf-map perf-map-dialects elf demangler svg readers.
# A crash stops that target's run and fails the script; its input is saved in
# src/test/resources/dev/jjf/fuzz/<Target>FuzzTestInputs/<method>/crash-*, where SeedReplayTest
# replays it from then on. Turn each into a named test in FoundByFuzzingTest and fix the cause.
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
failed=()
for t in "${targets[@]}"; do
  echo "== fuzzing $t for $duration"
  # The execution of the fuzz profile in pom.xml, pointed at one target.
  if ! mvn -B -ntp surefire:test@fuzz -Dfuzz.target="dev.jjf.fuzz.$(class_of "$t")" -Dfuzz.duration="$duration" \
      | grep -vE '^INFO: (Loaded [0-9]+ hooks|Instrumented) '; then
    failed+=("$t")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "crashes or failures in: ${failed[*]} (inputs saved under src/test/resources/dev/jjf/fuzz/)" >&2
  exit 1
fi
echo "no crash in: ${targets[*]}"
