"""The live index as the service reads it: one opened generation at a time, its searchers pooled.

The build publishes a generation by pointing the ``index`` symlink at a new directory
(``indexer.publish``).  :class:`IndexHandle` notices on the next request and opens the new
generation on a background thread, warms it (the service answers its recent requests over
it) and only then switches to it; until then every request is answered from the one
already open, so no request pays for opening (about a second at 20,000 stories) or for a
cold generation's first answers.  A generation's searchers come from a small
pool and always go back to it; they are closed once their generation is replaced.  Each
generation also holds the answers already computed over it (:class:`AnswerCache`), so an
answer never outlives the index it was computed on.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from datetime import datetime
from datetime import time as dtime
from typing import Any

from whoosh import index as windex

from .facets import FacetTable
from .matching import DeletedMasks, Scored, SegmentPostings, TermDocs
from .schema import UNDATED_OLDEST

POOLED_SEARCHERS = 16
log = logging.getLogger(__name__)


class AnswerCache:
    """The last ``size`` answers of one generation, least recently used out first (0: none kept)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: Hashable, value: Any) -> None:
        if self.size <= 0:
            return
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)


class Generation:
    """One opened index generation: the index, its facet and day tables, pooled searchers,
    and what was computed over it (answers, each term's documents)."""

    def __init__(self, path: str, cache_size: int = 0, previous: Generation | None = None) -> None:
        """``previous``: the generation open before, whose segments' facet values
        (``facets.SegmentFacets``) and postings (``matching.SegmentPostings``) this one takes
        for the segments it shares with it."""
        self.path = path
        self.ix = windex.open_dir(path)
        self._pool: list[Any] = []
        self._lock = threading.Lock()
        self.retired = False
        self.answers = AnswerCache(cache_size)
        # Segments this generation shares with the one before keep the postings read there.
        self.postings = previous.postings if previous is not None else SegmentPostings()
        # Which documents each of this generation's segment readers has deleted (its own table).
        self.deleted = DeletedMasks()
        self.terms = TermDocs(self.postings, self.deleted)
        self.scored = Scored(self.postings, self.deleted)
        with self.ix.searcher() as s:
            self.facets = FacetTable(s.reader(), previous.facets if previous is not None else None)
            self.days = DayTable(s.reader(), previous.days if previous is not None else None, self.deleted)

    @contextmanager
    def searcher(self) -> Iterator[Any]:
        with self._lock:
            s = self._pool.pop() if self._pool else None
        if s is None:
            s = self.ix.searcher()
        try:
            yield s
        finally:
            with self._lock:
                keep = not self.retired and len(self._pool) < POOLED_SEARCHERS
                if keep:
                    self._pool.append(s)
            if not keep:
                s.close()

    def retire(self) -> None:
        """Close idle searchers; searchers in use are closed when they come back."""
        with self._lock:
            self.retired = True
            pool, self._pool = self._pool, []
        for s in pool:
            s.close()


class DayTable:
    """Each document's publication day (an ordinal; undated: none), read once per segment.

    ``date:`` terms are day-granular, and a Whoosh ``DateRange`` over most of the archive
    (``date:>2000``: one union of hundreds of tiered numeric terms) cost 1.2 s on 20,000
    articles in pure Python; a comparison over this column is a few milliseconds, whatever
    the range.  The column is the sortable ``sort_oldest`` key, so no stored text is read.

    A segment's column never changes once written (only its deletions grow), so each
    segment's days are taken from the ``previous`` generation's table when it had that
    segment, and each generation marks its own deleted documents undated: reading the
    column value by value, then asking Whoosh document by document whether it is deleted,
    was most of what opening a generation cost a worker at 20,000 stories.
    """

    def __init__(self, reader: Any, previous: DayTable | None = None, deleted: DeletedMasks | None = None) -> None:
        """``deleted``: the generation's deletion masks (the ones its searches filter by)."""
        import numpy as np

        self._np = np
        known = previous.segments if previous is not None else {}
        self.segments: dict[str, Any] = {}  # segment id → its days, deleted documents included
        parts = []
        for leaf, _ in reader.leaf_readers():
            key = leaf.segment().segment_id() if hasattr(leaf, "segment") else None
            days = known.get(key) if key is not None else None
            if days is None:
                days = self._read(leaf)
            if key is not None:
                self.segments[key] = days
            parts.append(days)
        days = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)  # a copy: masked below
        masks = deleted if deleted is not None else DeletedMasks()
        for leaf, offset in reader.leaf_readers():
            gone = masks.of(leaf)  # the mask searches filter postings by, made once per reader
            if gone is not None:
                days[offset:offset + len(gone)][gone] = UNDATED_OLDEST
        self.days = days

    def _read(self, leaf: Any) -> Any:
        np = self._np
        if leaf.has_column("sort_oldest"):
            return np.fromiter(leaf.column_reader("sort_oldest"), dtype=np.int64, count=leaf.doc_count_all())
        return np.full(leaf.doc_count_all(), UNDATED_OLDEST, dtype=np.int64)

    @staticmethod
    def span(lo: datetime, hi: datetime) -> tuple[int, int]:
        """An inclusive instant range of ``query.parse_date`` → the days it covers.

        Its ends are the first or last instant of a period: ``date:>2017`` starts at the
        last instant of 2017 (so on 2018-01-01), ``date:<2017`` ends at the first one of
        2017 (so on 2016-12-31)."""
        first = lo.toordinal() + (0 if lo.time() == dtime.min else 1)
        last = hi.toordinal() - (1 if hi.time() == dtime.min else 0)
        return first, last

    def matching(self, ranges: list[tuple[datetime, datetime]]) -> set[int]:
        """Documents published on a day inside any of the ranges (never an undated one)."""
        np = self._np
        mask = np.zeros(len(self.days), dtype=bool)
        for lo, hi in ranges:
            first, last = self.span(lo, hi)
            mask |= (self.days >= first) & (self.days <= last)
        mask &= self.days != UNDATED_OLDEST
        return set(np.flatnonzero(mask).tolist())


