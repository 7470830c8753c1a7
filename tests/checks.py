"""Tiny assertion tally shared by the Python test drivers: check() records a
failure instead of stopping, finish() prints them and a 'N passed, N failed'
line and exits non-zero on any failure."""
import sys

_failures = []
_checks = 0


def check(cond, what):
    global _checks
    _checks += 1
    if not cond:
        _failures.append(what)


def finish(label):
    for f in _failures:
        print("FAIL", f)
    print(f"{label}: {_checks - len(_failures)} passed, {len(_failures)} failed")
    sys.exit(1 if _failures else 0)


def read_table(path):
    """A tab-separated table with '#' comments: first column -> all columns."""
    rows = {}
    for line in open(path):
        if line.startswith("#") or not line.strip():
            continue
        cols = line.rstrip("\n").split("\t")
        rows[cols[0]] = cols
    return rows
