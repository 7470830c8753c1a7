#!/usr/bin/env python3
"""Tests of `goroscope analyze --html`: the page is self-contained (a
Content-Security-Policy that forbids every request, no external reference),
embeds exactly the --json document, escapes hostile function names, file
names and titles, and, rendered by headless Chromium, shows the groups with
the hostile names as text (no element injected, no script run).

usage: check_html.py GOROSCOPE OUTDIR INPUT...
"""
import json, os, re, shutil, subprocess, sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from checks import check, finish  # noqa: E402

G, OUT, INPUTS = sys.argv[1], sys.argv[2], sys.argv[3:]
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))



DATA = re.compile(r'<script type="application/json" id="goroscope-data">(.*?)</script>', re.S)


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
    check("<" not in blocks[0], f"{name}: no '<' inside the data block")
    want = json.loads(subprocess.run([G, "analyze", "--json", "-q", path], capture_output=True, timeout=120).stdout)
    check(json.loads(blocks[0]) == want, f"{name}: the data block is the --json document")
    rest = DATA.sub("", html)
    check(not re.search(r"(src|href)\s*=", rest, re.I), f"{name}: no src= or href= outside the data")
    check(not re.search(r"https?://|//[a-z0-9.-]+\.[a-z]{2,}/", rest, re.I), f"{name}: no URL outside the data")
    check(rest.count("<script") == 1, f"{name}: besides the data block, our one script only")

html = page_of(odd)
check("<title>goroscope: " in html and "dump&lt;b&gt;&amp;&#39;x&#39;.txt</title>" in html, "the title is escaped")
check(open(os.path.join(ROOT, "src/report/html/report.js")).read() in html, "the page embeds the current report.js")
check(open(os.path.join(ROOT, "src/report/html/report.css")).read() in html, "the page embeds the current report.css")

# -o writes the same page
out = os.path.join(OUT, "page.html")
p = subprocess.run([G, "analyze", "--html", "-q", "-o", out, hostile], capture_output=True, timeout=60)
check(p.returncode == 0 and p.stdout == b"" and open(out).read() == page_of(hostile), "-o FILE writes the page there")
p = subprocess.run([G, "analyze", "--html", "-o", os.path.join(OUT, "no/such/dir/x.html"), hostile], capture_output=True,
                   timeout=60)
check(p.returncode == 2 and b"cannot create" in p.stderr, "-o into a missing directory: exit 2")

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
    check(len(rows) == 3, f"three group rows, got {len(rows)}")
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

finish("html")
