#!/usr/bin/env python3
"""The parallel reader on real Go output of every version: each generated
corpus dump (goX.Y/) is grown past the size where goroscope reads with
several threads, by repeating its goroutines with their ids (and parents)
shifted, so that it stays one dump. `analyze --json --ids --all` must then
give byte-identical output with 1, 2 and 4 threads, through the file's
mapping and with pread (GOROSCOPE_READER, source/file_reader.h), and
GOROSCOPE_TIMING must say they were really read in parts (not by the
one-thread fallback, which would make the comparison empty) and by the
reader asked for: debug=2 dumps, and crash and SIGQUIT dumps, whose
register dumps and thread lines then stand between the repeats.

usage: check_parallel.py GOROSCOPE CORPUS_DIR WORK_DIR
"""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from checks import check, finish  # noqa: E402

GOROSCOPE, CORPUS, WORK = sys.argv[1], sys.argv[2], sys.argv[3]
TARGET = 6 << 20  # over the 4 MiB where the reader goes parallel
INPUTS = ["goroutine.debug2.txt", "goroutine.aged.debug2.txt", "crash_all.txt", "sigquit.txt"]
HEADER = re.compile(rb"^goroutine (\d+) ", re.M)
PARENT = re.compile(rb" in goroutine (\d+)$", re.M)


def grown(src):
    """src with its goroutines repeated to TARGET bytes, ids shifted."""
    m = HEADER.search(src)
    if not m:
        return None
    head, body = src[: m.start()], src[m.start():]
    if not body.endswith(b"\n\n"):
        body += b"\n" if body.endswith(b"\n") else b"\n\n"
    out, size, k = [head, body], len(src), 1
    while size < TARGET:
        off = k * 10_000_000
        shift = lambda mm: mm.group(0).replace(mm.group(1), b"%d" % (int(mm.group(1)) + off))  # noqa: E731
        b = PARENT.sub(shift, HEADER.sub(shift, body))
        out.append(b)
        size += len(b)
        k += 1
    return b"".join(out)


def analyze(path, threads, reader):
    p = subprocess.run([GOROSCOPE, "analyze", "--json", "--ids", "--all", "--threads", str(threads), path],
                       capture_output=True, timeout=300,
                       env={**os.environ, "GOROSCOPE_TIMING": "1", "GOROSCOPE_READER": reader})
    timing = [l for l in p.stderr.decode(errors="replace").splitlines() if l.startswith("goroscope: timing:")]
    parts = [(int(n), how) for n, how in re.findall(r" in (\d+) part\(s\), (\w+)", "\n".join(timing))]
    others = [l for l in p.stderr.decode(errors="replace").splitlines() if not l.startswith("goroscope: timing:")]
    return p.returncode, p.stdout, others, parts


os.makedirs(WORK, exist_ok=True)
gen = os.path.join(CORPUS, "generated")
for ver in sorted(os.listdir(gen)):
    for name in INPUTS:
        src_path = os.path.join(gen, ver, name)
        if not os.path.exists(src_path):
            continue
        big = grown(open(src_path, "rb").read())
        if big is None:
            continue
        path = os.path.join(WORK, f"{ver}-{name}")
        with open(path, "wb") as f:
            f.write(big)
        where = f"{ver}/{name} grown to {len(big) >> 20} MiB"
        rc1, out1, err1, parts1 = analyze(path, 1, "map")
        check(rc1 in (0, 1) and out1.startswith(b"{"), f"{where}: one thread: exit {rc1} {err1[:3]}")
        check(parts1 == [(1, "map")], f"{where}: one thread: read {parts1}")
        for reader in ("map", "pread"):
            for threads in (1, 2, 4) if reader == "pread" else (2, 4):
                rc, out, err, parts = analyze(path, threads, reader.replace("pread", "read"))
                check((rc, out, err) == (rc1, out1, err1),
                      f"{where}: {threads} threads with {reader} read it otherwise than one thread mapped")
                check(parts == [(threads, reader)], f"{where}: {threads} threads with {reader}: read {parts}")
        os.unlink(path)


def resident_share(path):
    """Share of path in the page cache (fincore, util-linux), or None."""
    try:
        p = subprocess.run(["fincore", "--bytes", "--noheadings", "--output", "RES,SIZE", path],
                           capture_output=True, text=True, timeout=30)
        res, size = (int(x) for x in p.stdout.split()[:2])
        return res / size
    except (OSError, ValueError, subprocess.SubprocessError):
        return None


# The reader goroscope picks by itself (source/file_reader.h): a file over
# 32 MiB that is not in the page cache is read with pread, and gives the
# same output as when it is mapped. (Where the file system keeps files in
# memory anyway, tmpfs, it cannot be dropped: then only the output is
# compared.)
src = open(os.path.join(gen, "go1.22", "goroutine.debug2.txt"), "rb").read()
TARGET = 40 << 20
big = grown(src)
path = os.path.join(WORK, "cold.txt")
with open(path, "wb") as f:
    f.write(big)
    f.flush()
    os.fsync(f.fileno())
rc_map, out_map, _, _ = analyze(path, 2, "map")
fd = os.open(path, os.O_RDONLY)
os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
os.close(fd)
share = resident_share(path)
rc, out, err, parts = analyze(path, 2, "")
check((rc, out) == (rc_map, out_map), f"a {len(big) >> 20} MiB dump read by the reader picked: the mapped output")
if share is not None and share < 0.5:
    check(parts == [(2, "pread")], f"a dump out of the page cache ({100 * share:.0f}% in it) is read with pread: {parts}")
else:
    print(f"   (the file stayed in memory, {share}: the pick is not checked)")
os.unlink(path)
finish("parallel reader")
