// goroscope HTML report: renders the embedded JSON document (the output of
// `goroscope analyze --json`). Every string from the dump is untrusted: it
// is only ever set as textContent, never parsed as HTML.
(function () {
  "use strict";
  var doc = JSON.parse(document.getElementById("goroscope-data").textContent);
  var ROWS_SHOWN = 300;
  var root = document.getElementById("app");

  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    if (attrs) for (var k in attrs) {
      if (k === "text") e.textContent = attrs[k];
      else if (k === "class") e.className = attrs[k];
      else e.setAttribute(k, attrs[k]);
    }
    (children || []).forEach(function (c) { if (c) e.appendChild(c); });
    return e;
  }
  function text(s) { return document.createTextNode(s == null ? "" : String(s)); }
  function frameName(f) { return f && f.func ? f.func : "?"; }
  function firstUser(g) {
    var fr = g.frames || [];
    for (var i = 0; i < fr.length; i++) {
      var n = fr[i].func || "";
      if (!/^(runtime|internal|sync|syscall|time|net|os|io|bufio|context|reflect)[./]/.test(n)) return n;
    }
    return fr.length ? frameName(fr[0]) : "(no stack)";
  }
  function packageOf(fn) {
    var slash = fn.lastIndexOf("/"), dot = fn.indexOf(".", slash + 1);
    return dot > 0 ? fn.slice(0, dot) : fn;
  }
  function states(g) { return Object.keys(g.states || {}).join(", "); }
  function labelsOf(g) {
    if (!g.labels) return "";
    return Object.keys(g.labels).map(function (k) { return k + "=" + g.labels[k]; }).join(" ");
  }

  function overview(s, box) {
    box.appendChild(el("h1", {text: "goroscope: " + (s.source || "dump")}));
    box.appendChild(el("div", {class: "muted", text:
      s.total + " goroutines, " + s.shown + " shown" + (s.hidden_system ? ", " + s.hidden_system + " system hidden" : "") +
      "; format " + s.format + (s.go_version_min ? "; Go 1." + s.go_version_min + " or newer" : "")}));
    var sus = s.suspected_leaks || [];
    if (sus.length) {
      box.appendChild(el("h2", {text: "Suspected leaks (one snapshot: a suspicion, not a proof)"}));
      sus.forEach(function (x) {
        var d = el("div", {class: "suspect"});
        d.appendChild(el("strong", {text: x.count + " goroutines"}));
        d.appendChild(text(" at " + (x.site ? frameName(x.site) : "?") + " (" + (x.state || "") + "), confidence " +
          (x.confidence || "?") + (x.evidence ? ": " + x.evidence : "")));
        if (x.cause) d.appendChild(el("div", {class: "muted", text: "Likely cause: " + x.cause}));
        if (x.fix) d.appendChild(el("div", {class: "muted", text: "Fix: " + x.fix}));
        box.appendChild(d);
      });
    }
    [["By state", s.states], ["By wait class", s.wait_classes]].forEach(function (section) {
      var m = section[1] || {}, keys = Object.keys(m);
      if (!keys.length) return;
      box.appendChild(el("h2", {text: section[0]}));
      var bars = el("div", {class: "bars"}), max = 1;
      keys.forEach(function (k) { max = Math.max(max, m[k]); });
      keys.forEach(function (k) {
        var bar = el("span", {class: "bar"});
        bar.style.width = Math.max(2, 400 * m[k] / max) + "px";
        bars.appendChild(el("div", null, [el("span", {class: "label", text: k}), bar, text(String(m[k]))]));
      });
      box.appendChild(bars);
    });
  }

  // ---- the group table ----
  var columns = [
    {key: "count", title: "Goroutines", num: true, get: function (g) { return g.count; }},
    {key: "state", title: "State", get: states},
    {key: "wait", title: "Wait (min/med/max minutes)", num: true,
     get: function (g) { return g.wait_minutes ? g.wait_minutes.max : -1; },
     show: function (g) { var w = g.wait_minutes; return w ? w.min + " / " + w.median + " / " + w.max : ""; }},
    {key: "func", title: "Function (first in user code)", get: firstUser},
    {key: "creator", title: "Created by", get: function (g) { return g.created_by ? frameName(g.created_by) : ""; }},
    {key: "labels", title: "Labels", get: labelsOf},
  ];

  function groupTable(s, box, state) {
    box.appendChild(el("h2", {text: "Groups (" + (s.groups || []).length + ")"}));
    var input = el("input", {id: "filter", type: "search", placeholder: "filter: function, package, state or label (regular expression)"});
    var clear = el("button", {text: "show all"});
    var note = el("span", {class: "muted"});
    box.appendChild(el("div", {class: "toolbar"}, [input, clear, note]));
    var table = el("table", {id: "groups"});
    var head = el("tr");
    columns.forEach(function (c) {
      var th = el("th", {text: c.title, "data-key": c.key});
      th.addEventListener("click", function () {
        state.desc = state.sort === c.key ? !state.desc : !!c.num;
        state.sort = c.key;
        render();
      });
      head.appendChild(th);
    });
    table.appendChild(el("thead", null, [head]));
    var body = el("tbody");
    table.appendChild(body);
    box.appendChild(table);

    function matches(g) {
      if (state.path) {
        var fr = (g.frames || []).slice().reverse();
        for (var i = 0; i < state.path.length; i++) if (!fr[i] || frameName(fr[i]) !== state.path[i]) return false;
      }
      if (!state.re) return true;
      var hay = [states(g), labelsOf(g)];
      (g.frames || []).forEach(function (f) { hay.push(frameName(f), packageOf(frameName(f))); });
      if (g.created_by) hay.push(frameName(g.created_by));
      return hay.some(function (h) { return state.re.test(h); });
    }
    function render() {
      Array.prototype.forEach.call(head.children, function (th) {
        th.className = th.getAttribute("data-key") === state.sort ? "sorted" + (state.desc ? "" : " asc") : "";
      });
      var col = columns.filter(function (c) { return c.key === state.sort; })[0];
      var rows = (s.groups || []).filter(matches);
      rows.sort(function (a, b) {
        var x = col.get(a), y = col.get(b);
        var r = x < y ? -1 : x > y ? 1 : 0;
        return state.desc ? -r : r;
      });
      body.textContent = "";
      var shown = 0;
      rows.forEach(function (g) { shown += g.count; });
      // a big dump has thousands of groups: the largest first, the rest on request
      var limit = state.all ? rows.length : Math.min(rows.length, ROWS_SHOWN);
      rows.slice(0, limit).forEach(function (g) {
        var tr = el("tr", {class: "group"});
        columns.forEach(function (c) {
          tr.appendChild(el("td", {class: c.num ? "num" : "", text: c.show ? c.show(g) : String(c.get(g))}));
        });
        var detail = null;
        tr.addEventListener("click", function () {
          if (detail) { detail.remove(); detail = null; return; }
          var fr = el("div", {class: "frames mono"});
          (g.frames || []).forEach(function (f) {
            fr.appendChild(el("div", {text: frameName(f) + (f.inlined ? "  (inlined)" : "")}));
            fr.appendChild(el("div", {class: "file", text: (f.file || "?") + ":" + (f.line || "?")}));
          });
          if (g.created_by) {
            fr.appendChild(el("div", {text: "created by " + frameName(g.created_by)}));
            fr.appendChild(el("div", {class: "file", text: (g.created_by.file || "?") + ":" + (g.created_by.line || "?")}));
          }
          detail = el("tr", {class: "stack"}, [el("td", {colspan: String(columns.length)}, [fr])]);
          tr.after(detail);
        });
        body.appendChild(tr);
      });
      note.textContent = rows.length + " groups, " + shown + " goroutines" +
        (state.path ? " under " + state.path.join(" ▸ ") : "");
      if (limit < rows.length) {
        var more = el("button", {text: "show the other " + (rows.length - limit) + " groups"});
        more.addEventListener("click", function () { state.all = true; render(); });
        body.appendChild(el("tr", null, [el("td", {colspan: String(columns.length)}, [more])]));
      }
    }
    input.addEventListener("input", function () {
      try { state.re = input.value ? new RegExp(input.value, "i") : null; input.style.outline = ""; }
      catch (e) { input.style.outline = "2px solid #c33"; return; }
      render();
    });
    clear.addEventListener("click", function () {
      input.value = ""; state.re = null; state.path = null; render(); state.onPath && state.onPath(null);
    });
    state.render = render;
    render();
  }

  // ---- the flame graph (icicle: callers on top, callees below) ----
  function flame(s, box, state) {
    box.appendChild(el("h2", {text: "Flame graph (click a frame to zoom and filter the groups)"}));
    var tree = {name: "all", value: 0, children: {}};
    (s.groups || []).forEach(function (g) {
      var node = tree, fr = (g.frames || []).slice().reverse();
      tree.value += g.count;
      fr.forEach(function (f) {
        var n = frameName(f);
        node = node.children[n] || (node.children[n] = {name: n, value: 0, children: {}, parent: node});
        node.value += g.count;
      });
    });
    var div = el("div", {class: "flame", id: "flame"});
    box.appendChild(div);
    var palette = ["#f2b48a", "#f0c67a", "#e7a07a", "#f4d58d", "#eab676", "#f1a97c"];
    function pathOf(n) { var p = []; while (n && n.parent) { p.unshift(n.name); n = n.parent; } return p; }
    function draw(focus) {
      div.textContent = "";
      var width = div.clientWidth || 1000, depth = 0;
      function place(n, x, w, d) {
        if (w < 2) return;
        depth = Math.max(depth, d);
        var c = el("div", {class: "cell", title: n.name + " (" + n.value + ")", text: n.name + " (" + n.value + ")"});
        c.style.left = x + "px"; c.style.width = w + "px"; c.style.top = (d * 18) + "px";
        c.style.background = n === tree ? "#ddd" : palette[n.name.length % palette.length];
        c.addEventListener("click", function () {
          state.path = n === tree ? null : pathOf(n);
          draw(n === tree ? tree : n);
          state.render();
        });
        div.appendChild(c);
        var kids = Object.keys(n.children).map(function (k) { return n.children[k]; })
          .sort(function (a, b) { return b.value - a.value; });
        var cx = x;
        kids.forEach(function (k) { var kw = w * k.value / n.value; place(k, cx, kw, d + 1); cx += kw; });
      }
      // the focused frame spans the width; its callers stay above it
      var chain = [], n = focus;
      while (n && n !== tree) { chain.unshift(n); n = n.parent; }
      place(tree, 0, width, 0);
      if (focus !== tree) {
        div.textContent = "";
        depth = 0;
        chain.forEach(function (c, i) {
          var cell = el("div", {class: "cell", title: c.name, text: c.name + " (" + c.value + ")"});
          cell.style.left = "0px"; cell.style.width = width + "px"; cell.style.top = ((i + 1) * 18) + "px";
          cell.style.background = "#ddd";
          cell.addEventListener("click", function () { state.path = pathOf(c); draw(c); state.render(); });
          div.appendChild(cell);
        });
        var top = el("div", {class: "cell", text: "all (" + tree.value + ") — click to reset"});
        top.style.left = "0px"; top.style.width = width + "px"; top.style.top = "0px"; top.style.background = "#ccc";
        top.addEventListener("click", function () { state.path = null; draw(tree); state.render(); });
        div.appendChild(top);
        var kids = Object.keys(focus.children).map(function (k) { return focus.children[k]; })
          .sort(function (a, b) { return b.value - a.value; });
        var cx = 0;
        kids.forEach(function (k) { var kw = width * k.value / focus.value; place(k, cx, kw, chain.length + 1); cx += kw; });
        depth = Math.max(depth, chain.length);
      }
      div.style.height = ((depth + 1) * 18 + 2) + "px";
    }
    state.onPath = function () { draw(tree); };
    draw(tree);
  }

  (doc.snapshots || []).forEach(function (s, i) {
    var box = el("section", {id: "snapshot-" + (i + 1)});
    root.appendChild(box);
    var state = {sort: "count", desc: true, re: null, path: null};
    overview(s, box);
    var tableBox = el("div"), flameBox = el("div");
    box.appendChild(flameBox);
    box.appendChild(tableBox);
    groupTable(s, tableBox, state);
    flame(s, flameBox, state);
  });
  if (!(doc.snapshots || []).length) root.appendChild(el("p", {text: "No goroutines."}));
})();
