// The query page's editor: YASGUI (assets/vendor/) takes the place of the plain form, which stays for
// browsers without JavaScript. It asks this endpoint only: no endpoint catalogue of other services, no
// prefix.cc or LOV lookups, no short links, nothing kept in the browser's storage (the page's
// Content-Security-Policy refuses any other origin anyway).
(function () {
  "use strict";
  var holder = document.getElementById("yasgui");
  var plain = document.getElementById("plain");
  var examples = document.getElementById("examples");
  var select = document.getElementById("example");
  var data = document.getElementById("catalogue");
  if (!window.Yasgui || !holder || !plain || !data) { return; }
  var questions = JSON.parse(data.textContent);
  var endpoint = new URL(plain.getAttribute("action"), document.location.href).href;
  var Yasgui = window.Yasgui;
  // YASR's table writes a value into its HTML after passing it through a sanitiser, which keeps harmless
  // markup (a label "><img …> became an element) and drops template braces ({{…}}): a value is text,
  // so each cell is built here from text nodes, and only http(s) IRIs become links.
  // YASR's parser also rewrites "{{name}}" in literals (a template feature): the values are put back as sent.
  var Yasr = Yasgui.Yasr;
  var setResponse = Yasr && Yasr.prototype.setResponse;
  if (setResponse) {
    Yasr.prototype.setResponse = function (response, duration) {
      this.draw = function () {};  // drawn once, below, with the values restored
      try { setResponse.call(this, response, duration); } finally { delete this.draw; }
      var results = this.results;
      var parsed = results && typeof results.getAsJson === "function" ? results.getAsJson() : null;  // parsed now
      if (parsed && parsed.results && typeof results.getData === "function") {
        var sent = results.getData();
        try { sent = typeof sent === "string" ? JSON.parse(sent) : sent; } catch (e) { sent = null; }
        if (sent && sent.results && sent.results.bindings) { parsed.results.bindings = sent.results.bindings; }
      }
      this.draw();
    };
  }
  var Table = Yasr && Yasr.plugins && Yasr.plugins.table;
  if (Table) {
    Table.prototype.getCellContent = function (binding, prefixes) { return cell(binding, prefixes); };
  }
  function element(tag, text, className) {
    var el = document.createElement(tag);
    if (text !== undefined) { el.textContent = text; }
    if (className) { el.className = className; }
    return el;
  }
  function iri(value, prefixes) {
    var shown = "<" + value + ">";
    Object.keys(prefixes || {}).some(function (prefix) {
      var namespace = prefixes[prefix];
      if (namespace && value.indexOf(namespace) === 0) { shown = prefix + ":" + value.slice(namespace.length); return true; }
      return false;
    });
    if (!/^https?:\/\//i.test(value)) { return element("span", shown); }
    var link = element("a", shown, "iri");
    link.href = value;
    link.target = "_blank";
    link.rel = "noopener noreferrer";
    return link;
  }
  function cell(binding, prefixes) {
    var holder = element("div");
    if (binding.type === "uri") {
      holder.appendChild(element("span")).appendChild(iri(binding.value, prefixes));
    } else if (binding.type === "bnode") {
      holder.appendChild(element("span", "_:" + binding.value, "nonIri"));
    } else if (binding.type === "triple") {
      holder.appendChild(element("span", "<<( " + [binding.value.subject, binding.value.predicate, binding.value.object]
        .map(function (part) { return part.type === "uri" ? "<" + part.value + ">" : JSON.stringify(part.value); })
        .join(" ") + " )>>", "nonIri"));
    } else {
      var tagged = binding["xml:lang"] || binding.datatype;  // shown as YASR shows it: quoted only when tagged
      var span = holder.appendChild(element("span", tagged ? "\"" + binding.value + "\"" : binding.value, "nonIri"));
      if (binding["xml:lang"]) {
        span.appendChild(element("sup", "@" + binding["xml:lang"]));
      } else if (binding.datatype) {
        var sup = span.appendChild(element("sup", "^^"));
        sup.appendChild(iri(binding.datatype, prefixes));
      }
    }
    return holder.innerHTML;  // serialised from text nodes: every <, > and & escaped
  }
  var yasgui = new Yasgui(holder, {
    autofocus: false,
    populateFromUrl: false,
    persistenceId: null,
    copyEndpointOnNewTab: true,
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; }, keys: [] },
    requestConfig: { endpoint: endpoint, method: "POST" },
    yasqe: { persistenceId: null, autocompleters: [], prefixCcApi: null, createShortLink: undefined },
    yasr: { persistenceId: null }
  });
  var tab = yasgui.getTab();
  tab.setEndpoint(endpoint);
  tab.setQuery(plain.querySelector("textarea").value);
  // names for the controls YASGUI leaves unnamed, so that a screen reader can say what each one is
  function name(selector, label) {
    holder.querySelectorAll(selector).forEach(function (el) {
      if (!el.getAttribute("aria-label")) { el.setAttribute("aria-label", label); }
    });
  }
  function label() {
    name(".autocomplete", "Endpoint");
    name(".CodeMirror textarea", "SPARQL query");
    name(".tableSizer", "Rows per page");
    holder.querySelectorAll(".CodeMirror-scroll").forEach(function (el) { el.setAttribute("tabindex", "0"); });
    holder.querySelectorAll(".yasr th").forEach(function (th) {
      if (!th.textContent.trim()) {
        var span = document.createElement("span");
        span.className = "visually-hidden";
        span.textContent = "Row";
        th.appendChild(span);
      }
    });
  }
  label();
  tab.getYasr().on("drawn", label);
  plain.hidden = true;
  examples.querySelector("button").hidden = true;
  select.addEventListener("change", function () {
    var text = questions[select.value];
    if (text !== undefined) { yasgui.getTab().setQuery(text); }
  });
  window.akgYasgui = yasgui;
})();
