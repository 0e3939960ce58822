/* Results as you type on the search page: an enhancement only.
   The page works fully without this file (a plain GET form to /search).  Here we ask
   /search.json as the reader types (debounced; an older answer never overwrites a newer
   one) and redraw the results list with DOM text nodes.  Snippets arrive as escaped
   HTML with <mark>; we rebuild them from text and <mark> elements only. */
(function () {
  "use strict";
  var page = document.querySelector(".search-page");
  var input = document.getElementById("q");  // the header's box: the page's one search box
  var live = document.getElementById("search-root");
  if (!page || page.getAttribute("data-engine") === "static" || !input || !live || !window.fetch ||
      !window.URLSearchParams) { return; }
  var endpoint = page.getAttribute("data-search-json") || "/search.json";
  var form = input.form;
  var timer = null;
  var latest = 0;

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }

  function snippet(html) {
    var out = el("p", "snippet");
    var doc = new DOMParser().parseFromString("<p>" + html + "</p>", "text/html");
    doc.body.firstChild.childNodes.forEach(function (n) {
      if (n.nodeType === 1 && n.tagName === "MARK") { out.appendChild(el("mark", null, n.textContent)); }
      else { out.appendChild(document.createTextNode(n.textContent)); }
    });
    return out;
  }

  function draw(data) {
    var box = el("div");
    (data.notes || []).forEach(function (note) { box.appendChild(el("p", "search-note", note)); });
    if (data.suggestion && data.suggestion_url) {
      var p = el("p", "search-suggestion", "Did you mean ");
      var a = el("a", null, data.suggestion);
      a.href = data.suggestion_url;
      p.appendChild(a);
      p.appendChild(document.createTextNode("?"));
      box.appendChild(p);
    }
    if (!data.total) {
      box.appendChild(el("p", "search-summary", data.query ? "No stories found yet. Press Enter for suggestions." : ""));
      live.replaceChildren(box);
      return;
    }
    // The stories are for what was searched: the correction, when the query was corrected.
    var shown = /^corrected/.test(data.match || "") ? data.searched_for : data.query;
    box.appendChild(el("p", "search-summary",
      data.total.toLocaleString() + (data.total === 1 ? " story" : " stories") + " for “" + shown + "”"));
    var list = el("ol", "results");
    data.results.forEach(function (hit) {
      var li = el("li", "result");
      var h = el("h2", "item-title");
      var a = el("a", null, hit.headline);
      a.href = hit.url;
      h.appendChild(a);
      li.appendChild(h);
      var meta = el("p", "meta");
      if (hit.date) { var t = el("time", null, hit.date); t.dateTime = hit.date; meta.appendChild(t); }
      else { meta.appendChild(el("span", "date-unknown", "Date unknown")); }
      li.appendChild(meta);
      li.appendChild(snippet(hit.snippet || ""));
      list.appendChild(li);
    });
    box.appendChild(list);
    if (data.pages > 1) {
      var more = el("p", "more");
      var link = el("a", null, "All results, with filters →");
      link.href = data.first_url || ("/search?q=" + encodeURIComponent(data.query));
      more.appendChild(link);
      box.appendChild(more);
    }
    live.replaceChildren(box);
  }

  function run() {
    var params = new URLSearchParams(new FormData(form));
    var q = (params.get("q") || "").trim();
    if (q.length < 2) { return; }
    var ticket = ++latest;
    fetch(endpoint + "?" + params.toString(), { headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data || ticket !== latest) { return; }
        draw(data);
        if (window.history && history.replaceState) {
          history.replaceState(null, "", form.getAttribute("action") + "?" + params.toString());
        }
      })
      .catch(function () { /* the form still works: nothing to do */ });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(run, 250);
  });
}());
