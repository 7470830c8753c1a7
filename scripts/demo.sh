#!/usr/bin/env bash
# make demo: build the bundled example service (examples/leakyshop), start it
# on 127.0.0.1 under its own load, and let goroscope find its leaks live:
# `goroscope leaks` takes snapshots of its /debug/pprof endpoint over a few
# seconds and names the goroutines that leak, apart from the healthy ones.
# Two captures (before and after) stay in build/demo/captures, so that the
# commands printed at the end work once the service is stopped.
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
caps=$out/captures
rm -rf "$caps" && mkdir -p "$caps"
G=$root/build/goroscope
rel() { echo "${1#"$root"/}"; }
echo "== goroscope capture: the evidence before (goroutine, block, mutex profiles, manifest)"
before=$("$G" capture -q --out "$caps" "$url")
echo "   $(rel "$before")"
echo "== goroscope leaks $url --every 1s --count 6"
echo
"$G" leaks --every 1s --count 6 --frames 4 "$url"
echo
echo "== goroscope capture: the evidence after"
after=$("$G" capture -q --out "$caps" "$url")
echo "   $(rel "$after")"
kill $pid 2>/dev/null || true
wait $pid 2>/dev/null || true
echo "== the service is stopped"

# What the user can run next reads what the demo saved: check that each
# command works before saying so.
"$G" leaks -q "$caps"/* >/dev/null
"$G" diff -q "$caps"/* >/dev/null
"$G" analyze --html -q -o "$out/report.html" "$after"
"$G" web -q "$caps"/* >"$out/web.out" 2>&1 &
web=$!
wait_for_line "$out/web.out" 's/^goroscope web: \(http:[^ ]*\)$/\1/p' >/dev/null ||
  { echo "goroscope web did not start"; cat "$out/web.out"; exit 1; }
kill $web
cd "$root"
cat <<NEXT

Next, from $root (the captures stay in $(rel "$caps"), named by time):
  build/goroscope leaks $(rel "$caps")/*
  build/goroscope diff $(rel "$caps")/*
  build/goroscope analyze --html -o report.html $(rel "$after")   # one offline page
  build/goroscope web $(rel "$caps")/*   # every view on 127.0.0.1; Ctrl-C stops it
and live again:
  $(rel "$out")/leakyshop serve -load 10 -addr 127.0.0.1:6060 &
  build/goroscope leaks http://127.0.0.1:6060
  kill %1
NEXT
