/* Search on a plain static host: the static search page (search/index.html, written by
   `make html`) reads ?q=… and the filters from its address, searches the Pagefind index
   in /pagefind/ with Pagefind's JS API (its UI widget is not used), and draws the
   results with the same markup as the search service's results page (search.html).

   Only this page loads it, and only when there is something to search does it fetch
   Pagefind and the chunks of the index a query needs.  Everything from the index
   (headlines, excerpts, names) is drawn as text nodes; the only markup made from an
   excerpt is Pagefind's own <mark>.

   What the service's query language becomes here (documented on /search/help/):
   words and "exact phrases" go to Pagefind; -word, -"phrase" and NOT word remove the
   stories that have them; date:YYYY and year:YYYY keep stories of those years;
   person:, org:, place:, group:, tag:, source:, author: (and the service's other names
   for them) filter by that facet: the build's facet tables (search/facets/) give the
   names with the word (person:hekmat → "Qari Hekmat"; a quoted name, the names with all
   its words), and Pagefind's filter keeps their stories (-person:… removes them);
   headline: searches its words everywhere; AND/OR, *, ~ and date ranges are not
   supported (their words are searched as words).  Newest/Oldest sort the results by
   the build's date order (search/order.json, fetched only then), undated stories last.
   A word the archive does not contain is corrected from the build's spelling table
   (search/spelling/): the archive's words with their story counts, split by their first
   two letters (a large group again by word length). */
