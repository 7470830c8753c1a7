"""Claim checker: what `leaks` and `analyze` reports say about their data is
re-derived here from the snapshots themselves, read by this module's own
small parsers (debug=2 text dumps, debug=1 text, gzipped pprof protobuf), so
a report that says more than the data shows fails the suite that produced
it. Checked: each leak's count per snapshot, "never fell" and "rose from A
to B over N snapshots", "ids persist" (every / at least X%), the wait
minutes it quotes, and for groups set aside the fall or level it names.

For `analyze`: the total, and per group (one stack) its count, states,
wait minutes and sample ids; per suspected site its count as the sum of its
groups'; per parked site that its group is there and counted.

check_leaks_claims(label, report) takes a parsed `leaks --json` document
whose snapshot sources are files; check_analyze_claims(label, report) an
`analyze --json` one."""
import gzip
import json
import os
import re
import subprocess

from checks import check

# "goroutine 7 [chan send (leaked), 3 minutes, locked to thread] {k: v}:",
# with Go 1.26's "labels:{...}" inside the brackets instead
_HEADER = re.compile(r"^goroutine (\d+)(?: gp=\S+ m=\S+(?: mp=\S+)?)? \[(.*?)\](?: \{.*\})?:$")
_ANNOTATION = re.compile(r" \((?:leaked|durable)\)$")
_FRAME_FILE = re.compile(r"^(?:\t|        )(.*):(\d+)(?: \+0x[0-9a-f]+)?(?: fp=\S+ sp=\S+ pc=\S+)?$")
_D1_SAMPLE = re.compile(r"^(\d+) @(?: 0x[0-9a-f]+)+$")
_D1_FRAME = re.compile(r"^#\s+0x[0-9a-f]+\s+(\S+?)\+0x[0-9a-f]+\s+(.*):(\d+)$")


class Goroutine:
    __slots__ = ("id", "state", "minutes", "frames", "creator", "weight", "labels")

    def __init__(self, gid=None, state=None, minutes=None, weight=1):
        self.id, self.state, self.minutes, self.weight = gid, state, minutes, weight
        self.frames, self.creator, self.labels = [], None, None


_ESCAPE = re.compile(r"%([0-9a-fA-F]{2})")


def _unescape(name):
    """The linker's %XX escapes of a package path, as Go writes the path."""
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), name)


def _func_name(line):
    """'pkg.f(0x1, ...)' or 'pkg.f(...)' -> 'pkg.f'; a receiver's
    parentheses stay: 'pkg.(*T).m(...)' -> 'pkg.(*T).m'."""
    if line.endswith(")"):
        depth = 0
        for i in range(len(line) - 1, -1, -1):
            depth += {")": 1, "(": -1}.get(line[i], 0)
            if depth == 0:
                return _unescape(line[:i])
    return _unescape(line)


def parse_debug2(text):
    out, g, pending = [], None, None
    for line in text.splitlines():
        m = _HEADER.match(line)
        if m:
            inside = m.group(2).split(" labels:{")[0]
            parts = inside.split(", ")
            state = parts[0]
            while _ANNOTATION.search(state):
                state = _ANNOTATION.sub("", state)
            minutes = next((int(p.split()[0]) for p in parts[1:] if p.endswith(" minutes")), None)
            g = Goroutine(int(m.group(1)), state, minutes)
            out.append(g)
            continue
        if line.startswith("[originating from goroutine"):
            g = None  # tracebackancestors: an ancestor's stack, not this goroutine's
            continue
        if g is None or not line:
            continue
        fm = _FRAME_FILE.match(line)
        if fm and pending is not None:
            kind, name = pending
            if kind == "creator":
                g.creator = (name, int(fm.group(2)))
            else:
                g.frames.append((name, int(fm.group(2))))
            pending = None
        elif line.startswith("created by "):
            pending = ("creator", _unescape(line[len("created by "):].split(" in goroutine ")[0]))
        elif not line.startswith(("\t", "        ")):
            pending = ("frame", _func_name(line))
    return out


