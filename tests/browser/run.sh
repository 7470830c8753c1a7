#!/usr/bin/env bash
# Browser tests of the HTML report and the web UI: real headless Chromium
# (Debian's package) driven by Playwright's playwright-core (npm, pinned by
# package-lock.json). Inputs come from a real Go service that leaks on
# purpose (tests/fixtures/grower, Debian's Go, on 127.0.0.1), from the
# real corpus (block and mutex profiles) and from a dump with hostile
# function names. Screenshots: build/browser-test/*.png.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
G=${GOROSCOPE:?set GOROSCOPE to the binary under test}
G=$(cd "$(dirname "$G")" && pwd)/$(basename "$G")
corpus=$root/tests/corpus
out=$root/build/browser-test
. "$root/scripts/lib.sh"
rm -rf "$out"
mkdir -p "$out"

# playwright-core exactly as locked (1.61: the last that runs on Debian 12's
# Node.js 18); nothing else is installed. The installed version is compared
# with the lock, not file times, which a checkout does not keep.
locked() { (cd "$here" && node -e "$1" 2>/dev/null) || true; }
want=$(locked 'console.log(require("./package-lock.json").packages["node_modules/playwright-core"].version)')
have=$(locked 'console.log(require("./node_modules/playwright-core/package.json").version)')
if [ -z "$want" ] || [ "$want" != "$have" ]; then
  (cd "$here" && npm ci --no-audit --no-fund --silent) || { echo "FAIL npm ci of playwright-core $want"; exit 1; }
fi

export GOCACHE=${GOCACHE:-$root/build/fixtures/gocache} GOFLAGS=-mod=mod GOTOOLCHAIN=local
(cd "$root/tests/fixtures/grower" && go build -o "$out/grower" .)
GROWER_LEAK_EVERY=20ms "$out/grower" >"$out/grower.out" 2>&1 &
grower=$!
web=
watch=
cleanup() { kill $grower ${web:-} ${watch:-} 2>/dev/null || true; }
trap cleanup EXIT
port=$(wait_for_line "$out/grower.out" 's/^listening on \([0-9]*\)$/\1/p') ||
  { echo "grower did not start"; cat "$out/grower.out"; exit 1; }
url=http://127.0.0.1:$port

# three snapshots a second apart, and a watch store with an alert
for k in 0 1 2; do
  python3 -c "import sys, urllib.request; sys.stdout.buffer.write(urllib.request.urlopen(sys.argv[1], timeout=10).read())" \
    "$url/debug/pprof/goroutine?debug=2" >"$out/grower.t$k.txt"
  sleep 1
done
"$G" watch -q --listen 127.0.0.1:0 --store "$out/watch.db" --captures "$out/captures" --run-for 4s \
  --interval 250ms --poll-timeout 200ms --max-goroutines 20 --breaches 2 "$url"

"$G" analyze --html -q -o "$out/analyze.html" "$out/grower.t2.txt"
"$G" analyze --html -q -o "$out/hostile.html" "$root/tests/html/hostile.txt"
"$G" diff --html -q -o "$out/diff.html" "$out/grower.t0.txt" "$out/grower.t2.txt"
"$G" leaks --html -q --interval 1s -o "$out/leaks.html" "$out/grower.t0.txt" "$out/grower.t1.txt" "$out/grower.t2.txt"
"$G" contention --html -q -o "$out/contention.html" "$corpus/real/pprof/badger_block_2026.prof" \
  "$corpus/real/pprof/badger_mutex_2026.prof"
"$G" history --html --store "$out/watch.db" -o "$out/history.html"
# edge cases: nothing leaks (one snapshot twice), profiling switched off
"$G" leaks --html -q -o "$out/noleak.html" "$out/grower.t0.txt" "$out/grower.t0.txt"
"$G" contention --html -q -o "$out/empty.html" "$corpus/real/pprof/cdk_erigon_block_empty.pb.gz"

# the web UI over every kind of source at once: dumps, the capture directory
# the alert made (no block or mutex profile in it), the live service (read
# once, now), a block profile, the store
capture=$(ls -d "$out"/captures/*/ | head -1)
# (given out of time order: web finds it from what each carries)
"$G" web -q --store "$out/watch.db" "$url" "$out/grower.t2.txt" "$capture" "$out/grower.t0.txt" \
  "$corpus/real/pprof/badger_block_2026.prof" >"$out/web.out" &
web=$!
web_url=$(wait_for_line "$out/web.out" 's/^goroscope web: \(http:[^ ]*\)$/\1/p') ||
  { echo "goroscope web did not start"; exit 1; }

# a watch daemon for a hostile page to try to drive (its Alertmanager
# receiver would capture the target and run the command)
"$G" watch --listen 127.0.0.1:0 --store "$out/attacked.db" --captures "$out/attacked-captures" \
  --ready-file "$out/attacked.port" --interval 1s "$url" >"$out/attacked.log" 2>&1 &
watch=$!
watch_port=$(wait_for_line "$out/attacked.port" 's/^\([0-9]*\)$/\1/p') ||
  { echo "goroscope watch did not start"; cat "$out/attacked.log"; exit 1; }

node "$here/check_browser.mjs" "$out" "$web_url" "http://127.0.0.1:$watch_port/" "$url"
