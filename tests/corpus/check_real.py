#!/usr/bin/env python3
"""Check `goroscope analyze --json --all` on every real dump under
tests/corpus/real/traceback/ against tests/corpus/real-traceback.tsv, and that
no file of the real corpus is missing from the table.

usage: check_real.py GOROSCOPE CORPUS_TRACEBACK_DIR TABLE
"""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from checks import check, finish, read_table  # noqa: E402

GOROSCOPE, DIR, TABLE = sys.argv[1:4]


rows = read_table(TABLE)

for name in sorted(os.listdir(DIR)):
    check(name in rows, f"{name}: not in {TABLE}")

for name, cols in sorted(rows.items()):
    path = os.path.join(DIR, name)
    ndumps, totals, races, kinds = int(cols[1]), [int(x) for x in cols[2].split(",")], int(cols[3]), cols[4].split(",")
    extra = dict(kv.split("=", 1) for kv in cols[5].split(";")) if len(cols) > 5 and cols[5] else {}
    p = subprocess.run([GOROSCOPE, "analyze", "--json", "--all", "-q", path], capture_output=True, timeout=120)
    check(p.returncode == 0, f"{name}: exit {p.returncode}: {p.stderr[:300]!r}")
    if p.returncode != 0:
        continue
    doc = json.loads(p.stdout)
    snaps = doc["snapshots"]
    check(len(snaps) == ndumps, f"{name}: {len(snaps)} dumps, want {ndumps}")
    check([s["total"] for s in snaps] == totals, f"{name}: totals {[s['total'] for s in snaps]}, want {totals}")
    check(sum(len(s["races"]) for s in snaps) == races, f"{name}: races")
    check([s["kind"] for s in snaps] == kinds, f"{name}: kinds {[s['kind'] for s in snaps]}, want {kinds}")
    s = snaps[0]
    groups = s["groups"]
    g1 = groups[0] if groups else None
    for k, v in extra.items():
        if k == "level2":
            ok = s["traceback_level2"]
        elif k == "max_minutes":
            ok = max([g["wait_minutes"]["max"] for g in groups if g["wait_minutes"]] or [0]) == int(v)
        elif k == "generic":
            ok = any("[...]" in f["func"] for g in groups for f in g["frames"])
        elif k == "go_min":
            ok = s["go_version_min"] == v
        elif k == "locked":
            ok = sum(g["locked_to_thread"] for g in groups) == int(v)
        elif k == "g1_creator":
            ok = g1 and g1["created_by"] and g1["created_by"]["func"] == v
        elif k == "g1_frames":
            ok = g1 and len(g1["frames"]) == int(v)
        elif k == "g1_count":
            ok = g1 and g1["count"] == int(v)
        elif k == "race_top":
            ok = s["races"] and s["races"][0]["first"]["top"]["func"] == v
        elif k == "parents":
            ok = sum(g["parents"]["known"] if g["parents"] else 0 for g in groups) == int(v)
        elif k == "elided":
            ok = any(g["elided"] and g["elided"]["kind"] == v for g in groups)
        elif k == "gp":
            ok = s["gp_headers"]
        elif k == "file_has":
            ok = any(v in (f["file"] or "") for g in groups for f in g["frames"])
        elif k == "register_dump":
            ok = any(x["register_dump"] for x in snaps)
        elif k == "threads":
            ok = s["threads"] == int(v)
        elif k == "gccgo":
            ok = s.get("gccgo", False)
        else:
            ok = False
        check(ok, f"{name}: check {k}={v} failed")

finish("real corpus")
