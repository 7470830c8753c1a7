#!/usr/bin/env python3
"""The claim checker (tests/claims.py) over every plain dump and profile of
the corpus: what `analyze --json` says of each one (totals, per group count,
states, wait minutes, ids; suspects' counts) is what the file holds.

usage: check_claims.py GOROSCOPE CORPUS_DIR
"""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from checks import check, finish  # noqa: E402
from claims import check_analyze_claims, plain_dump  # noqa: E402

G, CORPUS = sys.argv[1:3]
files = []
for root, _, names in os.walk(CORPUS):
    for n in sorted(names):
        p = os.path.join(root, n)
        if plain_dump(p) or n.endswith((".pb.gz", ".pprof")) and "goroutine" in n:
            files.append(p)
checked = 0
for p in sorted(files):
    r = subprocess.run([G, "analyze", "--json", "-q", "--all", "--ids", p], capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        continue  # refused input: the other suites check that
    check_analyze_claims(os.path.relpath(p, CORPUS), json.loads(r.stdout))
    checked += 1
check(checked >= 20, f"only {checked} corpus files checked")

# The checker itself catches a report that says more than the file holds.
import copy  # noqa: E402
sample = os.path.join(CORPUS, "generated", "go1.19", "goroutine.debug2.txt")
r = subprocess.run([G, "analyze", "--json", "-q", sample], capture_output=True, text=True, timeout=60)
doc = json.loads(r.stdout)
grp = next(g for g in doc["snapshots"][0]["groups"] if g["stacks"] == 1 and g["count"] > 1)
for field, tamper in (("count", lambda g: g.__setitem__("count", g["count"] + 1)),
                      ("states", lambda g: g["states"].__setitem__("running", 1))):
    bad = copy.deepcopy(doc)
    tamper(next(g for g in bad["snapshots"][0]["groups"] if g["id"] == grp["id"]))
    caught = []
    check_analyze_claims("tampered", bad, lambda ok, what: caught.append(what) if not ok else None)
    check(any(f"{field} " in c for c in caught), f"claim checker missed a tampered {field}: {caught}")
finish(f"claims over {checked} corpus files")
