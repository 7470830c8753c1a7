#!/usr/bin/env python3
"""Hostile inputs built here, small on disk, large in what they claim: each
must be read in time and memory linear in its real size, with a warning
where something was cut. Every parser gets its own: pprof (samples naming
one location of thousands of lines; millions of empty samples; counts and
delays near 2^63), gzip (bombs), debug=1 (wide and repeated records, huge
counts), text tracebacks (a million frames, a 10 MB line, a tiny dump
repeated a hundred thousand times), schedtrace (a million Ps). Inputs of
about 10 KB must take under a second of CPU and 100 MB (the issue's bound);
the larger ones TIME_LIMIT and MEM_LIMIT. CPU time and peak memory are the
process's own, from the kernel (tests/hostile/peak.py), so load on the
machine does not make them flaky.

usage: check_bombs.py GOROSCOPE WORKDIR
"""
import gzip
import json
import os
import resource
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checks import check, finish  # noqa: E402
from pprof_gen import profile  # noqa: E402

G, WORK = sys.argv[1:3]
PEAK = os.path.join(os.path.dirname(os.path.abspath(__file__)), "peak.py")
# an ASan+UBSan build (make san) carries shadow memory and checks: the
# bounds are the release build's, scaled for it
SANITIZED = b"__asan_init" in open(G, "rb").read()
SAN_CPU, SAN_MEM = (6, 3) if SANITIZED else (1, 1)
# generous for a loaded 2-core machine and ASan builds: the bombs found
# took 43 s to over an hour
TIME_LIMIT, MEM_LIMIT = 5.0, 400


def run(label, data, want_warning=None, ext=".pb.gz", args=("analyze", "--json", "-q"), limits=None, want_exit=0):
    """Run goroscope on data; fail past the limits (CPU seconds, peak MB) of
    this one process, measured by the kernel (load on the machine does not
    count)."""
    cpu_limit, mem_limit = limits or (TIME_LIMIT, MEM_LIMIT)
    cpu_limit, mem_limit = cpu_limit * SAN_CPU, mem_limit * SAN_MEM
    path = os.path.join(WORK, label + ext)
    open(path, "wb").write(data)
    out_path = os.path.join(WORK, label + ".out")
    figures = os.path.join(WORK, label + ".figures")
    with open(out_path, "wb") as out_f, open(out_path + ".err", "wb") as err_f:
        try:
            subprocess.run([sys.executable, PEAK, figures, G, *args, path], stdout=out_f, stderr=err_f, timeout=120)
        except subprocess.TimeoutExpired:
            check(False, f"{label}: still running after 120 s")
            return
    f = json.load(open(figures))
    code, cpu, rss_mb = f["exit"], f["cpu"], f["peak_mb"]
    out, err = open(out_path, "rb").read(), open(out_path + ".err", "rb").read()
    check(code == want_exit, f"{label}: exit {code}, want {want_exit}: {err[:300]!r}")
    check(code >= 0, f"{label}: killed by signal {-code}")
    check(cpu < cpu_limit, f"{label} ({len(data)} bytes): {cpu:.2f} s of CPU, limit {cpu_limit}")
    check(rss_mb < mem_limit, f"{label} ({len(data)} bytes): {rss_mb:.0f} MB at peak, limit {mem_limit}")
    if want_warning:
        check(want_warning.encode() in out + err, f"{label}: no message saying '{want_warning}'")
    print(f"   {label}: {len(data)} bytes, {cpu:.2f} s CPU, {rss_mb:.0f} MB")
    return out


def small(label, data, **kw):
    """The issue's bound for inputs of about 10 KB: one second, 100 MB."""
    check(len(data) <= 12 * 1024, f"{label}: the input is {len(data)} bytes, not about 10 KB")
    return run(label, data, limits=(1.0, 100), **kw)


os.makedirs(WORK, exist_ok=True)
strings = ["", "goroutine", "count", "main.deep", "main.f"]
# One location of 4000 lines, named by 300,000 samples: 1.2 billion frames
# if each sample were expanded in full.
deep = [(1, [(1, 10 + k % 7) for k in range(4000)]), (2, [(2, 5)])]
run("lines-bomb", profile(strings, [(1, 3), (2, 4)], deep, [([1, 2], [1])] * 300000),
    want_warning="frames per byte of the profile")
# Samples of 60 locations of 4000 lines each: capped per sample at 4096.
many = [(i, [(1, k) for k in range(4000)]) for i in range(1, 61)]
run("wide-sample", profile(strings, [(1, 3)], many, [(list(range(1, 61)), [1])] * 2000),
    want_warning="frames")

# ---- about 10 KB each: one second of CPU, 100 MB ----
# Millions of samples with a value and no location (one record each made
# 835 MB of a 73 KB profile): one record in all.
out = small("empty-samples", profile(strings, [], [], [([], [1])] * 1000000))
if out:
    doc = json.loads(out)
    check(doc["snapshots"][0]["total"] == 1000000, f"empty-samples: the total is kept: {doc['snapshots'][0]['total']}")
