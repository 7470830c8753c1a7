#!/usr/bin/env python3
"""What deploy/ holds, validated as far as this machine can: the Kubernetes
manifests parse and hang together (selectors, services, volumes, ports,
the shard each StatefulSet pod takes), their watch configuration is one
goroscope starts with, the systemd unit passes `systemd-analyze verify`,
and the image installs every library goroscope loads at run time. (No
cluster or container runtime is at hand: the image is not built here.)

usage: check_deploy.py GOROSCOPE WORKDIR
"""
import glob
import os
import re
import shutil
import subprocess
import sys

import yaml

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from checks import check, finish  # noqa: E402

G, OUT = os.path.abspath(sys.argv[1]), sys.argv[2]
ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "../.."))
DEPLOY = os.path.join(ROOT, "deploy")
shutil.rmtree(OUT, ignore_errors=True)
os.makedirs(OUT)

# ---- Kubernetes ----
for path in sorted(glob.glob(os.path.join(DEPLOY, "kubernetes", "*.yaml"))):
    name = os.path.basename(path)
    docs = [d for d in yaml.safe_load_all(open(path)) if d]
    check(docs and all(d.get("apiVersion") and d.get("kind") and d.get("metadata", {}).get("name") for d in docs),
          f"{name}: every document has apiVersion, kind and a name")
    services = {d["metadata"]["name"]: d for d in docs if d["kind"] == "Service"}
    for d in docs:
        if d["kind"] not in ("StatefulSet", "Deployment"):
            continue
        spec, tmpl = d["spec"], d["spec"]["template"]
        labels = tmpl["metadata"].get("labels", {})
        check(all(labels.get(k) == v for k, v in spec["selector"]["matchLabels"].items()),
              f"{name}: {d['kind']} selector matches its pods' labels")
        if d["kind"] == "StatefulSet":
            svc = services.get(spec.get("serviceName"))
            check(svc is not None and all(labels.get(k) == v for k, v in svc["spec"]["selector"].items()),
                  f"{name}: the StatefulSet's service selects its pods")
        volumes = {v["name"] for v in tmpl["spec"].get("volumes", [])}
        volumes |= {v["metadata"]["name"] for v in spec.get("volumeClaimTemplates", [])}
        port = tmpl["metadata"].get("annotations", {}).get("prometheus.io/port")
        ports = set()
        for c in tmpl["spec"]["containers"]:
            check(c.get("name") and c.get("image"), f"{name}: container {c.get('name')} has a name and an image")
            for m in c.get("volumeMounts", []):
                check(m["name"] in volumes, f"{name}: {c['name']} mounts {m['name']}, a volume of the pod")
            ports |= {str(p["containerPort"]) for p in c.get("ports", [])}
            for probe in ("readinessProbe", "livenessProbe"):
                if probe in c:
                    check(c[probe]["httpGet"]["path"] == "/healthz", f"{name}: {probe} asks /healthz")
        check(port is None or port in ports, f"{name}: the scrape port {port} is a container's")
        # the shard of each pod: its ordinal, out of the replicas
        for c in tmpl["spec"]["containers"]:
            cmd = " ".join(c.get("command", []))
            if "--shard" not in cmd:
                continue
            script = c["command"][-1].replace("exec /usr/bin/goroscope", "echo")
            for k in range(spec["replicas"]):
                got = subprocess.run(["sh", "-c", script], capture_output=True, text=True,
                                     env={"HOSTNAME": f"{d['metadata']['name']}-{k}"}).stdout
                check(f"--shard {k}/{spec['replicas']}" in got, f"{name}: pod {k} polls shard {k}/{spec['replicas']}: {got}")
    # the configuration a ConfigMap carries is one goroscope starts with
    for d in docs:
        if d["kind"] != "ConfigMap" or "watch.yaml" not in d.get("data", {}):
            continue
        token = os.path.join(OUT, "token")
        open(token, "w").write("s3cret\n")
        text = d["data"]["watch.yaml"].replace("/etc/goroscope/token/token", token)
        text = text.replace("/var/lib/goroscope", OUT)
        text = re.sub(r"http://[a-z.]+\.svc:\d+", "http://127.0.0.1:9", text)  # no cluster: nobody answers
        cfg = os.path.join(OUT, "watch.yaml")
        open(cfg, "w").write(text)
        p = subprocess.run([G, "watch", "--config", cfg, "--listen", "127.0.0.1:0", "--run-for", "1s"],
                           capture_output=True, text=True, timeout=60)
        check(p.returncode == 0 and "watching 0 targets" in p.stderr,
              f"{name}: goroscope starts with the ConfigMap's watch.yaml: {p.returncode} {p.stderr[-300:]}")

# ---- systemd ----
unit = os.path.join(DEPLOY, "systemd", "goroscope-watch.service")
if shutil.which("systemd-analyze"):
    local = os.path.join(OUT, "goroscope-watch.service")
    open(local, "w").write(open(unit).read().replace("/usr/bin/goroscope", G))
    p = subprocess.run(["systemd-analyze", "verify", "--man=no", local], capture_output=True, text=True, timeout=60)
    check(p.returncode == 0 and not p.stdout.strip() and not p.stderr.strip(),
          f"systemd-analyze verify: {p.stdout[-300:]} {p.stderr[-300:]}")
else:
    print("   (no systemd-analyze here: the unit was not verified)")
check("ExecReload=/bin/kill -HUP $MAINPID" in open(unit).read(), "the unit reloads with SIGHUP")

# ---- the image: the run-time libraries goroscope loads (base/dynlib.h) ----
docker = open(os.path.join(DEPLOY, "Dockerfile")).read()
runtime = docker[docker.rindex("FROM "):]
loaded = set()
for src in glob.glob(os.path.join(ROOT, "src", "**", "*.c"), recursive=True):
    loaded |= set(re.findall(r'DYNLIB_INIT\("[^"]+",\s*"([^"]+)"', open(src).read()))
check(loaded and all(pkg in runtime for pkg in loaded),
      f"the image installs every library loaded at run time: {sorted(loaded)}")
check("USER goroscope" in runtime, "the image runs as a user that is not root")
finish("deploy")
