"""The search service: a WSGI app over the Whoosh index built by ``make html``.

``GET /search?q=…`` (and ``/search/``, where every page's search box submits)
answers an HTML page in the site's design (works without JavaScript);
``GET /search.json?q=…&page=N`` the same results as JSON.  The
documented contract (fields are only ever added)::

    {"query": str, "total": int, "page": int,
     "results": [{"url", "headline", "date", "snippet", "source"}],
     "suggestion": str | null, "facets": {name: [{"value", "count", "url"}]}, …}

``snippet`` is HTML: the article text escaped, matched words wrapped in ``<mark>``.
``date`` is ``null`` for an undated article.  Other parameters: ``sort``
(``relevance``, ``newest``, ``oldest``), ``size`` (results per page), and one
filter parameter per facet (``person=…``, ``tag=…``, ``year=…``; repeatable, all must
hold).  ``/search/help`` documents the query language for readers.

Searchers come from a small per-generation pool and always go back to it (and are
closed when their generation is replaced); the index is reopened when the build
swaps in a new generation.  Only GET and HEAD are answered.
"""

from __future__ import annotations

import html
import json
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from datetime import time as dtime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

from whoosh import index as windex
from whoosh import query as Q
from whoosh.collectors import TimeLimit, TimeLimitCollector

from .facets import FACETS, LABELS, FacetTable
from .query import clean, highlight_terms, parse, plain_words
from .schema import EXACT_FIELDS, UNDATED_OLDEST, spell_analyzer
from .snippets import make_snippet

log = logging.getLogger(__name__)

PAGE_SIZE = 10
MAX_PAGE_SIZE = 50
MAX_PAGE = 100
MAX_FILTERS = 12
MAX_FILTER_CHARS = 200
MAX_QUERY_STRING = 8192
SORTS = {"relevance": "Relevance", "newest": "Newest first", "oldest": "Oldest first"}
SNIPPET_CHARS = 240
FAILED_NOTE = "This query could not be searched as written; try fewer operators or plain words."
# Seconds one search may take.  A wildcard or fuzzy term standing for thousands of words
# ("com*", "said~2") matched most of a 20,000-article archive and took 6 s and more;
# past this budget the search stops and says why instead.
QUERY_SECONDS = 1.5
COSTLY_NOTE = ("This search matched too much to finish in time (a short word before * or a word~ that "
               "stands for thousands of words): add words, a longer beginning before *, or a date.")


class TooCostly(Exception):
    """The search ran out of its time budget."""


class Budget:
    """The time one search may still take."""

    def __init__(self, seconds: float | None = None) -> None:
        self.deadline = time.monotonic() + (QUERY_SECONDS if seconds is None else seconds)

    def left(self) -> float:
        return self.deadline - time.monotonic()

    def check(self) -> None:
        if time.monotonic() > self.deadline:
            raise TooCostly

StartResponse = Callable[..., Any]


# --------------------------------------------------------------------------- index


