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
its whole bundle again (bench/static_index.py breaks down what that costs); a build that
changes nothing (same records, same words) writes nothing.  With
``NEWS_ARCHIVE_STATIC_BUNDLES`` above 1 the records are split over that many bundles,
``output/pagefind/0/`` …, each story in the one a hash of its URL names (``bundle_of``):
one changed story rewrites one bundle, and the binary holds one bundle in memory at a
time (they are written one after another).  ``output/search/words/`` then says which
bundles hold each of Pagefind's (stemmed) words, for the browser to send a query only to
the bundles that answer it as one index would (``word_tables``; static-search.js).  One
bundle, the default, writes exactly what it always did.  The new index is written
beside the live one and moved in file by file, content-hashed chunks first and the
entry files that name them last, so a reader never loads an entry that points at a
chunk not yet there (a file the live index already holds byte for byte stays as it
is); files of the old index are removed afterwards.  The Pagefind binary is most of
the cost (two thirds of the step's CPU at 2,000 stories), and it is a process of its
own: :func:`start_bundle` begins it from the documents alone, before the Whoosh index is
updated (the spelling tables need that index, the bundle does not), and :func:`start`
then makes the tables and leaves the moving-in to a thread, so the build indexes the
articles and writes their pages on one core while Pagefind writes on the other.
"""

from __future__ import annotations

import asyncio
import filecmp
import hashlib
import json
import logging
import os
import shutil
import threading
import time
import zlib
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..fileio import read_json, write_atomic_if_changed, write_json
from . import pagefind_canon
from .static_tables import (
    FACET_NAMES,
    MIN_WORD,
    SHARD_PREFIX,
    bundle_of,
    compact_json,
    date_order,
    facet_buckets,
    facet_words,
    fold_table,
    fragment_ids,
    index_key,
    order_table,
    spelling_shards,
    spelling_words,
    word_tables,
)

log = logging.getLogger(__name__)

BUNDLE = "pagefind"
SPELLING = os.path.join("search", "spelling")
ORDER = os.path.join("search", "order.json")
FACET_WORDS = os.path.join("search", "facets")
WORDS = os.path.join("search", "words")  # which bundles hold each word: only with several bundles
BUNDLE_CACHE = "static-bundles.json"  # in the work folder: each bundle's result ids and words
STATE_FILE = "static-search.json"
# What Pagefind writes that our own script does not use: its UI widgets.
UNUSED = ("pagefind-ui.js", "pagefind-ui.css", "pagefind-component-ui.js", "pagefind-component-ui.css",
          "pagefind-modular-ui.js", "pagefind-modular-ui.css", "pagefind-highlight.js")
# Files that name the others: moved in last.
ENTRY_FILES = ("pagefind-entry.json", "pagefind.js", "pagefind-worker.js")
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


def inputs_key(docs: dict[str, dict[str, Any]], language: str, index_path: str | None,
               bundles: int = 1) -> str | None:
    """A digest of everything :func:`start` makes the index and tables from, without making
    them: each document's ``content_hash`` (the indexer's digest of all its fields), the
    language, the Whoosh index's state the spelling words come from (``index_key``), the code
    that turns them into files, Pagefind's version and chunk size.  None when a document has
    no ``content_hash`` or the index no key: then the records are made and digested.

    Making the records, spelling shards, facet tables and their digest was ~0.4 s of every
    warm 2,000-story build, to find that nothing had changed."""
    if any("content_hash" not in doc for doc in docs.values()):
        return None
    spelling = ""
    if index_path:
        found = index_key(index_path)
        if found is None:
            return None
        spelling = found
    from importlib.metadata import version

    from ..enrich.memo import code_digest

    here = Path(__file__).parent
    h = hashlib.sha256()
    for part in (version("pagefind"), str(INDEX_CHUNK_SIZE), language, spelling,
                 code_digest(*(here / f for f in ("static_index.py", "static_tables.py", "pagefind_canon.py",
                                                  "schema.py")))):
        h.update(part.encode() + b"\0")
    if bundles > 1:  # one bundle keys as it always did: no rebuild for archives that keep one
        h.update(f"bundles={bundles}\0".encode())
    for url in sorted(docs):
        h.update(f"{url}\0{docs[url]['content_hash']}\0".encode())
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
            env.setdefault("PAGEFIND_UNSTABLE_INDEX_CHUNK_SIZE", str(getattr(self, "chunk_size", INDEX_CHUNK_SIZE)))
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

        async def close(self) -> None:
            """Let the binary finish writing, then see it go: end its input and wait.

            ``write_files`` answers while the binary's last writes are still queued in its
            I/O threads, and Pagefind's own ``close`` then terminates it: under load a file
            of the bundle was left cut short (``pagefind-worker.js`` ending mid-word), which
            the emptiness checks of ``_written`` could not see.  Ended this way the binary
            exits by itself, status 0 — though not always after its last queued write, so
            ``_written`` waits for every file to be whole first, while it is still alive."""
            wait = getattr(self, "wait", EXIT_SECONDS)
            try:
                await asyncio.wait_for(asyncio.gather(*self._responses.values()), timeout=max(60.0, wait))
            finally:
                if self._backend.stdin is not None:
                    self._backend.stdin.close()
                try:
                    code = await asyncio.wait_for(self._backend.wait(), timeout=wait)
                except TimeoutError:
                    self._backend.kill()
                    await self._backend.wait()
                    raise RuntimeError(f"pagefind did not exit within {wait:g} s of its last reply") from None
                finally:
                    self._poll_task.cancel()
            if code != 0:
                raise RuntimeError(f"pagefind exited with status {code}")

    return PromptService


# The binary answering one request, or finishing its queued writes and exiting after its last
# answer (seconds at 20,000 stories under load): ``NEWS_ARCHIVE_PAGEFIND_SECONDS``'s default.
EXIT_SECONDS = 120
IDLE_POLL = 1.0  # seconds between looks at whether a binary that has not answered yet still works


BATCH = 200  # records in flight at once (the binary reads them in order)


async def _write_pagefind(records: list[dict[str, Any]], target: Path, phases: Any = None,
                          chunk_size: int = INDEX_CHUNK_SIZE, wait: float = EXIT_SECONDS) -> None:
    """Pagefind's index of ``records`` written into ``target`` by the binary.

    A request whose answer does not come while the binary uses no CPU for ``wait`` seconds
    (a hung binary, or one that died before its answer was awaited, which Pagefind's wrapper
    would wait for forever) fails the step, with why, for the build to report (the live
    index stays as it was; ``static_pages.write_index``), and the binary is killed at once.
    A binary that is slow but working is waited for: under load (nice 19 beside a
    benchmark, load 18 on two cores) ``write_files`` of 2,000 stories took over 120 s."""
    from pagefind.index import IndexConfig

    lap = phases.lap if phases is not None else (lambda name: None)
    service = _prompt_service()()
    service.chunk_size = chunk_size
    service.wait = wait

    async def answered(step: str, awaitable: Any) -> Any:
        task = asyncio.ensure_future(awaitable)
        backend = service._backend
        used, idle_since = _cpu_seconds(backend.pid), time.monotonic()
        while True:
            try:
                return await asyncio.wait_for(asyncio.shield(task), timeout=min(IDLE_POLL, wait))
            except TimeoutError:
                pass
            if backend.returncode is not None:
                task.cancel()
                raise RuntimeError(f"pagefind exited with status {backend.returncode} before answering {step}")
            now = _cpu_seconds(backend.pid)
            if now != used:
                used, idle_since = now, time.monotonic()
            elif time.monotonic() - idle_since >= wait:
                task.cancel()
                raise RuntimeError(f"pagefind did not answer {step} and did no work for {wait:g} s")

    service = await service.launch()
    try:
        index = await answered("create_index", service.create_index(IndexConfig(output_path=str(target))))
        lap("pagefind_launch")
        for start in range(0, len(records), BATCH):
            await answered("add_custom_record", asyncio.gather(
                *(index.add_custom_record(**rec) for rec in records[start:start + BATCH])))
        lap("pagefind_add")
        await answered("write_files", index.write_files(str(target)))
        lap("pagefind_write_files")
        await _written(target, max(60.0, wait))
        lap("pagefind_written")
        if phases is not None:  # summed (CPU) and the largest (memory) over several bundles' binaries
            pid = service._backend.pid
            phases.seconds["pagefind_cpu"] = round(phases.seconds.get("pagefind_cpu", 0.0) + _cpu_seconds(pid), 2)
            phases.seconds["pagefind_peak_mib"] = max(phases.seconds.get("pagefind_peak_mib", 0.0), _peak_mib(pid))
    except BaseException:
        await _kill(service)  # nothing more is asked of it: no minutes of waiting for a binary gone wrong
        raise
    await service.close()
    lap("pagefind_close")


async def _kill(service: Any) -> None:
    """End a binary that failed a request: killed, reaped, its reader stopped."""
    backend = service._backend
    if backend.returncode is None:
        backend.kill()
    await backend.wait()
    service._poll_task.cancel()
    for future in service._responses.values():
        if not future.done():
            future.cancel()


def _cpu_seconds(pid: int) -> float:
    """CPU seconds a live process has used (Linux ``/proc``; 0 elsewhere): the binary's own
    share of the step, which wall-clock time on a shared machine does not tell."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return round((int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"), 2)
    except (OSError, ValueError, IndexError):
        return 0.0