(function () {
  "use strict";
  var page = document.querySelector('.search-page[data-engine="static"]');
  var root = document.getElementById("search-root");
  if (!page || !root || !window.fetch || !window.URLSearchParams) { return; }

  var FACETS = [["person", "People", 10], ["organisation", "Organisations", 10], ["place", "Places", 10],
    ["group", "Groups", 6], ["tag", "Tags", 10], ["source", "Sources", 8], ["author", "Authors", 8],
    ["year", "Year", 30]];
  var LABELS = {};
  FACETS.forEach(function (f) { LABELS[f[0]] = f[1]; });
  var SORTS = [["relevance", "Relevance"], ["newest", "Newest first"], ["oldest", "Oldest first"]];
  var PAGE_SIZE = 10, MAX_PAGE = 100, MAX_FILTERS = 12;
  // The word in every story's metadata (static_index.EVERY): a search by filters alone
  // searches it, as Pagefind 1.5.2's search(null) would fetch every chunk of the index.
  var EVERY = "zzpfall";
  var searchUrl = page.getAttribute("data-search-url") || "/search/";
  var helpUrl = searchUrl + "help/";
  var spellingUrl = page.getAttribute("data-spelling") || "/search/spelling/";
  var orderUrl = page.getAttribute("data-order") || spellingUrl.replace(/spelling\/$/, "order.json");
  var facetWordsUrl = page.getAttribute("data-facet-words") || spellingUrl.replace(/spelling\/$/, "facets/");
  var pagefindUrl = page.getAttribute("data-pagefind") || "/pagefind/pagefind.js";
  // An index in several Pagefind bundles (NEWS_ARCHIVE_STATIC_BUNDLES): /pagefind/0/ …,
  // with the table of which bundles hold each word (search/words/) and Pagefind's stemmer.
  var bundleCount = parseInt(page.getAttribute("data-bundles"), 10) || 1;
  var wordsUrl = page.getAttribute("data-words") || spellingUrl.replace(/spelling\/$/, "words/");
  var stemUrl = page.getAttribute("data-stem") || "/theme/js/pagefind-stem.js";
  // The service's field names (search/query.py FIELD_ALIASES) → the facet they filter.
  var FIELDS = { person: "person", people: "person", persons: "person",
    organisation: "organisation", org: "organisation", organization: "organisation", organisations: "organisation",
    place: "place", places: "place", location: "place", group: "group", groups: "group",
    tag: "tag", tags: "tag", topic: "tag", source: "source",
    author: "author", authors: "author", by: "author", byline: "author" };

  // ------------------------------------------------------------------ the request
  var params = new URLSearchParams(location.search);
  var req = {
    q: (params.get("q") || "").trim().slice(0, 500),
    sort: SORTS.some(function (s) { return s[0] === params.get("sort"); }) ? params.get("sort") : "relevance",
    page: Math.min(Math.max(parseInt(params.get("page"), 10) || 1, 1), MAX_PAGE),
    exact: params.get("exact") === "1",
    facets: params.get("facets") === "1",
    filters: []
  };
  // Facet counts need all of Pagefind's filter chunks; on a large archive (the build says
  // so) they are loaded only once the reader asks for the filters (facets=1).
  var eager = page.getAttribute("data-facets") !== "on-demand" || req.facets;
  FACETS.forEach(function (f) {
    params.getAll(f[0]).forEach(function (v) {
      v = v.trim().slice(0, 200);
      if (!v || (f[0] === "year" && !/^\d{4}$/.test(v)) || req.filters.length >= MAX_FILTERS) { return; }
      if (!req.filters.some(function (x) { return x[0] === f[0] && x[1] === v; })) { req.filters.push([f[0], v]); }
    });
  });

  function link(change) {
    var r = Object.assign({}, req, change || {});
    var out = new URLSearchParams();
    out.append("q", r.q);
    r.filters.forEach(function (f) { out.append(f[0], f[1]); });
    if (r.sort !== "relevance") { out.append("sort", r.sort); }
    if (r.exact) { out.append("exact", "1"); }
    if (r.facets) { out.append("facets", "1"); }
    if ((r.page || 1) !== 1) { out.append("page", String(r.page)); }
    return searchUrl + "?" + out.toString();
  }

  // ------------------------------------------------------------------ the query
  // A field name of the query language: "person" → the facet, "year"/"date" → years, else null.
  function fieldOf(name) {
    name = (name || "").toLowerCase();
    if (name === "date" || name === "year") { return "year"; }
    return Object.prototype.hasOwnProperty.call(FIELDS, name) ? FIELDS[name] : null;
  }
  function parseQuery(text) {
    var out = { words: [], phrases: [], exclude: [], years: [], facets: [], notes: [] };
    var re = /(-?)(?:([A-Za-z]+):)?"([^"]*)"?|(\S+)/g, m, negateNext = false;
    while ((m = re.exec(text)) !== null) {
      var minus = m[1] === "-" || negateNext;
      negateNext = false;
      if (m[3] !== undefined) {
        var phrase = m[3].trim();
        var facet = fieldOf(m[2]);
        if (!phrase) { continue; }
        if (facet === "year") {
          if (/^\d{4}$/.test(phrase)) { out.years.push(phrase); } else { out.notes.push("date"); }
        } else if (facet) {
          out.facets.push({ facet: facet, text: phrase, negate: minus });
        } else { (minus ? out.exclude : out.phrases).push(phrase); }
        continue;
      }
      var token = m[4];
      if (token === "AND" || token === "OR") { if (token === "OR") { out.notes.push("OR"); } continue; }
      if (token === "NOT") { negateNext = true; continue; }
      if (token.charAt(0) === "-" && token.length > 1) { minus = true; token = token.slice(1); }
      var field = /^([A-Za-z]+):(.*)$/.exec(token);
      if (field) {
        var kind = fieldOf(field[1]);
        if (kind === "year") {
          if (/^\d{4}$/.test(field[2])) { out.years.push(field[2]); } else { out.notes.push("date"); }
          continue;
        }
        if (kind) {
          if (field[2]) { out.facets.push({ facet: kind, text: field[2], negate: minus }); }
          continue;
        }
        token = field[2];
      }
      token = token.replace(/[*~]+$/, "").replace(/^[()]+|[()]+$/g, "");
      if (!token) { continue; }
      (minus ? out.exclude : out.words).push(token);
    }
    return out;
  }

  // ------------------------------------------------------------------ did you mean
  var shardCache = {};
  var spellIndex = null;

  // A word folded as the index folded the archive's words: lower-cased, then each letter
  // mapped by the table the build wrote from Whoosh's accent_map (fold.json, fetched only
  // when a word has a letter beyond ASCII).
  function fold(word, table) {
    return Array.from(word.toLowerCase()).map(function (c) {
      return Object.prototype.hasOwnProperty.call(table, c) ? table[c] : c;
    }).join("");
  }
  function shardKey(word) {
    return Array.from(word).slice(0, 2).map(function (c) { return c.codePointAt(0).toString(16); }).join("-");
  }
  function getJSON(url) {
    return fetch(url).then(function (r) { return r.ok ? r.json() : null; }).catch(function () { return null; });
  }
  function spellingFile(name) {
    if (!shardCache[name]) {
      shardCache[name] = getJSON(spellingUrl + name + ".json").then(function (t) { return t || {}; });
    }
    return shardCache[name];
  }
  function has(table, key) { return Object.prototype.hasOwnProperty.call(table, key); }
  // The archive's words that could be ``folded`` or its correction (same first two letters,
  // length within ``max``): its shard, or of a shard split by length only the file of its
  // own length, and the neighbouring lengths only when the word is not in it.
  function candidates(folded, max) {
    return (spellIndex || Promise.resolve(null)).then(function (index) {
      if (!index) { return {}; }
      var key = shardKey(folded), lengths = (index.split || {})[key], len = Array.from(folded).length;
      if (!lengths) { return index.shards.indexOf(key) < 0 ? {} : spellingFile(key); }
      var own = lengths.indexOf(len) >= 0 ? spellingFile(key + "." + len) : Promise.resolve({});
      return own.then(function (table) {
        if (has(table, folded)) { return table; }
        var near = lengths.filter(function (n) { return n !== len && Math.abs(n - len) <= max; });
        return Promise.all(near.map(function (n) { return spellingFile(key + "." + n); })).then(function (more) {
          return Object.assign.apply(null, [{}, table].concat(more));
        });
      });
    });
  }
  // Edit distance with adjacent transpositions, giving up beyond ``max``.
  function distance(a, b, max) {
    if (Math.abs(a.length - b.length) > max) { return max + 1; }
    var prev2 = null, prev = [], cur, i, j;
    for (j = 0; j <= b.length; j++) { prev.push(j); }
    for (i = 1; i <= a.length; i++) {
      cur = [i];
      var best = i;
      for (j = 1; j <= b.length; j++) {
        var cost = a[i - 1] === b[j - 1] ? 0 : 1;
        var v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
        if (prev2 && i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) { v = Math.min(v, prev2[j - 2] + 1); }
        cur.push(v);
        if (v < best) { best = v; }
      }
      if (best > max) { return max + 1; }
      prev2 = prev;
      prev = cur;
    }
    return prev[b.length];
  }
  // The corrected words (same rules as the service: words of 3+ letters the archive does
  // not have, replaced by the nearest word it has, the commonest of equals), or null.
  function suggest(words) {
    var table = words.some(function (w) { return /[^\x00-\x7f]/.test(w); }) ? foldTable() : Promise.resolve({});
    return table.then(function (t) { return suggestWith(words, t || {}); });
  }
  function suggestWith(words, table) {
    var checks = words.map(function (word) {
      var folded = fold(word, table);
      if (folded.length < 3 || !/^\p{L}+$/u.test(folded)) { return Promise.resolve(word); }
      var max = folded.length <= 4 ? 1 : 2;
      return candidates(folded, max).then(function (table) {
        if (has(table, folded)) { return word; }
        var best = null, bestD = max + 1, bestN = 0;
        Object.keys(table).forEach(function (cand) {
          var d = distance(folded, cand, max);
          if (d < bestD || (d === bestD && d <= max && table[cand] > bestN)) { best = cand; bestD = d; bestN = table[cand]; }
        });
        if (!best || bestD > max) { return word; }
        return word.charAt(0) !== word.charAt(0).toLowerCase() ? best.charAt(0).toUpperCase() + best.slice(1) : best;
      });
    });
    return Promise.all(checks).then(function (fixed) {
      return fixed.some(function (w, i) { return w !== words[i]; }) ? fixed : null;
    });
  }

  // ------------------------------------------------------------------ facet terms
  var facetIndex = null, facetCache = {}, foldCache = null;
  function foldTable() {
    foldCache = foldCache || getJSON(spellingUrl + "fold.json").then(function (t) { return t || {}; });
    return foldCache;
  }
  // 32-bit FNV-1a over the word's code points, modulo n: the build's word_bucket.
  function bucketOf(word, n) {
    var h = 0x811c9dc5;
    for (var ch of word) { h = Math.imul(h ^ ch.codePointAt(0), 0x01000193) >>> 0; }
    return h % n;
  }
  function facetFile(name) {
    if (!facetCache[name]) {
      facetCache[name] = getJSON(facetWordsUrl + name + ".json").then(function (t) { return t || {}; });
    }
    return facetCache[name];
  }
  // Each person:/tag:/… term with the facet's values that have all its words (folded and
  // split as the build split them: runs of 2+ letters), from one small bucket file a word.
  function resolveFacets(terms) {
    if (!terms.length) { return Promise.resolve([]); }
    facetIndex = facetIndex || getJSON(facetWordsUrl + "index.json");
    var needFold = terms.some(function (t) { return /[^\x00-\x7f]/.test(t.text); });
    return Promise.all([facetIndex, needFold ? foldTable() : Promise.resolve({})]).then(function (got) {
      var buckets = (got[0] && got[0].buckets) || {}, table = got[1] || {};
      return Promise.all(terms.map(function (term) {
        var words = (term.text.match(/\p{L}{2,}/gu) || []).map(function (w) { return fold(w, table); });
        var n = buckets[term.facet];
        if (!words.length || !n) { return Object.assign({ values: [] }, term); }
        return Promise.all(words.map(function (w) {
          return facetFile(term.facet + "." + bucketOf(w, n)).then(function (t) { return has(t, w) ? t[w] : []; });
        })).then(function (lists) {
          var values = lists.reduce(function (acc, list) { return acc.filter(function (v) { return list.indexOf(v) >= 0; }); });
          return Object.assign({ values: values }, term);
        });
      }));
    });
  }

  // ------------------------------------------------------------------ searching
  // Pagefind's combined filter: every chosen filter, the query's years and facet terms
  // (all of them), and no story of a -person:… term.
  function filterOptions(years, terms) {
    var all = [], none = [];
    req.filters.forEach(function (x) { var f = {}; f[x[0]] = x[1]; all.push(f); });
    if (years.length) { all.push({ year: { any: years } }); }
    terms.forEach(function (t) {
      if (!t.values.length) { return; }
      var f = {};
      f[t.facet] = { any: t.values };
      (t.negate ? none : all).push(f);
    });
    var filters = {};
    if (all.length) { filters.all = all; }
    if (none.length) { filters.none = none; }
    return { filters: filters };
  }

  // The date order (order.json: dated stories newest first, each by the shortest prefix
  // of its Pagefind id no other id starts with), fetched once, only for a date sort.
  var orderRanks = null;
  function dateRanks() {
    orderRanks = orderRanks || getJSON(orderUrl).then(function (t) {
      var map = new Map();
      ((t && t.newest) || "").split(" ").forEach(function (prefix, i) { if (prefix) { map.set(prefix, i); } });
      return { map: map, min: (t && t.min) || 4 };
    });
    return orderRanks;
  }
  function rankOf(ranks, id) {
    var hex = id.slice(id.indexOf("_") + 1);
    for (var n = ranks.min; n <= hex.length; n++) {
      var r = ranks.map.get(hex.slice(0, n));
      if (r !== undefined) { return r; }
    }
    return -1;
  }
  // Newest or oldest first; undated stories (not in the order) last both ways, in relevance order.
  function sortByDate(found) {
    if (req.sort === "relevance" || !found.results.length) { return Promise.resolve(found); }
    var newest = req.sort === "newest";
    return dateRanks().then(function (ranks) {
      var keyed = found.results.map(function (r, i) { return { r: r, i: i, k: rankOf(ranks, r.id) }; });
      keyed.sort(function (x, y) {
        if ((x.k < 0) !== (y.k < 0)) { return x.k < 0 ? 1 : -1; }
        if (x.k < 0 || x.k === y.k) { return x.i - y.i; }
        return newest ? x.k - y.k : y.k - x.k;
      });
      return Object.assign({}, found, { results: keyed.map(function (x) { return x.r; }) });
    });
  }

  // Pagefind runs an exact phrase search only when the whole term is one quoted phrase:
  // words and each phrase are searched apart and only stories found by all are kept
  // (in the order of the first search), then stories with an excluded word are dropped.
  function find(pagefind, words, phrases, pq, terms) {
    if (terms.some(function (t) { return !t.negate && !t.values.length; })) {
      return Promise.resolve({ results: [], filters: {} });  // person:nobody: no story has it
    }
    var opts = filterOptions(pq.years, terms);
    var parts = [];
    if (words.length) { parts.push(words.join(" ")); }
    phrases.forEach(function (p) { parts.push('"' + p + '"'); });
    if (!parts.length && !Object.keys(opts.filters).length) { return Promise.resolve({ results: [], filters: {} }); }
    if (!parts.length) { parts.push(EVERY); }
    return Promise.all(parts.map(function (t) { return pagefind.search(t, opts); })).then(function (found) {
      var first = found[0] || { results: [], filters: {} };
      var results = first.results;
      var narrowed = false;
      found.slice(1).forEach(function (other) {
        var keep = new Set((other ? other.results : []).map(function (r) { return r.id; }));
        results = results.filter(function (r) { return keep.has(r.id); });
        narrowed = true;
      });
      if (!pq.exclude.length) { return { results: results, filters: first.filters, approximateCounts: narrowed }; }
      return Promise.all(pq.exclude.map(function (x) { return pagefind.search(/\s/.test(x) ? '"' + x + '"' : x); }))
        .then(function (excluded) {
          var drop = new Set();
          excluded.forEach(function (ex) { (ex ? ex.results : []).forEach(function (r) { drop.add(r.id); }); });
          var kept = results.filter(function (r) { return !drop.has(r.id); });
          return { results: kept, filters: first.filters, approximateCounts: narrowed || kept.length !== results.length };
        });
    }).then(sortByDate);
  }

  // ------------------------------------------------------------------ several bundles
  // The index in several bundles answers as one index would.  Each bundle is its own
  // Pagefind module (its own pagefind.js), loaded only when a query needs it.  Pagefind matches a term by every word that starts with it, and in an index with
  // none by the longest word the term starts with: a bundle without "hekmat" would answer
  // Hekmat with its stories of "he".  So each search goes only to the bundles that answer
  // every one of its words as the whole index does (search/words/: which bundles hold each
  // of Pagefind's stemmed words): the bundles with a word starting with the word's stem, or,
  // where no bundle has one, the bundles with the longest word the stem starts with (the
  // word one index would fall back to).  A bundle left out has no story with all the words.
  // Phrases ("…") are exact in Pagefind (no prefix, no fallback) and searches by filters
  // alone match every story: those go to every bundle.
  // The results of the bundles asked are merged by score.  Pagefind's score is BM25 within
  // its bundle (the term's rarity among the bundle's stories, their mean length): stories are
  // spread over the bundles by a hash of their address, so each bundle is a sample of the
  // archive and the scores compare closely, not exactly; the same stories are found, their
  // relevance order may differ slightly from one bundle's.  Counts per filter value are summed;
  // the date order (order.json) names stories of every bundle.
  var PUNCTUATION = /^\p{Pd}|\p{Pe}|\p{Pf}|\p{Pi}|\p{Po}|\p{Ps}$/u;  // as Pagefind's search() strips them
  function pagefindWords(term) {
    var lang = document.documentElement.getAttribute("lang") || "en", kept = [];
    var parts = typeof Intl !== "undefined" && Intl.Segmenter
      ? Array.from(new Intl.Segmenter(lang, { granularity: "grapheme" }).segment(term), function (g) { return g.segment; })
      : Array.from(term);
    parts.forEach(function (g) { if (!PUNCTUATION.test(g)) { kept.push(g.toLocaleLowerCase()); } });
    var text = kept.join("").replace(/\s{2,}/g, " ").trim().normalize("NFD").replace(/\p{M}/gu, "");
    return text ? text.split(" ") : [];
  }
  function bundled(mod) {
    var base = pagefindUrl.replace(/0\/pagefind\.js([?#].*)?$/, "");
    var every = bundleCount >= 31 ? -1 : (1 << bundleCount) - 1;
    var instances = {}, options = {}, withFilters = false, files = {}, index = null, stemmer = null;
    // Each bundle's own pagefind.js: a module of its own, with its own web worker and
    // WebAssembly memory.  (Pagefind's createInstance puts every instance in one worker,
    // where two indexes of 5,000 stories overwrote each other's memory: "memory access out
    // of bounds".)  Made only when a search needs the bundle.
    function instance(i) {
      if (!instances[i]) {
        instances[i] = (i === 0 ? Promise.resolve(mod) : import(base + i + "/pagefind.js")).then(function (m) {
          return Promise.resolve(m.options(options)).then(function () {
            return withFilters ? m.filters() : null;
          }).then(function () { return m; });
        });
      }
      return instances[i];
    }
    function wordFile(name) {
      files[name] = files[name] || getJSON(wordsUrl + name + ".json").then(function (t) { return t || {}; });
      return files[name];
    }
    function hexKey(chars) { return chars.map(function (c) { return c.codePointAt(0).toString(16); }).join("-"); }
    // The bundles (a bit mask) that answer one stemmed word as the whole index would.
    function wordMask(stem, idx) {
      var chars = Array.from(stem), short = idx.short || {};
      function fallbackShort() {  // the longest word of 1-2 letters the stem starts with
        var best = null;
        Object.keys(short).forEach(function (w) {
          if (w.length < stem.length && stem.indexOf(w) === 0 && (best === null || w.length > best.length)) { best = w; }
        });
        return best === null ? 0 : short[best];
      }
      // A word no bundle can place (no word starts with it, none it starts with) is dropped
      // by Pagefind, in one index as in each bundle: it narrows nothing (every bundle, -1).
      if (chars.length <= 2) { return Promise.resolve((idx.prefix || {})[stem] || fallbackShort() || -1); }
      var two = hexKey(chars.slice(0, 2));
      var name = (idx.split || []).indexOf(two) >= 0 ? hexKey(chars.slice(0, 3)) : two;
      return wordFile(name).then(function (table) {
        var ext = 0, best = null;
        Object.keys(table).forEach(function (w) {
          if (w.indexOf(stem) === 0) { ext |= table[w]; }
          else if (stem.indexOf(w) === 0 && (best === null || w.length > best.length)) { best = w; }
        });
        return ext || (best !== null ? table[best] : fallbackShort()) || -1;
      });
    }
    function route(term) {
      index = index || getJSON(wordsUrl + "index.json");
      var words = term === null || /^\s*".+"\s*$/.test(term) ? [] : pagefindWords(term);
      stemmer = stemmer || (words.length ? import(stemUrl) : null);
      return Promise.all([index, words.length ? stemmer : null]).then(function (got) {
        // Every bundle that holds a story (an empty one has no index to load).
        var live = got[0] && typeof got[0].stories === "number" ? got[0].stories & every : every;
        if (!got[0] || !words.length) { return live; }
        return Promise.all(words.map(function (w) { return wordMask(got[1].stem(w), got[0]); }))
          .then(function (masks) { return masks.reduce(function (acc, m) { return acc & m; }, live); });
      });
    }
    function addCounts(into, counts) {
      Object.keys(counts || {}).forEach(function (name) {
        var to = into[name] = into[name] || {}, from = counts[name];
        Object.keys(from).forEach(function (v) { to[v] = (to[v] || 0) + from[v]; });
      });
    }
    return {
      options: function (o) { options = Object.assign(options, o); return Promise.resolve(); },
      filters: function () { withFilters = true; return Promise.resolve({}); },
      search: function (term, opts) {
        return route(term).then(function (mask) {
          var asked = [];
          for (var i = 0; i < bundleCount; i++) { if (mask & (1 << i)) { asked.push(i); } }
          return Promise.all(asked.map(function (i) {
            return instance(i).then(function (inst) { return inst.search(term, opts); });
          }));
        }).then(function (found) {
          var merged = [], counts = {};
          found.forEach(function (f, b) {
            if (!f) { return; }
            f.results.forEach(function (r, k) { merged.push({ r: r, b: b, k: k }); });
            addCounts(counts, f.filters);
          });
          merged.sort(function (x, y) { return y.r.score - x.r.score || x.b - y.b || x.k - y.k; });
          return { results: merged.map(function (x) { return x.r; }), filters: counts };
        });
      }
    };
  }

  // ------------------------------------------------------------------ drawing
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }
  function a(href, text, cls) { var n = el("a", cls, text); n.href = href; return n; }
  function q(text) { return el("q", null, text); }
  function append(parent) {
    for (var i = 1; i < arguments.length; i++) {
      var c = arguments[i];
      parent.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    }
    return parent;
  }
  var ENTITIES = { "&lt;": "<", "&gt;": ">", "&amp;": "&", "&quot;": '"', "&#39;": "'", "&#x27;": "'" };
  function unescape(s) { return s.replace(/&(lt|gt|amp|quot|#39|#x27);/g, function (e) { return ENTITIES[e]; }); }
  // An excerpt as text, with Pagefind's <mark>…</mark> as the only elements.
  function snippet(excerpt) {
    var p = el("p", "snippet");
    var marked = false;
    (excerpt || "").split(/(<mark>|<\/mark>)/).forEach(function (part) {
      if (part === "<mark>") { marked = true; return; }
      if (part === "</mark>") { marked = false; return; }
      if (!part) { return; }
      p.appendChild(marked ? el("mark", null, unescape(part)) : document.createTextNode(unescape(part)));
    });
    return p;
  }

  function facetLists(counts) {
    var out = [];
    FACETS.forEach(function (f) {
      var values = counts[f[0]] || {};
      var items = Object.keys(values).filter(function (v) { return values[v] > 0; })
        .map(function (v) { return { value: v, count: values[v] }; });
      if (f[0] === "year") { items.sort(function (x, y) { return x.value < y.value ? 1 : -1; }); }
      else {
        items.sort(function (x, y) {
          return y.count - x.count || x.value.toLowerCase().localeCompare(y.value.toLowerCase());
        });
      }
      // Active filters always stay in their list, even past its length.
      var shown = items.slice(0, f[2]);
      req.filters.forEach(function (x) {
        if (x[0] === f[0] && !shown.some(function (i) { return i.value === x[1]; })) {
          var hit = items.filter(function (i) { return i.value === x[1]; })[0];
          if (hit) { shown.push(hit); }
        }
      });
      if (shown.length) { out.push([f[0], shown]); }
    });
    return out;
  }

  function isActive(name, value) { return req.filters.some(function (x) { return x[0] === name && x[1] === value; }); }

  function drawFilters(box) {
    if (!req.filters.length) { return; }
    var div = el("div", "search-filters");
    div.appendChild(el("h2", "visually-hidden", "Active filters"));
    var ul = el("ul", "chips");
    req.filters.forEach(function (f) {
      var rest = req.filters.filter(function (x) { return x !== f; });
      var chip = a(link({ filters: rest, page: 1 }), LABELS[f[0]] + ": " + f[1] + " ", "chip chip-active");
      chip.setAttribute("aria-label", "Remove filter " + LABELS[f[0]] + ": " + f[1]);
      var x = el("span", null, "×");
      x.setAttribute("aria-hidden", "true");
      chip.appendChild(x);
      ul.appendChild(append(el("li"), chip));
    });
    div.appendChild(ul);
    box.appendChild(div);
  }

  function drawEmpty(box, query) {
    var sec = el("section", "search-empty");
    var h = el("h2", null, "No stories found");
    if (query) { append(h, " for ", q(query)); }
    sec.appendChild(h);
    var ul = el("ul");
    if (req.filters.length) { ul.appendChild(el("li", null, "Remove a filter above to widen the search.")); }
    ul.appendChild(el("li", null, "Check the spelling, or try fewer or more general words."));
    ul.appendChild(append(el("li"), "Browse instead: ", a(page.getAttribute("data-entities") || "/entities/", "people, organisations & places"),
      ", ", a(page.getAttribute("data-tags") || "/tags/", "tags"), " or ", a(page.getAttribute("data-archives") || "/archives/", "the archives"), "."));
    ul.appendChild(append(el("li"), a(helpUrl, "How to search"), " explains phrases, -word and dates, and what this copy of the archive supports."));
    sec.appendChild(ul);
    box.appendChild(sec);
  }

  function draw(state) {
    var box = document.createDocumentFragment();
    state.notes.forEach(function (n) { box.appendChild(el("p", "search-note", n)); });
    drawFilters(box);
    if (state.mode === "corrected") {
      var p = el("p", "search-suggestion");
      append(p, "Showing results for ", a(link({ q: state.searchedFor, page: 1, exact: false }), state.searchedFor),
        ": nothing matched ", q(req.q), ". ", a(link({ page: 1, exact: true }), "Search instead for " + req.q));
      box.appendChild(p);
    } else if (state.suggestion) {
      box.appendChild(append(el("p", "search-suggestion"), "Did you mean ",
        a(link({ q: state.suggestion, page: 1, exact: false }), state.suggestion), "?"));
    }
    var total = state.results.length;
    if (!total) {
      drawEmpty(box, req.q);
      root.replaceChildren(box);
      return;
    }
    var pages = Math.min(Math.ceil(total / PAGE_SIZE), MAX_PAGE);
    var row = el("div", "search-summary-row");
    var summary = el("p", "search-summary", total.toLocaleString("en") + (total === 1 ? " story" : " stories"));
    summary.setAttribute("role", "status");
    if (state.searchedFor) { append(summary, " for ", append(el("q", "query"), state.searchedFor)); }
    if (pages > 1) { append(summary, " · page " + req.page + " of " + pages); }
    row.appendChild(summary);
    var sortNav = el("nav", "search-sort");
    sortNav.setAttribute("aria-label", "Sort results");
    sortNav.appendChild(el("span", null, "Sort:"));
    SORTS.forEach(function (s, i) {
      sortNav.appendChild(document.createTextNode(i ? " · " : " "));
      if (s[0] === req.sort) { var st = el("strong", null, s[1]); st.setAttribute("aria-current", "true"); sortNav.appendChild(st); }
      else { sortNav.appendChild(a(link({ sort: s[0], page: 1, q: state.searchedFor || req.q }), s[1])); }
    });
    // Date sorts only where some result has a date (the year counts say so when loaded):
    // "Newest first" over undated stories would claim an order the list cannot have.
    var years = (state.filters || {}).year || {};
    var dated = Object.keys(years).some(function (y) { return years[y] > 0; });
    if (!eager || dated || req.sort !== "relevance") { row.appendChild(sortNav); }
    box.appendChild(row);

    var layout = el("div", "search-layout");
    var lists = eager ? facetLists(state.filters || {}) : [];
    if (!eager) {
      var lazy = el("details", "search-facets");
      lazy.id = "search-facets";
      lazy.appendChild(el("summary", null, "Filters"));
      var kb = Math.round((parseInt(page.getAttribute("data-facet-bytes"), 10) || 0) / 1024);
      lazy.appendChild(append(el("div", "facet-list"), append(el("p"),
        a(link({ facets: true }), "Show filters with counts"), kb ? " (loads " + kb.toLocaleString("en") + " KB)" : "")));
      layout.appendChild(lazy);
    } else if (lists.length) {
      var details = el("details", "search-facets");
      details.id = "search-facets";
      var summ = el("summary", null, "Filters");
      if (req.filters.length) { append(summ, " ", el("span", "count", "(" + req.filters.length + " active)")); }
      details.appendChild(summ);
      var group = el("div", "facet-list");
      group.setAttribute("role", "group");
      group.setAttribute("aria-label", "Narrow the results");
      lists.forEach(function (entry) {
        var sec = el("section", "facet");
        sec.appendChild(el("h2", "facet-title", LABELS[entry[0]]));
        var ul = el("ul");
        entry[1].forEach(function (item) {
          var li = el("li");
          if (isActive(entry[0], item.value)) { li.appendChild(el("strong", null, item.value)); }
          else {
            li.appendChild(a(link({ q: state.searchedFor || req.q, filters: req.filters.concat([[entry[0], item.value]]), page: 1 }),
              item.value));
          }
          append(li, " ", el("span", "count", String(item.count)));
          ul.appendChild(li);
        });
        sec.appendChild(ul);
        group.appendChild(sec);
      });
      if (state.approximateCounts) {
        group.appendChild(el("p", "meta", "Counts are for your words before phrases and -words narrowed them."));
      }
      details.appendChild(group);
      layout.appendChild(details);
    }
    var sec = el("section", "search-results");
    sec.setAttribute("aria-label", "Results");
    var ol = el("ol", "results");
    var start = (req.page - 1) * PAGE_SIZE;
    ol.start = start + 1;
    state.hits.forEach(function (hit) {
      var li = el("li", "result");
      li.appendChild(append(el("h2", "item-title"), a(hit.url, (hit.meta && hit.meta.title) || hit.url)));
      var meta = el("p", "meta");
      var date = hit.meta && hit.meta.date;
      if (date) { var t = el("time", null, date); t.dateTime = date; meta.appendChild(t); }
      else { meta.appendChild(el("span", "date-unknown", "Date unknown")); }
      if (hit.meta && hit.meta.source) { append(meta, " · ", el("span", "source", hit.meta.source)); }
      li.appendChild(meta);
      li.appendChild(snippet(hit.excerpt));
      ol.appendChild(li);
    });
    sec.appendChild(ol);
    if (!state.hits.length) {
      sec.appendChild(append(el("p"), "This page is past the last page of results: ", a(link({ page: 1 }), "go to the first page"), "."));
    }
    if (pages > 1) {
      var nav = el("nav", "pagination");
      nav.setAttribute("aria-label", "Result pages");
      nav.appendChild(req.page > 1 ? a(link({ page: Math.min(req.page - 1, pages) }), "← Previous page") : el("span"));
      nav.lastChild.rel = req.page > 1 ? "prev" : "";
      nav.appendChild(el("span", "page-of", "Page " + req.page + " of " + pages));
      nav.appendChild(req.page < pages ? a(link({ page: req.page + 1 }), "Next page →") : el("span"));
      if (req.page < pages) { nav.lastChild.rel = "next"; }
      sec.appendChild(nav);
    }
    layout.appendChild(sec);
    box.appendChild(layout);
    root.replaceChildren(box);
  }

  function unavailable() {
    var box = document.createDocumentFragment();
    var sec = el("section", "search-empty");
    sec.appendChild(el("h2", null, "Search is not available here"));
    sec.appendChild(el("p", null, "This copy of the archive was published without its search index. Browse instead:"));
    var ul = el("ul");
    ul.appendChild(append(el("li"), a(page.getAttribute("data-archives") || "/archives/", "the archives")));
    ul.appendChild(append(el("li"), a(page.getAttribute("data-entities") || "/entities/", "people, organisations & places")));
    ul.appendChild(append(el("li"), a(page.getAttribute("data-tags") || "/tags/", "tags")));
    sec.appendChild(ul);
    box.appendChild(sec);
    root.replaceChildren(box);
  }

  // ------------------------------------------------------------------ run
  var box = document.getElementById("q");
  if (box) { box.value = req.q; }
  if (!req.q && !req.filters.length) {
    root.replaceChildren(append(el("p"), "Type words to look for in the search box at the top of the page, or ",
      a(helpUrl, "see how to search"), "."));
    return;
  }
  var pageTitle = document.title;
  document.title = (req.q ? req.q + " · " : "") + pageTitle;
  var loading = root.querySelector(".search-loading");
  if (loading) { loading.hidden = false; }

  var pq = parseQuery(req.q);
  var notes = [];
  if (pq.notes.indexOf("OR") >= 0) { notes.push("OR is not supported here: stories with all of the words are shown."); }
  if (pq.notes.indexOf("date") >= 0) { notes.push("Only whole years (date:2018) are supported here; other date terms were ignored."); }
  spellIndex = pq.words.length && !req.exact ? getJSON(spellingUrl + "index.json") : null;

  // Pagefind matches word beginnings and drops words it cannot place, so a misspelt word
  // still finds stories by its other words or a prefix of itself: a correction is
  // applied whenever the spelling table has one (a word no story contains), unless the
  // reader asked for their own words ("Search instead for …", exact=1).
  import(pagefindUrl).then(function (mod) { return bundleCount > 1 ? bundled(mod) : mod; }).then(function (pagefind) {
    return Promise.resolve(pagefind.options ? pagefind.options({ excerptLength: 36 }) : null).then(function () {
      // Counts per filter value come with each search once the filter chunks are loaded.
      return Promise.all([eager ? pagefind.filters() : null, spellIndex ? suggest(pq.words) : Promise.resolve(null),
        resolveFacets(pq.facets)]);
    }).then(function (both) {
      var fixed = both[1], terms = both[2];
      terms.forEach(function (t) {
        if (!t.values.length && !t.negate) { notes.push("No name in " + LABELS[t.facet] + " matches \u201c" + t.text + "\u201d."); }
      });
      var fixedQuery = null;
      if (fixed) {
        // The reader's own text with only the corrected words replaced.
        fixedQuery = req.q;
        pq.words.forEach(function (w, i) { if (fixed[i] !== w) { fixedQuery = fixedQuery.replace(w, fixed[i]); } });
      }
      var state = { notes: notes, mode: "all", suggestion: null, searchedFor: req.q };
      var take = function (found) {
        state.results = found.results;
        state.filters = found.filters;
        state.approximateCounts = found.approximateCounts;
        return state;
      };
      if (!fixed) { return find(pagefind, pq.words, pq.phrases, pq, terms).then(take); }
      return find(pagefind, fixed, pq.phrases, pq, terms).then(function (corrected) {
        if (corrected.results.length) {
          state.mode = "corrected";
          state.searchedFor = fixedQuery;
          return take(corrected);
        }
        state.suggestion = fixedQuery;
        return find(pagefind, pq.words, pq.phrases, pq, terms).then(take);
      });
    }).then(function (state) {
      var start = (req.page - 1) * PAGE_SIZE;
      return Promise.all(state.results.slice(start, start + PAGE_SIZE).map(function (r) { return r.data(); }))
        .then(function (hits) {
          state.hits = hits;
          if (state.mode === "corrected") { document.title = state.searchedFor + " · " + pageTitle; }
          draw(state);
        });
    });
  }).catch(function (err) {
    if (window.console) { console.warn("static search unavailable:", err); }
    unavailable();
  });
}());
