"""Build-time indexing: incremental, written into a fresh directory, swapped atomically.

The live index is ``<work>/index``, a symlink to ``<work>/index.d/<generation>``.  A
build that changes anything hard-links the current generation's immutable segment
files into a new directory (copying everything Whoosh or we rewrite), applies only the
new, changed and removed articles, commits, computes related articles (the pages need
them), and points ``<work>/index.next`` at it.  Only when the pages it refers to have
been written (the article pages: Pelican's ``article_writer_finalized``, sent once the
ArticlesGenerator has written them all; a result links to nothing else) does
:func:`publish` move ``index.next`` over ``index`` with ``os.replace`` (atomic on POSIX):
a search never lists an article whose page is not there yet.  Swapping when the index
was built, before the pages, left a build killed while writing pages with search
pointing at 272 of 300 new articles that 404, and every normal build with a window of
such results; swapping at ``finalized`` kept a new story out of search for the whole
rest of the build (entity and list pages, the static index: half a watch cycle).

A running service keeps reading the old generation until it notices the new symlink; a
build killed or failing at any point before its article pages are all written leaves
the old symlink, and so the old index, serving (the old pages are only deleted at
``finalized``, after the swap); its half-written or unpublished generation is removed by
a later build.  A build that changes nothing writes nothing.

Each generation carries ``manifest.json`` (url → content hash: what is indexed, read
without touching Whoosh's stored text) and ``related.json`` (each article's key
terms and related articles), both written before the swap.

Related lists are a pure function of the archive (``related``), yet a build that changes
a few articles recomputes only the lists those changes can reach (``related.refresh``:
quantised weights, stored top scores), so an incremental build lists exactly what a build
from scratch of the same dumps lists (``bench/build.py --verify``,
tests/test_incremental_equals_scratch.py and tests/test_related_incremental.py compare the
two); a build that changes nothing keeps them.  ``index-stats.json`` splits
the seconds into writing the index and computing related lists (``write_seconds``,
``related_seconds``).
"""

from __future__ import annotations

import gc
import hashlib
import json
import logging
import os
import shutil
import time
from pathlib import Path
from typing import Any

from pelican.utils import sanitised_join
from whoosh import index as windex

from .. import settings as S
from ..build import Build
from ..fileio import read_json, write_json
from . import related as R
from .schema import SCHEMA_VERSION, article_document, make_schema, stored_terms
from .static_tables import spell_terms, spelling_change

log = logging.getLogger(__name__)
MANIFEST = "manifest.json"
RELATED = "related.json"
DELETED_TERMS = "deleted-terms.json"  # the deleted documents' terms by content hash (live.LiveCounts)
VERSION_FILE = "schema-version"
RETIRED_MARKER = "retired"  # touched when a generation stops being live
RETIRED_GRACE_SECONDS = 120  # how long a retired generation is kept for workers still on it
PARALLEL_WRITER_FROM = 2000  # documents added in one go before a 2-process writer pays off


def live_path(settings: dict[str, Any]) -> Path:
    return Path(S.index_dir(settings))


def newest_path(settings: dict[str, Any]) -> Path:
    """This build's generation: the pending one while its pages are being written, else the live one."""
    pending = pending_path(live_path(settings).parent)
    return pending if pending.is_symlink() else live_path(settings)


def _compatible(path: Path | None) -> bool:
    if path is None:
        return False
    marker = path / VERSION_FILE
    return (marker.exists() and marker.read_text().strip() == SCHEMA_VERSION
            and (path / MANIFEST).exists() and windex.exists_in(str(path)))


def _read_json(path: Path) -> Any:
    data = read_json(path)
    return {} if data is None else data


def _clone(current: Path, new: Path) -> None:
    """New generation from the current one: segment files hard-linked (Whoosh never rewrites
    them), tables of contents, locks and our own files copied."""
    new.mkdir()
    for src in current.iterdir():
        dst = new / src.name
        if src.suffix in (".toc", ".json") or "LOCK" in src.name.upper() or src.name == VERSION_FILE:
            shutil.copy2(src, dst)
        else:
            try:
                os.link(src, dst)
            except OSError:
                shutil.copy2(src, dst)


def _new_generation(root: Path, current: Path | None, full: bool) -> Path:
    gens = root / "index.d"
    gens.mkdir(parents=True, exist_ok=True)
    new = gens / f"{time.time_ns()}.building"
    if current is not None and not full and _compatible(current):
        _clone(current, new)
    else:
        new.mkdir()
        windex.create_in(str(new), make_schema())
        (new / VERSION_FILE).write_text(SCHEMA_VERSION)
    return new


