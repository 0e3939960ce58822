"""The answer to one search, typed; :meth:`SearchResult.to_json` is the ``/search.json`` contract.

The documented contract (fields are only ever added, never change meaning)::

    {"query": str, "total": int, "page": int,
     "results": [{"url", "headline", "date", "snippet", "source"}],
     "suggestion": str | null, "facets": {name: [{"value", "count", "url", "active"}]},
     "filters": [{"name", "label", "value", "remove_url"}], "sort": str, "page_size": int,
     "pages": int, "match": "all" | "any" | "corrected" | "corrected-any" | "fuzzy",
     "searched_for": str, "notes": [str], "help_url": str,
     "sorts": [{"name", "label", "active", "url"}],
     and, once the index was searched: "facet_labels", "first_url", "prev_url"?,
     "next_url"?, "suggestion_url"?, "took_ms"}

``snippet`` is HTML: the article text escaped, matched words wrapped in ``<mark>``.
``date`` is ``null`` for an undated article.  The keys come in this order, and a key
marked optional is absent (not ``null``) when it does not apply: clients and the golden
file (tests/data/search_golden) see the same bytes as before the answer was typed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .facets import LABELS
from .request import SORTS, SearchRequest


@dataclass
class Hit:
    """One result as the reader sees it."""

    url: str
    headline: str
    date: str | None  # ISO day, None when undated
    snippet: str  # HTML
    source: str  # the agency or publication, "" when unknown (as the static page shows it)

    def to_json(self) -> dict[str, Any]:
        return {"url": self.url, "headline": self.headline, "date": self.date, "snippet": self.snippet,
                "source": self.source}


# Keys present only when they apply, in their order after the ones always present.
_OPTIONAL = ("facet_labels", "first_url", "prev_url", "next_url", "suggestion_url", "took_ms")


@dataclass
class SearchResult:
    """One search's answer (see the module docstring for the JSON it becomes)."""

    query: str
    page: int
    sort: str
    page_size: int
    searched_for: str
    help_url: str
    total: int = 0
    results: list[Hit] = field(default_factory=list)
    suggestion: str | None = None
    facets: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    filters: list[dict[str, Any]] = field(default_factory=list)
    pages: int = 0
    match: str = "all"
    notes: list[str] = field(default_factory=list)
    sorts: list[dict[str, Any]] = field(default_factory=list)
    facet_labels: dict[str, str] | None = None
    first_url: str | None = None
    prev_url: str | None = None
    next_url: str | None = None
    suggestion_url: str | None = None
    took_ms: float | None = None

    @classmethod
    def empty(cls, req: SearchRequest, text: str, notes: list[str], base: str = "/search") -> SearchResult:
        """The answer with no results: what every answer starts from."""
        return cls(
            query=text, page=req.page, sort=req.sort, page_size=req.size, searched_for=text,
            help_url=base + "/help", notes=notes,
            filters=[{"name": k, "label": LABELS[k], "value": v,
                      "remove_url": req.url(base, filters=[f for f in req.filters if f != (k, v)])}
                     for k, v in req.filters],
            sorts=[{"name": k, "label": label, "active": k == req.sort, "url": req.url(base, sort=k)}
                   for k, label in SORTS.items()],
        )

    def nothing_found(self) -> None:
        """What was found before the search was stopped is not the answer: none is given."""
        self.total, self.pages, self.results, self.facets = 0, 0, [], {}

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "query": self.query, "total": self.total, "page": self.page,
            "results": [hit.to_json() for hit in self.results], "suggestion": self.suggestion,
            "facets": {name: [dict(item) for item in items] for name, items in self.facets.items()},
            "filters": [dict(f) for f in self.filters], "sort": self.sort, "page_size": self.page_size,
            "pages": self.pages, "match": self.match, "searched_for": self.searched_for,
            "notes": list(self.notes), "help_url": self.help_url, "sorts": [dict(s) for s in self.sorts],
        }
        for name in _OPTIONAL:
            value = getattr(self, name)
            if value is not None:
                out[name] = dict(value) if isinstance(value, dict) else value
        return out
