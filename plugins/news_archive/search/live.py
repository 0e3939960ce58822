"""Document frequencies of the documents an index still holds, not of those it deleted.

Whoosh deletes a document by marking it: until a merge rewrites its segment, its terms
stay in the term table and ``doc_frequency`` keeps counting it (``postings`` and
``doc_count`` do leave it out).  An index updated in place (every incremental build)
therefore reports other frequencies than a fresh index of the same documents, and
whatever is computed from them (the spelling tables, the related-article weights)
differed from a build from scratch.  :class:`LiveCounts` subtracts what the deleted
documents hold, counted again from their stored fields (``schema.stored_terms``).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from .schema import stored_terms


class LiveCounts:
    """``doc_frequency`` of one reader, over its live documents only."""

    def __init__(self, reader: Any) -> None:
        self.reader = reader
        self.deleted = [n for n in range(reader.doc_count_all()) if reader.is_deleted(n)] \
            if reader.has_deletions() else []
        self._dead: dict[str, Counter[str]] = {}

    def dead(self, field: str) -> Counter[str]:
        """Term → how many deleted documents hold it in ``field``."""
        found = self._dead.get(field)
        if found is None:
            found = self._dead[field] = Counter()
            for docnum in self.deleted:
                found.update(stored_terms(self.reader.stored_fields(docnum), field))
        return found

    def doc_frequency(self, field: str, term: str) -> int:
        df = self.reader.doc_frequency(field, term)
        return df - self.dead(field)[term] if self.deleted and df else df

    def field_frequencies(self, field: str) -> Counter[str]:
        """Every term of ``field`` that a live document holds, with its document frequency."""
        out: Counter[str] = Counter()
        dead = self.dead(field) if self.deleted else Counter()
        for term, info in self.reader.iter_field(field):
            text = term.decode("utf-8") if isinstance(term, bytes) else term
            df = info.doc_frequency() - dead[text]
            if df > 0:
                out[text] = df
        return out
