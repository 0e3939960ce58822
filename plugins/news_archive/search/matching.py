"""Which documents a query matches, and its best-scored ones, within a time budget.

A search lists every matching document once (facets count them, filters narrow them)
and scores only as many as the page shows.  Both steps run under one :class:`Budget`:
a wildcard or fuzzy term standing for thousands of words ("com*", "said~2") matched most
of a 20,000-article archive and took 6 s and more; past the budget the search stops
(:class:`TooCostly`) and the reader is told why instead.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np
from whoosh import query as Q
from whoosh.collectors import FilterCollector, TimeLimit, WrappingCollector

from .schema import EXACT_FIELDS

if TYPE_CHECKING:
    from .pool import Generation

# Seconds one search may take.
QUERY_SECONDS = 1.5


class TooCostly(Exception):
    """The search ran out of its time budget."""


class Budget:
    """The time one search may still take."""

    def __init__(self, seconds: float | None = None) -> None:
        self.deadline = time.monotonic() + (QUERY_SECONDS if seconds is None else seconds)

    def left(self) -> float:
        return self.deadline - time.monotonic()

    def check(self) -> None:
        if time.monotonic() > self.deadline:
            raise TooCostly


@dataclass
class Filter:
    """What narrows a search besides its words: facet terms and ``date:`` ranges."""

    terms: Any = None  # a Whoosh query of the facet filters, or None
    days: set[int] | None = None  # documents inside the date ranges, or None (no date term)

    @property
    def active(self) -> bool:
        return self.terms is not None or self.days is not None


def make_filter(gen: Generation, filters: list[tuple[str, str]], dates: list[tuple[Any, Any]]) -> Filter:
    parts: list[Any] = [Q.Term(EXACT_FIELDS[k], v) for k, v in filters]
    terms = None if not parts else parts[0] if len(parts) == 1 else Q.And(parts)
    return Filter(terms, gen.days.matching(dates) if dates else None)


class _TermMemo:
    """Arrays by key (a term's, a segment's), least recently used out first once more than
    ``MAX_DOCS`` numbers are held (``_size`` of an entry says how many it holds)."""

    MAX_DOCS = 0

    def __init__(self) -> None:
        self._items: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self._held = 0
        self._lock = threading.Lock()

    def _memo(self, key: tuple[Any, ...], make: Any) -> Any:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
                return found
        found = make()  # outside the lock: two threads may make one entry, the first is kept
        with self._lock:
            if key not in self._items:
                self._items[key] = found
                self._held += self._size(found)
                while self._held > self.MAX_DOCS and len(self._items) > 1:
                    self._held -= self._size(self._items.popitem(last=False)[1])
        return found

    @staticmethod
    def _size(found: Any) -> int:
        raise NotImplementedError


class SegmentPostings(_TermMemo):
    """Each term's postings and each field's lengths per index segment, deleted documents
    included, kept across generations (each generation hands the store to the next).

    A Whoosh segment's files never change once written: a rebuild adds segments, merges
    some into new ones (a new segment id) and records deletions in the index's table of
    contents.  So a term's postings in a segment read on one generation are the same on
    the next, and reading them again (unpickling and decompressing each block) was most
    of the CPU of a new generation's first answers.  What does change per generation is
    applied or computed there: which documents are deleted (a mask per segment reader),
    idf and average field lengths (:class:`Scored`).  At most ``MAX_DOCS`` postings
    and lengths are held (12 bytes each), least recently used out first.
    """

    MAX_DOCS = 4_000_000

    def __init__(self) -> None:
        super().__init__()
        self.reads = 0  # segment reads done (postings or lengths): what the store saved shows here

    def postings(self, reader: Any, fieldname: str, text: bytes) -> tuple[Any, Any]:
        """``reader``'s segment's postings of the term: (ids, weights), deleted documents included."""
        return self._get(reader, ("postings", fieldname, text), lambda: _read_postings(reader, fieldname, text))

    def lengths(self, reader: Any, fieldname: str) -> Any:
        """Each document's length in ``fieldname`` in ``reader``'s segment, as Whoosh scores it."""
        return self._get(reader, ("lengths", fieldname), lambda: _read_lengths(reader, fieldname))

    def _get(self, reader: Any, what: tuple[Any, ...], make: Any) -> Any:
        segment = reader.segment() if hasattr(reader, "segment") else None
        if segment is None:  # not one segment: nothing to key it by
            return make()
        return self._memo((segment.segment_id(), *what), lambda: self._read(make))

    def _read(self, make: Any) -> Any:
        found = make()
        with self._lock:
            self.reads += 1
        return found

    @staticmethod
    def _size(found: Any) -> int:
        return len(found[0]) if isinstance(found, tuple) else len(found)


class TermDocs(_TermMemo):
    """Each term's documents (a sorted array), kept per generation for the next query that has it.

    A reader's words become ``And``/``Or`` trees of single terms over the text fields
    (``flood warning`` → 8 terms), and listing their union and intersection through
    Whoosh's matchers, document by document in Python, was a third of a search.  Sets of
    numbers combine in C; a term's list is made once per generation, from each segment's
    postings (read once per segment, :class:`SegmentPostings`).  At most
    ``MAX_DOCS`` document numbers are kept (4 bytes each), least recently used out first.
    """

    MAX_DOCS = 8_000_000

    def __init__(self, store: SegmentPostings | None = None, deleted: DeletedMasks | None = None) -> None:
        """``store``: where each segment's postings are read from (shared with :class:`Scored`
        and with the next generation); ``deleted``: the generation's deletion masks."""
        super().__init__()
        self.store = store if store is not None else SegmentPostings()
        self.deleted = deleted if deleted is not None else DeletedMasks()

    def get(self, searcher: Any, fieldname: str, text: Any) -> Any:
        return self._memo((fieldname, text), lambda: _term_postings(
            searcher, fieldname, text, self.store, self.deleted)[0].astype(np.int32))

    @staticmethod
    def _size(found: Any) -> int:
        return len(found)


