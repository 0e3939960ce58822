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

from jinja2 import pass_context

from . import feeds, ordering, sitemap, structured
from . import settings as S
from .article_story import is_undated, paragraphs
from .build import Build
from .lists import PAGE_SIZES
from .sentences import lead_sentence

# Settings templates read directly (base.html links the feeds).
TEMPLATE_SETTINGS = ("NEWS_ARCHIVE_FEED_ATOM", "NEWS_ARCHIVE_TAG_FEED_ATOM", "NEWS_ARCHIVE_SEARCH_URL",
                     "NEWS_ARCHIVE_SHOW_ORIGIN")


def _list_facts(context: Any, articles: Any) -> tuple[frozenset[bool], int]:
    """A story list's :func:`ordering.date_flags` and :func:`ordering.dated_count`, worked
    out once per list per build.  Every page of a paginated list asks about the whole
    list (the home page: "2,000 stories, newest first"), so without this the home
    pagination walked every story once per page, ~1,000 × 20,000 at 20,000 stories.
    Kept on the build (``Build.list_facts``, keyed by the list's identity, the list held so
    its id is not reused) with a copy of its items as they were: a list changed in place
    since (an item replaced, the same length or not) is worked out again.  Comparing the
    copy is C-speed and stops at the first item that is not the one it was (stories
    compare by identity), so it costs a tiny fraction of the walk it saves.  A list outside
    a build, or not a list, is simply walked."""
    build = Build.of(context) if isinstance(articles, (list, tuple)) else None
    if build is None:
        return ordering.date_flags(articles), ordering.dated_count(articles)
    hit = build.list_facts.get(id(articles))
    if hit is None or hit[0] is not articles or hit[1] != articles:
        facts = (ordering.date_flags(articles), ordering.dated_count(articles))
        hit = build.list_facts[id(articles)] = (articles, articles[:], facts)
    return hit[2]


@pass_context
def order_label(context: Any, articles: Any, page: Any = None) -> str:
    """The ``order_label`` filter: :func:`ordering.order_label`, the whole list's part once."""
    return ordering.order_label(articles, page, flags=_list_facts(context, articles)[0])


@pass_context
def dated_count(context: Any, articles: Any) -> int:
    """The ``dated_count`` filter: :func:`ordering.dated_count`, once per list per build."""
    return _list_facts(context, articles)[1]


# Jinja filters the theme uses to say what order a list is in and whether a feed has entries.
FILTERS = {"order_label": order_label, "dated_count": dated_count}
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