def _peak_mib(pid: int) -> float:
    """A live process's peak resident memory in MiB (Linux ``VmHWM``; 0 elsewhere): the
    Pagefind binary's, which holds a whole bundle's index while it writes."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except (OSError, ValueError, IndexError):
        pass
    return 0.0


# The scripts and styles Pagefind writes into every bundle, by its version: their sizes.
# ``write_files`` answers, and the binary can exit, while the last chunks of these are still
# queued in its I/O threads; under load a bundle was left with ``pagefind-ui.js`` cut at
# 96 KiB and ``pagefind-component-ui.js`` at 160 KiB, neither empty.  A file has its size
# once it is whole (written in order), so the bundle is waited for until each one does.
# A new Pagefind needs its row (tests/test_pagefind_written.py fails until it has one).
ASSET_SIZES: dict[str, dict[str, int]] = {
    "1.5.2": {
        "pagefind.js": 45555, "pagefind-worker.js": 41255, "pagefind-highlight.js": 44352,
        "pagefind-ui.js": 119987, "pagefind-ui.css": 14482, "pagefind-modular-ui.js": 14634,
        "pagefind-modular-ui.css": 7336, "pagefind-component-ui.js": 175488,
        "pagefind-component-ui.css": 41830,
    },
}


def _assets() -> dict[str, int]:
    from importlib.metadata import version

    return ASSET_SIZES.get(version("pagefind"), {})


def _whole(path: Path, assets: dict[str, int]) -> bool:
    """A file of the bundle is whole: a script or style of its known size, a gzip file (the
    index, fragments, filters, WebAssembly) that decompresses to its end, anything else not
    empty.  Pagefind's gzip files are small (a few KiB each): reading them costs little."""
    if path.name in assets:
        return path.stat().st_size == assets[path.name]
    if not path.stat().st_size:
        return False
    with path.open("rb") as fh:
        if fh.read(2) != b"\x1f\x8b":
            return True
        fh.seek(0)
        unzip = zlib.decompressobj(wbits=31)
        while chunk := fh.read(1 << 16):
            unzip.decompress(chunk, 1 << 20)
            while unzip.unconsumed_tail:
                unzip.decompress(unzip.unconsumed_tail, 1 << 20)
        return unzip.eof


