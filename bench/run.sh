#!/usr/bin/env bash
# make bench: speed and memory of goroscope's commands, each measured side
# by side with its peer in one run on this machine (bench/measure.py: the
# commands interleaved, medians, peak RSS), with the page cache in a state
# the benchmark sets and reports (bench/cache_state.py):
#
#   text dumps     100k and 1M goroutines, written by the Go runtime (gendump),
#                  in two cache states: as a dump is written (512-byte writes)
#                  and evicted then read back; the 1M one also cold (from the
#                  disk). Against `wc -l` and bench/floor.c (the least any
#                  reader costs: the bytes mapped or read, newlines counted,
#                  on one core and on every core); goroscope with the reader
#                  it picks, and each reader forced (GOROSCOPE_READER).
#   dump shapes    the 100k dump as other inputs come: CRLF line ends, a log
#                  prefix on every line (kubectl logs --timestamps), written
#                  with GOTRACEBACK=system (fp=, sp=, pc= on file lines), and
#                  a service's 2,000 distinct long-lived goroutines first
#   series         leaks over 7 snapshots of 100k goroutines, and diff of
#                  two, against analyze of the same files
#   memory         a dump of 3M goroutines (4.3 GB), and --json of a profile
#                  of 267k distinct stacks, protobuf and debug=1: peak RSS
#   profiles       73k distinct stacks: analyze against go tool pprof -raw
#   panicparse     on the 10k dump
#   HTML           the report of the 100k dump and of a profile of 109k
#                  distinct stacks, drawn in Chromium (tests/browser/open_time.mjs)
#
# Results: build/bench/results.txt. Generating the inputs the first time
# takes about 15 minutes (the 3M dump alone 8); they are kept.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/build/bench
mkdir -p "$out"
export GOCACHE=${GOCACHE:-$root/build/gocache} GOFLAGS=-mod=mod
G=$root/build/goroscope
RUNS=${RUNS:-7}
N=$(nproc)
state() { python3 "$root/bench/cache_state.py" "$@"; }
measure() { python3 "$root/bench/measure.py" "$@"; }

(cd "$root/bench/gendump" && go build -o "$out/gendump" .)
${CC:-cc} -O2 -pthread -o "$out/floor" "$root/bench/floor.c"
# playwright-core (as locked in tests/browser) opens the HTML reports
[ -d "$root/tests/browser/node_modules/playwright-core" ] || (cd "$root/tests/browser" && npm ci --no-audit --no-fund --silent)

for n in 10000 100000 1000000 3000000; do
  f=$out/dump-$n.txt
  if [ ! -s "$f" ]; then
    echo "== generating $f (GOTRACEBACK=all crash dump of $n parked goroutines, written by the Go runtime)"
    GOTRACEBACK=all "$out/gendump" -n $n 2>"$f.tmp" || true
    mv "$f.tmp" "$f"
  fi
