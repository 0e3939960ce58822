"""Structured data for article pages: schema.org ``NewsArticle`` as JSON-LD.

Search engines and link previews read this, so it must say only what the archive
knows: an undated story gets no ``datePublished`` (its Pelican ``Date`` is the time
it was archived, not a publication date), and authors, source and entities come from
the story's own metadata (its entities and undatedness from its Story: ``article_story``).
The JSON is produced by a JSON encoder and every ``<``, ``>`` and ``&`` is written
as a ``\\u`` escape, so dump text such as ``</script>`` cannot end
the ``<script type="application/ld+json">`` element it sits in.
"""

from __future__ import annotations

import json
from typing import Any

from markupsafe import Markup

from .article_story import entity_names, is_undated

# Our entity types → schema.org types (groups are nationalities/religions: no good type).
SCHEMA_TYPES = {"person": "Person", "organisation": "Organization", "place": "Place"}

_SCRIPT_SAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026",
                              "\u2028": "\\u2028", "\u2029": "\\u2029"})


def script_safe_json(data: Any) -> Markup:
    """JSON text that is safe inside an HTML ``<script>`` element."""
    return Markup(json.dumps(data, ensure_ascii=False, sort_keys=False).translate(_SCRIPT_SAFE))


def site_url(settings: dict[str, Any]) -> str:
    """The site's base URL without a trailing slash ("" in development)."""
    return str(settings.get("SITEURL") or "").rstrip("/")


def news_article(article: Any, settings: dict[str, Any]) -> dict[str, Any]:
    """The ``NewsArticle`` object for one article, with only the fields we know."""
    meta = article.metadata
    url = f"{site_url(settings)}/{article.url}"
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "url": url,
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
    }
    if meta.get("dek"):
        data["description"] = meta["dek"]
    if not is_undated(article) and meta.get("published", "unknown") != "unknown":
        data["datePublished"] = meta["published"]
    authors = [a.name for a in getattr(article, "authors", []) or []
               if meta.get("authors") and a.name != settings.get("AUTHOR")]
    if authors:
        data["author"] = [{"@type": "Person", "name": name} for name in authors]
    if meta.get("source"):
        data["sourceOrganization"] = {"@type": "Organization", "name": meta["source"]}
        # The story's publisher is its source; a story without one names none (never the archive).
        data["publisher"] = {"@type": "Organization", "name": meta["source"]}
        if not authors:
            data["author"] = {"@type": "Organization", "name": meta["source"]}
    if meta.get("dateline"):
        data["locationCreated"] = {"@type": "Place", "name": meta["dateline"]}
    if meta.get("language"):
        data["inLanguage"] = meta["language"]
    if meta.get("section"):
        data["articleSection"] = meta["section"]
    source_url = str(meta.get("source_url", ""))
    if source_url.startswith(("http://", "https://")):
        data["isBasedOn"] = source_url
    tags = [t.name for t in getattr(article, "tags", []) or []]
    if tags:
        data["keywords"] = tags
    mentions = [{"@type": SCHEMA_TYPES[kind], "name": name}
                for kind in SCHEMA_TYPES for name in entity_names(article, kind)]
    if mentions:
        data["mentions"] = mentions
    data["isPartOf"] = {"@type": "WebSite", "name": settings.get("SITENAME", ""),
                        "url": f"{site_url(settings)}/"}
    return data


def attach_json_ld(articles: list[Any], settings: dict[str, Any]) -> None:
    """Give each article ``json_ld`` (script-safe Markup) for ``article.html``."""
    for article in articles:
        article.json_ld = script_safe_json(news_article(article, settings))