def swap_in(live: Path, target: Path) -> None:
    """Point the symlink ``live`` at target atomically."""
    tmp = live.with_name(f".{live.name}-{os.getpid()}")
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    os.symlink(os.path.relpath(target, live.parent), tmp)
    os.replace(tmp, live)


def pending_path(root: Path) -> Path:
    """The generation built for pages not written yet (``<work>/index.next``)."""
    return root / "index.next"


def publish(root: Path) -> str | None:
    """Make the pending generation live (once its pages exist); returns its name, or None."""
    pending = pending_path(root)
    if not pending.is_symlink():
        return None
    target = pending.resolve()
    if not (target.is_dir() and windex.exists_in(str(target))):
        pending.unlink()  # its generation is gone: nothing to publish
        return None
    live = root / "index"
    previous = live.resolve() if live.is_symlink() else None
    os.replace(pending, live)
    if previous is not None and previous.is_dir() and previous != target:
        (previous / RETIRED_MARKER).touch()  # its grace starts now
    _prune(root / "index.d", {target, previous})
    return target.name


def _prune(gens: Path, keep: set[Path | None]) -> None:
    """Remove every generation but ``keep`` (the new live one and the one before it), those
    retired less than ``RETIRED_GRACE_SECONDS`` ago, and abandoned half-builds.

    A service worker goes on answering from the generation it has open until a request
    makes it notice the new symlink and it has opened and warmed the new one; a worker
    that had no request meanwhile may be several generations behind when builds come
    seconds apart (``make watch``).  Whoosh opens a generation's files again for every new
    searcher, so removing one still answering turns the next searches into failures."""
    now = time.time()
    for path in gens.iterdir():
        if not path.is_dir() or path in keep:
            continue
        if path.name.endswith(".building"):
            if _abandoned(path):
                shutil.rmtree(path, ignore_errors=True)
            continue
        try:
            if now - (path / RETIRED_MARKER).stat().st_mtime < RETIRED_GRACE_SECONDS:
                continue
        except OSError:
            pass  # never marked (written before markers, or never live): nobody reads it
        shutil.rmtree(path, ignore_errors=True)


def _abandoned(path: Path) -> bool:
    """A half-built generation whose build process is gone (or is more than a day old)."""
    pid_file = path / "builder.pid"
    try:
        pid = int(pid_file.read_text())
        os.kill(pid, 0)
        return time.time() - pid_file.stat().st_mtime > 86400
    except (OSError, ValueError):
        return True


def document_hash(doc: dict[str, Any]) -> str:
    """Hash of everything indexed for an article: unchanged hash, no re-index.  A
    ``content_hash`` the document already carries is not part of it."""
    fields = {k: v for k, v in doc.items() if k != "content_hash"} if "content_hash" in doc else doc
    return hashlib.sha256(json.dumps(fields, sort_keys=True, default=str).encode()).hexdigest()


