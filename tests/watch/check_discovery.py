#!/usr/bin/env python3
"""`watch` taking its targets from discovery, in Prometheus's formats:
file_sd files (added, changed, removed, broken), an http_sd endpoint, and a
real Prometheus server's active targets (Debian's prometheus, started here
on 127.0.0.1 with its own data directory), one job's only; and two shards
over the same discovery splitting the targets with no overlap and no gap.
Targets that go away are retired: gone from /metrics, kept in the store. A
source that fails keeps its last good targets and says so.

usage: check_discovery.py GOROSCOPE GROWER BOMBSERVER WORKDIR
"""
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from checks import check, finish, free_port, http_get as get, spawn, wait_for  # noqa: E402

G, GROWER, BOMBSERVER, OUT = sys.argv[1:5]
shutil.rmtree(OUT, ignore_errors=True)
os.makedirs(OUT)



def grower(name):
    log = os.path.join(OUT, name + ".out")
    spawn([GROWER], env={**os.environ, "GROWER_LEAK_AFTER": "1h"}, stdout=open(log, "w"), stderr=subprocess.STDOUT)
    return "127.0.0.1:" + wait_for(f"{name}'s port", lambda: (re.search(r"listening on (\d+)", open(log).read())
                                                               or [None, None])[1])


A, B = grower("a"), grower("b")


def watcher(tag, discovery, extra=""):
    config = os.path.join(OUT, f"{tag}.yaml")
    with open(config, "w") as f:
        f.write(f"listen: 127.0.0.1:0\nstore: {OUT}/{tag}.db\n{extra}defaults:\n  interval: 500ms\n"
                f"discovery:\n{discovery}")
    ready = os.path.join(OUT, f"{tag}.port")
    spawn([G, "watch", "--config", config, "--ready-file", ready], stdout=open(f"{OUT}/{tag}.log", "w"),
          stderr=subprocess.STDOUT)
    return int(wait_for(f"watcher {tag}", lambda: os.path.exists(ready) and open(ready).read().strip()))


def targets(port):
    """{target name: {label: value}} of what /metrics lists."""
    st, m = get(f"http://127.0.0.1:{port}/metrics")
    out = {}
    for line in m.splitlines():
        if line.startswith("goroscope_target_up{"):
            labels = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', line[line.index("{"):line.rindex("}")]))
            out[labels["target"]] = labels
    return out


def discovery_up(port):
    m = get(f"http://127.0.0.1:{port}/metrics")[1]
    v = re.search(r'^goroscope_discovery_up\{source="1",kind="\w+"\} (\d)$', m, re.M)
    return int(v.group(1)) if v else None


def write(path, groups):
    with open(path + ".tmp", "w") as f:
        f.write(groups if isinstance(groups, str) else json.dumps(groups))
    os.replace(path + ".tmp", path)


# ---- file_sd ----
sd = os.path.join(OUT, "sd")
os.makedirs(sd)
write(f"{sd}/a.json", [{"targets": [A], "labels": {"team": "shop", "__meta_hidden": "x"}}])
w1 = watcher("file", f"  - file_sd: [{sd}/*.json, {sd}/*.yml]\n")
got = wait_for("A discovered", lambda: A in targets(w1) and targets(w1))
check(got and got[A].get("team") == "shop" and got[A].get("instance") == A and "__meta_hidden" not in got[A],
      f"file_sd: A with its group's labels (not Prometheus's internal ones): {got and got.get(A)}")
with open(f"{sd}/b.yml", "w") as f:
    f.write(f"- targets: ['{B}']\n  labels: {{team: search}}\n")  # YAML too
got = wait_for("B discovered (a YAML file)", lambda: B in targets(w1) and targets(w1))
check(got and set(got) == {A, B} and got[B].get("team") == "search", f"file_sd: a file added: {sorted(got or {})}")
os.unlink(f"{sd}/a.json")
got = wait_for("A retired", lambda: A not in targets(w1) and targets(w1))
check(got and set(got) == {B}, f"file_sd: a file removed retires its targets: {sorted(got or {})}")
write(f"{sd}/c.json", "[{\"targets\": [")
wait_for("the broken file said", lambda: discovery_up(w1) == 0)
check(set(targets(w1)) == {B}, "file_sd: a broken file keeps the last good targets")
check(b"keeping the last" in open(f"{OUT}/file.log", "rb").read() and b"c.json" in open(f"{OUT}/file.log", "rb").read(),
      "file_sd: the log names the broken file")
