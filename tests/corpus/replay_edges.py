#!/usr/bin/env python3
"""Replay of learnt stacks (src/parse/tb_replay.c) on the inputs that could
trip it: dumps written to stand where its trie of segments branches, where a
hole (arguments, the creator's goroutine number) ends, where a line would
be read otherwise. Each dump must give byte-identical JSON with replay and
without it (GOROSCOPE_NO_REPLAY=1), on one thread and on two.

usage: replay_edges.py GOROSCOPE WORKDIR"""
import os
import random
import re
import subprocess
import sys

G, WORK = sys.argv[1], sys.argv[2]
os.makedirs(WORK, exist_ok=True)
rnd = random.Random(18)


def block(gid, state, frames, creator=None, parent=None, nl="\n"):
    """frames: (name, args or None for inlined "(...)", file, line)."""
    out = [f"goroutine {gid} [{state}]:"]
    for name, args, path, line in frames:
        out.append(f"{name}({'...' if args is None else args})")
        out.append(f"\t{path}:{line} +0x{line:x}")
    if creator:
        out.append(f"created by {creator}" + ("" if parent is None else f" in goroutine {parent}"))
        out.append("\t/src/spawn.go:9 +0x1d")
    return nl.join(out) + nl + nl


def args_of(n):
    """An argument list of exactly n bytes, as Go prints them."""
    s = ", ".join("0x%x" % rnd.randrange(1 << 40) for _ in range(n // 8 + 1))
    return (s * (n // max(len(s), 1) + 1))[:n].rstrip(", ")


def branching():
    """Many stacks sharing their first frames and parting at every depth,
    each seen several times with other arguments: crit-bit trees of many
    segments, segments of every length."""
    layers = [f"main.layer{i}" for i in range(12)] + ["main.l", "main.layer1x", "main.layer1y"]
    stacks = []
    for _ in range(400):
        depth = rnd.randrange(1, 14)
        st = [("runtime.gopark", "0x0?, 0x0?, 0x0?, 0x0?, 0x0?", "/go/src/runtime/proc.go", 381)]
        for _ in range(depth):
            name = rnd.choice(layers)
            st.append((name, "", f"/src/{name[5:]}.go", rnd.choice([7, 70, 700, 7000])))
        stacks.append(st)
    text, gid = "", 1
    for _ in range(16):  # over 4 MiB: read in two parts on two threads
        for st in stacks:
            frames = [(n, args_of(rnd.choice([0, 3, 12, 15, 16, 17, 31, 32, 33, 63, 64, 65, 140]))
                       if a is not None else None, p, ln) for n, a, p, ln in st]
            text += block(gid, rnd.choice(["chan receive", "select", "chan receive, 3 minutes"]), frames,
                          "main.spawn", rnd.randrange(1, 10 ** rnd.randrange(1, 19)))
            gid += 1
    return text


def holes():
    """What a hole may hold, at one place of one stack: the line-by-line
    path reads some of these as other frames, or not as frames at all."""
    base = [("main.wait", "0xc000012000", "/src/w.go", 10), ("main.run", "", "/src/r.go", 20)]
    variants = ["0xc000012345", "", "...", "a)b", "a(b", "(", ")", "0x1, {0x2, 0x3}, 0x4",
                "x" * 2000, "0x0?", " ", "\t", "0xc0000120001234567"]
    text, gid = "", 1
    for _ in range(3):
        for v in variants:
            frames = [("main.wait", v, "/src/w.go", 10)] + base[1:]
            text += block(gid, "chan receive", frames, "main.main", gid * 7)
            gid += 1
            # the same stack, inlined at that place
            frames = [("main.wait", None, "/src/w.go", 10)] + base[1:]
            text += block(gid, "chan receive", frames, "main.main")
            gid += 1
    return text


def creators():
    """The creator's goroutine number: none, 1 to 20 digits, not a number."""
    frames = [("main.serve", "0xc000010000", "/src/s.go", 3)]
    text, gid = "", 1
    for _ in range(3):
        for parent in [None, 1, 12, 10 ** 18, 10 ** 19 - 1, 10 ** 19, 10 ** 25, "12x", "", "0"]:
            t = block(gid, "IO wait", frames, "main.listen", parent)
            text += t
            gid += 1
    return text


def line_ends():
    """A repeated block with one line ended by CRLF, a trailing space, a
    file line indented with spaces, a NUL in a name, a missing blank line."""
    frames = [("main.a", "0x1", "/src/a.go", 1), ("main.b", "0x2", "/src/b.go", 2)]
    text, gid = "", 1
    for k in range(40):
        t = block(gid, "select", frames, "main.main", 5)
        if k % 5 == 1:
            t = t.replace("main.b(0x2)\n", "main.b(0x2)\r\n")
        if k % 5 == 2:
            t = t.replace("\t/src/b.go", "    /src/b.go")
        if k % 5 == 3:
            t = t.replace("main.a(0x1)", "main.a(0x1) ")
        if k % 5 == 4:
            t = t.replace("main.b(", "main.b\0(")
        text += t
        gid += 1
    return text + block(gid, "select", frames, "main.main", 5)[:-1]  # ends without the blank line


def long_lines():
    """Arguments that make a line as long as the reader keeps, and longer."""
    frames = [("main.big", "0x1", "/src/big.go", 1)]
    text = block(1, "select", frames, "main.main", 1)
    for gid, n in enumerate([1 << 10, (1 << 20) - 40, (1 << 20) - 12, (1 << 20) - 8, (1 << 20) + 10], start=2):
        text += block(gid, "select", [("main.big", "y" * n, "/src/big.go", 1)], "main.main", 1)
    # a creator line two bytes short of the limit with a one-digit number,
    # then the same creator with longer numbers
    creator = "main." + "c" * ((1 << 20) - 2 - len("created by main.") - len(" in goroutine 1"))
    for gid, parent in enumerate([1, 2, 10, 123, 12345], start=20):
        text += block(gid, "select", frames, creator, parent)
    return text + block(30, "select", frames)  # (the last block is never replayed)


def pcs():
    """File lines with fp=, sp= and pc= (GOTRACEBACK=system or crash),
    whose values differ in every goroutine: as Go prints them, and holding
    what the line-by-line path reads otherwise or not at all (a ':', a
    '\r' at the end, nothing, lines at the length limit), with and
    without the +0x offset, after a frame whose file line has none."""
    def g(gid, offset, v):
        head = f"\t/go/src/runtime/proc.go:363{' +0xd6' if offset else ''} fp="
        if isinstance(v, int):  # a line of v bytes
            v = "0x1 sp=" + "2" * (v - len(head) - 7)
        return "\n".join([f"goroutine {gid} [chan receive]:", "runtime.gopark(0x0?, 0x0?)", head + v,
                          "runtime.goparkunlock(...)", "\t/go/src/runtime/proc.go:369",
                          "main.worker(0xc%09x)" % gid,
                          f"\t/src/w.go:12 +0x1d fp=0xc{gid:09x} sp=0xc{gid + 8:09x} pc=0x4bc0bc",
                          "created by main.main in goroutine 1", "\t/src/main.go:20 +0x55"]) + "\n\n"
    limit = 1 << 20
    variants = ["0xc00015ab48 sp=0xc00015ab28 pc=0x437b36", "", "0x1", "0x1:2 sp=0x2 pc=0x3",
                "0x1 sp=0x2 pc=0x3\r", "0x1 sp=0x2\r pc=0x3", ":", " ", "0x1 sp=0x2 pc=0x3 ",
                limit - 2, limit - 1, limit, limit + 1]
    text, gid = "", 1
    for offset in (True, False):
        text += g(gid, offset, "0xc000010000 sp=0xc000010020 pc=0x437b36")  # learnt
        gid += 1
        for _ in range(3):
            for v in variants:
                text += g(gid, offset, v)
                gid += 1
    return text


def service(stack, gid, distinct):
    """One goroutine of a service: a distinct long-lived one (its own
    function and line), or one of a few leaked stacks."""
    if distinct is not None:
        frames = [(f"main.loop{distinct}", "0xc000%06x" % distinct, "/src/app/loops.go", 100 + distinct),
                  ("main.run", "0x1", "/src/app/run.go", 30)]
        return block(gid, "select", frames, "main.main", 1)
    frames = [("main.leak%d" % stack, "0xc%09x" % rnd.randrange(1 << 36), "/src/app/leak.go", 10 + stack),
              ("main.handle", "0x%x, 0x0?" % rnd.randrange(1 << 20), "/src/app/handle.go", 55)]
    return block(gid, "chan send", frames, "main.serve", rnd.randrange(1, 1 << 20))


def distinct_first():
    """A service's distinct long-lived goroutines first (more than a window
    of the replay's judge: it pauses), then a leak of a few stacks (it must
    resume), a run of distinct ones again (it pauses again) and the leak
    again (it resumes, with the templates it had)."""
    text, gid = "", 1
    for run, distinct in ((0, True), (1, False), (2, True), (3, False)):
        for i in range(1500 if distinct else 6000):
            text += service(i % 6, gid, run * 10000 + i if distinct else None)
            gid += 1
    return text


# Goroutines each case must have read by replay, on one thread: replay that
# stopped for good after a pause would read these dumps line by line.
min_replayed = {"distinct_first": 11000, "pcs": 12}

cases = {"branching": branching(), "holes": holes(), "creators": creators(), "line_ends": line_ends(),
         "long_lines": long_lines(), "pcs": pcs(), "distinct_first": distinct_first()}
fail = 0
for name, text in cases.items():
    path = os.path.join(WORK, name + ".txt")
    with open(path, "wb") as f:
        f.write(text.encode("latin-1"))
    outs = {}
    for replay in (True, False):
        for threads in ("1", "2"):
            env = dict(os.environ)
            if not replay:
                env["GOROSCOPE_NO_REPLAY"] = "1"
            env["GOROSCOPE_TIMING"] = "1"
            r = subprocess.run([G, "analyze", "--json", "--ids", "--all", "--threads", threads, path],
                               env=env, capture_output=True)
            outs[(replay, threads)] = (r.returncode, r.stdout)
            replayed = re.findall(rb"(\d+) goroutines replayed", r.stderr)
            if replay and threads == "1" and int(replayed[0]) < min_replayed.get(name, 0):
                print(f"FAIL replay edges: {name}: {int(replayed[0])} goroutines replayed, "
                      f"want at least {min_replayed[name]}")
                fail += 1
    first = outs[(False, "1")]
    if first[0] != 0 or b'"groups"' not in first[1]:
        print(f"FAIL {name}: no report (exit {first[0]})")
        fail += 1
        continue
    for key, got in outs.items():
        if got != first:
            print(f"FAIL replay edges: {name}: replay={key[0]} threads={key[1]} differs from the line-by-line reading")
            fail += 1
print(f"replay edges: {len(cases) - fail} of {len(cases)} dumps read alike with and without replay")
sys.exit(1 if fail else 0)