def index_documents(root: Path, docs: dict[str, dict[str, Any]], full: bool = False,
                    related_count: int = 5, procs: int | None = None, defer: bool = False) -> dict[str, Any]:
    """Bring the index under ``root`` in line with ``docs`` (url → document with ``content_hash``).

    ``defer``: leave a new generation pending (``index.next``) for :func:`publish` to make
    live once the pages exist (the build); otherwise it goes live at once (tools, benches).
    Returns counts of what changed and ``related``: url → list of ``{"url", "headline"}``.
    """
    started = time.perf_counter()
    live = root / "index"
    root.mkdir(parents=True, exist_ok=True)
    pending = pending_path(root)
    if pending.is_symlink():  # a build that never got to write its pages: never published
        pending.unlink()
    current = live.resolve() if live.is_symlink() and live.resolve().exists() else None
    usable = not full and _compatible(current)
    existing: dict[str, str] = _read_json(current / MANIFEST) if usable and current else {}
    cache: dict[str, dict[str, Any]] = _read_json(current / RELATED) if usable and current else {}
    added = {u for u in docs if u not in existing}
    changed = {u for u in docs if u in existing and existing[u] != docs[u]["content_hash"]}
    removed = set(existing) - set(docs)
    # The lists of the same articles by the same scheme and count, brought up to date by
    # related.refresh; or, when there are none such, all computed again.
    epoch = R.Weights.of(len(existing)).epoch
    if not (cache.get("scheme") == R.SCHEME and cache.get("count") == related_count
            and cache.get("epoch") == epoch and set(cache.get("lists") or {}) == set(existing)):
        cache = {}
    redo = bool(related_count) and bool(added or changed or removed or not cache)
    counts: dict[str, Any] = {"added": len(added), "changed": len(changed), "removed": len(removed),
                              "total": len(docs), "related_computed": 0,
                              "related_rescored": 0}
    # The lists the pages show now, to tell which change (related.refresh updates them in place).
    before = {u: R.shown(e, related_count) for u, e in (cache.get("lists") or {}).items()} if related_count else {}
    if usable and current is not None and not (added or changed or removed or redo):
        target = current  # nothing to do: no new generation, nothing written
    else:
        target = _new_generation(root, current if usable else None, full)
        try:
            (target / "builder.pid").write_text(str(os.getpid()))
            mark = time.perf_counter()
            _write(target, docs, added, changed, removed, procs)
            if usable and current is not None:  # made from the current one: how its spelling words moved
                _spelling_change(target, current, docs, added, changed, removed)
            counts["write_seconds"] = round(time.perf_counter() - mark, 2)
            mark, cpu = time.perf_counter(), time.process_time()
            # write_json writes beside, then renames: never truncating a file another generation links to.
            write_json(target / MANIFEST, {u: d["content_hash"] for u, d in docs.items()})
            if related_count:
                if redo:
                    cache, counts["related_computed"], counts["related_rescored"] = _related(
                        target, current, docs, cache, added, changed, removed, related_count, procs)
                write_json(target / RELATED, cache)
            counts["related_seconds"] = round(time.perf_counter() - mark, 2)
            # This process's CPU time (workers' not counted): comparable on a loaded machine.
            counts["related_cpu_seconds"] = round(time.process_time() - cpu, 2)
            (target / "builder.pid").unlink()
            final = target.with_name(target.name.removesuffix(".building"))
            os.rename(target, final)
            target = final
        except BaseException:
            shutil.rmtree(target, ignore_errors=True)
            raise
        swap_in(pending, target)
        if not defer:
            publish(root)
    related = {u: R.shown(e, related_count) for u, e in (cache.get("lists") or {}).items()} if related_count else {}
    counts["generation"] = target.name
    counts["seconds"] = round(time.perf_counter() - started, 2)
    write_json(root / "index-stats.json", counts)
    counts["related"] = related
    counts["urls"] = added | changed  # whose pages must be written before the generation goes live
    # Unchanged articles whose related list changed (every article when the old lists are unknown).
    counts["relisted"] = {u for u, shown in related.items() if u not in counts["urls"]
                          and before.get(u) != shown}
    return counts


def _related(target: Path, current: Path | None, docs: dict[str, dict[str, Any]], cache: dict[str, Any],
             added: set[str], changed: set[str], removed: set[str], count: int, procs: int | None
             ) -> tuple[dict[str, Any], int, int]:
    """The related lists of ``docs`` in the new generation, how many were computed from
    nothing and how many only scored again (their key terms kept): only those a change can
    reach (``related.refresh``) when the old generation's lists are usable and the archive
    stays in the same size class, else all of them from nothing."""
    epoch = R.Weights.of(len(docs)).epoch
    rescored = 0
    if cache and cache["epoch"] == epoch and current is not None:
        kept = _read_json(target / DELETED_TERMS)  # the current generation's, copied with it
        memo = kept.get("terms") if kept.get("schema") == SCHEMA_VERSION else None
        memo = memo if isinstance(memo, dict) else {}
        lists, computed, rescored = R.refresh(str(target), str(current), docs, cache["lists"], added, changed,
                                              removed, count, procs, memo)
        write_json(target / DELETED_TERMS, {"schema": SCHEMA_VERSION, "terms": memo})
    else:
        lists, computed = R.compute(str(target), docs, sorted(docs), count, procs), len(docs)
    return {"scheme": R.SCHEME, "count": count, "epoch": epoch, "lists": lists}, computed, rescored


def _spelling_change(target: Path, current: Path, docs: dict[str, dict[str, Any]], added: set[str],
                     changed: set[str], removed: set[str]) -> None:
    """``static_tables.spelling_change`` of a generation made from ``current``: the ``spell``
    terms of the old versions taken out (from their stored fields) and of the documents put in."""
    minus: list[set[str]] = []
    if changed or removed:
        ix = windex.open_dir(str(current))
        try:
            with ix.searcher() as s:
                for url in sorted(changed | removed):
                    stored = s.document(url=url)
                    if stored is not None:
                        minus.append(stored_terms(stored, "spell"))
        finally:
            ix.close()
    plus = [spell_terms(docs[url]) for url in sorted(added | changed)]
    spelling_change(str(target), str(current), minus, plus)


