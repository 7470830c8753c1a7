#!/usr/bin/env bash
# `goroscope convert` over the real corpus, checked with Debian's go tool pprof.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
G=${GOROSCOPE:?set GOROSCOPE to the binary under test}
G=$(cd "$(dirname "$G")" && pwd)/$(basename "$G")
work=$(cd "$here/../.." && pwd)/build/convert
mkdir -p "$work"
export GOCACHE=${GOCACHE:-$(cd "$here/../.." && pwd)/build/gocache} GOTOOLCHAIN=local
python3 "$here/check_convert.py" "$G" "$here/../corpus/real" "$work"
