"""Facet counts for the documents a query matched.

Whoosh's own multi-valued facets re-read every term of the field on every search.
Instead, once per index generation we invert the exact fields into value ids per
document (two flat arrays); counting a result set is then a gather and a
``numpy.bincount`` over the matched documents.  Building the table reads only the
postings of the exact fields (never stored article text).
"""

from __future__ import annotations

from itertools import chain
from typing import Any

import numpy as np

from ..story import ENTITY_LABELS, ENTITY_TYPES
from .schema import EXACT_FIELDS

# Facets shown, in order, with the label a reader sees and how many values to list.
FACETS: tuple[tuple[str, str, int], ...] = (
    ("section", "Sections", 12),
    *((kind, ENTITY_LABELS[kind], 6 if kind == "group" else 10) for kind in ENTITY_TYPES),
    ("tag", "Tags", 10),
    ("source", "Sources", 8),
    ("author", "Authors", 8),
    ("year", "Year", 30),
)
LABELS = {name: label for name, label, _ in FACETS}


class SegmentFacets:
    """One index segment's facet values: each (facet, value) it holds and the documents
    holding it, numbered within the segment, deleted ones left out.

    A segment's files never change once written, and its deletions only grow: the values
    (every term of its exact fields, whether a live document still holds it or not) are a
    function of the segment id, the documents of the deletions too.  :class:`FacetTable`
    takes it from the generation opened before instead of reading the postings again, and
    when deletions were added since (a changed or removed story of an old segment: every
    rebuild that changes a story has some) it only drops those documents' entries
    (:meth:`without`).  A rebuild that adds a story writes one small segment beside the big
    ones, so a new generation's table reads only that segment's postings (reading them for a
    20,000-story segment was most of what opening a generation cost a worker).
    """

    def __init__(self, reader: Any) -> None:
        self.values: list[tuple[str, str]] = []  # (facet, value), by facet then value
        docs: list[list[int]] = []
        for name, fieldname in EXACT_FIELDS.items():
            if fieldname in reader.schema:
                for term in reader.field_terms(fieldname):
                    self.values.append((name, term))
                    docs.append(list(reader.postings(fieldname, term).all_ids()))
        lengths = np.fromiter(map(len, docs), dtype=np.int64, count=len(docs))
        self.vids = np.repeat(np.arange(len(docs), dtype=np.int64), lengths)  # by value, then document
        self.docs = np.fromiter(chain.from_iterable(docs), dtype=np.int64, count=int(lengths.sum()))
        self.deleted = self.deletions(reader)

    @staticmethod
    def key(reader: Any) -> str:
        return reader.segment().segment_id()

    @staticmethod
    def deletions(reader: Any) -> frozenset[int]:
        return frozenset(reader.segment().deleted_docs()) if reader.has_deletions() else frozenset()

    def usable_for(self, deleted: frozenset[int]) -> bool:
        """Whether this segment's table, read under ``self.deleted``, can serve a reader of the
        same segment whose deletions are ``deleted`` (only ever more; never fewer)."""
        return self.deleted <= deleted

    def without(self, deleted: frozenset[int]) -> SegmentFacets:
        """The same segment's table once ``deleted`` (a superset of ``self.deleted``) are
        deleted: the entries of the newly deleted documents dropped, the values kept (a term
        stays in the segment's term table after its last document is deleted)."""
        if deleted == self.deleted:
            return self
        gone = np.fromiter(deleted - self.deleted, dtype=np.int64)
        keep = ~np.isin(self.docs, gone)
        out = object.__new__(SegmentFacets)
        out.values, out.vids, out.docs, out.deleted = self.values, self.vids[keep], self.docs[keep], deleted
        return out