def _combined(searcher: Any, q: Any, terms: TermDocs) -> Any:
    """The documents of a tree of ``Term``, ``And`` and ``Or`` as a sorted array; None for
    any other query (Whoosh lists those)."""
    kind = type(q)
    if kind is Q.Term:
        return terms.get(searcher, q.fieldname, q.text)
    if kind is Q.AndNot:
        # Whoosh's own AndNot matcher let through documents holding the excluded word (over
        # an index updated in place: "river -flood" listed a story tagged flood).
        keep, drop = _combined(searcher, q.a, terms), _combined(searcher, q.b, terms)
        return None if keep is None or drop is None else np.setdiff1d(keep, drop, assume_unique=True)
    if kind not in (Q.And, Q.Or) or (kind is Q.Or and q.minmatch) or not q.subqueries:
        return None
    parts = []
    for sub in q.subqueries:
        part = _combined(searcher, sub, terms)
        if part is None:
            return None
        parts.append(part)
    if kind is Q.Or:
        return np.unique(np.concatenate(parts))
    out = parts[0]
    for part in parts[1:]:
        out = np.intersect1d(out, part, assume_unique=True)
    return out


def _docs(searcher: Any, q: Any, budget: Budget | None, terms: TermDocs | None = None) -> set[int]:
    """The documents ``q`` matches, listed within the budget (checked every 1,024)."""
    if terms is not None:
        found = _combined(searcher, q, terms)
        if found is not None:
            return set(found.tolist())
    if budget is None:
        return set(searcher.docs_for_query(q))
    out: set[int] = set()
    for i, docnum in enumerate(searcher.docs_for_query(q)):
        out.add(docnum)
        if not i & 1023:
            budget.check()
    budget.check()
    return out


def matched(searcher: Any, q: Any, filt: Filter, budget: Budget | None = None,
            terms: TermDocs | None = None) -> set[int]:
    """Every document ``q`` matches inside the filter."""
    if isinstance(q, Q.Every) and filt.days is not None:
        docs = set(filt.days)  # "date:2018" alone: no need to list every document first
    else:
        docs = _docs(searcher, q, budget, terms)
        if filt.days is not None:
            docs &= filt.days
    if filt.terms is not None and docs:
        docs &= _docs(searcher, filt.terms, budget)
    return docs


