#!/usr/bin/env python3
"""Run commands side by side, interleaved, several times; print the median
wall time, throughput and peak RSS of each. Used by bench/run.sh.

usage: measure.py RUNS FILE LABEL=COMMAND...   (COMMAND is run by sh -c, with
stdout to /dev/null; {} in COMMAND is replaced by FILE)
"""
import os
import statistics
import subprocess
import sys
import time

runs, path = int(sys.argv[1]), sys.argv[2]
cmds = [a.split("=", 1) for a in sys.argv[3:]]
size = os.path.getsize(path)
# Warm the page cache so every command reads from memory.
with open(path, "rb") as f:
    while f.read(1 << 24):
        pass
res = {label: ([], []) for label, _ in cmds}
for _ in range(runs):
    for label, cmd in cmds:
        t0 = time.perf_counter()
        p = subprocess.Popen(["sh", "-c", "exec " + cmd.replace("{}", path)], stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
        _, status, ru = os.wait4(p.pid, 0)
        dt = time.perf_counter() - t0
        code = os.waitstatus_to_exitcode(status)
        if code not in (0, 1):
            sys.exit(f"{label}: exit {code}: {cmd}")
        res[label][0].append(dt)
        res[label][1].append(ru.ru_maxrss)
print(f"file: {path} ({size / 1e6:.1f} MB), {runs} runs each, interleaved; medians")
base = None
for label, _ in cmds:
    t = statistics.median(res[label][0])
    rss = max(res[label][1]) / 1024
    base = base or t
    print(f"  {label:<28} {t * 1000:9.1f} ms  {size / t / 1e9:6.2f} GB/s  peak RSS {rss:7.1f} MB"
          f"  ({t / base:.2f}x the first)")
