"""The receivers of the Pelican-level performance work (see ``pelican_overrides``,
``skipping_writer`` and ``ledger``): the taxonomy replacements bound on each
ArticlesGenerator, the writer chosen, the timing marks, and the ledger's pruning.
"""

from __future__ import annotations

import json
import os
from typing import Any

from pelican import signals
from pelican.writers import Writer

from . import settings as S
from . import skipping_writer
from .fileio import write_atomic
from .ledger import TIMINGS_FILE, Timings, place_cache, prune_stale
from .pelican_overrides import AtomicWriter, install
from .skipping_writer import SkippingWriter

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


def on_get_writer(pelican: Any) -> type[Writer]:
    """The writer that skips unchanged pages (NEWS_ARCHIVE_SKIP_UNCHANGED_PAGES), else one
    that still writes every page atomically."""
    TIMINGS.mark("get_writer")
    if S.get(pelican.settings, "NEWS_ARCHIVE_SKIP_UNCHANGED_PAGES"):
        return SkippingWriter
    return AtomicWriter


def on_content_written(path: str, context: dict[str, Any] | None = None) -> None:
    TIMINGS.written(context or {})
    TIMINGS.paths.add(os.path.abspath(path))



def remove_stale_pages(pelican: Any) -> None:
    """Receiver of ``finalized``, connected after the search index is published: a page is
    deleted only once the live index no longer lists it."""
    work = S.work_dir(pelican.settings)
    os.makedirs(work, exist_ok=True)
    prune_stale(pelican.output_path, work, TIMINGS.paths)


def on_finalized(pelican: Any) -> None:
    TIMINGS.mark("finalized")
    work = S.work_dir(pelican.settings)
    os.makedirs(work, exist_ok=True)
    memo = skipping_writer.MEMO
    if memo is not None:
        memo.save()
        TIMINGS.skipped = memo.skipped
        TIMINGS.digest_seconds = memo.seconds
        skipping_writer.MEMO = None
    path = os.path.join(work, TIMINGS_FILE)
    write_atomic(path, json.dumps(TIMINGS.to_json(), indent=1))


def register() -> None:
    """Connect first, so the timestamps bracket the plugin's own receivers."""
    signals.initialized.connect(on_initialized)
    signals.article_generator_init.connect(on_article_generator_init)
    signals.article_generator_finalized.connect(on_article_generator_finalized)
    signals.all_generators_finalized.connect(on_all_generators_finalized)
    signals.get_writer.connect(on_get_writer)
    signals.content_written.connect(on_content_written)
    signals.finalized.connect(on_finalized)