class IndexHandle:
    """The live index: the generation answering requests, and the next one being made ready.

    Only while no generation is open yet does a request wait (for the first one).  When
    the symlink points somewhere new, the request that notices starts opening the new
    generation on a background thread and is answered, as every request meanwhile, from
    the generation already open.  The new one is switched to only once it is opened and
    warmed (``warm``: the service replays its recent requests over it, which reads their
    terms' document lists, the spelling graph and stored fields, and fills the new answer
    cache): at 20,000 stories opening alone took about a second of CPU, which requests
    arriving after the switch used to pay for, each query's first answer again on top.
    A request is answered from one generation only, whichever was current when it began.
    """

    def __init__(self, path: str, cache_size: int = 0,
                 warm: Callable[[Generation], None] | None = None) -> None:
        self.path = path
        self.cache_size = cache_size
        self.warm = warm
        self._lock = threading.Lock()  # held while opening the first generation
        self._gen: Generation | None = None
        self._opening: str | None = None  # the target being opened in the background
        self._opened = threading.Condition()

    def get(self) -> Generation | None:
        target = os.path.realpath(self.path)
        gen = self._gen
        if gen is not None and gen.path == target:
            return gen
        if gen is None:
            with self._lock:
                if self._gen is None:
                    self._gen = self._open(target)
                return self._gen
        self._open_later(target)
        return gen

    def _open(self, target: str) -> Generation | None:
        if not windex.exists_in(target):
            return None  # mid-swap or never built: keep what we have
        return Generation(target, self.cache_size, self._gen)

    def _open_later(self, target: str) -> None:
        """Open ``target`` on a thread and switch to it when ready (once per target)."""
        with self._opened:
            if self._opening is not None:
                return  # one at a time; a newer target is noticed by the next request after
            self._opening = target
        threading.Thread(target=self._prepare, args=(target,), name="open-generation", daemon=True).start()

    def _prepare(self, target: str) -> None:
        fresh = None
        try:
            fresh = self._open(target)
            if fresh is not None and self.warm is not None:
                self.warm(fresh)
        except Exception:  # removed while opening, say: the next request looks again
            log.warning("search index generation %s could not be opened; retrying later", target,
                        exc_info=True)
            if fresh is not None:
                fresh.retire()
            fresh = None
        with self._lock, self._opened:
            old = None
            if fresh is not None and fresh.path != os.path.realpath(self.path):
                # The symlink moved on while this one was opened, and a request may already
                # have opened the newer one (``reset``, then ``get``): switching now would
                # answer readers from an older generation after a newer one.
                old, fresh = fresh, None
            if fresh is not None:
                old, self._gen = self._gen, fresh
            self._opening = None
            self._opened.notify_all()
        if old is not None:
            old.retire()

    def wait(self, timeout: float = 30.0) -> Generation | None:
        """The generation the symlink points at, once it is open (tools and tests: a
        request never waits like this)."""
        deadline = time.monotonic() + timeout
        while True:
            gen = self.get()
            if gen is not None and gen.path == os.path.realpath(self.path):
                return gen
            with self._opened:
                if self._opening is not None:
                    self._opened.wait(max(deadline - time.monotonic(), 0))
            if time.monotonic() > deadline:
                return gen
            if self._opening is None and not windex.exists_in(os.path.realpath(self.path)):
                return gen

    def reset(self) -> None:
        with self._lock:
            old, self._gen = self._gen, None
        if old is not None:
            old.retire()