async def _written(target: Path, seconds: float = 60) -> None:
    """Wait until the bundle Pagefind was told to write is all there, while the binary is
    still alive to finish it.

    ``write_files`` answers before the binary has finished writing its last files: closing
    the service then killed it mid-write, and about one build in ten left
    ``pagefind-entry.json`` or ``wasm.*.pagefind`` empty (a static search that never loads);
    non-empty files were cut short too (``ASSET_SIZES``).  Written means: the entry file
    parses, every WebAssembly file it names is there, and every file of the bundle is whole
    (:func:`_whole`).

    The cheap checks come first and the whole bundle (21,000 files at 20,000 stories) is
    walked only once they pass: walking and stat-ing it every 10 ms while Pagefind still
    writes took a core from the binary on a two-core machine.  A walk that finds files not
    yet whole waits and looks again at those only (a file Pagefind has finished stays so)."""
    deadline = time.monotonic() + seconds
    assets = _assets()
    pending: list[Path] | None = None  # the files not yet whole at the last walk, once the entry was
    while time.monotonic() < deadline:
        try:
            if pending is None and _entry_whole(target):
                pending = [p for p in target.rglob("*") if p.is_file()]
                missing = [name for name in assets if not (target / name).is_file()]
                if missing:
                    pending = None  # a script not even begun: Pagefind is still at work
            if pending is not None:
                pending = [p for p in pending if not _whole(p, assets)]
                if not pending:
                    return
        except (OSError, ValueError, KeyError, TypeError, AttributeError, zlib.error):
            pending = None  # a file of the walk went away: Pagefind is still at work, walk again
        await asyncio.sleep(0.01)
    raise RuntimeError(f"pagefind did not finish writing {target} within {seconds:.0f} s")