class _Limited(WrappingCollector):
    """Stops a search past its deadline, checked between collected documents.

    Whoosh's ``TimeLimitCollector`` started a timer thread for every search (a thread start,
    then its cancel and join: a tenth of a search's CPU time at 20,000 stories); comparing
    the clock every 256 documents costs nothing and stops as soon.  Its own loop never
    runs under a ``FilterCollector`` (a filtered search), so ``collect`` checks too."""

    def __init__(self, child: Any, deadline: float) -> None:
        self.child = child
        self.deadline = deadline

    def collect_matches(self) -> None:
        child, deadline = self.child, self.deadline
        for i, sub_docnum in enumerate(child.matches()):
            if not i & 255 and time.monotonic() > deadline:
                raise TimeLimit
            child.collect(sub_docnum)
        if time.monotonic() > deadline:
            raise TimeLimit

    def collect(self, sub_docnum: int) -> Any:
        if time.monotonic() > self.deadline:
            raise TimeLimit
        return self.child.collect(sub_docnum)


def top(searcher: Any, q: Any, budget: Budget, filter: set[int] | None = None, **kwargs: Any) -> Any:
    """``searcher.search`` within the budget (checked in the collecting loop: a signal cannot
    be used outside the main thread, where waitress answers)."""
    limited = _Limited(searcher.collector(**kwargs), budget.deadline)
    collector = FilterCollector(limited, allow=filter) if filter is not None else limited
    try:
        searcher.search_with_collector(q, collector)
    except TimeLimit:
        raise TooCostly from None
    return collector.results()


class Scored(_TermMemo):
    """Each term's documents with their BM25F scores, and each field's document lengths,
    kept per generation (beside :class:`TermDocs`).

    Ranking a page through Whoosh's matchers (a matcher tree per segment, every matching
    document scored in Python) was three quarters of a search at 20,000 stories.  A
    term's score in a document depends only on the generation (its idf, the field's
    average length, the document's length and the term's weight in it), so it is
    computed once per generation, for every document of the term at once; a query's
    scores are then sums of arrays.  The formula and its inputs are Whoosh's own
    (``scoring.BM25F`` and ``bm25``, the searcher's ``idf`` and ``avg_field_length``, the
    byte-quantised field lengths), so the ranking is the one Whoosh gives.
    """

    MAX_DOCS = 4_000_000

    def __init__(self, store: SegmentPostings | None = None, deleted: DeletedMasks | None = None) -> None:
        super().__init__()
        self.store = store if store is not None else SegmentPostings()
        self.deleted = deleted if deleted is not None else DeletedMasks()
        self._lengths: dict[str, Any] = {}

    @staticmethod
    def _size(found: Any) -> int:
        return len(found[0])

    def lengths(self, searcher: Any, fieldname: str) -> Any:
        """Every document's length in ``fieldname`` as Whoosh scores it (1 where none is stored)."""
        found = self._lengths.get(fieldname)
        if found is not None:
            return found
        parts = [self.store.lengths(reader, fieldname) for reader, _ in searcher.reader().leaf_readers()]
        found = np.concatenate(parts) if parts else np.zeros(0)
        with self._lock:
            self._lengths[fieldname] = found
        return found

    def get(self, searcher: Any, fieldname: str, text: Any) -> tuple[Any, Any]:
        """The live documents holding the term (sorted) and its score in each."""
        return self._memo((fieldname, text), lambda: self._score(searcher, fieldname, text))

    def _score(self, searcher: Any, fieldname: str, text: Any) -> tuple[Any, Any]:
        weighting = searcher.weighting
        field = searcher.schema[fieldname]
        if isinstance(text, str):
            text = field.to_bytes(text)  # as Term.matcher hands it to the scorer
        docs, tf = _term_postings(searcher, fieldname, text, self.store, self.deleted)
        if not field.scorable:  # Whoosh scores such a field by the weight alone
            return docs, tf
        B = weighting._field_B.get(fieldname, weighting.B)
        K1 = weighting.K1
        idf = searcher.idf(fieldname, text)
        avgfl = searcher.avg_field_length(fieldname) or 1
        fl = self.lengths(searcher, fieldname)[docs]
        # scoring.bm25, term by term the same operations, over every document at once.
        return docs, idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * fl / avgfl)))


