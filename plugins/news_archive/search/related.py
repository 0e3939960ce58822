"""Related articles, computed at build time from the search index.

For each article we take its key terms (tf·idf over its headline, dek and the start
of its body, weighting the headline most) plus its exact entities and tags, and ask
the index for the best-matching other articles.  Rare terms weigh most and have
short posting lists, so each lookup is cheap; entities shared by two stories are
the strongest sign that they belong together.

A build recomputes related lists only where they may have changed: for new and
changed articles, for the articles those now resemble, and for lists that pointed
at a changed or removed article.  Key terms are cached per content hash.
"""

from __future__ import annotations

import math
import os
from collections import Counter
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from typing import Any

from whoosh import index as windex
from whoosh import query as Q

from .schema import EXACT_FIELDS, text_analyzer

KEY_TERMS = 12
BODY_CHARS = 3000
ENTITY_BOOST = {"person": 3.0, "organisation": 2.0, "place": 1.0, "group": 1.0, "tag": 2.0}
PARALLEL_FROM = 1500  # below this many lookups, one process is faster than starting workers


def key_terms(doc: dict[str, Any], reader: Any, n: int = KEY_TERMS) -> list[tuple[str, float]]:
    """The terms that distinguish this article from the rest of the archive."""
    ana = text_analyzer()
    tf: Counter[str] = Counter()
    for text, weight in ((doc.get("headline", ""), 3), (doc.get("dek", ""), 2),
                         ((doc.get("body") or "")[:BODY_CHARS], 1)):
        for tok in ana(text or ""):
            if len(tok.text) > 2 and not tok.text.isdigit():
                tf[tok.text] += weight
    total = max(reader.doc_count(), 1)
    scored = []
    for term, freq in tf.items():
        df = reader.doc_frequency("body", term)
        if df <= 1 or df > max(total * 0.2, 10):  # only this article, or nearly every article
            continue
        scored.append((term, freq * math.log(total / df)))
    scored.sort(key=lambda item: (-item[1], item[0]))
    return [(t, round(w, 3)) for t, w in scored[:n]]


def related_query(doc: dict[str, Any], terms: list[tuple[str, float]]) -> Any:
    parts: list[Any] = [Q.Term("body", t, boost=w) for t, w in terms]
    parts += [Q.Term("headline", t, boost=w) for t, w in terms[:4]]
    facets = doc.get("facets") or {}
    for name, boost in ENTITY_BOOST.items():
        for value in (facets.get(name) or [])[:8]:
            parts.append(Q.Term(EXACT_FIELDS[name], value, boost=boost * 4))
    return Q.Or(parts) if parts else None


def find_related(searcher: Any, url: str, doc: dict[str, Any], terms: list[tuple[str, float]],
                 count: int) -> list[dict[str, str]]:
    q = related_query(doc, terms)
    if q is None:
        return []
    out = []
    for hit in searcher.search(q, limit=count + 1):
        if hit["url"] != url:
            out.append({"url": hit["url"], "headline": hit["headline"]})
        if len(out) >= count:
            break
    return out


def _work(path: str, items: list[tuple[str, dict[str, Any], list | None]], count: int
          ) -> list[tuple[str, list[tuple[str, float]], list[dict[str, str]]]]:
    ix = windex.open_dir(path)
    out = []
    with ix.searcher() as s:
        reader = s.reader()
        for url, doc, terms in items:
            if terms is None:
                terms = key_terms(doc, reader)
            out.append((url, terms, find_related(s, url, doc, terms, count)))
    ix.close()
    return out


def compute(path: str, docs: dict[str, dict[str, Any]], targets: Iterable[str],
            cache: dict[str, dict[str, Any]], count: int, procs: int | None = None
            ) -> dict[str, dict[str, Any]]:
    """Related lists for ``targets``; returns ``{url: {"hash", "terms", "related"}}``.

    ``cache`` supplies key terms of articles whose content hash has not changed.
    """
    items = []
    for url in targets:
        doc = docs[url]
        cached = cache.get(url)
        terms = cached["terms"] if cached and cached.get("hash") == doc["content_hash"] else None
        slim = {k: doc.get(k) for k in ("headline", "dek", "body", "facets")}
        items.append((url, slim, terms))
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


def dirty(docs: dict[str, dict[str, Any]], cache: dict[str, dict[str, Any]],
          added: set[str], changed: set[str], removed: set[str]) -> set[str]:
    """Articles whose related list must be (re)computed after these changes."""
    touched = changed | removed
    out = set(added) | set(changed)
    for url in docs:
        entry = cache.get(url)
        if entry is None or entry.get("hash") != docs[url]["content_hash"]:
            out.add(url)
        elif touched and any(r["url"] in touched for r in entry.get("related", [])):
            out.add(url)
    return out
