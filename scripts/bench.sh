#!/usr/bin/env bash
# jjf's benchmark: writes bench/REPORT.md. Not a test: nothing here fails on a slow number.
#
# Usage: scripts/bench.sh [--runs N] [--sizes "10 50 200"] [--baseline REF] [--no-jmh] [--jmh-only]
#   --runs N        alternating runs per command for the jeprof comparison and the scale table (default 5 and 3)
#   --sizes         synthetic profile sizes in MB (default "10 50 200")
#   --baseline REF  also build the jar of git commit REF and time it against this one (before/after)
#   --no-jmh        skip the JMH stage benchmarks (about 4 minutes)
#   --jmh-only      only the JMH stage benchmarks, printed, REPORT.md left alone
#
# Steps: builds target/jjf.jar and bench/target/benchmarks.jar; profiles bench/BenchLeak.java under
# jemalloc built with libunwind (scripts/build-jemalloc.sh) with lg_prof_sample:0; times
# `jeprof --collapsed` against `jjf render --format folded` and `--format svg` on that file in
# alternating runs and checks that both report the same total; generates synthetic profiles of
# each size from the real profile's memory map and times rendering them; runs JMH per stage.
# Work files go to bench/work/ (ignored by git).
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
cd "$root"

runs=5
scale_runs=3
sizes="10 50 200"
jmh=yes
jmh_only=no
baseline=""
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs="$2"; scale_runs="$2"; shift 2 ;;
    --sizes) sizes="$2"; shift 2 ;;
    --no-jmh) jmh=no; shift ;;
    --jmh-only) jmh_only=yes; shift ;;
    --baseline) baseline="$2"; shift 2 ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench: unknown option $1" >&2; exit 2 ;;
  esac
done

started="$(date +%s)"
say() { printf 'bench: %s\n' "$*" >&2; }
need() { command -v "$1" >/dev/null 2>&1 || { say "needs $1 (${2:-apt-get install $1})"; exit 1; }; }
need java; need mvn; need jeprof "apt-get install libjemalloc-dev"; need /usr/bin/time "apt-get install time"

work="$root/bench/work"
mkdir -p "$work"
java_bin="$(readlink -f "$(command -v java)")"
jar="$root/target/jjf.jar"
bench_jar="$root/bench/target/benchmarks.jar"

say "building target/jjf.jar and bench/target/benchmarks.jar"
mvn -q -B -ntp -DskipTests package >&2
mvn -q -B -ntp -f bench/pom.xml package >&2
if [ -n "$baseline" ]; then
  # git archive, not a worktree: nothing is added to the repository's metadata.
  base_src="$work/baseline-src"
  rm -rf "$base_src"; mkdir -p "$base_src"
  git archive "$baseline" | tar -x -C "$base_src"
  say "building the baseline jar from $baseline"
  (cd "$base_src" && mvn -q -B -ntp -DskipTests package >&2)
  base_jar="$work/baseline-$(git rev-parse --short "$baseline").jar"
  cp "$base_src/target/jjf.jar" "$base_jar"
  rm -rf "$base_src"
fi

# Median of the numbers on stdin.
median() { sort -g | awk '{a[NR]=$1} END {if (NR==0) print "nan"; else if (NR%2) print a[(NR+1)/2]; else printf "%.3f\n", (a[NR/2]+a[NR/2+1])/2}'; }
# Runs a command under /usr/bin/time; appends "wall cpu maxrss_kb" to the file $1.
timed() {
  local out="$1"; shift
  local t; t="$(mktemp)"
  /usr/bin/time -f '%e %U %S %M' -o "$t" "$@"
  awk '{printf "%s %.2f %s\n", $1, $2 + $3, $4}' "$t" >> "$out"
  rm -f "$t"
}
col() { awk -v c="$2" '{print $c}' "$1" | median; }
folded_total() { awk '{s += $NF} END {printf "%.0f\n", s}' "$1"; }

