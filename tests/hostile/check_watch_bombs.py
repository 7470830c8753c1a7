#!/usr/bin/env python3
"""`goroscope watch` among hostile targets: a CPU bomb (a small profile that
claims a billion frames), a gzip bomb (members of 64 MiB of zeros, one
after the other) and a stack bomb (a profile of new, huge, hostile function
names at every poll: invalid UTF-8, escape sequences, newlines, U+202E),
served by a Go server (bombserver) next to healthy targets (its own real
net/http/pprof).

Checked:
- every healthy target keeps its pace: its scrapes against the polls due in
  the time watched (interval 500 ms);
- the CPU and gzip bombs are down, each with its budget named in the log;
- what the stack bomb sends reaches /metrics, the log and the store as
  valid UTF-8 without control or bidi characters, and the store keeps a
  stack's text capped; promtool accepts /metrics;
- /healthz stays healthy, also behind 300 idle connections;
- SIGTERM while a bomb is being read stops the daemon within 3 seconds.

usage: check_watch_bombs.py GOROSCOPE BOMBSERVER WORKDIR [--legacy]
(--legacy leaves the budget settings out, to measure a build without them)
"""
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checks import check, finish, metric, spawn, wait_for  # noqa: E402
from pprof_gen import gzip_bomb, profile  # noqa: E402

G, BOMBSERVER, OUT = sys.argv[1:4]
LEGACY = "--legacy" in sys.argv
INTERVAL, WATCHED_S, HEALTHY = 0.5, 12, 4
shutil.rmtree(OUT, ignore_errors=True)
bodies = os.path.join(OUT, "bodies")
os.makedirs(bodies)

# ---- the bombs ----
strings = ["", "goroutine", "count", "main.deep", "main.f"]
deep = [(1, [(1, 10 + k % 7) for k in range(4000)]), (2, [(2, 5)])]
# read in seconds of CPU (each sample is cut, but expanding up to the bound
# costs); poll_cpu below is 300 ms
open(os.path.join(bodies, "cpu.0"), "wb").write(profile(strings, [(1, 3), (2, 4)], deep, [([1, 2], [1])],
                                                        repeat=6000000))
open(os.path.join(bodies, "gzip.0"), "wb").write(gzip_bomb(40))  # 2.6 MB that claim 2.5 GiB
hostile = "\x1b[31m\u202eevil\n\x07" + "\udcff\udcfe"  # escapes, bidi override, newline, bell, invalid bytes
for v in range(10):  # a new set of names at every poll
    names = ["", "goroutine", "count"] + [f"main.{hostile}{v}_{k}_" + "x" * 100000 for k in range(64)]
    funcs = [(k + 1, 3 + k) for k in range(64)]
    locs = [(k + 1, [(k + 1, 7)]) for k in range(64)]
    samples = [([k + 1], [k + 1]) for k in range(64)]
    open(os.path.join(bodies, f"stack.{v}"), "wb").write(profile(names, funcs, locs, samples))

ready = os.path.join(OUT, "bombserver.port")
spawn([BOMBSERVER, "-dir", bodies, "-ready", ready])
port = int(wait_for("bombserver's port", lambda: os.path.exists(ready) and open(ready).read().strip()))


def write_config(path, store, targets, budgets):
    with open(path, "w") as f:
        f.write(f"listen: 127.0.0.1:0\nstore: {store}\n")
        if not LEGACY:
            f.write(budgets)
        f.write(f"defaults:\n  interval: {int(INTERVAL * 1000)}ms\n  format: pprof\ntargets:\n")
        for name, path_ in targets:
            f.write(f"  - name: {name}\n    url: http://127.0.0.1:{port}{path_}\n")


def start_watch(tag, config):
    ready_file = os.path.join(OUT, f"watch-{tag}.port")
    log = open(os.path.join(OUT, f"watch-{tag}.log"), "w")
    p = spawn([G, "watch", "--config", config, "--ready-file", ready_file], stdout=log, stderr=subprocess.STDOUT)
    wport = int(wait_for(f"watch {tag} ready", lambda: os.path.exists(ready_file) and open(ready_file).read().strip()))
    return p, wport


