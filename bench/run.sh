#!/usr/bin/env bash
# make bench: speed and memory of `goroscope analyze` on big dumps, measured
# side by side with `wc -l`, with bench/floor.c (the least any reader costs:
# the bytes mapped or read and their newlines counted, on every core) and
# with panicparse, in one run on this machine. Results: build/bench/results.txt.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/build/bench
mkdir -p "$out"
export GOCACHE=${GOCACHE:-$root/build/gocache} GOFLAGS=-mod=mod
G=$root/build/goroscope
RUNS=${RUNS:-7}

(cd "$root/bench/gendump" && go build -o "$out/gendump" .)
# the least any reader costs here: map (or read) and count newlines, on every core
${CC:-cc} -O2 -pthread -o "$out/floor" "$root/bench/floor.c"
# playwright-core (as locked in tests/browser) opens the HTML report
[ -d "$root/tests/browser/node_modules/playwright-core" ] || (cd "$root/tests/browser" && npm ci --no-audit --no-fund --silent)
for n in 10000 100000; do
  f=$out/dump-$n.txt
  if [ ! -s "$f" ]; then
    echo "== generating $f (GOTRACEBACK=all crash dump of $n parked goroutines)"
    GOTRACEBACK=all "$out/gendump" -n $n 2>"$f" || true
  fi
done
prof=$out/goroutine-100000.pb.gz
if [ ! -s "$prof" ]; then
  echo "== generating $prof (protobuf goroutine profile: 100k goroutines, deep and varied stacks)"
  "$out/gendump" -n 100000 -routes 20000 -deep -profile "$prof"
fi
big=$out/dump-1000000.txt
if [ ! -s "$big" ]; then
  echo "== generating $big: the 100k dump ten times, goroutine ids renumbered (one dump)"
  python3 - "$out/dump-100000.txt" "$big" <<'PY'
import re, sys
src = open(sys.argv[1], "rb").read()
body = src[src.index(b"\ngoroutine ") + 1:]  # without the panic preamble
hdr = re.compile(rb"^goroutine (\d+) ", re.M)
with open(sys.argv[2], "wb") as out:
    out.write(src[: src.index(b"\ngoroutine ") + 1])
    for k in range(10):
        off = k * 10_000_000
        out.write(hdr.sub(lambda m: b"goroutine %d " % (int(m.group(1)) + off), body) if k else body)
        if not body.endswith(b"\n\n"):
            out.write(b"\n")
PY
fi
{
  echo "goroscope $("$G" --version | cut -d' ' -f2) on $(nproc) CPUs, $(date -u +%Y-%m-%dT%H:%MZ)"
  for n in 10000 100000 1000000; do
    f=$out/dump-$n.txt
    echo; echo "== $n goroutines: $(grep -c '^goroutine ' "$f") headers"
    python3 "$root/bench/measure.py" "$([ $n = 1000000 ] && echo 3 || echo "$RUNS")" "$f" \
      "wc -l=wc -l {}" \
      "floor (mapped), 1 thread=$out/floor {} 1" \
      "floor (mapped), $(nproc) threads=$out/floor {} $(nproc)" \
      "floor (read), $(nproc) threads=$out/floor {} $(nproc) read" \
      "goroscope analyze=$G analyze -q {}" \
      "goroscope analyze --threads 1=$G analyze -q --threads 1 {}" \
      "goroscope analyze --json=$G analyze -q --json {}"
  done
  echo; echo "== protobuf goroutine profile: $("$G" analyze --json "$prof" | python3 -c 'import json,sys; s=json.load(sys.stdin)["snapshots"][0]; print(s["total"], "goroutines,", s["profile"]["samples"], "distinct stacks")')"
  python3 "$root/bench/measure.py" 3 "$prof" \
    "goroscope analyze=$G analyze -q {}" \
    "go tool pprof -raw=go tool pprof -raw {}"
  echo; echo "== panicparse (Debian $(dpkg-query -W -f='${Version}' panicparse 2>/dev/null || echo '?')) on 10000 goroutines"
  python3 "$root/bench/measure.py" 3 "$out/dump-10000.txt" \
    "goroscope analyze=$G analyze -q {}" \
    "panicparse=panicparse -no-color {}"
  echo; echo "== HTML report of the 100000-goroutine dump: written by goroscope, then opened in Chromium"
  python3 "$root/bench/measure.py" 3 "$out/dump-100000.txt" \
    "goroscope analyze --html=$G analyze -q --html -o $out/dump-100000.html {}"
  node "$root/tests/browser/open_time.mjs" "$out/dump-100000.html" 5
} | tee "$out/results.txt"