def _entry_whole(target: Path) -> bool:
    """The entry file parses and names WebAssembly files that are all there, not empty."""
    entry = json.loads((target / "pagefind-entry.json").read_text(encoding="utf-8"))
    wasm = [target / f"wasm.{lang['wasm']}.pagefind" for lang in entry["languages"].values() if lang.get("wasm")]
    return all(path.is_file() and path.stat().st_size for path in wasm)


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
    remove what only the old bundle had.

    A file the live bundle already holds with the very same bytes stays as it is (most of
    them: Pagefind names fragments and chunks by their content, and one changed story
    changes few).  Renaming over an existing file makes ext4 write the new one out at once
    (its ``auto_da_alloc``): replacing all 21,000 files of a 20,000-story bundle took 26 s
    of an incremental build where moving them into an empty folder took 4.5."""
    files = sorted(p.relative_to(new) for p in new.rglob("*") if p.is_file())
    last = [f for f in files if f.name in ENTRY_FILES]
    for rel in [f for f in files if f not in last] + last:
        dst = live / rel
        if _same_file(new / rel, dst):
            continue
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


def _same_file(a: Path, b: Path) -> bool:
    """Both exist with the same bytes (sizes first: most differing files differ there)."""
    try:
        if a.stat().st_size != b.stat().st_size:
            return False
    except OSError:
        return False
    return filecmp.cmp(a, b, shallow=False)


def _write_tables(files: dict[str, Any], live: Path) -> None:
    """``name`` → data written as ``live/name.json`` (only what changed); files of an
    earlier build that are not in ``files`` are removed."""
    live.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        write_atomic_if_changed(live / f"{name}.json", compact_json(data))
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
    shutil.rmtree(Path(output) / WORDS, ignore_errors=True)
    (Path(output) / ORDER).unlink(missing_ok=True)
    state_path.unlink()
    return True


def filter_bytes(bundle: Path) -> int:
    """What loading every facet's counts costs a reader (all of Pagefind's filter chunks)."""
    return sum(p.stat().st_size for p in (bundle / "filter").glob("*") if p.is_file())


class _Phases:
    """Seconds per step of :func:`build` (``stats["phases"]``: bench/static_index.py prints
    them), so that what dominates a rebuild is measured, not guessed."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.seconds[name] = round(self.seconds.get(name, 0.0) + now - self._last, 3)
        self._last = now


def build(output: str, work: str, docs: dict[str, dict[str, Any]], language: str,
          index_path: str | None = None, bundles: int | str = 1) -> dict[str, Any]:
    """Bring ``output/pagefind`` and our tables in ``output/search/`` in line with ``docs``.

    Returns what was done (``written`` false when nothing had changed) and timings.
    """
    return start(output, work, docs, language, index_path, bundles=bundles).result()


# One static index written at a time in a process: a watch cycle whose build failed may
# leave its writer running; the next cycle's waits for it instead of racing it.
_WRITING = threading.Lock()


def bundle_inputs(docs: dict[str, dict[str, Any]], language: str, bundles: int = 1) -> str:
    """A digest of what the Pagefind bundle alone is made from (:func:`inputs_key` without
    the spelling words): each document's ``content_hash``, the language, the code, Pagefind's
    version and chunk size (and the number of bundles, when several)."""
    return inputs_key(docs, language, None, bundles) or ""


