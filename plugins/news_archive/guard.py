"""The one guard every per-dump step runs under: one bad dump never stops the others.

Reading a dump, its duplicate signature, its entities and tags, rendering its page and
writing it each run inside :func:`guard`.  Whatever goes wrong there (a ``Rejected``
with its reason, or any other exception: a parser's ``RecursionError``, a
``MemoryError``, a bug) becomes that dump's ``rejected`` report entry with the reason,
the traceback goes to the log, and the build goes on with the next dump.  Only
``KeyboardInterrupt`` and ``SystemExit`` pass: stopping a build is the maintainer's call.

Batch steps (NER reads every story in one spaCy pipe) use :func:`each_guarded`: the
batch runs whole, and only when it fails is each item run alone to find the one that
fails, so the cost of the guard on a good build is nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

from .ingest.errors import Rejected
from .report import Entry, Report

log = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")


@dataclass
class Outcome:
    """What became of one guarded step: ``failed`` once its dump has been rejected."""

    path: str
    step: str
    reason: str = ""

    @property
    def failed(self) -> bool:
        return bool(self.reason)


def reason_for(exc: BaseException, step: str) -> str:
    """The report's reason for an exception raised while doing ``step`` to a dump."""
    if isinstance(exc, Rejected):
        return exc.reason
    if isinstance(exc, RecursionError):
        return f"internal error while {step}: nested too deeply ({exc})"
    return f"internal error while {step}: {type(exc).__name__}: {exc}"


@contextmanager
def guard(report: Report, path: str, step: str) -> Iterator[Outcome]:
    """Run one step for one dump; any exception becomes its ``rejected`` entry in ``report``.

    Use as ``with guard(report, rel, "reading") as done: …`` and skip the dump's later
    steps when ``done.failed``.
    """
    outcome = Outcome(path, step)
    try:
        yield outcome
    except Exception as exc:  # the guard's whole job: nothing one dump does stops the build
        if not isinstance(exc, Rejected):
            log.exception("news_archive: %s failed while %s", path, step)
        outcome.reason = reason_for(exc, step)
        report.add(Entry(path=path, status="rejected", reason=outcome.reason))


def each_guarded(report: Report, items: Sequence[T], path_of: Callable[[T], str], step: str,
                 run: Callable[[list[T]], R]) -> tuple[list[T], R]:
    """``run(items)`` as one batch; if it fails, each item alone, rejecting those that fail.

    Returns the items that went through and what ``run`` returned for them.  When the
    batch fails and no single item does, or every one of several does, the failure is
    not one dump's (a missing model, a full disk): it is raised, not blamed on the dumps.
    """
    items = list(items)
    try:
        return items, run(items)
    except Exception as exc:  # the batch failed: find which dump it was, under the guard
        first = exc
        log.warning("news_archive: %s failed for the batch (%s); trying each dump alone", step, exc)
    trial = Report()
    kept = []
    for item in items:
        with guard(trial, path_of(item), step) as done:
            run([item])
        if not done.failed:
            kept.append(item)
    if len(kept) == len(items) or (not kept and len(items) > 1):
        raise first
    for entry in trial.entries:
        report.add(entry)
    return kept, run(kept)
