"""news_archive: raw news dumps → a browsable, searchable Pelican site.

The whole pipeline, in the order Pelican runs it::

    initialized            the build lock, stale temporary files removed (buildlock);
                           Pelican confined to content/, slugs bounded (confine, slugs);
                           dumps → Story → enrich → Markdown pages   (convert.convert_all)
    get_generators         + EntityGenerator: one page per entity    (taxonomy)
                           + ListsGenerator: section fronts, archives, A–Z (lists)
    all_generators_finalized  Whoosh index of every article, built as a pending
                           generation; related articles attached to pages (search.indexer)
    article_writer_finalized  the search pages, and the static search index
                           (Pagefind + spelling table) for static hosts (search.static_pages)
    (pages written, each written beside and renamed)                 (speedups)
    finalized              the pending index goes live, then stale pages are deleted;
                           the build lock is released                (search.indexer, speedups)
    + the reader-facing site: honest archives, JSON-LD, feeds, sitemap (site)
"""

from __future__ import annotations

import logging
from typing import Any

from pelican import signals

from . import site

__version__ = "0.1.0"

log = logging.getLogger(__name__)


def convert_dumps(pelican: Any) -> None:
    """Turn every dump into a Markdown page before Pelican reads the content."""
    from .convert import convert_all

    convert_all(pelican.settings)


def add_generators(pelican: Any) -> Any:
    """Entity pages, then the long lists (section fronts, archives, lettered indexes) that
    read them, are written by generators of our own."""
    from .lists import ListsGenerator
    from .taxonomy import EntityGenerator

    return [EntityGenerator, ListsGenerator]


def index_articles(generators: list[Any]) -> None:
    """Index every article for search and attach related articles before pages are written."""
    from pelican.generators import ArticlesGenerator

    from . import settings as S
    from .search.indexer import update_index

    for gen in generators:
        if isinstance(gen, ArticlesGenerator) and S.get(gen.settings, "NEWS_ARCHIVE_SEARCH_INDEX"):
            update_index(gen.settings, gen.articles, full=bool(gen.settings.get("NEWS_ARCHIVE_FULL_REINDEX")))


def publish_static_search(generator: Any, writer: Any) -> None:
    """search/index.html and search/help/ for every host, and the browser's own index."""
    from .search import static_pages

    stats = static_pages.write_index(generator)
    static_pages.write_pages(generator, writer, stats)


def publish_index(pelican: Any) -> None:
    """The pages the pending index generation lists now exist: make it live."""
    from . import settings as S
    from .search.indexer import publish_index as publish

    if S.get(pelican.settings, "NEWS_ARCHIVE_SEARCH_INDEX"):
        publish(pelican.settings)


def register() -> None:
    from . import buildlock, confine, slugs, speedups

    # Before anything reads or writes the work folder: one build at a time (buildlock.py).
    signals.initialized.connect(buildlock.on_start)
    signals.get_generators.connect(buildlock.on_start)
    speedups.register()  # first: O(articles) taxonomy pages; its timestamps bracket the rest
    signals.initialized.connect(confine.on_initialized)  # nothing from outside content/ is read
    signals.initialized.connect(slugs.on_initialized)  # every page slug fits in a file name
    signals.article_generator_context.connect(slugs.rebind)  # even for metadata from Pelican's cache
    signals.page_generator_context.connect(slugs.rebind)
    signals.initialized.connect(convert_dumps)
    signals.get_generators.connect(add_generators)
    signals.all_generators_finalized.connect(index_articles)
    signals.article_writer_finalized.connect(publish_static_search)
    # Every page is written: the new index generation goes live, and only then are the pages
    # it no longer lists deleted (a search never points at a page that is not there).
    signals.finalized.connect(publish_index)
    site.connect()
    signals.finalized.connect(speedups.remove_stale_pages)
    signals.finalized.connect(buildlock.on_finalized)  # last: the build is done
