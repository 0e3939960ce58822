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
    """``doc_frequency`` of one reader, over its live documents only.

    ``memo``: content hash → field → the terms a document with that hash holds in it
    (``indexer`` keeps it with each generation, ``deleted-terms.json``).  Deleted documents
    stay in their segment until a merge rewrites it, so they pile up build after build
    (every changed story leaves one), and analysing each one's stored text again was most
    of what related lists cost an incremental build after a few dozen: with the memo only
    the documents deleted since are analysed.  The terms are a pure function of the hash
    (of every indexed field) and of the analysis (``SCHEMA_VERSION``)."""

    def __init__(self, reader: Any, memo: dict[str, dict[str, list[str]]] | None = None) -> None:
        self.reader = reader
        self.deleted = [n for n in range(reader.doc_count_all()) if reader.is_deleted(n)] \
            if reader.has_deletions() else []
        self.memo = memo
        self._dead: dict[str, Counter[str]] = {}

    def dead(self, field: str) -> Counter[str]:
        """Term → how many deleted documents hold it in ``field``."""
        found = self._dead.get(field)
        if found is None:
            found = self._dead[field] = Counter()
            for docnum in self.deleted:
                found.update(self._terms(docnum, field))
        return found

    def _terms(self, docnum: int, field: str) -> list[str] | set[str]:
        stored = self.reader.stored_fields(docnum)
        key = stored.get("content_hash") if self.memo is not None else None
        if key is None or self.memo is None:
            return stored_terms(stored, field)
        known = self.memo.setdefault(key, {})
        terms = known.get(field)
        if terms is None:
            terms = known[field] = sorted(stored_terms(stored, field))
        return terms

    def deleted_hashes(self) -> set[str]:
        """The content hashes of the deleted documents (what a memo needs to keep)."""
        return {h for h in (self.reader.stored_fields(n).get("content_hash") for n in self.deleted) if h}

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
