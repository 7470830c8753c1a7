#!/usr/bin/env python3
"""How `goroscope history` and `goroscope web --store` read a watch store at
its size budget: a store filled as a stack bomb fills it (a new 8 KB stack
at every poll, 100,000 polls: about 800 MB), timed side by side for each
binary given (e.g. this build and an older one).

usage: store_scale.py WORKDIR GOROSCOPE [GOROSCOPE...]
"""
import os
import re
import sqlite3
import subprocess
import sys
import time
import urllib.request

WORK, BINS = sys.argv[1], sys.argv[2:]
N = 100000
os.makedirs(WORK, exist_ok=True)
store = os.path.join(WORK, "store-at-budget.db")
if os.path.exists(store):
    os.unlink(store)
# the schema comes from the daemon itself: a start with no reachable target
cfg = os.path.join(WORK, "store.yaml")
open(cfg, "w").write(f"listen: 127.0.0.1:0\nstore: {store}\ntargets:\n  - name: bomb\n    url: http://127.0.0.1:9\n")
subprocess.run([BINS[0], "watch", "--config", cfg, "--run-for", "1s"], capture_output=True, timeout=60)
db = sqlite3.connect(store)
tid = db.execute("SELECT id FROM targets WHERE name = 'bomb'").fetchone()[0]
now = int(time.time() * 1000)
text = "f" * 8000
db.executemany("INSERT INTO stacks(target, key, title, frames) VALUES(?, ?, ?, ?)",
               ((tid, 1000000 + i, f"main.f{i}", text) for i in range(N)))
first = db.execute("SELECT min(id) FROM stacks WHERE key >= 1000000").fetchone()[0]
db.executemany("INSERT INTO samples(target, ts_ms, count, duration_ms, error) VALUES(?, ?, 64, 1, NULL)",
               ((tid, now - (N - i) * 500) for i in range(N)))
db.executemany("INSERT INTO group_samples(target, ts_ms, stack, count) VALUES(?, ?, ?, 1)",
               ((tid, now - (N - i) * 500, first + i) for i in range(N)))
db.commit()
db.close()
print(f"store: {os.path.getsize(store) >> 20} MB, {N} samples and stacks over {N // 7200} hours")


def median_of(fn, runs=3):
    times = sorted(fn() for _ in range(runs))
    return times[len(times) // 2]


def history(b):
    t0 = time.monotonic()
    subprocess.run([b, "history", "--store", store, "bomb"], capture_output=True, timeout=600)
    return time.monotonic() - t0


def web_page(b):
    p = subprocess.Popen([b, "web", "-q", "--store", store], stdout=subprocess.PIPE, text=True)
    url = re.search(r"http://\S+/", p.stdout.readline()).group(0)
    t0 = time.monotonic()
    urllib.request.urlopen(url, timeout=600).read()
    took = time.monotonic() - t0
    p.terminate()
    p.wait()
    return took


print(f"{'binary':40} {'history':>10} {'web page':>10}")
for b in BINS:
    print(f"{b:40} {median_of(lambda: history(b)):9.2f}s {median_of(lambda: web_page(b)):9.2f}s")
