#!/usr/bin/env bash
# Corpus tests: every real dump and every generated dump, with exact expected
# results (see real-traceback.tsv and the generated corpus's expected.json).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
G=${GOROSCOPE:?set GOROSCOPE to the binary under test}
G=$(cd "$(dirname "$G")" && pwd)/$(basename "$G")
corpus=$here

python3 "$here/check_real.py" "$G" "$corpus/real/traceback" "$here/real-traceback.tsv"
python3 "$here/check_generated.py" "$G" "$corpus/generated"
python3 "$here/check_profiles.py" "$G" "$corpus/real" "$here/real-profiles.tsv"
python3 "$here/check_contention.py" "$G" "$corpus"
python3 "$here/check_schedtrace.py" "$G" "$corpus/generated"
python3 "$here/check_parallel.py" "$G" "$corpus" "$(cd "$here/../.." && pwd)/build/parallel-test"
python3 "$here/check_claims.py" "$G" "$corpus"
# Hostile inputs small on disk and large in what they claim: bounded work.
python3 "$here/../hostile/check_bombs.py" "$G" "$(cd "$here/../.." && pwd)/build/hostile"

# Replay of learnt stacks (tb_replay.c) must not change any result: every
# corpus dump gives byte-identical JSON with and without it.
fail=0 n=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
while IFS= read -r -d '' f; do
  n=$((n+1))
  "$G" analyze --json --ids --all "$f" >"$tmp/a" 2>&1 || true
  GOROSCOPE_NO_REPLAY=1 "$G" analyze --json --ids --all "$f" >"$tmp/b" 2>&1 || true
  cmp -s "$tmp/a" "$tmp/b" || { echo "FAIL replay changes the result for $f"; fail=$((fail+1)); }
done < <(find "$corpus/real/traceback" "$corpus/generated" -type f ! -name '*.json' ! -name '*.pb*' -print0)
echo "replay equivalence: $((n-fail)) passed, $fail failed"
[ $fail -eq 0 ]
# ... and on dumps written to stand where it branches, ends a hole, or
# meets a line the line-by-line path reads otherwise.
python3 "$here/replay_edges.py" "$G" "$tmp/edges"

# Profiles of kinds goroscope does not read (heap, CPU): refused clearly.
fail=0 n=0
printf 'heap profile: 1: 2 [3: 4] @ heap/1048576\n' >"$tmp/heap.txt"
for f in "$tmp/heap.txt"; do
  n=$((n+1))
  set +e
  err=$("$G" analyze "$f" 2>&1 >/dev/null); rc=$?
  set -e
  if [ $rc -ne 2 ] || ! grep -q 'heap profile' <<<"$err"; then
    echo "FAIL $(basename "$f"): exit $rc: $err"; fail=$((fail+1))
  fi
done
echo "other profile kinds refused clearly: $((n-fail)) passed, $fail failed"
[ $fail -eq 0 ]
