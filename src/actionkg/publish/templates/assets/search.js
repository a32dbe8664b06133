// Offline search with MiniSearch (assets/vendor/) over the documents written at publish time
// (assets/search-index.js: label l, acronym a, other names n, kinds k, text t, page u). The index is built
// here, in the browser, from a script rather than fetched JSON, so the site works opened from disk
// (file:// cannot fetch); the same graph gives the same documents, so the same index.
// Each word typed matches a word that starts with it or is one or two letters off ("ukcsi" finds UKCIS).
(function () {
  "use strict";
  var input = document.getElementById("q");
  var out = document.getElementById("results");
  var form = document.getElementById("search");
  if (!input || !out || !window.MiniSearch) { return; }
  var LIMIT = 50;
  var mini = new window.MiniSearch({
    idField: "u",
    fields: ["l", "a", "n", "k", "t"],
    storeFields: ["l", "k", "u"],
    searchOptions: { boost: { l: 3, a: 6, n: 2 }, prefix: true, fuzzy: 0.4, maxFuzzy: 2, combineWith: "AND" }
  });
  mini.addAll(window.AKG_SEARCH || []);
  function show() {
    var hits = input.value.trim() ? mini.search(input.value) : [];
    out.textContent = "";
    if (!input.value.trim()) { return; }
    var shown = hits.slice(0, LIMIT);
    var p = document.createElement("p");
    p.lang = "en";  // the count is in English on the Welsh home page too; the names below are the page's
    p.textContent = hits.length + (hits.length === 1 ? " result" : " results") +
      (hits.length > LIMIT ? " (the first " + LIMIT + " shown)" : "");
    out.appendChild(p);
    var ul = document.createElement("ul");
    shown.forEach(function (h) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = h.u;
      a.textContent = h.l;
      li.appendChild(a);
      li.appendChild(document.createTextNode(" — " + h.k));
      ul.appendChild(li);
    });
    out.appendChild(ul);
  }
  input.addEventListener("input", show);
  if (form) { form.addEventListener("submit", function (event) { event.preventDefault(); show(); }); }
})();
