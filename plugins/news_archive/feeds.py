"""Atom feeds that never present an archive time as a publication date.

Pelican's own feed writer gives every entry ``<published>`` from ``article.date``;
for an undated story that is the time it was archived, i.e. a made-up date.  So the
site feed and the per-tag feeds are written here instead, from dated stories only
(a feed is a list of what was published when), newest first.  ``write_atom`` is
reusable by other feeds (for example per entity).

An archive has thousands of tag and entity feeds, and building each one's XML was most
of a warm rebuild.  :class:`FeedMemo` keeps, per feed file, a digest of everything its
XML is made from (the entries' fields, the feed's title and links, the settings, the
plugin code and theme) in ``<work>/feed-memo.json``; a feed whose digest and file are
unchanged is not built at all.  Feeds the previous build wrote and this one did not (a
tag or entity that is gone) are deleted at the end of the build.
"""

from __future__ import annotations

import hashlib
import heapq
import html
import json
import logging
import os
from datetime import datetime
from operator import attrgetter
from typing import Any

from feedgenerator import Atom1Feed, get_tag_uri
from pelican.utils import set_date_tzinfo

from . import settings as S
from .article_story import is_undated
from .build import Build
from .fileio import read_json, remove_stale, write_if_changed, write_json
from .structured import site_url

log = logging.getLogger(__name__)

# Entries per feed: feed readers only ever look at the newest ones.
FEED_MAX_ITEMS = 50
# Per-tag feeds: headline, dek and link only, fewer entries (an archive has thousands).
TAG_FEED_MAX_ITEMS = 25


def dated(articles: list[Any], limit: int | None = None, newest_first: bool = False) -> list[Any]:
    """Dated stories, newest first (undated ones have no place in a dated feed); the newest
    ``limit`` only, found without sorting the whole list (same order as sorting would give).

    ``newest_first``: the list is sorted by ``ordering.newest_first`` (an entity's stories
    are), so its dated stories come first, newest first, equal dates in the order a stable
    sort keeps: the newest ``limit`` are among its first ``limit`` items.  Each of ~10,000
    entity feeds of a 2,000-story archive otherwise asked every one of its stories whether
    it is dated, in every build, for a feed that was then found unchanged."""
    if newest_first and limit is not None:
        # Its dated stories are a run at its start: where that run ends among the first
        # ``limit`` is found by halving, a few questions instead of up to 50 per feed.
        head = list(articles[:limit])
        if not head or not is_undated(head[-1]):
            return head
        low, high = 0, len(head) - 1  # head[high] is undated
        while low < high:
            middle = (low + high) // 2
            if is_undated(head[middle]):
                high = middle
            else:
                low = middle + 1
        return head[:low]
    stories = (a for a in articles if not is_undated(a))
    if limit is None:
        return sorted(stories, key=attrgetter("date"), reverse=True)
    return heapq.nlargest(limit, stories, key=attrgetter("date"))


def feed_base(settings: dict[str, Any]) -> str:
    """Absolute base for links in feeds: FEED_DOMAIN, else SITEURL ("" in development)."""
    return str(settings.get("FEED_DOMAIN") or site_url(settings)).rstrip("/")


def entry_id(base: str, url: str, published: datetime) -> str:
    """A tag: URI for an entry; in development (no SITEURL) on the ``localhost`` authority."""
    return get_tag_uri(f"{base or 'http://localhost'}/{url}", published)


