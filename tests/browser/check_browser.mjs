// Drives Debian's Chromium with playwright-core over the pages run.sh made
// and over `goroscope web`; every check is a real interaction (a click, a
// tab) or a reading of the rendered DOM. Screenshots go next to the pages.
// usage: node check_browser.mjs OUTDIR WEB_URL WATCH_URL WATCHED_URL
import { chromium } from "playwright-core";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import http from "node:http";
import path from "node:path";

const [out, webUrl, watchUrl, watchedUrl] = process.argv.slice(2);
let passed = 0, failed = 0;
function check(ok, what) {
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? "ok  " : "FAIL"} ${what}`);
}

const executablePath = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find(existsSync);
// No background traffic: this machine's network is closed, and refused
// connections only slow Chromium down.
const browser = await chromium.launch({executablePath, args: ["--headless", "--no-sandbox", "--disable-gpu",
  "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
  "--disable-sync"]});

// A page with its console errors, uncaught exceptions, dialogs (an injected
// alert() would open one) and every request it tried to make.
async function open(url, name) {
  const page = await browser.newPage({viewport: {width: 1400, height: 1000}});
  const problems = [], requests = [];
  page.on("console", (m) => { if (m.type() === "error") problems.push("console: " + m.text()); });
  page.on("pageerror", (e) => problems.push("exception: " + e.message));
  page.on("dialog", (d) => { problems.push("dialog: " + d.message()); d.dismiss(); });
  page.on("request", (r) => requests.push(r.url()));
  await page.goto(url, {waitUntil: "load"});
  // the page says when it has drawn (data-ready): no timing is assumed
  await page.waitForSelector("body[data-ready]", {timeout: 60000});
  const ready = await page.getAttribute("body", "data-ready");
  if (ready !== "1") problems.push("the page says it could not be shown: " + ready);
  return {page, problems, requests, name};
}
async function finish(p) {
  await p.page.screenshot({path: path.join(out, p.name + ".png"), fullPage: false});
  check(p.problems.length === 0, `${p.name}: no console error, exception or dialog ${JSON.stringify(p.problems)}`);
  await p.page.close();
}
const file = (n) => "file://" + path.join(out, n);
const rowsOf = (page, table) => page.$$eval(`#${table} tbody tr.group, #${table} tbody tr.site`,
  (trs) => trs.map((tr) => Array.from(tr.children).map((td) => td.textContent)));

// A flame-graph frame by its function. Its title always names it; its text
// only when the frame is wide enough to read, which depends on how many
// goroutines the others hold at the moment of the snapshot.
const frame = (page, graph, func) => page.locator(`#${graph} .cell[title^="${func} ("]`).first();

// ---- analyze --html: the fixture's groups, and the flame graph filters the table
{
  const p = await open(file("analyze.html"), "analyze");
  const rows = await rowsOf(p.page, "groups");
  const funcs = rows.map((r) => r[3]);
  for (const f of ["main.leakySender", "main.poolWorker", "main.tickerLoop"])
    check(funcs.includes(f), `analyze: the group table lists ${f}`);
  const leak = rows.find((r) => r[3] === "main.leakySender");
  check(leak && Number(leak[0].replace(/,/g, "")) > 20, `analyze: the leaking group holds many goroutines (${leak && leak[0]})`);
  check(rows.length >= 4, `analyze: ${rows.length} groups listed`);
  check(leak && /^grower\/main\.go:\d+$/.test(leak[4]), `analyze: the group's source location (${leak && leak[4]})`);
  check(await p.page.locator(".suspect").count() > 0, "analyze: a suspected leak is shown");
  // click the leaking function's frame in the flame graph
  const cell = frame(p.page, "flame", "main.leakySender");
  check(await cell.count() === 1, "analyze: the flame graph has a main.leakySender frame");
  await cell.click();
  const after = await rowsOf(p.page, "groups");
  check(after.length >= 1 && after.length < rows.length && after.every((r) => r[3] === "main.leakySender"),
        `analyze: clicking the frame keeps only its groups (${after.length} of ${rows.length})`);
  check((await p.page.locator(".note").first().textContent()).includes("main.leakySender"),
        "analyze: the table says which frame it is filtered by");
  await p.page.screenshot({path: path.join(out, "analyze-filtered.png")});
  await p.page.locator("#flame .cell", {hasText: "click to reset"}).click();
  check((await rowsOf(p.page, "groups")).length === rows.length, "analyze: the top row resets the filter");
  // the typed filter: a regular expression over functions
  await p.page.fill(".filter", "poolWorker");
  const typed = await rowsOf(p.page, "groups");
  check(typed.length >= 1 && typed.every((r) => r[3] === "main.poolWorker"), "analyze: typing a pattern filters the table");
  // a row opens its stack
  await p.page.locator("#groups tbody tr.group").first().click();
  check((await p.page.locator("tr.stack .frames").textContent()).includes("main.go:"), "analyze: a row expands to its stack");
  check(p.requests.every((u) => u.startsWith("file://")), `analyze: no request beyond the file itself (${p.requests.length})`);
  await finish(p);
}

