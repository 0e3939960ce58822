"""The static search's side tables, computed from the documents (``static_index`` writes them).

Spelling shards (the archive's words and their story counts, by first letters and, for a
large shard, by length), the letter folding the browser must apply, the dated stories'
order as Pagefind id prefixes, and each facet's values by word in hash buckets.  All are
pure functions of the documents (and, for the order, of the written bundle's ids), so
they are tested without running Pagefind; ``static_index`` documents the files.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections import Counter
from pathlib import Path
from typing import Any

from ..fileio import read_json, write_json
from .schema import spell_analyzer

FACET_NAMES = ("person", "organisation", "place", "group", "tag", "source", "author", "year")
SHARD_PREFIX = 2  # letters a spelling shard is keyed by
SPLIT_BYTES = 8 * 1024  # a spelling shard larger than this is split by word length
BUCKET_BYTES = 8 * 1024  # a facet's word table is split into buckets of about this size
MIN_ID_PREFIX = 4  # hex digits of a Pagefind id the date order names a story by, at least
MIN_WORD = 3  # shorter words are never corrected (as in the service)


SPELLING_MEMO = "static-spelling.json"  # in the work folder: the last index's spelling words
# In a generation the indexer made from the one before: the ``spell`` terms it took out and put
# in (:func:`spelling_change`), so its words are the earlier index's words moved by them.
SPELLING_CHANGE = "spelling-change.json"


def index_key(index_path: str) -> str | None:
    """A digest naming one state of a Whoosh index, or None when it has no table of contents.

    Whoosh never rewrites a segment file: every change (a document added, one deleted)
    commits a new table of contents (``_MAIN_<n>.toc``), which names the segments by
    random ids and holds each segment's deleted documents.  So the TOC files' names and
    bytes determine everything ``LiveCounts`` reads, and with the source of the code that
    counts (this module, ``live.py``) and Whoosh's version they key the spelling words."""
    from ..enrich.memo import code_digest, digest, package_version

    tocs = sorted(Path(index_path).glob("_*.toc"))
    if not tocs:
        return None
    h = hashlib.sha256()
    for toc in tocs:
        h.update(toc.name.encode() + b"\0" + toc.read_bytes() + b"\0")
    here = Path(__file__).parent
    return digest(h.hexdigest(), code_digest(here / "static_tables.py", here / "live.py"),
                  package_version("whoosh-reloaded"))


def spelling_words(index_path: str | None, docs: dict[str, dict[str, Any]], work: str | None = None,
                   kept: dict[Any, Any] | None = None) -> Counter[str]:
    """Word → number of stories it is in: the Whoosh index's ``spell`` terms (of its live
    documents) when the index exists, else the same words counted from the documents with the same analyzer.

    Counting an index's live terms reads every posting of the ``spell`` field (1.8 s of a
    warm build at 2,000 stories), though a warm build leaves the index as it was: so the
    words are memoised by :func:`index_key`, in ``kept`` (``Build.kept``: a watch session's
    memo) and in ``<work>/static-spelling.json`` (one-shot builds), each holding only the
    last index's words."""
    words: Counter[str] = Counter()
    if index_path:
        from whoosh import index as windex

        if windex.exists_in(index_path):
            key = index_key(index_path)
            memo_path = Path(work) / SPELLING_MEMO if work and key else None
            if key and kept is not None and key in kept:
                return Counter(kept[key])
            memo = read_json(memo_path) if memo_path is not None else None
            if not (isinstance(memo, dict) and isinstance(memo.get("key"), str)
                    and isinstance(memo.get("words"), dict)):
                memo = None
            if memo is not None and memo["key"] == key:
                words = Counter(memo["words"])
                _keep(kept, key, words)
                return words
            moved = _moved_words(index_path, kept, memo)
            if moved is not None:
                words = moved
            else:
                from .live import LiveCounts

                ix = windex.open_dir(index_path)
                try:
                    with ix.searcher() as s:  # live documents only: an updated index still counts deleted ones
                        words = LiveCounts(s.reader()).field_frequencies("spell")
                finally:
                    ix.close()
            if key:
                _keep(kept, key, words)
                if memo_path is not None:
                    memo_path.parent.mkdir(parents=True, exist_ok=True)
                    write_json(memo_path, {"key": key, "words": dict(words)})
            return words
    for doc in docs.values():
        words.update(spell_terms(doc))
    return words