class Generation:
    """One opened index generation: the index, its facet table, and a pool of searchers."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.ix = windex.open_dir(path)
        self._pool: list[Any] = []
        self._lock = threading.Lock()
        self.retired = False
        with self.ix.searcher() as s:
            self.facets = FacetTable(s.reader())
            self.days = DayTable(s.reader())

    @contextmanager
    def searcher(self) -> Iterator[Any]:
        with self._lock:
            s = self._pool.pop() if self._pool else None
        if s is None:
            s = self.ix.searcher()
        try:
            yield s
        finally:
            with self._lock:
                keep = not self.retired and len(self._pool) < 16
                if keep:
                    self._pool.append(s)
            if not keep:
                s.close()

    def retire(self) -> None:
        """Close idle searchers; searchers in use are closed when they come back."""
        with self._lock:
            self.retired = True
            pool, self._pool = self._pool, []
        for s in pool:
            s.close()


class DayTable:
    """Each document's publication day (an ordinal; undated: none), read once per generation.

    ``date:`` terms are day-granular, and a Whoosh ``DateRange`` over most of the archive
    (``date:>2000``: one union of hundreds of tiered numeric terms) cost 1.2 s on 20,000
    articles in pure Python; a comparison over this column is a few milliseconds, whatever
    the range.  The column is the sortable ``sort_oldest`` key, so no stored text is read.
    """

    def __init__(self, reader: Any) -> None:
        import numpy as np

        self._np = np
        n = reader.doc_count_all()
        if reader.has_column("sort_oldest"):
            days = np.array(list(reader.column_reader("sort_oldest")), dtype=np.int64)
        else:
            days = np.full(n, UNDATED_OLDEST, dtype=np.int64)
        if reader.has_deletions():
            for docnum in range(n):
                if reader.is_deleted(docnum):
                    days[docnum] = UNDATED_OLDEST
        self.days = days

    @staticmethod
    def span(lo: datetime, hi: datetime) -> tuple[int, int]:
        """An inclusive instant range of ``query.parse_date`` → the days it covers.

        Its ends are the first or last instant of a period: ``date:>2017`` starts at the
        last instant of 2017 (so on 2018-01-01), ``date:<2017`` ends at the first one of
        2017 (so on 2016-12-31)."""
        first = lo.toordinal() + (0 if lo.time() == dtime.min else 1)
        last = hi.toordinal() - (1 if hi.time() == dtime.min else 0)
        return first, last

    def matching(self, ranges: list[tuple[datetime, datetime]]) -> set[int]:
        """Documents published on a day inside any of the ranges (never an undated one)."""
        np = self._np
        mask = np.zeros(len(self.days), dtype=bool)
        for lo, hi in ranges:
            first, last = self.span(lo, hi)
            mask |= (self.days >= first) & (self.days <= last)
        mask &= self.days != UNDATED_OLDEST
        return set(np.flatnonzero(mask).tolist())


class IndexHandle:
    """Opens the live index, and reopens it when the symlink points somewhere new."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._gen: Generation | None = None

    def get(self) -> Generation | None:
        target = os.path.realpath(self.path)
        gen = self._gen
        if gen is not None and gen.path == target:
            return gen
        with self._lock:
            if self._gen is None or self._gen.path != target:
                if not windex.exists_in(target):
                    return self._gen  # mid-swap or never built: keep what we have
                fresh = Generation(target)
                old, self._gen = self._gen, fresh
                if old is not None:
                    old.retire()
            return self._gen

    def reset(self) -> None:
        with self._lock:
            old, self._gen = self._gen, None
        if old is not None:
            old.retire()


# --------------------------------------------------------------------------- requests


@dataclass
class SearchRequest:
    """A request's parameters, validated and capped."""

    q: str = ""
    page: int = 1
    size: int = PAGE_SIZE
    sort: str = "relevance"
    filters: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @classmethod
    def from_query_string(cls, qs: str) -> SearchRequest:
        req = cls()
        if len(qs) > MAX_QUERY_STRING:
            qs = qs[:MAX_QUERY_STRING]
            req.notes.append("The request was too long; only its beginning was read.")
        try:
            pairs = parse_qsl(qs, keep_blank_values=True, errors="replace", max_num_fields=200)
        except ValueError:
            pairs = []
            req.notes.append("The request had too many parameters and was ignored.")
        seen: set[str] = set()
        for key, value in pairs:
            if key == "q" and "q" not in seen:
                req.q = value
            elif key == "page" and "page" not in seen:
                req.page = _int(value, 1, 1, MAX_PAGE)
                if value.strip().isdigit() and int(value) > MAX_PAGE:
                    req.notes.append(f"Only the first {MAX_PAGE} pages of results can be shown.")
            elif key == "size" and "size" not in seen:
                req.size = _int(value, PAGE_SIZE, 1, MAX_PAGE_SIZE)
            elif key == "sort" and "sort" not in seen:
                req.sort = value if value in SORTS else "relevance"
            elif key in EXACT_FIELDS and value.strip():
                value = value.strip()[:MAX_FILTER_CHARS]
                if key == "year" and not value.isdigit():
                    continue
                if len(req.filters) < MAX_FILTERS and (key, value) not in req.filters:
                    req.filters.append((key, value))
            seen.add(key)
        return req

    def params(self, **change: Any) -> list[tuple[str, str]]:
        """This request's parameters with some changed (for links that narrow or widen)."""
        q = change.get("q", self.q)
        page = change.get("page", 1)
        sort = change.get("sort", self.sort)
        size = change.get("size", self.size)
        filters = change.get("filters", self.filters)
        out: list[tuple[str, str]] = [("q", q)]
        out += [(k, v) for k, v in filters]
        if sort != "relevance":
            out.append(("sort", sort))
        if size != PAGE_SIZE:
            out.append(("size", str(size)))
        if page != 1:
            out.append(("page", str(page)))
        return out

    def url(self, base: str = "/search", **change: Any) -> str:
        return base + "?" + urlencode(self.params(**change))