def _term_postings(searcher: Any, fieldname: str, text: Any, store: SegmentPostings,
                   deleted_masks: DeletedMasks) -> tuple[Any, Any]:
    """A term's live documents over every segment (sorted, int64) and its weight in each:
    what ``Term.matcher`` would walk."""
    field = searcher.schema[fieldname] if fieldname in searcher.schema else None
    if field is not None:
        try:
            text = field.to_bytes(text)  # as Term.matcher hands it to Whoosh
        except ValueError:
            field = None
    id_parts, weight_parts = [], []
    if field is not None:
        for reader, offset in searcher.reader().leaf_readers():
            ids, tf = store.postings(reader, fieldname, text)
            if not len(ids):
                continue
            deleted = deleted_masks.of(reader)
            if deleted is not None:
                keep = ~deleted[ids]
                ids, tf = ids[keep], tf[keep]
            id_parts.append(ids + offset)
            weight_parts.append(tf)
    if not id_parts:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
    return np.concatenate(id_parts), np.concatenate(weight_parts)


class DeletedMasks:
    """Each segment reader's deleted documents as a boolean array by document number, made
    once per reader: filtering each term's postings through ``is_deleted``, a Python call
    per posting, was a third of reading them.

    One table per opened index generation (:class:`.pool.Generation` holds it and hands it
    to its :class:`TermDocs`, :class:`Scored` and day table), never a module's: a table
    shared by every index of the process kept readers of indexes long replaced (and of
    other sites built in the same process) as keys, and its contents changed whenever the
    collector happened to free one.  Keys are weak, so a reader closed and dropped takes
    its mask with it."""

    def __init__(self) -> None:
        self._masks: weakref.WeakKeyDictionary[Any, Any] = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._masks)

    def of(self, reader: Any) -> Any:
        """``reader``'s mask, or None when it has no deleted documents."""
        with self._lock:
            found = self._masks.get(reader)
        if found is None:
            found = _deleted_mask(reader)
            with self._lock:
                self._masks[reader] = found
        return found if len(found) else None


def _deleted_mask(reader: Any) -> Any:
    """A segment reader's deleted documents, read from Whoosh (an empty array: none)."""
    mask = np.zeros(reader.doc_count_all() if reader.has_deletions() else 0, dtype=bool)
    if len(mask):
        found_set = getattr(reader, "deleted_docs_set", None)  # what reader.postings filters by
        if found_set is None:
            found_set = [d for d in range(len(mask)) if reader.is_deleted(d)]
        deleted = np.fromiter(found_set, dtype=np.int64, count=len(found_set))
        mask[deleted[deleted < len(mask)]] = True
    return mask


def _read_postings(reader: Any, fieldname: str, text: bytes) -> tuple[Any, Any]:
    """One segment's postings of a term, deleted documents included: (ids, weights) arrays.

    Whoosh's own codec keeps them in blocks of arrays: read a block at a time (a Python
    step per posting, through ``id()``, ``weight()`` and ``next()``, made opening a new
    generation's terms slower than searching them); any other matcher one posting at a time."""
    from whoosh.codec.whoosh3 import W3LeafMatcher
    from whoosh.matching.wrappers import FilterMatcher

    if (fieldname, text) not in reader:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
    m = reader.postings(fieldname, text)
    leaf = m.child if isinstance(m, FilterMatcher) else m  # deletions: applied per generation
    ids: list[Any] = []
    weights: list[Any] = []
    if type(leaf) is W3LeafMatcher:
        while leaf.is_active():
            leaf._read_ids()
            leaf._read_weights()
            ids.append(np.asarray(leaf._ids, dtype=np.int64))
            weights.append(np.asarray(leaf._weights, dtype=np.float64))
            leaf._next_block()
        return (np.concatenate(ids) if ids else np.zeros(0, dtype=np.int64),
                np.concatenate(weights) if weights else np.zeros(0, dtype=np.float64))
    while leaf.is_active():
        ids.append(leaf.id())
        weights.append(leaf.weight())
        leaf.next()
    return np.array(ids, dtype=np.int64), np.array(weights, dtype=np.float64)