def get(wport, path):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{wport}{path}", timeout=10) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()
    except OSError as e:  # a timeout: the server does not answer
        return 0, str(e).encode()


# ---- pace among bombs ----
healthy = [(f"healthy{i}", f"/healthy{i}") for i in range(HEALTHY)]
bombs = [("cpu-bomb", "/bomb/cpu"), ("gzip-bomb", "/bomb/gzip"), ("stack-bomb", "/bomb/stack")]
config = os.path.join(OUT, "pace.yaml")
store = os.path.join(OUT, "pace.db")
write_config(config, store, healthy + bombs, "poll_cpu: 300ms\npoll_memory: 64MiB\n")
watch, wport = start_watch("pace", config)
began = time.monotonic()
time.sleep(WATCHED_S)  # the span measured, not a wait for readiness
status, body = get(wport, "/metrics")
watched = time.monotonic() - began
check(status == 200, f"/metrics answers: {status}")
try:
    text = body.decode("utf-8", "strict")
except UnicodeDecodeError as e:
    check(False, f"/metrics is not valid UTF-8 (Prometheus refuses the scrape): {e}")
    text = body.decode("utf-8", "replace")
due = watched / INTERVAL
for name, _ in healthy:
    scrapes = metric(text, "goroscope_scrapes_total", target=name) or 0
    print(f"   {name}: {scrapes:.0f} scrapes of {due:.1f} due")
    check(scrapes >= 0.8 * due, f"{name} kept its pace: {scrapes:.0f} scrapes of {due:.1f} due")
    check(metric(text, "goroscope_target_up", target=name) == 1, f"{name} is up")
for name, _ in bombs:
    print(f"   {name}: {metric(text, 'goroscope_scrapes_total', target=name) or 0:.0f} scrapes, "
          f"up {metric(text, 'goroscope_target_up', target=name)}")
health = get(wport, "/healthz")
check(health[0] == 200, f"/healthz among bombs: {health}")
# as many idle connections as a hostile page in a browser can hold, and more
idle = []
for _ in range(300):
    s_ = socket.create_connection(("127.0.0.1", wport), timeout=5)
    idle.append(s_)
t0 = time.monotonic()
health = get(wport, "/healthz")
check(health[0] == 200 and time.monotonic() - t0 < 2, f"/healthz behind 300 idle connections: {health}")
for s_ in idle:
    s_.close()
cpu_at_end = metric(text, "goroscope_watch_cpu_seconds_total") if "goroscope_watch_cpu_seconds_total" in text else None
watch.send_signal(signal.SIGTERM)
try:
    watch.wait(timeout=10)
except subprocess.TimeoutExpired:
    check(False, "watch stopped on SIGTERM (pace run)")