def spelling_change(index_path: str, previous: str, minus: list[set[str]], plus: list[set[str]]) -> None:
    """Record in a new generation (``index_path``) how its ``spell`` terms differ from the
    generation it was made from (``previous``): per document taken out, the terms its old
    version held (``schema.stored_terms``), per document put in, its terms; written by the
    indexer, read by :func:`spelling_words` (nothing when ``previous`` has no key)."""
    key = index_key(previous)
    path = Path(index_path) / SPELLING_CHANGE
    if key is None:
        path.unlink(missing_ok=True)
        return
    minus_count: Counter[str] = Counter(t for terms in minus for t in terms)
    plus_count: Counter[str] = Counter(t for terms in plus for t in terms)
    write_json(path, {"from": key, "minus": dict(minus_count), "plus": dict(plus_count)})


def spell_terms(doc: dict[str, Any]) -> set[str]:
    """The ``spell`` terms a document is indexed with (the field's analyzer over its text)."""
    return {t.text for t in spell_analyzer()(doc.get("spell") or "")}


def _moved_words(index_path: str, kept: dict[Any, Any] | None, memo: dict[str, Any] | None) -> Counter[str] | None:
    """The index's spelling words from the earlier generation's (memoised) words and the
    change the indexer recorded (:func:`spelling_change`), or None when either is missing.

    Counting the index's live ``spell`` postings costs ~1.8 s at 2,000 stories; an
    incremental build changes a few documents, and a term's story count is the earlier
    count, less the documents that held it and were taken out, plus those put in."""
    change = read_json(Path(index_path) / SPELLING_CHANGE)
    if not (isinstance(change, dict) and isinstance(change.get("from"), str)
            and isinstance(change.get("minus"), dict) and isinstance(change.get("plus"), dict)):
        return None
    source = change["from"]
    if kept is not None and source in kept:
        words = Counter(kept[source])
    elif memo is not None and memo["key"] == source:
        words = Counter(memo["words"])
    else:
        return None
    words.update(change["plus"])
    words.subtract(change["minus"])
    return Counter({w: n for w, n in words.items() if n > 0})


def _keep(kept: dict[Any, Any] | None, key: str, words: Counter[str]) -> None:
    """Only the last index's words: a watch session's memo must not grow with its cycles."""
    if kept is not None:
        kept.clear()
        kept[key] = dict(words)


def shard_key(word: str) -> str:
    """A shard's file name from a word's first letters (hex code points: any script is safe
    in a URL, and the browser computes the same name)."""
    return "-".join(f"{ord(c):x}" for c in word[:SHARD_PREFIX])


# Letters whose folding the browser must know (spelling/fold.json) (Latin, Greek, Cyrillic, Latin Extended
# Additional): beyond these, the browser keeps a letter as it is.  (A word with a
# combining mark is never corrected: the index splits words there, the script skips it.)
FOLD_RANGES = ((0xC0, 0x250), (0x370, 0x400), (0x400, 0x500), (0x1E00, 0x1F00))


def fold_table() -> dict[str, str]:
    """Letter → what the index's analyzer (Whoosh's ``accent_map``, after lower-casing)
    makes of it, for the browser to fold a query word exactly as the archive's words were
    folded (``Zürich`` → ``zurich``, ``Straße`` → ``strase``): one source, ~5 KB."""
    from whoosh.support.charset import accent_map

    letters = {chr(code) for start, end in FOLD_RANGES for code in range(start, end)}
    letters |= {lower for letter in list(letters) for lower in letter.lower()}  # Ɓ → ɓ, outside the ranges
    table = {}
    for letter in sorted(letters):
        value = accent_map.get(ord(letter))
        if value is not None:
            table[letter] = value if isinstance(value, str) else chr(value)
    return table


