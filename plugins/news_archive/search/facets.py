"""Facet counts for the documents a query matched.

Whoosh's own multi-valued facets re-read every term of the field on every search.
Instead, once per index generation we invert the exact fields into one small tuple
of value ids per document; counting a result set is then a single
``Counter(chain(...))`` over the matched documents, which runs in C.  Building the
table reads only the postings of the exact fields (never stored article text).
"""

from __future__ import annotations

from collections import Counter
from itertools import chain
from typing import Any

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
    """Per-document facet values of one index generation, ready to be counted."""

    def __init__(self, reader: Any) -> None:
        self.values: list[tuple[str, str]] = []
        per_doc: list[list[int]] = [[] for _ in range(reader.doc_count_all())]
        for name, fieldname in EXACT_FIELDS.items():
            if fieldname not in reader.schema:
                continue
            for term in reader.field_terms(fieldname):
                vid = len(self.values)
                self.values.append((name, term))
                for docnum in reader.postings(fieldname, term).all_ids():
                    per_doc[docnum].append(vid)
        self.per_doc: list[tuple[int, ...]] = [tuple(v) for v in per_doc]

    def count(self, docnums: Any) -> dict[str, list[dict[str, Any]]]:
        """``{facet: [{"value", "count"}, …]}`` for the matched documents, biggest first.

        Years are listed newest first instead: a reader scans a time line, not a ranking.
        """
        counts = Counter(chain.from_iterable(map(self.per_doc.__getitem__, docnums)))
        grouped: dict[str, list[tuple[int, str]]] = {name: [] for name, _, _ in FACETS}
        for vid, n in counts.items():
            name, value = self.values[vid]
            grouped[name].append((n, value))
        out: dict[str, list[dict[str, Any]]] = {}
        for name, _, limit in FACETS:
            items = grouped[name]
            if name == "year":
                items.sort(key=lambda item: item[1], reverse=True)
            else:
                items.sort(key=lambda item: (-item[0], item[1].casefold()))
            out[name] = [{"value": v, "count": n} for n, v in items[:limit]]
        return out
