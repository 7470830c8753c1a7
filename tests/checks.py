"""Tiny assertion tally shared by the Python test drivers: check() records a
failure instead of stopping, finish() prints them and a 'N passed, N failed'
line and exits non-zero on any failure; wait_for() is the one way they wait."""
import atexit
import re
import socket
import subprocess
import sys
import time
import urllib.request

_failures = []
_checks = 0


def check(cond, what):
    global _checks
    _checks += 1
    if not cond:
        _failures.append(what)


def wait_for(what, cond, timeout=30, interval=0.1):
    """Poll cond until it returns something true, and return that: a bounded
    wait on a state, never a guess of how long something takes. After
    timeout seconds, a failed check naming what was awaited, and None."""
    end = time.time() + timeout
    while time.time() < end:
        v = cond()
        if v:
            return v
        time.sleep(interval)
    check(False, f"timed out after {timeout} s waiting for {what}")
    return None


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


def metric(text, name, **labels):
    """The value of the first sample of name (Prometheus text exposition)
    whose labels include labels, or None."""
    for line in text.splitlines():
        if not line.startswith(name + "{"):
            continue
        body = line[len(name) + 1 : line.rindex("}")]
        have = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', body))
        if all(have.get(k) == v for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return None


_spawned = []


def spawn(*args, **kw):
    """subprocess.Popen, and the process is killed when the test exits (also
    when a check raises)."""
    p = subprocess.Popen(*args, **kw)
    _spawned.append(p)
    return p


@atexit.register
def _kill_spawned():
    for p in _spawned:
        if p.poll() is None:
            p.kill()
            p.wait()


def free_port():
    """A port the kernel says is free now (for a service that cannot be told
    to pick one itself)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def http_get(url, timeout=5):
    """(status, body as text) of a GET; (0, why) when nothing answered."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(errors="replace")
    except OSError as e:
        return 0, str(e)