def compact_json(data: Any) -> str:
    """JSON as the browser reads it: no spaces, keys sorted (the same table, the same bytes)."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def spelling_shards(words: Counter[str]) -> dict[str, dict[str, int]]:
    """File name (without ``.json``) → the words in it and their story counts.

    Keyed by the first two letters; a shard over ``SPLIT_BYTES`` becomes one file per
    word length (``63-6f.9``): a lookup then fetches its word's length and, only for a
    correction, the lengths within the edit distance, never the whole prefix's words."""
    by_prefix: dict[str, dict[str, int]] = {}
    for word, count in sorted(words.items()):
        if len(word) >= 2:
            by_prefix.setdefault(shard_key(word), {})[word] = count
    shards: dict[str, dict[str, int]] = {}
    for key, table in by_prefix.items():
        if len(compact_json(table).encode()) <= SPLIT_BYTES:
            shards[key] = table
            continue
        for word, count in table.items():
            shards.setdefault(f"{key}.{len(word)}", {})[word] = count
    return shards


def date_order(docs: dict[str, dict[str, Any]]) -> list[str]:
    """The dated stories' URLs, newest first (ties by URL); undated stories are not listed
    (the script puts them last whichever way the reader sorts, as the service does)."""
    dated = [(doc["published"], url) for url, doc in docs.items() if doc.get("published") is not None]
    dated.sort(key=lambda item: item[1])
    dated.sort(key=lambda item: item[0], reverse=True)  # stable: equal times stay in URL order
    return [url for _, url in dated]


def fragment_ids(bundle: Path) -> dict[str, str]:
    """URL → Pagefind's result id (its fragment's name, ``en_45ac6a5``) in a written bundle.

    The id is what ``pagefind.search`` returns for a result before its fragment is
    loaded, so it is what the date order must name stories by."""
    ids = {}
    for path in (bundle / "fragment").glob("*.pf_fragment"):
        data = json.loads(gzip.decompress(path.read_bytes())[len(b"pagefind_dcd"):])
        ids[data["url"]] = path.name.removesuffix(".pf_fragment")
    return ids


def unique_prefixes(ids: list[str]) -> dict[str, str]:
    """Each id's hex part cut to the shortest prefix (at least ``MIN_ID_PREFIX`` digits)
    that no other id starts with: a result whose id starts with it can only be that story."""
    hexes = sorted({i.split("_", 1)[-1] for i in ids})
    out = {}
    for n, h in enumerate(hexes):
        common = 0
        for other in (hexes[n - 1] if n else "", hexes[n + 1] if n + 1 < len(hexes) else ""):
            k = 0
            while k < min(len(h), len(other)) and h[k] == other[k]:
                k += 1
            common = max(common, k)
        out[h] = h[:max(MIN_ID_PREFIX, common + 1)]
    return {i: out[i.split("_", 1)[-1]] for i in ids}


def order_table(urls: list[str], ids: dict[str, str]) -> dict[str, Any]:
    """``order.json``: the dated stories newest first as id prefixes, one string."""
    prefixes = unique_prefixes(list(ids.values()))
    return {"min": MIN_ID_PREFIX, "newest": " ".join(prefixes[ids[url]] for url in urls if url in ids)}


def word_bucket(word: str, buckets: int) -> int:
    """32-bit FNV-1a over the word's code points, modulo ``buckets``: the browser computes
    the same (static-search.js ``bucketOf``) to fetch only the bucket of a query's word."""
    h = 0x811C9DC5
    for c in word:
        h = ((h ^ ord(c)) * 0x01000193) & 0xFFFFFFFF
    return h % buckets


def facet_words(docs: dict[str, dict[str, Any]]) -> dict[str, dict[str, list[str]]]:
    """Facet → folded word → the facet's values with that word (``person`` → ``hekmat`` →
    ["Qari Hekmat"]); words folded as the spelling table's (``spell_analyzer``).  Years are
    not here: ``year:2018`` is a year filter already."""
    fold = spell_analyzer()
    values: dict[str, set[str]] = {}
    for doc in docs.values():
        for name, names in (doc.get("facets") or {}).items():
            if name in FACET_NAMES and name != "year" and any(names):
                values.setdefault(name, set()).update(v for v in names if v)
    out: dict[str, dict[str, list[str]]] = {}
    for name, found in values.items():
        table: dict[str, list[str]] = {}
        for value in sorted(found):
            for word in dict.fromkeys(t.text for t in fold(value)):
                table.setdefault(word, []).append(value)
        out[name] = table
    return out


