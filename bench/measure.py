#!/usr/bin/env python3
"""Run commands side by side, interleaved, several times; print the median
wall time, throughput and peak RSS (GNU time's %M) of each. Used by
bench/run.sh.

usage: measure.py RUNS FILE LABEL=COMMAND...   (COMMAND is run by sh -c, with
stdout to /dev/null; {} in COMMAND is replaced by FILE)

The file is read whole first, so every command finds it in the page cache
(in whatever state bench/cache_state.py left it); with MEASURE_COLD=1 it is
dropped from the cache before every command instead (read from the disk).
"""
import os
import statistics
import subprocess
import sys
import time

runs, path = int(sys.argv[1]), sys.argv[2]
cmds = [a.split("=", 1) for a in sys.argv[3:]]
size = os.path.getsize(path)
cold = bool(os.environ.get("MEASURE_COLD"))


def drop():
    fd = os.open(path, os.O_RDONLY)
    os.fsync(fd)
    os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    os.close(fd)


if not cold:
    # Warm the page cache so every command reads from memory.
    with open(path, "rb") as f:
        while f.read(1 << 24):
            pass
res = {label: ([], []) for label, _ in cmds}
for _ in range(runs):
    for label, cmd in cmds:
        if cold:
            drop()
        # GNU time reports the command's own peak RSS (a child forked from
        # this Python process would count Python's pages too).
        t0 = time.perf_counter()
        p = subprocess.run(["/usr/bin/time", "-f", "%M", "sh", "-c",
                            "exec " + cmd.replace("{}", path) + " >/dev/null 2>/dev/null"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        dt = time.perf_counter() - t0
        if p.returncode not in (0, 1) and not os.environ.get("MEASURE_ANY_EXIT"):
            sys.exit(f"{label}: exit {p.returncode}: {cmd}")
        res[label][0].append(dt)
        res[label][1].append(int(p.stderr.decode().strip().splitlines()[-1]))
print(f"file: {path} ({size / 1e6:.1f} MB), {runs} runs each, interleaved; medians"
      + ("; dropped from the page cache before each" if cold else ""))
base = None
width = max(28, max(len(label) for label, _ in cmds))
for label, _ in cmds:
    t = statistics.median(res[label][0])
    rss = max(res[label][1]) / 1024
    base = base or t
    print(f"  {label:<{width}} {t * 1000:9.1f} ms  {size / t / 1e9:6.2f} GB/s  peak RSS {rss:7.1f} MB"
          f"  ({t / base:.2f}x the first)")
