"""The search service: a WSGI app over the Whoosh index built by ``make html``.

``GET /search?q=…`` answers an HTML page in the site's design (works without
JavaScript); ``GET /search.json?q=…&page=N`` the same results as JSON::

    {"query": str, "total": int, "page": int,
     "results": [{"url", "headline", "date", "snippet"}]}

``snippet`` is HTML: the article text escaped, matched words wrapped in ``<mark>``.
``date`` is ``null`` for an undated article.  A searcher is opened per request and
always closed; the index is reopened when the build swaps in a new generation.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from whoosh import highlight
from whoosh import index as windex
from whoosh.qparser import MultifieldParser, OrGroup

PAGE_SIZE = 10
MAX_QUERY_CHARS = 500
MAX_PAGE = 100

StartResponse = Callable[..., Any]


class IndexHandle:
    """Opens the live index, and reopens it when the symlink points somewhere new."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._target = ""
        self._ix: Any = None

    def get(self) -> Any:
        target = os.path.realpath(self.path)
        with self._lock:
            if self._ix is None or target != self._target:
                if not windex.exists_in(target):
                    return None
                self._ix = windex.open_dir(target)
                self._target = target
            return self._ix


def search(ix: Any, query: str, page: int = 1, pagelen: int = PAGE_SIZE) -> dict[str, Any]:
    """Run a query; return the JSON-shaped result."""
    out: dict[str, Any] = {"query": query, "total": 0, "page": page, "results": []}
    if ix is None or not query.strip():
        return out
    parser = MultifieldParser(["headline", "dek", "body"], schema=ix.schema, group=OrGroup.factory(0.9))
    q = parser.parse(query)
    with ix.searcher() as searcher:
        results = searcher.search_page(q, page, pagelen=pagelen)
        results.results.fragmenter = highlight.ContextFragmenter(maxchars=240, surround=60)
        results.results.formatter = highlight.HtmlFormatter(tagname="mark", between=" … ")
        out["total"] = len(results)
        for hit in results:
            snippet = hit.highlights("body") or hit.highlights("dek") or ""
            out["results"].append(
                {
                    "url": hit["url"],
                    "headline": hit["headline"],
                    "date": hit["published"].date().isoformat() if hit.get("published") else None,
                    "snippet": snippet,
                }
            )
    return out


class SearchApp:
    """WSGI app: /search, /search.json; anything else goes to ``fallback`` (static files)."""

    def __init__(self, index_path: str, render_page: Callable[[dict[str, Any]], str],
                 fallback: Callable[..., Any] | None = None) -> None:
        self.index = IndexHandle(index_path)
        self.render_page = render_page
        self.fallback = fallback

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Any:
        path = environ.get("PATH_INFO", "")
        if path in ("/search", "/search/", "/search.json"):
            if environ.get("REQUEST_METHOD", "GET") not in ("GET", "HEAD"):
                start_response("405 Method Not Allowed", [("Allow", "GET, HEAD"), ("Content-Type", "text/plain")])
                return [b"Method not allowed"]
            params = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True, errors="replace")
            query = (params.get("q") or [""])[0][:MAX_QUERY_CHARS]
            try:
                page = min(max(int((params.get("page") or ["1"])[0]), 1), MAX_PAGE)
            except ValueError:
                page = 1
            data = search(self.index.get(), query, page)
            if path == "/search.json":
                body = json.dumps(data, ensure_ascii=False).encode("utf-8")
                ctype = "application/json; charset=utf-8"
            else:
                body = self.render_page(data).encode("utf-8")
                ctype = "text/html; charset=utf-8"
            start_response("200 OK", [("Content-Type", ctype), ("Content-Length", str(len(body)))])
            return [b"" if environ.get("REQUEST_METHOD") == "HEAD" else body]
        if self.fallback is not None:
            return self.fallback(environ, start_response)
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"Not found"]


def make_renderer(theme_templates: str, context: dict[str, Any]) -> Callable[[dict[str, Any]], str]:
    """Render results with the theme's ``search.html`` (autoescaped, like the site)."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    env = Environment(loader=FileSystemLoader(theme_templates), autoescape=select_autoescape(default=True))

    def render(data: dict[str, Any]) -> str:
        return env.get_template("search.html").render(**context, search=data, output_file="search/index.html")

    return render


def site_context(settings_file: str) -> dict[str, Any]:
    """The subset of Pelican settings the theme's base template needs."""
    from pelican.settings import read_settings

    settings = read_settings(settings_file)
    ctx = {k: v for k, v in settings.items() if k.isupper()}
    ctx["SITEURL"] = ""
    return ctx


def create_app(settings_file: str = "pelicanconf.py", output: str | None = None) -> SearchApp:
    """The app `make serve` runs: search plus the static site from ``output``."""
    from .. import settings as S
    from ..static import StaticFiles

    ctx = site_context(settings_file)
    theme = os.path.join(ctx["THEME"], "templates")
    static = StaticFiles(output or ctx["OUTPUT_PATH"])
    return SearchApp(str(Path(S.index_dir(ctx))), make_renderer(theme, ctx), static)
