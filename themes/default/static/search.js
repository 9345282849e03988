/* Client-side search over search-index.js (a global, so it works from file:// too). */
(function () {
  "use strict";
  var form = document.getElementById("search-form");
  var input = document.getElementById("search-q");
  var list = document.getElementById("search-results");
  var status = document.getElementById("search-status");
  var records = window.SITEGEN_SEARCH || [];
  var labels = {article: "Article", actor: "Actor", claim: "Claim", tag: "Tag"};
  if (!form || !input || !list) { return; }
  document.getElementById("search-nojs").hidden = true;
  form.hidden = false;

  function matches(record, words) {
    var text = (record[1] + " " + record[2]).toLowerCase();
    return words.every(function (w) { return text.indexOf(w) !== -1; });
  }
  function show(query) {
    var words = query.toLowerCase().split(/\s+/).filter(Boolean);
    list.textContent = "";
    if (!words.length) { status.textContent = ""; return; }
    var found = records.filter(function (r) { return matches(r, words); }).slice(0, 100);
    status.textContent = found.length + (found.length === 100 ? "+" : "") + " results for “" + query + "”";
    found.forEach(function (r) {
      var item = document.createElement("li");
      var kind = document.createElement("span");
      kind.className = "status";
      kind.textContent = labels[r[0]] || r[0];
      var link = document.createElement("a");
      link.href = r[3];  /* relative to the site root, where search.html is */
      link.textContent = r[1];
      item.appendChild(kind);
      item.appendChild(document.createTextNode(" "));
      item.appendChild(link);
      if (r[2]) {
        var detail = document.createElement("span");
        detail.className = "note";
        detail.textContent = " · " + r[2];
        item.appendChild(detail);
      }
      list.appendChild(item);
    });
  }
  var params = new URLSearchParams(window.location.search);
  if (params.get("q")) { input.value = params.get("q"); show(input.value); }
  input.addEventListener("input", function () { show(input.value); });
  form.addEventListener("submit", function (event) { event.preventDefault(); show(input.value); });
}());