def parse_debug1(text):
    out, g, pcs = [], None, {}
    for line in text.splitlines():
        m = _D1_SAMPLE.match(line)
        if m:
            g = Goroutine(weight=int(m.group(1)))
            out.append(g)
            pcs[id(g)] = [a for a in line.split("@", 1)[1].split() if a != "0x0"]
            continue
        if line.startswith("# labels: ") and g is not None:
            try:
                g.labels = json.loads(line[len("# labels: "):])
            except ValueError:
                g.labels = line
            continue
        fm = _D1_FRAME.match(line)
        if fm and g is not None:
            g.frames.append((_unescape(fm.group(1)), int(fm.group(3))))
        elif not line.strip():
            g = None
    for g in out:  # a record without '#' lines: its addresses stand for the frames
        if not g.frames:
            g.frames = [(a, 0) for a in pcs[id(g)]]
    return out


def _varint(b, i):
    v = shift = 0
    while True:
        c = b[i]
        i += 1
        v |= (c & 0x7F) << shift
        shift += 7
        if c < 0x80:
            return v, i


def _fields(b):
    i = 0
    while i < len(b):
        key, i = _varint(b, i)
        wt = key & 7
        if wt == 0:
            v, i = _varint(b, i)
        elif wt == 2:
            n, i = _varint(b, i)
            v, i = b[i:i + n], i + n
        elif wt == 1:
            v, i = b[i:i + 8], i + 8
        elif wt == 5:
            v, i = b[i:i + 4], i + 4
        else:
            raise ValueError(f"wire type {wt}")
        yield key >> 3, wt, v


def _ints(wt, v):
    if wt == 0:
        return [v]
    out, i = [], 0
    while i < len(v):
        x, i = _varint(v, i)
        out.append(x)
    return out


def parse_pprof(data):
    """A goroutine profile (profile.proto): one Goroutine per sample, weight
    = its count, frames leaf first (inlined lines in order)."""
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    strings, funcs, locs, samples = [], {}, {}, []
    for num, wt, v in _fields(data):
        if num == 6:
            strings.append(v.decode("utf-8", "replace"))
        elif num == 5:
            f = dict((n, x) for n, _, x in _fields(v))
            funcs[f.get(1, 0)] = f.get(2, 0)
        elif num == 4:
            lid, lines, addr = 0, [], 0
            for n, w, x in _fields(v):
                if n == 1:
                    lid = x
                elif n == 3:
                    addr = x
                elif n == 4:
                    ln = dict((k, y) for k, _, y in _fields(x))
                    lines.append((ln.get(1, 0), ln.get(2, 0)))
            # no symbol: the address stands for the function
            locs[lid] = lines or ([(None, f"0x{addr:x}")] if addr not in (0, (1 << 64) - 1) else [])
        elif num == 2:
            ids, vals = [], []
            for n, w, x in _fields(v):
                if n == 1:
                    ids += _ints(w, x)
                elif n == 2:
                    vals += _ints(w, x)
            samples.append((ids, vals))
    out = []
    for ids, vals in samples:
        g = Goroutine(weight=vals[0] if vals else 1)
        for lid in ids:
            for fid, line in locs.get(lid, []):
                g.frames.append((line, 0) if fid is None else (strings[funcs.get(fid, 0)], line))
        out.append(g)
    return out


def read_snapshot(path):
    data = open(path, "rb").read()
    if data[:2] == b"\x1f\x8b" or (data[:1] == b"\x0a"):
        return parse_pprof(data)
    text = data.decode("utf-8", "replace")
    if text.lstrip().startswith("goroutine profile:"):
        return parse_debug1(text)
    return parse_debug2(text)


def _key(frames):
    """A stack as goroscope matches it over time: without the runtime's
    frames on top (the parking, which differs between formats)."""
    i = 0
    while i + 1 < len(frames) and frames[i][0].startswith("runtime."):
        i += 1
    return tuple(frames[i:])


def _members(gs, frames, creator):
    key = _key(frames)
    return [g for g in gs if _key(g.frames) == key and (creator is None or g.creator == creator)]


def _shares(series):
    """Per step, the share of a step's goroutines (ids) alive at the next."""
    out = []
    for (ids, alive_next) in series:
        if ids:
            out.append(sum(1 for i in ids if i in alive_next) / len(ids))
    return out


