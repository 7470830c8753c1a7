#!/usr/bin/env python3
"""`goroscope convert` on every real dump and profile: the pprof output must
be read by `go tool pprof` (Debian's Go) with the same total as `goroscope
analyze --all`; the folded output must add up to it; the JSON must parse
with the same total. Also: state labels in a converted text dump.

usage: check_convert.py GOROSCOPE CORPUS_REAL_DIR WORKDIR
"""
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from checks import check, finish  # noqa: E402

G, REAL, WORK = sys.argv[1:4]
os.makedirs(WORK, exist_ok=True)
GOCACHE = os.environ.get("GOCACHE", os.path.join(WORK, "gocache"))


def run(*args, **kw):
    return subprocess.run(list(args), capture_output=True, timeout=120, **kw)


def pprof_raw_total(path):
    """Sum of the first value of every sample, as go tool pprof -raw reads it."""
    p = run("go", "tool", "pprof", "-raw", path, env=dict(os.environ, GOCACHE=GOCACHE))
    if p.returncode != 0:
        return None, p.stderr.decode(errors="replace")[:300]
    text = p.stdout.decode(errors="replace")
    body = text.split("Samples:\n", 1)[1].split("Locations", 1)[0] if "Samples:\n" in text else ""
    total = 0
    for line in body.splitlines()[1:]:
        m = re.match(r"^\s+(-?\d+)(?:\s+-?\d+)*: ", line)
        if m:
            total += int(m.group(1))
    return total, text


files = []
for sub in ("traceback", "debug1", "pprof"):
    d = os.path.join(REAL, sub)
    files += [os.path.join(d, n) for n in sorted(os.listdir(d))]

for path in files:
    name = os.path.relpath(path, REAL)
    a = run(G, "analyze", "--json", "--all", "-q", "--pick", "1", path)
    check(a.returncode == 0, f"{name}: analyze exit {a.returncode}")
    if a.returncode != 0:
        continue
    total = json.loads(a.stdout)["snapshots"][0]["total"]
    out = os.path.join(WORK, "out.pb.gz")
    c = run(G, "convert", "--to", "pprof", "-q", "--pick", "1", "-o", out, path)
    check(c.returncode == 0, f"{name}: convert exit {c.returncode}: {c.stderr[:200]!r}")
    if c.returncode == 0:
        got, err = pprof_raw_total(out)
        check(got == total, f"{name}: go tool pprof reads {got}, analyze says {total} ({err[:200] if got is None else ''})")
        if 0 < total < 100000:
            # what an engineer runs: the -top summary line names the total
            kind = json.loads(a.stdout)["snapshots"][0]["profile"]
            index = ["-sample_index=contentions"] if kind and kind["kind"] in ("block", "mutex", "contention") else []
            t = run("go", "tool", "pprof", "-top", *index, out, env=dict(os.environ, GOCACHE=GOCACHE))
            m = re.search(rb"of (\d+) total", t.stdout)
            check(m is not None and int(m.group(1)) == total,
                  f"{name}: go tool pprof -top says {m.group(1) if m else t.stdout[:200]!r}, want {total}")
    f = run(G, "convert", "--to", "folded", "-q", "--pick", "1", path)
    fsum = sum(int(line.rsplit(" ", 1)[1]) for line in f.stdout.decode(errors="replace").splitlines() if line)
    check(f.returncode == 0 and fsum == total, f"{name}: folded adds up to {fsum}, want {total}")
    j = run(G, "convert", "--to", "json", "-q", "--pick", "1", path)
    check(j.returncode == 0 and json.loads(j.stdout)["snapshots"][0]["total"] == total, f"{name}: json total")

# A text dump's states and wait minutes become sample labels.
path = os.path.join(REAL, "traceback", "gostackparse_waitsince.txt")
out = os.path.join(WORK, "waitsince.pb.gz")
check(run(G, "convert", "--to", "pprof", "-o", out, path).returncode == 0, "waitsince: convert")
p = run("go", "tool", "pprof", "-tags", out, env=dict(os.environ, GOCACHE=GOCACHE))
tags = p.stdout.decode(errors="replace")
check("state:" in tags and "sleep" in tags, f"waitsince: no state tags in {tags[:300]!r}")
check(re.search(r"wait_minutes:.*\n.*\): 1\n", tags) is not None, f"waitsince: no wait_minutes tags in {tags[:400]!r}")

# Bad use: a binary profile is not written to a terminal; several dumps need --pick.
r = run(G, "convert", "--to", "xml", path)
check(r.returncode == 2 and b"--to must be" in r.stderr, "convert --to xml refused")
r = run(G, "convert", "--to", "pprof", "-o", os.path.join(WORK, "x.pb.gz"),
        os.path.join(REAL, "traceback", "delve_issue_sigquit_two_dumps.txt"))
if os.path.exists(os.path.join(REAL, "traceback", "delve_issue_sigquit_two_dumps.txt")):
    check(r.returncode == 2 and b"--pick" in r.stderr, "convert of two dumps asks for --pick")

finish("convert")
