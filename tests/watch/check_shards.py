#!/usr/bin/env python3
"""`watch --shard I/N`: N watchers given the same targets split them with no
overlap and no gap, each target where the documented hash puts it
(FNV-1a-64 of host:port, modulo N; docs/watch.md), as each watcher's
/metrics shows; a bad shard is refused.

usage: check_shards.py GOROSCOPE WORKDIR
"""
import os
import re
import shutil
import signal
import subprocess
import sys
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from checks import check, finish, wait_for  # noqa: E402

G, OUT = sys.argv[1:3]
shutil.rmtree(OUT, ignore_errors=True)
os.makedirs(OUT)
N = 3


def fnv1a64(s):
    h = 14695981039346656037
    for b in s.encode():
        h = ((h ^ b) * 1099511628211) % (1 << 64)
    return h


# twenty targets nobody serves (ports 1..20 on loopback): down, but listed
targets = {f"t{p}": f"http://127.0.0.1:{p}" for p in range(1, 21)}
targets["named"] = "https://API.Example.internal/debug"  # never resolved: a name, its port filled in
config = os.path.join(OUT, "shards.yaml")
with open(config, "w") as f:
    f.write(f"listen: 127.0.0.1:0\ndefaults:\n  interval: 30s\ntargets:\n")
    for name, url in targets.items():
        f.write(f"  - name: {name}\n    url: {url}\n")
procs, seen = [], {}
for i in range(N):
    ready = os.path.join(OUT, f"ready{i}")
    p = subprocess.Popen([G, "watch", "-q", "--config", config, "--shard", f"{i}/{N}", "--store",
                          os.path.join(OUT, f"s{i}.db"), "--ready-file", ready])
    procs.append(p)
    port = wait_for(f"watcher {i}", lambda: os.path.exists(ready) and open(ready).read().strip())
    if port:
        m = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10).read().decode()
        seen[i] = set(re.findall(r'^goroscope_target_up\{target="([^"]+)"', m, re.M))
        check(f'goroscope_watch_shard{{shard="{i}",shards="{N}"}} 1' in m, f"watcher {i} says its shard")
for p in procs:
    p.send_signal(signal.SIGTERM)
    p.wait(timeout=30)
union = set().union(*seen.values()) if seen else set()
check(union == set(targets), f"no gap: every target is some watcher's ({sorted(set(targets) - union)} missing)")
check(sum(len(s) for s in seen.values()) == len(targets), "no overlap: no target is two watchers'")
check(all(len(s) > 0 for s in seen.values()), f"each watcher has some: {[len(s) for s in seen.values()]}")
for i, names in seen.items():
    for name in names:
        url = targets[name]
        address = "api.example.internal:443" if name == "named" else url.split("//")[1]
        check(fnv1a64(address) % N == i, f"{name} ({address}) is where the documented hash puts it")
for bad in ("3/3", "1/0", "x/2", "-1/2", "1/2/3"):
    p = subprocess.run([G, "watch", "--shard", bad, "http://127.0.0.1:1"], capture_output=True, text=True, timeout=30)
    check(p.returncode == 2 and "--shard is I/N" in p.stderr, f"--shard {bad} is refused: {p.stderr[:200]}")
finish("shards")