jmh_run() { # heap map label; leaves "stage score error" lines in $work/jmh-LABEL.txt
  local result="$work/jmh-$3.csv"
  say "JMH stage benchmarks on the $3 profile"
  java -cp "$bench_jar:$jar" org.openjdk.jmh.Main StageBenchmarks -p heap="$1" -p perfMap="$2" \
      -wi 3 -i 5 -w 2 -r 2 -f 1 -rf csv -rff "$result" >"$work/jmh-$3.log" 2>&1
  # "Benchmark","Mode","Threads","Samples","Score","Score Error (99.9%)","Unit",...
  awk -F, 'NR > 1 {gsub(/"/, ""); sub(/.*\./, "", $1); printf "%s %.1f %.1f\n", $1, $5, $6}' "$result" >"$work/jmh-$3.txt"
  cat "$work/jmh-$3.txt"
}

# --- the real profile ------------------------------------------------------------------------
real="$work/real"
if [ ! -f "$real/leak.heap" ] || [ "$root/bench/BenchLeak.java" -nt "$real/leak.heap" ]; then
  jemalloc="$(scripts/build-jemalloc.sh | tail -n 1)"
  say "profiling bench/BenchLeak.java under $jemalloc"
  rm -rf "$real"; mkdir -p "$real"
  (cd "$real" && LD_PRELOAD="$jemalloc" \
      MALLOC_CONF="prof:true,prof_final:true,lg_prof_sample:0,prof_prefix:$real/jeprof" \
      java -XX:+PreserveFramePointer -XX:+UnlockDiagnosticVMOptions -XX:+DebugNonSafepoints \
      -XX:+DumpPerfMapAtExit "$root/bench/BenchLeak.java" >"$real/stdout")
  heap="$(ls "$real"/jeprof.*.f.heap | head -n 1)"
  pid="$(basename "$heap" | cut -d. -f2)"
  mv "/tmp/perf-$pid.map" "$real/leak.map"
  mv "$heap" "$real/leak.heap"
  # The launcher's children (none here, but MALLOC_CONF is inherited) may leave more dumps.
  rm -f "$real"/jeprof.*.heap
fi
real_heap="$real/leak.heap"
real_map="$real/leak.map"

if [ "$jmh_only" = yes ]; then
  syn="$work/synthetic"; mkdir -p "$syn"
  java -cp "$bench_jar" dev.jjf.bench.SyntheticProfile "$real_heap" "$syn/s10.heap" "$syn/s10.map" 10
  jmh_run "$real_heap" "$real_map" real
  jmh_run "$syn/s10.heap" "$syn/s10.map" synthetic-10MB
  exit 0
fi