def facet_buckets(words: dict[str, dict[str, list[str]]]) -> dict[str, Any]:
    """File name (``person.3``) → {word: values}, plus ``index`` → {facet: bucket count}:
    as many buckets per facet as keep each near ``BUCKET_BYTES``."""
    files: dict[str, Any] = {}
    counts = {}
    for name, table in sorted(words.items()):
        n = max(1, -(-len(compact_json(table).encode()) // BUCKET_BYTES))
        counts[name] = n
        for i in range(n):
            files[f"{name}.{i}"] = {}
        for word, vals in table.items():
            files[f"{name}.{word_bucket(word, n)}"][word] = vals
    files["index"] = {"buckets": counts}
    return files


def bundle_of(url: str, bundles: int) -> int:
    """The bundle a story's record goes to: a hash of its URL (the story's identity in both
    indexes), so a story stays in its bundle whatever else is added or removed, and adding
    one story rewrites only the bundle it hashes to."""
    if bundles <= 1:
        return 0
    return int.from_bytes(hashlib.sha256(url.encode("utf-8")).digest()[:8], "big") % bundles


WORD_SHORT = 2  # words this long or shorter live in words/index.json, with every prefix's bundles


def word_tables(words: list[set[str]]) -> dict[str, Any]:
    """``words/``: which bundles hold each of Pagefind's words, for the browser to send a
    query word only to the bundles that answer it as one index would.

    ``words[i]`` is bundle ``i``'s word set (its word chunks' words: Pagefind's stemmed
    forms).  Pagefind matches a term by every word that starts with it and, in an index
    with none, by the longest word the term starts with (a "prefix fallback"): a bundle
    without ``hekmat`` answers ``hekmat`` with its stories of ``he``.  So the browser needs,
    for a stemmed term: which bundles have a word starting with it, and else which have
    the longest word it starts with.  File name (without ``.json``) → {word: bundle mask}:

    * ``index``: ``bundles`` (how many), ``stories`` (the bundles that hold any story),
      ``short`` (words of up to ``WORD_SHORT`` letters),
      ``prefix`` (every 1- and 2-letter prefix → the bundles with a word starting with it),
      ``split`` (the 2-letter keys whose words are filed by 3 letters);
    * one file per word's first 2 letters (``shard_key``), with its longer words; a file
      over ``SPLIT_BYTES`` is filed by the first 3 letters instead, so every word that
      starts with a term of 3+ letters, or that such a term starts with, is in its one file.
    """
    masks: dict[str, int] = {}
    for i, found in enumerate(words):
        for word in found:
            masks[word] = masks.get(word, 0) | (1 << i)
    short: dict[str, int] = {}
    prefix: dict[str, int] = {}
    groups: dict[str, dict[str, int]] = {}
    for word, mask in sorted(masks.items()):
        letters = list(word)
        for n in range(1, min(WORD_SHORT, len(letters)) + 1):
            key = "".join(letters[:n])
            prefix[key] = prefix.get(key, 0) | mask
        if len(letters) <= WORD_SHORT:
            short[word] = mask
        else:
            groups.setdefault(shard_key(word), {})[word] = mask
    files: dict[str, Any] = {}
    split = []
    for key, table in groups.items():
        if len(compact_json(table).encode()) <= SPLIT_BYTES:
            files[key] = table
            continue
        split.append(key)
        for word, mask in table.items():
            third = "-".join(f"{ord(c):x}" for c in list(word)[:3])
            files.setdefault(third, {})[word] = mask
    # The bundles with any story (a bundle can be empty in a small archive): the ones a search by
    # phrase or by filters alone, which every story may match, goes to.
    stories = sum(1 << i for i, found in enumerate(words) if found)
    files["index"] = {"bundles": len(words), "stories": stories, "short": short, "prefix": prefix,
                      "split": sorted(split), "words": len(masks)}
    return files
