"""news_archive: raw news dumps → a browsable, searchable Pelican site.

The whole pipeline is :func:`pipeline`: every signal this plugin listens to, with its
receivers in the order Pelican calls them (a signal calls its receivers in the order
they were connected; the signals come in the order Pelican sends them)::

    initialized            the build lock (buildlock); this build's state object, first
                           timestamp, Pelican's cache in the work folder (speedups, build);
                           Pelican confined to content/, slugs bounded (confine, slugs);
                           dumps → Story → enrich → Markdown pages, and the build report
                           (convert.convert_all); template-facing defaults (site)
    get_generators         the build lock again, for each --autoreload rebuild (buildlock);
                           + EntityGenerator: one page per entity    (taxonomy)
                           + ListsGenerator: section fronts, archives, A–Z (lists)
    article_generator_init the O(articles) taxonomy pages bound on the generator (speedups)
    content_object_init    each article gets its Story, by Content_hash (article_story)
    article_generator_context / page_generator_context
                           slugs bounded even for metadata from Pelican's cache (slugs)
    article_generator_finalized  timestamp; undated stories out of the archives, no invented
                           author, JSON-LD, top tags (site)
    all_generators_finalized  timestamp; the Pagefind bundle begun on the other core
                           (search.static_pages); Whoosh index of every article, built as a
                           pending generation; related articles attached to pages; the
                           article pages it waits for written first (search.indexer); the
                           list pages moved before the entity pages
    get_writer             the writer that skips unchanged pages (speedups, skipping_writer)
    content_written        each file written → the build's ledger (speedups, ledger); the
                           last new article page written: the pending index goes live
                           (search.indexer)
    article_writer_finalized  every article page is written: the pending index goes live
                           if it has not (search.indexer); the search pages held for finalized
                           (search.static_pages); Atom feeds (site, feeds)
    finalized              the static search tables made from the index, the bundle
                           taken over and awaited, the search pages (search.static_pages);
                           the timing log and the render memo
                           (speedups); sitemap.xml (site);
                           stale feeds, then stale pages, deleted (feeds, speedups); the build
                           lock released

Nothing runs at ``finalized`` for the build report: the converter writes it at
``initialized``, and ``make html`` prints it afterwards (``python -m news_archive report``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from pelican import signals

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
    from .search.indexer import fresh_pages_first, update_index
    from .search.schema import article_documents

    for gen in generators:
        if isinstance(gen, ArticlesGenerator) and S.get(gen.settings, "NEWS_ARCHIVE_SEARCH_INDEX"):
            update_index(gen.settings, gen.articles, full=bool(gen.settings.get("NEWS_ARCHIVE_FULL_REINDEX")),
                         documents=article_documents(gen))  # the static index reads the same documents
            fresh_pages_first(gen, generators)  # what shows something new first, the other article pages last


def begin_static_bundle(generators: list[Any]) -> None:
    """The browser's Pagefind bundle begun from the articles' documents alone, before they
    are indexed: the binary works on the other core while the Whoosh index and the related
    lists are made, and on through the article, entity and list pages (taken over at
    ``finalized``: publish_static_search)."""
    from pelican.generators import ArticlesGenerator

    from .search import static_pages

    for gen in generators:
        if isinstance(gen, ArticlesGenerator):
            static_pages.start_bundle(gen)


def lists_before_entity_pages(generators: list[Any]) -> None:
    """The section fronts, home pages, archives and A–Z indexes written before the entity pages.

    Their contexts are made in the order the generators come (the lists read the entity
    generator's context), but writing reads only those contexts, so the order pages are
    written in does not show in them.  Pelican writes in the order of this very list (it
    sends it to ``all_generators_finalized`` and then loops over it): moved up here, a new
    story's section front is not held back by the ~10,000 entity pages of a 2,000-story
    archive (3-6.5 s of a watch cycle), which are written after it, as before."""
    from .lists import ListsGenerator
    from .taxonomy import EntityGenerator

    at = {type(g): i for i, g in enumerate(generators)}
    lists, entities = at.get(ListsGenerator), at.get(EntityGenerator)
    if lists is not None and entities is not None and entities < lists:
        generators.insert(entities, generators.pop(lists))


def search_page_written(path: str, context: Any = None) -> None:
    """The pending index generation goes live as soon as the last article page it waits for
    is written (search.indexer.page_written)."""
    from .search.indexer import page_written

    page_written(path, context)


def hold_static_search(generator: Any, writer: Any) -> None:
    """The article pages are written: what the search pages are written with is kept for
    :func:`publish_static_search`, so the entity and list pages are not held up by Pagefind."""
    from .search import static_pages

    static_pages.hold(generator, writer)


def publish_static_search(pelican: Any) -> None:
    """search/index.html and search/help/ for every host, and the browser's own index, once
    every other page is written.  The Pagefind binary has been writing the bundle on the
    other core since ``all_generators_finalized``; the spelling, facet and order tables and
    the digest (pure Python: 0.35 s of a 2,000-story watch cycle, more under load) are made only now
    (static_pages.write_index): made before the article pages, they held back every page
    and list of a new story, and search, by that long."""
    from .search import static_pages

    static_pages.publish_held(pelican.settings)


def publish_index(generator: Any, writer: Any) -> None:
    """The pages the pending index generation lists now exist: make it live.

    A search result links to an article page and to nothing else a build writes (its facet,
    sort and paging links are searches), and the ArticlesGenerator has written every article
    page when it sends ``article_writer_finalized``, before the entity and list generators
    and before the static index is awaited: a new story is found seconds sooner than at
    ``finalized`` (a watch cycle's whole second half).  Stale pages are still deleted only
    at ``finalized``, after this."""
    from . import settings as S
    from .search.indexer import publish_index as publish

    if S.get(generator.settings, "NEWS_ARCHIVE_SEARCH_INDEX"):
        publish(generator.settings)


def pipeline() -> list[tuple[str, Callable[..., Any]]]:
    """(signal name, receiver), in order: the plugin's one table of what runs when.

    Every receiver is a module-level function (Pelican's signals hold weak references)."""
    from . import article_story, buildlock, confine, feeds, site, slugs, speedups

    return [
        # Before anything reads or writes the work folder: one build at a time.
        ("initialized", buildlock.on_start),
        # The Build (build.py) every later receiver finds in the settings; its first timestamp.
        ("initialized", speedups.on_initialized),
        ("initialized", confine.on_initialized),  # nothing from outside content/ is read
        ("initialized", slugs.on_initialized),  # every page slug fits in a file name
        ("initialized", convert_dumps),
        ("initialized", site.apply_defaults),
        ("get_generators", buildlock.on_start),
        ("get_generators", add_generators),
        ("article_generator_init", speedups.on_article_generator_init),
        # Each article made (or page, or static file): its Story, by Content_hash, from the build.
        ("content_object_init", article_story.attach),
        ("article_generator_context", slugs.rebind),  # even for metadata from Pelican's cache
        ("page_generator_context", slugs.rebind),
        ("article_generator_finalized", speedups.on_article_generator_finalized),
        ("article_generator_finalized", site.honest_archives),
        ("all_generators_finalized", speedups.on_all_generators_finalized),
        ("all_generators_finalized", begin_static_bundle),  # needs only the documents
        ("all_generators_finalized", index_articles),
        ("all_generators_finalized", lists_before_entity_pages),  # the order pages are written in
        ("get_writer", speedups.on_get_writer),
        ("content_written", speedups.on_content_written),
        ("content_written", search_page_written),  # after it: the page is in the ledger
        # Every article page is written: the new index generation goes live (a search never
        # points at a page that is not there); the pages it no longer lists are deleted at
        # finalized, after it.
        ("article_writer_finalized", publish_index),
        ("article_writer_finalized", hold_static_search),
        ("article_writer_finalized", site.write_feeds),
        # The static index awaited, the search pages written: the last pages, before the
        # render phase ends and the render memo is saved.
        ("finalized", publish_static_search),
        ("finalized", speedups.on_finalized),  # its timestamp ends the render phase
        ("finalized", site.write_sitemap),
        ("finalized", feeds.finish_build),
        ("finalized", speedups.remove_stale_pages),
        ("finalized", speedups.restore_gc),  # the collector as it was before the build
        ("finalized", buildlock.on_finalized),  # last: the build is done
    ]


def register() -> None:
    """Connect :func:`pipeline`, in order."""
    for name, receiver in pipeline():
        getattr(signals, name).connect(receiver)