@lru_cache(maxsize=1)
def _length_of_byte() -> Any:
    """Whoosh's stored length byte → the length it scores with (0, none stored: its default 1)."""
    from whoosh.util.numeric import byte_to_length

    table = np.array([byte_to_length(b) for b in range(256)], dtype=np.float64)
    table[0] = 1.0
    return table


def _read_lengths(reader: Any, fieldname: str) -> Any:
    """One segment's document lengths in a field as Whoosh scores them (1 where none is stored)."""
    from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield

    n = reader.doc_count_all()
    perdoc = getattr(reader, "_perdoc", None)
    if not hasattr(perdoc, "_cached_reader"):
        return np.array([reader.doc_field_length(i, fieldname, 1) or 1 for i in range(n)], dtype=np.float64)
    col = perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)  # the whoosh3 codec: read whole
    if col is None:
        return np.ones(n, dtype=np.float64)
    return _length_of_byte()[np.fromiter((col[i] for i in range(n)), dtype=np.uint8, count=n)]


def _scored(searcher: Any, q: Any, terms: TermDocs, scored: Scored) -> tuple[Any, Any] | None:
    """``q``'s matching documents (sorted) and their scores, as Whoosh's matchers sum them
    (``And`` and ``Or`` add their parts' scores, a boost multiplies, ``AndNot`` keeps the
    left side's); None for any query of another kind (Whoosh ranks those)."""
    kind = type(q)
    boost = getattr(q, "boost", 1.0)
    if kind is Q.Term:
        docs, scores = scored.get(searcher, q.fieldname, q.text)
    elif kind is Q.AndNot:
        left = _scored(searcher, q.a, terms, scored)
        right = _combined(searcher, q.b, terms)
        if left is None or right is None:
            return None
        keep = np.isin(left[0], right, invert=True)
        docs, scores = left[0][keep], left[1][keep]
    elif kind in (Q.And, Q.Or) and q.subqueries and not (kind is Q.Or and (q.minmatch or q.scale)):
        parts = []
        for sub in q.subqueries:
            part = _scored(searcher, sub, terms, scored)
            if part is None:
                return None
            parts.append(part)
        docs, scores = parts[0]
        if kind is Q.Or and len(parts) > 1:
            docs, where = np.unique(np.concatenate([p[0] for p in parts]), return_inverse=True)
            scores = np.bincount(where, weights=np.concatenate([p[1] for p in parts]), minlength=len(docs))
        elif kind is Q.And:
            for other_docs, other_scores in parts[1:]:
                docs, mine, theirs = np.intersect1d(docs, other_docs, assume_unique=True, return_indices=True)
                scores = scores[mine] + other_scores[theirs]
    else:
        return None
    return (docs, scores * boost) if boost != 1.0 else (docs, scores)


def ranked(searcher: Any, q: Any, limit: int, terms: TermDocs, scored: Scored,
           allow: set[int] | None = None) -> list[int] | None:
    """The ``limit`` best documents of ``q`` (inside ``allow``), best first, equal scores
    in document order (as Whoosh's collector ranks them); None when ``q`` is not a tree
    :func:`_scored` can rank (``top`` does)."""
    found = _scored(searcher, q, terms, scored)
    if found is None:
        return None
    docs, scores = found
    if allow is not None:
        keep = np.isin(docs, np.fromiter(allow, dtype=np.int64, count=len(allow)))
        docs, scores = docs[keep], scores[keep]
    if len(docs) > limit > 0:
        # Only those scoring at least the limit-th best can be on the page.
        floor = np.partition(scores, len(scores) - limit)[len(scores) - limit]
        keep = scores >= floor
        docs, scores = docs[keep], scores[keep]
    order = np.lexsort((docs, -scores))[:limit]
    return docs[order].tolist()
