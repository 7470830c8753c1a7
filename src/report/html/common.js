// goroscope report, shared helpers. The page renders the JSON document
// embedded in it (the output of a command's --json). Every string from the
// input is untrusted: it is only ever set as textContent or as an
// attribute value, never parsed as HTML.
var goroscope = (function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";

  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    setAttrs(e, attrs);
    (children || []).forEach(function (c) { if (c) e.appendChild(typeof c === "string" ? text(c) : c); });
    return e;
  }
  function svg(tag, attrs) {
    var e = document.createElementNS(SVG, tag);
    setAttrs(e, attrs);
    return e;
  }
  function setAttrs(e, attrs) {
    if (attrs) for (var k in attrs) {
      if (k === "text") e.textContent = attrs[k];
      else if (k === "class") e.setAttribute("class", attrs[k]);
      else e.setAttribute(k, attrs[k]);
    }
  }
  function text(s) { return document.createTextNode(s == null ? "" : String(s)); }

  function frameName(f) { return f && f.func ? f.func : "?"; }
  function frameWhere(f) { return f ? (f.file || "?") + ":" + (f.line || "?") : ""; }
  var RUNTIME = /^(runtime|internal|sync|syscall|time|net|os|io|bufio|context|reflect)[./]/;
  // The first frame (innermost first) outside the standard library, else
  // the innermost; null without frames.
  function firstUserFrame(frames) {
    var fr = frames || [];
    for (var i = 0; i < fr.length; i++) if (!RUNTIME.test(fr[i].func || "")) return fr[i];
    return fr.length ? fr[0] : null;
  }
  function firstUser(frames) { var f = firstUserFrame(frames); return f ? frameName(f) : "(no stack)"; }
  // file:line with the last directory only, as the text report prints it.
  function shortWhere(f) {
    if (!f) return "";
    var parts = (f.file || "?").split("/");
    return parts.slice(-2).join("/") + ":" + (f.line || "?");
  }
  function packageOf(fn) {
    var slash = fn.lastIndexOf("/"), dot = fn.indexOf(".", slash + 1);
    return dot > 0 ? fn.slice(0, dot) : fn;
  }
  // Callers first, as the flame graph draws them.
  function rootFirst(frames) { return (frames || []).map(frameName).reverse(); }

  function fmtInt(n) { return n == null ? "" : String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ","); }
  function fmtNs(ns) {
    if (ns == null) return "";
    var a = Math.abs(ns);
    if (a >= 3600e9) return (ns / 3600e9).toFixed(1) + " h";
    if (a >= 60e9) return (ns / 60e9).toFixed(1) + " min";
    if (a >= 1e9) return (ns / 1e9).toFixed(2) + " s";
    if (a >= 1e6) return (ns / 1e6).toFixed(1) + " ms";
    if (a >= 1e3) return (ns / 1e3).toFixed(1) + " µs";
    return ns + " ns";
  }
  function fmtSigned(n) { return (n > 0 ? "+" : "") + fmtInt(n); }
  function fmtUtc(ms) { return new Date(ms).toISOString().replace(".000", "").replace("T", " "); }

  // A block of labelled horizontal bars for a {name: count} map.
  function bars(box, title, m) {
    var keys = Object.keys(m || {});
    if (!keys.length) return;
    box.appendChild(el("h2", {text: title}));
    var div = el("div", {class: "bars"}), max = 1;
    keys.forEach(function (k) { max = Math.max(max, m[k]); });
    keys.forEach(function (k) {
      var bar = el("span", {class: "bar"});
      bar.style.width = Math.max(2, 400 * m[k] / max) + "px";
      div.appendChild(el("div", null, [el("span", {class: "label", text: k}), bar, text(fmtInt(m[k]))]));
    });
    box.appendChild(div);
  }

  // Expanded stack of a group or site: function and file:line per frame.
  function stackBlock(frames, createdBy) {
    var div = el("div", {class: "frames mono"});
    (frames || []).forEach(function (f) {
      div.appendChild(el("div", {text: frameName(f) + (f.inlined ? "  (inlined)" : "")}));
      div.appendChild(el("div", {class: "file", text: frameWhere(f)}));
    });
    if (createdBy) {
      div.appendChild(el("div", {text: "created by " + frameName(createdBy)}));
      div.appendChild(el("div", {class: "file", text: frameWhere(createdBy)}));
    }
    return div;
  }

  // A plain table: attrs for the <table>, the column titles, and per row
  // {cells: [text or {text, class}], class}.
  function plainTable(attrs, titles, rows) {
    var t = el("table", attrs);
    t.appendChild(el("tr", null, titles.map(function (h) { return el("th", {text: h}); })));
    rows.forEach(function (r) {
      t.appendChild(el("tr", r.class ? {class: r.class} : null, r.cells.map(function (c) {
        return typeof c === "object" && c !== null ? el("td", c) : el("td", {text: c == null ? "" : String(c)});
      })));
    });
    return t;
  }

  // A line chart: series [{name, points: [[x, y], ...], cls}], markers
  // [{x, label}] drawn as vertical lines; opt.xFormat labels the x axis.
  function lineChart(box, series, opt) {
    opt = opt || {};
    var W = 900, H = 260, L = 60, R = 10, T = 10, B = 28;
    var xs = [], ys = [0];
    series.forEach(function (s) { s.points.forEach(function (p) { xs.push(p[0]); if (p[1] != null) ys.push(p[1]); }); });
    (opt.markers || []).forEach(function (m) { xs.push(m.x); });
    if (!xs.length) return null;
    var x0 = Math.min.apply(null, xs), x1 = Math.max.apply(null, xs), y1 = Math.max.apply(null, ys) || 1;
    if (x1 === x0) x1 = x0 + 1;
    function X(v) { return L + (W - L - R) * (v - x0) / (x1 - x0); }
    function Y(v) { return H - B - (H - T - B) * v / y1; }
    var root = svg("svg", {class: "chart", viewBox: "0 0 " + W + " " + H, role: "img"});
    if (opt.id) root.setAttribute("id", opt.id);
    [0, 0.5, 1].forEach(function (f) {
      var v = Math.round(y1 * f);
      root.appendChild(svg("line", {x1: L, x2: W - R, y1: Y(v), y2: Y(v), class: "grid"}));
      var t = svg("text", {x: L - 6, y: Y(v) + 4, "text-anchor": "end", class: "axis"});
      t.textContent = fmtInt(v);
      root.appendChild(t);
    });
    [x0, (x0 + x1) / 2, x1].forEach(function (v, i) {
      var t = svg("text", {x: X(v), y: H - 8, "text-anchor": ["start", "middle", "end"][i], class: "axis"});
      t.textContent = opt.xFormat ? opt.xFormat(v) : String(v);
      root.appendChild(t);
    });
    (opt.markers || []).forEach(function (m) {
      var g = svg("g", {class: "marker"});
      g.appendChild(svg("line", {x1: X(m.x), x2: X(m.x), y1: T, y2: H - B}));
      var t = svg("title");
      t.textContent = m.label;
      g.appendChild(t);
      root.appendChild(g);
    });
    series.forEach(function (s, i) {
      var d = "", pen = false;
      s.points.forEach(function (p) {
        if (p[1] == null) { pen = false; return; }  // a failed poll: a gap
        d += (pen ? "L" : "M") + X(p[0]).toFixed(1) + " " + Y(p[1]).toFixed(1);
        pen = true;
      });
      var path = svg("path", {d: d, class: "series s" + (i % 8)});
      var t = svg("title");
      t.textContent = s.name;
      path.appendChild(t);
      root.appendChild(path);
    });
    box.appendChild(root);
    var legend = el("div", {class: "legend"});
    series.forEach(function (s, i) {
      legend.appendChild(el("span", null, [el("span", {class: "swatch s" + (i % 8)}), text(s.name)]));
    });
    box.appendChild(legend);
    return root;
  }

  return {el: el, svg: svg, text: text, frameName: frameName, frameWhere: frameWhere, firstUser: firstUser,
          firstUserFrame: firstUserFrame, shortWhere: shortWhere,
          packageOf: packageOf, rootFirst: rootFirst, fmtInt: fmtInt, fmtNs: fmtNs, fmtSigned: fmtSigned,
          fmtUtc: fmtUtc, bars: bars, stackBlock: stackBlock, plainTable: plainTable, lineChart: lineChart, views: {}};
})();
