#!/usr/bin/env python3
"""Tests of `goroscope analyze --html`: the page is self-contained (a
Content-Security-Policy that forbids every request, no external reference),
embeds the --json document (in the page's form: each frame once in a
snapshot's frame_table, a group's members that say nothing left out, and
nothing else changed), escapes hostile function names, file
names and titles, and, rendered by headless Chromium, shows the groups with
the hostile names as text (no element injected, no script run).

usage: check_html.py GOROSCOPE OUTDIR INPUT...
"""
import base64, gzip, json, os, re, shutil, subprocess, sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from checks import check, finish  # noqa: E402

G, OUT, INPUTS = sys.argv[1], sys.argv[2], sys.argv[3:]
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))



DATA = re.compile(r'<script type="application/x-goroscope\+gzip\+base64" id="goroscope-data">(.*?)</script>', re.S)


def decode(block):
    """The embedded document: base64 of a gzip stream of the JSON."""
    return json.loads(gzip.decompress(base64.b64decode(block, validate=True)))



EMPTY = (None, 0, False, {}, [])


def is_empty(v):
    return v is not True and v in EMPTY


def as_json_document(page_doc, want):
    """The page's document in the --json form, or a reason why it cannot be:
    frames looked up in each snapshot's frame_table, and the group members
    the page leaves out put back, when --json has them empty."""
    doc = json.loads(json.dumps(page_doc))
    for k, s in enumerate(doc.get("snapshots", [])):
        table = s.pop("frame_table", None)
        if table is None:
            return "no frame_table"
        for gi, g in enumerate(s.get("groups", [])):
            kept_empty = [key for key, v in g.items() if is_empty(v)]
            if kept_empty:
                return f"group {gi + 1} keeps empty members {kept_empty}"
            g["frames"] = [table[f] if isinstance(f, int) else f for f in g.get("frames", [])]
            for key, value in want["snapshots"][k]["groups"][gi].items():
                if key not in g:
                    if not is_empty(value):
                        return f"group {gi + 1} lacks {key}={value!r}"
                    g[key] = value
    return doc


def page_of(path, extra=()):
    p = subprocess.run([G, "analyze", "--html", "-q", *extra, path], capture_output=True, timeout=120)
    check(p.returncode == 0, f"{path}: exit {p.returncode}: {p.stderr[:200]}")
    return p.stdout.decode("utf-8", "replace")


os.makedirs(OUT, exist_ok=True)
hostile = os.path.join(HERE, "hostile.txt")
# a file name that is markup too: it becomes the page's title and the source
odd = os.path.join(OUT, "dump<b>&'x'.txt")
shutil.copy(hostile, odd)

for path in [odd] + INPUTS:
    html = page_of(path)
    name = os.path.basename(path)
    check(html.startswith("<!doctype html>"), f"{name}: a whole document")
    check("Content-Security-Policy" in html and "default-src 'none'" in html, f"{name}: CSP forbids requests")
    blocks = DATA.findall(html)
    check(len(blocks) == 1, f"{name}: one data block, found {len(blocks)}")
    if not blocks:
        continue
    check(re.fullmatch(r"[A-Za-z0-9+/]*={0,2}", blocks[0]) is not None, f"{name}: the data block is plain base64")
    want = json.loads(subprocess.run([G, "analyze", "--json", "-q", path], capture_output=True, timeout=120).stdout)
    got = as_json_document(decode(blocks[0]), want)
    check(got == want, f"{name}: the data block is the --json document in the page's form: "
          f"{got if isinstance(got, str) else 'differs'}")
    rest = DATA.sub("", html)
    check(not re.search(r"(src|href)\s*=", rest, re.I), f"{name}: no src= or href= outside the data")
    # the one URL allowed is the SVG namespace name, an identifier never fetched
    rest_urls = rest.replace('"http://www.w3.org/2000/svg"', '""')
    check(not re.search(r"https?://|//[a-z0-9.-]+\.[a-z]{2,}/", rest_urls, re.I), f"{name}: no URL outside the data")
    check(rest.count("<script") == 1, f"{name}: besides the data block, our one script only")

html = page_of(odd)
check("<title>goroscope: " in html and "dump&lt;b&gt;&amp;&#39;x&#39;.txt</title>" in html, "the title is escaped")
JS_PARTS = re.search(r"^JS_PARTS := (.*)$", open(os.path.join(ROOT, "Makefile")).read(), re.M).group(1).split()
script = "".join(open(os.path.join(ROOT, "src/report/html", p + ".js")).read() for p in JS_PARTS)
check(script in html, "the page embeds the current script (src/report/html/*.js in the Makefile's order)")
check(open(os.path.join(ROOT, "src/report/html/report.css")).read() in html, "the page embeds the current report.css")

