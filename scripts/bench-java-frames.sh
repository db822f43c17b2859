#!/usr/bin/env bash
# What the agent's Java-aware unwinder (jemalloc's backtrace hook, native/perfmap-agent/javastack.c)
# costs, on a malloc-heavy program (bench/java-frames/MallocChurn.java: 2 threads, malloc+free
# through Unsafe), at jemalloc's default sampling (1 per 512 KiB) and with every allocation
# sampled. Variants, run alternately, medians of CPU time (user + system; the machine is shared):
#   jemalloc         Debian's libjemalloc.so.2, no profiling
#   profiled         + prof:true and the agent with java_frames=false (jemalloc's libgcc unwinder)
#   hook             + the agent with java_frames=true (whole stacks, named interpreted frames)
#   async-profiler   async-profiler 4.1 (tools.profiler:async-profiler:4.1 from Maven Central),
#                    event=nativemem at the same interval, JFR output
# Prints a Markdown table and the hook's cost per sampled allocation:
#   (CPU(hook) - CPU(profiled)) / samples, samples = bytes / interval (every allocation at lg 0).
#   scripts/bench-java-frames.sh [-n ROUNDS] [ALLOCATIONS_PER_THREAD]     defaults: 5, 3000000
# LGS="19" measures the default interval only (every allocation takes minutes per round).
# BEFORE_AGENT=path/to/libjjfperfmap.so adds a variant "hook-before": the hook of another build of
# the agent (say, the previous commit's), run alternately with the others, to compare two hooks.
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
rounds=5
if [[ "${1:-}" == "-n" ]]; then rounds="$2"; shift 2; fi
per_thread="${1:-3000000}"
jemalloc=/usr/lib/x86_64-linux-gnu/libjemalloc.so.2
[[ -f "$jemalloc" ]] || { echo "bench-java-frames: needs $jemalloc (apt-get install libjemalloc2)" >&2; exit 1; }
[[ -x /usr/bin/time ]] || { echo "bench-java-frames: needs GNU time (apt-get install time)" >&2; exit 1; }
java="${JAVA:-java}"
agent="$root/target/classes/dev/jjf/launch/native/linux-x86_64/libjjfperfmap.so"
[[ -f "$agent" ]] || (cd "$root" && mvn -q -B -o generate-resources)
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
ap_jar="$work/ap/async-profiler-4.1.jar"
(cd "$root" && mvn -q -B -ntp dependency:copy -Dartifact=tools.profiler:async-profiler:4.1 -DoutputDirectory="$work/ap") >&2
(cd "$work/ap" && unzip -q -o "$ap_jar" linux-x64/libasyncProfiler.so)
ap="$work/ap/linux-x64/libasyncProfiler.so"
mkdir -p "$work/classes"
javac -nowarn -d "$work/classes" "$root/bench/java-frames/MallocChurn.java"
frame_flags=(-XX:+UnlockDiagnosticVMOptions -XX:+DebugNonSafepoints -XX:+PreserveFramePointer)

# One run: appends "variant lg cpu_seconds wall_seconds" to $work/results.
run() {
    local variant="$1" lg="$2" env_args=() java_args=()
    local out="$work/out.$variant.$lg"
    rm -rf "$out" && mkdir -p "$out"
    case "$variant" in
        jemalloc) env_args=(LD_PRELOAD="$jemalloc") ;;
        profiled|hook|hook-before)
            local jf=false so="$agent"
            [[ "$variant" != profiled ]] && jf=true
            [[ "$variant" == hook-before ]] && so="$BEFORE_AGENT"
            env_args=(LD_PRELOAD="$jemalloc" "MALLOC_CONF=prof:true,prof_final:true,lg_prof_sample:$lg,prof_prefix:$out/jeprof")
            java_args=("${frame_flags[@]}" "-agentpath:$so=file=$out/perf-%p.map,java_frames=$jf") ;;
        async-profiler)
            local interval=$((1 << lg))
            [[ "$lg" == 0 ]] && interval=0
            java_args=("-agentpath:$ap=start,event=nativemem,nativemem=$interval,file=$out/profile.jfr") ;;
    esac
    env "${env_args[@]}" /usr/bin/time -f "%U %S %e" -o "$work/time" "$java" "${java_args[@]}" -cp "$work/classes" MallocChurn "$per_thread" \
        > "$work/stdout" 2> "$work/stderr" || { cat "$work/stderr" >&2; exit 1; }
    read -r user sys wall < "$work/time"
    echo "$variant $lg $(awk -v u="$user" -v s="$sys" 'BEGIN {print u + s}') $wall" >> "$work/results"
    sed -n 's/^allocated \([0-9]*\) bytes in \([0-9]*\) allocations$/\1 \2/p' "$work/stdout" > "$work/amount"
}

variants=(jemalloc profiled hook async-profiler)
[[ -n "${BEFORE_AGENT:-}" ]] && variants+=(hook-before)
read -r -a lgs <<< "${LGS:-19 0}"
for i in $(seq "$rounds"); do
    for lg in "${lgs[@]}"; do
        for v in "${variants[@]}"; do
            [[ "$v" == jemalloc && "$lg" == 0 ]] && continue
            run "$v" "$lg"
        done
    done
    echo "round $i of $rounds done" >&2
done

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
col() { awk -v v="$1" -v l="$2" -v c="$3" '$1==v && $2==l {print $c}' "$work/results" | median; }
read -r bytes allocations < "$work/amount"
base=$(col jemalloc 19 3)
echo "MallocChurn: $allocations allocations, $bytes bytes; $rounds alternating rounds, medians of CPU time (user + system)"
echo
echo "| sampling | jemalloc, no profiling | profiled (libgcc unwinder) | hook | async-profiler 4.1 nativemem | hook vs profiled | async-profiler vs hook | hook ns per sample |"
echo "|---|---|---|---|---|---|---|---|"
for lg in "${lgs[@]}"; do
    p=$(col profiled "$lg" 3); h=$(col hook "$lg" 3); a=$(col async-profiler "$lg" 3)
    samples=$(awk -v b="$bytes" -v n="$allocations" -v lg="$lg" 'BEGIN {print lg == 0 ? n : b / 2^lg}')
    awk -v lg="$lg" -v base="$base" -v p="$p" -v h="$h" -v a="$a" -v s="$samples" 'BEGIN {
        printf "| %s | %.2f s | %.2f s | %.2f s | %.2f s | %.2f× | %.1f× | %.0f |\n",
            (lg == 0 ? "every allocation" : "1 per 512 KiB"), base, p, h, a, h / p, a / h, (h - p) * 1e9 / s }'
    if [[ -n "${BEFORE_AGENT:-}" ]]; then
        b=$(col hook-before "$lg" 3)
        awk -v lg="$lg" -v p="$p" -v b="$b" -v s="$samples" 'BEGIN {
            printf "|   hook-before (%s) | | | %.2f s | | %.2f× | | %.0f |\n", ENVIRON["BEFORE_AGENT"], b, b / p, (b - p) * 1e9 / s }'
    fi
done
