"""The reader-facing site around the pages: honest archives and authors, structured
data, Atom feeds and the sitemap.

Receivers (module-level: Pelican's signals hold weak references; connected in the
plugin's table of signals, ``news_archive.SIGNALS``)::

    initialized                  plugin defaults visible to templates
    article_generator_finalized  undated stories out of year/month archives; no invented
                                 author; JSON-LD per article; most-used tags for the home page
    article_writer_finalized     Atom feeds, dated stories only            (feeds)
    finalized                    sitemap.xml from the build's ledger (+ robots.txt naming it)
"""

from __future__ import annotations

from typing import Any

from . import feeds, ordering, sitemap, structured
from . import settings as S
from .article_story import is_undated, paragraphs
from .build import Build
from .lists import PAGE_SIZES
from .sentences import lead_sentence

# Settings templates read directly (base.html links the feeds).
TEMPLATE_SETTINGS = ("NEWS_ARCHIVE_FEED_ATOM", "NEWS_ARCHIVE_TAG_FEED_ATOM", "NEWS_ARCHIVE_SEARCH_URL",
                     "NEWS_ARCHIVE_SHOW_ORIGIN")
# Jinja filters the theme uses to say what order a list is in and whether a feed has entries.
FILTERS = {"order_label": ordering.order_label, "dated_count": ordering.dated_count}
# How many tags the home page shows.
HOME_TAGS = 24


def apply_defaults(pelican: Any) -> None:
    """Put the documented defaults of template-facing settings into Pelican's settings."""
    for name in TEMPLATE_SETTINGS:
        pelican.settings.setdefault(name, S.DEFAULTS[name])
    pelican.settings.setdefault("JINJA_FILTERS", {})
    for name, function in FILTERS.items():
        pelican.settings["JINJA_FILTERS"].setdefault(name, function)
    for name, size in PAGE_SIZES.items():  # page sizes of the long lists (lists.py)
        pelican.settings["PAGINATED_TEMPLATES"].setdefault(name, size)


def honest_archives(generator: Any) -> None:
    """Year and month archives list dated stories only (an undated story's ``date`` is
    its archive time); a period left with no story gets no page.  Stories without an
    author lose Pelican's default ``AUTHOR`` instead of being credited to the site."""
    for granularity, periods in list(generator.period_archives.items()):
        kept = []
        for period in periods:
            period["dates"] = [a for a in period["dates"] if not is_undated(a)]
            period["articles"] = [a for a in period["articles"] if not is_undated(a)]
            if period["dates"]:
                kept.append(period)
        generator.period_archives[granularity] = kept

    default = generator.settings.get("AUTHOR")
    for article in generator.articles:
        if not article.metadata.get("authors") and not article.metadata.get("author"):
            article.authors = []
            if "author" in vars(article):
                del article.author  # Pelican's URL code expects no attribute, not None
    generator.authors[:] = [(a, arts) for a, arts in generator.authors
                            if a.name != default or any(art.authors for art in arts)]
    generator.context["authors"] = generator.authors

    for article in generator.articles:
        # A list shows the dek, or else the story's lead sentence (never nothing).
        article.lead = lead_sentence(paragraphs(article)) if not article.metadata.get("dek") else ""
    has_dated = any(not is_undated(a) for a in generator.articles)
    # The site feed is linked only when it has entries (it lists dated stories only).
    generator.context["site_feed"] = S.get(generator.settings, "NEWS_ARCHIVE_FEED_ATOM") if has_dated else ""
    structured.attach_json_ld(generator.articles, generator.settings)
    tags = generator.tags.items() if isinstance(generator.tags, dict) else generator.tags
    ranked = sorted(tags, key=lambda item: (-len(item[1]), item[0].name.casefold()))
    generator.context["top_tags"] = ranked[:HOME_TAGS]


def write_feeds(generator: Any, writer: Any) -> None:
    feeds.write_feeds(generator)


def write_sitemap(pelican: Any) -> None:
    """sitemap.xml from the build's ledger of written files, and robots.txt naming it."""
    build = Build.of(pelican.settings)
    sitemap.write_sitemap(pelican.settings, build.written if build is not None else ())
    sitemap.write_robots(pelican.settings)