# -o writes the same page
out = os.path.join(OUT, "page.html")
p = subprocess.run([G, "analyze", "--html", "-q", "-o", out, hostile], capture_output=True, timeout=60)
check(p.returncode == 0 and p.stdout == b"" and open(out).read() == page_of(hostile), "-o FILE writes the page there")
p = subprocess.run([G, "analyze", "--html", "-o", os.path.join(OUT, "no/such/dir/x.html"), hostile], capture_output=True,
                   timeout=60)
check(p.returncode == 2 and b"cannot create" in p.stderr, "-o into a missing directory: exit 2")

# the text report of the same names: shown, not obeyed by the terminal
txt = subprocess.run([G, "analyze", "-q", hostile], capture_output=True, timeout=60).stdout
check(b"\xe2\x80\xae" not in txt and b"\x1b" not in txt and b"\x07" not in txt and b"main.\\u202eevil\\x1b[31m\\x07" in txt,
      f"text: bidi override, escape and bell are escaped: {[l for l in txt.splitlines() if b'evil' in l][:1]}")

# rendered by a real browser: the DOM after the script ran
chromium = shutil.which("chromium") or shutil.which("chromium-browser")
check(chromium is not None, "chromium is installed (make deps)")
if chromium:
    page = os.path.join(OUT, "hostile.html")
    open(page, "w").write(page_of(hostile))
    r = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--virtual-time-budget=5000",
                        "--dump-dom", "file://" + page], capture_output=True, timeout=120)
    dom = r.stdout.decode("utf-8", "replace")
    check(r.returncode == 0 and "<table" in dom, f"chromium rendered the page: {r.stderr[-300:]}")
    rows = re.findall(r'<tr class="group">(.*?)</tr>', dom, re.S)
    check(len(rows) == 4, f"four group rows, got {len(rows)}")
    check("\u202e" not in dom and "main.\ufffdevil" in dom,
          "a bidi override in a name is shown as U+FFFD, not obeyed")
    check(any("&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in r for r in rows), "the hostile name is shown as text")
    check(not re.search(r"<img[^>]*onerror", dom, re.I), "no element injected from a file name")
    body = dom[dom.find("<body"):]
    body = DATA.sub("", body)
    check(body.count("<script") == 1, "no script element injected")
    check("worker\"quote'&amp;amp;" in dom or "worker&quot;quote'&amp;amp;" in dom, "quotes and entities shown as text")
    check('id="flame"' in dom and 'class="cell"' in dom, "the flame graph is drawn")
    shot = os.path.join(OUT, "hostile.png")
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--virtual-time-budget=5000",
                    "--window-size=1200,900", "--screenshot=" + shot, "file://" + page], capture_output=True, timeout=120)
    check(os.path.exists(shot) and os.path.getsize(shot) > 1000, "a screenshot is saved")

# ---- goroscope web: the same report over HTTP on 127.0.0.1 ----
import signal, time, urllib.request  # noqa: E402