// ---- hostile function names render as text
{
  const p = await open(file("hostile.html"), "hostile");
  const body = await p.page.locator("#groups").textContent();
  check(body.includes("</script><script>alert(1)</script>"), "hostile: a <script> function name is shown as text");
  check(await p.page.locator("script").count() === 2, "hostile: no script element injected (data block and ours)");
  check(await p.page.getAttribute("body", "data-ready") === "1", "hostile: the page's data was read");
  check(await p.page.locator("#groups img, #groups script, #groups iframe, #flame img").count() === 0,
        "hostile: no element injected in the table or the flame graph");
  await finish(p);
}

// ---- a page whose data block was damaged (cut in transit) says so
{
  const html = readFileSync(path.join(out, "analyze.html"), "utf8")
    .replace(/(id="goroscope-data">)([A-Za-z0-9+/=]+)/, (m, tag, data) => tag + data.slice(0, data.length >> 1));
  writeFileSync(path.join(out, "damaged.html"), html);
  const p = await open(file("damaged.html"), "damaged");
  check(await p.page.getAttribute("body", "data-ready") === "error", "damaged: the page knows its data is unreadable");
  check((await p.page.locator("#app").textContent()).includes("cannot be shown"), "damaged: and says so");
  p.problems = p.problems.filter((x) => !x.includes("could not be shown"));
  await finish(p);
}

