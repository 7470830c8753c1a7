#!/usr/bin/env bash
# make bench-watch: one `goroscope watch` polls 1,000 local targets every 10 s
# (a Go stand-in serving real recorded debug=1 goroutine profiles from the
# real corpus on 1,000 loopback ports) for DURATION seconds (default 540:
# long enough for the profiles kept per target to reach their bound),
# and reports its CPU use (share of one core), memory, scrape figures and
# store size. Results: build/bench/watch-results.txt. Then 5,000 targets
# through file_sd over 2, 3 and 5 shards (bench/watch_shards.py):
# build/bench/watch-shards-results.txt.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/build/bench/watch
rm -rf "$out"; mkdir -p "$out"
export GOCACHE=${GOCACHE:-$root/build/gocache} GOFLAGS=-mod=mod GOTOOLCHAIN=local
G=$root/build/goroscope
N=${TARGETS:-1000}
DURATION=${DURATION:-540}
INTERVAL=${INTERVAL:-10s}
profiles=("$root"/tests/corpus/real/debug1/{cdk_erigon_goroutines_log_total5171,erigon_fork_total20161,nats_jetstream_windows_total7046,profiler_notes_labels_go115}.txt)
(cd "$root/bench/faketargets" && go build -o "$out/faketargets" .)
ulimit -n 8192
"$out/faketargets" -n "$N" -ports "$out/ports.txt" "${profiles[@]}" >"$out/fake.out" 2>"$out/fake.err" &
fake=$!
trap 'kill $fake $watch 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do [ -s "$out/ports.txt" ] && grep -q listening "$out/fake.out" && break; sleep 0.1; done
{
  echo "listen: 127.0.0.1:0"
  echo "store: $out/watch.db"
  echo "captures: $out/captures"
  echo "defaults:"
  echo "  interval: $INTERVAL"
  echo "  timeout: 5s"
  echo "  thresholds: {count: 1000000, rate: 100000}"
  echo "targets:"
  i=0
  while read -r p; do echo "  - {name: svc$i, url: 'http://127.0.0.1:$p'}"; i=$((i+1)); done <"$out/ports.txt"
} >"$out/watch.yaml"
"$G" watch --config "$out/watch.yaml" --ready-file "$out/ready" -q &
watch=$!
for _ in $(seq 1 100); do [ -s "$out/ready" ] && break; sleep 0.1; done
port=$(cat "$out/ready")
ticks=$(getconf CLK_TCK)
cpu() { awk '{print $14 + $15}' "/proc/$watch/stat"; }
# the first interval spreads the targets' first polls: measure after it
warm=${INTERVAL%s}; sleep "$warm"
c0=$(cpu); t0=$(date +%s.%N)
max_rss=0
end=$(( $(date +%s) + DURATION ))
while [ "$(date +%s)" -lt "$end" ]; do
  rss=$(awk '/VmRSS/ {print $2}' "/proc/$watch/status")
  [ "$rss" -gt "$max_rss" ] && max_rss=$rss
  sleep 2
done
c1=$(cpu); t1=$(date +%s.%N)
curl -s "http://127.0.0.1:$port/metrics" >"$out/metrics.txt"
hwm=$(awk '/VmHWM/ {print $2}' "/proc/$watch/status")
# a clean stop saves every target's kept profiles in the store: timed
s0=$(date +%s.%N)
kill -TERM $watch; wait $watch || true
s1=$(date +%s.%N)
python3 - "$out" "$c0" "$c1" "$t0" "$t1" "$ticks" "$max_rss" "$hwm" "$N" "$INTERVAL" "$s0" "$s1" <<'PY' | tee "$root/build/bench/watch-results.txt"
import os, re, sqlite3, sys
out, c0, c1, t0, t1, ticks, rss, hwm, n, interval, s0, s1 = sys.argv[1:]
cpu = (float(c1) - float(c0)) / float(ticks)
wall = float(t1) - float(t0)
m = open(os.path.join(out, "metrics.txt")).read()
def total(name):
    return sum(float(x) for x in re.findall(rf"^{name}{{[^}}]*}} (\S+)$", m, re.M))
durs = sorted(float(x) for x in re.findall(r"^goroscope_scrape_duration_seconds{[^}]*} (\S+)$", m, re.M))
db = sqlite3.connect(os.path.join(out, "watch.db"))
samples = db.execute("SELECT count(*) FROM samples").fetchone()[0]
groups = db.execute("SELECT count(*) FROM group_samples").fetchone()[0]
size = sum(os.path.getsize(os.path.join(out, f)) for f in os.listdir(out) if f.startswith("watch.db"))
print(f"goroscope watch: {n} targets every {interval}, measured over {wall:.0f} s (after one interval of warm-up)")
print(f"  CPU: {cpu:.2f} s in {wall:.0f} s = {100 * cpu / wall:.1f}% of one core")
print(f"  memory: RSS at most {int(rss) / 1024:.1f} MB while measured, peak {int(hwm) / 1024:.1f} MB")
print(f"  scrapes: {total('goroscope_scrapes_total'):.0f} ({total('goroscope_scrape_errors_total'):.0f} failed); "
      f"expected about {int(n) * (wall + float(interval.rstrip('s'))) / float(interval.rstrip('s')):.0f}")
if durs:
    print(f"  last scrape duration: median {1000 * durs[len(durs) // 2]:.1f} ms, max {1000 * durs[-1]:.1f} ms")
kept, kept_bytes = db.execute("SELECT count(*), coalesce(sum(length(gz)), 0) FROM kept_profiles").fetchone()
print(f"  store: {samples} samples, {groups} group samples, {kept} kept profiles ({kept_bytes / 1e6:.1f} MB), "
      f"{size / 1e6:.1f} MB")
print(f"  clean stop (kept profiles saved): {float(s1) - float(s0):.2f} s")
PY

# the fleet through discovery: 5,000 targets from file_sd over 2, 3 and 5
# shards (bench/watch_shards.py; TARGETS, SHARDS, DURATION=60 to change)
kill $fake 2>/dev/null || true
wait $fake 2>/dev/null || true
DURATION=${SHARD_DURATION:-60} INTERVAL=${INTERVAL%s} python3 "$root/bench/watch_shards.py" "$G" "$out/faketargets" \
  "$out/shards" "${profiles[@]}" | tee "$root/build/bench/watch-shards-results.txt"