def bundle_count(bundles: int | str | None, language: str, stories: int = 0) -> int:
    """The bundles the index is split into: ``NEWS_ARCHIVE_STATIC_BUNDLES`` when a number;
    ``"auto"`` (the default) one per ``STORIES_PER_BUNDLE`` stories, so an archive of up to
    that many writes the one bundle it always did.  One for a site that is not in English:
    the browser routes a query word to the bundles holding it by Pagefind's stem of the
    word, and its script has only Pagefind's English stemmer.

    The count is a function of the stories alone, never of an earlier build's count: an
    incremental build must write what a build from scratch writes (``bench/build.py --verify``)."""
    if bundles is None or (isinstance(bundles, str) and bundles.strip().lower() == "auto"):
        chosen = max(1, min(-(-stories // STORIES_PER_BUNDLE), MAX_BUNDLES))
        return chosen if language == "en" else 1
    try:
        count = max(1, min(int(bundles or 1), MAX_BUNDLES))
    except (TypeError, ValueError):
        log.warning("news_archive: NEWS_ARCHIVE_STATIC_BUNDLES is %r, not a number or \"auto\": taken as auto",
                    bundles)
        return bundle_count("auto", language, stories)
    if count > 1 and language != "en":
        log.warning("news_archive: the static index is kept in one bundle: several bundles need an English site "
                    "(language %r)", language)
        return 1
    return count


# Stories per bundle when the count is chosen ("auto").  The Pagefind binary holds one
# bundle's whole index in memory while it writes it: bench/static_index.py measured its peak
# at 350 MiB for 2,000 stories in one bundle and 134 MiB for three bundles of ~667 (about
# 0.16 MiB a story over ~26 MiB), and the 20,000-story build's single bundle peaked at
# 5.7 GiB PSS (0.29 MiB a story: it grows faster than the stories).  4,000 stories keep a
# bundle near 0.7-1.2 GiB by either figure, within a 2.5 GiB build beside the Python
# process, and leave the 2,000-story archives (the sample, the benchmark) in one bundle.
STORIES_PER_BUNDLE = 4000


MAX_BUNDLES = 30  # a word's bundles are a bit mask in the browser's 32-bit integers


def bundle_chunk_size(bundles: int) -> int:
    """Locations per word chunk in each of ``bundles`` bundles: ``INDEX_CHUNK_SIZE`` shared
    out, so that a word held by every bundle costs a reader about one bundle's chunk in all
    (each bundle holds about 1/``bundles`` of its locations), not one chunk per bundle."""
    return max(500, INDEX_CHUNK_SIZE // bundles)


def bundle_digests(groups: list[list[dict[str, Any]]]) -> list[str]:
    """Each bundle's digest: its records and its chunk size."""
    return [digest(group, {"chunk": bundle_chunk_size(len(groups))}) for group in groups]


def grouped(records: list[dict[str, Any]], bundles: int) -> list[list[dict[str, Any]]]:
    """The records of each bundle (``bundle_of`` their URL), each in URL order as given."""
    groups: list[list[dict[str, Any]]] = [[] for _ in range(bundles)]
    for rec in records:
        groups[bundle_of(rec["url"], bundles)].append(rec)
    return groups


@dataclass
class Ahead:
    """The Pagefind bundle begun before the Whoosh index is updated (:func:`start_bundle`):
    its records, and the folder the binary is writing them into (None: the live bundle was
    made from these very inputs, or static search found nothing to begin)."""

    inputs: str
    records: list[dict[str, Any]]
    folder: Future[Path] | None
    phases: dict[str, float]
    # Several bundles: each bundle's record digest, and the folders of the bundles begun.
    digests: list[str] | None = None
    folders: Future[dict[int, Path]] | None = None


def start_bundle(output: str, work: str, docs: dict[str, dict[str, Any]], language: str,
                 bundles: int | str = 1, wait: float = EXIT_SECONDS) -> Ahead | None:
    """Begin the Pagefind bundle of ``docs`` now, in a folder of its own beside the live one:
    it needs only the documents, not the Whoosh index the spelling tables are read from, so
    the binary works on the other core while the index is updated and related lists are
    computed (seconds of a watch cycle).  :func:`start` takes it over: it moves it in, or
    throws it away when it was not needed after all.  Each document gets its
    ``content_hash`` (``indexer.document_hash``, which the indexer then keeps).  None when
    the live bundle is already this one (nothing is begun).  With several bundles, only
    those whose records changed are begun, one after another (one binary's memory at a time)."""
    from .indexer import document_hash

    bundles = bundle_count(bundles, language, len(docs))
    for doc in docs.values():
        if "content_hash" not in doc:
            doc["content_hash"] = document_hash(doc)
    inputs = bundle_inputs(docs, language, bundles)
    state = read_json(Path(work) / STATE_FILE) or {}
    if state.get("bundle_inputs") == inputs and _complete(Path(output), bundles):
        return None
    phases = _Phases()
    records = [record(docs[url], language) for url in sorted(docs)]
    phases.lap("records")
    if bundles > 1:
        return _start_bundles(Path(output), state, inputs, records, bundles, phases, wait)
    folder: Future[Path] = Future()
    new = Path(output) / f".{BUNDLE}-{os.getpid()}-{time.time_ns()}"

    def write() -> None:
        try:
            _pagefind_into(new, records, phases, wait=wait)
            folder.set_result(new)
        except BaseException as exc:  # noqa: BLE001 - handed to whoever awaits the future
            shutil.rmtree(new, ignore_errors=True)
            folder.set_exception(exc)

    threading.Thread(target=write, name="news-archive-pagefind-ahead").start()
    return Ahead(inputs, records, folder, phases.seconds)


def _start_bundles(out: Path, state: dict[str, Any], inputs: str, records: list[dict[str, Any]], bundles: int,
                   phases: _Phases, wait: float = EXIT_SECONDS) -> Ahead:
    """:func:`start_bundle` for several bundles: the changed ones written in turn by a thread."""
    groups = grouped(records, bundles)
    digests = bundle_digests(groups)
    phases.lap("bundle_digests")
    todo = _changed(out, state, digests)
    folders: Future[dict[int, Path]] = Future()
    stamp = f"{os.getpid()}-{time.time_ns()}"

    def write() -> None:
        done: dict[int, Path] = {}
        try:
            for i in todo:
                new = out / f".{BUNDLE}-{stamp}-{i}"
                _pagefind_into(new, groups[i], phases, bundle_chunk_size(bundles), wait)
                done[i] = new
            folders.set_result(done)
        except BaseException as exc:  # noqa: BLE001 - handed to whoever awaits the future
            for path in done.values():
                shutil.rmtree(path, ignore_errors=True)
            folders.set_exception(exc)

    threading.Thread(target=write, name="news-archive-pagefind-ahead").start()
    return Ahead(inputs, records, None, phases.seconds, digests, folders)


def _changed(out: Path, state: dict[str, Any], digests: list[str]) -> list[int]:
    """The bundles whose live files are not those of ``digests`` (by the last build's state)."""
    before = state.get("bundle_digests") if state.get("bundles") == len(digests) else None
    return [i for i, d in enumerate(digests)
            if not (isinstance(before, list) and i < len(before) and before[i] == d
                    and (out / BUNDLE / str(i) / "pagefind-entry.json").exists())]


def _pagefind_into(new: Path, records: list[dict[str, Any]], phases: _Phases,
                   chunk_size: int = INDEX_CHUNK_SIZE, wait: float = EXIT_SECONDS) -> None:
    """The Pagefind binary's bundle of ``records`` in the folder ``new`` (emptied first), its
    filter files in a stable order and the files the site does not use removed."""
    shutil.rmtree(new, ignore_errors=True)
    _run(_write_pagefind(records, new, phases, chunk_size, wait))
    pagefind_canon.canonicalise(new)  # Pagefind's filter files in a stable order (see there)
    phases.lap("canonicalise")
    for name in UNUSED:
        (new / name).unlink(missing_ok=True)


def _discard(ahead: Ahead | None) -> None:
    """A bundle begun ahead that is not needed: removed once the binary is done with it."""
    if ahead is not None and ahead.folders is not None:
        def remove_all(done: Future[dict[int, Path]]) -> None:
            if done.exception() is None:
                for path in done.result().values():
                    shutil.rmtree(path, ignore_errors=True)

        ahead.folders.add_done_callback(remove_all)
        return
    if ahead is None or ahead.folder is None:
        return
    folder = ahead.folder

    def remove(done: Future[Path]) -> None:
        if done.exception() is None:
            shutil.rmtree(done.result(), ignore_errors=True)

    folder.add_done_callback(remove)


def start(output: str, work: str, docs: dict[str, dict[str, Any]], language: str,
          index_path: str | None = None, kept: dict[Any, Any] | None = None,
          ahead: Ahead | None = None, bundles: int | str = 1,
          wait: float = EXIT_SECONDS) -> Future[dict[str, Any]]:
    """As :func:`build`, but what Pagefind writes is written by a thread of its own: the
    returned future gives :func:`build`'s stats.

    Everything that reads ``docs`` or the Whoosh index (records, spelling, facets, the
    digest) is done here, before returning, so the caller may go on changing its
    articles; what is left is the Pagefind binary (a process of its own, so on a second
    core) and moving its files in, which the build overlaps with writing other pages
    (``__init__.pipeline``: started once the articles are indexed, awaited before the
    search page that needs its figures is written).

    ``ahead``: the bundle :func:`start_bundle` began from the same documents, used instead
    of running the binary now when its inputs are still these.

    ``bundles``: the index in that many Pagefind bundles (``NEWS_ARCHIVE_STATIC_BUNDLES``),
    each story in the one its URL hashes to, each rewritten only when its records change.

    ``wait``: seconds the binary may take to answer a request (``NEWS_ARCHIVE_PAGEFIND_SECONDS``);
    past them, or when it fails, the future fails and the live index is left as it was."""
    started = time.perf_counter()
    phases = _Phases()
    bundles = bundle_count(bundles, language, len(docs))
    out, state_path = Path(output), Path(work) / STATE_FILE
    inputs = inputs_key(docs, language, index_path, bundles)
    if ahead is not None and ahead.inputs != bundle_inputs(docs, language, bundles):
        _discard(ahead)  # begun from other documents
        ahead = None
    future: Future[dict[str, Any]] = Future()
    if inputs is not None:
        with _WRITING:  # an earlier writer still at work has finished before the state is read
            state = read_json(state_path) or {}
            if state.get("inputs") == inputs and _complete(out, bundles):
                _discard(ahead)
                same = {"records": len(docs), "words": state.get("words"), "shards": state.get("shards"),
                        "written": False, "phases": phases.seconds, "filter_bytes": _filter_bytes(out, bundles),
                        "seconds": round(time.perf_counter() - started, 2)}
                if bundles > 1:  # the search page points the browser at the bundles by this count
                    same["bundles"] = bundles
                future.set_result(same)
                return future
    records = ahead.records if ahead is not None else [record(docs[url], language) for url in sorted(docs)]
    phases.lap("records")
    shards = spelling_shards(spelling_words(index_path, docs, work, kept))
    phases.lap("spelling")
    facets = facet_buckets(facet_words(docs))
    order = date_order(docs)
    phases.lap("facets_order")
    key = digest(records, shards, facets, order) if bundles == 1 else digest(records, shards, facets, order,
                                                                             {"bundles": bundles})
    phases.lap("digest")
    stats: dict[str, Any] = {"records": len(records), "words": sum(map(len, shards.values())),
                             "shards": len(shards), "written": False, "phases": phases.seconds}
    if inputs is not None:
        stats["inputs"] = inputs
    stats["bundle_inputs"] = bundle_inputs(docs, language, bundles) if ahead is None else ahead.inputs
    if bundles > 1:
        stats["bundles"] = bundles
    begun = ahead if ahead is not None and (ahead.folder is not None or ahead.folders is not None) else None

    def write() -> None:
        try:
            with _WRITING:
                if bundles > 1:
                    future.set_result(_write_bundles(out, Path(work), state_path, key, records, shards, facets,
                                                     order, stats, phases, started, begun, bundles, wait))
                else:
                    future.set_result(_write(out, Path(work), state_path, key, records, shards, facets, order,
                                             stats, phases, started, begun, wait))
        except BaseException as exc:  # noqa: BLE001 - handed to whoever awaits the future
            future.set_exception(exc)

    with _WRITING:  # an earlier writer still at work has finished before the state is read
        state = read_json(state_path) or {}
        if state.get("digest") == key and _complete(out, bundles):
            _discard(ahead)
            if inputs is not None and state.get("inputs") != inputs:  # the next build need not digest
                write_json(state_path, {**state, "inputs": inputs, "bundle_inputs": stats["bundle_inputs"]})
            stats.pop("inputs", None)
            stats.pop("bundle_inputs", None)
            stats["filter_bytes"] = _filter_bytes(out, bundles)
            stats["seconds"] = round(time.perf_counter() - started, 2)
            future.set_result(stats)
            return future
    threading.Thread(target=write, name="news-archive-pagefind").start()
    return future


def live_stats(output: str, work: str) -> dict[str, Any] | None:
    """What the index a reader is served now is (the last build that wrote one, by its
    state file), or None when none is complete: the search page of a build whose own index
    failed points at it, with the bundle count it was written in, not this build's."""
    out, state = Path(output), read_json(Path(work) / STATE_FILE) or {}
    bundles = int(state.get("bundles") or 1)
    if not state or not _complete(out, bundles):
        return None
    stats = {"records": state.get("records"), "written": False, "filter_bytes": _filter_bytes(out, bundles)}
    if bundles > 1:
        stats["bundles"] = bundles
    return stats


def _complete(out: Path, bundles: int = 1) -> bool:
    """Every file a reader needs first is in place (the index's entry and our tables)."""
    if bundles > 1:
        entries = all((out / BUNDLE / str(i) / "pagefind-entry.json").exists() for i in range(bundles))
        entries = entries and (out / WORDS / "index.json").exists()
    else:
        entries = (out / BUNDLE / "pagefind-entry.json").exists()
    return (entries and (out / SPELLING / "index.json").exists()
            and (out / ORDER).exists() and (out / FACET_WORDS / "index.json").exists())


def _filter_bytes(out: Path, bundles: int) -> int:
    """What loading every facet's counts costs a reader, over all the bundles."""
    if bundles == 1:
        return filter_bytes(out / BUNDLE)
    return sum(filter_bytes(out / BUNDLE / str(i)) for i in range(bundles))


def _write(out: Path, work: Path, state_path: Path, key: str, records: list[dict[str, Any]],
           shards: dict[str, dict[str, int]], facets: dict[str, Any], order: list[str],
           stats: dict[str, Any], phases: _Phases, started: float,
           ahead: Ahead | None = None, wait: float = EXIT_SECONDS) -> dict[str, Any]:
    live = out / BUNDLE
    phases.lap("queued")
    if ahead is not None and ahead.folder is not None:
        new = ahead.folder.result()  # begun before the Whoosh index was updated (start_bundle)
        phases.lap("pagefind_ahead_wait")
        for name, seconds in ahead.phases.items():  # the binary's steps, as when run here
            phases.seconds.setdefault(name, seconds)
    else:
        new = out / f".{BUNDLE}-{os.getpid()}"
    try:
        if ahead is None or ahead.folder is None:
            _pagefind_into(new, records, phases, wait=wait)
        ordered = order_table(order, fragment_ids(new))
        phases.lap("order_table")
        _move_in(new, live)
        phases.lap("move_in")
    finally:
        shutil.rmtree(new, ignore_errors=True)
    _write_spelling(shards, out / SPELLING)
    _write_tables(facets, out / FACET_WORDS)
    write_atomic_if_changed(out / ORDER, compact_json(ordered))
    shutil.rmtree(out / WORDS, ignore_errors=True)  # an earlier build's, in several bundles
    (work / BUNDLE_CACHE).unlink(missing_ok=True)
    phases.lap("tables")
    stats["written"] = True
    stats["bytes"] = sum(p.stat().st_size for p in live.rglob("*") if p.is_file())
    stats["filter_bytes"] = filter_bytes(live)
    stats["order_bytes"] = (out / ORDER).stat().st_size
    phases.lap("sizes")
    stats["seconds"] = round(time.perf_counter() - started, 2)
    work.mkdir(parents=True, exist_ok=True)
    write_json(state_path, {"digest": key, **stats})
    return stats


def _write_bundles(out: Path, work: Path, state_path: Path, key: str, records: list[dict[str, Any]],
                   shards: dict[str, dict[str, int]], facets: dict[str, Any], order: list[str],
                   stats: dict[str, Any], phases: _Phases, started: float, ahead: Ahead | None,
                   bundles: int, wait: float = EXIT_SECONDS) -> dict[str, Any]:
    """:func:`_write` for an index in several bundles (``pagefind/0/`` …): each bundle whose
    records changed is written (or taken from ``ahead``) and moved in as one bundle is
    (chunks first, entry files last), the others are left as they are; then the tables,
    with ``words/`` (which bundles hold each word, :func:`word_tables`) before the date order.

    Each bundle's result ids and words are kept in ``<work>/static-bundles.json`` by its
    record digest, so an unchanged bundle is not read again."""
    phases.lap("queued")
    groups = grouped(records, bundles)
    digests = bundle_digests(groups)
    phases.lap("bundle_digests")
    state = read_json(state_path) or {}
    todo = _changed(out, state, digests)
    begun: dict[int, Path] = {}
    if ahead is not None and ahead.folders is not None:
        got = ahead.folders.result()
        phases.lap("pagefind_ahead_wait")
        for name, seconds in ahead.phases.items():
            phases.seconds.setdefault(name, seconds)
        if ahead.digests == digests:
            begun = got
        else:  # begun from other records: not these bundles
            for path in got.values():
                shutil.rmtree(path, ignore_errors=True)
    cache = read_json(work / BUNDLE_CACHE)
    cache = cache if isinstance(cache, dict) else {}
    kept: dict[str, Any] = {}
    ids: dict[str, str] = {}
    words: list[set[str]] = []
    try:
        for i in range(bundles):
            live = out / BUNDLE / str(i)
            entry = cache.get(str(i))
            if i not in todo and isinstance(entry, dict) and entry.get("digest") == digests[i]:
                kept[str(i)] = entry
            elif i not in todo:
                kept[str(i)] = {"digest": digests[i], "ids": fragment_ids(live), "words": _bundle_words(live)}
            else:
                new = begun.pop(i, None)
                if new is None:
                    new = out / f".{BUNDLE}-{os.getpid()}-{i}"
                    _pagefind_into(new, groups[i], phases, bundle_chunk_size(bundles), wait)
                kept[str(i)] = {"digest": digests[i], "ids": fragment_ids(new), "words": _bundle_words(new)}
                phases.lap("bundle_tables")
                _move_in(new, live)
                phases.lap("move_in")
            ids.update(kept[str(i)]["ids"])
            words.append(set(kept[str(i)]["words"]))
    finally:
        for path in begun.values():
            shutil.rmtree(path, ignore_errors=True)
    _remove_other_bundles(out / BUNDLE, bundles)
    work.mkdir(parents=True, exist_ok=True)
    write_json(work / BUNDLE_CACHE, kept)
    _write_tables(word_tables(words), out / WORDS)
    _write_spelling(shards, out / SPELLING)
    _write_tables(facets, out / FACET_WORDS)
    write_atomic_if_changed(out / ORDER, compact_json(order_table(order, ids)))
    phases.lap("tables")
    stats["written"] = True
    stats["rewritten"] = todo
    stats["bytes"] = sum(p.stat().st_size for p in (out / BUNDLE).rglob("*") if p.is_file())
    stats["filter_bytes"] = _filter_bytes(out, bundles)
    stats["order_bytes"] = (out / ORDER).stat().st_size
    phases.lap("sizes")
    stats["seconds"] = round(time.perf_counter() - started, 2)
    write_json(state_path, {"digest": key, "bundle_digests": digests, **stats})
    return stats


def _bundle_words(bundle: Path) -> list[str]:
    """Every word of a written bundle's word chunks (Pagefind's stemmed forms), sorted."""
    found: set[str] = set()
    for path in (bundle / "index").glob("*.pf_index"):
        found.update(pagefind_canon.index_words(path))
    return sorted(found)


def _remove_other_bundles(root: Path, bundles: int) -> None:
    """What ``pagefind/`` holds besides the bundles ``0`` … ``bundles - 1``: the files of an
    earlier one-bundle index (once every bundle's entry is in place) and bundles beyond the count."""
    wanted = {str(i) for i in range(bundles)}
    for path in sorted(root.iterdir()):
        if path.is_dir() and path.name in wanted:
            continue
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