class FacetTable:
    """Per-document facet values of one index generation, ready to be counted.

    The exact fields' postings are read once per segment (:class:`SegmentFacets`, taken from
    the ``previous`` generation's table for a segment it had too) and put together into two
    flat arrays: each document's value ids, one row per document, and where each row starts.
    Counting a result set gathers its rows and counts them with ``numpy.bincount``, then picks
    each facet's top values among those it counted.  Value ids are in (facet, value) order,
    as the whole index lists its terms, and a row holds its ids in that order: the arrays are
    those a table read from the whole index at once has.  Equal counts list values by their
    case-folded spelling, then by the value itself (``AFP`` before ``afp``): the order no
    longer depends on which document happened to be counted first.
    """

    def __init__(self, reader: Any, previous: FacetTable | None = None) -> None:
        known = previous.segments if previous is not None else {}
        self.segments: dict[str, SegmentFacets] = {}
        leaves: list[tuple[SegmentFacets, int]] = []
        for leaf, offset in reader.leaf_readers():
            key, deleted = SegmentFacets.key(leaf), SegmentFacets.deletions(leaf)
            found = known.get(key)
            found = found.without(deleted) if found is not None and found.usable_for(deleted) else SegmentFacets(leaf)
            self.segments[key] = found
            leaves.append((found, offset))
        # Every segment's values, by facet (in EXACT_FIELDS order) then value: the ids.
        facet_order = {name: i for i, name in enumerate(EXACT_FIELDS)}
        self.values = sorted({v for found, _ in leaves for v in found.values},
                             key=lambda v: (facet_order[v[0]], v[1]))
        vid_of = {v: i for i, v in enumerate(self.values)}
        self._ranges: dict[str, tuple[int, int]] = {}  # each facet's value ids are one range: [start, end)
        first = 0
        for name in EXACT_FIELDS:
            end = first
            while end < len(self.values) and self.values[end][0] == name:
                end += 1
            self._ranges[name] = (first, end)
            first = end
        docs = [found.docs + offset for found, offset in leaves]
        vids = [np.fromiter((vid_of[v] for v in found.values), dtype=np.int64,
                            count=len(found.values))[found.vids] for found, _ in leaves]
        all_docs = np.concatenate(docs) if docs else np.zeros(0, dtype=np.int64)
        all_vids = np.concatenate(vids) if vids else np.zeros(0, dtype=np.int64)
        order = np.lexsort((all_vids, all_docs))  # by document, then value id
        n = reader.doc_count_all()
        self._starts = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(all_docs, minlength=n), out=self._starts[1:])
        self._vids = all_vids[order].astype(np.int32)
        # Rank of each value within its facet by (case-folded spelling, spelling).
        self._rank = np.zeros(len(self.values), dtype=np.int64)
        for first, end in self._ranges.values():
            ranked = sorted(range(first, end), key=lambda vid: (self.values[vid][1].casefold(), self.values[vid][1]))
            self._rank[ranked] = np.arange(len(ranked))

    def count(self, docnums: Any) -> dict[str, list[dict[str, Any]]]:
        """``{facet: [{"value", "count"}, …]}`` for the matched documents, biggest first.

        Years are listed newest first instead: a reader scans a time line, not a ranking.
        """
        docs = np.fromiter(docnums, dtype=np.int64, count=len(docnums))
        starts = self._starts[docs]
        lengths = self._starts[docs + 1] - starts
        total = int(lengths.sum())
        # The rows of the matched documents, end to end: row i's entries are
        # starts[i] … starts[i] + lengths[i] - 1.
        where = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths) + np.arange(total)
        counts = np.bincount(self._vids[where], minlength=len(self.values))
        out: dict[str, list[dict[str, Any]]] = {}
        for name, _, limit in FACETS:
            first, end = self._ranges.get(name, (0, 0))
            found = np.flatnonzero(counts[first:end]) + first
            if name == "year":
                chosen = found[::-1][:limit]  # years are 4-digit terms, in order: newest last
            else:
                chosen = found[np.lexsort((self._rank[found], -counts[found]))][:limit]
            values = self.values
            out[name] = [{"value": values[vid][1], "count": int(counts[vid])} for vid in chosen.tolist()]
        return out
