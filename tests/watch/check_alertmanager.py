#!/usr/bin/env python3
"""`watch` notifying a real Alertmanager (Debian's prometheus-alertmanager,
started here on 127.0.0.1 with its own data directory): an HA pair of
watchers of one leaking Go service (grower) both post its alerts to the
API v2; Alertmanager shows each once: the threshold (the target's labels,
the rule) and the leak (the target's labels and the leaking function; the
confidence, cause and fix in its annotations); the watchers repeat them
(their end moves on); and when the alert resolves (the threshold raised by
SIGHUP) Alertmanager's list empties. Then the other way round: a real
Prometheus scrapes the service's go_goroutines, its rule (the one
deploy/prometheus gives, with a lower threshold) fires through a second
Alertmanager to goroscope's /alertmanager receiver, and goroscope captures
the service the alert names.

usage: check_alertmanager.py GOROSCOPE GROWER WORKDIR
"""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from checks import check, finish, free_port, http_get as get, spawn, wait_for  # noqa: E402

G, GROWER, OUT = sys.argv[1:4]
shutil.rmtree(OUT, ignore_errors=True)
os.makedirs(OUT)



am_bin = shutil.which("prometheus-alertmanager") or shutil.which("alertmanager")
check(am_bin is not None, "prometheus-alertmanager is installed (make deps)")
if not am_bin:
    finish("alertmanager")

# ---- a real Alertmanager: one route to a receiver that sends nowhere ----
open(os.path.join(OUT, "am.yml"), "w").write("route:\n  receiver: nowhere\n  group_wait: 1s\nreceivers:\n  - name: nowhere\n")
am_port = free_port()
am_url = f"http://127.0.0.1:{am_port}"
spawn([am_bin, f"--config.file={OUT}/am.yml", f"--storage.path={OUT}/am-data",
       f"--web.listen-address=127.0.0.1:{am_port}", "--cluster.listen-address=", "--log.level=warn"],
      stdout=open(f"{OUT}/am.log", "w"), stderr=subprocess.STDOUT)
wait_for("Alertmanager ready", lambda: get(am_url + "/-/ready")[0] == 200)

# ---- a service that leaks ----
log = open(os.path.join(OUT, "grower.out"), "w")
spawn([GROWER], env={**os.environ, "GROWER_LEAK_AFTER": "1s", "GROWER_LEAK_EVERY": "20ms"}, stdout=log,
      stderr=subprocess.STDOUT)
port = int(wait_for("grower's port", lambda: (re.search(r"listening on (\d+)", open(f"{OUT}/grower.out").read())
                                              or [None, None])[1]))
target = f"http://127.0.0.1:{port}"


def write_config(path, limit):
    with open(path, "w") as f:
        f.write(f"listen: 127.0.0.1:0\nstore: {path}.db\ncaptures: {OUT}/captures\n"
                f"external_url: http://goroscope.test/\nnotify:\n  alertmanager: [{am_url}/]\n"
                f"  alertmanager_resend: 2s\n"
                f"defaults:\n  interval: 250ms\n  breaches: 4\n  resolve: 2\n  cooldown: 1h\n"
                f"targets:\n  - name: shop\n    url: {target}\n    labels: {{team: payments}}\n"
                f"    thresholds: {{count: {limit}}}\n")


# ---- an HA pair: two watchers, the same targets ----
watchers = []
for k in range(2):
    config = os.path.join(OUT, f"w{k}.yaml")
    write_config(config, 60)
    ready = os.path.join(OUT, f"w{k}.port")
    p = spawn([G, "watch", "--config", config, "--ready-file", ready], stdout=open(f"{OUT}/w{k}.log", "w"),
              stderr=subprocess.STDOUT)
    watchers.append((p, config))
    wait_for(f"watcher {k}", lambda: os.path.exists(ready))


def am_alerts():
    st, body = get(am_url + "/api/v2/alerts")
    return json.loads(body) if st == 200 else None


def by_name(alerts):
    return {a["labels"]["alertname"]: [x for x in alerts if x["labels"]["alertname"] == a["labels"]["alertname"]]
            for a in alerts}


for k in range(2):
    wait_for(f"watcher {k} fired and captured", lambda: b"FIRING" in open(f"{OUT}/w{k}.log", "rb").read() and
             b": capture " in open(f"{OUT}/w{k}.log", "rb").read(), timeout=60)
named = wait_for("both alerts in Alertmanager",
                 lambda: (lambda d: d if {"GoroutineThreshold", "GoroutineLeak"} <= set(d) else None)(
                     by_name(am_alerts() or [])), timeout=30) or {}
check([len(named.get(n, [])) for n in ("GoroutineThreshold", "GoroutineLeak")] == [1, 1],
      f"the HA pair's posts are one threshold alert and one leak alert in Alertmanager: "
      f"{ {n: len(v) for n, v in named.items()} }")
th = (named.get("GoroutineThreshold") or [None])[0]
leak = (named.get("GoroutineLeak") or [None])[0]
if th:
    check(th["labels"] == {"alertname": "GoroutineThreshold", "instance": f"127.0.0.1:{port}", "target": "shop",
                           "team": "payments", "rule": "count"}, f"the threshold alert's labels: {th['labels']}")
    check(th["annotations"].get("summary") and th["annotations"].get("capture_dir", "").startswith(f"{OUT}/captures/"),
          f"its annotations: {th['annotations']}")
    check(th.get("generatorURL") == "http://goroscope.test/", f"generatorURL: {th.get('generatorURL')}")
    check(th["status"]["state"] == "active", f"active: {th['status']}")