os.unlink(f"{sd}/c.json")
wait_for("the source answering again", lambda: discovery_up(w1) == 1)
db = sqlite3.connect(f"file:{OUT}/file.db?mode=ro", uri=True)
check({r[0] for r in db.execute("SELECT name FROM targets")} >= {A, B}, "a retired target is kept in the store")
db.close()

# ---- http_sd ----
files = os.path.join(OUT, "served")
os.makedirs(files)
ready = os.path.join(OUT, "bombserver.port")
spawn([BOMBSERVER, "-dir", files, "-ready", ready])
bs = int(wait_for("bombserver", lambda: os.path.exists(ready) and open(ready).read().strip()))
write(f"{files}/sd.json", [{"targets": [A], "labels": {"env": "test"}}])
w2 = watcher("http", f"  - http_sd: http://127.0.0.1:{bs}/file/sd.json\n    refresh: 1s\n")
got = wait_for("http_sd's A", lambda: A in targets(w2) and targets(w2))
check(got and got[A].get("env") == "test", f"http_sd: A with its labels: {got and got.get(A)}")
write(f"{files}/sd.json", [{"targets": [B], "labels": {"env": "test"}}])
got = wait_for("http_sd's change", lambda: set(targets(w2)) == {B} and targets(w2))
check(bool(got), "http_sd: a changed answer replaces the targets")
os.unlink(f"{files}/sd.json")
wait_for("http_sd's 404 said", lambda: discovery_up(w2) == 0)
check(set(targets(w2)) == {B}, "http_sd: an endpoint that fails keeps the last good targets")

# ---- a real Prometheus's active targets, one job's ----
prom = shutil.which("prometheus")
check(prom is not None, "prometheus is installed (make deps)")
if prom:
    pport = free_port()
    with open(f"{OUT}/prometheus.yml", "w") as f:
        f.write("global: {scrape_interval: 1h}\nscrape_configs:\n"
                f"  - job_name: api\n    static_configs: [{{targets: ['{A}', '{B}'], labels: {{team: core}}}}]\n"
                "  - job_name: other\n    static_configs: [{targets: ['127.0.0.1:1']}]\n")
    spawn([prom, f"--config.file={OUT}/prometheus.yml", f"--storage.tsdb.path={OUT}/prom-data",
           f"--web.listen-address=127.0.0.1:{pport}", "--log.level=warn"], stdout=open(f"{OUT}/prometheus.log", "w"),
          stderr=subprocess.STDOUT)
    wait_for("Prometheus ready", lambda: get(f"http://127.0.0.1:{pport}/-/ready")[0] == 200, timeout=60)
    w3 = watcher("prom", f"  - prometheus: http://127.0.0.1:{pport}\n    job: api\n    refresh: 1s\n")
    got = wait_for("Prometheus's api targets", lambda: set(targets(w3)) == {A, B} and targets(w3), timeout=30)
    check(bool(got), f"prometheus: the api job's targets, not the other job's: {sorted(targets(w3))}")
    if got:
        check(got[A].get("job") == "api" and got[A].get("team") == "core",
              f"prometheus: with the labels Prometheus gave them: {got[A]}")

# ---- two shards over one discovery ----
many = [f"127.0.0.1:{p}" for p in range(1, 13)]
write(f"{sd}/many.json", [{"targets": many}])
os.unlink(f"{sd}/b.yml")
shards = [watcher(f"shard{i}", f"  - file_sd: [{sd}/many.json]\n", extra=f"shard: {i}/2\n") for i in range(2)]
seen = [wait_for(f"shard {i}'s targets", lambda: targets(p) or None) or {} for i, p in enumerate(shards)]


def fnv1a64(s):
    h = 14695981039346656037
    for b in s.encode():
        h = ((h ^ b) * 1099511628211) % (1 << 64)
    return h


want = [{t for t in many if fnv1a64(t) % 2 == i} for i in range(2)]
seen = [set(wait_for(f"shard {i} complete", lambda: set(targets(p)) == want[i] and targets(p)) or targets(p))
        for i, p in enumerate(shards)]
check(seen[0] | seen[1] == set(many) and not seen[0] & seen[1],
      f"two shards over one discovery: no gap, no overlap ({len(seen[0])} + {len(seen[1])} of {len(many)})")
finish("discovery")