class FeedMemo:
    """Digests of the inputs of each feed written, from this build and the last one."""

    FILE = "feed-memo.json"

    def __init__(self, settings: dict[str, Any]) -> None:
        from .skipping_writer import code_and_theme_digest

        self.path = os.path.join(S.work_dir(settings), self.FILE)
        self.output = os.path.abspath(settings["OUTPUT_PATH"])
        # Skipping is the same switch as for pages (off: every feed is built and compared).
        self.skipping = bool(S.get(settings, "NEWS_ARCHIVE_SKIP_UNCHANGED_PAGES"))
        self.global_digest = code_and_theme_digest(settings) if self.skipping else ""
        self.before: dict[str, str] = {}
        self.previous_paths: list[str] = []
        self.now: dict[str, str] = {}
        # Per entry kind (full text or not): id of the story -> (the story, its entry's digest).
        self._entries: dict[bool, dict[int, tuple[Any, bytes]]] = {True: {}, False: {}}
        self._urls: dict[int, tuple[Any, str]] = {}
        # What every feed of the build shares (the code, the links' base, the site's name,
        # zone and language), encoded once: the first part of each feed's key (:meth:`key`).
        self._shared: tuple[dict[str, Any], bytes] | None = None
        data = read_json(self.path)
        feeds = data.get("feeds") if isinstance(data, dict) else None
        if isinstance(feeds, dict):  # anything else: no memo (every feed built and compared)
            self.previous_paths = [str(p) for p in feeds]
            if self.skipping and data.get("global") == self.global_digest:
                self.before = {str(k): str(v) for k, v in feeds.items()}

    def url(self, article: Any) -> str:
        """``article.url`` once per build (Pelican formats it anew on every access)."""
        hit = self._urls.get(id(article))
        if hit is None:
            hit = self._urls[id(article)] = (article, article.url)
        return hit[1]

    def key(self, settings: dict[str, Any], path: str, title: str, page_url: str, full_text: bool,
            items: list[Any]) -> str:
        """The digest of everything one feed's XML is made from: what all feeds share, the
        feed's own path, title, page and kind, and each entry's digest (:meth:`entry`).

        An archive has ~10,000 entity and tag feeds, and an unchanged rebuild only keys
        them: the shared part is encoded once per build, the entries' digests joined into
        one update."""
        tz = settings.get("TIMEZONE")
        shared = self._shared
        if shared is None or shared[0] is not settings:
            head = json.dumps([self.global_digest, feed_base(settings), str(tz), str(settings.get("SITENAME", "")),
                               settings.get("DEFAULT_LANG")]).encode()
            shared = self._shared = (settings, head)
        h = hashlib.blake2b(shared[1], digest_size=16)
        h.update(json.dumps([path, title, page_url, full_text]).encode())
        known = self._entries[bool(full_text)]
        parts = []
        for article in items:
            hit = known.get(id(article))
            parts.append(hit[1] if hit is not None and hit[0] is article else self.entry(article, full_text, tz))
        h.update(b"".join(parts))
        return h.hexdigest()

    def entry(self, article: Any, full_text: bool, tz: Any) -> bytes:
        """Digest of the fields one entry is written from."""
        known = self._entries[bool(full_text)]
        hit = known.get(id(article))
        if hit is None or hit[0] is not article:
            fields = [
                article.title, self.url(article), set_date_tzinfo(article.date, tz).isoformat(),
                article.metadata.get("dek") or "", article.content if full_text else "",
                [t.name for t in getattr(article, "tags", []) or []],
                [a.name for a in getattr(article, "authors", []) or []], article.metadata.get("source", ""),
            ]
            digest = hashlib.blake2b(json.dumps(fields, default=str).encode(), digest_size=16).digest()
            hit = known[id(article)] = (article, digest)
        return hit[1]

    def unchanged(self, path: str, key: str, target: str) -> bool:
        """Record this feed's key; True if the file on disk was built from the same inputs."""
        self.now[path] = key
        return self.before.get(path) == key and os.path.isfile(target)

    def finish(self) -> list[str]:
        """Delete feeds of the last build that this one did not write; save the memo."""
        removed = remove_stale(self.output, self.previous_paths, set(self.now))
        write_json(self.path, {"global": self.global_digest, "feeds": self.now})
        return removed


def memo(settings: dict[str, Any]) -> FeedMemo:
    """This build's feed memo (made on first use); outside a build, one for this call only."""
    build = Build.of(settings)
    if build is None:
        return FeedMemo(settings)
    if build.feed_memo is None:
        build.feed_memo = FeedMemo(settings)
    return build.feed_memo


def finish_build(pelican: Any) -> None:
    """Save the memo and delete feeds nobody links any more."""
    build = Build.of(pelican.settings)
    if build is not None and build.feed_memo is not None:
        removed = build.feed_memo.finish()
        if removed:
            log.info("news_archive: removed %d stale feeds", len(removed))
        build.feed_memo = None


def write_atom(settings: dict[str, Any], articles: list[Any], path: str, title: str,
               page_url: str = "", full_text: bool = True, max_items: int = FEED_MAX_ITEMS,
               newest_first: bool = False) -> str | None:
    """Write one Atom feed of ``articles`` (undated ones are left out) to ``path``
    under OUTPUT_PATH; ``page_url`` is the HTML page the feed belongs to.  Without
    ``full_text`` entries carry the dek only (thousands of tag feeds stay small).
    ``newest_first``: ``articles`` is sorted by ``ordering.newest_first`` (see :func:`dated`).
    Returns the file written, or None when ``path`` is empty (feed turned off) or no story
    is dated: a feed with no entries is not written (and one a previous build wrote is
    deleted as stale), so nothing links to an empty feed or says ``<updated>1970…``."""
    if not path:
        return None
    items = dated(articles, max_items, newest_first)
    if not items:
        return None
    m = memo(settings)
    target = os.path.join(settings["OUTPUT_PATH"], path)
    if m.unchanged(path, m.key(settings, path, title, page_url, full_text, items), target):
        return target
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
    for article in items:
        url = m.url(article)
        published = set_date_tzinfo(article.date, tz)
        authors = [a.name for a in getattr(article, "authors", []) or []]
        source = article.metadata.get("source", "")
        dek = article.metadata.get("dek") or ""
        feed.add_item(
            title=article.title,  # <title> is type="text": the XML escaping is all it needs
            link=f"{base}/{url}",
            unique_id=entry_id(base, url, published),
            # <summary type="html"> is HTML to a feed reader: the dek is dump text, so it is
            # escaped into HTML that shows it literally (a "<script>" dek ran in readers).
            description=html.escape(dek) if dek else None,
            content=article.content if full_text else None,
            categories=[t.name for t in getattr(article, "tags", []) or []] or None,
            author_name=", ".join(authors) or source or None,
            pubdate=published,
            updateddate=published,
        )
    os.makedirs(os.path.dirname(target) or ".", exist_ok=True)
    # Built (inputs changed) but possibly identical: compared, not rewritten, so an
    # unchanged file keeps its modification time.
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
