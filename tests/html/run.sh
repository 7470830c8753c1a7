#!/usr/bin/env bash
# HTML report tests: structure and escaping of `analyze --html`, then the
# page rendered by headless Chromium (Debian's package).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
G=${GOROSCOPE:?set GOROSCOPE to the binary under test}
root=$(cd "$here/../.." && pwd)
out=$root/build/html-test
rm -rf "$out"; mkdir -p "$out"
inputs=("$here/hostile.txt")
for f in "$root"/tests/corpus/real/traceback/*.txt "$root"/tests/corpus/real/pprof/*; do
  [ -f "$f" ] && inputs+=("$f")
  [ ${#inputs[@]} -ge 6 ] && break
done
python3 "$here/check_html.py" "$G" "$out" "${inputs[@]}"
