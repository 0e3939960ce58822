"""Duplicate detection: exact copies and near-copies of the same story become one.

Exact copies share a content hash.  Near-copies (the same wire story scraped twice:
a changed word, a dropped paragraph, another byline) are found with MinHash and
locality-sensitive hashing: each body's word 5-shingles are reduced to a signature of
``NUM_HASHES`` minimum hash values, the signature is cut into ``BANDS`` bands, and only
stories that share a whole band are compared exactly.  That keeps the work about
linear in the number of stories (comparing every pair is quadratic: 200 million
pairs at 20,000 articles).  Hashes are ``zlib.crc32`` and a fixed-seed permutation
family, never Python's salted ``hash()``, so the same archive gives the same answer
on every run and machine.  Two different stories that share only a headline have
different bodies and stay two articles.
"""

from __future__ import annotations

import re
import zlib

import numpy as np

from .story import Story

SHINGLE = 5
NUM_HASHES = 100
BANDS = 25  # 25 bands of 4 rows: pairs above Jaccard ~0.45 become candidates
_PRIME = np.uint64(4294967311)  # a prime just above 2**32
_rng = np.random.default_rng(20191119)
_A = _rng.integers(1, 2**32 - 1, size=NUM_HASHES, dtype=np.uint64)
_B = _rng.integers(0, 2**32 - 1, size=NUM_HASHES, dtype=np.uint64)


def shingles(text: str, size: int = SHINGLE) -> set[int]:
    """crc32 of every run of ``size`` words (case-folded) in the text."""
    tokens = re.findall(r"\w+", text.casefold())
    if len(tokens) < size:
        return {zlib.crc32(" ".join(tokens).encode())} if tokens else set()
    return {zlib.crc32(" ".join(tokens[i : i + size]).encode()) for i in range(len(tokens) - size + 1)}


def signature(shingle_set: set[int]) -> np.ndarray:
    """MinHash signature: for each hash function, the minimum over the shingles."""
    if not shingle_set:
        return np.zeros(NUM_HASHES, dtype=np.uint64)
    x = np.fromiter(shingle_set, dtype=np.uint64, count=len(shingle_set))
    hashed = (np.outer(_A, x) + _B[:, None]) % _PRIME
    return hashed.min(axis=1)


def similar(a: set[int], b: set[int], threshold: float, containment: float) -> bool:
    """Near-copies: high Jaccard overlap, or one (a truncated scrape) inside the other."""
    if not a or not b:
        return False
    inter = len(a & b)
    if inter / (len(a) + len(b) - inter) >= threshold:
        return True
    return inter / min(len(a), len(b)) >= containment and min(len(a), len(b)) >= 20


class Deduplicator:
    """Keeps the first story (by dump path) of each group of near-identical stories."""

    def __init__(self, threshold: float = 0.7, containment: float = 0.85) -> None:
        self.threshold = threshold
        self.containment = containment

    def run(self, stories: list[Story]) -> tuple[list[Story], list[tuple[Story, Story]]]:
        """(kept stories, [(duplicate, the kept story it duplicates)])."""
        kept: list[Story] = []
        dups: list[tuple[Story, Story]] = []
        by_hash: dict[str, Story] = {}
        buckets: dict[tuple[int, bytes], list[int]] = {}
        sets: list[set[int]] = []
        rows = NUM_HASHES // BANDS
        for story in sorted(stories, key=lambda s: s.origin):
            h = story.content_hash
            if h in by_hash:
                dups.append((story, by_hash[h]))
                continue
            sig_set = shingles(story.text)
            sig = signature(sig_set)
            keys = [(b, sig[b * rows : (b + 1) * rows].tobytes()) for b in range(BANDS)]
            match = None
            seen: set[int] = set()
            for key in keys:
                for idx in buckets.get(key, ()):
                    if idx in seen:
                        continue
                    seen.add(idx)
                    if similar(sig_set, sets[idx], self.threshold, self.containment):
                        match = kept[idx]
                        break
                if match is not None:
                    break
            if match is not None:
                dups.append((story, match))
                continue
            by_hash[h] = story
            for key in keys:
                buckets.setdefault(key, []).append(len(kept))
            sets.append(sig_set)
            kept.append(story)
        return kept, dups