def _int(value: str, default: int, lo: int, hi: int) -> int:
    try:
        return min(max(int(value.strip()[:12]), lo), hi)
    except ValueError:
        return default


# --------------------------------------------------------------------------- searching


@dataclass
class Filter:
    """What narrows a search besides its words: facet terms and ``date:`` ranges."""

    terms: Any = None  # a Whoosh query of the facet filters, or None
    days: set[int] | None = None  # documents inside the date ranges, or None (no date term)

    @property
    def active(self) -> bool:
        return self.terms is not None or self.days is not None


def _filter(gen: Generation, filters: list[tuple[str, str]], dates: list[tuple[Any, Any]]) -> Filter:
    parts: list[Any] = [Q.Term(EXACT_FIELDS[k], v) for k, v in filters]
    terms = None if not parts else parts[0] if len(parts) == 1 else Q.And(parts)
    return Filter(terms, gen.days.matching(dates) if dates else None)


def _docs(searcher: Any, q: Any, budget: Budget | None) -> set[int]:
    """The documents ``q`` matches, listed within the budget (checked every 1,024)."""
    if budget is None:
        return set(searcher.docs_for_query(q))
    out: set[int] = set()
    for i, docnum in enumerate(searcher.docs_for_query(q)):
        out.add(docnum)
        if not i & 1023:
            budget.check()
    budget.check()
    return out


def _matched(searcher: Any, q: Any, filt: Filter, budget: Budget | None = None) -> set[int]:
    if isinstance(q, Q.Every) and filt.days is not None:
        docs = set(filt.days)  # "date:2018" alone: no need to list every document first
    else:
        docs = _docs(searcher, q, budget)
        if filt.days is not None:
            docs &= filt.days
    if filt.terms is not None and docs:
        docs &= _docs(searcher, filt.terms, budget)
    return docs


class _Limited(TimeLimitCollector):
    """Whoosh's time-limit collector, also checked on each collected document: under a
    ``FilterCollector`` (a filtered search) its own loop never runs."""

    def collect(self, sub_docnum: int) -> Any:
        if self.timedout:
            raise TimeLimit
        return self.child.collect(sub_docnum)


def _top(searcher: Any, q: Any, budget: Budget, filter: set[int] | None = None, **kwargs: Any) -> Any:
    """``searcher.search`` within the budget (on a timer thread: a signal cannot be used
    outside the main thread, where waitress answers)."""
    from whoosh.collectors import FilterCollector

    limited = _Limited(searcher.collector(**kwargs), timelimit=max(budget.left(), 0.01), use_alarm=False)
    collector = FilterCollector(limited, allow=filter) if filter is not None else limited
    try:
        searcher.search_with_collector(q, collector)
    except TimeLimit:
        raise TooCostly from None
    finally:
        if limited.timer is not None:
            limited.timer.cancel()
    return collector.results()


