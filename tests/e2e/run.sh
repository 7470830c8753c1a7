#!/usr/bin/env bash
# End-to-end tests of the goroscope command line, driven by cases.tsv.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
G=${GOROSCOPE:?set GOROSCOPE to the binary under test}
G=$(cd "$(dirname "$G")" && pwd)/$(basename "$G")
C=$(cd "$here/../corpus" && pwd)
D=$(mktemp -d)
trap 'rm -rf "$D"' EXIT

# ---- inputs
cat >"$D/plain.txt" <<'DUMP'
goroutine 1 [running]:
main.main()
	/src/app/main.go:22 +0x1d

goroutine 6 [chan receive, 3 minutes]:
main.worker(0x1)
	/src/app/worker.go:40 +0x8a
created by main.main in goroutine 1
	/src/app/main.go:18 +0x6f

goroutine 7 [chan receive, 5 minutes]:
main.worker(0x2)
	/src/app/worker.go:40 +0x8a
created by main.main in goroutine 1
	/src/app/main.go:18 +0x6f
DUMP
: >"$D/empty.txt"
# binary bytes from a fixed seed: random ones sometimes begin like a
# protobuf message and are read (and refused) as one
python3 -c 'import random, sys; r = random.Random(7)
sys.stdout.buffer.write(bytes(r.choice([0] + list(range(32, 256))) for _ in range(20000)))' >"$D/binary.bin"
printf 'panic: boom\n\nnothing else here\n' >"$D/preamble.txt"
printf 'main.main()\n\t/a.go:1 +0x1\nmain.f()\n\t/a.go:2\n' >"$D/frames.txt"
{ cat "$D/plain.txt"; echo; echo "some log line"; cat "$D/plain.txt"; printf '\npanic: second\n\n'; cat "$D/plain.txt"; } >"$D/three.txt"
printf 'goroutine 1 [running]:\nmain.main()\n\t/a.go:1\n\ngoroutine 5 [chan receive (nil chan)]:\nmain.f()\n\t/a.go:9\ncreated by main.main\n\t/a.go:3\n' >"$D/nilchan.txt"
# growth alone, small: three debug=1 profiles (no ids) in which one group
# goes 1, 3, 5: a low-confidence verdict, which --fail-on-leak does not fail on
for i in 0 1 2; do
  printf 'goroutine profile: total %d\n%d @ 0x43b296 0x671225 0x46b1c1\n#\t0x671224\tmain.maybe+0x24\t/src/a.go:7\n\n' \
    $((1 + 2 * i)) $((1 + 2 * i)) >"$D/low.$i.txt"
  touch -d "@$((1700000000 + 60 * i))" "$D/low.$i.txt"
done
printf 'goroutine 1 [running]:\nmain.main()\n\t/a.go:1\n\ngoroutine 5 [select]:\nmain.loop(0x1, ' >"$D/truncated.txt"
{ head -4 "$D/plain.txt"; head -c 2000000 /dev/zero | tr '\0' 'x'; echo; tail -n +5 "$D/plain.txt"; } >"$D/longline.txt"
printf 'goroutine 1 [running]:\nmain.\033[31mevil()\n\t/a\033[2J.go:1\n' >"$D/hostile.txt"
# A debug=2 dump cut at exactly 64 MiB, as net/http/pprof does.
python3 - "$D/cap64.txt" <<'PY'
import sys
block = "goroutine %d [chan send, 3 minutes]:\nmain.produce(0xc000123456)\n\t/src/app/produce.go:42 +0x1d\ncreated by main.main in goroutine 1\n\t/src/app/main.go:18 +0x6f\n\n"
out, i, size, cap = [], 2, 0, 64 << 20
while size < cap:
    b = block % i
    out.append(b); size += len(b); i += 1
open(sys.argv[1], "w").write("".join(out)[:cap])
PY
# A block profile where one site (main.worker:10, chan receive) is reached
# from stacks of two depths, the shallower with the larger delay: the site
# reported is the one of that representative stack.
printf -- '--- contention:\ncycles/second=1000000000\n1000 1 @ 0x1 0x2 0x3 0x4\n#\t0x1\truntime.chanrecv1+0x1\t/go/src/runtime/chan.go:442\n#\t0x2\tinternal/poll.wrap+0x1\t/go/src/internal/poll/x.go:1\n#\t0x3\tmain.worker+0x1\t/src/main.go:10\n#\t0x4\tmain.main+0x1\t/src/main.go:5\n\n9000000 1 @ 0x1 0x3\n#\t0x1\truntime.chanrecv1+0x1\t/go/src/runtime/chan.go:442\n#\t0x3\tmain.worker+0x1\t/src/main.go:10\n' >"$D/block-depths.txt"
# Profiles: cut and bomb gzip, a heap text profile, protobuf profiles of the
# wrong kind and with a dangling reference.
head -c 600 "$C/real/pprof/cdk_erigon_goroutine.pb.gz" >"$D/cut.pb.gz"
# schedtrace lines inside a log, with prefixes, and a growing thread count
for t in 0 1000 2000; do
  printf '2026-11-27T03:00:0%dZ app[42]: SCHED %dms: gomaxprocs=4 idleprocs=0 threads=%d spinningthreads=0 needspinning=0 idlethreads=1 runqueue=7 [3 2 4 5]\nsome other log line\n' $((t/1000)) $t $((5+t/50))
