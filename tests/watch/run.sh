#!/usr/bin/env bash
# Watch tests: `goroscope watch` against real Go services (grower, built with
# Debian's Go) that start to leak after a while, and hostile ones (bombserver:
# bodies that claim far more work than their size), on 127.0.0.1 only.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
G=${GOROSCOPE:?set GOROSCOPE to the binary under test}
G=$(cd "$(dirname "$G")" && pwd)/$(basename "$G")
out=$(cd "$here/../.." && pwd)/build/watch-test
rm -rf "$out"
mkdir -p "$out"
export GOCACHE=${GOCACHE:-$(cd "$here/../.." && pwd)/build/fixtures/gocache} GOFLAGS=-mod=mod GOTOOLCHAIN=local
(cd "$here/../fixtures/grower" && go build -o "$out/grower" .)
(cd "$here/../hostile/bombserver" && go build -o "$out/bombserver" .)
python3 "$here/check_watch.py" "$G" "$out/grower" "$out"
python3 "$here/check_watch_tls.py" "$G" "$out/grower" "$out"
python3 "$here/check_shards.py" "$G" "$out/shards"
python3 "$here/check_alertmanager.py" "$G" "$out/grower" "$out/alertmanager"
python3 "$here/check_discovery.py" "$G" "$out/grower" "$out/bombserver" "$out/discovery"
python3 "$here/check_deploy.py" "$G" "$out/deploy"
# the Prometheus configuration and rules the docs give are valid as written
(cd "$here/../../deploy/prometheus" && promtool check config prometheus.yml >/dev/null && echo "prometheus config: 1 passed, 0 failed") ||
  { echo "FAIL promtool check config deploy/prometheus/prometheus.yml"; exit 1; }
python3 "$here/../hostile/check_watch_bombs.py" "$G" "$out/bombserver" "$out/bombs"
