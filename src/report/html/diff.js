// The view of `diff --json`: what changed between two snapshots. The diff
// flame graph is drawn over both (a frame's width is the larger of its two
// counts) and coloured by the change; the table lists the groups, largest
// change first.
goroscope.views.diff = function (doc, root) {
  "use strict";
  var g = goroscope, el = g.el;
  var box = el("section", {id: "diff"});
  root.appendChild(box);
  var o = doc.old || {}, n = doc.new || {};
  box.appendChild(el("h1", {text: "goroscope diff: " + (o.source || "old") + " → " + (n.source || "new")}));
  box.appendChild(el("div", {class: "muted", text:
    g.fmtInt(o.shown) + " → " + g.fmtInt(n.shown) + " goroutines shown (" + g.fmtSigned(doc.delta) + "); totals " +
    g.fmtInt(o.total) + " → " + g.fmtInt(n.total)}));
  var counts = doc.counts || {};
  var pills = el("div", {class: "pills"});
  ["new", "grown", "gone", "shrunk", "same"].forEach(function (k) {
    if (counts[k] != null) pills.appendChild(el("span", {class: "pill " + k, text: counts[k] + " " + k}));
  });
  box.appendChild(pills);
  if (doc.ids) {
    box.appendChild(el("div", {class: "muted", text: "Followed by goroutine id: " + g.fmtInt(doc.ids.persisted) +
      " persisted" + (doc.ids.moved ? " (" + g.fmtInt(doc.ids.moved) + " of them in another group now)" : "") +
      ", " + g.fmtInt(doc.ids.new) + " new, " + g.fmtInt(doc.ids.exited) + " exited"}));
  }
  var groups = doc.groups || [];
  box.appendChild(el("h2", {text: "Diff flame graph (red grew, blue shrank; click a frame to filter)"}));
  var flameBox = el("div");
  box.appendChild(flameBox);
  box.appendChild(el("h2", {text: "Groups by change (" + groups.length + ")"}));
  var columns = [
    {key: "status", title: "Change", get: function (x) { return x.status; },
     show: function (x) { return el("span", {class: "pill " + x.status, text: x.status}); }},
    {key: "old", title: "Before", num: true, get: function (x) { return x.old_count; }, show: function (x) { return g.fmtInt(x.old_count); }},
    {key: "new", title: "After", num: true, get: function (x) { return x.new_count; }, show: function (x) { return g.fmtInt(x.new_count); }},
    {key: "delta", title: "Delta", num: true, get: function (x) { return x.delta; }, show: function (x) { return g.fmtSigned(x.delta); }},
    {key: "persisted", title: "Persisted", num: true, get: function (x) { return x.persisted == null ? -1 : x.persisted; },
     show: function (x) { return x.persisted == null ? "" : g.fmtInt(x.persisted); }},
    {key: "moved", title: "Moved in", num: true, get: function (x) { return x.moved_in == null ? -1 : x.moved_in; },
     show: function (x) { return x.moved_in ? g.fmtInt(x.moved_in) : ""; }},
    {key: "state", title: "State", get: function (x) { return x.state || ""; }},
    {key: "func", title: "Function (first in user code)", get: function (x) { return g.firstUser(x.frames); }},
    {key: "creator", title: "Created by", get: function (x) { return x.created_by ? g.frameName(x.created_by) : ""; }},
  ];
  var table = g.table(box, {
    id: "diff-groups", rowClass: "group", columns: columns, rows: groups, sort: "delta",
    placeholder: "filter: function, package, state or change (regular expression)",
    haystack: function (x) {
      var hay = [x.status, x.state || ""];
      (x.frames || []).forEach(function (f) { hay.push(g.frameName(f), g.packageOf(g.frameName(f))); });
      if (x.created_by) hay.push(g.frameName(x.created_by));
      return hay;
    },
    path: function (x) { return g.rootFirst(x.frames); },
    detail: function (x) { return g.stackBlock(x.frames, x.created_by); },
  });
  var flame = g.flame(flameBox, groups.map(function (x) {
    return {frames: x.frames || [], value: Math.max(x.old_count, x.new_count), old: x.old_count, now: x.new_count};
  }), {id: "diff-flame", diff: true, onPath: table.setPath});
  table.onReset = flame.reset;
};
