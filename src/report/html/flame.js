// The flame graph (icicle: callers on top, callees below). Items are
// {path: [names, root first], value} or {frames: [innermost first], value}
// and, for a diff, old and new counts: a frame's width is then
// max(old, new) summed over the stacks under it, and its colour says
// growth (red) or shrinkage (blue) by the change.
//
// The tree is built as it is drawn: a node sorts its stacks into children
// only when it is wide enough to be drawn, so a profile of 100,000 stacks
// costs the frames that can be seen, not every frame of every stack.
goroscope.flame = function (box, items, opt) {
  "use strict";
  var g = goroscope, el = g.el;
  opt = opt || {};
  var fmt = opt.format || g.fmtInt;
  function depthOf(it) { return it.path ? it.path.length : (it.frames || []).length; }
  function nameAt(it, d) { return it.path ? it.path[d] : g.frameName(it.frames[it.frames.length - 1 - d]); }
  function node(name, parent, depth) {
    return {name: name, value: 0, old: 0, now: 0, parent: parent, depth: depth, items: [], kids: null};
  }
  function add(n, it) {
    n.value += it.value;
    if (opt.diff) { n.old += it.old || 0; n.now += it.now || 0; }
    n.items.push(it);
  }
  // n's children, largest first, made from its stacks on first use
  function kids(n) {
    if (n.kids) return n.kids;
    var byName = new Map();
    n.items.forEach(function (it) {
      if (depthOf(it) <= n.depth) return;
      var name = nameAt(it, n.depth), k = byName.get(name);
      if (!k) byName.set(name, k = node(name, n, n.depth + 1));
      add(k, it);
    });
    n.kids = Array.from(byName.values()).sort(function (a, b) { return b.value - a.value; });
    return n.kids;
  }
  var tree = node("all", null, 0);
  items.forEach(function (it) { add(tree, it); });
  var maxChange = 1;
  // a diff colours every frame by the largest change anywhere: it needs
  // the whole tree (diffs hold the groups that changed, not a profile)
  if (opt.diff) (function walk(n) {
    maxChange = Math.max(maxChange, Math.abs(n.now - n.old));
    kids(n).forEach(walk);
  })(tree);

  var div = el("div", {class: "flame", id: opt.id || "flame"});
  box.appendChild(div);
  var palette = ["#f2b48a", "#f0c67a", "#e7a07a", "#f4d58d", "#eab676", "#f1a97c"];
  function colour(n) {
    if (!opt.diff) return palette[n.name.length % palette.length];
    var d = n.now - n.old, a = Math.min(1, 0.15 + 0.85 * Math.abs(d) / maxChange);
    if (d > 0) return "rgba(214, 59, 44, " + a.toFixed(2) + ")";
    if (d < 0) return "rgba(52, 112, 196, " + a.toFixed(2) + ")";
    return "#e4e4e4";
  }
  function label(n) {
    if (!opt.diff) return n.name + " (" + fmt(n.value) + ")";
    return n.name + " (" + fmt(n.old) + " → " + fmt(n.now) + ", " + g.fmtSigned(n.now - n.old) + ")";
  }
  function pathOf(n) { var p = []; while (n && n.parent) { p.unshift(n.name); n = n.parent; } return p; }
  // Positions are fractions of the graph's width, set in percent: the
  // graph never asks the page for its width (which would force a layout of
  // everything built so far) and follows the window when it is resized.
  // The pixel width is only estimated, to leave out frames too thin to see
  // and to label only those wide enough to read (laying out thousands of
  // clipped labels was most of the cost of drawing a big graph).
  var approxWidth = Math.max(600, (window.innerWidth || 1000) - 48);
  function cell(n, x, w, depth, bg, onClick) {
    var c = el("div", {class: "cell", title: label(n), text: w * approxWidth >= 24 ? label(n) : ""});
    if (opt.diff) c.setAttribute("data-change", n.now > n.old ? "grow" : n.now < n.old ? "shrink" : "same");
    c.style.left = (100 * x) + "%"; c.style.width = (100 * w) + "%"; c.style.top = (depth * 18) + "px";
    c.style.background = bg;
    c.addEventListener("click", onClick);
    div.appendChild(c);
    return c;
  }
  function select(n) {
    draw(n);
    if (opt.onPath) opt.onPath(n === tree ? null : pathOf(n));
  }
  var depthUsed = 0;
  function place(n, x, w, d) {
    if (w * approxWidth < 2 || !n.value) return;
    depthUsed = Math.max(depthUsed, d);
    cell(n, x, w, d, n === tree ? "#ddd" : colour(n), function () { select(n); });
    var cx = x;
    kids(n).forEach(function (k) { var kw = w * k.value / n.value; place(k, cx, kw, d + 1); cx += kw; });
  }
  // The focused frame spans the width; its callers stay above it, and the
  // top row resets.
  function draw(focus) {
    div.textContent = "";
    depthUsed = 0;
    if (focus === tree) {
      place(tree, 0, 1, 0);
    } else {
      cell({name: "all", value: tree.value, old: tree.old, now: tree.now}, 0, 1, 0, "#ccc",
           function () { select(tree); }).textContent = "all — click to reset";
      var chain = [], n = focus.parent;
      while (n && n !== tree) { chain.unshift(n); n = n.parent; }
      chain.forEach(function (c, i) { cell(c, 0, 1, i + 1, "#ddd", function () { select(c); }); });
      place(focus, 0, 1, chain.length + 1);
    }
    div.style.height = ((depthUsed + 1) * 18 + 2) + "px";
  }
  draw(tree);
  return {reset: function () { draw(tree); }};
};
