// Entry point: read the embedded document (gzip, in base64: see
// src/report/html.c) and draw its view. A document of `goroscope web` holds
// several views ({command: "web", views: [...]}): they get tabs, and each
// is drawn the first time its tab is opened (a 100,000-goroutine dump
// should not wait for views nobody looked at). When all is drawn, <body>
// gets data-ready (the tests and the benchmark wait for it).
(function () {
  "use strict";
  var g = goroscope, el = g.el;
  var root = document.getElementById("app");

  function readDocument() {
    var bin = atob(document.getElementById("goroscope-data").textContent.trim());
    var bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    var inflated = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    // bidi embeddings, overrides and isolates (U+202A-U+202E,
    // U+2066-U+2069) in a name would reorder what the page shows: every
    // one becomes U+FFFD before anything is drawn (the text reports escape
    // them, the JSON keeps them as data)
    var bidi = /[\u202a-\u202e\u2066-\u2069]/g;
    return new Response(inflated).text().then(function (t) {
      // (a search costs a tenth of a copy of 100 MB of text)
      return JSON.parse(bidi.test(t) ? t.replace(bidi, "\ufffd") : t);
    });
  }
  if (typeof DecompressionStream === "undefined") {
    root.appendChild(el("p", {text: "This browser is too old to open the report (it lacks DecompressionStream)."}));
    return;
  }
  readDocument().then(function (doc) {
    render(doc);
    document.body.setAttribute("data-ready", "1");
  }).catch(function (e) {
    root.appendChild(el("p", {text: "The report cannot be shown: " + e}));
    document.body.setAttribute("data-ready", "error");
  });

  function render(doc) {
    var titles = {analyze: "Snapshots", diff: "Diff", leaks: "Leaks", contention: "Contention", timeline: "Watch history"};

    function draw(d, box) {
      var view = g.views[d.command];
      if (view) view(d, box);
      else box.appendChild(el("p", {text: "This page cannot show a '" + d.command + "' document."}));
    }
    if (doc.command !== "web") { draw(doc, root); return; }

    var views = doc.views || [], nav = el("nav", {class: "tabs"}), panes = [];
    root.appendChild(nav);
    views.forEach(function (d, i) {
      var tab = el("button", {class: "tab", id: "tab-" + d.command, text: titles[d.command] || d.command});
      var pane = el("div", {class: "pane", id: "pane-" + d.command});
      pane.hidden = true;
      nav.appendChild(tab);
      root.appendChild(pane);
      panes.push({tab: tab, pane: pane, doc: d, drawn: false});
      tab.addEventListener("click", function () { show(i); });
    });
    function show(i) {
      panes.forEach(function (p, k) {
        p.pane.hidden = k !== i;
        p.tab.classList.toggle("active", k === i);
      });
      var p = panes[i];
      if (!p.drawn) { p.drawn = true; draw(p.doc, p.pane); }
      if (history.replaceState) history.replaceState(null, "", "#" + p.doc.command);
    }
    if (!views.length) { root.appendChild(el("p", {text: "Nothing to show."})); return; }
    var want = location.hash.slice(1), first = 0;
    views.forEach(function (d, i) { if (d.command === want) first = i; });
    show(first);
  }
})();
