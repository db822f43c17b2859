#!/usr/bin/env bash
# What source lines cost in the perf map the agent writes with the hook installed (every loaded
# method registered): map bytes and lines, and what reading the map costs jjf, with lines=true and
# lines=false, on src/test/resources/javaframes/JavaFramesLeaks.java under Debian's jemalloc.
# Reading is measured as `jjf render --format folded` of the run's own heap profile (CPU time,
# user + system, medians of alternating runs; the machine is shared).
#   scripts/bench-map-size.sh [-n ROUNDS]                          default: 5
# BEFORE_AGENT=path/to/libjjfperfmap.so adds another build's agent (say, the previous commit's),
# and BEFORE_JAR=path/to/jjf.jar reads its maps with another jjf: "before" rows.
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
rounds=5
if [[ "${1:-}" == "-n" ]]; then rounds="$2"; shift 2; fi
jemalloc=/usr/lib/x86_64-linux-gnu/libjemalloc.so.2
[[ -f "$jemalloc" ]] || { echo "bench-map-size: needs $jemalloc (apt-get install libjemalloc2)" >&2; exit 1; }
[[ -x /usr/bin/time ]] || { echo "bench-map-size: needs GNU time (apt-get install time)" >&2; exit 1; }
java="${JAVA:-java}"
agent="$root/target/classes/dev/jjf/launch/native/linux-x86_64/libjjfperfmap.so"
jar="$root/target/jjf.jar"
[[ -f "$agent" && -f "$jar" ]] || (cd "$root" && mvn -q -B -o -DskipTests package)
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
javac -nowarn -d "$work/classes" "$root/src/test/resources/javaframes/JavaFramesLeaks.java"

variants=("now:$agent:$jar")
[[ -n "${BEFORE_AGENT:-}" ]] && variants+=("before:$BEFORE_AGENT:${BEFORE_JAR:-$jar}")
for i in $(seq "$rounds"); do
    for v in "${variants[@]}"; do
        IFS=: read -r name so reader <<< "$v"
        for lines in true false; do
            key="$work/$name.$lines"
            out="$work/out" && rm -rf "$out" && mkdir -p "$out"
            env LD_PRELOAD="$jemalloc" "MALLOC_CONF=prof:true,prof_final:true,prof_prefix:$out/jeprof" \
                /usr/bin/time -f "%U %S" -o "$work/time" "$java" -XX:+UnlockDiagnosticVMOptions -XX:+DebugNonSafepoints \
                -XX:+PreserveFramePointer "-agentpath:$so=file=$out/perf-%p.map,lines=$lines" -cp "$work/classes" JavaFramesLeaks \
                > /dev/null 2> "$work/stderr" || { cat "$work/stderr" >&2; exit 1; }
            awk '{print $1 + $2}' "$work/time" >> "$key.jvm"
            map=$(ls "$out"/perf-*.map)
            /usr/bin/time -f "%U %S" -o "$work/time" "$java" -jar "$reader" render "$out"/jeprof.*.heap --perf-map="$map" \
                --format folded -o "$work/folded" > /dev/null 2>&1
            awk '{print $1 + $2}' "$work/time" >> "$key.render"
            echo "$(wc -c < "$map") $(wc -l < "$map")" > "$key.size"
        done
    done
    echo "round $i of $rounds done" >&2
done

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
echo "JavaFramesLeaks; $rounds alternating rounds, medians of CPU time (user + system); map size of the last round"
echo
echo "| agent | lines | map bytes | map lines | JVM CPU | jjf render CPU (folded) |"
echo "|---|---|---|---|---|---|"
for v in "${variants[@]}"; do
    name="${v%%:*}"
    for lines in true false; do
        key="$work/$name.$lines"
        read -r bytes count < "$key.size"
        printf "| %s | %s | %s | %s | %.2f s | %.2f s |\n" "$name" "$lines" "$bytes" "$count" "$(median < "$key.jvm")" "$(median < "$key.render")"
    done
done
