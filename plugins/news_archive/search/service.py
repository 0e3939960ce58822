"""The search service: a WSGI app over the Whoosh index built by ``make html``.

``GET /search?q=…`` (and ``/search/``, where every page's search box submits)
answers an HTML page in the site's design (works without JavaScript);
``GET /search.json?q=…&page=N`` the same results as JSON (the contract:
:mod:`.result`).  Other parameters: ``sort`` (``relevance``, ``newest``, ``oldest``),
``size`` (results per page), and one filter parameter per facet (``person=…``,
``tag=…``, ``year=…``; repeatable, all must hold).  ``/search/help`` documents the query
language for readers.  Only GET and HEAD are answered.

The parts, each in its own module: the live index and its searcher pool (:mod:`.pool`),
the request (:mod:`.request`), the search itself (:mod:`.engine`, with :mod:`.matching`
and :mod:`.spelling`), its typed answer (:mod:`.result`); this module is the HTTP side
and the HTML rendering.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from whoosh import index as windex

from . import engine
from .engine import COSTLY_NOTE
from .pool import DayTable, Generation, IndexHandle
from .query import clean
from .request import MAX_FILTER_CHARS, MAX_PAGE, MAX_PAGE_SIZE, SearchRequest
from .result import SearchResult

# What other modules, bench/ and tests import from here.
__all__ = ["COSTLY_NOTE", "MAX_PAGE", "MAX_PAGE_SIZE", "DayTable", "Generation", "SearchApp",
           "SearchRequest", "create_app", "make_renderer", "search", "site_context"]

log = logging.getLogger(__name__)
FAILED_NOTE = "This query could not be searched as written; try fewer operators or plain words."
StartResponse = Callable[..., Any]
# Recent requests a new index generation answers before it serves (see _warm_generation).
WARM_REQUESTS = 200
WARM_REQUESTS_UNCACHED = 8
WARM_SECONDS = 2.0


def search(gen: Generation | None, req: SearchRequest, base: str = "/search") -> dict[str, Any]:
    """The JSON-shaped answer of :func:`.engine.search` (what ``/search.json`` sends)."""
    return engine.search(gen, req, base).to_json()


SECURITY_HEADERS = [
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("Content-Security-Policy", "frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'"),
]


class SearchApp:
    """WSGI app: /search, /search.json, /search/help; anything else goes to ``fallback``."""

    def __init__(self, index_path: str, render_page: Callable[..., str],
                 fallback: Callable[..., Any] | None = None, base: str = "/search",
                 cache_size: int = 0) -> None:
        self.index = IndexHandle(index_path, cache_size, warm=self._warm_generation)
        self.cache_size = cache_size
        self._recent: OrderedDict[tuple[Any, ...], SearchRequest] = OrderedDict()
        self._recent_lock = threading.Lock()
        self.render_page = render_page
        self.fallback = fallback
        self.base = base
        self.routes = {base: "html", base + "/": "html", base + ".json": "json",
                       base + "/help": "help", base + "/help/": "help"}

    def warm(self) -> None:
        """Open the index now, on a thread, so the first reader does not wait for it (a
        worker process calls this once it has started)."""
        def run() -> None:
            with contextlib.suppress(Exception):  # the first request will look again, and log why
                self.index.get()

        threading.Thread(target=run, name="open-index", daemon=True).start()

    def _remember(self, req: SearchRequest) -> None:
        """Keep the request among the recent ones a new generation is warmed with."""
        key = req.key()
        with self._recent_lock:
            self._recent[key] = req
            self._recent.move_to_end(key)
            while len(self._recent) > WARM_REQUESTS:
                self._recent.popitem(last=False)

    def _warm_generation(self, gen: Generation) -> None:
        """Answer the most recent requests over a generation not yet serving (on the thread
        that opened it): their terms are read, and with the answer cache on their answers are
        ready for the readers who ask again.  Without a cache only a few are replayed (an
        answer not kept would be searched twice)."""
        with self._recent_lock:
            recent = list(reversed(self._recent.values()))
        if not self.cache_size:
            recent = recent[:WARM_REQUESTS_UNCACHED]
        deadline = time.monotonic() + WARM_SECONDS
        for req in recent:
            if time.monotonic() > deadline:
                break
            with contextlib.suppress(Exception):  # a failing query is logged when a reader asks it
                engine.search(gen, req, self.base)

    def _answer(self, req: SearchRequest) -> SearchResult:
        """The search's answer; a query that fails inside Whoosh is logged (a bug to fix:
        tests/test_search_fuzz.py fails on the log line) and answered with no results and a
        note, never a 500: a reader's query is never a server error.

        When the generation vanishes under a request (an old build's pruning, a maintainer's
        rm) — while it is being opened, or after, while it is searched — the request is
        answered once more, from the live generation opened anew (:meth:`_from_fresh`): one
        path for both, so neither can drift from the other."""
        self._remember(req)
        gen = None
        try:
            try:
                gen = self.index.get()
                return engine.search(gen, req, self.base)
            except Exception:
                if gen is not None and windex.exists_in(gen.path):
                    raise  # the generation is there: the query itself failed
                return self._from_fresh(req, gen)
        except Exception:
            log.error("news_archive: search failed for query %r", req.q[:MAX_FILTER_CHARS], exc_info=True)
            text, notes = clean(req.q)
            return SearchResult.empty(req, text, [*req.notes, *notes, FAILED_NOTE], self.base)

    def _from_fresh(self, req: SearchRequest, gone: Generation | None) -> SearchResult:
        """Answer from the live generation, opened now: the one open (``gone``; None when it
        vanished while being opened) was removed."""
        log.warning("search index generation %s is gone; opening the live one",
                    gone.path if gone is not None else self.index.path, exc_info=gone is None)
        self.index.reset()
        return engine.search(self.index.get(), req, self.base)

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
            data = self._answer(req).to_json()
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
    return SearchApp(str(Path(S.index_dir(ctx))), make_renderer(theme, ctx), static, base=base,
                     cache_size=int(S.get(ctx, "NEWS_ARCHIVE_SEARCH_CACHE")))
