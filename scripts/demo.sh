#!/usr/bin/env bash
# make demo: build the bundled example service (examples/leakyshop), start it
# on 127.0.0.1 under its own load, and let goroscope find its leaks live:
# `goroscope leaks` takes snapshots of its /debug/pprof endpoint over a few
# seconds and names the goroutines that leak, apart from the healthy ones.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/build/demo
. "$root/scripts/lib.sh"
mkdir -p "$out"
export GOCACHE=${GOCACHE:-$root/build/gocache} GOFLAGS=-mod=mod
echo "== building the example service (examples/leakyshop) with $(go version | cut -d' ' -f3)"
(cd "$root/examples/leakyshop" && go build -o "$out/leakyshop" .)
echo "== starting it on 127.0.0.1 with 10 requests a second to /checkout, /search and /product"
"$out/leakyshop" serve -load 10 >"$out/leakyshop.out" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
url=$(wait_for_line "$out/leakyshop.out" 's/^leakyshop listening on \(http:[^ ]*\)$/\1/p') ||
  { echo "leakyshop did not start"; cat "$out/leakyshop.out"; exit 1; }
sleep 1
echo "== goroscope leaks $url --every 1s --count 6"
echo
"$root/build/goroscope" leaks --every 1s --count 6 --frames 4 "$url"
echo
echo "(also try, while it runs: build/goroscope analyze $url, or build/goroscope web $url"
echo " for the interactive report on 127.0.0.1, or diff two snapshots)"
