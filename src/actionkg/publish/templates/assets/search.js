// Offline search over the index written at publish time (assets/search-index.js): every word typed
// must start a word of the entry's label or text; results link to the pages.
(function () {
  "use strict";
  var input = document.getElementById("q");
  var out = document.getElementById("results");
  var index = window.AKG_SEARCH || [];
  var words = function (s) { return s.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean); };
  var prepared = index.map(function (e) { return { e: e, w: words(e.l + " " + e.t) }; });
  function show() {
    var q = words(input.value);
    out.textContent = "";
    if (!q.length) { return; }
    var hits = prepared.filter(function (p) {
      return q.every(function (t) { return p.w.some(function (w) { return w.indexOf(t) === 0; }); });
    }).slice(0, 50);
    var p = document.createElement("p");
    p.textContent = hits.length + (hits.length === 1 ? " result" : " results") + (hits.length === 50 ? " (first 50)" : "");
    out.appendChild(p);
    var ul = document.createElement("ul");
    hits.forEach(function (h) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = h.e.u;
      a.textContent = h.e.l;
      li.appendChild(a);
      li.appendChild(document.createTextNode(" — " + h.e.k));
      ul.appendChild(li);
    });
    out.appendChild(ul);
  }
  input.addEventListener("input", show);
})();