// ---- diff --html: the growing group, in red
{
  const p = await open(file("diff.html"), "diff");
  const rows = await rowsOf(p.page, "diff-groups");
  // columns: change, before, after, delta, persisted, moved in, state, function, creator
  check(rows.length > 0 && rows[0][7] === "main.leakySender" && /grown|new/.test(rows[0][0]) &&
        Number(rows[0][3].replace(/[+,]/g, "")) > 20, `diff: the first row is the growing group ${JSON.stringify(rows[0])}`);
  const cell = frame(p.page, "diff-flame", "main.leakySender");
  check(await cell.getAttribute("data-change") === "grow", "diff: its flame-graph frame is marked as growth");
  check(/rgba?\(214, 59, 44/.test(await cell.evaluate((e) => e.style.background)), "diff: and drawn in red");
  const worker = frame(p.page, "diff-flame", "main.poolWorker");
  check(await worker.getAttribute("data-change") === "same", "diff: the stable pool is neither red nor blue");
  await cell.click();
  const after = await rowsOf(p.page, "diff-groups");
  check(after.length >= 1 && after.every((r) => r[7] === "main.leakySender"), "diff: clicking the frame filters the groups");
  await finish(p);
}

// ---- leaks --html: the timeline and the leak
{
  const p = await open(file("leaks.html"), "leaks");
  check((await p.page.locator("#leak-1").textContent()).includes("main.leakySender"), "leaks: the first leak is main.leakySender");
  check(await p.page.locator("#timeline path.series").count() >= 2, "leaks: the timeline draws the total and the leak");
  check((await p.page.locator("#leak-1").textContent()).includes("Fix:"), "leaks: the leak comes with a fix");
  await finish(p);
}

// ---- edge cases: no leak; an empty block profile
{
  const p = await open(file("noleak.html"), "noleak");
  check((await p.page.locator("#leaks").textContent()).includes("No leak found"), "noleak: says that no leak was found");
  await finish(p);
}
{
  const p = await open(file("empty.html"), "empty-profile");
  check((await p.page.locator("#contention").textContent()).includes("profiling is most likely off"),
        "empty profile: says that block profiling is most likely off and how to turn it on");
  await finish(p);
}

// ---- contention --html: sites and their flame graph
{
  const p = await open(file("contention.html"), "contention");
  const rows = await rowsOf(p.page, "sites");
  check(rows.length > 0, `contention: ${rows.length} sites listed`);
  check(await p.page.locator("#contention-flame .cell").count() > 1, "contention: the flame graph of the time blocked is drawn");
  const table = await p.page.locator("#sites").textContent();
  check(table.includes("% of block") && table.includes("% of mutex"),
        "contention: each share says which profile's delay it is a share of");
  check(await p.page.locator("#idle tr").count() > 1 && (await p.page.locator("#idle").textContent()).includes("Why idle"),
        "contention: idle waiting is listed apart, with the reason");
  await finish(p);
}

// ---- history --html: the watch store's timeline with the alert marked
{
  const p = await open(file("history.html"), "history");
  check(await p.page.locator("#chart-1 path.series").count() >= 1, "history: the target's count is drawn");
  check(await p.page.locator("#chart-1 .marker").count() >= 1, "history: the alert is marked on the timeline");
  check((await p.page.locator("table.alerts").textContent()).includes("count"), "history: the alert is listed with its rule");
  await finish(p);
}

// ---- goroscope web: tabs over every view, served on 127.0.0.1
{
  const p = await open(webUrl, "web");
  for (const t of ["analyze", "diff", "leaks", "contention", "timeline"])
    check(await p.page.locator("#tab-" + t).count() === 1, `web: a ${t} tab`);
  check(await p.page.locator("#pane-analyze #groups tr.group").count() > 0, "web: the snapshots tab opens first");
  check(await p.page.locator("#pane-analyze section[id^=snapshot-]").count() === 4,
        "web: four goroutine snapshots (two dumps, the capture directory, the live service)");
  check(await p.page.locator("#pane-analyze #series-chart path.series").count() >= 3 &&
        (await p.page.locator("#pane-analyze .legend").first().textContent()).includes("main.leakySender"),
        "web: two snapshots get a timeline of the total and the largest groups, the leak among them");
  check(await p.page.locator("#pane-analyze section[id^=snapshot-]").first().getAttribute("id") === "snapshot-4",
        "web: the newest snapshot comes first");
  // given out of order: put in time order by their times (the files',
  // the capture's, the fetch's), which the goroutine ids confirm
  const analysis = await (await fetch(new URL("api/analysis.json", webUrl))).json();
  const sources = analysis.snapshots.map((x) => x.source);
  check(sources.length === 4 && /grower\.t0\.txt$/.test(sources[0]) && /grower\.t2\.txt$/.test(sources[1]) &&
        /goroutine\.debug2\.txt$/.test(sources[2]) && sources[3].startsWith("http://"),
        `web: the snapshots in time order ${JSON.stringify(sources)}`);
  const leaksDoc = await (await fetch(new URL("api/leaks.json", webUrl))).json();
  check(leaksDoc.order && leaksDoc.order.basis === "file times" && leaksDoc.order.reordered && leaksDoc.times_known,
        `web: the leak analysis knows the order and the times ${JSON.stringify(leaksDoc.order)} ${leaksDoc.times_known}`);
  check(await p.page.locator("#pane-diff #diff-groups").count() === 0, "web: other tabs are drawn only when opened");
  await p.page.click("#tab-diff");
  const rows = await rowsOf(p.page, "diff-groups");
  check(rows.length > 0 && rows[0][7] === "main.leakySender", "web: the diff tab shows the growing group first");
  check(await p.page.locator("#pane-analyze").isHidden(), "web: the other panes are hidden");
  await p.page.screenshot({path: path.join(out, "web-diff.png")});
  await p.page.click("#tab-leaks");
  check(!(await p.page.locator("#pane-leaks").textContent()).includes("capture times unknown"),
        "web: the leaks tab knows when the snapshots were taken");
  await p.page.click("#tab-timeline");
  check(await p.page.locator("#pane-timeline #chart-1 .marker").count() >= 1, "web: the watch history tab marks the alert");
  await p.page.click("#tab-contention");
  check(await p.page.locator("#pane-contention #sites tr.site").count() > 0, "web: the contention tab lists sites");
  check(p.requests.every((u) => u.startsWith(webUrl)), "web: the page requests nothing but itself");
  await finish(p);
}

// ---- a page from another origin tries to make watch and web act or talk
{
  const alert = JSON.stringify({version: "4", status: "firing", alerts: [{status: "firing",
    labels: {alertname: "Forged", instance: new URL(watchedUrl).host}, annotations: {}}]});
  // every way a page can send a write without asking first (a form, a
  // text/plain or JSON fetch, a beacon), and a read of the web's data
  const attack = `<!doctype html><body><form id=f method=POST enctype=text/plain target=sink
    action="${watchUrl}alertmanager"><input name='${alert.replace(/'/g, "&#39;")}' value=''></form>
    <iframe name=sink></iframe><script>
    const results = {};
    const note = (k, p) => p.then((r) => { results[k] = "status " + r.status + " " + r.type; },
                                  (e) => { results[k] = "blocked: " + e.message; });
    Promise.all([
      note("text/plain", fetch("${watchUrl}alertmanager", {method: "POST", mode: "no-cors",
        headers: {"Content-Type": "text/plain"}, body: ${JSON.stringify(alert)}})),
      note("json", fetch("${watchUrl}alertmanager", {method: "POST", headers: {"Content-Type": "application/json"},
        body: ${JSON.stringify(alert)}})),
      note("read web", fetch("${webUrl}api/analysis.json").then((r) => r.text().then(() => r))),
      note("read metrics", fetch("${watchUrl}metrics").then((r) => r.text().then(() => r))),
      Promise.resolve(navigator.sendBeacon("${watchUrl}alertmanager", ${JSON.stringify(alert)})),
      new Promise((done) => { document.querySelector("iframe").onload = done; document.getElementById("f").submit(); }),
    ]).then(() => { document.body.dataset.results = JSON.stringify(results); document.body.dataset.done = "1"; });
    </script>`;
  const server = http.createServer((req, res) => { res.setHeader("Content-Type", "text/html"); res.end(attack); });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${server.address().port}/`);
  await page.waitForSelector("body[data-done]", {timeout: 30000});
  const results = JSON.parse(await page.getAttribute("body", "data-results"));
  await page.close();
  server.close();
  check(results["read web"].startsWith("blocked") && results["read metrics"].startsWith("blocked"),
        `a page of another origin cannot read web's or watch's data ${JSON.stringify(results)}`);
  // the daemon's own count: no forged alert reached its handler, none was captured
  const metrics = await (await fetch(watchUrl + "metrics")).text();
  const value = (name) => Number((metrics.match(new RegExp("^" + name + "(?:\\{[^}]*\\})? (\\S+)$", "m")) || [])[1]);
  check(value("goroscope_watch_alertmanager_requests_total") === 0,
        `no cross-origin write reached the Alertmanager receiver (${value("goroscope_watch_alertmanager_requests_total")})`);
  check(value("goroscope_captures_total") === 0, `nothing was captured (${value("goroscope_captures_total")})`);
  check(!readFileSync(path.join(out, "attacked.log"), "utf8").includes("Alertmanager alert"),
        "the daemon's log shows no alert from the page");
}

await browser.close();
console.log(`browser: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
