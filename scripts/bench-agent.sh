#!/usr/bin/env bash
# What the perf-map agent costs: wall time, CPU time and peak RSS of short Java runs with no perf map,
# with the JDK's map at exit (--perf-map jdk) and with jjf's agent (--perf-map agent), all with
# the frame-pointer flags jjf run always passes. Runs alternate between the three so that drift
# in machine load hits them alike; medians are printed. On a busy machine trust CPU time (user +
# system, all threads) over wall time.
#   scripts/bench-agent.sh [-n RUNS] [PROGRAM.java ...]
# Each PROGRAM.java (default: src/test/resources/agent/Names.java and examples/GenerateUnsafeLeak.java)
# is measured twice: compiled
# (java -cp DIR Main: mostly JVM start-up) and through the source launcher (java PROGRAM.java:
# javac runs in the JVM, thousands of methods get compiled, the agent writes much more).
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
runs=7
if [[ "${1:-}" == "-n" ]]; then runs="$2"; shift 2; fi
programs=("$@")
if [[ ${#programs[@]} -eq 0 ]]; then
    programs=("$root/src/test/resources/agent/Names.java")
    [[ -f "$root/examples/GenerateUnsafeLeak.java" ]] && programs+=("$root/examples/GenerateUnsafeLeak.java")
fi
[[ -x /usr/bin/time ]] || { echo "bench-agent: needs GNU time: apt-get install time" >&2; exit 1; }

agent="$root/target/classes/dev/jjf/launch/native/linux-x86_64/libjjfperfmap.so"
if [[ ! -f "$agent" ]]; then
    (cd "$root" && mvn -q -B -o generate-resources)
fi
java="${JAVA:-java}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
frame_flags=(-XX:+UnlockDiagnosticVMOptions -XX:+DebugNonSafepoints -XX:+PreserveFramePointer)
variants=(none jdk agent)

flags_for() {
    case "$1" in
        none) echo "" ;;
        jdk) echo "-XX:+DumpPerfMapAtExit" ;;
        agent) echo "-agentpath:$agent=file=$tmp/maps/perf-%p.map" ;;
    esac
}

# One run: appends "wall_seconds peak_rss_kb cpu_seconds map_lines" to $tmp/VARIANT.WORKLOAD.
measure() {
    local variant="$1" workload="$2"; shift 2
    mkdir -p "$tmp/maps"
    local extra
    extra="$(flags_for "$variant")"
    # bash execs java, so the pid written here is the JVM's: it names the JDK's /tmp/perf-PID.map.
    # shellcheck disable=SC2086 # $extra is one flag or none
    /usr/bin/time -f "%e %M %U %S" -o "$tmp/time" bash -c 'echo $$ > "$0"; exec "$@"' "$tmp/pid" \
        "$java" "${frame_flags[@]}" $extra "$@" >/dev/null 2>"$tmp/stderr" \
        || { echo "bench-agent: $variant $workload failed:" >&2; cat "$tmp/stderr" >&2; exit 1; }
    local pid lines=0
    pid="$(cat "$tmp/pid")"
    case "$variant" in
        jdk) lines="$(wc -l < "/tmp/perf-$pid.map")"; rm -f "/tmp/perf-$pid.map" ;;
        agent) lines="$(wc -l < "$tmp/maps/perf-$pid.map")"; rm -f "$tmp/maps/perf-$pid.map" ;;
    esac
    awk -v l="$lines" '{print $1, $2, $3 + $4, l}' "$tmp/time" >> "$tmp/$variant.$workload"
}

median() { # column N of file
    awk -v c="$1" '{print $c}' "$2" | sort -g | awk '{v[NR]=$1} END {print (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2)}'
}

workloads=()
for p in "${programs[@]}"; do
    name="$(basename "$p" .java)"
    mkdir -p "$tmp/classes/$name"
    javac -nowarn -encoding UTF-8 -d "$tmp/classes/$name" "$p" 2>/dev/null
    workloads+=("$name:class" "$name:source")
done

echo "bench-agent: $runs alternating runs of ${variants[*]} per workload; $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
for w in "${workloads[@]}"; do
    name="${w%%:*}" kind="${w##*:}"
    src=""
    for p in "${programs[@]}"; do [[ "$(basename "$p" .java)" == "$name" ]] && src="$p"; done
    for ((i = 0; i < runs; i++)); do
        for ((k = 0; k < ${#variants[@]}; k++)); do
            v="${variants[$(((i + k) % ${#variants[@]}))]}"  # rotate who goes first
            if [[ "$kind" == class ]]; then
                measure "$v" "$name-$kind" -cp "$tmp/classes/$name" "$name"
            else
                measure "$v" "$name-$kind" "$src"
            fi
        done
    done
done

printf "%-22s %-6s %10s %10s %15s %10s\n" workload perfmap "wall (ms)" "CPU (ms)" "peak RSS (MiB)" "map lines"
for w in "${workloads[@]}"; do
    wl="${w%%:*}-${w##*:}"
    for v in "${variants[@]}"; do
        f="$tmp/$v.$wl"
        awk -v w="$wl" -v v="$v" -v s="$(median 1 "$f")" -v kb="$(median 2 "$f")" -v c="$(median 3 "$f")" -v l="$(median 4 "$f")" \
            'BEGIN {printf "%-22s %-6s %10.0f %10.0f %15.1f %10.0f\n", w, v, s * 1000, c * 1000, kb / 1024, l}'
    done
done
