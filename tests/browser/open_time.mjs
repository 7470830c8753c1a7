// make bench (bench/run.sh): how long a big report takes to open in Chromium (Debian's,
// driven by playwright-core). Opens the page several
// times and prints the median of: navigation to the page drawn (the HTML
// parsed, the data block inflated and parsed, the overview, flame graph
// and first 300 table rows built: <body data-ready>), and to the first
// frame painted after it.
// usage: node tests/browser/open_time.mjs PAGE.html [RUNS]
import { chromium } from "playwright-core";
import { existsSync, statSync } from "node:fs";
import path from "node:path";

const [page, runs = "5"] = process.argv.slice(2);
const executablePath = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find(existsSync);
const browser = await chromium.launch({executablePath, args: ["--headless", "--no-sandbox", "--disable-gpu"]});
const loads = [], paints = [];
for (let i = 0; i < Number(runs); i++) {
  const p = await browser.newPage({viewport: {width: 1400, height: 1000}});
  const errors = [];
  p.on("pageerror", (e) => errors.push(e.message));
  const t0 = Date.now();
  await p.goto("file://" + path.resolve(page), {waitUntil: "load"});
  await p.waitForSelector("body[data-ready]", {timeout: 30000});
  const tLoad = Date.now() - t0;
  await p.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  const tPaint = Date.now() - t0;
  const rows = await p.locator("tr.group").count();
  if (errors.length || !rows) throw new Error(`page broken: ${rows} rows, ${errors.join("; ")}`);
  loads.push(tLoad);
  paints.push(tPaint);
  await p.close();
}
await browser.close();
const median = (v) => v.slice().sort((a, b) => a - b)[Math.floor(v.length / 2)];
console.log(`  ${path.basename(page)} (${(statSync(page).size / 1e6).toFixed(1)} MB): drawn in ${median(loads)} ms, painted at ${median(paints)} ms; median of ${runs} (all: ${loads.join(", ")} ms)`);