def suggest(searcher: Any, text: str) -> str | None:
    """A corrected query: words the archive does not contain replaced by near words it does."""
    reader = searcher.reader()
    corrector = None
    fold = spell_analyzer()
    out, shift, changed = text, 0, False
    for start, end, word in plain_words(text):
        tokens = [t.text for t in fold(word)]
        if len(tokens) != 1 or len(tokens[0]) < 3 or reader.doc_frequency("spell", tokens[0]) > 0:
            continue
        corrector = corrector or searcher.corrector("spell")
        folded = tokens[0]
        found = corrector.suggest(folded, limit=1, maxdist=1 if len(folded) <= 4 else 2, prefix=1)
        if not found:
            continue
        better = found[0]
        if word[:1].isupper():
            better = better[:1].upper() + better[1:]
        out = out[: start + shift] + better + out[end + shift:]
        shift += len(better) - (end - start)
        changed = True
    return out if changed else None


def _fuzzy_query(text: str) -> Any:
    fold = spell_analyzer()
    terms = []
    for _, _, word in plain_words(text):
        for tok in fold(word):
            if len(tok.text) >= 4:
                terms.append(Q.FuzzyTerm("spell", tok.text, maxdist=1 if len(tok.text) <= 6 else 2,
                                         prefixlength=1))
    return Q.Or(terms) if terms else None


def _snippet(hit: dict[str, Any], terms: dict[str, set[str]], fuzzy: bool) -> str:
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


def empty_answer(req: SearchRequest, text: str, notes: list[str], base: str = "/search") -> dict[str, Any]:
    """The answer's shape with no results: what every answer starts from."""
    out: dict[str, Any] = {
        "query": text, "total": 0, "page": req.page, "results": [],
        "suggestion": None, "facets": {}, "filters": [], "sort": req.sort, "page_size": req.size,
        "pages": 0, "match": "all", "searched_for": text, "notes": notes,
        "help_url": base + "/help",
    }
    out["filters"] = [
        {"name": k, "label": LABELS[k], "value": v,
         "remove_url": req.url(base, filters=[f for f in req.filters if f != (k, v)])}
        for k, v in req.filters
    ]
    out["sorts"] = [{"name": k, "label": label, "active": k == req.sort, "url": req.url(base, sort=k)}
                    for k, label in SORTS.items()]
    return out


def search(gen: Generation | None, req: SearchRequest, base: str = "/search") -> dict[str, Any]:
    """Run a request against an index generation; the JSON-shaped answer."""
    started = time.perf_counter()
    pq = parse(req.q)
    out = empty_answer(req, pq.text, req.notes + pq.notes, base)
    if pq.empty and not req.filters:
        if pq.text and not out["notes"]:
            out["notes"].append("There were no words to search for in your query.")
        return out
    if gen is None:
        out["notes"].append("The search index has not been built yet: run `make html`.")
        return out
    try:
        return _search(gen, req, base, pq, out, started)
    except TooCostly:  # what was found so far is not the answer: none is given, and why
        out.update(total=0, pages=0, results=[], facets={})
        out["notes"].append(COSTLY_NOTE)
        out["took_ms"] = round((time.perf_counter() - started) * 1000, 1)
        return out


