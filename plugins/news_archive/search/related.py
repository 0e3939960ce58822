"""Related articles, computed at build time from the search index, and kept up to date locally.

For each article we take its key terms (tf × idf over its headline, dek and the start of
its body, weighting the headline most) plus its exact entities and tags, and score every
other article by the weight of what it shares, read straight from the index's posting
lists.  Rare terms weigh most and have short posting lists, so each lookup is cheap
(terms in more than about a tenth of the archive are left out); entities shared by two
stories are the strongest sign that they belong together.

Every list is a pure function of the archive's current documents (an incremental build
must list exactly what a build from scratch lists), yet a build that adds one story must
not compute every list again.  Both hold because the weights are *quantised*: a term's
weight depends only on its document-frequency class ``⌈log₂ df⌉`` and on the archive's
size class ``⌊log₂ N⌋`` (:class:`Weights`), integers, so adding a story moves the weight of
only the few terms whose frequency crosses a power of two.  :func:`refresh` then
recomputes only

* the lists of new and changed articles;
* the lists whose key terms or names changed class (and, when a term gained weight,
  those whose key terms it now enters: its weighted count against their last key term);
* lists that lose a story they held whose replacement is not known;

and merges every changed story's new score into the other lists it shares a key term or
name with.  Each list keeps a few more entries than it shows (``SLACK``) with their integer
scores, so that a story dropping out can usually be replaced from what is kept; a list
that held every story scoring above zero (``complete``) is always exact.  Equal scores are
ordered by URL, never by document number.  When the size class changes (the archive
crosses a power of two) every list is computed again.
"""

from __future__ import annotations

import heapq
import os
from collections import Counter, defaultdict
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from typing import Any

from whoosh import index as windex
from whoosh.analysis.tokenizers import default_pattern

from .live import LiveCounts
from .schema import EXACT_FIELDS, stored_terms, text_analyzer

SCHEME = 2  # bump when the weights or the stored entries change: every list is then computed again
KEY_TERMS = 12
BODY_CHARS = 2000
ENTITY_BOOST = {"person": 3, "organisation": 2, "place": 1, "group": 1, "tag": 2}
FACETS_PER_KIND = 8
TEXT_WEIGHTS = (("headline", 3), ("dek", 2), ("body", 1))
MAX_DF_CLASS = (4, 9)  # cut-off 2^c articles, c = ⌊log₂ N⌋ − 3 clamped: 16 … 512 (≈ 6–12 % of the archive)
SLACK = 3  # entries kept beyond those shown, so a story dropping out can be replaced
PARALLEL_FROM = 1500  # below this many lookups, one process is faster than starting workers
TEXT_FIELDS = ("headline", "dek", "body")


# The words text_analyzer's tokenizer cuts a text into (Whoosh's RegexTokenizer default).
_WORD = default_pattern
_UNSEEN = object()


@dataclass(frozen=True)
class Weights:
    """Integer idf weights that move only when a frequency crosses a power of two.

    ``epoch`` = ⌊log₂ N⌋ of the article count; a term in ``df`` articles is in class
    ``⌈log₂ df⌉`` and weighs ``epoch + 1 − class``; terms in one article only (nothing to
    share) or in more than ``2^max_class`` articles (too common to tell) weigh 0.  The
    cut-off is a class boundary too, so it moves nothing between epochs.
    """

    epoch: int

    @classmethod
    def of(cls, total: int) -> Weights:
        return cls(max(total, 1).bit_length() - 1)

    @property
    def max_class(self) -> int:
        low, high = MAX_DF_CLASS
        return max(low, min(self.epoch - 3, high))

    def klass(self, df: int) -> int:
        """0: weighs nothing; else ⌈log₂ df⌉ (1 for df = 2)."""
        if df <= 1:
            return 0
        c = (df - 1).bit_length()
        return c if c <= self.max_class else 0

    def weight(self, df: int) -> int:
        c = self.klass(df)
        return max(self.epoch + 1 - c, 1) if c else 0


class Lookup:
    """One worker's view of the index: document frequencies and stored headlines, memoised."""

    def __init__(self, reader: Any, memo: dict[str, dict[str, list[str]]] | None = None) -> None:
        self.reader = reader
        self.live = LiveCounts(reader, memo)
        self.weights = Weights.of(reader.doc_count())  # live documents
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

    def weight(self, field: str, term: str) -> int:
        return self.weights.weight(self.df(field, term))

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


