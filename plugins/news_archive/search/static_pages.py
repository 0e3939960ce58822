"""The search pages every build writes into ``output/``, and the static index beside them.

One search box, two engines.  Every page's search form submits to ``/search/`` (the
``NEWS_ARCHIVE_SEARCH_URL`` with a slash), and that path exists twice:

* as a file, ``output/search/index.html``, written here: on a plain static host it
  answers, and its script (``static-search.js``) searches the Pagefind index in the
  browser; ``output/search/help/index.html`` documents the query language;
* as a route of the search service (``search/service.py`` answers ``/search`` and
  ``/search/``, ``/search/help``), which takes the path before the static files are
  looked at wherever the service runs (``make serve``, the README's deployment).

So nothing about a host has to be configured: where the service runs it answers, with
the static page never reached; where only files are served, the static page answers.
"""

from __future__ import annotations

import logging
from typing import Any

from .. import settings as S
from ..build import Build
from . import static_index
from .facets import FACETS
from .indexer import newest_path
from .schema import article_documents

log = logging.getLogger(__name__)


def search_base(settings: dict[str, Any]) -> str | None:
    """The search path (``/search``) when it is a path on this site, else None."""
    base = (S.get(settings, "NEWS_ARCHIVE_SEARCH_URL") or "/search").rstrip("/")
    return base if base.startswith("/") and "//" not in base else None


# Facet counts need every filter chunk (Pagefind loads them all at once); above this
# many bytes the page loads them only when the reader asks for the filters.
EAGER_FACET_BYTES = 160 * 1024


def write_pages(generator: Any, writer: Any, stats: dict[str, Any] | None) -> None:
    """``search/index.html`` (the static engine's results page) and ``search/help/index.html``."""
    base = search_base(generator.settings)
    if base is None:
        return
    folder = base.strip("/")
    facet_bytes = int((stats or {}).get("filter_bytes") or 0)
    unavailable = (stats or {}).get("unavailable")  # the build's Pagefind failed and no earlier index is there
    data = {"engine": "static" if stats is not None and not unavailable else "none", "query": "", "filters": [],
            "facets": {}, "unavailable": unavailable or "",
            "notes": [], "facet_labels": {name: label for name, label, _ in FACETS},
            "facet_bytes": facet_bytes, "facets_eager": facet_bytes <= EAGER_FACET_BYTES,
            "bundles": int((stats or {}).get("bundles") or 1)}
    for template, save_as in (("search", f"{folder}/index.html"), ("search_help", f"{folder}/help/index.html")):
        writer.write_file(save_as, generator.get_template(template), generator.context,
                          relative_urls=generator.settings.get("RELATIVE_URLS", False),
                          url=save_as.removesuffix("index.html"), search=data, template_name=template)


def _language(settings: dict[str, Any]) -> str:
    """The site's language as Pagefind's stemmer names it ("en" of "en-GB")."""
    return (settings.get("DEFAULT_LANG") or "en").split("-")[0].lower()


PENDING = "_news_archive_static_index"  # the generator's attribute holding start_index's future
AHEAD = "_news_archive_static_bundle"  # the generator's attribute holding start_bundle's bundle


def start_bundle(generator: Any) -> None:
    """Begin the Pagefind bundle before the Whoosh index is updated (``static_index.start_bundle``):
    it reads only the documents, and the binary then works on the other core while the index
    and the related lists are made; :func:`start_index` takes it over."""
    settings = generator.settings
    if not S.get(settings, "NEWS_ARCHIVE_STATIC_SEARCH"):
        return
    language = _language(settings)
    setattr(generator, AHEAD, static_index.start_bundle(settings["OUTPUT_PATH"], S.work_dir(settings),
                                                        article_documents(generator), language,
                                                        S.get(settings, "NEWS_ARCHIVE_STATIC_BUNDLES"),
                                                        float(S.get(settings, "NEWS_ARCHIVE_PAGEFIND_SECONDS"))))


