#!/usr/bin/env bash
# jjf's heap-dump benchmark: writes bench/HEAP-REPORT.md. Not a test: nothing here fails on a slow number.
#
# Usage: scripts/bench-heap.sh [--objects N] [--runs N] [--shark-runs N] [--big OBJECTS] [--no-peers] [--compare JAR]
#   --objects N      objects in the benchmark heap (default 5000000: ~5 M small objects, ~0.25 GB dump)
#   --runs N         alternating rounds of jjf, NetBeans and sha256sum (default 3)
#   --shark-runs N   rounds of Shark, which takes minutes per run (default 1; 0 skips it)
#   --big OBJECTS    also dump a heap of OBJECTS objects (40000000 makes ~2.2 GB) and time jjf on it with -Xmx1g
#   --no-peers       only jjf and sha256sum
#   --compare JAR    also time another build of jjf.jar (say, main's) in the same rounds, and check that
#                    its folded output is the same
#   --report-only    run nothing: write bench/HEAP-REPORT.md from the last run's files in bench/work/heap
#
# Steps: builds target/jjf.jar and bench/peers/target/heap-peers.jar; runs bench/BenchHeap.java (binary
# trees of small objects with cross links) on JDK 17 and dumps it with `jjf dumpheap` (kept in
# bench/work/heap/ and reused while BenchHeap.java is unchanged); then, in alternating rounds on that one
# file: sha256sum, `jjf render --format folded` (retained sizes by dominator path) with the launcher's
# JVM flags and -Xmx1g, the same without transparent huge pages, and with plain `java -jar`;
# NetBeans' parser (retained sizes of all objects; a class histogram), and Shark (its full dominator
# tree with retained sizes). Wall time, CPU time and peak RSS from /usr/bin/time; medians.
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
cd "$root"

objects=5000000
runs=3
shark_runs=1
big=""
peers=yes
report_only=no
compare=""
while [ $# -gt 0 ]; do
  case "$1" in
    --objects) objects="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --shark-runs) shark_runs="$2"; shift 2 ;;
    --big) big="$2"; shift 2 ;;
    --no-peers) peers=no; shift ;;
    --compare) compare="$(readlink -f "$2")"; shift 2 ;;
    --report-only) report_only=yes; shift ;;
    -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench-heap: unknown option $1" >&2; exit 2 ;;
  esac
done

started="$(date +%s)"
load_start="$(cut -d' ' -f1-3 /proc/loadavg)"
say() { printf 'bench-heap: %s\n' "$*" >&2; }
need() { command -v "$1" >/dev/null 2>&1 || { say "needs $1 (${2:-apt-get install $1})"; exit 1; }; }
need java; need mvn; need sha256sum coreutils; need /usr/bin/time "apt-get install time"

work="$root/bench/work/heap"
mkdir -p "$work"
jar="$root/target/jjf.jar"
peers_jar="$root/bench/peers/target/heap-peers.jar"

if [ "$report_only" = no ]; then
  say "building target/jjf.jar and (with peers) bench/peers/target/heap-peers.jar"
  mvn -q -B -ntp -DskipTests package >&2
  [ "$peers" = yes ] && mvn -q -B -ntp -f bench/peers/pom.xml package >&2
fi

median() { sort -g | awk '{a[NR]=$1} END {if (NR==0) print "nan"; else if (NR%2) print a[(NR+1)/2]; else printf "%.3f\n", (a[NR/2]+a[NR/2+1])/2}'; }
# Runs a command under /usr/bin/time; appends "wall cpu maxrss_kb exit" to the file $1.
timed() {
  local out="$1"; shift
  local t rc=0; t="$(mktemp)"
  /usr/bin/time -f '%e %U %S %M' -o "$t" "$@" || rc=$?
  # The last line: before it, time writes "Command exited with non-zero status N" when the command failed.
  tail -n 1 "$t" | awk -v rc="$rc" 'NF == 4 {printf "%s %.2f %s %s\n", $1, $2 + $3, $4, rc}' >> "$out"
  rm -f "$t"
}
col() { if [ -s "$1" ]; then awk -v c="$2" '{print $c}' "$1" | median; else echo nan; fi; }
mib() { awk -v k="$1" 'BEGIN {if (k == "nan") print "–"; else printf "%.0f", k / 1024}'; }
rounds() { [ -s "$1" ] && awk '{printf "%s%s", (NR > 1 ? ", " : ""), $1}' "$1" || echo "–"; }
failed() { [ -s "$1" ] && awk '$4 != 0 {n++} END {print n + 0}' "$1" || echo 0; }

