#!/usr/bin/env python3
"""Check `goroscope analyze --json` against the ground truth of the generated
corpus (tests/corpus/generated/goX.Y/expected.json): every text traceback of
every Go version must come back with exactly the goroutines, states,
annotations, planted functions and ids the formatzoo program parked.

usage: check_generated.py GOROSCOPE CORPUS_DIR
Prints one line per failed check and a summary; exit 1 on any failure.
"""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from checks import check, finish  # noqa: E402
from collections import Counter

GOROSCOPE, CORPUS = sys.argv[1], sys.argv[2]


def analyze(path):
    p = subprocess.run([GOROSCOPE, "analyze", "--json", "--all", "--ids", "-q", path],
                       capture_output=True, timeout=60)
    if p.returncode != 0:
        return None, p.stderr.decode(errors="replace")
    return json.loads(p.stdout), None


def frames_of(group):
    return [f["func"] for f in group["frames"]]


def check_traceback(ver, name, exp, doc):
    where = f"{ver}/{name}"
    snaps = doc["snapshots"]
    check(len(snaps) == 1, f"{where}: {len(snaps)} snapshots, want 1")
    if not snaps:
        return
    s = snaps[0]
    check(doc["total"] == exp["total_goroutines"],
          f"{where}: total {doc['total']}, want {exp['total_goroutines']}")
    check(s["unique_ids"] == exp["unique_goroutine_ids"],
          f"{where}: unique ids {s['unique_ids']}, want {exp['unique_goroutine_ids']}")
    check(s["states"] == exp["by_wait_reason"],
          f"{where}: states {s['states']}, want {exp['by_wait_reason']}")
    groups = s["groups"]
    ann = exp.get("annotations", {})
    sums = Counter()
    for g in groups:
        sums["locked_to_thread"] += g["locked_to_thread"]
        sums["leaked"] += g["leaked"]
        sums["durable"] += g["durable"]
        sums["minutes"] += g["wait_minutes"]["known"] if g["wait_minutes"] else 0
        sums["created_by_in_goroutine"] += g["parents"]["known"] if g["parents"] else 0
        sums["labels_in_header"] += g["labelled"]
    for key in ("locked_to_thread", "leaked", "durable", "minutes", "created_by_in_goroutine",
                "labels_in_header"):
        check(sums[key] == ann.get(key, 0), f"{where}: {key} {sums[key]}, want {ann.get(key, 0)}")
    check(s["gp_headers"] == (ann.get("gp_m_header", 0) > 0), f"{where}: gp_headers {s['gp_headers']}")
    bubbles = sum(v for k, v in ann.items() if k.startswith("synctest bubble") or k.startswith("synctest group"))
    got_bubbles = sum(g["in_synctest_bubble"] for g in groups)
    check(got_bubbles == bubbles, f"{where}: goroutines in synctest bubbles {got_bubbles}, want {bubbles}")
    check(s["register_dump"] == exp["register_dump"], f"{where}: register_dump {s['register_dump']}")

    # planted functions: goroutines whose stack holds the function, with exact ids
    ids_by_func = {}
    for g in groups:
        for fn in set(frames_of(g)):
            ids_by_func.setdefault(fn, []).extend(g["ids"])
    for fn, n in exp.get("planted_by_function", {}).items():
        got = ids_by_func.get(fn, [])
        check(len(got) == n, f"{where}: {fn}: {len(got)} goroutines, want {n}")
    for fn, ids in exp.get("planted_goroutine_ids", {}).items():
        check(sorted(ids_by_func.get(fn, [])) == sorted(ids), f"{where}: {fn}: ids differ")

    # labels in headers (Go 1.26 / 1.27)
    want_labels = exp.get("labels_in_headers", {})
    got_labels = Counter()
    for g in groups:
        if g["labels"]:
            key = ",".join(f"{k}={v}" for k, v in sorted(g["labels"].items()))
            got_labels[key] += g["count"]
    check(dict(got_labels) == want_labels, f"{where}: labels {dict(got_labels)}, want {want_labels}")

    # leaked goroutines (the runtime's leak detector)
    if "leaked_goroutine_ids" in exp:
        got = sorted(i for g in groups if g["leaked"] for i in g["ids"])
        check(got == sorted(exp["leaked_goroutine_ids"]), f"{where}: leaked ids differ")
        proof = [x for x in s["suspected_leaks"] if x["confidence"] == "proof"]
        check(sum(x["count"] for x in proof) == len(exp["leaked_goroutine_ids"]),
              f"{where}: leaks with proof count {sum(x['count'] for x in proof)}")

    # elisions
    for e in exp.get("elisions", []):
        line = e["line"]
        ok = False
        for g in groups:
            if e["goroutine"] not in g["ids"]:
                continue
            el = g["elided"]
            if line == "...additional frames elided...":
                ok = el is not None and el["kind"] == "outermost"
            else:
                n = int(line.strip(".").split()[0])
                ok = el is not None and el["kind"] == "middle" and el["frames"] == n
        check(ok, f"{where}: goroutine {e['goroutine']} elision {line!r} not reported")

    # the main goroutine
    mg = exp.get("main_goroutine")
    if mg:
        found = [g for g in groups if mg["id"] in g["ids"]]
        check(len(found) == 1, f"{where}: main goroutine {mg['id']} not found")
        if found:
            top = found[0]["frames"][0]["func"] if found[0]["frames"] else None
            check(mg["reason"] in found[0]["states"], f"{where}: main goroutine state")
            check(top == mg["top"] or mg["top"] in frames_of(found[0]),
                  f"{where}: main goroutine top {top}, want {mg['top']}")
    # creators of the planted groups
    for pg in doc_plan.get("groups", []):
        fn = pg["func"]
        for g in groups:
            if fn in frames_of(g) and g["created_by"] and fn.startswith("main."):
                check(g["created_by"]["func"] == pg["created_by"],
                      f"{where}: {fn} created by {g['created_by']['func']}, want {pg['created_by']}")
                break