def start_index(generator: Any) -> None:
    """Begin the Pagefind index and spelling table of every article, from the same documents
    as the Whoosh index (never from the written HTML), once that index is written
    (``static_index.start``, taking over the bundle :func:`start_bundle` began);
    :func:`write_index` awaits it.  A build calls it from :func:`write_index` at ``finalized``,
    once every other page is written: its tables and digest are the main thread's work, and
    nothing but the search pages needs them.  Off: the earlier index is removed."""
    settings = generator.settings
    if not S.get(settings, "NEWS_ARCHIVE_STATIC_SEARCH"):
        setattr(generator, PENDING, None)
        if static_index.remove(settings["OUTPUT_PATH"], S.work_dir(settings)):
            log.info("news_archive: static search is off; the static index of an earlier build was removed")
        return
    docs = article_documents(generator)  # the Whoosh index's, when it was built in this build
    # The spelling table comes from this build's Whoosh generation, which is still pending
    # (not live) while pages are written.
    index_path = str(newest_path(settings)) if S.get(settings, "NEWS_ARCHIVE_SEARCH_INDEX") else None
    language = _language(settings)
    build = Build.of(settings)
    kept = build.kept("static-spelling") if build is not None else None
    ahead = getattr(generator, AHEAD, None)
    if ahead is not None:
        delattr(generator, AHEAD)
    setattr(generator, PENDING, static_index.start(settings["OUTPUT_PATH"], S.work_dir(settings), docs,
                                                   language, index_path, kept, ahead,
                                                   S.get(settings, "NEWS_ARCHIVE_STATIC_BUNDLES"),
                                                   float(S.get(settings, "NEWS_ARCHIVE_PAGEFIND_SECONDS"))))


def hold(generator: Any, writer: Any) -> None:
    """Keep the ArticlesGenerator and the writer for :func:`publish_held` (at ``finalized``):
    awaiting the static index here, when the article pages are written, held the entity and
    list pages up for as long as Pagefind was still writing (most of a watch cycle's lists
    wait).  Outside a build of the plugin (no ``Build``) the pages are written at once."""
    build = Build.of(generator.settings)
    if build is None:
        write_pages(generator, writer, write_index(generator))
    else:
        build.static_search = (generator, writer)


def publish_held(settings: dict[str, Any]) -> None:
    """The static index's stats once it is written, then the search pages (see :func:`hold`)."""
    build = Build.of(settings)
    if build is None or build.static_search is None:
        return
    generator, writer = build.static_search
    build.static_search = None
    write_pages(generator, writer, write_index(generator))


def write_index(generator: Any) -> dict[str, Any] | None:
    """The static index's stats once it is written (started by :func:`start_index`, or now
    if nothing started it); None when static search is off.

    A static index that could not be written (the Pagefind binary failed, hung or is
    missing) does not fail the build: the site is written with the index readers already
    have, the build report says static search is stale and why (:func:`failed`), and, as
    its state file still names the earlier inputs, the next build tries again."""
    settings = generator.settings
    try:
        if not hasattr(generator, PENDING):
            start_index(generator)
        pending = getattr(generator, PENDING)
        delattr(generator, PENDING)
        if pending is None:
            return None
        stats = pending.result()
    except Exception as exc:  # noqa: BLE001 - whatever went wrong becomes the report's entry
        return failed(settings, exc)
    log.info("news_archive: static search index %s", stats)
    note(settings, None)
    return stats


def failed(settings: dict[str, Any], exc: BaseException) -> dict[str, Any]:
    """The stats of the index readers are served instead of this build's (``live_stats``):
    ``stale`` when an earlier build's index is complete, else ``unavailable`` (the search
    page then says why); logged as a warning and written into the build report."""
    reason = str(exc) or type(exc).__name__
    live = static_index.live_stats(settings["OUTPUT_PATH"], S.work_dir(settings))
    status = "stale" if live is not None else "unavailable"
    log.warning("news_archive: static search is %s: the static index could not be written (%s); %s; "
                "the next build tries again", status, reason,
                "the site keeps the previous build's index" if live is not None else "the site has no static search")
    note(settings, {"status": status, "reason": reason, "retry": True})
    return live if live is not None else {"unavailable": reason}


def note(settings: dict[str, Any], entry: dict[str, Any] | None) -> None:
    """A static search problem as ``static_search`` in this build's report (the converter
    wrote the report at ``initialized``; ``python -m news_archive report`` shows it).  None:
    no problem, no key (a healthy build's report is the same bytes as before)."""
    from ..report import set_section

    set_section(S.report_path(settings), "static_search", entry)