def check_leaks_claims(label, d, record=check):
    """Check a `leaks --json` report against its snapshots (files); a
    report over live URLs has nothing to re-read and is skipped. record
    (cond, what) takes each verdict: checks.check by default."""
    judged = d["snapshots"]  # the series judged: one process's, in time order
    if not all(os.path.isfile(s["source"]) and s.get("index", 1) == 1 for s in judged):
        return
    snaps = [read_snapshot(s["source"]) for s in judged]
    text = all(g.id is not None for gs in snaps for g in gs)
    for leak in d["leaks"]:
        frames = [(f["func"], f["line"]) for f in leak["frames"]]
        cb = leak.get("created_by")
        creator = (cb["func"], cb["line"]) if text and cb else None
        members = [_members(gs, frames, creator) for gs in snaps]
        counts = [sum(g.weight for g in m) for m in members]
        name = leak["blocking_site"]["func"] if leak.get("blocking_site") else frames[0][0]
        what = f"{label}: leak at {name}"
        record(counts == leak["counts"], f"{what}: counts {leak['counts']}, the snapshots hold {counts}")
        for e in leak["evidence"]:
            m = re.match(r"the count (never fell and )?rose from (\d+) to (\d+) over (\d+) snapshots", e)
            if m:
                record([int(m.group(2)), int(m.group(3)), int(m.group(4))] == [counts[0], counts[-1], len(counts)],
                      f"{what}: '{e}' but counts are {counts}")
                if m.group(1):
                    record(all(a <= b for a, b in zip(counts, counts[1:])), f"{what}: '{e}' but counts are {counts}")
                else:
                    peak = 0
                    for c in counts:
                        peak = max(peak, c)
                        record(c >= 0.9 * peak, f"{what}: '{e}' but counts are {counts}")
            if e.startswith("goroutine ids persist"):
                alive = [set(g.id for g in gs) for gs in snaps]
                shares = _shares([(set(g.id for g in members[i]), alive[i + 1]) for i in range(len(snaps) - 1)])
                record(shares, f"{what}: '{e}' but no ids to follow")
                if "every snapshot's goroutines" in e:
                    record(all(s == 1.0 for s in shares), f"{what}: '{e}' but step survivals are {shares}")
                pm = re.search(r"at least (\d+)%", e)
                if pm:
                    record(min(shares) * 100 >= int(pm.group(1)), f"{what}: '{e}' but step survivals are {shares}")
            mm = re.match(r"the oldest of them have waited (\d+) minutes?", e)
            if mm:
                last = members[leak_point(leak, counts)]
                waits = [g.minutes for g in last if g.minutes is not None]
                record(waits and max(waits) == int(mm.group(1)), f"{what}: '{e}' but the waits are {sorted(set(waits))}")
    for ig in d["ignored"]:
        frames = [(f["func"], f["line"]) for f in ig["frames"]]
        counts = [sum(g.weight for g in m) for m in (_members(gs, frames, None) for gs in snaps)]
        what = f"{label}: set aside {frames[0][0] if frames else '?'}"
        if "fell back on the way" in ig["reason"] or "fell back: a burst" in ig["reason"]:
            record(any(c < 0.9 * max(counts[:i + 1]) for i, c in enumerate(counts)),
                  f"{what}: says it fell back, counts {counts}")
        if "held level" in ig["reason"]:
            need = max(2, (len(counts) + 1) // 3)
            record(len(counts) > need and counts[-1] > min(counts) and
                  counts[-1] - counts[-1 - need] <= 0.1 * (counts[-1] - min(counts)),
                  f"{what}: says it held level, counts {counts}")


def leak_point(leak, counts):
    """The snapshot a leak is shown at: the last one holding it."""
    for i in range(len(counts) - 1, -1, -1):
        if counts[i]:
            return i
    return len(counts) - 1


def plain_dump(path):
    """A text dump that starts with a goroutine header: the layout this
    module's parser reads (wrapped or prefixed logs are goroscope's job)."""
    try:
        with open(path, "rb") as f:
            head = f.read(64)
    except OSError:
        return False
    return head.startswith(b"goroutine ") or head.startswith(b"goroutine profile:")


def _labels_match(grp, g):
    """A profile's samples of one stack are told apart by their labels: by
    the grouping's label value (--by label:KEY), by a labelset every member
    shares, or, unlabelled, by having none."""
    by = grp.get("label")
    if by:
        return (g.labels or {}).get(by["key"]) == by["value"]
    if grp.get("labels"):
        return g.labels == grp["labels"]
    return grp.get("labelled", 0) > 0 or not g.labels


def check_analyze_claims(label, d, record=check):
    """Check an `analyze --json` report against its snapshot files (one
    snapshot per file, in a layout read_snapshot knows)."""
    per_source = {}
    for s in d["snapshots"]:
        per_source[s["source"]] = per_source.get(s["source"], 0) + 1
    for s in d["snapshots"]:
        if per_source[s["source"]] != 1 or not plain_dump(s["source"]) or s.get("truncated"):
            continue
        gs = read_snapshot(s["source"])
        what = f"{label}: {os.path.basename(s['source'])}"
        record(s["total"] == sum(g.weight for g in gs), f"{what}: total {s['total']}, the file holds "
                                                        f"{sum(g.weight for g in gs)}")
        text = all(g.id is not None for g in gs)
        groups = {g["id"]: g for g in s["groups"]}
        for grp in s["groups"]:
            if grp["stacks"] != 1 or grp.get("elided") or grp.get("stack_unavailable"):
                continue
            frames = tuple((f["func"], f["line"]) for f in grp["frames"])
            cb = grp.get("created_by")
            creator = (cb["func"], cb["line"]) if text and cb else None
            members = [g for g in gs if tuple(g.frames) == frames and (not text or g.creator == creator)
                       and (text or _labels_match(grp, g))]
            gw = f"{what}: group {grp['id']} ({frames[0][0] if frames else '?'})"
            record(grp["count"] == sum(g.weight for g in members),
                   f"{gw}: count {grp['count']}, the file holds {sum(g.weight for g in members)}")
            if not text:
                continue
            states = {}
            for g in members:
                states[g.state] = states.get(g.state, 0) + 1
            if len(states) < 6:
                record(grp["states"] == states, f"{gw}: states {grp['states']}, the file has {states}")
            waits = sorted(g.minutes for g in members if g.minutes is not None)
            wm = grp.get("wait_minutes")
            if wm:
                record(waits and wm["min"] == waits[0] and wm["max"] == waits[-1],
                       f"{gw}: waits {wm}, the file has {waits[:1]}..{waits[-1:]}")
            else:
                record(not waits, f"{gw}: no wait minutes claimed, the file has {len(waits)}")
            ids = {g.id for g in members}
            record(all(i in ids for i in grp["ids"]), f"{gw}: ids {grp['ids']} not all in the group")
        for sp in s["suspected_leaks"]:
            if sp["kind"] != "site":
                continue
            record(sp["count"] == sum(groups[i]["count"] for i in sp["groups"] if i in groups),
                   f"{what}: suspect at group {sp['group']}: count {sp['count']} is not its groups' sum")
        for pk in s.get("parked", []):
            g = groups.get(pk["group"])
            record(g is not None and pk["count"] >= g["count"], f"{what}: parked {pk} not backed by its group")


def leaks_every_order(goroscope, files, rng, label):
    """`leaks --json` over files (in time order) given in time order,
    reversed and shuffled twice: yields (label, report) for each, having
    checked that it ran, put the snapshots back in time order, and that its
    claims are true of them."""
    k = len(files)
    for order in (files, files[::-1], rng.sample(files, k), rng.sample(files, k)):
        what = f"{label} ({', '.join(os.path.basename(f).split('.')[1] for f in order)})"
        p = subprocess.run([goroscope, "leaks", "--json", "-q", *order], capture_output=True, timeout=120, text=True)
        check(p.returncode == 0, f"{what}: exit {p.returncode}: {p.stderr[:300]}")
        if p.returncode:
            continue
        d = json.loads(p.stdout)
        check([x["source"] for x in d["snapshots"]] == files, f"{what}: not put in time order")
        check_leaks_claims(what, d)
        yield what, d
