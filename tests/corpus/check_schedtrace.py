#!/usr/bin/env python3
"""`goroscope schedtrace` on the generated corpus (Go 1.19-1.27, with and
without scheddetail): record counts, GOMAXPROCS, the first record's fields,
and for scheddetail the P, M and G lines of the last record with goroutines
by status, against expected.json.

usage: check_schedtrace.py GOROSCOPE GENERATED_DIR
"""
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from checks import check, finish  # noqa: E402

G, GEN = sys.argv[1:3]
for ver in sorted(os.listdir(GEN)):
    exp_path = os.path.join(GEN, ver, "expected.json")
    if not os.path.isfile(exp_path):
        continue
    files = json.load(open(exp_path))["files"]
    for name in ("schedtrace.txt", "scheddetail.txt"):
        e = files.get(name)
        path = os.path.join(GEN, ver, name)
        if not e or not os.path.exists(path):
            continue
        where = f"{ver}/{name}"
        p = subprocess.run([G, "schedtrace", "--json", path], capture_output=True, text=True, timeout=60)
        check(p.returncode == 0, f"{where}: exit {p.returncode}: {p.stderr[:200]}")
        if p.returncode != 0:
            continue
        d = json.loads(p.stdout)
        check(d["records"] == e["sched_records"], f"{where}: {d['records']} records, want {e['sched_records']}")
        check(d["detail"] == (name == "scheddetail.txt"), f"{where}: detail {d['detail']}")
        procs = sorted({r["gomaxprocs"] for r in d["series"]})
        check(procs == sorted(e["gomaxprocs"]), f"{where}: gomaxprocs {procs}")
        first = d["series"][0]
        for f in ("gomaxprocs", "idleprocs", "threads", "spinningthreads", "idlethreads", "runqueue"):
            m = re.search(rf"\b{f}=(\d+)", e["first_record"])
            check(m and first[f] == int(m.group(1)), f"{where}: first {f} {first[f]}")
        last = e.get("last_record")
        if last:
            r = d["series"][-1]
            check(r["p_lines"] == last["P_lines"] and r["m_lines"] == last["M_lines"] and r["g_lines"] == last["G_lines"],
                  f"{where}: P/M/G lines {r['p_lines']}/{r['m_lines']}/{r['g_lines']}")
            want = {}
            for k, n in last["G_by_status"].items():
                st = int(k.split("(")[0]) & 0xFFF
                st = min(st, 11)
                want[str(st)] = want.get(str(st), 0) + n
            check(r["g_by_status"] == want, f"{where}: by status {r['g_by_status']}, want {want}")

p = subprocess.run([G, "schedtrace", "/dev/null"], capture_output=True, text=True, timeout=60)
check(p.returncode == 2 and "no GODEBUG=schedtrace records" in p.stderr, "empty input refused")
finish("schedtrace")
