// A sortable table filtered by a regular expression typed by the user and
// by a flame-graph path. opt: id, columns [{key, title, num, get(row),
// show(row)}], rows, sort (a column key), haystack(row) -> strings the
// expression is tried on, path(row) -> names root first (for setPath),
// detail(row) -> element shown when a row is clicked, placeholder,
// rowClass, summary(rows) -> a note on the rows shown.
goroscope.table = function (box, opt) {
  "use strict";
  var g = goroscope, el = g.el;
  var ROWS_SHOWN = 300;  // a big dump has thousands of groups: the largest first, the rest on request
  var state = {sort: opt.sort, desc: true, re: null, path: null, all: false};
  var input = el("input", {class: "filter", type: "search", placeholder: opt.placeholder || "filter (regular expression)"});
  var clear = el("button", {text: "show all"});
  var note = el("span", {class: "muted note"});
  box.appendChild(el("div", {class: "toolbar"}, [input, clear, note]));
  var table = el("table", {id: opt.id});
  var head = el("tr");
  opt.columns.forEach(function (c) {
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

  function matches(row) {
    if (state.path) {
      var p = opt.path(row);
      for (var i = 0; i < state.path.length; i++) if (p[i] !== state.path[i]) return false;
    }
    return !state.re || opt.haystack(row).some(function (h) { return state.re.test(h); });
  }
  function render() {
    Array.prototype.forEach.call(head.children, function (th) {
      th.className = th.getAttribute("data-key") === state.sort ? "sorted" + (state.desc ? "" : " asc") : "";
    });
    var col = opt.columns.filter(function (c) { return c.key === state.sort; })[0];
    var rows = opt.rows.filter(matches);
    rows.sort(function (a, b) {
      var x = col.get(a), y = col.get(b);
      var r = x < y ? -1 : x > y ? 1 : 0;
      return state.desc ? -r : r;
    });
    body.textContent = "";
    var limit = state.all ? rows.length : Math.min(rows.length, ROWS_SHOWN);
    rows.slice(0, limit).forEach(function (row) {
      var tr = el("tr", {class: opt.rowClass || "row"});
      opt.columns.forEach(function (c) {
        var v = c.show ? c.show(row) : c.get(row);
        var td = el("td", {class: c.num ? "num" : ""});
        if (v instanceof Node) td.appendChild(v); else td.textContent = v == null ? "" : String(v);
        tr.appendChild(td);
      });
      var detail = null;
      if (opt.detail) tr.addEventListener("click", function () {
        if (detail) { detail.remove(); detail = null; return; }
        detail = el("tr", {class: "stack"}, [el("td", {colspan: String(opt.columns.length)}, [opt.detail(row)])]);
        tr.after(detail);
      });
      body.appendChild(tr);
    });
    note.textContent = rows.length + " of " + opt.rows.length + " rows" +
      (opt.summary ? ", " + opt.summary(rows) : "") + (state.path ? " under " + state.path.join(" ▸ ") : "");
    if (limit < rows.length) {
      var more = el("button", {text: "show the other " + (rows.length - limit) + " rows"});
      more.addEventListener("click", function () { state.all = true; render(); });
      body.appendChild(el("tr", null, [el("td", {colspan: String(opt.columns.length)}, [more])]));
    }
  }
  input.addEventListener("input", function () {
    try { state.re = input.value ? new RegExp(input.value, "i") : null; input.classList.remove("bad"); }
    catch (e) { input.classList.add("bad"); return; }
    render();
  });
  var api = {
    render: render,
    setPath: function (p) { state.path = p; render(); },
    onReset: null,
  };
  clear.addEventListener("click", function () {
    input.value = ""; state.re = null; state.path = null; render();
    if (api.onReset) api.onReset();
  });
  render();
  return api;
};
