"""Article order: dated stories newest first, then undated ones by headline."""

from __future__ import annotations

from typing import Any


def newest_first(article: Any) -> tuple[int, float, str]:
    """Sort key for ARTICLE_ORDER_BY (Pelican sorts ascending by this key)."""
    undated = str(getattr(article, "undated", "false")).lower() == "true"
    if undated:
        return (1, 0.0, article.title.casefold())
    return (0, -article.date.timestamp(), article.title.casefold())
