// divnet run report: pan and zoom of maps, hover text, sortable and filterable tables, and
// the date filter of the event map. Plain DOM code; the page reads the same without it.
(function () {
  "use strict";
  var tip = document.getElementById("tip");

  // Hover text of marks ([data-tip]), following the pointer.
  function place(e) {
    tip.style.left = e.pageX + 14 + "px";
    tip.style.top = e.pageY + 14 + "px";
  }
  document.addEventListener("mouseover", function (e) {
    var m = e.target.closest && e.target.closest("[data-tip]");
    if (!m) { tip.hidden = true; return; }
    tip.textContent = m.getAttribute("data-tip");
    tip.hidden = false;
    place(e);
  });
  document.addEventListener("mousemove", function (e) { if (!tip.hidden) place(e); });

  // Maps: wheel zooms about the pointer, drag pans, double-click resets.
  document.querySelectorAll("figure[data-map] svg").forEach(function (svg) {
    var w = parseFloat(svg.getAttribute("width")), h = parseFloat(svg.getAttribute("height"));
    if (!(w > 0 && h > 0)) return;
    var vb = [0, 0, w, h], drag = null;
    function set() { svg.setAttribute("viewBox", vb.join(" ")); }
    function clamp() {
      vb[2] = Math.min(vb[2], w); vb[3] = Math.min(vb[3], h);
      vb[0] = Math.max(0, Math.min(vb[0], w - vb[2]));
      vb[1] = Math.max(0, Math.min(vb[1], h - vb[3]));
    }
    function at(e) {
      var r = svg.getBoundingClientRect();
      return [vb[0] + (e.clientX - r.left) / r.width * vb[2],
              vb[1] + (e.clientY - r.top) / r.height * vb[3]];
    }
    set();
    svg.addEventListener("wheel", function (e) {
      e.preventDefault();
      var p = at(e), k = e.deltaY < 0 ? 0.8 : 1.25, nw = Math.max(w / 40, Math.min(w, vb[2] * k));
      var s = nw / vb[2];
      vb = [p[0] - (p[0] - vb[0]) * s, p[1] - (p[1] - vb[1]) * s, nw, vb[3] * s];
      clamp(); set();
    }, { passive: false });
    svg.addEventListener("mousedown", function (e) { drag = [e.clientX, e.clientY, vb[0], vb[1]]; });
    window.addEventListener("mouseup", function () { drag = null; });
    window.addEventListener("mousemove", function (e) {
      if (!drag) return;
      var r = svg.getBoundingClientRect();
      vb[0] = drag[2] - (e.clientX - drag[0]) / r.width * vb[2];
      vb[1] = drag[3] - (e.clientY - drag[1]) / r.height * vb[3];
      clamp(); set();
    });
    svg.addEventListener("dblclick", function () { vb = [0, 0, w, h]; set(); });
  });

  // Tables: click a heading to sort (numbers as numbers), type to filter rows.
  function key(cell) {
    var t = cell.textContent.trim(), n = parseFloat(t.replace(/,/g, ""));
    return /^-?[\d,.]+(e-?\d+)?%?$/i.test(t) && !isNaN(n) ? n : t.toLowerCase();
  }
  document.querySelectorAll("table.explore").forEach(function (table) {
    var body = table.tBodies[0];
    var box = document.createElement("input");
    box.className = "filter";
    box.placeholder = "Filter rows";
    box.setAttribute("aria-label", "Filter rows");
    table.parentNode.insertBefore(box, table);
    box.addEventListener("input", function () {
      var q = box.value.toLowerCase();
      Array.prototype.forEach.call(body.rows, function (r) {
        r.hidden = q !== "" && r.textContent.toLowerCase().indexOf(q) < 0;
      });
    });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, col) {
      th.className = "sort";
      th.addEventListener("click", function () {
        var dir = th.getAttribute("data-dir") === "asc" ? "desc" : "asc";
        Array.prototype.forEach.call(th.parentNode.cells, function (c) { c.removeAttribute("data-dir"); });
        th.setAttribute("data-dir", dir);
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = key(a.cells[col]), y = key(b.cells[col]);
          var c = typeof x === typeof y ? (x < y ? -1 : x > y ? 1 : 0) : (typeof x === "number" ? -1 : 1);
          return dir === "asc" ? c : -c;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  });

  // The event map: show the points dated within the chosen days.
  var from = document.getElementById("t-from"), to = document.getElementById("t-to");
  function day(input) { return Math.floor(Date.parse(input.value + "T00:00:00Z") / 86400000); }
  function filter() {
    var a = day(from), b = day(to), shown = 0, all = 0;
    document.querySelectorAll("#explore [data-day]").forEach(function (m) {
      var d = parseInt(m.getAttribute("data-day"), 10), keep = !(d < a || d > b);
      m.style.display = keep ? "" : "none";
      all += 1; shown += keep ? 1 : 0;
    });
    document.getElementById("t-count").textContent = shown + " of " + all + " events shown";
  }
  if (from && to) { from.addEventListener("input", filter); to.addEventListener("input", filter); filter(); }
})();
