#!/usr/bin/env python3
"""The verdict table of issue 15: for each fixture series the suite saved
(build/fixtures after `make fixtures`), each encoding, the last 2 to 7
snapshots and three orders (time, reversed, shuffled), what `goroscope
leaks --json` says, for one or more goroscope binaries side by side:

  lookalike  look-alikes only: the cell is the number of leaks reported (0 is right)
  leakzoo    11 leaks next to healthy look-alikes: leaks named of 11, + false ones
  grower     one leak (4 snapshots): named or not
  restart    4 captures across a restart: leak named, restart reported

and, per fixture and encoding, how many single snapshots make `analyze
--fail-on-leak` exit 1 (0 is right for lookalike).

usage: verdict_table.py FIXTURES_DIR NAME=GOROSCOPE...
"""
import json
import os
import random
import subprocess
import sys

LEAKZOO = {"main.leakSend.func1", "main.leakRecvWorker", "main.leakSelectLoop", "main.leakNilChanWorker",
           "main.leakMutexWorker", "main.leakRWMutexWorker", "main.leakWaitGroupWorker", "main.leakCondWorker",
           "main.leakRetryWorker", "main.leakTickerWorker", "context.propagateCancel.func1"}
ENC = {"debug2": "txt", "debug1": "debug1.txt", "pprof": "pb.gz"}


def leaks(g, files):
    p = subprocess.run([g, "leaks", "--json", "-q", *files], capture_output=True, text=True, timeout=120)
    if p.returncode != 0:
        return None
    return json.loads(p.stdout)


def sites(d):
    return {(l["blocking_site"] or {}).get("func") or l["frames"][0]["func"] for l in d["leaks"]}


def cell(fixture, d):
    if d is None:
        return "err"
    s = sites(d)
    if fixture == "lookalike":
        return str(len(s))
    named = len(s & LEAKZOO)
    extra = len(s - LEAKZOO)
    return f"{named}" + (f"+{extra}" if extra else "")


def main():
    base = sys.argv[1]
    bins = [a.split("=", 1) for a in sys.argv[2:]]
    rng = random.Random(15)
    orders = {}
    print("| fixture | encoding | goroscope | " + " | ".join(f"{k} snaps (time/rev/shuf)" for k in range(2, 8))
          + " | analyze --fail-on-leak exits 1 |")
    print("|---|---|---|" + "---|" * 6 + "---|")
    for fixture in ("lookalike", "leakzoo"):
        for enc, ext in ENC.items():
            files = [os.path.join(base, f"{fixture}.{i}.{ext}") for i in range(7)]
            if not all(os.path.exists(f) for f in files):
                continue
            for name, g in bins:
                cells = []
                for k in range(2, 8):
                    chosen = files[7 - k:]
                    key = (fixture, enc, k)
                    if key not in orders:
                        orders[key] = rng.sample(chosen, k)
                    cells.append("/".join(cell(fixture, leaks(g, o)) for o in (chosen, chosen[::-1], orders[key])))
                fails = sum(subprocess.run([g, "analyze", "--fail-on-leak", "-q", f], capture_output=True,
                                           timeout=60).returncode == 1 for f in files)
                print(f"| {fixture} | {enc} | {name} | " + " | ".join(cells) + f" | {fails} of 7 |")
    for enc in ("txt", "pb.gz"):
        files = [os.path.join(base, f"grower.s{i}.{enc}") for i in range(4)]
        if all(os.path.exists(f) for f in files):
            for name, g in bins:
                res = ["named" if "main.leakySender" in sites(d) else "missed" if d else "err"
                       for d in (leaks(g, o) for o in (files, files[::-1], rng.sample(files, 4)))]
                print(f"| grower | {enc} | {name} | 4 snapshots: {'/'.join(res)} | | | | | | |")
    rdir = os.path.join(base, "restart")
    if os.path.isdir(rdir):
        caps = sorted(os.path.join(rdir, c) for c in os.listdir(rdir) if os.path.isdir(os.path.join(rdir, c)))
        for name, g in bins:
            res = []
            for o in (caps, caps[::-1], rng.sample(caps, len(caps))):
                d = leaks(g, o)
                if not d:
                    res.append("err")
                    continue
                named = "main.leakySender" in sites(d)
                res.append(("named" if named else "missed") + (", restart said" if d.get("restarts") else ""))
            print(f"| restart | capture dirs | {name} | {len(caps)} captures: {' / '.join(res)} | | | | | | |")


main()