def fork_friendly() -> None:
    """Before forking workers: move every object the process holds into the collector's
    permanent generation (``gc.freeze``), so the workers' own collections never write to
    the pages they share with the parent.  Unfrozen they did: at 20,000 stories each of
    Whoosh's two writer processes grew to the parent's size (3 x 1.1 GiB PSS).  Not undone:
    a one-shot build's collector then leaves those objects alone to the end (none is
    garbage: just collected), and a watch cycle unfreezes them when it ends (watch.py)."""
    gc.collect()
    gc.freeze()


def _write(path: Path, docs: dict[str, dict[str, Any]], added: set[str], changed: set[str],
           removed: set[str], procs: int | None) -> None:
    if not (added or changed or removed):
        return
    ix = windex.open_dir(str(path))
    procs = procs or min(os.cpu_count() or 1, 4)
    if len(added) >= PARALLEL_WRITER_FROM and procs > 1 and not (changed or removed):
        fork_friendly()
        writer = ix.writer(procs=procs, multisegment=True, limitmb=128)
    else:
        writer = ix.writer(limitmb=256)
    try:
        for url in sorted(removed | changed):
            writer.delete_by_term("url", url)
        for url in sorted(added | changed):
            writer.add_document(**docs[url])
        writer.commit(optimize=False)
    except BaseException:
        writer.cancel()
        raise
    finally:
        ix.close()