log = open(os.path.join(OUT, "watch-pace.log"), "rb").read()
if not LEGACY:
    check(metric(text, "goroscope_target_up", target="cpu-bomb") == 0, "the CPU bomb is down")
    check(metric(text, "goroscope_target_up", target="gzip-bomb") == 0, "the gzip bomb is down")
    check(b"cpu-bomb: down: cannot read the profile" in log and b"exceeded its budget: it took more than 0.3 s of CPU"
          in log, "the log says the CPU bomb spent its CPU budget")
    check(b"gzip-bomb: down: cannot read the profile" in log and b"more than 64 MiB of memory" in log,
          "the log says the gzip bomb spent its memory budget")
    # what the stack bomb sent: valid UTF-8 everywhere, no controls, no bidi
    check(metric(text, "goroscope_target_up", target="stack-bomb") == 1, "the stack bomb's valid profiles are read")
    funcs = [line for line in text.splitlines() if line.startswith("goroscope_group_goroutines{") and "stack-bomb" in line]
    check(funcs != [], "the stack bomb's groups are in /metrics")
    check(all("\u202e" not in f and "\x1b" not in f and "\x07" not in f for f in funcs),
          "no escape, bell or bidi override reaches /metrics")
    try:
        log.decode("utf-8", "strict")
        check(True, "")
    except UnicodeDecodeError as e:
        check(False, f"the log is not valid UTF-8: {e}")
    check(all(b"\x1b" not in line and b"\xe2\x80\xae" not in line for line in log.splitlines()),
          "no escape or bidi override in the log")
    if shutil.which("promtool"):
        pt = subprocess.run(["promtool", "check", "metrics"], input=body, capture_output=True)
        bad = [l for l in (pt.stdout + pt.stderr).decode(errors="replace").splitlines() if "error" in l.lower()]
        check(not bad, f"promtool check metrics: {bad[:3]}")
    db = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
    longest, title = db.execute("SELECT max(length(frames)), max(length(title)) FROM stacks").fetchone()
    check(longest is not None and longest <= 8192 + 16, f"a stack's text is capped at 8 KiB: {longest}")
    check(title is not None and title < 160, f"a title is capped: {title}")
    rows = db.execute("SELECT title, frames FROM stacks").fetchall()
    check(all("\u202e" not in t + f and "\x1b" not in t + f for t, f in rows), "no escape or bidi override in the store")
    print(f"   store: {os.path.getsize(store) // 1024} KiB, longest stack text {longest} bytes")
    # history prints what the store holds (written by older versions too, or
    # by hand): escaped for the terminal, every line of it
    db.close()
    copy = os.path.join(OUT, "hostile-history.db")
    shutil.copy(store, copy)
    db = sqlite3.connect(copy)
    evil = "evil\x1b[2J\r\x07\u202eosrcog"
    tid = db.execute("INSERT INTO targets(name, url) VALUES(?, ?)", (evil, "http://127.0.0.1:1/" + evil)).lastrowid
    db.execute("INSERT INTO samples(target, ts_ms, count, duration_ms, error) VALUES(?, ?, -1, 1, ?)",
               (tid, int(time.time() * 1000), "refused " + evil))
    db.execute("INSERT INTO alerts(target, rule, started_ms, value, message) VALUES(?, ?, ?, 1, ?)",
               (tid, "count" + evil, int(time.time() * 1000), "FIRING " + evil + "\n2026-12-06 forged line"))
    db.commit()
    db.close()
    for args in ([], [evil]):
        h = subprocess.run([G, "history", "--store", copy, *args], capture_output=True, timeout=60)
        out = h.stdout
        check(h.returncode == 0 and b"evil" in out, f"history {args and 'TARGET'}: {h.returncode} {h.stderr[:200]!r}")
        check(not any(c in out for c in (b"\x1b", b"\r", b"\x07", b"\xe2\x80\xae")),
              f"history {args and 'TARGET'}: no escape, carriage return, bell or bidi override reaches the terminal")
        check(b"\n2026-12-06 forged line" not in out, f"history {args and 'TARGET'}: a newline in a message cannot forge a line")

# ---- SIGTERM while a bomb is being read ----
if not LEGACY:
    config = os.path.join(OUT, "stop.yaml")
    write_config(config, os.path.join(OUT, "stop.db"), [("cpu-bomb", "/bomb/cpu"), healthy[0]],
                 "poll_cpu: 10m\npoll_memory: 4GiB\n")
    watch, wport = start_watch("stop", config)
    wait_for("the CPU bomb fetched (and now being read)",
             lambda: (metric(get(wport, "/metrics")[1].decode(), "goroscope_scrapes_total", target="cpu-bomb") or 0) >= 1)
    t0 = time.monotonic()
    watch.send_signal(signal.SIGTERM)
    try:
        watch.wait(timeout=30)
    except subprocess.TimeoutExpired:
        pass
    took = time.monotonic() - t0
    print(f"   SIGTERM while reading the CPU bomb: stopped in {took:.2f} s")
    check(watch.returncode is not None and took < 3, f"SIGTERM stops the daemon within 3 s: {took:.1f} s")
    check(b"stopping" in open(os.path.join(OUT, "watch-stop.log"), "rb").read(), "it says it is stopping")
    db = sqlite3.connect(f"file:{os.path.join(OUT, 'stop.db')}?mode=ro", uri=True)
    read = db.execute("SELECT count(*) FROM samples s JOIN targets t ON t.id = s.target WHERE t.name = 'cpu-bomb'").fetchone()
    check(read == (0,), f"the CPU bomb was still being read when the stop came (it takes seconds): {read}")
finish("watch among bombs")
