#!/usr/bin/env python3
"""Check `goroscope analyze --json --all` on every real profile under
tests/corpus/real/{debug1,pprof}/ against tests/corpus/real-profiles.tsv
(every file must be listed), and cross-check the one snapshot that the
corpus holds in three encodings (go-profiler-notes, Go 1.15: debug=2,
debug=1, protobuf): same groups with the same counts and labels.

usage: check_profiles.py GOROSCOPE CORPUS_REAL_DIR TABLE
"""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from checks import check, finish, read_table  # noqa: E402

GOROSCOPE, REAL, TABLE = sys.argv[1:4]


def analyze(path, *extra):
    p = subprocess.run([GOROSCOPE, "analyze", "--json", "--all", *extra, path], capture_output=True, text=True)
    return p.returncode, (json.loads(p.stdout) if p.returncode == 0 else None), p.stderr


rows = read_table(TABLE)

for sub in ("debug1", "pprof"):
    for name in sorted(os.listdir(os.path.join(REAL, sub))):
        check(f"{sub}/{name}" in rows, f"{sub}/{name}: not in {TABLE}")

for name, (_, kind, samples, total, delay, warning) in sorted(rows.items()):
    rc, doc, err = analyze(os.path.join(REAL, name))
    check(rc == 0, f"{name}: exit {rc}: {err.strip()}")
    if rc != 0:
        continue
    check(len(doc["snapshots"]) == 1, f"{name}: {len(doc['snapshots'])} snapshots")
    s = doc["snapshots"][0]
    prof = s["profile"] or {}
    check(prof.get("kind") == kind, f"{name}: kind {prof.get('kind')}, want {kind}")
    check(prof.get("samples") == int(samples), f"{name}: {prof.get('samples')} samples, want {samples}")
    check(s["total"] == int(total), f"{name}: total {s['total']}, want {total}")
    check(sum(g["count"] for g in s["groups"]) == int(total), f"{name}: group counts do not add up")
    if delay != "-":
        check(prof.get("total_delay_ns") == int(delay), f"{name}: delay {prof.get('total_delay_ns')}, want {delay}")
    msgs = " | ".join(w["message"] for w in s["warnings"])
    if warning == "-":
        check(not s["warnings"], f"{name}: unexpected warnings: {msgs}")
    else:
        check(warning in msgs, f"{name}: no warning with '{warning}' (got: {msgs})")
    check(all(not g["ids"] for g in s["groups"]), f"{name}: profile groups must not invent ids")

# The truncated debug=1 record is flagged; gzip named .txt is read by content.
rc, doc, _ = analyze(os.path.join(REAL, "debug1/nats_jetstream_windows_total7046.txt"))
check(rc == 0 and doc["snapshots"][0]["truncated"], "nats: truncated flag")

# Labels survive both profile encodings.
for name in ("debug1/profiler_notes_labels_go115.txt", "pprof/profiler_notes_goroutine_labels_go115.pb.gz"):
    rc, doc, _ = analyze(os.path.join(REAL, name), "--by", "label:test_label")
    groups = {(g["label"]["value"]): g["count"] for g in doc["snapshots"][0]["groups"]} if rc == 0 else {}
    check(groups == {"test_value": 7, None: 3}, f"{name}: by label:test_label gives {groups}")
    rc, doc, _ = analyze(os.path.join(REAL, name), "--label", "test_label=test_.*")
    check(rc == 0 and doc["snapshots"][0]["shown"] == 7, f"{name}: --label keeps 7")


def user_stack(frames):
    """Frames from the first one outside the runtime: debug=1 hides the
    leading runtime frames that protobuf and debug=2 keep."""
    funcs = [f["func"] for f in frames]
    i = 0
    while i < len(funcs) - 1 and funcs[i].startswith("runtime."):
        i += 1
    return tuple(funcs[i:])


# One snapshot, three encodings.
same = {}
for name in ("traceback/profiler_notes_http_debug2_go115.txt", "debug1/profiler_notes_labels_go115.txt",
             "pprof/profiler_notes_goroutine_labels_go115.pb.gz"):
    rc, doc, _ = analyze(os.path.join(REAL, name))
    groups = {}
    for g in doc["snapshots"][0]["groups"] if rc == 0 else []:
        key = user_stack(g["frames"])
        groups[key] = groups.get(key, 0) + g["count"]
    same[name] = groups
names = list(same)
for other in names[1:]:
    # Three requests, moments apart: the goroutine serving each request
    # differs (stack writer vs profile writer) and so does one connection
    # reader; the other stacks and their counts agree.
    a, b = same[names[0]], same[other]
    check(sum(b.values()) == 10, f"{other}: total {sum(b.values())}")
    common = set(a) & set(b)
    check(len(common) >= 6, f"{other}: only {len(common)} groups in common with debug=2")
    check(all(a[k] == b[k] for k in common), f"{other}: counts differ from debug=2 on shared groups")

finish("real profiles")
