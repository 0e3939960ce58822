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


class FacetTable:
    """Per-document facet values of one index generation, ready to be counted.

    The exact fields' postings are read once per generation into two flat arrays (each
    document's value ids, one row per document, and where each row starts); counting a
    result set gathers its rows and counts them with ``numpy.bincount``, then picks each
    facet's top values among those it counted.  Equal counts list values by their
    case-folded spelling, then by the value itself (``AFP`` before ``afp``): the order no
    longer depends on which document happened to be counted first.
    """

    def __init__(self, reader: Any) -> None:
        self.values: list[tuple[str, str]] = []
        per_doc: list[list[int]] = [[] for _ in range(reader.doc_count_all())]
        # Each facet's value ids are one range: [start, end).
        self._ranges: dict[str, tuple[int, int]] = {}
        for name, fieldname in EXACT_FIELDS.items():
            first = len(self.values)
            if fieldname in reader.schema:
                for term in reader.field_terms(fieldname):
                    vid = len(self.values)
                    self.values.append((name, term))
                    for docnum in reader.postings(fieldname, term).all_ids():
                        per_doc[docnum].append(vid)
            self._ranges[name] = (first, len(self.values))
        lengths = np.fromiter(map(len, per_doc), dtype=np.int64, count=len(per_doc))
        self._starts = np.zeros(len(per_doc) + 1, dtype=np.int64)
        np.cumsum(lengths, out=self._starts[1:])
        self._vids = np.fromiter(chain.from_iterable(per_doc), dtype=np.int32, count=int(self._starts[-1]))
        # Rank of each value within its facet by (case-folded spelling, spelling).
        self._rank = np.zeros(len(self.values), dtype=np.int64)
        for first, end in self._ranges.values():
            order = sorted(range(first, end), key=lambda vid: (self.values[vid][1].casefold(), self.values[vid][1]))
            self._rank[order] = np.arange(len(order))

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