done >"$D/sched.log"
printf 'heap profile: 1: 2 [3: 4] @ heap/1048576\n' >"$D/heap.txt"
# a dump in Docker's json-file log: its lines are JSON strings
printf '{"log":"goroutine 1 [running]:\\n","stream":"stderr","time":"2026-12-06T19:00:00.1Z"}\n{"log":"main.main()\\n","stream":"stderr","time":"2026-12-06T19:00:00.2Z"}\n{"log":"\\t/src/main.go:5 +0x1d\\n","stream":"stderr","time":"2026-12-06T19:00:00.3Z"}\n' >"$D/docker-json.log"
python3 - "$D" <<'PY'
import sys, zlib
d = sys.argv[1]
def varint(v):
    out = b""
    while True:
        b = v & 0x7f; v >>= 7
        out += bytes([b | (0x80 if v else 0)])
        if not v: return out
def field(num, payload):
    if isinstance(payload, int):
        return varint(num << 3) + varint(payload)
    return varint(num << 3 | 2) + varint(len(payload)) + payload
def profile(types, samples, strings, locs=b"", funcs=b""):
    msg = b"".join(field(1, field(1, t) + field(2, u)) for t, u in types)
    msg += b"".join(field(2, s) for s in samples) + locs + funcs
    msg += b"".join(field(6, s.encode()) for s in strings)
    return msg
strings = ["", "samples", "count", "cpu", "nanoseconds", "main.f", "/a.go", "goroutine"]
fn = field(5, field(1, 1) + field(2, 5) + field(4, 6))
loc = field(4, field(1, 1) + field(4, field(1, 1) + field(2, 3)))
open(f"{d}/cpu.pb", "wb").write(profile([(1, 2), (3, 4)], [field(1, 1) + field(2, 1) + field(2, 10)], strings, loc, fn))
open(f"{d}/dangling.pb", "wb").write(profile([(7, 2)], [field(1, 7) + field(2, 3)], strings, loc, fn))
# 300 MB of zeros in 300 KB: far past the cap for so small an input
c = zlib.compressobj(1, zlib.DEFLATED, 31)
chunk = bytes(1 << 20)
data = b"".join(c.compress(chunk) for _ in range(300)) + c.flush()
open(f"{d}/bomb.gz", "wb").write(data)
PY

pass=0 fail=0
while IFS=$'\t' read -r name code want_out want_err args; do
  [[ -z "$name" || "$name" == \#* ]] && continue
  args=${args//\$D/$D}
  args=${args//\$C/$C}
  cmdline="$args"
  if [[ "$args" == env\ * ]]; then
    read -r _ envset rest <<<"$args"
    cmdline="$rest"; envcmd=(env "$envset")
  else
    envcmd=()
  fi
  out=$(cd "$D" && eval "${envcmd[*]:-} \"$G\" $cmdline" 2>"$D/stderr"); rc=$?
  err=$(cat "$D/stderr")
  ok=1
  [ "$rc" -eq "$code" ] || ok=0
  if [ "$want_out" != "-" ] && ! grep -qE -- "$want_out" <<<"$out"; then ok=0; fi
  if [ "$want_err" != "-" ]; then
    if [ "$want_err" = "^$" ]; then [ -z "$err" ] || ok=0
    elif ! grep -qE -- "$want_err" <<<"$err"; then ok=0; fi
  fi
  if [ $ok -eq 1 ]; then pass=$((pass+1)); else
    fail=$((fail+1))
    echo "FAIL $name: exit $rc (want $code)"; echo "  stdout: $(head -c 600 <<<"$out")"; echo "  stderr: $(head -c 600 <<<"$err")"
  fi
done <"$here/cases.tsv"

# JSON must parse, whatever the input.
for f in "$D/plain.txt" "$D/three.txt" "$D/hostile.txt" "$C/real/traceback/vice_sigabrt_shell_session_go120.log"; do
  if "$G" analyze --json -q "$f" | python3 -c 'import json,sys; json.load(sys.stdin)'; then pass=$((pass+1)); else
    fail=$((fail+1)); echo "FAIL json parse $f"; fi
done
# Folded output: every line is "frames count".
if "$G" analyze --folded --all -q "$C/generated/go1.27/sigquit.txt" | grep -vqE '^[^ ]+ [0-9]+$'; then
  fail=$((fail+1)); echo "FAIL folded format"; else pass=$((pass+1)); fi
# Text output never carries raw escape bytes from the input.
if "$G" analyze --color=never "$D/hostile.txt" | grep -q $'\033'; then
  fail=$((fail+1)); echo "FAIL hostile text leaked ESC"; else pass=$((pass+1)); fi
# Every option each command's help lists is taken, no other; the man page
# and the completions agree with the help.
if python3 "$here/check_options.py" "$G" "$here/../../docs/goroscope.1"; then pass=$((pass+1)); else
  fail=$((fail+1)); echo "FAIL options (above)"; fi
echo "e2e: $pass passed, $fail failed"
[ $fail -eq 0 ]