def start_web(*args):
    p = subprocess.Popen([G, "web", "-q", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = p.stdout.readline()
    m = re.match(r"goroscope web: (http://127\.0\.0\.1:\d+/)$", line.strip())
    check(m is not None, f"web prints its loopback address: {line!r}")
    return p, m.group(1) if m else None


def get(url, token=None, method="GET", headers=None):
    req = urllib.request.Request(url, method=method)
    if token:
        req.add_header("Authorization", "Bearer " + token)
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read().decode("utf-8", "replace"), r.headers
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", "replace"), e.headers


web_inputs = [hostile] + INPUTS[1:2]
p, url = start_web("--token", "s3cret", *web_inputs)
want = None
if url:
    st, body, _ = get(url)
    check(st == 401, f"web: / without the token: {st}")
    st, body, hdr = get(url, "s3cret")
    check(st == 200 and hdr.get("Content-Type", "").startswith("text/html"), f"web: / {st}")
    blocks = DATA.findall(body)
    page_doc = decode(blocks[0]) if len(blocks) == 1 else {}
    views = page_doc.get("views", [])
    # the web puts its snapshots in time order (from the evidence they
    # carry: here file times or goroutine ids): analyze --json of the inputs
    # in that order is what its first view must be
    order = [s["source"] for s in (views[0].get("snapshots", []) if views else [])]
    check(sorted(order) == sorted(web_inputs), f"web: the snapshots of the inputs: {order}")
    want = json.loads(subprocess.run([G, "analyze", "--json", "-q", *order], capture_output=True,
                                     timeout=120).stdout or "null")
    first_view = as_json_document(views[0], want) if views else "no view"
    check(page_doc.get("command") == "web" and first_view == want,
          f"web: the page's first view is the inputs' --json document in the page's form: "
          f"{first_view if isinstance(first_view, str) else 'differs'}")
    # two goroutine snapshots: their diff and leak analysis too
    check([v.get("command") for v in views] == ["analyze", "diff", "leaks"], f"web: views {[v.get('command') for v in views]}")
    st, body, hdr = get(url + "api/analysis.json", "s3cret")
    check(st == 200 and json.loads(body) == want, "web: /api/analysis.json")
    check(hdr.get("X-Content-Type-Options") == "nosniff", "web: nosniff")
    for path in ("../../etc/passwd", "%2e%2e/%2e%2e/etc/passwd", "api/../../etc/passwd", "http://198.51.100.7/x"):
        st, _, _ = get(url + path, "s3cret")
        check(st == 404, f"web: {path} is not served: {st}")
    st, _, _ = get(url, "s3cret", method="POST", headers={"Content-Type": "application/json"})
    check(st == 405, f"web: POST: {st}")
    # what a browser can forge is refused before anything else (and before
    # the token is even looked at): another name for this loopback server
    # (DNS rebinding), a write from another site, a write that is not JSON
    for headers, want, what in (({"Host": "attacker.example"}, 403, "a foreign Host"),
                                ({"Host": f"localhost:{url.split(':')[2].split('/')[0]}"}, 200, "Host: localhost"),
                                ({"Content-Type": "text/plain"}, 415, "a text/plain POST"),
                                ({"Content-Type": "application/json", "Origin": "http://attacker.example"}, 403,
                                 "a POST from another origin"),
                                ({"Content-Type": "application/json", "Sec-Fetch-Site": "cross-site"}, 403,
                                 "a cross-site POST")):
        method = "GET" if want == 200 or "Host" in headers else "POST"
        st, _, _ = get(url, "s3cret", method=method, headers=headers)
        check(st == want, f"web: {what}: {st}, want {want}")
    st, body, _ = get(url + "healthz")
    check(st == 200, "web: /healthz needs no token")
    p.send_signal(signal.SIGTERM)
    try:
        rc = p.wait(timeout=10)
    except subprocess.TimeoutExpired:
        p.kill()
        rc = None
    check(rc == 0, f"web: SIGTERM: exit {rc}")
else:
    p.kill()
# off loopback (every address; the test talks to it over loopback only): a
# name must be one given with --host, an address always works, and no
# token is warned about
p = subprocess.Popen([G, "web", "-q", "--listen", "0.0.0.0:0", "--host", "goroscope.test", hostile],
                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
m = re.match(r"goroscope web: http://0\.0\.0\.0:(\d+)/$", p.stdout.readline().strip())
check(m is not None, "web on 0.0.0.0 prints its address")
if m:
    any_url = f"http://127.0.0.1:{m.group(1)}/"
    for host, want in (("attacker.example", 403), ("goroscope.test", 200), (f"GOROSCOPE.test:{m.group(1)}", 200),
                       (f"192.0.2.7:{m.group(1)}", 200)):
        st, _, _ = get(any_url, headers={"Host": host})
        check(st == want, f"web off loopback: Host {host}: {st}, want {want}")
p.send_signal(signal.SIGTERM)
_, err = p.communicate(timeout=10)
check("warning: listening on 0.0.0.0:0 without --token" in err, f"web off loopback without a token is warned about: {err!r}")
bad = subprocess.run([G, "web", "--listen", "localhost:0", hostile], capture_output=True, text=True, timeout=30)
check(bad.returncode == 2 and "numeric" in bad.stderr, f"web: a host name to listen on is refused: {bad.stderr}")
bad = subprocess.run([G, "web", os.path.join(OUT, "no-such-file")], capture_output=True, text=True, timeout=30)
check(bad.returncode == 2, "web: an input that cannot be read")
if chromium:
    p, url = start_web(hostile)
    if url:
        r = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--virtual-time-budget=5000",
                            "--dump-dom", url], capture_output=True, timeout=120)
        dom = r.stdout.decode("utf-8", "replace")
        check(len(re.findall(r'<tr class="group">', dom)) == 4, "web: chromium shows the four groups over HTTP")
    p.kill()

finish("html")
