"""news_archive: raw news dumps → a browsable, searchable Pelican site.

The whole pipeline, in the order Pelican runs it::

    initialized            Pelican confined to content/, slugs bounded (confine, slugs);
                           dumps → Story → enrich → Markdown pages   (convert.convert_all)
    get_generators         + EntityGenerator: one page per entity    (taxonomy)
    all_generators_finalized  Whoosh index of every article, swapped in atomically,
                           and related articles attached to pages    (search.indexer)
    finalized              build report summary                      (report)
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
    """Entity pages are written by a generator of our own."""
    from .taxonomy import EntityGenerator

    return EntityGenerator


def index_articles(generators: list[Any]) -> None:
    """Index every article for search and attach related articles before pages are written."""
    from pelican.generators import ArticlesGenerator

    from . import settings as S
    from .search.indexer import update_index

    for gen in generators:
        if isinstance(gen, ArticlesGenerator) and S.get(gen.settings, "NEWS_ARCHIVE_SEARCH_INDEX"):
            update_index(gen.settings, gen.articles, full=bool(gen.settings.get("NEWS_ARCHIVE_FULL_REINDEX")))


def register() -> None:
    from . import confine, slugs, speedups

    speedups.register()  # first: O(articles) taxonomy pages; its timestamps bracket the rest
    signals.initialized.connect(confine.on_initialized)  # nothing from outside content/ is read
    signals.initialized.connect(slugs.on_initialized)  # every page slug fits in a file name
    signals.article_generator_context.connect(slugs.rebind)  # even for metadata from Pelican's cache
    signals.page_generator_context.connect(slugs.rebind)
    signals.initialized.connect(convert_dumps)
    signals.get_generators.connect(add_generators)
    signals.all_generators_finalized.connect(index_articles)
    site.connect()