# --- the dump ------------------------------------------------------------------------------------
# Starts bench/BenchHeap.java with N objects, dumps it with jjf dumpheap into $2, ends it.
make_dump() {
  local n="$1" out="$2" xmx="$3" fifo log pid
  fifo="$work/stdin.fifo"; log="$work/benchheap.log"
  rm -f "$fifo" "$out"; mkfifo "$fifo"
  say "building a heap of $n objects (bench/BenchHeap.java, -Xmx$xmx) and dumping it with jjf dumpheap"
  java "-Xmx$xmx" -XX:+UseParallelGC "$root/bench/BenchHeap.java" "$n" <"$fifo" >"$log" 2>&1 &
  local jvm=$!
  exec 9>"$fifo" # holds its stdin open until the dump is taken
  for _ in $(seq 600); do
    grep -q '^ready' "$log" && break
    kill -0 "$jvm" 2>/dev/null || { say "BenchHeap exited: $(cat "$log")"; exit 1; }
    sleep 1
  done
  pid="$(awk '/^ready/ {print $2}' "$log")"
  [ -n "$pid" ] || { say "BenchHeap did not get ready: $(cat "$log")"; exit 1; }
  timed "$work/dumpheap-$n.t" java -jar "$jar" dumpheap "$pid" -o "$out" --timeout 60
  exec 9>&-
  wait "$jvm" || true
  rm -f "$fifo"
  [ -f "$out" ] || { say "no dump was written"; exit 1; }
}

dump="$work/trees-$objects.hprof"
if [ "$report_only" = yes ] && [ ! -f "$dump" ]; then say "--report-only: no $dump"; exit 1; fi
if [ "$report_only" = no ] && { [ ! -f "$dump" ] || [ "$root/bench/BenchHeap.java" -nt "$dump" ]; }; then
  rm -f "$work/dumpheap-$objects.t"
  make_dump "$objects" "$dump" 3g
fi
bytes="$(stat -c %s "$dump")"
mb="$(awk -v b="$bytes" 'BEGIN {printf "%.0f", b / 1e6}')"
sha="$(sha256sum "$dump" | cut -d' ' -f1)"
say "dump: $dump, $mb MB, sha256 $sha"

# --- alternating rounds --------------------------------------------------------------------------
r="$work/rounds"
jjf_out="$r/jjf.folded"
# The launcher's flags (./jjf, without its class-data sharing, which saves the same ~0.2 s everywhere),
# taken from the launcher itself; and the same without transparent huge pages, as on a kernel without them.
launcher_flags="$(bash -c 'eval "$(sed -n "/^jvm_opts=(/,/^fi$/p" "$1")"; echo "${jvm_opts[*]}"' _ "$root/jjf")"
[ -n "$launcher_flags" ] || { say "could not read the JVM flags from ./jjf"; exit 1; }
small_pages_flags="${launcher_flags/ -XX:+UseTransparentHugePages/}"
if [ "$report_only" = no ]; then
rm -rf "$r"; mkdir -p "$r"
java -jar "$jar" render "$dump" --format folded -o "$r/warm.folded" 2>"$r/jjf-warm.err" || say "jjf render failed: $(head -c 300 "$r/jjf-warm.err")"
for i in $(seq "$runs"); do
  timed "$r/sha.t" sh -c 'sha256sum "$1" >/dev/null' _ "$dump"
  # shellcheck disable=SC2086
  timed "$r/jjf.t" sh -c 'java -Xmx1g '"$launcher_flags"' -jar "$1" render "$2" --format folded -o "$3" 2>"$4"' _ "$jar" "$dump" "$jjf_out" "$r/jjf.err"
  timed "$r/jjf-xmn.t" sh -c 'java -Xmx1g '"$small_pages_flags"' -jar "$1" render "$2" --format folded -o "$3" 2>"$4"' _ "$jar" "$dump" "$r/jjf-xmn.folded" "$r/jjf-xmn.err"
  timed "$r/jjf-plain.t" sh -c 'java -jar "$1" render "$2" --format folded -o "$3" 2>"$4"' _ "$jar" "$dump" "$r/jjf-plain.folded" "$r/jjf-plain.err"
  if [ -n "$compare" ]; then
    timed "$r/compare.t" sh -c 'java -Xmx1g '"$launcher_flags"' -jar "$1" render "$2" --format folded -o "$3" 2>"$4"' _ "$compare" "$dump" "$r/compare.folded" "$r/compare.err"
  fi
  if [ "$peers" = yes ]; then
    timed "$r/nb-retained.t" sh -c 'java -Xmx4g -cp "$1" dev.jjf.bench.peers.NetBeansRetained retained "$2" >"$3" 2>&1' _ "$peers_jar" "$dump" "$r/nb-retained.out"
    timed "$r/nb-histogram.t" sh -c 'java -Xmx4g -cp "$1" dev.jjf.bench.peers.NetBeansRetained histogram "$2" >"$3" 2>&1' _ "$peers_jar" "$dump" "$r/nb-histogram.out"
  fi
  say "  round $i: sha256sum $(tail -n1 "$r/sha.t" | cut -d' ' -f1) s, jjf $(tail -n1 "$r/jjf.t" | cut -d' ' -f1) s$([ -n "$compare" ] && echo ", compared jar $(tail -n1 "$r/compare.t" | cut -d' ' -f1) s")$([ "$peers" = yes ] && echo ", NetBeans retained $(tail -n1 "$r/nb-retained.t" | cut -d' ' -f1) s, histogram $(tail -n1 "$r/nb-histogram.t" | cut -d' ' -f1) s")"
