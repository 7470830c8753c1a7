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
  if (doc.empty || doc.block_empty || doc.mutex_empty) {
    box.appendChild(el("div", {class: "suspect", text: (doc.empty ? "Every profile is empty" :
      (doc.block_empty ? "The block profile is empty" : "The mutex profile is empty")) +
      ": profiling is off in the program (runtime.SetBlockProfileRate / runtime.SetMutexProfileFraction)."}));
  }
  var sites = doc.contention || [];
  box.appendChild(el("h2", {text: "Flame graph of the time blocked (click a frame to filter the sites)"}));
  var flameBox = el("div");
  box.appendChild(flameBox);
  box.appendChild(el("h2", {text: "Contention sites (" + sites.length + ")"}));
  var columns = [
    {key: "delay", title: "Blocked", num: true, get: function (x) { return x.delay_ns; }, show: function (x) { return g.fmtNs(x.delay_ns); }},
    {key: "share", title: "Share", num: true, get: function (x) { return x.share || 0; },
     show: function (x) {
       var bar = el("span", {class: "bar"});
       bar.style.width = Math.max(1, 80 * (x.share || 0)) + "px";
       return el("span", null, [bar, g.text(" " + Math.round(100 * (x.share || 0)) + "%")]);
     }},
    {key: "events", title: "Events", num: true, get: function (x) { return x.events; }, show: function (x) { return g.fmtInt(x.events); }},
    {key: "mean", title: "Mean", num: true, get: function (x) { return x.mean_ns; }, show: function (x) { return g.fmtNs(x.mean_ns); }},
    {key: "what", title: "Waiting for", get: function (x) { return x.what || ""; }},
    {key: "site", title: "Site (user code)", get: function (x) { return g.frameName(x.site); }},
    {key: "holder", title: "Holder unlocks at", get: function (x) { return x.holder ? g.frameName(x.holder) : ""; }},
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
      if (x.holder) d.appendChild(el("div", {text: "The holder unlocks at " + g.frameName(x.holder) + " (" + g.frameWhere(x.holder) + ")"}));
      if (x.parked_now) d.appendChild(el("div", {text: g.fmtInt(x.parked_now) + " goroutines parked here in the dumps given"}));
      d.appendChild(g.stackBlock(x.frames));
      return d;
    },
  });
  var flame = g.flame(flameBox, sites.map(function (x) { return {path: g.rootFirst(x.frames), value: x.delay_ns}; }),
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
