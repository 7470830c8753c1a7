#!/usr/bin/env python3
"""Put a file in a known page-cache state, for bench/run.sh. How a file
reached the page cache decides how fast it can be read (a mapping faults
16 small pages at a time, a large folio at once), so the benchmark sets the
state itself instead of inheriting whatever the last run left:

  written SRC DST   DST is SRC written in 512-byte writes, as the Go runtime
                    writes a crash dump (and as a service writes debug=2 to
                    a file): the cache holds it in small pages
  evicted FILE...   dropped from the cache, then read back whole: large folios
  cold FILE...      dropped from the cache (read from the disk at the next run)
  show FILE...      one line a file: its size and the share of it in the
                    cache (fincore), for the results

Dropping needs the file's dirty pages written first (fsync), which this does.
"""
import os
import subprocess
import sys


def drop(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


def read_back(path):
    with open(path, "rb") as f:
        while f.read(1 << 24):
            pass


def resident(path):
    """Share of the file's pages in the page cache, from fincore (util-linux)."""
    p = subprocess.run(["fincore", "--bytes", "--noheadings", "--output", "RES,SIZE", path],
                       capture_output=True, text=True)
    if p.returncode != 0 or not p.stdout.split():
        return None
    res, size = (int(x) for x in p.stdout.split()[:2])
    return res / size if size else 1.0


cmd, args = sys.argv[1], sys.argv[2:]
if cmd == "written":
    src, dst = args
    data = memoryview(open(src, "rb").read())
    fd = os.open(dst + ".tmp", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    for i in range(0, len(data), 512):
        os.write(fd, data[i:i + 512])
    os.close(fd)
    os.replace(dst + ".tmp", dst)
elif cmd in ("evicted", "cold"):
    for path in args:
        drop(path)
        if cmd == "evicted":
            read_back(path)
elif cmd == "show":
    for path in args:
        share = resident(path)
        print(f"  {os.path.basename(path)}: {os.path.getsize(path) / 1e6:.1f} MB, "
              f"{'?' if share is None else f'{100 * share:.0f}%'} in the page cache")
else:
    sys.exit(__doc__)
