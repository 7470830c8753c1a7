#!/usr/bin/env python3
"""End-to-end tests of `goroscope watch` with real Go services on 127.0.0.1.

Two grower services: "leaky" starts leaking after two seconds, "steady"
never does and listens on a fixed port so that it can die and come back.
One watch daemon with a YAML configuration, a token on its endpoints, a
webhook receiver and a command. Checked: the alert fires on exactly the
third consecutive breaching sample; the capture directory is complete and
its checksums verify; the webhook and the command get the payload with the
leaking stack; /metrics passes `promtool check metrics` and says what
happened; a target that dies and returns is reported down then up; the
Alertmanager receiver captures a configured instance and ignores others;
SIGHUP reloads (and keeps the old configuration when the new one is
broken); after kill -9 the store holds everything committed and a restart
continues the series and the open alert; SIGTERM stops cleanly.

usage: check_watch.py GOROSCOPE GROWER OUTDIR
"""
import hashlib, http.server, json, os, re, signal, socket, sqlite3, subprocess, sys, threading, time, urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from checks import check, finish, free_port, metric, wait_for  # noqa: E402

G, GROWER, OUT = sys.argv[1], sys.argv[2], sys.argv[3]
HERE = os.path.dirname(os.path.abspath(__file__))
TOKEN = "t0ken-for-tests"
procs = []


def kill_all():
    for p in procs:
        if p.poll() is None:
            p.kill()


import atexit
atexit.register(kill_all)  # also when a check raises



def start_grower(name, env):
    log = open(os.path.join(OUT, name + ".out"), "w")
    p = subprocess.Popen([GROWER], env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT)
    procs.append(p)
    for _ in range(100):
        m = re.search(r"listening on (\d+)", open(os.path.join(OUT, name + ".out")).read())
        if m:
            return p, int(m.group(1))
        time.sleep(0.1)
    raise SystemExit(f"{name} did not start")


hooks = []


