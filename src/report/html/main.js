// Entry point: read the embedded document and draw its view. A document of
// `goroscope web` holds several views ({command: "web", views: [...]}):
// they get tabs, and each is drawn the first time its tab is opened (a
// 100,000-goroutine dump should not wait for views nobody looked at).
(function () {
  "use strict";
  var g = goroscope, el = g.el;
  var doc = JSON.parse(document.getElementById("goroscope-data").textContent);
  var root = document.getElementById("app");
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
})();
