"""A reader's request: the query string parsed, validated and capped.

Nothing a client sends is trusted: the query string is cut at ``MAX_QUERY_STRING``
characters, parameters are capped in number, only the first ``q``/``page``/``size``/
``sort`` counts, pages and sizes are clamped, filters are limited in number and length
and deduplicated.  What was cut is told to the reader in ``notes``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, quote_plus, urlencode

from .schema import EXACT_FIELDS

PAGE_SIZE = 10
MAX_PAGE_SIZE = 50
MAX_PAGE = 100
MAX_FILTERS = 12
MAX_FILTER_CHARS = 200
MAX_QUERY_STRING = 8192
SORTS = {"relevance": "Relevance", "newest": "Newest first", "oldest": "Oldest first"}


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

    def key(self) -> tuple[Any, ...]:
        """Everything the answer depends on besides the index: what an answer is cached under."""
        return (self.q, self.page, self.size, self.sort, tuple(self.filters), tuple(self.notes))

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

    def narrowing(self, base: str = "/search") -> Callable[[str, str], str]:
        """``(name, value) → self.url(base, filters=[*self.filters, (name, value)])``, with
        what every such link shares encoded once (an answer links each of its ~100 facet
        values: a full ``urlencode`` for each was a few percent of a search)."""
        params = self.params(filters=[*self.filters, ("", "")])
        cut = 1 + len(self.filters)
        head = base + "?" + urlencode(params[:cut]) + "&"
        tail = "&" + urlencode(params[cut + 1:]) if len(params) > cut + 1 else ""

        def url(name: str, value: str) -> str:
            return head + quote_plus(name) + "=" + quote_plus(value) + tail

        return url


def _int(value: str, default: int, lo: int, hi: int) -> int:
    try:
        return min(max(int(value.strip()[:12]), lo), hi)
    except ValueError:
        return default