def term_frequencies(doc: dict[str, Any], lookup: Lookup) -> Counter[str]:
    """Each candidate key term of an article with its weighted count (headline ×3, dek ×2,
    the start of the body ×1)."""
    ana = text_analyzer()
    memo = lookup.terms
    tf: Counter[str] = Counter()
    for field, weight in TEXT_WEIGHTS:
        text = doc.get(field) or ""
        if field == "body":
            text = text[:BODY_CHARS]
        for match in _WORD.finditer(text):
            word = match.group()
            term = memo.get(word, _UNSEEN)
            if term is _UNSEEN:
                term = memo[word] = next((tok.text for tok in ana(word)), None)
            if term is not None and len(term) > 2 and not term.isdigit():
                tf[term] += weight
    return tf


def key_terms(doc: dict[str, Any], lookup: Lookup, n: int = KEY_TERMS) -> list[list[Any]]:
    """The terms that distinguish this article from the rest of the archive: ``[term, weight]``."""
    scored = []
    for term, freq in term_frequencies(doc, lookup).items():
        w = lookup.weight("body", term)
        if w:
            scored.append((term, freq * w))
    scored.sort(key=lambda item: (-item[1], item[0]))
    return [[t, w] for t, w in scored[:n]]


def _enters(item: dict[str, Any], tf: Counter[str], term: str, weight: int) -> bool:
    """Would ``term``, now weighing ``weight``, be among the article's key terms (all its
    other candidates' weights unchanged)?  Cheaper than computing them all again: no
    document frequencies are looked up."""
    value = tf.get(term, 0) * weight
    if not value:
        return False
    terms = item["terms"]
    if len(terms) < KEY_TERMS:
        return True
    last_term, last_weight = terms[-1]
    return (-value, term) < (-last_weight, last_term)


def kept_key_terms(item: dict[str, Any], tf: Counter[str], moved: dict[str, int]) -> list[list[Any]] | None:
    """The article's :func:`key_terms` now, from its kept ones (``item["terms"]``) when only the
    terms in ``moved`` (term → its new weight) changed weight; None when that cannot be told
    without weighing every candidate again.

    A candidate that was not a key term and did not move ranked after the last key term and
    still does; so the new key terms are the best of the kept ones (reweighed) and the moved
    candidates, as long as at least ``KEY_TERMS`` of those rank no lower than the old last
    one (else an unknown candidate might now be among them).  With fewer than ``KEY_TERMS``
    key terms every candidate that weighed anything was one, and the others still weigh 0."""
    terms = item["terms"]
    known: dict[str, int] = {}
    for term, value in terms:
        weight = moved.get(term)
        known[term] = value if weight is None else tf.get(term, 0) * weight
    for term, weight in moved.items():
        if term not in known and term in tf:
            known[term] = tf[term] * weight
    scored = sorted(((term, value) for term, value in known.items() if value), key=lambda i: (-i[1], i[0]))
    if len(terms) >= KEY_TERMS:
        last_term, last_value = terms[-1]
        floor = (-last_value, last_term)
        if sum(1 for term, value in scored if (-value, term) <= floor) < KEY_TERMS:
            return None
    return [[t, w] for t, w in scored[:KEY_TERMS]]


def facet_features(doc: dict[str, Any], lookup: Lookup) -> list[list[Any]]:
    """``[field, name, weight]`` for the first names of each kind, weight 0 included: a name
    that weighs nothing now may weigh something after a change, and must be found then."""
    facets = doc.get("facets") or {}
    out = []
    for name, boost in ENTITY_BOOST.items():
        field = EXACT_FIELDS[name]
        for value in (facets.get(name) or [])[:FACETS_PER_KIND]:
            out.append([field, value, boost * 2 * lookup.weight(field, value)])
    return out


def _rank(item: list[Any]) -> tuple[int, str]:
    return (-item[0], item[1])


def entry(lookup: Lookup, url: str, doc: dict[str, Any], count: int,
          terms: list[list[Any]] | None = None) -> dict[str, Any]:
    """One article's list, computed from nothing, with what :func:`refresh` needs to keep it.

    ``top``: ``[score, url, headline]`` of the best ``count + SLACK`` other articles by score,
    equal scores by URL; ``complete``: ``top`` holds every article scoring above zero.
    ``terms``: its :func:`key_terms` when already known (:func:`kept_key_terms`): deriving
    them (every candidate's frequency) is most of what a list costs.
    """
    terms = key_terms(doc, lookup) if terms is None else terms
    facets = facet_features(doc, lookup)
    scores: dict[int, int] = defaultdict(int)
    for term, weight in terms:
        for docnum in lookup.postings("body", term):
            scores[docnum] += weight
    for field, value, weight in facets:
        if weight:
            for docnum in lookup.postings(field, value):
                scores[docnum] += weight
    depth = count + SLACK
    # Equal scores are ordered by URL, never by document number: that depends on how the
    # index's segments were written (one writer or several, merges after incremental
    # builds), so a from-scratch build would list other neighbours than an incremental one.
    best = heapq.nlargest(depth + 1, scores.values())
    floor = best[-1] if best else 0
    ranked = sorted(([score, *lookup.stored(docnum)] for docnum, score in scores.items() if score >= floor),
                    key=_rank)
    ranked = [item for item in ranked if item[1] != url]
    # ``complete`` may say False of a list that is complete (the article itself among the
    # scores): that only makes refresh recompute it sooner, never keep a wrong one.
    return {"hash": doc.get("content_hash"), "terms": terms, "facets": facets,
            "top": ranked[:depth], "complete": len(scores) <= depth}


