"""Related articles, computed at build time from the search index.

For each article we take its key terms (tf·idf over its headline, dek and the start
of its body, weighting the headline most) plus its exact entities and tags, and score
every other article by the weight of what it shares, read straight from the index's
posting lists.  Rare terms weigh most and have short posting lists, so each lookup is
cheap (terms in more than a tenth of the archive are left out); entities shared by two
stories are the strongest sign that they belong together.

Every list is a pure function of the archive's current documents: document frequencies
are those of the live documents (``live.LiveCounts``: an index updated in place still
counts deleted ones), equal scores are ordered by URL, and nothing is kept from an
earlier build.  Any change to the archive moves the weights (the article count and the
frequencies of every word of the changed stories), so the indexer computes every list
again whenever anything changed; an incremental build then lists exactly what a build
from scratch lists.
"""

from __future__ import annotations

import heapq
import math
import os
from collections import Counter, defaultdict
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from typing import Any

from whoosh import index as windex
from whoosh.analysis.tokenizers import default_pattern

from .live import LiveCounts
from .schema import EXACT_FIELDS, text_analyzer

KEY_TERMS = 12
BODY_CHARS = 2000
ENTITY_BOOST = {"person": 3.0, "organisation": 2.0, "place": 1.0, "group": 1.0, "tag": 2.0}
MAX_DF_SHARE = 0.1  # terms in more than this share of articles say little about likeness
MAX_DF = 400  # ... nor do terms in more than this many: and their posting lists cost the most
PARALLEL_FROM = 1500  # below this many lookups, one process is faster than starting workers


# The words text_analyzer's tokenizer cuts a text into (Whoosh's RegexTokenizer default).
_WORD = default_pattern
_UNSEEN = object()


class Lookup:
    """One worker's view of the index: document frequencies and stored headlines, memoised."""

    def __init__(self, reader: Any) -> None:
        self.reader = reader
        self.live = LiveCounts(reader)
        self.total = max(reader.doc_count(), 1)  # live documents
        self.max_df = max(10, min(int(self.total * MAX_DF_SHARE), MAX_DF))
        self._df: dict[tuple[str, str], int] = {}
        self._stored: dict[int, tuple[str, str]] = {}
        self._postings: dict[tuple[str, str], tuple[int, ...]] = {}
        # Word as the tokenizer cut it → the term the analyzer makes of it (None: a stop word).
        # Each filter looks at one token alone, so a word always gives the same term; running
        # Whoosh's chain of generators once per word, not once per occurrence, was half of
        # what key terms cost.
        self.terms: dict[str, str | None] = {}

    def df(self, field: str, term: str) -> int:
        key = (field, term)
        found = self._df.get(key)
        if found is None:
            found = self._df[key] = self.live.doc_frequency(field, term)
        return found

    def postings(self, field: str, term: str) -> tuple[int, ...]:
        """Documents holding a term, kept: a rare term is shared by the articles it links."""
        key = (field, term)
        found = self._postings.get(key)
        if found is None:
            try:
                found = tuple(self.reader.postings(field, term).all_ids())
            except Exception:  # TermNotFound: nothing to add
                found = ()
            self._postings[key] = found
        return found

    def stored(self, docnum: int) -> tuple[str, str]:
        found = self._stored.get(docnum)
        if found is None:
            fields = self.reader.stored_fields(docnum)
            found = self._stored[docnum] = (fields["url"], fields["headline"])
        return found


def key_terms(doc: dict[str, Any], lookup: Lookup, n: int = KEY_TERMS) -> list[tuple[str, float]]:
    """The terms that distinguish this article from the rest of the archive."""
    ana = text_analyzer()
    memo = lookup.terms
    tf: Counter[str] = Counter()
    for text, weight in ((doc.get("headline", ""), 3), (doc.get("dek", ""), 2),
                         ((doc.get("body") or "")[:BODY_CHARS], 1)):
        for match in _WORD.finditer(text or ""):
            word = match.group()
            term = memo.get(word, _UNSEEN)
            if term is _UNSEEN:
                term = memo[word] = next((tok.text for tok in ana(word)), None)
            if term is not None and len(term) > 2 and not term.isdigit():
                tf[term] += weight
    total = lookup.total
    scored = []
    for term, freq in tf.items():
        df = lookup.df("body", term)
        if df <= 1 or df > lookup.max_df:  # only this article, or too common to tell
            continue
        scored.append((term, freq * math.log(total / df)))
    scored.sort(key=lambda item: (-item[1], item[0]))
    return [(t, round(w, 3)) for t, w in scored[:n]]


def find_related(lookup: Lookup, url: str, doc: dict[str, Any], terms: list[tuple[str, float]],
                 count: int) -> list[dict[str, str]]:
    """Score other articles by the weight of the key terms and exact names they share.

    Read straight from the postings: a weighted overlap, with no per-document BM25
    machinery, costs a few hundred additions per article instead of thousands of scorings.
    """
    scores: dict[int, float] = defaultdict(float)
    for term, weight in terms:
        for docnum in lookup.postings("body", term):
            scores[docnum] += weight
    facets = doc.get("facets") or {}
    for name, boost in ENTITY_BOOST.items():
        field = EXACT_FIELDS[name]
        for value in (facets.get(name) or [])[:8]:
            df = lookup.df(field, value)
            if df <= 1 or df > lookup.max_df:
                continue
            weight = boost * 2 * math.log(lookup.total / df)
            for docnum in lookup.postings(field, value):
                scores[docnum] += weight
    # Equal scores are ordered by URL, never by document number: that depends on how the
    # index's segments were written (one writer or several, merges after incremental
    # builds), so a from-scratch build would list other neighbours than an incremental one.
    top = heapq.nlargest(count + 1, scores.values())
    floor = top[-1] if top else 0.0
    ranked = sorted(((score, lookup.stored(docnum)) for docnum, score in scores.items() if score >= floor),
                    key=lambda item: (-item[0], item[1][0]))
    out = [{"url": other_url, "headline": headline} for _, (other_url, headline) in ranked if other_url != url]
    return out[:count]


def _work(path: str, items: list[tuple[str, dict[str, Any]]], count: int
          ) -> list[tuple[str, list[tuple[str, float]], list[dict[str, str]]]]:
    ix = windex.open_dir(path)
    out = []
    with ix.searcher() as s:
        lookup = Lookup(s.reader())
        for url, doc in items:
            terms = key_terms(doc, lookup)
            out.append((url, terms, find_related(lookup, url, doc, terms, count)))
    ix.close()
    return out


def compute(path: str, docs: dict[str, dict[str, Any]], targets: Iterable[str], count: int,
            procs: int | None = None) -> dict[str, dict[str, Any]]:
    """Related lists for ``targets``; returns ``{url: {"hash", "terms", "related"}}``."""
    items = [(url, {k: docs[url].get(k) for k in ("headline", "dek", "body", "facets")}) for url in targets]
    procs = procs or min(os.cpu_count() or 1, 4)
    if procs > 1 and len(items) >= PARALLEL_FROM:
        chunks = [items[i::procs] for i in range(procs)]
        with ProcessPoolExecutor(procs, mp_context=get_context("fork")) as pool:
            parts = list(pool.map(_work, [path] * procs, chunks, [count] * procs))
        results = [r for part in parts for r in part]
    else:
        results = _work(path, items, count)
    return {url: {"hash": docs[url]["content_hash"], "terms": terms, "related": rel}
            for url, terms, rel in results}