class Hook(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        hooks.append(json.loads(body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *a):
        pass


hook_srv = http.server.HTTPServer(("127.0.0.1", 0), Hook)
threading.Thread(target=hook_srv.serve_forever, daemon=True).start()

leaky, leaky_port = start_grower("leaky", {"GROWER_LEAK_AFTER": "2s", "GROWER_LEAK_EVERY": "50ms"})
steady_port = free_port()
steady, _ = start_grower("steady", {"GROWER_LEAK_AFTER": "1h", "GROWER_ADDR": f"127.0.0.1:{steady_port}"})

store = os.path.join(OUT, "watch.db")
caps = os.path.join(OUT, "captures")
cmd_out = os.path.join(OUT, "command.jsonl")
config = os.path.join(OUT, "watch.yaml")
ready = os.path.join(OUT, "ready")


def write_config(steady_labels="", broken=False, duplicate=False):
    with open(config, "w") as f:
        f.write(f"""# goroscope watch configuration of the tests
listen: 127.0.0.1:0
bearer_token: {TOKEN}
store: {store}
captures: {caps}
defaults:
  interval: 500ms
  timeout: 400ms
  breaches: 3
  resolve: 3
  cooldown: 10m
notify:
  webhooks:
    - url: http://127.0.0.1:{hook_srv.server_port}/hook
      retries: 2
  command: [python3, {HERE}/record_command.py, {cmd_out}]
targets:
  - name: leaky
    url: http://127.0.0.1:{leaky_port}
    labels: {{team: shop, env: test}}
    thresholds: {{count: 60}}
  - name: steady
    url: http://127.0.0.1:{steady_port}/
    thresholds: {{count: 1000, group_growth: 100000, rate_window: 2s}}
{steady_labels}""")
        if broken:
            f.write("  - name: broken\n    url: http://127.0.0.1:1\n    thresholds: {cuont: 5}\n")
        if duplicate:
            f.write("    thresholds: {count: 5}\n")


def start_watch(tag):
    if os.path.exists(ready):
        os.unlink(ready)
    log = open(os.path.join(OUT, f"watch-{tag}.log"), "w")
    p = subprocess.Popen([G, "watch", "--config", config, "--ready-file", ready], stdout=log, stderr=subprocess.STDOUT)
    procs.append(p)
    for _ in range(100):
        if os.path.exists(ready) and open(ready).read().strip():
            return p, int(open(ready).read())
        if p.poll() is not None:
            raise SystemExit(f"watch exited: {open(os.path.join(OUT, f'watch-{tag}.log')).read()}")
        time.sleep(0.1)
    raise SystemExit("watch did not start")


def get(port, path, token=TOKEN, data=None, method=None):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, method=method)
    if token:
        req.add_header("Authorization", "Bearer " + token)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def db():
    c = sqlite3.connect(f"file:{store}?mode=ro", uri=True, timeout=10)
    return c


write_config()
watch, port = start_watch("first")
# a rate rule says it is silent until its window has samples, then that it judges
wait_for("the rate window's start and readiness logged", lambda: all(
    s in open(os.path.join(OUT, "watch-first.log")).read() for s in (
        "steady: the rate and group-growth rules judge once the samples span 1s (half their 2s window)",
        "steady: the samples now span half the 2s rate window")))

# ---- the alert: exactly the third consecutive breach ----
alert = wait_for("the leaky alert", lambda: db().execute(
    "SELECT a.id, a.started_ms, a.rule, a.value FROM alerts a JOIN targets t ON t.id = a.target WHERE t.name = 'leaky'").fetchone())
if alert:
    rows = db().execute("SELECT s.ts_ms, s.count FROM samples s JOIN targets t ON t.id = s.target WHERE t.name = 'leaky'"
                        " AND s.ts_ms <= ? ORDER BY s.ts_ms", (alert[1],)).fetchall()
    run = 0
    fired_at = None
    for ts, count in rows:
        run = run + 1 if count > 60 else 0
        if run == 3:
            fired_at = ts
            break
    check(fired_at == alert[1], f"alert at the 3rd consecutive breach: alert {alert[1]}, 3rd breach {fired_at}, samples {rows[-6:]}")
    check(rows and rows[-1][0] == alert[1] and rows[-1][1] > 60 and rows[-2][1] > 60 and rows[-3][1] > 60,
          "the three samples before the alert breach")
    check(alert[2] == "count" and alert[3] > 60, f"rule and value: {alert[2:]}")
    before = [c for _, c in rows[:-3]]
    check(any(c <= 60 for c in before), "samples below the threshold first (the service starts healthy)")

# ---- evidence: capture directory, webhook, command ----
cap_dir = wait_for("the capture recorded in the store", lambda: (db().execute(
    "SELECT capture_dir FROM alerts WHERE capture_dir IS NOT NULL").fetchone() or [None])[0])
if cap_dir:
    man = json.load(open(os.path.join(cap_dir, "manifest.json")))
    names = {f["name"] for f in man["files"] if "sha256" in f}
    check({"goroutine.pb.gz", "goroutine.debug1.txt", "goroutine.debug2.txt"} <= names, f"capture files: {names}")
    for f in man["files"]:
        if "sha256" in f:
            data = open(os.path.join(cap_dir, f["name"]), "rb").read()
            check(hashlib.sha256(data).hexdigest() == f["sha256"] and len(data) == f["bytes"], f"checksum of {f['name']}")
    check("goroscope alert (count)" in (man.get("reason") or ""), f"manifest reason: {man.get('reason')}")
    check(man["target"] == f"http://127.0.0.1:{leaky_port}", "manifest target")
    a = subprocess.run([G, "analyze", "--json", "-q", cap_dir], capture_output=True, text=True)
    check(a.returncode == 0 and "main.leakySender" in a.stdout, "the capture directory reads back")

hook = wait_for("the webhook", lambda: next((h for h in hooks if h.get("status") == "firing"), None))
if hook:
    check(hook["target"]["name"] == "leaky" and hook["target"]["labels"] == {"team": "shop", "env": "test"}, "webhook target")
    check(hook["rule"] == "count" and hook["capture_dir"] == cap_dir, "webhook rule and capture")
    leaks = (hook.get("analysis") or {}).get("leaks") or []
    check(leaks and leaks[0]["frames"][0]["func"] == "main.leakySender", "webhook names the leaking stack first")
    check(leaks and leaks[0]["confidence"] in ("medium", "high"), f"leak confidence: {leaks and leaks[0]['confidence']}")
    check(all(l["frames"][0]["func"] not in ("main.poolWorker", "main.tickerLoop") for l in leaks), "no stable group named")
    # the alert's own debug=2 sample joins the kept debug=1 profiles: the
    # leak has its state, cause and fix, as `leaks` gives them
    inputs = [i["source"] for i in (hook.get("analysis") or {}).get("inputs") or []]
    check(inputs and inputs[-1].startswith(cap_dir) and inputs[-1].endswith("goroutine.debug2.txt"),
          f"the analysis ends with the capture's debug=2 sample: {inputs[-3:]}")
    check(leaks and leaks[0]["state"] == "chan send" and not leaks[0]["state_inferred"]
          and (leaks[0]["pattern"] or {}).get("id") == "abandoned-send",
          f"the alert's leak has its state and pattern: {leaks and (leaks[0]['state'], leaks[0]['pattern'])}")
    check((hook.get("analysis") or {}).get("order", {}).get("basis") not in (None, "the order given"),
          f"the analysis is in time order from the snapshots' times: {(hook.get('analysis') or {}).get('order')}")
cmd = wait_for("the command", lambda: os.path.exists(cmd_out) and open(cmd_out).read().strip())
if cmd:
    rec = json.loads(cmd.splitlines()[0])
    check(rec["env"].get("GOROSCOPE_TARGET") == "leaky" and rec["env"].get("GOROSCOPE_ALERT_STATUS") == "firing",
          f"command environment: {rec['env']}")
    check(rec["env"].get("GOROSCOPE_CAPTURE_DIR") == cap_dir, "command gets the capture directory")
    check("main.leakySender" in rec["payload"], "command gets the payload on stdin")

# ---- endpoints ----
st, _ = get(port, "/metrics", token=None)
check(st == 401, f"/metrics without the token: {st}")
st, _ = get(port, "/metrics", token="wrong")
check(st == 401, f"/metrics with a wrong token: {st}")
st, body = get(port, "/healthz", token=None)
check(st == 200 and body.strip() == "ok", "/healthz needs no token")
st, m = get(port, "/metrics")
check(st == 200, f"/metrics: {st}")
open(os.path.join(OUT, "metrics.txt"), "w").write(m)
pt = subprocess.run(["promtool", "check", "metrics"], input=m, capture_output=True, text=True)
check(pt.returncode == 0, f"promtool check metrics: {pt.stdout}{pt.stderr}")
check(metric(m, "goroscope_alert_firing", target="leaky", rule="count") == 1, "alert_firing for leaky")
check(metric(m, "goroscope_alert_firing", target="steady") == 0, "no alert for steady")
check((metric(m, "goroscope_goroutines", target="leaky", team="shop") or 0) > 60, "goroutines of leaky, with its labels")
groups = [(float(l.rsplit(" ", 1)[1]), re.search(r'function="([^"]*)"', l).group(1), re.search(r'stack="([0-9a-f]{16})"', l))
          for l in m.splitlines() if l.startswith("goroscope_group_goroutines{") and 'target="leaky"' in l]
check(groups and max(groups)[1] == "main.leakySender" and all(g[2] for g in groups),
      f"the largest group of leaky is the leak, each group known by its stack: {sorted(groups)[-3:]}")
check(re.search(r'^goroscope_build_info\{version="[0-9.]+"\} 1$', m, re.M) and
      re.search(r'^goroscope_watch_shard\{shard="0",shards="1"\} 1$', m, re.M), "build info and shard in /metrics")
check(metric(m, "goroscope_target_up", target="steady", instance=f"127.0.0.1:{steady_port}") == 1, "steady is up")
check(metric(m, "goroscope_captures_total", target="leaky") == 1, "one capture")

# ---- a target that dies and returns ----
steady.kill()
steady.wait()
wait_for("steady down", lambda: metric(get(port, "/metrics")[1], "goroscope_target_up", target="steady") == 0)
wait_for("steady's scrape errors counted",
         lambda: (metric(get(port, "/metrics")[1], "goroscope_scrape_errors_total", target="steady") or 0) >= 1)
m = get(port, "/metrics")[1]
check(metric(m, "goroscope_target_up", target="leaky") == 1, "the other target is still polled")
steady, _ = start_grower("steady2", {"GROWER_LEAK_AFTER": "1h", "GROWER_ADDR": f"127.0.0.1:{steady_port}"})
wait_for("steady back up", lambda: metric(get(port, "/metrics")[1], "goroscope_target_up", target="steady") == 1, 60)
log = open(os.path.join(OUT, "watch-first.log")).read()
check("steady: down: " in log and "connection refused" in log, "the log says steady went down and why")
check("steady: back up" in log, "the log says steady came back")
errs = db().execute("SELECT count(*) FROM samples s JOIN targets t ON t.id = s.target WHERE t.name = 'steady' AND s.count < 0"
                    " AND s.error LIKE '%connection refused%'").fetchone()[0]
check(errs >= 1, "failed scrapes are stored with their error")

# ---- Alertmanager receiver ----
am = {"version": "4", "status": "firing", "receiver": "goroscope", "groupKey": "{}:{}",
      "alerts": [
          {"status": "firing", "labels": {"alertname": "GoGoroutineCountHigh", "instance": f"127.0.0.1:{steady_port}"},
           "annotations": {"summary": "goroutines above 10k"}},
          {"status": "firing", "labels": {"alertname": "GoGoroutineCountHigh", "instance": "198.51.100.7:6060"}},
          {"status": "resolved", "labels": {"alertname": "Other", "instance": f"127.0.0.1:{leaky_port}"}}]}
st, body = get(port, "/alertmanager", data=json.dumps(am).encode())
check(st == 202, f"alertmanager: {st} {body}")
if st == 202:
    r = json.loads(body)
    check(r == {"captures_queued": 1, "unmatched": 1, "cooling_down": 0, "resolved_ignored": 1}, f"alertmanager answer: {r}")
steady_cap = wait_for("the Alertmanager capture", lambda: next(
    (os.path.join(caps, d) for d in os.listdir(caps) if f"_{steady_port}-" in d
     and os.path.exists(os.path.join(caps, d, "manifest.json"))), None))
if steady_cap:
    man = json.load(open(os.path.join(steady_cap, "manifest.json")))
    check("Alertmanager alert (GoGoroutineCountHigh)" in man["reason"], f"reason: {man['reason']}")
check(not any("198.51.100.7" in d for d in os.listdir(caps)), "an unknown instance is never fetched")
st, body = get(port, "/alertmanager", data=b"{not json")
check(st == 400 and "not JSON" in body, f"bad payload: {st} {body}")
st, body = get(port, "/alertmanager", data=b'{"version":"3","alerts":[]}')
check(st == 400 and "version 4" in body, f"old payload version: {st} {body}")
st, _ = get(port, "/alertmanager")
check(st == 405, f"GET /alertmanager: {st}")
st, _ = get(port, "/alertmanager", token=None, data=json.dumps(am).encode())
check(st == 401, "the receiver needs the token too")
st, _ = get(port, "/nothing")
check(st == 404, "unknown path")
# What a web page can make a browser send is refused, before the body is
# read and whatever the token: a text/plain or form POST (no preflight), a
# POST from another origin or site, another name for this loopback server.
for headers, want, what in (({"Content-Type": "text/plain"}, 415, "a text/plain POST"),
                            ({"Content-Type": "application/x-www-form-urlencoded"}, 415, "a form POST"),
                            ({"Content-Type": "application/json", "Origin": "http://attacker.example"}, 403,
                             "a POST from another origin"),
                            ({"Content-Type": "application/json", "Sec-Fetch-Site": "cross-site"}, 403,
                             "a cross-site POST"),
                            ({"Content-Type": "application/json", "Host": "attacker.example"}, 403,
                             "a foreign Host (DNS rebinding)")):
    req = urllib.request.Request(f"http://127.0.0.1:{port}/alertmanager", data=json.dumps(am).encode(), method="POST")
    req.add_header("Authorization", "Bearer " + TOKEN)
    for k, v in headers.items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            st = r.status
    except urllib.error.HTTPError as e:
        st = e.code
    check(st == want, f"alertmanager, {what}: {st}, want {want}")

# ---- SIGHUP ----
scrapes_before = metric(get(port, "/metrics")[1], "goroscope_scrapes_total", target="leaky")
write_config(steady_labels="    labels: {team: payments}\n")
watch.send_signal(signal.SIGHUP)
wait_for("the reloaded labels", lambda: metric(get(port, "/metrics")[1], "goroscope_target_up", target="steady", team="payments") is not None)
scrapes_after = metric(get(port, "/metrics")[1], "goroscope_scrapes_total", target="leaky")
check(scrapes_before and scrapes_after >= scrapes_before,
      f"a reload keeps the counters going ({scrapes_before} scrapes before, {scrapes_after} after)")
kept = db().execute("SELECT t.name, count(*), min(length(k.gz)), min(hex(substr(k.gz, 1, 2))) FROM kept_profiles k"
                    " JOIN targets t ON t.id = k.target GROUP BY t.name ORDER BY t.name").fetchall()
check([(n, c >= 1 and c <= 8, size > 20, magic) for n, c, size, magic in kept] ==
      [("leaky", True, True, "1F8B"), ("steady", True, True, "1F8B")],
      f"a reload saves each target's kept profiles, gzip-compressed, at most 8: {kept}")
write_config(broken=True)
watch.send_signal(signal.SIGHUP)
wait_for("the failed reload logged", lambda: "reload failed, keeping the running configuration" in open(os.path.join(OUT, "watch-first.log")).read())
check(watch.poll() is None and get(port, "/healthz", token=None)[0] == 200, "still running after a broken reload")
check("unknown threshold 'cuont'" in open(os.path.join(OUT, "watch-first.log")).read(), "the reload error names the problem")
# a key given twice is refused, not silently read as the second (or first)
write_config(duplicate=True)
watch.send_signal(signal.SIGHUP)
wait_for("the duplicate key refused", lambda: "'thresholds' is given twice in a target" in open(os.path.join(OUT, "watch-first.log")).read())
write_config(steady_labels="    labels: {team: payments}\n")

# ---- kill -9: what was committed stays, and a restart continues ----
h = subprocess.run([G, "history", "--store", store, "--json", "leaky"], capture_output=True, text=True)
check(h.returncode == 0, f"history --json: {h.stderr}")
committed = len(json.loads(h.stdout)["samples"]) if h.returncode == 0 else 0
time.sleep(1)
watch.kill()
watch.wait()
c = db()
check(c.execute("PRAGMA integrity_check").fetchone()[0] == "ok", "the store is intact after kill -9")
after_kill = c.execute("SELECT count(*) FROM samples s JOIN targets t ON t.id = s.target WHERE t.name = 'leaky'").fetchone()[0]
check(after_kill >= committed and committed > 5, f"nothing committed lost: {committed} read before, {after_kill} after")
ids = dict(c.execute("SELECT name, id FROM targets").fetchall())
c.close()
second_started_ms = int(time.time() * 1000)
watch, port = start_watch("second")
# an Alertmanager alert right away: its leak analysis already has the
# profiles kept before the restart (saved at the reload above)
hooks.clear()
st, body = get(port, "/alertmanager", data=json.dumps({"version": "4", "status": "firing", "alerts": [
    {"status": "firing", "labels": {"alertname": "AfterRestart", "instance": f"127.0.0.1:{steady_port}"}}]}).encode())
check(st == 202 and json.loads(body)["captures_queued"] == 1, f"alertmanager after the restart: {st} {body}")
hook = wait_for("the webhook after the restart", lambda: next((h for h in hooks if h.get("rule") == "AfterRestart"), None))
if hook:
    times = [s["time_nanos"] // 1000000 for s in (hook.get("analysis") or {}).get("snapshots") or []]
    check(any(t < second_started_ms for t in times) and times == sorted(times),
          f"the leak analysis after a restart has profiles from before it, in order: {times} vs start {second_started_ms}")
wait_for("the series to continue", lambda: db().execute(
    "SELECT count(*) FROM samples s JOIN targets t ON t.id = s.target WHERE t.name = 'leaky'").fetchone()[0] >= after_kill + 4)
c = db()
check(dict(c.execute("SELECT name, id FROM targets").fetchall()) == ids, "same targets, same ids after the restart")
alerts = c.execute("SELECT count(*), max(resolved_ms) FROM alerts a JOIN targets t ON t.id = a.target WHERE t.name = 'leaky'").fetchone()
check(alerts == (1, 0), f"the open alert continues, not fired again: {alerts}")
m = get(port, "/metrics")[1]
check(metric(m, "goroscope_alert_firing", target="leaky", rule="count") == 1, "firing again after the restart")
check(metric(m, "goroscope_goroutines_baseline", target="leaky") is not None, "the series is primed from the store")

hist = subprocess.run([G, "history", "--store", store, "leaky"], capture_output=True, text=True)
check(hist.returncode == 0 and "FIRING" in hist.stdout and "main.leakySender" in hist.stdout and str(cap_dir) in hist.stdout,
      f"history text: {hist.stdout[-400:]}{hist.stderr}")
# over every target, each alert names its target
hist = subprocess.run([G, "history", "--store", store], capture_output=True, text=True)
alert_lines = [l for l in hist.stdout.split("Alerts:")[-1].splitlines() if "FIRING" in l or "resolved" in l]
check(hist.returncode == 0 and alert_lines and all(" leaky " in l for l in alert_lines),
      f"history's alert list names the target: {alert_lines}")
hj = subprocess.run([G, "history", "--store", store, "--json"], capture_output=True, text=True)
check(hj.returncode == 0 and all(a["target"] == "leaky" for a in json.loads(hj.stdout)["alerts"]),
      f"history --json alerts name the target: {hj.stdout[-300:]}")
hist = subprocess.run([G, "history", "--store", store, "nosuch"], capture_output=True, text=True)
check(hist.returncode == 2 and "no target called 'nosuch'" in hist.stderr, "history of an unknown target")

# ---- SIGTERM ----
watch.send_signal(signal.SIGTERM)
try:
    rc = watch.wait(timeout=10)
except subprocess.TimeoutExpired:
    rc = None
check(rc == 0, f"SIGTERM: exit {rc}")
check("stopping" in open(os.path.join(OUT, "watch-second.log")).read(), "a clean stop is logged")
kept = db().execute("SELECT k.ts_ms FROM kept_profiles k JOIN targets t ON t.id = k.target WHERE t.name = 'leaky'"
                    " ORDER BY k.rowid").fetchall()
check(1 <= len(kept) <= 8 and [r[0] for r in kept] == sorted(r[0] for r in kept) and kept[-1][0] >= second_started_ms,
      f"a clean stop saves the latest kept profiles, oldest first: {kept}")

# ---- pid:N: the process, not whoever has its port later ----
eph_port = free_port()
eph, _ = start_grower("ephemeral", {"GROWER_LEAK_AFTER": "1h", "GROWER_ADDR": f"127.0.0.1:{eph_port}"})
pid_ready = os.path.join(OUT, "pid-ready")
pid_log = os.path.join(OUT, "watch-pid.log")
pw = subprocess.Popen([G, "watch", "--store", os.path.join(OUT, "pid.db"), "--listen", "127.0.0.1:0",
                       "--ready-file", pid_ready, "--interval", "300ms", "--poll-timeout", "250ms", f"pid:{eph.pid}"],
                      stdout=open(pid_log, "w"), stderr=subprocess.STDOUT)
procs.append(pw)
pport = wait_for("the pid watcher", lambda: os.path.exists(pid_ready) and open(pid_ready).read().strip() and
                 int(open(pid_ready).read()))
if pport:
    up = lambda: metric(get(pport, "/metrics", token=None)[1], "goroscope_target_up")
    wait_for("the pid target up", lambda: up() == 1)
    eph.kill()
    eph.wait()
    # another service takes the port at once
    start_grower("ephemeral2", {"GROWER_LEAK_AFTER": "1h", "GROWER_ADDR": f"127.0.0.1:{eph_port}"})
    wait_for("the pid target down", lambda: up() == 0)
    check(f"down: process {eph.pid} has exited" in open(pid_log).read(), "the log says the process exited")
    time.sleep(1.5)
    check(up() == 0, "the process that took the port is not polled as the one watched")
pw.terminate()
pw.wait()

# ---- errors at start ----
bad = subprocess.run([G, "watch", "--store", store, "ftp://x"], capture_output=True, text=True)
check(bad.returncode == 2 and "not an http(s) URL" in bad.stderr, f"bad target: {bad.stderr}")
bad = subprocess.run([G, "watch", "--store", os.path.join(OUT, "other.db"), "--listen", "localhost:1", "http://127.0.0.1:1"], capture_output=True, text=True,
                     timeout=20)
check(bad.returncode == 2 and "numeric" in bad.stderr, f"non-numeric listen address: {bad.stderr}")

kill_all()
hook_srv.shutdown()
finish("watch")
