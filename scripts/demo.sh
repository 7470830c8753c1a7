#!/usr/bin/env bash
# make demo: build the bundled example service (examples/leakyshop), let it
# leak under its own load, take its /debug/pprof/goroutine?debug=2 dump, and
# run goroscope analyze on it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/build/demo
mkdir -p "$out"
export GOCACHE=${GOCACHE:-$root/build/gocache} GOFLAGS=-mod=mod
echo "== building the example service (examples/leakyshop) with $(go version | cut -d' ' -f3)"
(cd "$root/examples/leakyshop" && go build -o "$out/leakyshop" .)
echo "== running it: 60 requests each to /checkout, /search and /product, then its goroutine dump"
"$out/leakyshop" dump -requests 60 >"$out/leakyshop-goroutines.txt"
echo "   $(grep -c '^goroutine ' "$out/leakyshop-goroutines.txt") goroutines in $out/leakyshop-goroutines.txt"
echo "== goroscope analyze build/demo/leakyshop-goroutines.txt"
echo
"$root/build/goroscope" analyze --frames 6 --limit 6 "$out/leakyshop-goroutines.txt"
echo "(also try: build/goroscope analyze --json ..., --folded ..., --by creator ..., -m checkout ...)"
