"""Pelican code replaced for this plugin's builds, each replacement pinned to Pelican 4.12.

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

:class:`AtomicWriter` keeps Pelican's writer but writes each page beside its file and
renames it over; its ``_open_w`` repeats Pelican 4.12's bookkeeping.

Each function here copies or replaces a Pelican function as Pelican 4.12.0 has it:
``OVERRIDDEN`` names them with a digest of their source, and a test fails when the
installed Pelican is another version or those sources changed (then re-read Pelican's
new code before moving the pin).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from itertools import groupby
from operator import attrgetter
from typing import Any

from pelican.generators import ArticlesGenerator
from pelican.writers import FileOverwriteFailedError, Writer

from .fileio import write_if_changed

log = logging.getLogger(__name__)

# The Pelican release whose code the functions below copy or replace.
PINNED_PELICAN = "4.12.0"
# Pelican's functions replaced or copied here → sha256 of their source (inspect.getsource)
# in PINNED_PELICAN; tests/test_pelican_pin.py recomputes them.
OVERRIDDEN = {
    # replaced on each ArticlesGenerator (install)
    "pelican.generators.ArticlesGenerator.generate_tags":
        "37f65d284c713dd4dcd8b823d248cff420e163ac4400a7f7cfc13a4779ad9afb",
    "pelican.generators.ArticlesGenerator.generate_categories":
        "cfb524524a3caae35717d53ba9cf85dfe271a0f677a3720f46f0367cf77b9a97",
    "pelican.generators.ArticlesGenerator.generate_authors":
        "982c57fcfcf0435e5c882255c00bb78be3945b0dc9c44ecd707c218d00cacd9d",
    "pelican.generators.ArticlesGenerator._build_period_archives":
        "c19e3024444c4c43b91c678d95652b51960e73fd307d749d2dc86c9f036104e9",
    # copied into AtomicWriter._open_w
    "pelican.writers.Writer._open_w": "69700ea0b4668663b0886011eee71e8b4ea9debd376fe2a2fe322c90ec5aee6d",
    # not replaced, but the skipping writer relies on how it calls render() and _open_w()
    "pelican.writers.Writer.write_file": "6a604ad67bbeec997e58ef69a393930c22cf3178a760fdc21d2c42f1871da373",
}


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




class AtomicWriter(Writer):
    """Pelican's writer, except that each page is written beside its file and renamed over
    it (never truncated in place: the web server or a reader of ``output/`` never sees half
    a page, and a build killed mid-write leaves the old page), and only if its bytes
    changed (reading and comparing costs a fraction of rewriting, and an identical page
    keeps its modification time)."""

    def _open_w(self, filename: str, encoding: str, override: bool = False) -> Any:
        """Pelican's bookkeeping (one write per path unless overridden, as in Pelican 4.12),
        then :meth:`_open_page`."""
        if filename in self._overridden_files:
            if override:
                raise FileOverwriteFailedError(f'Failed to overwrite "{filename}" a second time '
                                               "(was previously overwritten)")
            log.info('Skipping "%s", not overwriting', filename)
            self._skipped(filename)
            return _Discard()
        if filename in self._written_files:
            if not override:
                raise FileOverwriteFailedError(f'Failed to overwrite "{filename}" as Pelican has already '
                                               "written to it previously (set `override=True` if intended)")
            log.info('Overwriting "%s"', filename)
        if override:
            self._overridden_files.add(filename)
        self._written_files.add(filename)
        return self._open_page(filename, encoding)

    def _skipped(self, filename: str) -> None:
        """A write Pelican's rules skip (overridden before)."""

    def _open_page(self, filename: str, encoding: str) -> Any:
        return _WriteIfChanged(filename, encoding)


class _WriteIfChanged:
    """Collects a page and, on close, writes it beside the file and renames it over, unless the
    file already holds it (``fileio.write_if_changed``)."""

    def __init__(self, path: str, encoding: str) -> None:
        self.path = path
        self.encoding = encoding
        self.parts: list[str] = []

    def __enter__(self) -> _WriteIfChanged:
        return self

    def write(self, text: str) -> int:
        self.parts.append(text)
        return len(text)

    def __exit__(self, *exc: object) -> None:
        if exc[0] is not None:
            return
        write_if_changed(self.path, "".join(self.parts).encode(self.encoding))


class _Discard:
    """What an unchanged page is "written" to: nothing (not even /dev/null, opened 10,000 times)."""

    def __enter__(self) -> _Discard:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def write(self, text: str) -> int:
        return len(text)


def forget_memoized_content() -> int:
    """Empty Pelican's ``memoized`` method caches on ``Content`` (``get_content``,
    ``get_summary``); returns how many entries were dropped.

    They are class-level dictionaries keyed by the article object, so in a process that
    runs build after build (``make watch``) they keep every article of every earlier
    build alive, and through each article its settings, the build object and all it
    holds: at 20,000 stories the watcher's peak grew from 5.6 to 6.9 GiB and each cycle's
    garbage collections walked the dead builds too.  A one-shot build ends with its
    process, so only the watcher calls this, after each cycle."""
    from pelican.contents import Content
    from pelican.utils import memoized

    dropped = 0
    for value in vars(Content).values():
        if isinstance(value, memoized):
            dropped += len(value.cache)
            value.cache.clear()
    return dropped