done
if [ "$peers" = yes ]; then
  for i in $(seq "$shark_runs"); do
    timed "$r/shark.t" sh -c 'java -Xmx6g -cp "$1" dev.jjf.bench.peers.SharkRetained "$2" 10000000 >"$3" 2>&1' _ "$peers_jar" "$dump" "$r/shark.out"
    say "  Shark round $i: $(tail -n1 "$r/shark.t" | cut -d' ' -f1) s"
  done
fi
fi # report_only

# --- a ~2 GB dump with -Xmx1g -------------------------------------------------------------------
if [ -n "$big" ]; then
  big_dump="$work/trees-$big.hprof"
  if [ "$report_only" = yes ] && [ ! -f "$big_dump" ]; then say "--report-only: no $big_dump, no big section"; big=""; fi
fi
if [ -n "$big" ]; then
  if [ "$report_only" = no ] && { [ ! -f "$big_dump" ] || [ "$root/bench/BenchHeap.java" -nt "$big_dump" ]; }; then
    rm -f "$work/dumpheap-$big.t"
    make_dump "$big" "$big_dump" 8g
  fi
  big_mb="$(awk -v b="$(stat -c %s "$big_dump")" 'BEGIN {printf "%.0f", b / 1e6}')"
  if [ "$report_only" = no ]; then
    rm -f "$r/big-sha.t" "$r/big-jjf.t"
    timed "$r/big-sha.t" sh -c 'sha256sum "$1" >/dev/null' _ "$big_dump"
    timed "$r/big-jjf.t" sh -c 'java -Xmx1g '"$launcher_flags"' -jar "$1" render "$2" --format folded -o "$3" 2>"$4"' _ "$jar" "$big_dump" "$r/big.folded" "$r/big.err"
    # And with room, for the throughput on a big file.
    timed "$r/big-jjf3.t" sh -c 'java -Xmx3g '"$launcher_flags"' -jar "$1" render "$2" --format folded -o "$3" 2>"$4"' _ "$jar" "$big_dump" "$r/big3.folded" "$r/big3.err"
  fi
  say "  ${big_mb} MB dump: sha256sum $(col "$r/big-sha.t" 1) s, jjf -Xmx1g $(col "$r/big-jjf.t" 1) s (exit $(tail -n1 "$r/big-jjf.t" | cut -d' ' -f4))"
fi

