"""Article order, and the words that describe it to a reader.

Dated stories come newest first.  Undated ones follow, and their order must be honest
and still useful: a headline order looks like a ranking ("$1m payoff…" first) and
says nothing.  So they go in the order the archive received them: the most recently
archived first, then by section, then by dump (the order the dumps lie in their
folders, which for a scrape or an export is the order its maker saved them).  Every
list that shows stories says which order it is in (:func:`order_label`), so no
heading claims "newest first" over a list with no dates.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .article_story import is_undated

# How each kind of list is described (the words of order_label).
DATED = "newest first"
UNDATED = "date unknown; in the order they were archived, by section"
MIXED = "newest first; stories with no known date follow in the order they were archived"
# A later page of a mixed list that shows only undated stories: no "newest" on it.
MIXED_UNDATED_PAGE = ("date unknown on this page: these follow the dated stories, "
                      "in the order they were archived, by section")


def _meta(article: Any, key: str) -> str:
    metadata = getattr(article, "metadata", None) or {}
    return str(metadata.get(key) or getattr(article, key, "") or "")


def _archived(article: Any) -> float:
    """When the story was archived (``Archived:``), as a timestamp; 0 if unknown."""
    value = _meta(article, "archived")
    try:
        return datetime.fromisoformat(value).timestamp() if value else 0.0
    except ValueError:
        return 0.0


def newest_first(article: Any) -> tuple[int, float, str, str]:
    """Sort key for ARTICLE_ORDER_BY (Pelican sorts ascending by this key): dated stories
    newest first, then undated ones newest archived first, by section, by dump."""
    if is_undated(article):
        return (1, -_archived(article), _meta(article, "section").casefold(), _meta(article, "origin"))
    return (0, -article.date.timestamp(), article.title.casefold(), "")


def date_flags(articles: Any) -> frozenset[bool]:
    """Which of "undated" (True) and "dated" (False) the stories of a list are."""
    return frozenset(is_undated(a) for a in articles)


def order_label(articles: Any, page: Any = None, flags: frozenset[bool] | None = None) -> str:
    """What order a list sorted by :func:`newest_first` is in, in a reader's words; with
    ``page`` (the stories one page shows), what that page shows, so a page of undated
    stories never says "newest first".  ``flags``: the list's :func:`date_flags`, when the
    caller already has them (each page of a long list asks about the same whole list)."""
    if flags is None:
        flags = date_flags(articles)
    if flags == {True}:
        return UNDATED
    if flags == {True, False}:
        if page is not None and all(is_undated(a) for a in page):
            return MIXED_UNDATED_PAGE
        return MIXED
    return DATED


def dated_count(articles: Any) -> int:
    """How many of the stories have a known publication date."""
    return sum(1 for a in articles if not is_undated(a))
