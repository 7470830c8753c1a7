#!/usr/bin/env bash
# Run cmocka unit-test binaries; print one summary line; fail if any fails.
set -u
pass=0 fail=0
for t in "$@"; do
  if out=$("$t" 2>&1); then
    pass=$((pass+1))
  else
    fail=$((fail+1)); echo "$out"; echo "FAIL $t"
  fi
  grep -E '^\[  (PASSED|FAILED)  \]' <<<"$out" | sed "s|^|$(basename "$t"): |"
done
echo "unit test programs: $pass passed, $fail failed"
[ $fail -eq 0 ]
