#!/usr/bin/env python3
"""make bench-watch, its fleet part: 5,000 stand-in targets (faketargets:
real recorded debug=1 profiles on 5,000 loopback ports) arrive through
file_sd and are split over 2, 3 and 5 shards (one `goroscope watch` each,
the same discovery file). For each split: every shard's targets, CPU (share
of one core) and peak memory over DURATION seconds after one interval of
warm-up, the scrapes done against those due, and that the shards cover the
fleet once (no overlap, no gap). Then a discovery change (50 targets
dropped from the file): the time until every shard's /metrics shows it.

usage: watch_shards.py GOROSCOPE FAKETARGETS WORKDIR PROFILE...
(TARGETS=5000, SHARDS="2 3 5", DURATION=60, INTERVAL=10 in the environment)
"""
import json
import os
import re
import resource
import signal
import subprocess
import sys
import time
import urllib.request

G, FAKE, OUT = sys.argv[1:4]
PROFILES = sys.argv[4:]
N = int(os.environ.get("TARGETS", "5000"))
SPLITS = [int(x) for x in os.environ.get("SHARDS", "2 3 5").split()]
DURATION = float(os.environ.get("DURATION", "60"))
INTERVAL = float(os.environ.get("INTERVAL", "10"))
os.makedirs(OUT, exist_ok=True)
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

ports_file = os.path.join(OUT, "ports.txt")
if os.path.exists(ports_file):
    os.unlink(ports_file)
fake = subprocess.Popen([FAKE, "-n", str(N), "-ports", ports_file, *PROFILES], stdout=subprocess.DEVNULL,
                        stderr=open(os.path.join(OUT, "fake.err"), "w"))
procs = [fake]


def cleanup():
    for p in procs:
        if p.poll() is None:
            p.kill()


try:
    for _ in range(600):
        if os.path.exists(ports_file) and len(open(ports_file).read().split()) == N:
            break
        time.sleep(0.1)
    ports = open(ports_file).read().split()
    sd = os.path.join(OUT, "targets.json")

    def write_targets(addresses):
        with open(sd + ".tmp", "w") as f:
            json.dump([{"targets": addresses, "labels": {"env": "bench"}}], f)
        os.replace(sd + ".tmp", sd)

    def metrics(port):
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=30) as r:
            return r.read().decode()

    def up_targets(text):
        return set(re.findall(r'^goroscope_target_up\{target="([^"]+)"', text, re.M))

    def cpu_ticks(pid):
        f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
        return int(f[11]) + int(f[12])

    hz = os.sysconf("SC_CLK_TCK")
    addresses = [f"127.0.0.1:{p}" for p in ports]
    print(f"watch over file_sd: {N} targets every {INTERVAL:g} s, measured over {DURATION:g} s per split")
    print(f"{'shards':>6} {'shard':>5} {'targets':>7} {'CPU %':>6} {'peak MB':>7} {'scrapes':>8} {'due':>7}")
    for n in SPLITS:
        write_targets(addresses)
        watchers = []
        for i in range(n):
            cfg = os.path.join(OUT, f"w{n}-{i}.yaml")
            with open(cfg, "w") as f:
                f.write(f"listen: 127.0.0.1:0\nstore: {OUT}/w{n}-{i}.db\nshard: {i}/{n}\n"
                        f"defaults:\n  interval: {INTERVAL:g}s\n  timeout: 5s\n"
                        f"  thresholds: {{count: 1000000, rate: 100000}}\n"
                        f"discovery:\n  - file_sd: [{sd}]\n")
            for ext in ("", "-wal", "-shm"):
                if os.path.exists(f"{OUT}/w{n}-{i}.db{ext}"):
                    os.unlink(f"{OUT}/w{n}-{i}.db{ext}")
            ready = os.path.join(OUT, f"w{n}-{i}.port")
            if os.path.exists(ready):
                os.unlink(ready)
            p = subprocess.Popen([G, "watch", "-q", "--config", cfg, "--ready-file", ready])
            procs.append(p)
            while not (os.path.exists(ready) and open(ready).read().strip()):
                time.sleep(0.05)
            watchers.append((p, int(open(ready).read())))
        # discovery, then one interval for the first polls to spread
        while sum(len(up_targets(metrics(port))) for _, port in watchers) < N:
            time.sleep(0.2)
        time.sleep(INTERVAL)
        c0 = [cpu_ticks(p.pid) for p, _ in watchers]
        s0 = [sum(float(x) for x in re.findall(r"^goroscope_scrapes_total\{[^}]*\} (\S+)$", metrics(port), re.M))
              for _, port in watchers]
        t0 = time.monotonic()
        time.sleep(DURATION)
        wall = time.monotonic() - t0
        seen = []
        for i, (p, port) in enumerate(watchers):
            text = metrics(port)
            mine = up_targets(text)
            seen.append(mine)
            cpu = (cpu_ticks(p.pid) - c0[i]) / hz
            peak = int(re.search(r"VmHWM:\s+(\d+)", open(f"/proc/{p.pid}/status").read()).group(1)) / 1024
            scrapes = sum(float(x) for x in re.findall(r"^goroscope_scrapes_total\{[^}]*\} (\S+)$", text, re.M)) - s0[i]
            print(f"{n:>6} {i:>5} {len(mine):>7} {100 * cpu / wall:>6.1f} {peak:>7.1f} {scrapes:>8.0f} "
                  f"{len(mine) * wall / INTERVAL:>7.0f}")
        union = set().union(*seen)
        overlap = sum(len(s) for s in seen) - len(union)
        print(f"{n:>6}   all {len(union):>7}  (no gap: {union == set(addresses)}, overlap: {overlap})")
        if n == SPLITS[-1]:
            # a change: 50 targets leave the file; until every shard shows it
            t0 = time.monotonic()
            write_targets(addresses[50:])
            while sum(len(up_targets(metrics(port))) for _, port in watchers) != N - 50:
                time.sleep(0.05)
            print(f"discovery change (50 of {N} targets gone) seen by all {n} shards in {time.monotonic() - t0:.2f} s")
        for p, _ in watchers:
            p.send_signal(signal.SIGTERM)
            p.wait(timeout=120)
finally:
    cleanup()