def _search(gen: Generation, req: SearchRequest, base: str, pq: Any, out: dict[str, Any],
            started: float) -> dict[str, Any]:
    budget = Budget()
    filterq = _filter(gen, req.filters, pq.dates)
    q = pq.query if pq.query is not None else Q.Every()
    fuzzy = False
    with gen.searcher() as s:
        docs = _matched(s, q, filterq, budget)
        if pq.query is not None and pq.text:
            out["suggestion"] = suggest(s, pq.text)
        if not docs and pq.query is not None:
            q, docs, fuzzy = _fallback(s, pq.text, out, filterq, budget)
        out["total"] = len(docs)
        out["pages"] = min(-(-len(docs) // req.size), MAX_PAGE)
        facets = gen.facets.count(docs)
        out["facets"] = {
            name: [dict(item, url=req.url(base, filters=[*req.filters, (name, item["value"])]),
                        active=(name, item["value"]) in req.filters) for item in items]
            for name, items in facets.items() if items
        }
        out["facet_labels"] = {name: label for name, label, _ in FACETS}
        if docs and req.page <= out["pages"]:
            kwargs: dict[str, Any] = {}
            if req.sort == "newest":
                kwargs.update(sortedby="sort_newest", reverse=True)
            elif req.sort == "oldest":
                kwargs.update(sortedby="sort_oldest")
            # ``docs`` already holds the filtered matches: hand them over instead of re-running the filter.
            results = _top(s, q, budget, limit=req.page * req.size, filter=docs if filterq.active else None,
                           **kwargs)
            terms = highlight_terms(q, s.reader())
            start = (req.page - 1) * req.size
            for i in range(start, min(start + req.size, len(results.top_n))):
                hit = results[i]
                fields = hit.fields()
                published = fields.get("published")
                out["results"].append({
                    "url": fields["url"],
                    "headline": fields["headline"],
                    "date": published.date().isoformat() if published else None,
                    "snippet": _snippet(fields, terms, fuzzy),
                    # Added: the agency or publication, "" when unknown (as the static page shows it).
                    "source": ((fields.get("facets") or {}).get("source") or [""])[0],
                })
    out["first_url"] = req.url(base, page=1)
    if out["pages"] > 1:
        if req.page > 1:
            out["prev_url"] = req.url(base, page=min(req.page - 1, out["pages"]))
        if req.page < out["pages"]:
            out["next_url"] = req.url(base, page=req.page + 1)
    if out["suggestion"]:
        out["suggestion_url"] = req.url(base, q=out["suggestion"])
    out["took_ms"] = round((time.perf_counter() - started) * 1000, 1)
    return out


def _fallback(s: Any, text: str, out: dict[str, Any], filterq: Filter,
              budget: Budget | None = None) -> tuple[Any, set[int], bool]:
    """Nothing matched every word: try the corrected query (all words, then any), then any of
    the reader's own words, then words spelled nearly like them."""
    several = len(plain_words(text)) > 1
    tries: list[tuple[str, bool, str]] = []
    if out["suggestion"]:
        tries.append((out["suggestion"], False, "corrected"))
        if several:
            tries.append((out["suggestion"], True, "corrected-any"))
    if several:
        tries.append((text, True, "any"))
    for candidate, any_word, mode in tries:
        parsed = parse(candidate, any_word=any_word)
        if parsed.query is None:
            continue
        docs = _matched(s, parsed.query, filterq, budget)
        if docs:
            out.update(match=mode, searched_for=parsed.text)
            return parsed.query, docs, False
    fuzzy = _fuzzy_query(out["suggestion"] or text)
    if fuzzy is not None:
        docs = _matched(s, fuzzy, filterq, budget)
        if docs:
            out["match"] = "fuzzy"
            return fuzzy, docs, True
    return Q.NullQuery, set(), False


# --------------------------------------------------------------------------- WSGI


SECURITY_HEADERS = [
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("Content-Security-Policy", "frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'"),
]


class SearchApp:
    """WSGI app: /search, /search.json, /search/help; anything else goes to ``fallback``."""

    def __init__(self, index_path: str, render_page: Callable[..., str],
                 fallback: Callable[..., Any] | None = None, base: str = "/search") -> None:
        self.index = IndexHandle(index_path)
        self.render_page = render_page
        self.fallback = fallback
        self.base = base
        self.routes = {base: "html", base + "/": "html", base + ".json": "json",
                       base + "/help": "help", base + "/help/": "help"}

    def _generation(self) -> Generation | None:
        try:
            return self.index.get()
        except Exception:  # a generation removed under us: look again once
            log.warning("search index changed while opening; retrying", exc_info=True)
            self.index.reset()
            return self.index.get()

    def _answer(self, req: SearchRequest) -> dict[str, Any]:
        """The search's answer; a query that fails inside Whoosh is logged (a bug to fix:
        tests/test_search_fuzz.py fails on the log line) and answered with no results and a
        note, never a 500: a reader's query is never a server error."""
        try:
            return search(self._generation(), req, self.base)
        except Exception:
            log.error("news_archive: search failed for query %r", req.q[:MAX_FILTER_CHARS], exc_info=True)
            text, notes = clean(req.q)
            return empty_answer(req, text, [*req.notes, *notes, FAILED_NOTE], self.base)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Any:
        path = environ.get("PATH_INFO", "")
        route = self.routes.get(path)
        if route is None:
            if self.fallback is not None:
                return self.fallback(environ, start_response)
            return self._plain(start_response, "404 Not Found", "Not found", environ)
        method = environ.get("REQUEST_METHOD", "GET")
        if method not in ("GET", "HEAD"):
            start_response("405 Method Not Allowed", [("Allow", "GET, HEAD"),
                                                      ("Content-Type", "text/plain; charset=utf-8"),
                                                      *SECURITY_HEADERS])
            return [b"Method not allowed"]
        status = "200 OK"
        if route == "help":
            body = self.render_page({"query": ""}, template="search_help.html").encode("utf-8")
            ctype = "text/html; charset=utf-8"
        else:
            req = SearchRequest.from_query_string(environ.get("QUERY_STRING", ""))
            data = self._answer(req)
            if route == "json":
                body = json.dumps(data, ensure_ascii=False).encode("utf-8")
                ctype = "application/json; charset=utf-8"
            else:
                body = self.render_page(data).encode("utf-8")
                ctype = "text/html; charset=utf-8"
        headers = [("Content-Type", ctype), ("Content-Length", str(len(body))),
                   ("Cache-Control", "no-cache"), *SECURITY_HEADERS]
        start_response(status, headers)
        return [b"" if method == "HEAD" else body]

    @staticmethod
    def _plain(start_response: StartResponse, status: str, text: str, environ: dict[str, Any]) -> Any:
        body = text.encode()
        start_response(status, [("Content-Type", "text/plain; charset=utf-8"),
                                ("Content-Length", str(len(body))), *SECURITY_HEADERS])
        return [b"" if environ.get("REQUEST_METHOD") == "HEAD" else body]


def make_renderer(theme_templates: str, context: dict[str, Any]) -> Callable[..., str]:
    """Render results with the theme's templates (autoescaped, like the site)."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    env = Environment(loader=FileSystemLoader(theme_templates), autoescape=select_autoescape(default=True))

    def render(data: dict[str, Any], template: str = "search.html") -> str:
        out_file = "search/help/index.html" if template == "search_help.html" else "search/index.html"
        return env.get_template(template).render(**context, search=data, output_file=out_file)

    return render


def site_context(settings_file: str) -> dict[str, Any]:
    """The subset of Pelican settings the theme's base template needs."""
    from pelican.settings import read_settings

    settings = read_settings(settings_file)
    ctx = {k: v for k, v in settings.items() if k.isupper()}
    # Links stay relative to the host that serves the service; the canonical address (and
    # og:url) is the configured one, as on every built page (it must be absolute to count).
    ctx["canonical_siteurl"] = (settings.get("SITEURL") or "").rstrip("/")
    ctx["SITEURL"] = ""
    return ctx


def create_app(settings_file: str = "pelicanconf.py", output: str | None = None) -> SearchApp:
    """The app `make serve` runs: search plus the static site from ``output``."""
    from .. import settings as S
    from ..static import StaticFiles

    ctx = site_context(settings_file)
    theme = os.path.join(ctx["THEME"], "templates")
    static = StaticFiles(output or ctx["OUTPUT_PATH"])
    base = (S.get(ctx, "NEWS_ARCHIVE_SEARCH_URL") or "/search").rstrip("/") or "/search"
    return SearchApp(str(Path(S.index_dir(ctx))), make_renderer(theme, ctx), static, base=base)
