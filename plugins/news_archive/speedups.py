"""The receivers of the Pelican-level performance work (see ``pelican_overrides``,
``skipping_writer`` and ``ledger``): the taxonomy replacements bound on each
ArticlesGenerator, the writer chosen, the timing marks, and the ledger's pruning.

Each receiver finds this build's state (``build.Build``) in the settings it is given.
"""

from __future__ import annotations

import atexit
import gc
import json
import os
from typing import Any

from pelican.writers import Writer

from . import settings as S
from .build import Build
from .fileio import write_atomic
from .ledger import TIMINGS_FILE, place_cache, prune_stale
from .pelican_overrides import AtomicWriter, install
from .skipping_writer import SkippingWriter

# The cyclic collector's youngest-generation threshold during a build (Python's default is
# 700).  A build makes millions of objects that live until its end (stories, articles,
# contexts, digests), so with the default the collector's full collections walked them again
# and again: 13 full collections, 2.6-3.8 of 13 CPU-s, in a warm 2,000-story build.  At most
# this many new container objects wait for a collection, so what it may hold back is bounded
# (tens of MB).  The watcher runs its cycles with it too (``watch.CYCLE_GC_THRESHOLD``).
BUILD_GC_THRESHOLD = 100_000


def on_initialized(pelican: Any) -> None:
    """A new build: its state object, its first timestamp, Pelican's cache in the work folder,
    and the collector's threshold raised for the build (:func:`restore_gc`)."""
    build = Build.start(pelican.settings)
    build.timings.mark("initialized")
    # Once per process, however many builds it runs (unregister first: never twice).
    atexit.unregister(freeze_at_exit)
    atexit.register(freeze_at_exit)
    thresholds = gc.get_threshold()
    if thresholds[0] < BUILD_GC_THRESHOLD:
        build.gc_thresholds = thresholds
        gc.set_threshold(BUILD_GC_THRESHOLD, *thresholds[1:])
    place_cache(pelican)


def freeze_at_exit() -> None:
    """At interpreter exit, every object tracked so far moved out of the collector's reach.

    Python's shutdown runs full collections while it tears the modules down, and each walks
    everything a build left alive: 1.1 of 12.5 CPU-s of a warm 2,000-story ``make html``
    went after the last line of the build, ~0.03 with this.  Nothing at exit needs them
    collected (every file the build writes is closed by its writer; logging flushes at
    exit by itself), and a process that goes on building (``--autoreload``, the tests,
    ``news-archive watch``) is not affected: this runs only when it ends."""
    gc.freeze()


def restore_gc(pelican: Any) -> None:
    """The collector's threshold as it was before the build (the process outlives a build
    under ``pelican --autoreload`` and in the tests)."""
    build = Build.of(pelican.settings)
    if build is not None and build.gc_thresholds is not None:
        gc.set_threshold(*build.gc_thresholds)
        build.gc_thresholds = None


def _mark(settings: dict[str, Any] | None, name: str) -> None:
    build = Build.of(settings)
    if build is not None:
        build.timings.mark(name)


def on_article_generator_init(generator: Any) -> None:
    _mark(generator.settings, "article_generator_init")
    install(generator)


def on_article_generator_finalized(generator: Any) -> None:
    _mark(generator.settings, "article_generator_finalized")


def on_all_generators_finalized(generators: list[Any]) -> None:
    _mark(generators[0].settings if generators else None, "all_generators_finalized")


def on_get_writer(pelican: Any) -> type[Writer]:
    """The writer that skips unchanged pages (NEWS_ARCHIVE_SKIP_UNCHANGED_PAGES), else one
    that still writes every page atomically."""
    _mark(pelican.settings, "get_writer")
    if S.get(pelican.settings, "NEWS_ARCHIVE_SKIP_UNCHANGED_PAGES"):
        return SkippingWriter
    return AtomicWriter


def on_content_written(path: str, context: dict[str, Any] | None = None) -> None:
    """Each written file goes into the build's ledger (the context is a copy of the settings)."""
    build = Build.of(context)
    if build is not None:
        build.timings.written(context or {})
        build.written.add(os.path.abspath(path))


def remove_stale_pages(pelican: Any) -> None:
    """Receiver of ``finalized``, connected after the search index is published: a page is
    deleted only once the live index no longer lists it."""
    build = Build.of(pelican.settings)
    if build is None:
        return
    work = S.work_dir(pelican.settings)
    os.makedirs(work, exist_ok=True)
    prune_stale(pelican.output_path, work, build.written)


def on_finalized(pelican: Any) -> None:
    build = Build.of(pelican.settings)
    if build is None:
        return
    timings = build.timings
    timings.mark("finalized")
    work = S.work_dir(pelican.settings)
    os.makedirs(work, exist_ok=True)
    memo = build.render_memo
    if memo is not None:
        memo.save()
        timings.skipped = memo.skipped
        timings.replayed = memo.replayed
        timings.groups_replayed = memo.groups_replayed
        timings.digest_seconds = memo.seconds
        timings.rendered = dict(memo.rendered)
        build.render_memo = None
    path = os.path.join(work, TIMINGS_FILE)
    write_atomic(path, json.dumps(timings.to_json(), indent=1))