def shown(item: dict[str, Any], count: int) -> list[dict[str, str]]:
    return [{"url": url, "headline": headline} for _, url, headline in item["top"][:count]]


def _work(path: str, items: list[tuple[str, dict[str, Any]]], count: int) -> list[tuple[str, dict[str, Any]]]:
    ix = windex.open_dir(path)
    out = []
    with ix.searcher() as s:
        lookup = Lookup(s.reader())
        for url, doc in items:
            out.append((url, entry(lookup, url, doc, count)))
    ix.close()
    return out


def _slim(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: doc.get(k) for k in ("headline", "dek", "body", "facets", "content_hash")}


def compute(path: str, docs: dict[str, dict[str, Any]], targets: Iterable[str], count: int,
            procs: int | None = None, lookup: Lookup | None = None) -> dict[str, dict[str, Any]]:
    """Lists of ``targets``, from nothing: ``{url: entry}`` (see :func:`entry`).

    ``lookup``: an open view of the index at ``path`` (:func:`refresh`'s), used when one
    process does the work: the frequencies and postings it has already read are not read
    again, and the deleted documents' terms (``LiveCounts``) not counted again."""
    items = [(url, _slim(docs[url])) for url in targets]
    procs = procs or min(os.cpu_count() or 1, 4)
    if lookup is not None and not (procs > 1 and len(items) >= PARALLEL_FROM):
        return {url: entry(lookup, url, doc, count) for url, doc in items}
    if procs > 1 and len(items) >= PARALLEL_FROM:
        chunks = [items[i::procs] for i in range(procs)]
        from .indexer import fork_friendly

        fork_friendly()
        with ProcessPoolExecutor(procs, mp_context=get_context("fork")) as pool:
            parts = list(pool.map(_work, [path] * procs, chunks, [count] * procs))
        results = [r for part in parts for r in part]
    else:
        results = _work(path, items, count)
    return dict(results)


def _features(doc: dict[str, Any]) -> tuple[set[str], dict[str, set[str]]]:
    """What a document holds in the index that a list can share: body terms, exact names."""
    return (stored_terms(doc, "body"),
            {EXACT_FIELDS[name]: stored_terms(doc, EXACT_FIELDS[name]) for name in ENTITY_BOOST})


def _score(item: dict[str, Any], features: tuple[set[str], dict[str, set[str]]]) -> int:
    body, exact = features
    return (sum(w for t, w in item["terms"] if t in body)
            + sum(w for f, v, w in item["facets"] if w and v in exact[f]))


def _merge(item: dict[str, Any], url: str, headline: str, score: int, count: int) -> bool:
    """Put ``url``'s new score into a kept list; False when the list can no longer be told
    exactly (a story it held dropped below what it kept, leaving fewer than ``count``)."""
    top = item["top"]
    if not (item["complete"] or top):
        return False
    old = next((i for i, e in enumerate(top) if e[1] == url), None)
    if old is None and not score:
        return True
    if not item["complete"] and top:
        floor = _rank(top[-1])  # every story not kept ranks after this one
    else:
        floor = None
    if old is not None:
        top = top[:old] + top[old + 1:]
    new = [score, url, headline]
    if score and (floor is None or _rank(new) <= floor):
        top.append(new)
        top.sort(key=_rank)
    depth = count + SLACK
    if len(top) > depth:
        top = top[:depth]
        item["complete"] = False
    item["top"] = top
    return item["complete"] or len(top) >= count


