// The view of `contention --json`: where goroutines waited, from block and
// mutex profiles. A flame graph of the stacks weighted by the time blocked,
// and the table of sites, most time first, each with its primitive and,
// for a lock, where the holder unlocks.
goroscope.views.contention = function (doc, root) {
  "use strict";
  var g = goroscope, el = g.el;
  var box = el("section", {id: "contention"});
  root.appendChild(box);
  box.appendChild(el("h1", {text: "goroscope contention: " + (doc.profiles || 0) + " block/mutex profile(s)"}));
  box.appendChild(el("div", {class: "muted", text: g.fmtInt(doc.events) + " events, " + g.fmtNs(doc.delay_ns) +
    " blocked in all, of which " + g.fmtNs(doc.idle_delay_ns) + " judged idle waiting"}));
  // An empty profile: off only when its header says so; over a window,
  // nothing seen in it; since the process started, most likely off.
  var windows = doc.empty_window_s || {};
  [["block", doc.block_empty, "runtime.SetBlockProfileRate"], ["mutex", doc.mutex_empty, "runtime.SetMutexProfileFraction"]]
    .forEach(function (k) {
      if (!k[1]) return;
      var rate = k[0] === "mutex" ? doc.mutex_sampling_period : null, text;
      if (rate === 0) text = "Mutex profiling is off (sampling period 0): enable it with " + k[2] + ".";
      else if (windows[k[0]]) text = "The " + k[0] + " profile saw no contention in " + windows[k[0]].toFixed(1) + " s" +
        (rate ? "." : " (if some was expected, check that the program calls " + k[2] + ").");
      else if (rate) text = "The mutex profile saw no contention since the process started.";
      else text = "The " + k[0] + " profile is empty since the process started: " + k[0] +
        " profiling is most likely off (" + k[2] + ").";
      box.appendChild(el("div", {class: "suspect", text: text}));
    });
  var sites = doc.contention || [];
  box.appendChild(el("h2", {text: "Flame graph of the time blocked (click a frame to filter the sites)"}));
  var flameBox = el("div");
  box.appendChild(flameBox);
  box.appendChild(el("h2", {text: "Contention sites (" + sites.length + ")"}));
  var columns = [
    {key: "delay", title: "Blocked", num: true, get: function (x) { return x.delay_ns; }, show: function (x) { return g.fmtNs(x.delay_ns); }},
    // a share of its own profile kind's delay: block and mutex delays measure
    // different things, so each bar says which it is a share of
    {key: "share", title: "Share of its profile", num: true, get: function (x) { return x.share || 0; },
     show: function (x) {
       var bar = el("span", {class: "bar"});
       bar.style.width = Math.max(1, 80 * (x.share || 0)) + "px";
       return el("span", null, [bar, g.text(" " + Math.round(100 * (x.share || 0)) + "% of " + (x.share_of || x.profile))]);
     }},
    {key: "events", title: "Events", num: true, get: function (x) { return x.events; }, show: function (x) { return g.fmtInt(x.events); }},
    {key: "mean", title: "Mean", num: true, get: function (x) { return x.mean_ns; }, show: function (x) { return g.fmtNs(x.mean_ns); }},
    {key: "what", title: "Waiting for", get: function (x) { return x.what || ""; }},
    {key: "site", title: "Site (user code)", get: function (x) { return g.frameName(x.site); }},
    {key: "holder", title: "Holder unlocks at", get: function (x) {
      return x.holder ? g.frameName(x.holder) + (x.holding ? " (" + g.fmtNs(x.holding.delay_ns) + ", " +
        Math.round(100 * x.holding.share) + "% of mutex)" : "") : ""; }},
    {key: "profile", title: "Profile", get: function (x) { return x.profile || ""; }},
    {key: "flag", title: "Flagged", get: function (x) { return x.flagged ? x.reason || "yes" : ""; }},
  ];
  var table = g.table(box, {
    id: "sites", rowClass: "site", columns: columns, rows: sites, sort: "delay",
    placeholder: "filter: function, package or primitive (regular expression)",
    haystack: function (x) {
      var hay = [x.what || "", x.profile || "", x.via || ""];
      (x.frames || []).forEach(function (f) { hay.push(g.frameName(f), g.packageOf(g.frameName(f))); });
      return hay;
    },
    path: function (x) { return g.rootFirst(x.frames); },
    detail: function (x) {
      var d = el("div");
      if (x.holder) d.appendChild(el("div", {text: "The holder unlocks at " + g.frameName(x.holder) + " (" + g.frameWhere(x.holder) + ")" +
        (x.holding ? ": " + g.fmtInt(x.holding.events) + " events, " + g.fmtNs(x.holding.delay_ns) + " in the mutex profile" : "")}));
      if (x.same_call) d.appendChild(el("div", {text: "At this call in the mutex profile: " + x.same_call.what + ", " +
        g.fmtInt(x.same_call.events) + " events, " + g.fmtNs(x.same_call.delay_ns)}));
      if (x.parked_now) d.appendChild(el("div", {text: g.fmtInt(x.parked_now) + " goroutines parked here in the dumps given"}));
      d.appendChild(g.stackBlock(x.frames));
      return d;
    },
  });
  var flame = g.flame(flameBox, sites.map(function (x) { return {frames: x.frames || [], value: x.delay_ns}; }),
                      {id: "contention-flame", format: g.fmtNs, onPath: table.setPath});
  table.onReset = flame.reset;
  var idle = doc.idle || [];
  if (idle.length) {
    box.appendChild(el("h2", {text: "Idle waiting, set apart (" + idle.length + ")"}));
    box.appendChild(g.plainTable({id: "idle"}, ["Blocked", "Site", "Why idle"], idle.map(function (x) {
      return {cells: [{class: "num", text: g.fmtNs(x.delay_ns)}, g.frameName(x.site), x.reason]};
    })));
  }
};
