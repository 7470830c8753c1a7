#!/usr/bin/env python3
"""`goroscope watch` against an https service with a private CA that also
asks for a client certificate and a bearer token (grower with
GROWER_TLS_CERT and GROWER_TLS_CLIENT_DIR, on 127.0.0.1).

Each target of one configuration sets what it needs on its own: the CA, the
client certificate and key, the token or the same token as a header, or
insecure_skip_verify; targets that lack one of them are reported down with
the reason. The same holds for a target given as an argument with the
command line's --cacert, --cert, --key and --bearer.

usage: check_watch_tls.py GOROSCOPE GROWER OUTDIR
"""
import atexit, os, re, shutil, sqlite3, subprocess, sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from checks import check, finish, wait_for  # noqa: E402

G, GROWER, OUT = sys.argv[1], sys.argv[2], os.path.join(sys.argv[3], "tls")
shutil.rmtree(OUT, ignore_errors=True)
os.makedirs(OUT)
procs = []
atexit.register(lambda: [p.kill() for p in procs if p.poll() is None])


ca = os.path.join(OUT, "ca.pem")
log = open(os.path.join(OUT, "grower.out"), "w")
grower = subprocess.Popen([GROWER], env={**os.environ, "GROWER_TLS_CERT": ca, "GROWER_TLS_CLIENT_DIR": OUT,
                                         "GROWER_LEAK_AFTER": "1h"}, stdout=log, stderr=subprocess.STDOUT)
procs.append(grower)
port = wait_for("grower to listen", lambda: (re.findall(r"listening on (\d+)",
                                                         open(os.path.join(OUT, "grower.out")).read()) or [None])[0])
if not port:
    finish("watch tls")
port = int(port)
base = f"https://127.0.0.1:{port}/secure"
cert, key = os.path.join(OUT, "client.pem"), os.path.join(OUT, "client.key")
check(os.path.exists(cert) and os.path.exists(key), "grower wrote the client certificate")

store = os.path.join(OUT, "watch.db")
config = os.path.join(OUT, "watch.yaml")
tls_full = f"{{ca_file: {ca}, cert_file: {cert}, key_file: {key}}}"
with open(config, "w") as f:
    f.write(f"""listen: 127.0.0.1:0
store: {store}
captures: {OUT}/captures
defaults:
  interval: 500ms
  timeout: 450ms
targets:
  - name: full
    url: {base}
    bearer_token: s3cret
    tls_config: {tls_full}
  - name: header
    url: {base}
    headers: {{Authorization: Bearer s3cret}}
    tls_config: {tls_full}
  - name: insecure
    url: {base}
    bearer_token: s3cret
    tls_config: {{insecure_skip_verify: true, cert_file: {cert}, key_file: {key}}}
  - name: no-ca
    url: {base}
    bearer_token: s3cret
    tls_config: {{cert_file: {cert}, key_file: {key}}}
  - name: no-client-cert
    url: {base}
    bearer_token: s3cret
    tls_config: {{ca_file: {ca}}}
  - name: no-token
    url: {base}
    tls_config: {tls_full}
""")


def samples(name):
    try:
        c = sqlite3.connect(f"file:{store}?mode=ro", uri=True, timeout=10)
        rows = c.execute("SELECT s.count, s.error FROM samples s JOIN targets t ON t.id = s.target WHERE t.name = ?"
                         " ORDER BY s.ts_ms", (name,)).fetchall()
        c.close()
        return rows
    except sqlite3.Error:
        return []


def run_watch(tag, args, names):
    """Run watch until every target in names has two samples; stop it."""
    ready = os.path.join(OUT, f"ready-{tag}")
    wlog = os.path.join(OUT, f"watch-{tag}.log")
    p = subprocess.Popen([G, "watch", "--ready-file", ready, *args], stdout=open(wlog, "w"),
                         stderr=subprocess.STDOUT)
    procs.append(p)
    wait_for(f"watch ({tag}) to listen", lambda: p.poll() is not None or (os.path.exists(ready) and open(ready).read()))
    check(p.poll() is None, f"watch ({tag}) runs: {open(wlog).read()[-500:]}")
    wait_for(f"two samples of every target ({tag})", lambda: p.poll() is not None or all(len(samples(n)) >= 2 for n in names))
    p.terminate()
    p.wait(timeout=30)
    check(p.returncode == 0, f"watch ({tag}) stops cleanly: exit {p.returncode}")


run_watch("config", ["--config", config], ["full", "header", "insecure", "no-ca", "no-client-cert", "no-token"])
for name in ("full", "header", "insecure"):
    rows = samples(name)
    check(rows and all(c > 0 and e is None for c, e in rows), f"{name}: polled over https: {rows[:3]}")
for name, why in (("no-ca", r"certificate|SSL|TLS"), ("no-client-cert", r"TLS failed: the server refused our client certificate"),
                  ("no-token", r"401")):
    rows = samples(name)
    check(rows and all(c == -1 and e and re.search(why, e) for c, e in rows), f"{name}: down, with the reason: {rows[:2]}")

# the same from the command line: a target given as an argument
store_cli = os.path.join(OUT, "cli.db")
store = store_cli
run_watch("flags", ["--listen", "127.0.0.1:0", "--store", store_cli, "--interval", "500ms", "--poll-timeout", "450ms", "--cacert", ca, "--cert",
                    cert, "--key", key, "--bearer", "s3cret", base], [base])
rows = samples(base)
check(rows and all(c > 0 and e is None for c, e in rows), f"flags: --cacert --cert --key --bearer poll over https: {rows[:3]}")

# a key without a certificate is a configuration error, said at start
p = subprocess.run([G, "watch", "--listen", "127.0.0.1:0", "--store", os.path.join(OUT, "bad.db"), "--key", key, base],
                   capture_output=True, text=True, timeout=30)
check(p.returncode == 2 and "--cert and --key" in p.stderr, f"--key without --cert refused: {p.stderr.strip()}")
finish("watch tls")
