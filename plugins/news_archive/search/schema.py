"""The Whoosh schema of an article, and how an article becomes a document."""

from __future__ import annotations

import html
import re
from typing import Any

from whoosh.analysis import CharsetFilter, StemmingAnalyzer
from whoosh.fields import BOOLEAN, DATETIME, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.support.charset import accent_map

from ..render import ENTITY_KEYS

SCHEMA_VERSION = "1"


def _analyzer() -> Any:
    return StemmingAnalyzer() | CharsetFilter(accent_map)


def make_schema() -> Schema:
    ana = _analyzer()
    return Schema(
        url=ID(stored=True, unique=True),
        content_hash=STORED,
        headline=TEXT(stored=True, analyzer=ana, field_boost=3.0),
        dek=TEXT(stored=True, analyzer=ana, field_boost=1.5),
        body=TEXT(stored=True, analyzer=ana),
        authors=KEYWORD(stored=True, commas=True, lowercase=True),
        source=KEYWORD(stored=True, commas=True, lowercase=True),
        person=KEYWORD(stored=True, commas=True, lowercase=True),
        organisation=KEYWORD(stored=True, commas=True, lowercase=True),
        place=KEYWORD(stored=True, commas=True, lowercase=True),
        group=KEYWORD(stored=True, commas=True, lowercase=True),
        tag=KEYWORD(stored=True, commas=True, lowercase=True),
        published=DATETIME(stored=True, sortable=True),
        undated=BOOLEAN(stored=True),
        year=NUMERIC(stored=True, sortable=True),
        date_display=STORED,
    )


def plain_text(content_html: str) -> str:
    """Article HTML → plain text (paragraphs kept apart)."""
    text = re.sub(r"</p>\s*", "\n\n", content_html)
    text = re.sub(r"<[^>]+>", "", text)
    return html.unescape(text).strip()


def _names(article: Any, key: str) -> list[str]:
    from pelican.readers import ensure_metadata_list

    value = article.metadata.get(key, "")
    return ensure_metadata_list(value) if value else []


def article_document(article: Any) -> dict[str, Any]:
    """The fields indexed for one Pelican article."""
    undated = str(getattr(article, "undated", "false")).lower() == "true"
    doc: dict[str, Any] = {
        "url": "/" + article.url.lstrip("/"),
        "headline": article.title,
        "dek": getattr(article, "dek", ""),
        "body": plain_text(article.content),
        "authors": ",".join(a.name for a in getattr(article, "authors", [])),
        "source": getattr(article, "source", ""),
        "tag": ",".join(t.name for t in getattr(article, "tags", [])),
        "undated": undated,
        "date_display": "" if undated else article.date.strftime("%-d %B %Y"),
    }
    for kind, key in ENTITY_KEYS.items():
        doc[kind] = ",".join(_names(article, key.lower()))
    if not undated:
        date = article.date.replace(tzinfo=None)
        doc["published"] = date
        doc["year"] = date.year
    return doc
