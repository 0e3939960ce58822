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

Signatures are cached per body (:class:`SignatureCache`), so a rebuild only shingles
new and changed stories; shingle sets, needed only for candidate pairs, are computed
when a pair needs them, and each candidate pair's verdict is cached by both bodies'
hashes and the thresholds, so a rebuild compares only pairs it has not judged before
(an archive of wire copies has thousands of candidate pairs).
"""

from __future__ import annotations

import base64
import hashlib
import re
import zlib
from pathlib import Path
from typing import Any

import numpy as np

from .enrich.memo import code_digest, digest
from .fileio import read_json, write_json
from .story import Story

SHINGLE = 5
NUM_HASHES = 100
BANDS = 25  # 25 bands of 4 rows: pairs above Jaccard ~0.45 become candidates
_PRIME = np.uint64(4294967311)  # a prime just above 2**32
_rng = np.random.default_rng(20191119)
_A = _rng.integers(1, 2**32 - 1, size=NUM_HASHES, dtype=np.uint64)
_B = _rng.integers(0, 2**32 - 1, size=NUM_HASHES, dtype=np.uint64)
SIGNATURE_CACHE = "minhash.json"


def shingles(text: str, size: int = SHINGLE) -> set[int]:
    """crc32 of every run of ``size`` words (case-folded) in the text."""
    tokens = re.findall(r"\w+", text.casefold())
    if len(tokens) < size:
        return {zlib.crc32(" ".join(tokens).encode())} if tokens else set()
    return {zlib.crc32(" ".join(tokens[i : i + size]).encode()) for i in range(len(tokens) - size + 1)}


# Shingles hashed at once: the hash matrix is NUM_HASHES x this many uint64 (~52 MB),
# whatever the story's length (a 22 MB story hashed whole needed 1.7 GB).
_CHUNK = 1 << 16


def signature(shingle_set: set[int]) -> np.ndarray:
    """MinHash signature: for each hash function, the minimum over the shingles (in chunks)."""
    if not shingle_set:
        return np.zeros(NUM_HASHES, dtype=np.uint64)
    x = np.fromiter(shingle_set, dtype=np.uint64, count=len(shingle_set))
    low = None
    for start in range(0, len(x), _CHUNK):
        hashed = ((np.outer(_A, x[start:start + _CHUNK]) + _B[:, None]) % _PRIME).min(axis=1)
        low = hashed if low is None else np.minimum(low, hashed)
    return low


def similar(a: set[int], b: set[int], threshold: float, containment: float) -> bool:
    """Near-copies: high Jaccard overlap, or one (a truncated scrape) inside the other."""
    if not a or not b:
        return False
    inter = len(a & b)
    if inter / (len(a) + len(b) - inter) >= threshold:
        return True
    return inter / min(len(a), len(b)) >= containment and min(len(a), len(b)) >= 20


class SignatureCache:
    """MinHash signatures in ``<cache>/minhash.json``, by the sha256 of the body they hash.

    Shingling every body was most of the time dedupe took on a rebuild with few or no
    changed dumps.  The file is keyed by the shingle size, the hash family itself (a
    different numpy could draw other permutations from the same seed) and this
    module's source, and holds only the signatures the last run used.
    """

    def __init__(self, cache_dir: str | Path | None) -> None:
        self.path = Path(cache_dir) / SIGNATURE_CACHE if cache_dir else None
        self.version = digest(str(SHINGLE), _A.tobytes().hex(), _B.tobytes().hex(), code_digest(__file__))
        self.stored, self.stored_verdicts = self._load()
        self.used: dict[str, str] = {}
        self.verdicts: dict[str, bool] = {}
        self.missed = False

    def _load(self) -> tuple[dict[str, Any], dict[str, Any]]:
        data = read_json(self.path) if self.path else None
        if not isinstance(data, dict) or data.get("version") != self.version:
            return {}, {}
        sigs, verdicts = data.get("signatures"), data.get("verdicts")
        return (sigs if isinstance(sigs, dict) else {}), (verdicts if isinstance(verdicts, dict) else {})

    @staticmethod
    def key(text: str) -> str:
        """What a body is cached by."""
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def verdict(self, pair: str) -> bool | None:
        """A candidate pair's cached verdict (None: not judged before, or a damaged entry)."""
        found = self.stored_verdicts.get(pair)
        if isinstance(found, bool):
            self.verdicts[pair] = found
            return found
        return None

    def remember(self, pair: str, similar: bool) -> None:
        self.verdicts[pair] = similar
        self.missed = True

    def signature(self, text: str, key: str | None = None) -> np.ndarray:
        """The text's signature, computed only when not cached (or the entry is damaged)."""
        key = key or self.key(text)
        sig = _decode(self.stored.get(key))
        if sig is None:
            sig = signature(shingles(text))
            self.missed = True
        self.used[key] = base64.b64encode(sig.tobytes()).decode("ascii")
        return sig

    def save(self) -> None:
        """Write the signatures this run used, when they differ from the file's."""
        if self.path and (self.missed or self.used.keys() != self.stored.keys()
                          or self.verdicts.keys() != self.stored_verdicts.keys()):
            write_json(self.path, {"version": self.version, "signatures": self.used, "verdicts": self.verdicts})