def update_index(settings: dict[str, Any], articles: list[Any], full: bool = False,
                 documents: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """Bring the search index in line with ``articles`` and attach ``article.related``; the
    new generation stays pending until :func:`publish_index` (the pages are not written yet).

    ``documents``: the articles' documents by URL (``schema.article_documents``, shared with
    the static index), made here when not given; each gets its ``content_hash``."""
    docs: dict[str, dict[str, Any]] = {}
    by_url: dict[str, Any] = {}
    for article in articles:
        url = "/" + article.url.lstrip("/")
        doc = documents.get(url) if documents is not None else None
        if doc is None:
            doc = article_document(article)
        if "content_hash" not in doc:  # the static index's start_bundle may have hashed it already
            doc["content_hash"] = document_hash(doc)
        docs[doc["url"]] = doc
        by_url[doc["url"]] = article
    count = int(S.get(settings, "NEWS_ARCHIVE_RELATED_COUNT") or 0)
    root = live_path(settings).parent
    counts = index_documents(root, docs, full=full, related_count=count, defer=True)
    related = counts.pop("related")
    fresh = counts.pop("urls")
    relisted = counts.pop("relisted")
    for url, article in by_url.items():
        article.related = [dict(r) for r in related.get(url, [])[:count]]
    build = Build.of(settings)
    if build is not None:
        build.changed_articles = {id(by_url[u]): by_url[u] for u in fresh if u in by_url}
        build.relisted_articles = {id(by_url[u]): by_url[u] for u in relisted if u in by_url}
    if build is not None and pending_path(root).is_symlink():
        # The pages of the new and changed articles, and any the output lacks: once they are
        # all written, nothing the new generation lists is missing (page_written).
        output = settings.get("OUTPUT_PATH") or "output"
        waiting = set()
        for url, article in by_url.items():
            page = _page_path(output, article, build)
            if page is not None and (url in fresh or not os.path.isfile(page)):
                waiting.add(page)
        build.search_waiting = (root, waiting) if waiting else None
    log.info("news_archive: search index %s", counts)
    return counts


def _page_path(output: str, article: Any, build: Build | None = None) -> str | None:
    """Where the writer puts an article's page (as Pelican's ``_write_file`` names it); with
    ``build``, worked out once per article per build (the indexer and fresh_pages_first both
    ask for every article's, and Pelican formats ``save_as`` anew on each access)."""
    known = build.page_paths.get(id(article)) if build is not None else None
    if known is not None and known[0] is article:
        return known[1]
    save_as = getattr(article, "save_as", None)
    path = os.path.normpath(os.path.abspath(sanitised_join(output, save_as))) if save_as else None
    if build is not None:
        build.page_paths[id(article)] = (article, path)
    return path


def page_written(path: str, context: Any) -> None:
    """A page is written (``content_written``): when it is the last article page the pending
    generation waits for, that generation goes live now, while the ArticlesGenerator still
    writes its lists (the home page, archives, tags) and before the entity and list
    generators: a new story is in search as soon as its page is there.
    :func:`publish_index` at ``article_writer_finalized`` stays as the fallback."""
    build = Build.of(context)
    if build is None or build.search_waiting is None:
        return
    root, waiting = build.search_waiting
    waiting.discard(os.path.normpath(os.path.abspath(path)))
    if not waiting:
        build.search_waiting = None
        name = publish(root)
        if name:
            log.info("news_archive: search index generation %s is live (its article pages are written)", name)


def publish_index(settings: dict[str, Any]) -> str | None:
    """The build's article pages are written: its pending index generation goes live."""
    build = Build.of(settings)
    if build is not None:
        build.search_waiting = None
    name = publish(live_path(settings).parent)
    if name:
        log.info("news_archive: search index generation %s is live", name)
    return name


# Pelican's ArticlesGenerator.generate_articles, whose loop fresh_pages_first repeats in
# another order: sha256 of its source in Pelican 4.12.0 (tests/test_fresh_pages_first.py).
GENERATE_ARTICLES_SHA256 = "5494d418a930a36fd7a5fd52ad5588b39218f1efaba10762eafae9eac4aa94dd"


def fresh_pages_first(generator: Any, generators: list[Any] | None = None) -> None:
    """The article pages that show something new written first: those the pending search
    generation waits for (new and changed stories), then those whose related list changed;
    the same ``write`` calls, only sooner for those, so a new story's page is there, and goes
    into search (``page_written``), before the writer has gone through every newer page (the
    article pages took 1.8-3.7 s of 2,000-story watch cycles on this machine).

    With ``generators`` (Pelican's list, which it writes in the order of) and absolute URLs,
    the other article pages are written last of all, by :class:`ArticlePagesLeft` at the end
    of that list: the lists the new story joins (archives, tags, section fronts, its entities'
    pages) are no longer held back by ~2,000 unchanged article pages.  With relative URLs
    they keep their place (each write leaves its page's ``localsiteurl`` in the shared
    context, which later pages read).

    Bound on this generator only (never Pelican's class), and only when the order cannot
    show: every article has a page of its own (no two share a ``save_as``, which Pelican
    settles by order) and the last article stays last (Pelican leaves what its last write
    put in the shared context)."""
    from itertools import chain
    from types import MethodType

    build = Build.of(generator.settings)
    if build is None:
        return
    waiting = build.search_waiting[1] if build.search_waiting is not None else set()
    output = generator.settings.get("OUTPUT_PATH") or "output"
    every = list(chain(generator.translations, generator.articles, generator.hidden_translations,
                       generator.hidden_articles))
    pages = [_page_path(output, a, build) for a in every]
    if not every or None in pages or len(set(pages)) != len(pages):
        return
    relisted = build.relisted_articles
    searched = [i for i, page in enumerate(pages) if page in waiting]
    first = set(searched) | {i for i, a in enumerate(every) if id(a) in relisted}
    if not first or len(first) == len(every):
        return
    order = [every[i] for i in searched] + [every[i] for i in sorted(first - set(searched))]
    rest = [a for i, a in enumerate(every) if i not in first]
    if generators is None or generator.settings.get("RELATIVE_URLS"):
        if len(every) - 1 in first:
            return
        order, rest = order + rest, []
    if all(a is b for a, b in zip(order, every, strict=False)):
        return  # Pelican's order already, and nothing to move to the end
    generator.generate_articles = MethodType(_articles_in(order), generator)
    if rest:
        generators.append(ArticlePagesLeft(generator, rest))


def _articles_in(order: list[Any]) -> Any:
    """Pelican 4.12's ``ArticlesGenerator.generate_articles`` over ``order`` (see fresh_pages_first)."""
    from pelican import signals

    def generate_articles(self: Any, write: Any) -> None:
        for article in order:
            signals.article_generator_write_article.send(self, content=article)
            write(
                article.save_as,
                self.get_template(article.template),
                self.context,
                article=article,
                category=getattr(article, "category", None),
                override_output=hasattr(article, "override_save_as"),
                url=article.url,
                blog=True,
            )

    return generate_articles


class ArticlePagesLeft:
    """The article pages :func:`fresh_pages_first` moved to the end of the writing: written
    by Pelican's own loop (its ``generate_output``, last in the generators' list) as the
    ArticlesGenerator would have, after every list and entity page.

    Nothing those pages' writing makes is read by another page (absolute URLs: the shared
    context is left as it was), and the pages every other step waits for are written
    before: the search generation's (new and changed stories, and any page the output
    lacks) at ``article_writer_finalized``; the sitemap, the timing log and the stale-page
    pruning run at ``finalized``, after this."""

    def __init__(self, generator: Any, articles: list[Any]) -> None:
        self.generator = generator
        self.articles = articles

    def __repr__(self) -> str:
        return f"<article pages left: {len(self.articles)}>"

    def generate_output(self, writer: Any) -> None:
        from functools import partial

        gen = self.generator
        write = partial(writer.write_file, relative_urls=gen.settings["RELATIVE_URLS"])
        _articles_in(self.articles)(gen, write)