def refresh(path: str, old_path: str | None, docs: dict[str, dict[str, Any]],
            previous: dict[str, dict[str, Any]], added: set[str], changed: set[str], removed: set[str],
            count: int, procs: int | None = None, memo: dict[str, dict[str, list[str]]] | None = None
            ) -> tuple[dict[str, dict[str, Any]], int, int]:
    """The lists after a change, from the lists before it (``previous``, all of the old
    archive's) and the index before (``old_path``) and after (``path``) it.

    ``memo``: the deleted documents' terms by content hash (``LiveCounts``), brought up to
    date and pruned to the documents still deleted.

    Returns the lists, how many were computed from nothing and how many were only scored
    again with their key terms told from the kept ones (:func:`kept_key_terms`).  The result equals
    ``compute(path, docs, docs, count)`` (tests/test_related_incremental.py checks it on random
    sequences of changes).
    """
    new_docs = added | changed
    gone = changed | removed
    old_stored: dict[str, dict[str, Any]] = {}
    if gone:
        assert old_path is not None
        ix = windex.open_dir(old_path)
        with ix.searcher() as s:
            for url in gone:
                stored = s.document(url=url)
                if stored is not None:
                    old_stored[url] = stored
        ix.close()
    feats_new = {u: _features(docs[u]) for u in new_docs}
    feats_old = {u: _features(d) for u, d in old_stored.items()}
    if memo is not None:  # the old versions are the new index's deleted documents: their terms are known
        for url, stored in old_stored.items():
            if stored.get("content_hash"):
                body, exact = feats_old[url]
                known = memo.setdefault(stored["content_hash"], {})
                known.setdefault("body", sorted(body))
                for field, values in exact.items():
                    known.setdefault(field, sorted(values))
    # How each term's document frequency moved: + for the new versions, − for the old ones.
    delta: Counter[tuple[str, str]] = Counter()
    for sign, feats in ((1, feats_new), (-1, feats_old)):
        for body, exact in feats.values():
            for term in body:
                delta["body", term] += sign
            for field, values in exact.items():
                for value in values:
                    delta[field, value] += sign
    lists = {u: e for u, e in previous.items() if u in docs and u not in new_docs}
    term_users: dict[str, set[str]] = defaultdict(set)
    facet_users: dict[tuple[str, str], set[str]] = defaultdict(set)
    for url, item in lists.items():
        for term, _ in item["terms"]:
            term_users[term].add(url)
        for field, value, _ in item["facets"]:
            facet_users[field, value].add(url)
    stale: set[str] = set()
    reweighed: dict[str, int] = {}  # body term → its new weight, for each that changed weight
    recheck: dict[str, list[tuple[str, int]]] = defaultdict(list)
    ix = windex.open_dir(path)
    with ix.searcher() as s:
        lookup = Lookup(s.reader(), memo)
        weights = lookup.weights
        for (field, term), moved in delta.items():
            if not moved:
                continue
            now = lookup.df(field, term)
            before, after = weights.weight(now - moved), weights.weight(now)
            if before == after:
                continue
            if field == "body":
                reweighed[term] = after
                stale |= term_users.get(term, set())
                if after > before:  # it may now be among the key terms of articles that have it
                    for text_field in TEXT_FIELDS:
                        for docnum in lookup.postings(text_field, term):
                            recheck[lookup.stored(docnum)[0]].append((term, after))
            else:
                stale |= facet_users.get((field, term), set())
        # Each rising term on its own against the old last key term: if none enters alone,
        # none enters together (the last one stays what it was).
        for url in sorted(set(recheck) - stale):
            if url in lists:
                tf = term_frequencies(docs[url], lookup)
                if any(_enters(lists[url], tf, term, weight) for term, weight in recheck[url]):
                    stale.add(url)
        # Every kept list sharing a key term or name with a changed story's old or new
        # version: merge that story's new score (0 when removed or sharing nothing now).
        for story in sorted(new_docs | gone):
            reach: set[str] = set()
            for feats in (feats_new.get(story), feats_old.get(story)):
                if feats is None:
                    continue
                body, exact = feats
                for term in body:
                    reach |= term_users.get(term, set())
                for field, values in exact.items():
                    for value in values:
                        reach |= facet_users.get((field, value), set())
            headline = docs[story]["headline"] if story in docs else ""
            for url in sorted(reach - stale):
                item = lists[url]
                score = _score(item, feats_new[story]) if story in feats_new else 0
                if not _merge(item, story, headline, score, count):
                    stale.add(url)
        # A stale list whose key terms can be told from its kept ones (and the moved
        # weights) is only scored again; the others, and the new stories', from nothing.
        fresh: dict[str, dict[str, Any]] = {}
        for url in sorted(stale - new_docs):
            doc = _slim(docs[url])
            terms = kept_key_terms(lists[url], term_frequencies(doc, lookup), reweighed)
            if terms is not None:
                fresh[url] = entry(lookup, url, doc, count, terms)
        todo = sorted((stale | new_docs) - set(fresh))
        rescored = len(fresh)
        fresh.update(compute(path, docs, todo, count, procs, lookup))
        if memo is not None:
            keep = lookup.live.deleted_hashes()
            for key in [k for k in memo if k not in keep]:
                del memo[key]
    ix.close()
    out = {u: lists[u] for u in docs if u not in fresh}
    out.update(fresh)
    return {u: out[u] for u in sorted(out)}, len(todo), rescored
