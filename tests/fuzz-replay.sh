#!/usr/bin/env bash
# Replay every fuzz target's seed corpus (fuzz/corpus/<target>/) and the
# real and generated corpora of tests/corpus/ through the libFuzzer
# binaries, which are built with ASan+UBSan: any crash, leak or sanitizer
# report fails.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$here/..
corpus=$root/tests/corpus
n=0
for bin in "$@"; do
  name=$(basename "$bin")
  seeds=("$root/fuzz/corpus/$name")
  case $name in
    fuzz_traceback)
      seeds+=("$corpus/real/traceback")
      for d in "$corpus"/generated/go*/; do seeds+=("$d"); done ;;
    fuzz_debug1) seeds+=("$corpus/real/debug1") ;;
    fuzz_pprof) seeds+=("$corpus/real/pprof") ;;
    fuzz_schedtrace) for d in "$corpus"/generated/go*/; do seeds+=("$d"); done ;;
  esac
  files=$(find "${seeds[@]}" -type f | wc -l)
  echo "== $name: replaying $files inputs"
  # the corpora hold real dumps of megabytes: a looser bound than make fuzz
  "$bin" -runs=0 -max_len=4000000 -timeout=60 -rss_limit_mb=4096 "${seeds[@]}" >"$root/build/$name.replay.log" 2>&1 || {
    tail -40 "$root/build/$name.replay.log"; echo "FAIL $name"; exit 1; }
  n=$((n+1))
done
echo "fuzz replay: $n passed, 0 failed"