def label_key(labels):
    return ",".join(f"{k}={v}" for k, v in sorted((labels or {}).items()))


def check_profile(ver, name, exp, doc):
    """debug=1 and protobuf profiles: totals, records, the goroutines of each
    planted function, labels; for block/mutex the events per leaf function."""
    where = f"{ver}/{name}"
    snaps = doc["snapshots"]
    check(len(snaps) == 1, f"{where}: {len(snaps)} snapshots, want 1")
    if not snaps:
        return
    s = snaps[0]
    prof = s["profile"] or {}
    groups = s["groups"]
    records = exp.get("samples", exp.get("records"))
    if records is not None:
        check(prof.get("samples") == records, f"{where}: {prof.get('samples')} samples, want {records}")
    if exp.get("mode") == "contention":
        check(s["total"] == exp["events_total"], f"{where}: {s['total']} events, want {exp['events_total']}")
        want_kind = "mutex" if "mutex" in name else "block"
        check(prof.get("kind") == want_kind, f"{where}: kind {prof.get('kind')}, want {want_kind}")
        by_leaf = {}
        for g in groups:
            leaf = next((f for f in frames_of(g) if f.startswith("main.")), "(no main frame)")
            by_leaf[leaf] = by_leaf.get(leaf, 0) + g["count"]
        check(by_leaf == exp["events_by_leaf_main_func"], f"{where}: events by leaf {by_leaf}")
        return
    check(s["total"] == exp["total"], f"{where}: total {s['total']}, want {exp['total']}")
    check(prof.get("kind") == exp.get("profile", name.split(".")[0]), f"{where}: kind {prof.get('kind')}")
    for fn, want in exp.get("planted_by_function", {}).items():
        got = sum(g["count"] for g in groups if fn in frames_of(g))
        check(got == want, f"{where}: {got} goroutines in {fn}, want {want}")
    if "labels" in exp:
        got = {}
        for g in groups:
            if g["labels"]:
                k = label_key(g["labels"])
                got[k] = got.get(k, 0) + g["count"]
        check(got == exp["labels"], f"{where}: labels {got}, want {exp['labels']}")


for ver in sorted(os.listdir(CORPUS)):
    d = os.path.join(CORPUS, ver)
    if not os.path.isdir(d):
        continue
    expected = json.load(open(os.path.join(d, "expected.json")))
    doc_plan = expected.get("plan", {})
    for name, exp in sorted(expected["files"].items()):
        path = os.path.join(d, name)
        if not os.path.exists(path):
            continue
        if exp.get("kind", "").startswith("traceback"):
            doc, err = analyze(path)
            check(doc is not None, f"{ver}/{name}: analyze failed: {err}")
            if doc:
                check_traceback(ver, name, exp, doc)
        elif name.endswith(".pb.gz") or ".debug1." in name:
            doc, err = analyze(path)
            check(doc is not None, f"{ver}/{name}: analyze failed: {err}")
            if doc:
                check_profile(ver, name, exp, doc)

finish("generated corpus")
