#!/usr/bin/env python3
"""Hostile inputs built here, small on disk, large in what they claim: each
must be read in time and memory linear in its real size (a profile's
samples naming one location of thousands of lines, again and again; a
profile of many empty samples), with a warning where something was cut.
A unit fails past TIME_LIMIT seconds or MEM_LIMIT MB of peak memory.

usage: check_bombs.py GOROSCOPE WORKDIR
"""
import gzip
import os
import resource
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from checks import check, finish  # noqa: E402

G, WORK = sys.argv[1:3]
# generous for a loaded 2-core machine and ASan builds: the bombs found
# took 43 s to over an hour
TIME_LIMIT, MEM_LIMIT = 5.0, 400


def varint(v):
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        out.append(b | (0x80 if v else 0))
        if not v:
            return bytes(out)


def field(num, payload):
    """A length-delimited field (wire type 2)."""
    return varint(num << 3 | 2) + varint(len(payload)) + payload


def number(num, v):
    return varint(num << 3) + varint(v)


def profile(strings, functions, locations, samples, sample_type=(("goroutine", "count"),)):
    """profile.proto: strings (index 0 is ""), functions [(id, name_index)],
    locations [(id, [(function_id, line)])], samples [([location_ids], [values])]."""
    out = bytearray()
    index = {s: i for i, s in enumerate(strings)}
    for t, u in sample_type:
        out += field(1, number(1, index[t]) + number(2, index[u]))
    for locs, values in samples:
        out += field(2, field(1, b"".join(varint(l) for l in locs)) + field(2, b"".join(varint(v) for v in values)))
    for lid, lines in locations:
        out += field(4, number(1, lid) + b"".join(field(4, number(1, f) + number(2, ln)) for f, ln in lines))
    for fid, name in functions:
        out += field(5, number(1, fid) + number(2, name))
    for s in strings:
        out += field(6, s.encode())
    return gzip.compress(bytes(out), 9)


def run(label, data, want_warning=None):
    path = os.path.join(WORK, label + ".pb.gz")
    open(path, "wb").write(data)
    start = time.monotonic()
    p = subprocess.Popen([G, "analyze", "--json", "-q", path], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        out, err = p.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        p.kill()
        p.communicate()
        check(False, f"{label}: still running after 60 s")
        return
    took = time.monotonic() - start
    rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    check(p.returncode == 0, f"{label}: exit {p.returncode}: {err[:200]!r}")
    check(took < TIME_LIMIT, f"{label} ({len(data)} bytes): {took:.1f} s")
    check(rss_mb < MEM_LIMIT, f"{label} ({len(data)} bytes): {rss_mb:.0f} MB at peak (of every run so far)")
    if want_warning:
        check(want_warning.encode() in out, f"{label}: no warning saying '{want_warning}'")
    print(f"   {label}: {len(data)} bytes gzipped, {took:.2f} s")


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
finish("hostile inputs")
