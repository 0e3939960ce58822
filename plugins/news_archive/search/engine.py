"""One search over one index generation: the query, its fallbacks, facets, spelling, snippets.

:func:`search` turns a :class:`~.request.SearchRequest` into a :class:`~.result.SearchResult`.
Every matching document is listed once (facets count them), the page's hits are scored
and given highlighted snippets, a corrected query is offered for words the archive does
not contain, and when nothing matches every word the fallbacks of :mod:`.spelling` run.
A search past its time budget answers no results and says why, never a partial count.

Answers are kept per generation (``Generation.answers``): the same request over the same
index has the same answer, and a new generation starts with none.  Only ``took_ms`` is
measured again on a cached answer.  An answer cut short by the budget is not kept: it
depends on the machine's load, not only on the index.
"""

from __future__ import annotations

import html
import time
from dataclasses import replace
from typing import Any

from whoosh import query as Q

from .facets import FACETS
from .matching import Budget, TooCostly, make_filter, matched, ranked, top
from .pool import Generation
from .query import ParsedQuery, highlight_terms, parse
from .request import MAX_PAGE, SearchRequest
from .result import Hit, SearchResult
from .snippets import make_snippet
from .spelling import fallback, suggest

SNIPPET_CHARS = 240
COSTLY_NOTE = ("This search matched too much to finish in time (a short word before * or a word~ that "
               "stands for thousands of words): add words, a longer beginning before *, or a date.")


def search(gen: Generation | None, req: SearchRequest, base: str = "/search") -> SearchResult:
    """Run a request against an index generation."""
    started = time.perf_counter()
    pq = parse(req.q)
    out = SearchResult.empty(req, pq.text, req.notes + pq.notes, base)
    if pq.empty and not req.filters:
        if pq.text and not out.notes:
            out.notes.append("There were no words to search for in your query.")
        return out
    if gen is None:
        out.notes.append("The search index has not been built yet: run `make html`.")
        return out
    key = (base, *req.key())
    cached = gen.answers.get(key)
    if cached is not None:
        return replace(cached, took_ms=_ms_since(started))
    try:
        _search(gen, req, base, pq, out)
    except TooCostly:
        out.nothing_found()
        out.notes.append(COSTLY_NOTE)
        out.took_ms = _ms_since(started)
        return out
    out.took_ms = _ms_since(started)
    gen.answers.put(key, out)
    return replace(out)


def _ms_since(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


def _search(gen: Generation, req: SearchRequest, base: str, pq: ParsedQuery, out: SearchResult) -> None:
    budget = Budget()
    filterq = make_filter(gen, req.filters, pq.dates)
    q = pq.query if pq.query is not None else Q.Every()
    fuzzy = False
    with gen.searcher() as s:
        docs = matched(s, q, filterq, budget, gen.terms)
        if pq.query is not None and pq.text:
            out.suggestion = suggest(s, pq.text)
        if not docs and pq.query is not None:
            q, docs, fuzzy = fallback(s, pq.text, out, filterq, budget, gen.terms)
        out.total = len(docs)
        out.pages = min(-(-len(docs) // req.size), MAX_PAGE)
        narrow = req.narrowing(base)
        out.facets = {
            name: [dict(item, url=narrow(name, item["value"]),
                        active=(name, item["value"]) in req.filters) for item in items]
            for name, items in gen.facets.count(docs).items() if items
        }
        out.facet_labels = {name: label for name, label, _ in FACETS}
        if docs and req.page <= out.pages:
            out.results = _hits(gen, s, q, req, budget, docs, filterq.active, fuzzy)
    out.first_url = req.url(base, page=1)
    if out.pages > 1:
        if req.page > 1:
            out.prev_url = req.url(base, page=min(req.page - 1, out.pages))
        if req.page < out.pages:
            out.next_url = req.url(base, page=req.page + 1)
    if out.suggestion:
        out.suggestion_url = req.url(base, q=out.suggestion)


def _hits(gen: Generation, s: Any, q: Any, req: SearchRequest, budget: Budget, docs: set[int],
          filtered: bool, fuzzy: bool) -> list[Hit]:
    """The requested page of hits, best first (or by date), among ``docs`` (the matches:
    counted, filtered and listed once; never re-run).  By relevance, a tree of words is
    ranked from the generation's scored terms (:func:`.matching.ranked`); anything else,
    and every date order, by Whoosh's collector, kept to ``docs`` (whose own AndNot let
    through documents holding the excluded word)."""
    limit = req.page * req.size
    best = None
    if req.sort not in ("newest", "oldest"):
        best = ranked(s, q, limit, gen.terms, gen.scored, docs if filtered else None)
    if best is None:
        allow = docs
        kwargs: dict[str, Any] = {}
        if req.sort == "newest":
            kwargs.update(sortedby="sort_newest", reverse=True)
        elif req.sort == "oldest":
            kwargs.update(sortedby="sort_oldest")
        results = top(s, q, budget, limit=limit, filter=allow, **kwargs)
        best = [results.docnum(i) for i in range(len(results.top_n))]
    budget.check()
    terms = highlight_terms(q, s.reader())
    start = (req.page - 1) * req.size
    hits = []
    for docnum in best[start:start + req.size]:
        fields = s.stored_fields(docnum)
        published = fields.get("published")
        hits.append(Hit(
            url=fields["url"], headline=fields["headline"],
            date=published.date().isoformat() if published else None,
            snippet=snippet(fields, terms, fuzzy),
            source=((fields.get("facets") or {}).get("source") or [""])[0],
        ))
    return hits


def snippet(hit: dict[str, Any], terms: dict[str, set[str]], fuzzy: bool) -> str:
    """The best passages of the body (or dek) with the matched words in ``<mark>``."""
    if fuzzy:
        words = terms.get("spell", set())
    else:
        # Every text field shares one analyzer: a match in person: or tag: is marked too.
        words = set().union(*(found for f, found in terms.items() if f != "spell"))
    for name in ("body", "dek"):
        found = make_snippet(hit.get(name) or "", words, spelling=fuzzy, width=SNIPPET_CHARS)
        if found:
            return found
    lead = (hit.get("dek") or hit.get("body") or "").strip()
    if len(lead) > SNIPPET_CHARS:
        lead = lead[:SNIPPET_CHARS].rsplit(" ", 1)[0] + " …"
    return html.escape(lead, quote=False)
