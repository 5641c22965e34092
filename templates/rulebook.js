// Site search. search-index.js (window.RULEBOOK_SEARCH) lists the index's
// shards, each a script holding a run of the book's pages and their tokens
// (window.RULEBOOK_SEARCH_SHARDS[n]); they are loaded here, and a query is
// answered by each shard in book order. Text is cut into the same tokens
// as the index: Latin words, and for Chinese and Japanese (written without
// spaces) overlapping pairs of characters, so a query of any length finds
// pages containing it.
//
// Tokens are user input (what is typed) and keys of the index: they are
// looked up only as own properties (`own`), never through the prototype, so
// `constructor`, `__proto__` or `toString` find pages or nothing. Hrefs come
// from the index, never from text.
(function () {
  var index = window.RULEBOOK_SEARCH;
  // the page's own search box, in its header (content can hold no id of
  // rulebook's: they are removed from articles)
  var input = document.getElementById("rulebook-search-input");
  var list = document.getElementById("rulebook-search-results");
  if (!index || !Array.isArray(index.shards) || !input || !list) return;
  // the index's hrefs are relative to the locale's folder, where this
  // script is: a page in a folder loads it through `../`, once a level
  var me = document.currentScript;
  var base = me ? (me.getAttribute("src") || "").replace(/[^\/]*$/, "") : "";
  var hasOwn = Object.prototype.hasOwnProperty;
  function own(object, key) {
    return object !== null && typeof object === "object" && hasOwn.call(object, key)
      ? object[key] : undefined;
  }
  index.shards.forEach(function (src) {
    var script = document.createElement("script");
    script.src = base + src;
    // a query typed before its shard arrived is answered again
    script.onload = function () { if (input.value.trim()) show(); };
    document.body.appendChild(script);
  });
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
  function searchShard(shard, wanted) {
    var hits = null;
    var tokens = own(shard, "tokens"), pages = own(shard, "pages");
    if (!Array.isArray(pages)) return [];
    for (var i = 0; i < wanted.length; i++) {
      var found = own(tokens, wanted[i]);
      if (!Array.isArray(found)) return [];
      if (hits === null) { hits = found.slice(); continue; }
      var these = new Set(found);
      hits = hits.filter(function (p) { return these.has(p); });
      if (!hits.length) return [];
    }
    return hits.map(function (p) { return pages[p]; }).filter(function (page) {
      return page && typeof page.url === "string" && typeof page.title === "string";
    });
  }
  function search(query) {
    var wanted = tokens(query);
    if (!wanted.length) return [];
    var shards = window.RULEBOOK_SEARCH_SHARDS;
    if (!Array.isArray(shards)) return [];
    var found = [];
    for (var n = 0; n < shards.length; n++) {
      if (shards[n]) found = found.concat(searchShard(shards[n], wanted));
    }
    return found;
  }
  function show() {
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
      a.href = base + page.url;
      a.textContent = page.title;
      li.appendChild(a);
      list.appendChild(li);
    });
    list.hidden = false;
  }
  input.addEventListener("input", show);
})();
