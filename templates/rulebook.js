// Site search over search-index.js (window.RULEBOOK_SEARCH). Text is cut
// into the same tokens as the index: Latin words, and for Chinese and
// Japanese (written without spaces) overlapping pairs of characters, so a
// query of any length finds pages containing it.
(function () {
  var index = window.RULEBOOK_SEARCH;
  var input = document.getElementById("rulebook-search-input");
  var list = document.getElementById("rulebook-search-results");
  if (!index || !input || !list) return;
  var cjk = /[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f\uac00-\ud7af]/;
  function tokens(text) {
    var out = [], run = "", word = "";
    function flushRun() {
      if (run.length === 1) out.push(run);
      for (var i = 0; i + 1 < run.length; i++) out.push(run.substr(i, 2));
      run = "";
    }
    function flushWord() { if (word) out.push(word); word = ""; }
    for (var i = 0; i < text.length; i++) {
      var c = text.charAt(i);
      if (cjk.test(c)) { flushWord(); run += c; }
      else if (/[\p{L}\p{N}]/u.test(c)) { flushRun(); word += c.toLowerCase(); }
      else { flushRun(); flushWord(); }
    }
    flushRun(); flushWord();
    return out;
  }
  function search(query) {
    var wanted = tokens(query);
    if (!wanted.length) return [];
    var hits = null;
    for (var i = 0; i < wanted.length; i++) {
      var pages = index.tokens[wanted[i]] || [];
      if (hits === null) hits = pages.slice();
      else hits = hits.filter(function (p) { return pages.indexOf(p) >= 0; });
      if (!hits.length) return [];
    }
    return hits.map(function (p) { return index.pages[p]; });
  }
  input.addEventListener("input", function () {
    var q = input.value.trim();
    list.innerHTML = "";
    if (!q) { list.hidden = true; return; }
    var found = search(q);
    if (!found.length) {
      var none = document.createElement("li");
      none.textContent = list.getAttribute("data-none");
      list.appendChild(none);
    }
    found.forEach(function (page) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = page.url;
      a.textContent = page.title;
      li.appendChild(a);
      list.appendChild(li);
    });
    list.hidden = false;
  });
})();
