// The view of `leaks --json`: a series of snapshots judged over time. The
// timeline draws the goroutines shown per snapshot and each leak's count;
// then every leak with its evidence, cause and fix; then what was set aside.
goroscope.views.leaks = function (doc, root) {
  "use strict";
  var g = goroscope, el = g.el;
  var box = el("section", {id: "leaks"});
  root.appendChild(box);
  var snaps = doc.snapshots || [], leaks = doc.leaks || [];
  box.appendChild(el("h1", {text: "goroscope leaks: " + snaps.length + " snapshots"}));
  box.appendChild(el("div", {class: "muted", text:
    (doc.times_known ? "over " + (doc.span_minutes != null ? doc.span_minutes.toFixed(1) : "?") + " minutes" :
     "capture times unknown: growth per snapshot") +
    (doc.by_id ? "; followed by goroutine id" : "") +
    (doc.goroutineleak_profile ? "; the runtime's goroutineleak profile was read: what it lists is proven" : "")}));
  // how the snapshots were put in order, and where a new process starts
  if (doc.order && (doc.inputs || snaps).length > 1)
    box.appendChild(el("div", {class: "muted", id: "order", text: "in time order by " + doc.order.basis +
      (doc.order.reordered ? " (given in another order)" : "") + (doc.order.note ? "; " + doc.order.note : "")}));
  (doc.restart_signs || []).forEach(function (why) {
    box.appendChild(el("div", {class: "note restart", text: "a new process " + why}));
  });
  if ((doc.restarts || []).length)
    box.appendChild(el("div", {class: "muted", text: "the series is process " + (doc.process.index + 1) + " of " +
      doc.process.of + ": snapshots of two processes are never compared as one"}));

  // x: the capture time when every snapshot has one, else the snapshot number
  var times = doc.times_known && snaps.every(function (s) { return s.time_nanos != null; });
  function xOf(i) { return times ? snaps[i].time_nanos / 1e6 : i + 1; }
  var series = [{name: "goroutines shown", points: snaps.map(function (s, i) { return [xOf(i), s.shown]; })}];
  leaks.slice(0, 7).forEach(function (l, k) {
    series.push({name: "#" + (k + 1) + " " + g.frameName(l.blocking_site) + " (" + (l.state || "?") + ")",
                 points: (l.counts || []).map(function (c, i) { return [xOf(i), c]; })});
  });
  box.appendChild(el("h2", {text: "Timeline"}));
  g.lineChart(box, series, {id: "timeline", xFormat: times ? function (ms) { return g.fmtUtc(ms); } :
                                                      function (v) { return "snapshot " + Math.round(v); }});

  box.appendChild(el("h2", {text: leaks.length ? "Leaks (" + leaks.length + "), most certain first" : "No leak found"}));
  if (!leaks.length) box.appendChild(el("p", {class: "muted", text: "No group grew while keeping its goroutines."}));
  leaks.forEach(function (l, k) {
    var d = el("div", {class: "leak suspect", id: "leak-" + (k + 1)});
    d.appendChild(el("strong", {text: "#" + (k + 1) + " " + g.frameName(l.blocking_site)}));
    d.appendChild(g.text(" · " + (l.state || "?") + (l.state_inferred ? " (from the stack)" : "") +
      " · confidence " + l.confidence));
    var growth = l.growth_per_minute != null ? l.growth_per_minute.toFixed(1) + " per minute" :
                 (l.growth_per_snapshot != null ? l.growth_per_snapshot.toFixed(1) + " per snapshot" : "");
    d.appendChild(el("div", {text: "counts " + (l.counts || []).map(g.fmtInt).join(" → ") + (growth ? "; growth " + growth : "") +
      (l.survival != null ? "; survival " + Math.round(l.survival * 100) + "%" : "") +
      (l.max_wait_minutes ? "; waiting up to " + l.max_wait_minutes + " min" : "") +
      (l.est_bytes ? "; ~" + Math.round(l.est_bytes / 1024) + " KiB pinned" : "")}));
    (l.evidence || []).forEach(function (e) { d.appendChild(el("div", {class: "muted", text: "• " + e})); });
    if (l.pattern) {
      d.appendChild(el("div", {text: "Likely cause: " + l.pattern.cause}));
      d.appendChild(el("div", {text: "Fix: " + l.pattern.fix}));
    }
    var more = el("button", {text: "stack"}), stack = null;
    more.addEventListener("click", function () {
      if (stack) { stack.remove(); stack = null; return; }
      stack = g.stackBlock(l.frames, l.created_by);
      d.appendChild(stack);
    });
    d.appendChild(more);
    box.appendChild(d);
  });
  var ignored = doc.ignored || [];
  if (ignored.length) {
    box.appendChild(el("h2", {text: "Set aside (" + ignored.length + ")"}));
    box.appendChild(g.plainTable({id: "ignored"}, ["Goroutines", "Function", "Why set aside"], ignored.map(function (x) {
      return {cells: [{class: "num", text: g.fmtInt(x.count)}, g.firstUser(x.frames), x.reason]};
    })));
  }
};