# --- the report ----------------------------------------------------------------------------------
rate() { awk -v b="$bytes" -v w="$1" 'BEGIN {if (w == "nan" || w == 0) print "–"; else printf "%.0f", b / 1e6 / w}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (a == "nan" || b == "nan" || b == 0) print "–"; else printf "%.1f", a / b}'; }
row() { # label file
  echo "| $1 | $(col "$2" 1) | $(col "$2" 2) | $(mib "$(col "$2" 3)") | $(rate "$(col "$2" 1)") | $(ratio "$(col "$2" 1)" "$sha_wall") | $(ratio "$(col "$2" 2)" "$sha_cpu") | $(rounds "$2") | $(failed "$2") |"
}
sha_wall="$(col "$r/sha.t" 1)"
sha_cpu="$(col "$r/sha.t" 2)"
lines() { [ -s "$1" ] && wc -l <"$1" || echo 0; }
jjf_wall="$(col "$r/jjf.t" 1)"
jjf_total="$( [ -s "$jjf_out" ] && awk '{s += $NF} END {printf "%.0f", s}' "$jjf_out" || echo "–")"
nodes="$(awk '/^ready/ {for (i = 1; i <= NF; i++) if ($i ~ /^nodes=/) {sub("nodes=", "", $i); print $i}}' "$work/benchheap.log" 2>/dev/null || echo "?")"
report="$root/bench/HEAP-REPORT.md"
{
  cat <<EOF
# jjf heap-dump benchmark report

Written by \`scripts/bench-heap.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC') in about $(( ($(date +%s) - started) / 60 + 1 )) minutes.
Machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p' | head -n1), $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo) RAM,
$(. /etc/os-release && echo "$PRETTY_NAME"), $(java -version 2>&1 | head -n1).
Load average when the run started: $load_start; when the report was written: $(cut -d' ' -f1-3 /proc/loadavg). **The machine is shared** with other
work (other sessions' builds and tests): wall times move with their load, CPU times less,
and single rounds can be far off; the medians of alternating rounds are what to compare.

## The dump

[\`bench/BenchHeap.java\`](BenchHeap.java) on JDK 17 (ParallelGC): ${nodes} \`Node\` objects (two children and one
cross link to another tree each) in 64 complete binary trees, plus the JDK's own objects; dumped with
\`jjf dumpheap\` (median $(col "$work/dumpheap-$objects.t" 1) s, JVM start of jjf included).
File: $(basename "$dump"), $bytes bytes ($mb MB), sha256 \`$sha\`.

## Same file, alternating rounds

$(lines "$r/jjf.t") round(s) of sha256sum, jjf$([ -n "$compare" ] && echo ", the compared jar")$([ "$peers" = yes ] && echo " and NetBeans' parser"), one after the other$([ "$peers" = yes ] && echo "; Shark $(lines "$r/shark.t") time(s) after them"). Times in
seconds (wall, and CPU = user + system of all threads), peak RSS from \`/usr/bin/time -v\`'s maximum resident set size.

| command | wall median (s) | CPU median (s) | peak RSS (MiB) | MB/s of dump (wall) | × sha256sum (wall) | × sha256sum (CPU) | every round (wall s) | failed rounds |
|---|---:|---:|---:|---:|---:|---:|---|---:|
$(row "\`sha256sum DUMP\`" "$r/sha.t")
$(row "\`java -Xmx1g $launcher_flags -jar target/jjf.jar render DUMP --format folded\` (the launcher's JVM flags): dominators, retained sizes folded by dominator path" "$r/jjf.t")
$(row "the same without \`-XX:+UseTransparentHugePages\` (a kernel without THP): \`$small_pages_flags\`" "$r/jjf-xmn.t")
$(row "the same with plain \`java -jar\` (G1, C2, the JVM's default heap)" "$r/jjf-plain.t")
EOF
  if [ -s "$r/compare.t" ]; then
    row "\`$(basename "$compare")\` (\`--compare\`), launcher's flags and \`-Xmx1g\`" "$r/compare.t"
  fi
  if [ "$peers" = yes ]; then
    row "NetBeans \`hprof-heap\` 0.16, retained sizes of all objects (\`getBiggestObjectsByRetainedSize\`), \`-Xmx4g\`" "$r/nb-retained.t"
    row "NetBeans \`hprof-heap\` 0.16, class histogram only (no dominators), \`-Xmx4g\`" "$r/nb-histogram.t"
    row "Shark 2.14, full dominator tree with retained sizes (\`ObjectDominators\`, all GC root kinds), \`-Xmx6g\`" "$r/shark.t"
  fi
  objects_read="$(sed -n 's/.*): \([0-9]*\) objects,.*/\1/p' "$r/jjf.err" 2>/dev/null | head -n1)"
  references_read="$(sed -n 's/.* objects, \([0-9]*\) references,.*/\1/p' "$r/jjf.err" 2>/dev/null | head -n1)"
  # Issue 13's memory target: peak RSS <= 40 bytes per object + 8 per reference.
  budget_mib="$(awk -v n="${objects_read:-0}" -v m="${references_read:-0}" 'BEGIN {printf "%.0f", (40 * n + 8 * m) / 1048576}')"
  same() { [ -s "$1" ] && [ "$(sha256sum <"$1")" = "$(sha256sum <"$jjf_out")" ] && echo same || echo "**different**"; }
  per_object() { awk -v k="$(col "$1" 3)" -v n="${objects_read:-0}" 'BEGIN {if (n > 0 && k != "nan") printf "%.0f", k * 1024 / n; else print "?"}'; }
  cat <<EOF

jjf read ${objects_read:-?} objects: its median peak RSS is $(per_object "$r/jjf.t") bytes per object with the launcher's flags,
$(per_object "$r/jjf-xmn.t") without huge pages (the JVM's own ~36 MiB included); with ${references_read:-?} references, the target of 40 bytes per object and 8 per
reference is $budget_mib MiB. Folded output of the run without huge pages: $(same "$r/jjf-xmn.folded");
of plain \`java -jar\`: $(same "$r/jjf-plain.folded")$([ -s "$r/compare.t" ] && echo "; of the compared jar: $(same "$r/compare.folded")").

jjf's folded output sums to $jjf_total bytes retained. Its first lines and the peers' own summaries are in
\`bench/work/heap/rounds/\` after a run (\`jjf.folded\`, \`nb-retained.out\`, \`nb-histogram.out\`, \`shark.out\`).
EOF
  if [ "$peers" = yes ]; then
    echo
    echo "Peer summaries of the last round:"
    echo
    echo '```'
    grep -h '^netbeans:\|^shark:' "$r/nb-retained.out" "$r/nb-histogram.out" "$r/shark.out" 2>/dev/null || true
    echo '```'
  fi
  if [ -s "$r/jjf.err" ] && ! [ -s "$jjf_out" ]; then
    echo
    echo "jjf did not render this dump: \`$(head -c 300 "$r/jjf.err" | tr '\n' ' ')\`"
  fi
  if [ -n "$big" ]; then
    cat <<EOF

## A ${big_mb} MB dump with \`-Xmx1g\`

$big objects, dumped by \`jjf dumpheap\` in $(col "$work/dumpheap-$big.t" 1) s. One round each:

| command | wall (s) | CPU (s) | peak RSS (MiB) | MB/s | exit |
|---|---:|---:|---:|---:|---:|
| \`sha256sum\` | $(col "$r/big-sha.t" 1) | $(col "$r/big-sha.t" 2) | $(mib "$(col "$r/big-sha.t" 3)") | $(awk -v b="$(stat -c %s "$big_dump")" -v w="$(col "$r/big-sha.t" 1)" 'BEGIN {printf "%.0f", b / 1e6 / w}') | 0 |
| \`java -Xmx1g $launcher_flags -jar target/jjf.jar render DUMP --format folded\` | $(col "$r/big-jjf.t" 1) | $(col "$r/big-jjf.t" 2) | $(mib "$(col "$r/big-jjf.t" 3)") | $(awk -v b="$(stat -c %s "$big_dump")" -v w="$(col "$r/big-jjf.t" 1)" 'BEGIN {printf "%.0f", b / 1e6 / w}') | $(tail -n1 "$r/big-jjf.t" | cut -d' ' -f4) |
| \`java -Xmx3g $launcher_flags -jar target/jjf.jar render DUMP --format folded\` | $(col "$r/big-jjf3.t" 1) | $(col "$r/big-jjf3.t" 2) | $(mib "$(col "$r/big-jjf3.t" 3)") | $(awk -v b="$(stat -c %s "$big_dump")" -v w="$(col "$r/big-jjf3.t" 1)" 'BEGIN {printf "%.0f", b / 1e6 / w}') | $(tail -n1 "$r/big-jjf3.t" 2>/dev/null | cut -d' ' -f4) |
EOF
    if [ -s "$r/big.err" ]; then echo; echo "jjf with -Xmx1g said: \`$(head -c 300 "$r/big.err" | tr '\n' ' ')\`"; fi
    if [ -s "$r/big3.err" ]; then echo; echo "jjf with -Xmx3g said: \`$(grep -m1 'heap dump' "$r/big3.err" | head -c 300)\`"; fi
  fi
  cat <<EOF

## Repeat

\`scripts/bench-heap.sh\` (add \`--big 40000000\` for the ~2.2 GB dump with \`-Xmx1g\`, \`--shark-runs 3\` for Shark's median,
\`--compare OTHER.jar\` to time another build in the same rounds, \`--no-peers\` to skip NetBeans and Shark).
Peers alone: \`mvn -f bench/peers/pom.xml package\`, then
\`java -cp bench/peers/target/heap-peers.jar dev.jjf.bench.peers.NetBeansRetained retained|histogram DUMP\` and
\`java -cp bench/peers/target/heap-peers.jar dev.jjf.bench.peers.SharkRetained DUMP [MIN_BYTES]\`.
EOF
} >"$report"
say "wrote $report"