def _decode(entry: Any) -> np.ndarray | None:
    try:
        sig = np.frombuffer(base64.b64decode(entry, validate=True), dtype=np.uint64)
    except (TypeError, ValueError):
        return None
    return sig if sig.shape == (NUM_HASHES,) else None


class Deduplicator:
    """Keeps the first story (by dump path) of each group of near-identical stories."""

    def __init__(self, threshold: float = 0.7, containment: float = 0.85, cache_dir: str | Path | None = None) -> None:
        self.threshold = threshold
        self.containment = containment
        self.cache_dir = cache_dir

    def run(self, stories: list[Story]) -> tuple[list[Story], list[tuple[Story, Story]]]:
        """(kept stories, [(duplicate, the kept story it duplicates)])."""
        kept: list[Story] = []
        dups: list[tuple[Story, Story]] = []
        by_hash: dict[str, Story] = {}
        buckets: dict[tuple[int, bytes], list[int]] = {}
        sets: dict[int, set[int]] = {}  # shingle sets of kept stories, computed when a candidate needs them
        kept_keys: list[str] = []  # body hashes of kept stories, for the verdict cache
        cache = SignatureCache(self.cache_dir)
        rows = NUM_HASHES // BANDS
        for story in sorted(stories, key=lambda s: s.origin):
            h = story.content_hash
            if h in by_hash:
                dups.append((story, by_hash[h]))
                continue
            text = story.text
            body = cache.key(text)
            sig = cache.signature(text, body)
            keys = [(b, sig[b * rows : (b + 1) * rows].tobytes()) for b in range(BANDS)]
            match = self._match(text, body, keys, buckets, kept, kept_keys, sets, cache)
            if match is not None:
                dups.append((story, match))
                continue
            by_hash[h] = story
            for key in keys:
                buckets.setdefault(key, []).append(len(kept))
            kept.append(story)
            kept_keys.append(body)
        cache.save()
        return kept, dups

    def _match(
        self,
        text: str,
        body: str,
        keys: list[tuple[int, bytes]],
        buckets: dict[tuple[int, bytes], list[int]],
        kept: list[Story],
        kept_keys: list[str],
        sets: dict[int, set[int]],
        cache: SignatureCache,
    ) -> Story | None:
        """The first kept story sharing a band with this one that is really similar to it."""
        own: set[int] | None = None
        seen: set[int] = set()
        for key in keys:
            for idx in buckets.get(key, ()):
                if idx in seen:
                    continue
                seen.add(idx)
                pair = f"{body}:{kept_keys[idx]}:{self.threshold}:{self.containment}"
                verdict = cache.verdict(pair)
                if verdict is None:
                    if own is None:
                        own = shingles(text)
                    if idx not in sets:
                        sets[idx] = shingles(kept[idx].text)
                    verdict = similar(own, sets[idx], self.threshold, self.containment)
                    cache.remember(pair, verdict)
                if verdict:
                    return kept[idx]
        return None


# Fields a kept story takes from a copy of itself when it has none of its own.
COMPLETED_FIELDS = ("authors", "byline", "source", "dek", "dateline", "url", "language", "section")


def complete_from_copies(duplicates: list[tuple[Story, Story]]) -> None:
    """Give each kept story what only its copies know (in place, first copy by dump path wins).

    The copy kept is the first by dump path, which is not the one that knows the most:
    a full-page text dump of a CNBC story lost to its own saved HTML page the writer
    (Natasha Turak) and the publication, which the HTML names.  They are facts about the
    same story, so they are taken from the copy; nothing the kept story says is replaced.
    """
    for dup, original in duplicates:
        for name in COMPLETED_FIELDS:
            if not getattr(original, name) and getattr(dup, name):
                value = getattr(dup, name)
                setattr(original, name, list(value) if isinstance(value, list) else value)
        if original.published is None and dup.published is not None:
            original.published, original.date_source = dup.published, dup.date_source