# The same location line after line: a sample of 1.5 million frames.
small("one-sample-many-locations", profile(strings, [(1, 4)], [(1, [(1, 3)])], [([1] * 1500000, [1])]),
      want_warning="frames")
# A gzip bomb: zeros. Ten kilobytes expand to ten megabytes; past the cap
# (64 MiB at least, so 65 KB of gzip) the input is refused.
small("gzip-zeros", gzip.compress(bytes(10 << 20), 9), want_exit=2, want_warning="no goroutine")
run("gzip-bomb", gzip.compress(bytes(80 << 20), 9), want_exit=2, want_warning="decompression bomb")
# Counts near 2^63 in every sample: totals are cut at 2^62, not wrapped.
out = small("huge-counts", profile(strings, [(1, 4)], [(1, [(1, 3)])], [([1], [(1 << 63) - 1])] * 50),
            want_warning="more than 2^62")
if out:
    total = json.loads(out)["snapshots"][0]["total"]
    check(total == 1 << 62, f"huge-counts: total {total}, want 2^62 (cut, not wrapped)")
# Block profile delays near 2^63: the same bound for nanoseconds.
contention = ["", "contentions", "count", "delay", "nanoseconds", "main.f"]
small("huge-delays", profile(contention, [(1, 5)], [(1, [(1, 3)])], [([1], [1, (1 << 63) - 1])] * 50,
                             sample_type=(("contentions", "count"), ("delay", "nanoseconds"))),
      args=("contention", "--json"), want_warning="more than 2^62")
# A string table of a hundred thousand names, each sample naming one.
names = ["", "goroutine", "count"] + [f"f{i}" for i in range(800)]
small("many-functions", profile(names, [(i, 3 + i - 1) for i in range(1, 801)],
                                [(i, [(i, 1)]) for i in range(1, 801)], [([i], [1]) for i in range(1, 801)]))

# debug=1 text: one record with a million program counters and frames.
d1 = b"goroutine profile: total 1\n1 @" + b" 0x1" * 2000 + b"\n" + b"#\t0x1\tmain.f+0x1\t/a.go:1\n" * 300 + b"\n"
small("debug1-wide-record", gzip.compress(d1 * 40, 9), ext=".txt.gz", want_warning="frames")
# The same record a hundred thousand times: one record standing for all.
rec = b"1 @ 0x1\n#\t0x1\tmain.f+0x1\t/a.go:1\n\n"
out = small("debug1-repeated", gzip.compress(b"goroutine profile: total 100000\n" + rec * 100000, 9), ext=".txt.gz")
if out:
    check(json.loads(out)["snapshots"][0]["total"] == 100000, "debug1-repeated: every repeat counted")
# Counts at the top of uint64: refused per record, totals not wrapped.
small("debug1-huge-counts", b"goroutine profile: total 3\n" +
      b"9223372036854775807 @ 0x1\n#\t0x1\tmain.f+0x1\t/a.go:1\n\n" * 3, ext=".txt",
      want_warning="more than 2^62")

# Text tracebacks: one goroutine of a million frames; a million lines of
# "created by"; lines longer than the cut.
frame = b"main.f(...)\n\t/a.go:1 +0x1\n"
small("traceback-deep", gzip.compress(b"goroutine 1 [running]:\n" + frame * 150000 + b"\n", 9), ext=".txt.gz",
      want_warning="frames")
small("traceback-long-line", gzip.compress(b"goroutine 1 [running]:\nmain.f(" + b"x" * (10 << 20) + b")\n", 9),
      ext=".txt.gz", want_warning="longer than")
small("traceback-repeated", gzip.compress(b"goroutine 1 [chan receive]:\nmain.f()\n\t/a.go:1 +0x1\n\n" * 80000, 9),
      ext=".txt.gz")

# schedtrace (text only: what it costs is what it is): a line of a million
# Ps; thirty thousand samples; scheddetail with 300,000 P lines under one
# sample. Megabytes each, under the same second and 100 MB.
sched = ("schedtrace", "--json")
run("schedtrace-wide", b"SCHED 0ms: gomaxprocs=1000000 idleprocs=0 threads=4 spinningthreads=0 needspinning=0 "
    b"idlethreads=0 runqueue=0 [" + b"7 " * 1000000 + b"0]\n", ext=".txt", args=sched, limits=(1.0, 100))
run("schedtrace-long", b"".join(b"SCHED %dms: gomaxprocs=2 idleprocs=0 threads=4 spinningthreads=0 needspinning=0 "
                                b"idlethreads=0 runqueue=0 [0 1]\n" % (i * 100) for i in range(0, 30000)),
    ext=".txt", args=sched, limits=(1.0, 100))
run("scheddetail-wide", b"SCHED 0ms: gomaxprocs=2 idleprocs=1 threads=5 spinningthreads=0 needspinning=0 idlethreads=2 "
    b"runqueue=0 gcwaiting=false nmidlelocked=0 stopwait=0 sysmonwait=false\n" +
    b"  P0: status=0 schedtick=0 syscalltick=0 m=nil runqsize=0 gfreecnt=0 timerslen=0\n" * 300000,
    ext=".txt", args=sched, limits=(1.0, 100))
finish("hostile inputs")
