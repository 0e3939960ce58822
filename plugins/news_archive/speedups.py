"""Pelican-level performance: no per-term scans of the whole archive, and a timing log.

Pelican's ``ArticlesGenerator`` builds the ``dates`` list of every tag, category and
author page as ``[a for a in self.dates if a in articles]``: a list-membership test
per article per term, O(articles × articles-per-term) for each term, so the build
time grows with the square of the archive (20,000 articles × 8 tags each is over
three billion comparisons).  Its period archives do the same per year/month/day.
Here each generator instance gets replacements that order a term's own list by
each article's position in ``dates`` (one dictionary built once): O(articles) in
all.  The replacements write exactly the pages Pelican would, with the same lists
in the same order (tests/test_speedups.py checks this against Pelican's own code).

Only generators of a Pelican run that loads this plugin are changed (the methods
are bound on the instance at ``article_generator_init``), never Pelican's class.

Pelican's content cache goes under the work directory (``<work>/pelican-cache``)
unless ``CACHE_PATH`` is set to something other than Pelican's default.

Pelican never deletes an output page whose article is gone (it only ever adds and
rewrites), so a removed dump would keep its page, and links to it, forever.  The
list of pages each build wrote is kept in ``<work>/written-pages.txt``; pages the
previous build wrote and this one did not are deleted at the end (only those: files
anybody else put in the output folder are never touched).

The timing log, ``<work>/build-timings.json``, splits one build into its phases
(convert, Pelican read, other contexts, search index, writing by template) from
signal timestamps; ``bench/build.py`` reads it.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections import Counter, defaultdict
from itertools import groupby
from operator import attrgetter
from typing import Any

from pelican import signals
from pelican.generators import ArticlesGenerator
from pelican.writers import FileOverwriteFailedError

from . import settings as S

log = logging.getLogger(__name__)

TIMINGS_FILE = "build-timings.json"
WRITTEN_FILE = "written-pages.txt"
PELICAN_DEFAULT_CACHE_PATH = "cache"


# --- O(articles) taxonomy pages -------------------------------------------------------


def _in_dates_order(dates: list[Any], position: dict[int, int], articles: list[Any]) -> list[Any]:
    """``[a for a in dates if a in articles]`` without the scan: sort by position."""
    return sorted(articles, key=lambda a: position[id(a)])


def _positions(generator: ArticlesGenerator) -> dict[int, int]:
    return {id(a): i for i, a in enumerate(generator.dates)}


def _write_terms(generator: ArticlesGenerator, write: Any, kind: str, terms: Any) -> None:
    """Write one page per tag/category/author from its own article list.

    ``kind`` is the template name and the context key Pelican uses ("tag",
    "category", "author"); the error handling matches Pelican's.
    """
    template = generator.get_template(kind)
    position = _positions(generator)
    for term, articles in terms:
        dates = _in_dates_order(generator.dates, position, articles)
        try:
            write(
                term.save_as,
                template,
                generator.context,
                url=term.url,
                articles=articles,
                dates=dates,
                template_name=kind,
                blog=True,
                page_name=term.page_name,
                all_articles=generator.articles,
                **{kind: term},
            )
        except FileOverwriteFailedError:
            if not term.slug:
                log.info('%s "%s" has an invalid slug; skipping its page', kind.title(), term)
                continue
            log.error('Failed to write %s page for "%s".', kind.title(), term)
            raise


def generate_tags(self: ArticlesGenerator, write: Any) -> None:
    """Tag pages, each built from its own list (Pelican's scans every article per tag)."""
    _write_terms(self, write, "tag", self.tags.items())


def generate_categories(self: ArticlesGenerator, write: Any) -> None:
    """Category pages, each built from its own list."""
    _write_terms(self, write, "category", self.categories)


def generate_authors(self: ArticlesGenerator, write: Any) -> None:
    """Author pages, each built from its own list."""
    _write_terms(self, write, "author", self.authors)


def build_period_archives(
    self: ArticlesGenerator, sorted_articles: list[Any], articles: list[Any], settings: dict[str, Any]
) -> dict[str, list[dict[str, Any]]]:
    """Year/month/day archives in one pass per granularity.

    Pelican's version filters the whole archive once per period
    (``[a for a in articles if a in dates]``); here each period's ``articles`` list
    (the periods' articles in ``articles`` order) comes from grouping once.
    """
    import calendar

    period_archives: dict[str, list[dict[str, Any]]] = defaultdict(list)
    key_funcs = {
        "year": attrgetter("date.year"),
        "month": attrgetter("date.year", "date.month"),
        "day": attrgetter("date.year", "date.month", "date.day"),
    }
    for granularity, key_func in key_funcs.items():
        save_as_fmt = settings[f"{granularity.upper()}_ARCHIVE_SAVE_AS"]
        url_fmt = settings[f"{granularity.upper()}_ARCHIVE_URL"]
        if not save_as_fmt:
            continue
        # Articles of each period in `articles` order, keyed by the period of each one.
        # groupby below splits runs of `sorted_articles`; a period can only form more than
        # one run if sorted_articles is not sorted by date, exactly as in Pelican.
        in_order: dict[Any, list[Any]] = defaultdict(list)
        for article in articles:
            in_order[key_func(article)].append(article)
        for period, group in groupby(sorted_articles, key=key_func):
            dates = list(group)
            ids = {id(a) for a in dates}
            own = in_order[period]
            archive: dict[str, Any] = {
                "dates": dates,
                "articles": own if len(own) == len(dates) else [a for a in own if id(a) in ids],
            }
            first = dates[0].date
            archive["save_as"] = save_as_fmt.format(date=first)
            archive["url"] = url_fmt.format(date=first)
            if granularity == "year":
                archive["period"] = (period,)
                archive["period_num"] = (period,)
            else:
                month_name = calendar.month_name[period[1]]
                if granularity == "month":
                    archive["period"] = (period[0], month_name)
                else:
                    archive["period"] = (period[0], month_name, period[2])
                archive["period_num"] = tuple(period)
            period_archives[granularity].append(archive)
    return period_archives


def install(generator: Any) -> None:
    """Bind the O(articles) taxonomy methods on this ArticlesGenerator instance."""
    if not isinstance(generator, ArticlesGenerator):
        return
    generator.generate_tags = generate_tags.__get__(generator)  # type: ignore[method-assign]
    generator.generate_categories = generate_categories.__get__(generator)  # type: ignore[method-assign]
    generator.generate_authors = generate_authors.__get__(generator)  # type: ignore[method-assign]
    generator._build_period_archives = build_period_archives.__get__(generator)  # type: ignore[method-assign]


# --- content cache location ------------------------------------------------------------


def place_cache(pelican: Any) -> None:
    """Keep Pelican's content cache with our other caches, in the work directory."""
    settings = pelican.settings
    if settings.get("CACHE_PATH") in (PELICAN_DEFAULT_CACHE_PATH, None):
        settings["CACHE_PATH"] = os.path.join(S.work_dir(settings), "pelican-cache")


# --- timing log ------------------------------------------------------------------------


class Timings:
    """Signal timestamps of one build, and where the writing time went by template."""

    def __init__(self) -> None:
        self.marks: dict[str, float] = {}
        self.write_seconds: dict[str, float] = defaultdict(float)
        self.pages: Counter[str] = Counter()
        self.last = 0.0
        self.paths: set[str] = set()

    def mark(self, name: str) -> None:
        now = time.perf_counter()
        self.marks.setdefault(name, now)
        self.last = now

    def written(self, context: dict[str, Any]) -> None:
        now = time.perf_counter()
        kind = context.get("template_name") or ("article" if "article" in context else "page")
        self.write_seconds[kind] += now - self.last
        self.pages[kind] += 1
        self.last = now

    def phases(self) -> dict[str, float]:
        m = self.marks
        spans = {
            "convert": ("initialized", "article_generator_init"),
            "pelican_read": ("article_generator_init", "article_generator_finalized"),
            "other_contexts": ("article_generator_finalized", "all_generators_finalized"),
            "search_index": ("all_generators_finalized", "get_writer"),
            "render_write": ("get_writer", "finalized"),
            "plugin_total": ("initialized", "finalized"),
        }
        return {k: round(m[b] - m[a], 3) for k, (a, b) in spans.items() if a in m and b in m}

    def to_json(self) -> dict[str, Any]:
        return {
            "phases": self.phases(),
            "render_write_by_template": {k: round(v, 3) for k, v in sorted(self.write_seconds.items())},
            "pages_by_template": dict(sorted(self.pages.items())),
        }


TIMINGS = Timings()


def on_initialized(pelican: Any) -> None:
    global TIMINGS
    TIMINGS = Timings()
    TIMINGS.mark("initialized")
    place_cache(pelican)


def on_article_generator_init(generator: Any) -> None:
    TIMINGS.mark("article_generator_init")
    install(generator)


def on_article_generator_finalized(generator: Any) -> None:
    TIMINGS.mark("article_generator_finalized")


def on_all_generators_finalized(generators: list[Any]) -> None:
    TIMINGS.mark("all_generators_finalized")


def on_get_writer(pelican: Any) -> None:
    """A timestamp only: returns no writer class, so Pelican's choice is unchanged."""
    TIMINGS.mark("get_writer")


def on_content_written(path: str, context: dict[str, Any] | None = None) -> None:
    TIMINGS.written(context or {})
    TIMINGS.paths.add(os.path.abspath(path))


def prune_stale(output: str, work: str, written: set[str]) -> list[str]:
    """Delete pages the previous build wrote and this one did not; returns them.

    Paths are kept relative to the output folder, so moving the site does not
    delete anything; a path outside it is never touched.
    """
    output = os.path.abspath(output)
    record = os.path.join(work, WRITTEN_FILE)
    now = sorted(os.path.relpath(p, output) for p in written if p.startswith(output + os.sep))
    removed: list[str] = []
    try:
        with open(record, encoding="utf-8") as fh:
            before = [line.rstrip("\n") for line in fh if line.strip()]
    except OSError:
        before = []
    keep = set(now)
    for rel in before:
        if rel in keep or rel.startswith("..") or os.path.isabs(rel):
            continue
        path = os.path.join(output, rel)
        if os.path.isfile(path):
            os.unlink(path)
            removed.append(rel)
            parent = os.path.dirname(path)
            while parent != output and not os.listdir(parent):
                os.rmdir(parent)
                parent = os.path.dirname(parent)
    tmp = record + ".tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.writelines(f"{rel}\n" for rel in now)
    os.replace(tmp, record)
    if removed:
        log.info("news_archive: removed %d stale pages", len(removed))
    return removed


def on_finalized(pelican: Any) -> None:
    TIMINGS.mark("finalized")
    work = S.work_dir(pelican.settings)
    os.makedirs(work, exist_ok=True)
    prune_stale(pelican.output_path, work, TIMINGS.paths)
    path = os.path.join(work, TIMINGS_FILE)
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(TIMINGS.to_json(), fh, indent=1)
    os.replace(tmp, path)


def register() -> None:
    """Connect first, so the timestamps bracket the plugin's own receivers."""
    signals.initialized.connect(on_initialized)
    signals.article_generator_init.connect(on_article_generator_init)
    signals.article_generator_finalized.connect(on_article_generator_finalized)
    signals.all_generators_finalized.connect(on_all_generators_finalized)
    signals.get_writer.connect(on_get_writer)
    signals.content_written.connect(on_content_written)
    signals.finalized.connect(on_finalized)
