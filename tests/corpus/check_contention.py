#!/usr/bin/env python3
"""`goroscope contention` on the generated corpus's block and mutex profiles
(Go 1.19-1.27, debug=1 and protobuf): every planted contention site comes out
with its wait primitive and event count, the WaitGroup coordinator is set
apart as idle, and events add up; on the real block/mutex profiles the
totals match the files' own.

usage: check_contention.py GOROSCOPE CORPUS_DIR
"""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from checks import check, finish  # noqa: E402

G, CORPUS = sys.argv[1:3]


def flat_sites(doc):
    """Every site of a report once: each row, the holder site a row shows
    (one row per lock), and the idle ones."""
    out = []
    for s in doc["contention"]:
        out.append(s)
        h = s.get("holding")
        if h:
            out.append({"site": s["holder"], "via": h["via"], "profile": "mutex", "events": h["events"],
                        "delay_ns": h["delay_ns"], "what": "lock held (unlock site)"})
        c = s.get("same_call")
        if c:
            out.append({"site": s["site"], "via": c["via"], "profile": "mutex", "events": c["events"],
                        "delay_ns": c["delay_ns"], "what": c["what"]})
    return out + doc["idle"]


def contention(*paths):
    p = subprocess.run([G, "contention", "--json", "-q", *paths], capture_output=True, timeout=60, text=True)
    check(p.returncode == 0, f"{paths}: exit {p.returncode}: {p.stderr[:200]}")
    return json.loads(p.stdout) if p.returncode == 0 else None


gen = os.path.join(CORPUS, "generated")
for ver in sorted(os.listdir(gen)):
    d = os.path.join(gen, ver)
    exp_path = os.path.join(d, "expected.json")
    if not os.path.isfile(exp_path):
        continue
    exp = json.load(open(exp_path))
    plan = exp.get("contention_plan") or []
    for enc in ("pb.gz", "debug1.txt"):
        files = [os.path.join(d, f"{k}.{enc}") for k in ("block", "mutex")]
        files = [f for f in files if os.path.exists(f)]
        if not files:
            continue
        doc = contention(*files)
        if not doc:
            continue
        where = f"{ver} {enc}"
        sites = flat_sites(doc)
        total = sum(s["events"] for s in sites)
        check(total == doc["events"], f"{where}: events add up")
        want_total = sum(exp["files"][os.path.basename(f)]["events_total"] for f in files)
        check(total == want_total, f"{where}: {total} events, want {want_total}")
        for e in plan:
            got = sum(s["events"] for s in sites
                      if s["site"] and s["site"]["func"] == e["func"] and s["via"] and s["via"].startswith(e["via"])
                      and s["profile"] == e["profile"])
            check(got == e["count"], f"{where}: {e['func']} via {e['via']}: {got} events, want {e['count']}")
        idle = {s["site"]["func"] for s in doc["idle"] if s["site"]}
        check("main.runContention" in idle, f"{where}: the WaitGroup coordinator is not idle: {idle}")
        check(all(s["what"] != "WaitGroup.Wait" for s in doc["contention"]), f"{where}: WaitGroup in contention")
        rank = [max(s["delay_ns"], s["holding"]["delay_ns"] if s["holding"] else 0,
                    s["same_call"]["delay_ns"] if s["same_call"] else 0) for s in doc["contention"]]
        check(rank and rank == sorted(rank, reverse=True), f"{where}: ranked by delay (a lock by its larger view)")
        funcs = [(s["site"]["func"], s["site"]["line"], s["what"]) for s in doc["contention"] if s["site"]]
        check(len(funcs) == len(set(funcs)), f"{where}: a site ranked twice: {funcs}")
        held = {s["holder"]["func"] for s in doc["contention"] if s["holding"]}
        check(not any(s["site"] and s["site"]["func"] in held and s["profile"] == "mutex" for s in doc["contention"]),
              f"{where}: a lock's holder site is a row of its own as well as in its waiters' row")

# One row per lock on a real service's profiles: a lock's waiters carry the
# site where its holders unlock, and a mutex-profile site at the very call
# where they wait (the runtime's own lock inside Lock) is in their row.
real = os.path.join(CORPUS, "real", "pprof")
doc = contention(os.path.join(real, "badger_block_2026.prof"), os.path.join(real, "badger_mutex_2026.prof"))
if doc:
    rows = doc["contention"]
    block_calls = {(s["site"]["func"], s["site"]["line"]) for s in rows if s["site"] and s["profile"] == "block"}
    echoed = [s for s in rows if s["site"] and s["profile"] == "mutex"
              and (s["site"]["func"], s["site"]["line"]) in block_calls]
    check(not echoed, f"badger: mutex rows at a call that block rows wait at: {[(s['site']['func'], s['site']['line']) for s in echoed][:3]}")
    ts = next((s for s in rows if s["site"] and s["site"]["func"].endswith("(*Oracle).GetTimestamp")
               and s["site"]["line"] == 89), None)
    check(ts and ts["holding"] and ts["same_call"] and ts["same_call"]["what"] == "semaphore",
          f"badger: GetTimestamp's lock joins its holders and the runtime's semaphore at the call: {ts and (ts['holding'], ts['same_call'])}")
    total = sum(s["events"] for s in flat_sites(doc))
    check(total == doc["events"], f"badger: events add up over the joined rows: {total} vs {doc['events']}")
for name, events, delay in (("badger_block_2026.prof", 2542775, 4477557293068),
                            ("badger_mutex_2026.prof", 370986, 1030536690287),
                            ("jaeger_storage_mutex_2020.prof", 3660, 82895422)):
    doc = contention(os.path.join(real, name))
    if doc:
        check(doc["events"] == events and doc["delay_ns"] == delay, f"{name}: {doc['events']} {doc['delay_ns']}")
        check(not doc["empty"] and doc["contention"], f"{name}: sites")
doc = contention(os.path.join(real, "cdk_erigon_block_empty.pb.gz"))
check(doc and doc["empty"], "an empty block profile is reported as empty")
p = subprocess.run([G, "contention", os.path.join(real, "cdk_erigon_block_empty.pb.gz")], capture_output=True,
                   text=True, timeout=60)
check("SetBlockProfileRate" in p.stdout, "empty profile: says how to enable it")
p = subprocess.run([G, "contention", os.path.join(real, "scorestack_goroutine_1481.pprof")], capture_output=True,
                   text=True, timeout=60)
check(p.returncode == 2 and "no block or mutex profile" in p.stderr, "a goroutine profile alone is refused")

finish("contention")