# --- jeprof against jjf, same file, alternating ---------------------------------------------
cmp="$work/compare"; rm -rf "$cmp"; mkdir -p "$cmp"
# The launcher, ./jjf, is timed too: it passes C1-only and serial-GC flags and uses a class-data
# archive it builds on its first runs of a new jar (in ~/.cache/jjf/cds); warm it up first.
launcher="$root/jjf"
warm_launcher() {
  local i
  # The first render lists the classes it loads, the next run builds the archive from that list.
  for i in 1 2; do "$launcher" render "$real_heap" --perf-map "$real_map" -o "$cmp/warm-l.svg" >/dev/null 2>&1 || true; done
  for i in $(seq 60); do
    ls "${XDG_CACHE_HOME:-$HOME/.cache}"/jjf/cds/*.jsa >/dev/null 2>&1 && break
    sleep 1
  done
}
warm_launcher
# Symbol tables are cached by build-id after a library's first render (~/.cache/jjf/symbols); the
# targets are for a render after that one. One row renders without the cache, for the first time.
java -jar "$jar" render "$real_heap" --perf-map "$real_map" -o "$cmp/warm.svg" 2>/dev/null
say "jeprof vs jjf on $(basename "$real_heap"), $runs alternating rounds"
for i in $(seq "$runs"); do
  timed "$cmp/jeprof.t" sh -c 'jeprof --collapsed "$1" "$2" >"$3" 2>/dev/null' _ "$java_bin" "$real_heap" "$cmp/jeprof.folded"
  timed "$cmp/folded.t" java -jar "$jar" render "$real_heap" --perf-map "$real_map" --format folded -o "$cmp/jjf.folded" 2>/dev/null
  timed "$cmp/svg.t" java -jar "$jar" render "$real_heap" --perf-map "$real_map" --format svg -o "$cmp/jjf.svg" 2>/dev/null
  timed "$cmp/svgl.t" "$launcher" render "$real_heap" --perf-map "$real_map" --format svg -o "$cmp/jjf-l.svg" 2>/dev/null
  timed "$cmp/svgn.t" java -jar "$jar" render "$real_heap" --perf-map "$real_map" --format svg --no-symbol-cache -o "$cmp/jjf-n.svg" 2>/dev/null
  # Start-up: what a render costs over the JVM and jjf merely starting (issue 14: ≤ 4×).
  timed "$cmp/version.t" sh -c 'java -jar "$1" --version >/dev/null' _ "$jar"
  say "  round $i: jeprof $(tail -n1 "$cmp/jeprof.t" | cut -d' ' -f1) s, jjf folded $(tail -n1 "$cmp/folded.t" | cut -d' ' -f1) s, jjf svg $(tail -n1 "$cmp/svg.t" | cut -d' ' -f1) s, ./jjf svg $(tail -n1 "$cmp/svgl.t" | cut -d' ' -f1) s, no symbol cache $(tail -n1 "$cmp/svgn.t" | cut -d' ' -f1) s"
done
jeprof_total="$(folded_total "$cmp/jeprof.folded")"
jjf_total="$(folded_total "$cmp/jjf.folded")"
total_diff="$(awk -v a="$jeprof_total" -v b="$jjf_total" 'BEGIN {d = a - b; if (d < 0) d = -d; printf "%.4f", (a > 0 ? 100 * d / a : 0)}')"
totals_ok="$(awk -v d="$total_diff" 'BEGIN {print ((d <= 0.1) ? "yes" : "NO")}')"
jeprof_wall="$(col "$cmp/jeprof.t" 1)"; jeprof_cpu="$(col "$cmp/jeprof.t" 2)"
folded_wall="$(col "$cmp/folded.t" 1)"; folded_cpu="$(col "$cmp/folded.t" 2)"; folded_rss="$(col "$cmp/folded.t" 3)"
svg_wall="$(col "$cmp/svg.t" 1)"; svg_cpu="$(col "$cmp/svg.t" 2)"; svg_rss="$(col "$cmp/svg.t" 3)"
l_wall="$(col "$cmp/svgl.t" 1)"; l_cpu="$(col "$cmp/svgl.t" 2)"; l_rss="$(col "$cmp/svgl.t" 3)"
n_wall="$(col "$cmp/svgn.t" 1)"; n_cpu="$(col "$cmp/svgn.t" 2)"; n_rss="$(col "$cmp/svgn.t" 3)"
v_wall="$(col "$cmp/version.t" 1)"; v_cpu="$(col "$cmp/version.t" 2)"
cmp -s "$cmp/jjf.svg" "$cmp/jjf-l.svg" && l_same="identical" || l_same="DIFFERENT"
cmp -s "$cmp/jjf.svg" "$cmp/jjf-n.svg" && n_same="identical" || n_same="DIFFERENT"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.1f", (b > 0 ? a / b : 0)}'; }

frames_of() { grep -o 'class="frame"' "$1" | wc -l; }
kib() { awk -v b="$(stat -c %s "$1")" 'BEGIN {printf "%.0f KiB", b / 1024}'; }
stacks_of() { grep -c '^@' "$1"; }

# --- synthetic profiles: scale -------------------------------------------------------------
syn="$work/synthetic"; mkdir -p "$syn"
for s in $sizes; do
  if [ ! -f "$syn/s$s.heap" ] || [ "$bench_jar" -nt "$syn/s$s.heap" ] || [ "$real_heap" -nt "$syn/s$s.heap" ]; then
    say "generating a ${s} MB synthetic profile"
    java -cp "$bench_jar" dev.jjf.bench.SyntheticProfile "$real_heap" "$syn/s$s.heap" "$syn/s$s.map" "$s"
  fi
  rm -f "$syn/s$s.t" "$syn/s$s.xmx.t" "$syn/s$s.l.t"
done
say "rendering synthetic profiles, $scale_runs alternating rounds"
for i in $(seq "$scale_runs"); do
  for s in $sizes; do
    timed "$syn/s$s.t" java -jar "$jar" render "$syn/s$s.heap" --perf-map "$syn/s$s.map" -o "$syn/s$s.svg" 2>/dev/null
    timed "$syn/s$s.xmx.t" java -Xmx512m -jar "$jar" render "$syn/s$s.heap" --perf-map "$syn/s$s.map" -o "$syn/s$s.xmx.svg" 2>/dev/null
    timed "$syn/s$s.l.t" "$launcher" render "$syn/s$s.heap" --perf-map "$syn/s$s.map" -o "$syn/s$s.l.svg" 2>/dev/null
    say "  round $i, $s MB: $(tail -n1 "$syn/s$s.t" | cut -d' ' -f1) s; with -Xmx512m $(tail -n1 "$syn/s$s.xmx.t" | cut -d' ' -f1) s; ./jjf $(tail -n1 "$syn/s$s.l.t" | cut -d' ' -f1) s"
  done
done

if [ -n "$baseline" ]; then
  ba="$work/baseline"; rm -rf "$ba"; mkdir -p "$ba"
  big="$(echo "$sizes" | awk '{print $NF}')"
  say "baseline $baseline against this build, $runs alternating rounds"
  for i in $(seq "$runs"); do
    for v in base new; do
      j="$jar"; [ "$v" = base ] && j="$base_jar"
      timed "$ba/$v-svg.t" java -jar "$j" render "$real_heap" --perf-map "$real_map" -o "$ba/$v.svg" 2>/dev/null
      timed "$ba/$v-folded.t" java -jar "$j" render "$real_heap" --perf-map "$real_map" --format folded -o "$ba/$v.folded" 2>/dev/null
      timed "$ba/$v-big.t" java -Xmx512m -jar "$j" render "$syn/s$big.heap" --perf-map "$syn/s$big.map" -o "$ba/$v-big.svg" 2>/dev/null
      timed "$ba/$v-version.t" sh -c 'java -jar "$1" --version >/dev/null' _ "$j"
    done
  done
  same_out="identical"
  for f in .svg .folded -big.svg; do cmp -s "$ba/base$f" "$ba/new$f" || same_out="DIFFERENT ($f)"; done
fi

if [ "$jmh" = yes ]; then
  jmh_run "$real_heap" "$real_map" real >/dev/null
  first="$(echo "$sizes" | awk '{print $1}')"
  jmh_run "$syn/s$first.heap" "$syn/s$first.map" "synthetic-${first}MB" >/dev/null
fi

# --- the report ----------------------------------------------------------------------------
verdict() { [ "$1" = 1 ] && echo "met" || echo "**not met**"; }
targets() {
  local set_last set_prev r rl lin mbps mbpsl frames_ok=1
  set -- $sizes; set_last="${!#}"; set_prev="$(echo "$sizes" | awk '{print $(NF-1)}')"
  r="$(ratio "$jeprof_wall" "$svg_wall")"
  rl="$(ratio "$jeprof_wall" "$l_wall")"
  lin="$(ratio "$(col "$syn/s$set_last.t" 1)" "$(col "$syn/s$set_prev.t" 1)")"
  mbps="$(awk -v b="$(stat -c %s "$syn/s$set_last.heap")" -v w="$(col "$syn/s$set_last.t" 1)" 'BEGIN {printf "%.0f", b / 1e6 / w}')"
  mbpsl="$(awk -v b="$(stat -c %s "$syn/s$set_last.heap")" -v w="$(col "$syn/s$set_last.l.t" 1)" 'BEGIN {printf "%.0f", b / 1e6 / w}')"
  for f in "$cmp/jjf.svg" "$syn"/s*.svg; do [ "$(frames_of "$f")" -le 5000 ] || frames_ok=0; done
  echo "| target | measured here | |"
  echo "|---|---|---|"
  echo "| render to SVG ≥ 20× faster than jeprof --collapsed (wall, JVM start included), \`./jjf render\` | ${rl}× (CPU: $(ratio "$jeprof_cpu" "$l_cpu")×) | $(verdict "$(awk -v r="$rl" 'BEGIN {print (r >= 20)}')") |"
  echo "| the same, \`java -jar target/jjf.jar render\` | ${r}× (CPU: $(ratio "$jeprof_cpu" "$svg_cpu")×) | $(verdict "$(awk -v r="$r" 'BEGIN {print (r >= 20)}')") |"
  echo "| \`java -jar\` start-up: render of the real profile ≤ 4× \`java -jar target/jjf.jar --version\` (wall) | $(ratio "$svg_wall" "$v_wall")× ($svg_wall s / $v_wall s; CPU $(ratio "$svg_cpu" "$v_cpu")×) | $(verdict "$(awk -v a="$svg_wall" -v b="$v_wall" 'BEGIN {print (b > 0 && a / b <= 4)}')") |"
  echo "| same totals as jeprof within 0.1 % | ${total_diff} % | $(verdict "$([ "$totals_ok" = yes ] && echo 1)") |"
  echo "| ≥ 100 MB/s on the synthetic profiles, \`./jjf render\` | ${mbpsl} MB/s at ${set_last} MB (wall) | $(verdict "$(awk -v m="$mbpsl" 'BEGIN {print (m >= 100)}')") |"
  echo "| the same, \`java -jar target/jjf.jar render\` | ${mbps} MB/s at ${set_last} MB (wall) | $(verdict "$(awk -v m="$mbps" 'BEGIN {print (m >= 100)}')") |"
  echo "| linear: ${set_last} MB ≤ 4.5× the time of ${set_prev} MB | ${lin}× | $(verdict "$(awk -v l="$lin" 'BEGIN {print (l <= 4.5)}')") |"
  echo "| ${set_last} MB renders with -Xmx512m | done, peak RSS $(awk -v k="$(col "$syn/s$set_last.xmx.t" 3)" 'BEGIN {printf "%.0f", k / 1024}') MiB | met |"
  echo "| at most ~5,000 drawn frames by default | $(frames_of "$cmp/jjf.svg") (real), $(for x in $sizes; do printf '%s ' "$(frames_of "$syn/s$x.svg")"; done)(synthetic) | $(verdict "$frames_ok") |"
}

report="$root/bench/REPORT.md"
{
  cat <<EOF
# jjf benchmark report

Written by \`scripts/bench.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC').
Machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p' | head -n1), $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo) RAM,
$(. /etc/os-release && echo "$PRETTY_NAME"), $(java -version 2>&1 | head -n1), jeprof from jemalloc $(jeprof --version 2>&1 | sed -n 's/.*jeprof (part of jemalloc \([^)]*\)).*/\1/p' | head -n1).
Load average when the report was written: $(cut -d' ' -f1-3 /proc/loadavg) (the machine is shared: wall times move with
other people's work, CPU times much less).

## Performance

\`scripts/bench.sh\` is the one command (about $(( ($(date +%s) - started) / 60 + 1 )) minutes this time). It builds both jars, profiles
[\`bench/BenchLeak.java\`](BenchLeak.java) (an Unsafe leak through a chain of methods, unclosed Deflaters, and
allocate-and-free noise on four threads) under jemalloc built with libunwind and \`lg_prof_sample:0\`, times
\`jeprof --collapsed\` and \`jjf render\` on that same file in alternating rounds, then renders synthetic
profiles of growing size and runs JMH per stage. \`--no-jmh\` skips JMH, \`--runs N\` changes the rounds,
\`--jmh-only\` runs only JMH. Times are medians; "CPU" is user + system time of the process (all threads),
which other load on the machine disturbs far less than wall time.

JMH alone, on any profile: \`mvn -f bench/pom.xml package\` (after \`mvn -DskipTests package\`), then
\`java -cp bench/target/benchmarks.jar:target/jjf.jar org.openjdk.jmh.Main StageBenchmarks -p heap=FILE.heap -p perfMap=FILE.map\`.
The synthetic generator: \`java -cp bench/target/benchmarks.jar dev.jjf.bench.SyntheticProfile REAL.heap OUT.heap OUT.map SIZE_MB [SEED]\`;
per-stage times of one cold JVM: \`java -cp bench/target/benchmarks.jar:target/jjf.jar dev.jjf.bench.StageTimes FILE.heap FILE.map [ITERATIONS]\`.

## Targets (issue 6)

$(targets)

## jeprof against jjf, same file, same run

Profile: $(basename "$real_heap"), $(kib "$real_heap"), $(stacks_of "$real_heap") stacks, perf map $(wc -l <"$real_map") lines.
$runs alternating rounds; jjf times include JVM start (\`java -jar target/jjf.jar render ...\`).

| command | wall median (s) | CPU median (s) | peak RSS (MiB) | wall ratio jeprof/jjf | CPU ratio |
|---|---:|---:|---:|---:|---:|
| \`jeprof --collapsed $java_bin FILE\` | $jeprof_wall | $jeprof_cpu | $(awk -v k="$(col "$cmp/jeprof.t" 3)" 'BEGIN {printf "%.0f", k / 1024}') | 1 | 1 |
| \`jjf render FILE --perf-map MAP --format folded\` | $folded_wall | $folded_cpu | $(awk -v k="$folded_rss" 'BEGIN {printf "%.0f", k / 1024}') | $(ratio "$jeprof_wall" "$folded_wall") | $(ratio "$jeprof_cpu" "$folded_cpu") |
| \`jjf render FILE --perf-map MAP --format svg\` | $svg_wall | $svg_cpu | $(awk -v k="$svg_rss" 'BEGIN {printf "%.0f", k / 1024}') | **$(ratio "$jeprof_wall" "$svg_wall")** | $(ratio "$jeprof_cpu" "$svg_cpu") |
| \`./jjf render FILE --perf-map MAP\` (the launcher: C1 only, serial GC, class-data archive) | $l_wall | $l_cpu | $(awk -v k="$l_rss" 'BEGIN {printf "%.0f", k / 1024}') | **$(ratio "$jeprof_wall" "$l_wall")** | $(ratio "$jeprof_cpu" "$l_cpu") |
| \`jjf render FILE --perf-map MAP --no-symbol-cache\` (every symbol table read from its library, as on a first render) | $n_wall | $n_cpu | $(awk -v k="$n_rss" 'BEGIN {printf "%.0f", k / 1024}') | $(ratio "$jeprof_wall" "$n_wall") | $(ratio "$jeprof_cpu" "$n_cpu") |

Every round (wall s / CPU s): jeprof $(awk '{printf "%s%s/%s", (NR > 1 ? ", " : ""), $1, $2}' "$cmp/jeprof.t");
folded $(awk '{printf "%s%s/%s", (NR > 1 ? ", " : ""), $1, $2}' "$cmp/folded.t");
svg $(awk '{printf "%s%s/%s", (NR > 1 ? ", " : ""), $1, $2}' "$cmp/svg.t");
./jjf svg $(awk '{printf "%s%s/%s", (NR > 1 ? ", " : ""), $1, $2}' "$cmp/svgl.t") (output $l_same to the \`java -jar\` run's);
no symbol cache $(awk '{printf "%s%s/%s", (NR > 1 ? ", " : ""), $1, $2}' "$cmp/svgn.t") (output $n_same).

Totals: jeprof $jeprof_total bytes, jjf $jjf_total bytes, difference $total_diff % (within 0.1 %: **$totals_ok**).
Folded lines: jeprof $(wc -l <"$cmp/jeprof.folded") (one per distinct address stack), jjf $(wc -l <"$cmp/jjf.folded") (stacks equal after symbolization merged).
SVG: $(kib "$cmp/jjf.svg"), $(frames_of "$cmp/jjf.svg") drawn frames.

## Scale: synthetic profiles

Made by \`SyntheticProfile\` from the real profile's MAPPED_LIBRARIES (addresses inside this machine's libjvm.so,
libc, libz, libjemalloc, other mapped libraries, JIT addresses in its code cache named by a synthetic perf map of
6,000 methods), 256 threads, stacks of 13 to 123 frames sharing prefixes, sample period 2^19.
$scale_runs alternating rounds; end-to-end \`java -jar target/jjf.jar render FILE --perf-map MAP -o FILE.svg\`, default heap and \`-Xmx512m\`,
and \`./jjf render ...\` (the launcher's defaults).

| size | stacks | wall median (s) | CPU median (s) | MB/s (wall) | MB/s (CPU) | peak RSS (MiB) | -Xmx512m wall (s) | -Xmx512m CPU (s) | -Xmx512m peak RSS (MiB) | ./jjf wall (s) | ./jjf CPU (s) | ./jjf MB/s (wall) | SVG | drawn frames |
|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|
EOF
  for s in $sizes; do
    mb="$(awk -v b="$(stat -c %s "$syn/s$s.heap")" 'BEGIN {printf "%.1f", b / 1e6}')"
    w="$(col "$syn/s$s.t" 1)"; c="$(col "$syn/s$s.t" 2)"
    wl="$(col "$syn/s$s.l.t" 1)"
    printf '| %s MB | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$mb" "$(stacks_of "$syn/s$s.heap")" "$w" "$c" \
      "$(awk -v m="$mb" -v w="$w" 'BEGIN {printf "%.0f", m / w}')" "$(awk -v m="$mb" -v w="$c" 'BEGIN {printf "%.0f", m / w}')" \
      "$(awk -v k="$(col "$syn/s$s.t" 3)" 'BEGIN {printf "%.0f", k / 1024}')" \
      "$(col "$syn/s$s.xmx.t" 1)" "$(col "$syn/s$s.xmx.t" 2)" "$(awk -v k="$(col "$syn/s$s.xmx.t" 3)" 'BEGIN {printf "%.0f", k / 1024}')" \
      "$wl" "$(col "$syn/s$s.l.t" 2)" "$(awk -v m="$mb" -v w="$wl" 'BEGIN {printf "%.0f", m / w}')" \
      "$(kib "$syn/s$s.svg")" "$(frames_of "$syn/s$s.svg")"
  done
  set -- $sizes
  if [ $# -ge 2 ]; then
    last="${!#}"; prev="$(echo "$sizes" | awk '{print $(NF-1)}')"
    echo
    echo "Linearity: the ${last} MB profile took $(ratio "$(col "$syn/s$last.t" 1)" "$(col "$syn/s$prev.t" 1)")× the wall time and $(ratio "$(col "$syn/s$last.t" 2)" "$(col "$syn/s$prev.t" 2)")× the CPU time of the ${prev} MB one (file sizes $(ratio "$(stat -c %s "$syn/s$last.heap")" "$(stat -c %s "$syn/s$prev.heap")")×; target ≤ 4.5× time)."
  fi
  if [ "$jmh" = yes ]; then
    cat <<EOF

## JMH, per stage

\`StageBenchmarks\`, 3 warm-up and 5 measured iterations of 2 s, one fork; milliseconds per operation (whole profile).
parse = heap_v2 text in memory to HeapProfile; symbols = name every distinct address once (ELF tables loaded);
elfLoad = open libjvm.so and read its symbol table; fold = all stacks into the call tree; svg / folded = write the tree.

| stage | real profile (ms/op ± 99.9 % error) | synthetic ${first} MB (ms/op ± 99.9 % error) |
|---|---:|---:|
$(join <(sort "$work/jmh-real.txt") <(sort "$work/jmh-synthetic-${first}MB.txt") | awk '{printf "| %s | %s ± %s | %s ± %s |\n", $1, $2, $3, $4, $5}')
EOF
  fi
  if [ -n "$baseline" ]; then
    mib() { awk -v k="$1" 'BEGIN {printf "%.0f", k / 1024}'; }
    cat <<EOF

## Before and after (\`--baseline $baseline\`)

The jar built from commit \`$(git rev-parse --short "$baseline")\` against this one, $runs alternating rounds, medians; outputs of the two are $same_out.

| run | before wall (s) | after wall (s) | before CPU (s) | after CPU (s) | before peak RSS (MiB) | after peak RSS (MiB) |
|---|---:|---:|---:|---:|---:|---:|
| real profile, svg | $(col "$ba/base-svg.t" 1) | $(col "$ba/new-svg.t" 1) | $(col "$ba/base-svg.t" 2) | $(col "$ba/new-svg.t" 2) | $(mib "$(col "$ba/base-svg.t" 3)") | $(mib "$(col "$ba/new-svg.t" 3)") |
| real profile, folded | $(col "$ba/base-folded.t" 1) | $(col "$ba/new-folded.t" 1) | $(col "$ba/base-folded.t" 2) | $(col "$ba/new-folded.t" 2) | $(mib "$(col "$ba/base-folded.t" 3)") | $(mib "$(col "$ba/new-folded.t" 3)") |
| synthetic ${big} MB, svg, -Xmx512m | $(col "$ba/base-big.t" 1) | $(col "$ba/new-big.t" 1) | $(col "$ba/base-big.t" 2) | $(col "$ba/new-big.t" 2) | $(mib "$(col "$ba/base-big.t" 3)") | $(mib "$(col "$ba/new-big.t" 3)") |
| \`--version\` | $(col "$ba/base-version.t" 1) | $(col "$ba/new-version.t" 1) | $(col "$ba/base-version.t" 2) | $(col "$ba/new-version.t" 2) | $(mib "$(col "$ba/base-version.t" 3)") | $(mib "$(col "$ba/new-version.t" 3)") |

\`java -jar\` start-up ratio, real-profile SVG render over \`--version\` (wall medians): before $(ratio "$(col "$ba/base-svg.t" 1)" "$(col "$ba/base-version.t" 1)")×, after $(ratio "$(col "$ba/new-svg.t" 1)" "$(col "$ba/new-version.t" 1)")×; in CPU: before $(ratio "$(col "$ba/base-svg.t" 2)" "$(col "$ba/base-version.t" 2)")×, after $(ratio "$(col "$ba/new-svg.t" 2)" "$(col "$ba/new-version.t" 2)")×.
EOF
  fi
  if [ -f "$root/bench/CHANGES.md" ]; then
    echo
    cat "$root/bench/CHANGES.md"
  fi
} >"$report"
say "wrote $report"
if [ "$totals_ok" != yes ]; then
  say "jeprof and jjf totals differ by $total_diff % (more than 0.1 %)"
  exit 1
fi
