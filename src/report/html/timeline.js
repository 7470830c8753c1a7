// The view of the watch store (`history --html`, `web --store`): per
// target, the goroutine count over time and the largest stack groups'
// counts, with alerts marked where they fired; then the alerts.
goroscope.views.timeline = function (doc, root) {
  "use strict";
  var g = goroscope, el = g.el;
  var box = el("section", {id: "timeline-view"});
  root.appendChild(box);
  var targets = doc.targets || [];
  box.appendChild(el("h1", {text: "goroscope watch history: " + targets.length + " target(s)"}));
  box.appendChild(el("div", {class: "muted", text: "store " + (doc.store || "?") + (doc.since_ms ? ", since " + g.fmtUtc(doc.since_ms) : "")}));
  if (doc.error) box.appendChild(el("div", {class: "suspect", text: "The store could not be read: " + doc.error}));
  targets.forEach(function (t, i) {
    var sec = el("div", {class: "target", id: "target-" + (i + 1)});
    box.appendChild(sec);
    var alerts = t.alerts || [];
    sec.appendChild(el("h2", {text: t.name + "  "}, [t.url !== t.name ? el("span", {class: "muted", text: t.url}) : null]));
    var samples = t.samples || [];
    var failed = samples.filter(function (s) { return s[1] == null; }).length;
    sec.appendChild(el("div", {class: "muted", text: samples.length + " samples" + (failed ? " (" + failed + " failed: gaps)" : "") +
      ", " + alerts.length + " alert(s)"}));
    var series = [{name: "goroutines", points: samples}];
    (t.groups || []).slice(0, 7).forEach(function (grp) { series.push({name: grp["function"], points: grp.series || []}); });
    var markers = [];
    alerts.forEach(function (a) {
      markers.push({x: a.started_ms, label: "alert " + a.rule + " fired " + g.fmtUtc(a.started_ms) + ": " + a.message});
      if (a.resolved_ms) markers.push({x: a.resolved_ms, label: "alert " + a.rule + " resolved " + g.fmtUtc(a.resolved_ms)});
    });
    if (samples.length) g.lineChart(sec, series, {id: "chart-" + (i + 1), markers: markers, xFormat: g.fmtUtc});
    if (alerts.length) {
      sec.appendChild(g.plainTable({class: "alerts"}, ["Fired", "Resolved", "Rule", "Message", "Capture"], alerts.map(function (a) {
        return {class: a.resolved_ms ? "" : "firing",
                cells: [g.fmtUtc(a.started_ms), a.resolved_ms ? g.fmtUtc(a.resolved_ms) : "FIRING", a.rule, a.message,
                        {class: "mono", text: a.capture_dir || ""}]};
      })));
    }
  });
  if (!targets.length) box.appendChild(el("p", {text: "The store holds no target."}));
};