done
# the 100k dump's shapes that the runtime writes (others are made from it below)
f=$out/dump-100000.system.txt
[ -s "$f" ] || { GOTRACEBACK=system "$out/gendump" -n 100000 2>"$f.tmp" || true; mv "$f.tmp" "$f"; }
f=$out/dump-100000.service.txt
[ -s "$f" ] || { GOTRACEBACK=all "$out/gendump" -n 100000 -distinct 2000 2>"$f.tmp" || true; mv "$f.tmp" "$f"; }
# goroutines, routes: distinct deep stacks (73k, 109k and 267k)
for spec in 100000:20000 150000:30000 400000:60000; do
  n=${spec%%:*} routes=${spec##*:}
  p=$out/goroutine-$n.pb.gz
  [ -s "$p" ] || "$out/gendump" -n "$n" -routes "$routes" -deep -profile "$p"
done
# the 267k-stack profile again, as debug=1 text (570 MB)
d1=$out/goroutine-400000.debug1.txt
[ -s "$d1" ] || "$out/gendump" -n 400000 -routes 60000 -deep -debug1 -profile "$d1"
stacks() { "$G" analyze --json "$1" | python3 -c 'import json,sys; s=json.load(sys.stdin)["snapshots"][0]; print(s["total"], "goroutines,", s["profile"]["samples"], "distinct stacks")'; }
# the reader goroscope picks for a file in its present state
picks() { GOROSCOPE_TIMING=1 "$G" analyze -q "$1" 2>&1 >/dev/null | sed -n 's/.*part(s), \([a-z]*\).*/\1/p' | head -1; }

text_dump() { # FILE RUNS
  measure "$2" "$1" \
    "wc -l=wc -l {}" \
    "floor (mapped), 1 thread=$out/floor {} 1" \
    "floor (mapped), $N threads=$out/floor {} $N" \
    "floor (read), $N threads=$out/floor {} $N read" \
    "goroscope analyze=$G analyze -q {}" \
    "goroscope analyze, mapped=env GOROSCOPE_READER=map $G analyze -q {}" \
    "goroscope analyze, pread=env GOROSCOPE_READER=read $G analyze -q {}" \
    "goroscope analyze --threads 1=$G analyze -q --threads 1 {}"
}

{
  echo "goroscope $("$G" --version | cut -d' ' -f2) on $N CPUs, $(date -u +%Y-%m-%dT%H:%MZ)"
  for n in 100000 1000000; do
    src=$out/dump-$n.txt w=$out/dump-$n.written.txt
    runs=$([ $n = 1000000 ] && echo 3 || echo "$RUNS")
    state written "$src" "$w"
    echo; echo "== $n goroutines, as written (512-byte writes, as the runtime writes a dump); goroscope picks: $(picks "$w")"
    state show "$w"
    text_dump "$w" "$runs"
    state evicted "$w"
    echo; echo "== $n goroutines, evicted and read back; goroscope picks: $(picks "$w")"
    state show "$w"
    text_dump "$w" "$runs"
  done
  w=$out/dump-1000000.written.txt
  state cold "$w"
  echo; echo "== 1000000 goroutines, cold (dropped from the page cache before each command); goroscope picks: $(picks "$w")"
  MEASURE_COLD=1 measure 3 "$w" \
    "wc -l=wc -l {}" \
    "goroscope analyze=$G analyze -q {}" \
    "goroscope analyze, mapped=env GOROSCOPE_READER=map $G analyze -q {}" \
    "goroscope analyze, pread=env GOROSCOPE_READER=read $G analyze -q {}"
  rm -f "$w"

  echo; echo "== dump shapes: 100k goroutines as other inputs come (each as written)"
  sed 's/$/\r/' "$out/dump-100000.txt" >"$out/shape.crlf"
  awk '{ printf "2026-12-06T19:%02d:%02d.%09dZ stderr F %s\n", NR / 60000 % 60, NR / 1000 % 60, NR * 7919 % 1000000000, $0 }' \
    "$out/dump-100000.txt" >"$out/shape.prefixed"
  for shape in "CRLF line ends:crlf" "a log prefix on every line:prefixed" \
	       "GOTRACEBACK=system (fp=, sp=, pc=):system" "2,000 distinct long-lived goroutines first:service"; do
    name=${shape%%:*} f=$out/shape.${shape##*:}
    [ -e "$f" ] || f=$out/dump-100000.${shape##*:}.txt
    state written "$f" "$out/shape.written"
    echo "-- $name"
    measure "$RUNS" "$out/shape.written" \
      "floor (mapped), $N threads=$out/floor {} $N" \
      "goroscope analyze=$G analyze -q {}"
  done
  rm -f "$out/shape.crlf" "$out/shape.prefixed" "$out/shape.written"

  echo; echo "== a series: 7 snapshots of 100k goroutines (copies of one dump, as written)"
  series=()
  for k in 1 2 3 4 5 6 7; do
    state written "$out/dump-100000.txt" "$out/series-$k.txt"
    series+=("$out/series-$k.txt")
  done
  measure "$RUNS" "$out/series-1.txt" \
    "goroscope analyze (7 files)=$G analyze -q ${series[*]}" \
    "goroscope leaks (7 files)=$G leaks -q ${series[*]}" \
    "goroscope analyze (2 files)=$G analyze -q ${series[0]} ${series[1]}" \
    "goroscope diff (2 files)=$G diff -q ${series[0]} ${series[1]}"
  rm -f "${series[@]}" "$out/dump-100000.written.txt"

  echo; echo "== memory: 3M goroutines in one dump"
  state show "$out/dump-3000000.txt"
  measure 1 "$out/dump-3000000.txt" \
    "goroscope analyze=$G analyze -q {}" \
    "goroscope analyze --json=$G analyze -q --json {}"
  p=$out/goroutine-400000.pb.gz
  echo; echo "== memory: protobuf profile, $(stacks "$p"); the same as debug=1 text"
  measure 3 "$p" \
    "goroscope analyze=$G analyze -q {}" \
    "goroscope analyze --json=$G analyze -q --json {}" \
    "goroscope analyze --html=$G analyze -q --html {}"
  measure 1 "$d1" \
    "goroscope analyze (debug1 text)=$G analyze -q {}" \
    "goroscope analyze --json (debug1 text)=$G analyze -q --json {}"

  p=$out/goroutine-100000.pb.gz
  echo; echo "== protobuf goroutine profile: $(stacks "$p")"
  measure 3 "$p" \
    "goroscope analyze=$G analyze -q {}" \
    "go tool pprof -raw=go tool pprof -raw {}"

  echo; echo "== panicparse (Debian $(dpkg-query -W -f='${Version}' panicparse 2>/dev/null || echo '?')) on 10000 goroutines"
  measure 3 "$out/dump-10000.txt" \
    "goroscope analyze=$G analyze -q {}" \
    "panicparse=panicparse -no-color {}"

  echo; echo "== HTML reports: written by goroscope, then drawn in Chromium"
  p=$out/goroutine-150000.pb.gz
  echo "   profile: $(stacks "$p")"
  measure 3 "$out/dump-100000.txt" \
    "goroscope analyze --html (100k dump)=$G analyze -q --html -o $out/dump-100000.html {}" \
    "goroscope analyze --html (profile)=$G analyze -q --html -o $out/profile-109k.html $p"
  node "$root/tests/browser/open_time.mjs" "$out/dump-100000.html" 5
  node "$root/tests/browser/open_time.mjs" "$out/profile-109k.html" 5
} | tee "$out/results.txt"
