"""Atom feeds that never present an archive time as a publication date.

Pelican's own feed writer gives every entry ``<published>`` from ``article.date``;
for an undated story that is the time it was archived, i.e. a made-up date.  So the
site feed and the per-tag feeds are written here instead, from dated stories only
(a feed is a list of what was published when), newest first.  ``write_atom`` is
reusable by other feeds (for example per entity).
"""

from __future__ import annotations

import os
from datetime import datetime
from typing import Any

from feedgenerator import Atom1Feed, get_tag_uri
from pelican.utils import set_date_tzinfo

from . import settings as S
from .fileio import write_if_changed
from .structured import is_undated, site_url

# Entries per feed: feed readers only ever look at the newest ones.
FEED_MAX_ITEMS = 50
# Per-tag feeds: headline, dek and link only, fewer entries (an archive has thousands).
TAG_FEED_MAX_ITEMS = 25


def dated(articles: list[Any]) -> list[Any]:
    """Dated stories, newest first (undated ones have no place in a dated feed)."""
    return sorted((a for a in articles if not is_undated(a)), key=lambda a: a.date, reverse=True)


def feed_base(settings: dict[str, Any]) -> str:
    """Absolute base for links in feeds: FEED_DOMAIN, else SITEURL ("" in development)."""
    return str(settings.get("FEED_DOMAIN") or site_url(settings)).rstrip("/")


def entry_id(base: str, url: str, published: datetime) -> str:
    """A tag: URI for an entry; in development (no SITEURL) on the ``localhost`` authority."""
    return get_tag_uri(f"{base or 'http://localhost'}/{url}", published)


def write_atom(settings: dict[str, Any], articles: list[Any], path: str, title: str,
               page_url: str = "", full_text: bool = True, max_items: int = FEED_MAX_ITEMS) -> str | None:
    """Write one Atom feed of ``articles`` (undated ones are left out) to ``path``
    under OUTPUT_PATH; ``page_url`` is the HTML page the feed belongs to.  Without
    ``full_text`` entries carry the dek only (thousands of tag feeds stay small).
    Returns the file written, or None when ``path`` is empty (feed turned off)."""
    if not path:
        return None
    base = feed_base(settings)
    tz = settings.get("TIMEZONE")
    site_name = str(settings.get("SITENAME", ""))
    feed = Atom1Feed(
        title=f"{site_name} - {title}" if title else site_name,
        link=f"{base}/{page_url}",
        feed_url=f"{base}/{path}",
        description="",
        language=settings.get("DEFAULT_LANG"),
        feed_guid=f"{base or 'http://localhost'}/{path}",
    )
    for article in dated(articles)[:max_items]:
        link = f"{base}/{article.url}"
        published = set_date_tzinfo(article.date, tz)
        authors = [a.name for a in getattr(article, "authors", []) or []]
        source = article.metadata.get("source", "")
        feed.add_item(
            title=article.title,
            link=link,
            unique_id=entry_id(base, article.url, published),
            description=article.metadata.get("dek") or None,
            content=article.content if full_text else None,
            categories=[t.name for t in getattr(article, "tags", []) or []] or None,
            author_name=", ".join(authors) or source or None,
            pubdate=published,
            updateddate=published,
        )
    if not feed.items:
        feed.latest_post_date = lambda: datetime(1970, 1, 1)  # type: ignore[method-assign]
    target = os.path.join(settings["OUTPUT_PATH"], path)
    os.makedirs(os.path.dirname(target) or ".", exist_ok=True)
    # Thousands of tag and entity feeds: an unchanged feed is compared, not rewritten
    # (truncating and rewriting them dominated warm rebuilds).
    write_if_changed(target, feed.writeString("utf-8").encode("utf-8"))
    return target


def write_feeds(generator: Any) -> None:
    """The site feed and one feed per tag (settings NEWS_ARCHIVE_FEED_ATOM / _TAG_FEED_ATOM)."""
    settings = generator.settings
    write_atom(settings, generator.articles, S.get(settings, "NEWS_ARCHIVE_FEED_ATOM"), "", "")
    tag_feed = S.get(settings, "NEWS_ARCHIVE_TAG_FEED_ATOM")
    if tag_feed:
        for tag, articles in generator.tags.items() if isinstance(generator.tags, dict) else generator.tags:
            write_atom(settings, articles, tag_feed.format(slug=tag.slug), tag.name, tag.url,
                       full_text=False, max_items=TAG_FEED_MAX_ITEMS)