if leak:
    labels, ann = leak["labels"], leak["annotations"]
    check(labels == {"alertname": "GoroutineLeak", "instance": f"127.0.0.1:{port}", "target": "shop",
                     "team": "payments", "function": "main.leakySender"}, f"the leak alert's labels: {labels}")
    check(ann.get("confidence") in ("medium", "high") and "channel" in ann.get("cause", "") and ann.get("fix"),
          f"its confidence, cause and fix: {ann}")
if th:
    # repeated while firing: its end moves on
    first_end = th["endsAt"]
    later = wait_for("a repeat of the alert", lambda: [x for x in (am_alerts() or []) if
                                                       x["labels"]["alertname"] == "GoroutineThreshold" and
                                                       x["endsAt"] != first_end], timeout=30)
    check(bool(later) and len(am_alerts() or []) == 2, "the watchers repeat the alerts, still two in Alertmanager")

# ---- resolution: the threshold raised, both watchers resolve ----
for p, config in watchers:
    write_config(config, 100000)
    p.send_signal(signal.SIGHUP)
for k in range(2):
    wait_for(f"watcher {k} resolved", lambda: b"resolved (count)" in open(f"{OUT}/w{k}.log", "rb").read(), timeout=60)
gone = wait_for("the alert resolved in Alertmanager", lambda: am_alerts() == [], timeout=30)
check(gone, "resolution reaches Alertmanager: its list of active alerts is empty")
for p, _ in watchers:
    p.send_signal(signal.SIGTERM)
    p.wait(timeout=30)

# ---- Prometheus's own rule on go_goroutines, through Alertmanager, to
# goroscope's receiver: a capture of the service it names ----
prom = shutil.which("prometheus")
check(prom is not None, "prometheus is installed (make deps)")
if prom:
    wport, pport, am2_port = free_port(), free_port(), free_port()
    open(f"{OUT}/am2.yml", "w").write(
        "route:\n  receiver: nowhere\n  group_wait: 1s\n  routes:\n"
        "    - matchers: [alertname=\"GoGoroutineCountHigh\"]\n      receiver: goroscope\n"
        f"receivers:\n  - name: nowhere\n  - name: goroscope\n    webhook_configs:\n"
        f"      - url: http://127.0.0.1:{wport}/alertmanager\n")
    spawn([am_bin, f"--config.file={OUT}/am2.yml", f"--storage.path={OUT}/am2-data",
           f"--web.listen-address=127.0.0.1:{am2_port}", "--cluster.listen-address=", "--log.level=warn"],
          stdout=open(f"{OUT}/am2.log", "w"), stderr=subprocess.STDOUT)
    wait_for("the second Alertmanager ready", lambda: get(f"http://127.0.0.1:{am2_port}/-/ready")[0] == 200)
    config = os.path.join(OUT, "w-receiver.yaml")
    with open(config, "w") as f:
        f.write(f"listen: 127.0.0.1:{wport}\nstore: {OUT}/receiver.db\ncaptures: {OUT}/captures-received\n"
                f"defaults:\n  interval: 1s\ntargets:\n  - name: shop\n    url: {target}\n")
    receiver = spawn([G, "watch", "--config", config, "--ready-file", f"{OUT}/receiver.port"],
                     stdout=open(f"{OUT}/receiver.log", "w"), stderr=subprocess.STDOUT)
    wait_for("the receiving watcher", lambda: os.path.exists(f"{OUT}/receiver.port"))
    # the rules as deploy/prometheus gives them, with a threshold this service crosses
    rules = open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../deploy/prometheus/goroscope-rules.yml")).read()
    rules = rules.replace("go_goroutines > 10000", "go_goroutines > 30").replace("for: 10m", "for: 0s")
    open(f"{OUT}/rules.yml", "w").write(rules)
    open(f"{OUT}/prometheus.yml", "w").write(
        "global: {scrape_interval: 1s, evaluation_interval: 1s}\nrule_files: [rules.yml]\n"
        f"alerting:\n  alertmanagers:\n    - static_configs: [{{targets: ['127.0.0.1:{am2_port}']}}]\n"
        f"scrape_configs:\n  - job_name: shop\n    static_configs: [{{targets: ['127.0.0.1:{port}']}}]\n")
    spawn([prom, f"--config.file={OUT}/prometheus.yml", f"--storage.tsdb.path={OUT}/prom-data",
           f"--web.listen-address=127.0.0.1:{pport}", "--log.level=warn"], stdout=open(f"{OUT}/prometheus.log", "w"),
          stderr=subprocess.STDOUT)
    log = wait_for("the capture Prometheus's alert asked for",
                   lambda: (lambda t: t if b"Alertmanager alert GoGoroutineCountHigh: capturing" in t and b": capture "
                            in t else None)(open(f"{OUT}/receiver.log", "rb").read()), timeout=90)
    check(bool(log), "Prometheus's rule on go_goroutines reaches goroscope through Alertmanager")
    caps = os.listdir(f"{OUT}/captures-received") if os.path.isdir(f"{OUT}/captures-received") else []
    check(len(caps) == 1 and os.path.exists(f"{OUT}/captures-received/{caps[0]}/goroutine.debug2.txt"),
          f"and it captured the service the alert names: {caps}")
    if caps:
        m = json.load(open(f"{OUT}/captures-received/{caps[0]}/manifest.json"))
        check("GoGoroutineCountHigh" in (m.get("reason") or ""), f"the capture says why: {m.get('reason')}")
    receiver.send_signal(signal.SIGTERM)
    receiver.wait(timeout=30)
finish("alertmanager")
