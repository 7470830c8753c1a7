// The view of `analyze --json`: per snapshot, the overview, the suspected
// leaks, the flame graph and the group table, the two linked (a click on a
// frame keeps the groups whose stacks pass through it).
goroscope.views.analyze = function (doc, root) {
  "use strict";
  var g = goroscope, el = g.el;

  // The page's document lists each distinct frame once per snapshot
  // (frame_table) and a group's frames as indices into it: every group then
  // shares the table's objects.
  (doc.snapshots || []).forEach(function (s) {
    var table = s.frame_table;
    if (!table) return;
    (s.groups || []).forEach(function (x) {
      var fr = x.frames || [];
      for (var i = 0; i < fr.length; i++) if (typeof fr[i] === "number") fr[i] = table[fr[i]];
    });
  });

  function states(grp) { return Object.keys(grp.states || {}).join(", "); }
  function labelsOf(grp) {
    return grp.labels ? Object.keys(grp.labels).map(function (k) { return k + "=" + grp.labels[k]; }).join(" ") : "";
  }

  function overview(s, box, i, n) {
    box.appendChild(el("h1", {text: "goroscope: " + (s.source || "dump") + (n > 1 ? " (snapshot " + (i + 1) + " of " + n + ")" : "")}));
    box.appendChild(el("div", {class: "muted", text:
      g.fmtInt(s.total) + " goroutines, " + g.fmtInt(s.shown) + " shown" +
      (s.hidden_system ? ", " + s.hidden_system + " system hidden" : "") +
      "; format " + s.format + (s.go_version_min ? "; Go 1." + s.go_version_min + " or newer" : "")}));
    var sus = s.suspected_leaks || [];
    if (sus.length) {
      box.appendChild(el("h2", {text: "Suspected leaks (one snapshot: a suspicion, not a proof)"}));
      sus.forEach(function (x) {
        var d = el("div", {class: "suspect"});
        d.appendChild(el("strong", {text: g.fmtInt(x.count) + " goroutines"}));
        d.appendChild(g.text(" at " + (x.site ? g.frameName(x.site) : "?") + " (" + (x.state || "") + "), confidence " +
          (x.confidence || "?") + (x.evidence ? ": " + x.evidence : "")));
        if (x.cause) d.appendChild(el("div", {class: "muted", text: "Likely cause: " + x.cause}));
        if (x.fix) d.appendChild(el("div", {class: "muted", text: "Fix: " + x.fix}));
        box.appendChild(d);
      });
    }
    g.bars(box, "By state", s.states);
    g.bars(box, "By wait class", s.wait_classes);
  }

  var columns = [
    {key: "count", title: "Goroutines", num: true, get: function (x) { return x.count; }},
    {key: "state", title: "State", get: states},
    {key: "wait", title: "Wait (min/med/max minutes)", num: true,
     get: function (x) { return x.wait_minutes ? x.wait_minutes.max : -1; },
     show: function (x) { var w = x.wait_minutes; return w ? w.min + " / " + w.median + " / " + w.max : ""; }},
    {key: "func", title: "Function (first in user code)", get: function (x) { return g.firstUser(x.frames); }},
    {key: "where", title: "Location", get: function (x) { return g.shortWhere(g.firstUserFrame(x.frames)); }},
    {key: "creator", title: "Created by", get: function (x) { return x.created_by ? g.frameName(x.created_by) : ""; }},
    {key: "labels", title: "Labels", get: labelsOf},
  ];

  // Several snapshots (a series of dumps, or web's inputs): their counts
  // over time, in all and for the largest groups, matched by stack.
  function seriesTimeline(snaps) {
    function key(x) {
      return (x.frames || []).map(function (f) { return f.func + ":" + f.line; }).join("|") + "<" +
             (x.created_by ? x.created_by.func : "");
    }
    var byKey = {}, order = [];
    snaps.forEach(function (s, i) {
      (s.groups || []).forEach(function (x) {
        var k = key(x), e = byKey[k];
        if (!e) {
          // the same function may top several stacks: its location tells them apart
          var f = g.firstUserFrame(x.frames);
          e = byKey[k] = {name: g.firstUser(x.frames) + (f ? " (" + g.shortWhere(f) + ")" : ""),
                          counts: snaps.map(function () { return 0; })};
          order.push(e);
        }
        e.counts[i] += x.count;
      });
    });
    order.sort(function (a, b) { return b.counts[b.counts.length - 1] - a.counts[a.counts.length - 1]; });
    // when each was taken (a profile's own time, a capture's, a fetch's, a
    // file's), when every snapshot has one and they rise; else its rank
    var times = snaps.every(function (s, i) {
      return s.taken && (!i || s.taken.unix_nanos > snaps[i - 1].taken.unix_nanos);
    });
    function xOf(i) { return times ? snaps[i].taken.unix_nanos / 1e6 : i + 1; }
    var series = [{name: "goroutines shown", points: snaps.map(function (s, i) { return [xOf(i), s.shown]; })}];
    order.slice(0, 7).forEach(function (e) {
      series.push({name: e.name, points: e.counts.map(function (c, i) { return [xOf(i), c]; })});
    });
    var box = el("section", {id: "series"});
    root.appendChild(box);
    box.appendChild(el("h1", {text: "goroscope: " + snaps.length + " snapshots"}));
    box.appendChild(el("h2", {text: "Timeline: goroutines in all and in the largest groups (matched by stack)"}));
    g.lineChart(box, series, {id: "series-chart", xFormat: times ? g.fmtUtc : function (v) { return "snapshot " + Math.round(v); }});
  }
  if ((doc.snapshots || []).length >= 2) seriesTimeline(doc.snapshots);

  // newest first: it is the one an incident is about; the timeline above
  // covers the others
  (doc.snapshots || []).slice().reverse().forEach(function (s, k, list) {
    var i = list.length - 1 - k;
    var suffix = i ? "-" + (i + 1) : "";
    var box = el("section", {id: "snapshot-" + (i + 1)});
    root.appendChild(box);
    overview(s, box, i, doc.snapshots.length);
    var groups = s.groups || [];
    box.appendChild(el("h2", {text: "Flame graph (click a frame to zoom and filter the groups)"}));
    var flameBox = el("div");
    box.appendChild(flameBox);
    box.appendChild(el("h2", {text: "Groups (" + groups.length + ")"}));
    var table = g.table(box, {
      id: "groups" + suffix, rowClass: "group", columns: columns, rows: groups, sort: "count",
      placeholder: "filter: function, package, state or label (regular expression)",
      haystack: function (x) {
        var hay = [states(x), labelsOf(x)];
        (x.frames || []).forEach(function (f) { hay.push(g.frameName(f), g.packageOf(g.frameName(f))); });
        if (x.created_by) hay.push(g.frameName(x.created_by));
        return hay;
      },
      path: function (x) { return g.rootFirst(x.frames); },
      detail: function (x) { return g.stackBlock(x.frames, x.created_by); },
      summary: function (rows) {
        var n = 0;
        rows.forEach(function (x) { n += x.count; });
        return g.fmtInt(n) + " goroutines";
      },
    });
    var flame = g.flame(flameBox, groups.map(function (x) { return {frames: x.frames || [], value: x.count}; }),
                        {id: "flame" + suffix, onPath: table.setPath});
    table.onReset = flame.reset;
  });
  if (!(doc.snapshots || []).length) root.appendChild(el("p", {text: "No goroutines."}));
};
