"""The static search index: Pagefind's chunked index plus our small side tables, in ``output/``.

On a plain static host nothing can run Whoosh, so ``make html`` also writes what the
browser needs to search by itself (``theme/static/js/static-search.js`` reads it):

* ``output/pagefind/``: a Pagefind index built from the same documents as the Whoosh
  index (``schema.article_document``), handed over in memory with
  ``add_custom_record``, never crawled from HTML.  Each story is one record: its text,
  ``meta`` for drawing a result (headline, date, source) and one Pagefind *filter* per
  facet of ``/search.json`` (the same names: person, organisation, place, group, tag,
  source, author, year).  Every record is given the site's language, so there is one
  index whatever language a story is in (Pagefind otherwise splits by language and
  searches only the page's own).  No Pagefind *sort* key: Pagefind keeps every sort's
  page order in the metadata file every search loads (42 KiB gzipped of the 181 KiB at
  20,000 stories), though only a reader who picks Newest/Oldest needs it.
* ``output/search/order.json``: the dated stories newest first, each named by the
  shortest prefix of its Pagefind result id that no other story's id starts with
  (mostly 4-5 hex digits), fetched only for a date-sorted search; the script sorts
  the results with it, undated stories (not listed) last both ways, as the service does.
* ``output/search/facets/``: each facet's values by their folded words (``person:hekmat``
  → "Qari Hekmat"), in a few hash buckets per facet, so that a ``person:``/``tag:``/…
  term of a query becomes a Pagefind filter, as the service restricts it to that field.
* ``output/search/spelling/``: the archive's words with their document frequencies,
  from the Whoosh index's ``spell`` field (unstemmed, accent-folded words: the same
  table the service's "Did you mean" reads), split by their first two letters so a
  query fetches only the shards of its own words; a shard larger than
  ``SPLIT_BYTES`` is split again by word length (a correction within edit distance 2
  differs in length by at most 2, so nothing is lost), so no lookup fetches a large
  file whatever the archive's vocabulary.  Pagefind has no typo tolerance of its own;
  this table gives the browser the service's corrections.

Pagefind cannot update an index in place, so a build that changes any story writes
the whole index again (bench/search.py measures what that costs); a build that
changes nothing (same records, same words) writes nothing.  The new index is written
beside the live one and moved in file by file, content-hashed chunks first and the
entry files that name them last, so a reader never loads an entry that points at a
chunk not yet there; files of the old index are removed afterwards.
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import json
import logging
import os
import shutil
import time
from collections import Counter
from pathlib import Path
from typing import Any

from ..fileio import read_json, write_atomic_if_changed, write_json
from .schema import spell_analyzer

log = logging.getLogger(__name__)

BUNDLE = "pagefind"
SPELLING = os.path.join("search", "spelling")
ORDER = os.path.join("search", "order.json")
FACET_WORDS = os.path.join("search", "facets")
STATE_FILE = "static-search.json"
# What Pagefind writes that our own script does not use: its UI widgets.
UNUSED = ("pagefind-ui.js", "pagefind-ui.css", "pagefind-component-ui.js", "pagefind-component-ui.css",
          "pagefind-modular-ui.js", "pagefind-modular-ui.css", "pagefind-highlight.js")
# Files that name the others: moved in last.
ENTRY_FILES = ("pagefind-entry.json", "pagefind.js", "pagefind-worker.js")
FACET_NAMES = ("person", "organisation", "place", "group", "tag", "source", "author", "year")
SHARD_PREFIX = 2  # letters a spelling shard is keyed by
SPLIT_BYTES = 8 * 1024  # a spelling shard larger than this is split by word length
BUCKET_BYTES = 8 * 1024  # a facet's word table is split into buckets of about this size
MIN_ID_PREFIX = 4  # hex digits of a Pagefind id the date order names a story by, at least
# One word in every record's metadata (Pagefind 1.5 searches metadata), searched instead of
# Pagefind's filter-only ``search(null)``, which in 1.5.2 fetches every word chunk of the
# index (an empty term matches every chunk's range: 2.1 MiB of 2,095 stories' index for
# one ``person:"…"`` query; Pagefind PR #1317 fixes it after 1.5.2): its one chunk is small.
EVERY = "zzpfall"
# Locations per word-index chunk (Pagefind's default 20,000, set through its
# ``PAGEFIND_UNSTABLE_INDEX_CHUNK_SIZE``): at 20,000 stories a first query's word chunks
# go from median 30 / p95 98 KiB to 10 / 21, for 11 KiB more chunk table in the metadata
# every search loads (bench/results/search-static-*.md).  A Pagefind that ignores the
# variable writes the same index with its default chunks: bigger, never wrong.
INDEX_CHUNK_SIZE = 5000
MIN_WORD = 3  # shorter words are never corrected (as in the service)


def record(doc: dict[str, Any], language: str) -> dict[str, Any]:
    """One Pagefind custom record from one Whoosh document (``schema.make_document``).

    ``content`` is plain text, not HTML: Pagefind puts it into excerpts as it is, and
    the browser script draws excerpts as text (only Pagefind's ``<mark>`` becomes markup).
    No ``sort``: the date order is our own file (``date_order``), fetched only when asked for.
    """
    facets = doc.get("facets") or {}
    published = doc.get("published")
    meta = {"title": doc["headline"], "date": published.date().isoformat() if published else "",
            "source": doc.get("source") or "", "all": EVERY}
    content = "\n\n".join(part for part in (doc["headline"], doc.get("dek") or "", doc.get("body") or "") if part)
    filters = {name: list(facets.get(name) or []) for name in FACET_NAMES if facets.get(name)}
    return {"url": doc["url"], "content": content, "language": language, "meta": meta,
            "filters": filters, "sort": {}}


def spelling_words(index_path: str | None, docs: dict[str, dict[str, Any]]) -> Counter[str]:
    """Word → number of stories it is in: the Whoosh index's ``spell`` terms when the index
    exists, else the same words counted from the documents with the same analyzer."""
    words: Counter[str] = Counter()
    if index_path:
        from whoosh import index as windex

        if windex.exists_in(index_path):
            ix = windex.open_dir(index_path)
            try:
                with ix.searcher() as s:
                    for term, info in s.reader().iter_field("spell"):
                        text = term.decode("utf-8") if isinstance(term, bytes) else term
                        words[text] = info.doc_frequency()
            finally:
                ix.close()
            return words
    fold = spell_analyzer()
    for doc in docs.values():
        words.update({t.text for t in fold(doc.get("spell") or "")})
    return words


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


def _dump(data: Any) -> str:
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
        if len(_dump(table).encode()) <= SPLIT_BYTES:
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
        n = max(1, -(-len(_dump(table).encode()) // BUCKET_BYTES))
        counts[name] = n
        for i in range(n):
            files[f"{name}.{i}"] = {}
        for word, vals in table.items():
            files[f"{name}.{word_bucket(word, n)}"][word] = vals
    files["index"] = {"buckets": counts}
    return files


def digest(records: list[dict[str, Any]], *tables: Any) -> str:
    from importlib.metadata import version

    h = hashlib.sha256()
    h.update(version("pagefind").encode())  # a new Pagefind writes a new index
    h.update(str(INDEX_CHUNK_SIZE).encode())
    for rec in records:
        h.update(json.dumps(rec, sort_keys=True).encode())
    for table in tables:
        h.update(json.dumps(table, sort_keys=True).encode())
    return h.hexdigest()


def _prompt_service() -> Any:
    """Pagefind's service wrapper, answering as soon as the binary does.

    ``pagefind`` 1.5.2's ``PagefindService`` sleeps 0.1 s before reading each reply of
    the binary, so ``add_custom_record`` cannot go faster than 10 records a second
    (20,000 stories: 33 minutes of waiting, measured 30 s for 300 records however many
    are sent at once).  This subclass reads replies as they come, with the same
    protocol (base64 JSON, comma-terminated); if the binary dies, every waiting call
    fails instead of hanging.
    """
    import base64

    from pagefind.service import PagefindService

    class PromptService(PagefindService):  # type: ignore[misc]
        async def launch(self) -> PromptService:
            """As Pagefind's, with the chunk size in the binary's environment (its only way in)."""
            env = {**os.environ}
            env.setdefault("PAGEFIND_UNSTABLE_INDEX_CHUNK_SIZE", str(INDEX_CHUNK_SIZE))
            self._backend = await asyncio.create_subprocess_exec(
                self._bin, "--service", cwd=os.getcwd(), env=env, stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT, limit=2**21)
            self._poll_task = self._loop.create_task(self._wait_for_responses())
            return self

        async def _wait_for_responses(self) -> None:
            try:
                while True:
                    output = await self._backend.stdout.readuntil(b",")
                    resp = json.loads(base64.b64decode(output[:-1]))
                    if not resp:
                        continue
                    payload = resp.get("payload") or {}
                    message_id = resp.get("message_id")
                    if message_id is None and payload.get("original_message"):
                        message_id = json.loads(payload["original_message"]).get("message_id")
                    future = self._responses.get(message_id)
                    if future is None or future.done():
                        continue
                    if payload.get("type") == "Error":
                        future.set_exception(RuntimeError(f"pagefind: {payload.get('message')}"))
                    else:
                        future.set_result(payload)
            except (asyncio.IncompleteReadError, ValueError) as exc:
                for future in self._responses.values():
                    if not future.done():
                        future.set_exception(RuntimeError(f"pagefind stopped answering: {exc}"))

    return PromptService


BATCH = 200  # records in flight at once (the binary reads them in order)


async def _write_pagefind(records: list[dict[str, Any]], target: Path) -> None:
    from pagefind.index import IndexConfig

    service = await _prompt_service()().launch()
    try:
        index = await service.create_index(IndexConfig(output_path=str(target)))
        for start in range(0, len(records), BATCH):
            await asyncio.gather(*(index.add_custom_record(**rec) for rec in records[start:start + BATCH]))
        await index.write_files(str(target))
    finally:
        await service.close()


def _run(coro: Any) -> Any:
    """Run a coroutine to its end from synchronous code, even when this thread already has
    a running event loop (an async host, Playwright's sync API): then in a thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


def _move_in(new: Path, live: Path) -> None:
    """Move the freshly written bundle over the live one: chunks first, entries last, then
    remove what only the old bundle had."""
    files = sorted(p.relative_to(new) for p in new.rglob("*") if p.is_file())
    last = [f for f in files if f.name in ENTRY_FILES]
    for rel in [f for f in files if f not in last] + last:
        dst = live / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        os.replace(new / rel, dst)
    keep = {live / f for f in files}
    if live.exists():
        for path in sorted(live.rglob("*"), reverse=True):
            if path.is_file() and path not in keep:
                path.unlink()
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()
    shutil.rmtree(new, ignore_errors=True)


def _write_tables(files: dict[str, Any], live: Path) -> None:
    """``name`` → data written as ``live/name.json`` (only what changed); files of an
    earlier build that are not in ``files`` are removed."""
    live.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        write_atomic_if_changed(live / f"{name}.json", _dump(data))
    wanted = {f"{name}.json" for name in files}
    for path in live.iterdir():
        if path.is_file() and path.name not in wanted:
            path.unlink()


def _write_spelling(shards: dict[str, dict[str, int]], live: Path) -> None:
    split: dict[str, list[int]] = {}
    for key in shards:
        prefix, _, length = key.partition(".")
        if length:
            split.setdefault(prefix, []).append(int(length))
    files: dict[str, Any] = dict(shards)
    files["index"] = {"shards": sorted(k for k in shards if "." not in k), "prefix": SHARD_PREFIX,
                      "split": {k: sorted(v) for k, v in sorted(split.items())},
                      "min_word": MIN_WORD, "words": sum(map(len, shards.values()))}
    # Fetched only for a query word with a letter beyond ASCII.
    files["fold"] = fold_table()
    _write_tables(files, live)


def remove(output: str, work: str) -> bool:
    """Take down a static index an earlier build wrote (static search turned off): only
    when this project's state file says it wrote one, never someone else's ``pagefind/``."""
    state_path = Path(work) / STATE_FILE
    if not state_path.exists():
        return False
    shutil.rmtree(Path(output) / BUNDLE, ignore_errors=True)
    shutil.rmtree(Path(output) / SPELLING, ignore_errors=True)
    shutil.rmtree(Path(output) / FACET_WORDS, ignore_errors=True)
    (Path(output) / ORDER).unlink(missing_ok=True)
    state_path.unlink()
    return True


def filter_bytes(bundle: Path) -> int:
    """What loading every facet's counts costs a reader (all of Pagefind's filter chunks)."""
    return sum(p.stat().st_size for p in (bundle / "filter").glob("*") if p.is_file())


def build(output: str, work: str, docs: dict[str, dict[str, Any]], language: str,
          index_path: str | None = None) -> dict[str, Any]:
    """Bring ``output/pagefind`` and our tables in ``output/search/`` in line with ``docs``.

    Returns what was done (``written`` false when nothing had changed) and timings.
    """
    started = time.perf_counter()
    out, state_path = Path(output), Path(work) / STATE_FILE
    records = [record(docs[url], language) for url in sorted(docs)]
    shards = spelling_shards(spelling_words(index_path, docs))
    facets = facet_buckets(facet_words(docs))
    order = date_order(docs)
    key = digest(records, shards, facets, order)
    state = read_json(state_path) or {}
    live = out / BUNDLE
    stats: dict[str, Any] = {"records": len(records), "words": sum(map(len, shards.values())),
                             "shards": len(shards), "written": False}
    if state.get("digest") == key and (live / "pagefind-entry.json").exists() \
            and (out / SPELLING / "index.json").exists() and (out / ORDER).exists() \
            and (out / FACET_WORDS / "index.json").exists():
        stats["filter_bytes"] = filter_bytes(live)
        stats["seconds"] = round(time.perf_counter() - started, 2)
        return stats
    new = out / f".{BUNDLE}-{os.getpid()}"
    shutil.rmtree(new, ignore_errors=True)
    try:
        _run(_write_pagefind(records, new))
        for name in UNUSED:
            (new / name).unlink(missing_ok=True)
        ordered = order_table(order, fragment_ids(new))
        _move_in(new, live)
    finally:
        shutil.rmtree(new, ignore_errors=True)
    _write_spelling(shards, out / SPELLING)
    _write_tables(facets, out / FACET_WORDS)
    write_atomic_if_changed(out / ORDER, _dump(ordered))
    stats["written"] = True
    stats["bytes"] = sum(p.stat().st_size for p in live.rglob("*") if p.is_file())
    stats["filter_bytes"] = filter_bytes(live)
    stats["order_bytes"] = (out / ORDER).stat().st_size
    stats["seconds"] = round(time.perf_counter() - started, 2)
    Path(work).mkdir(parents=True, exist_ok=True)
    write_json(state_path, {"digest": key, **stats})
    return stats
