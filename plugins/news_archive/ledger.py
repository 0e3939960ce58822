"""The build's own records: where Pelican's content cache goes, the timing log, and the
ledger of written pages that prunes stale ones.

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

import logging
import os
import time
from collections import Counter, defaultdict
from typing import Any

from . import settings as S
from .fileio import remove_stale, write_atomic

log = logging.getLogger(__name__)

TIMINGS_FILE = "build-timings.json"
WRITTEN_FILE = "written-pages.txt"
PELICAN_DEFAULT_CACHE_PATH = "cache"



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
        self.skipped = 0
        self.replayed = 0  # skipped without Pelican's walk (skipping_writer: the call was unchanged)
        self.groups_replayed = 0  # groups of calls skipped whole (skipping_writer: an entity's pages)
        self.digest_seconds = 0.0
        self.rendered: dict[str, int] = {}  # pages rendered (not skipped), by template file

    def mark(self, name: str) -> None:
        now = time.perf_counter()
        self.marks.setdefault(name, now)
        self.last = now

    def written(self, context: dict[str, Any]) -> None:
        now = time.perf_counter()
        # Pelican does not pass the template name on; the first folder of the page says it.
        name = str(context.get("output_file", ""))
        kind = "article" if "article" in context else (name.split("/", 1)[0] if "/" in name else name)
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
            "pages_not_rerendered": self.skipped,
            "pages_not_walked": self.replayed,
            "page_groups_not_walked": self.groups_replayed,
            "page_digest_seconds": round(self.digest_seconds, 3),
            "pages_rendered_by_template": dict(sorted(self.rendered.items())),
        }


def _relative(paths: set[str], output: str) -> list[str]:
    """``os.path.relpath`` of each path inside ``output``.  The ledger's paths are absolute
    and normal already (``speedups.on_content_written``), and the relative path of such a
    path is what follows ``output/``: a slice, not relpath's walk of both paths (15,000 of
    them, ~0.2 CPU-s of every 2,000-story build).  Any other path takes relpath."""
    prefix = output + os.sep
    cut = len(prefix)
    out = []
    for p in paths:
        if p.startswith(prefix):
            rel = p[cut:]
            out.append(rel if os.path.normpath(p) == p else os.path.relpath(p, output))
    return out


def prune_stale(output: str, work: str, written: set[str]) -> list[str]:
    """Delete pages the previous build wrote and this one did not; returns them.

    Paths are kept relative to the output folder, so moving the site does not
    delete anything; a path outside it is never touched.
    """
    output = os.path.abspath(output)
    record = os.path.join(work, WRITTEN_FILE)
    now = sorted(_relative(written, output))
    try:
        with open(record, encoding="utf-8") as fh:
            before = [line.rstrip("\n") for line in fh if line.strip()]
    except OSError:
        before = []
    removed = remove_stale(output, before, set(now))
    write_atomic(record, "".join(f"{rel}\n" for rel in now))
    if removed:
        log.info("news_archive: removed %d stale pages", len(removed))
    return removed

