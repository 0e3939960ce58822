"""Build-time indexing: incremental, written into a fresh directory, swapped atomically.

The live index is ``<work>/index``, a symlink to ``<work>/index.d/<generation>``.  A
build copies the current generation, applies only the new, changed and removed
articles, commits, and then replaces the symlink with ``os.replace`` (atomic on
POSIX).  A running service keeps reading the old generation until it reopens; a
build killed halfway leaves the old symlink, and so the old index, in place.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import time
from pathlib import Path
from typing import Any

from whoosh import index as windex

from .. import settings as S
from .schema import SCHEMA_VERSION, article_document, make_schema

log = logging.getLogger(__name__)
KEEP_GENERATIONS = 2


def live_path(settings: dict[str, Any]) -> Path:
    return Path(S.index_dir(settings))


def _new_generation(root: Path, current: Path | None, full: bool) -> Path:
    gens = root / "index.d"
    gens.mkdir(parents=True, exist_ok=True)
    new = gens / f"{time.time_ns()}"
    if current is not None and not full and _compatible(current):
        shutil.copytree(current, new)
    else:
        new.mkdir()
        windex.create_in(str(new), make_schema())
        (new / "schema-version").write_text(SCHEMA_VERSION)
    return new


def _compatible(path: Path) -> bool:
    marker = path / "schema-version"
    return marker.exists() and marker.read_text().strip() == SCHEMA_VERSION and windex.exists_in(str(path))


def swap_in(live: Path, target: Path) -> None:
    """Point the live symlink at target atomically."""
    tmp = live.with_name(f".index-{os.getpid()}")
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    os.symlink(os.path.relpath(target, live.parent), tmp)
    os.replace(tmp, live)


def _prune(gens: Path, keep: Path) -> None:
    old = sorted((p for p in gens.iterdir() if p.is_dir() and p != keep), key=lambda p: p.name)
    for path in old[: max(0, len(old) - (KEEP_GENERATIONS - 1))]:
        shutil.rmtree(path, ignore_errors=True)


def document_hash(doc: dict[str, Any]) -> str:
    """Hash of everything indexed for an article: unchanged hash, no re-index."""
    return hashlib.sha256(json.dumps(doc, sort_keys=True, default=str).encode()).hexdigest()


def update_index(settings: dict[str, Any], articles: list[Any], full: bool = False) -> dict[str, int]:
    """Bring the search index in line with ``articles``; returns counts of what changed."""
    started = time.perf_counter()
    live = live_path(settings)
    root = live.parent
    current = live.resolve() if live.is_symlink() and live.resolve().exists() else None
    new = _new_generation(root, current, full)
    ix = windex.open_dir(str(new))
    docs = {("/" + a.url.lstrip("/")): a for a in articles}
    with ix.searcher() as searcher:
        existing = {f["url"]: f.get("content_hash", "") for f in searcher.all_stored_fields()}
    added = changed = removed = 0
    writer = ix.writer(limitmb=256)
    try:
        for url in set(existing) - set(docs):
            writer.delete_by_term("url", url)
            removed += 1
        for url, article in docs.items():
            doc = article_document(article)
            doc["content_hash"] = document_hash(doc)
            if url not in existing:
                writer.add_document(**doc)
                added += 1
            elif existing[url] != doc["content_hash"] or not doc["content_hash"]:
                writer.update_document(**doc)
                changed += 1
        writer.commit(optimize=False)
    except BaseException:
        writer.cancel()
        shutil.rmtree(new, ignore_errors=True)
        raise
    ix.close()
    swap_in(live, new)
    _prune(root / "index.d", new)
    counts = {"added": added, "changed": changed, "removed": removed, "total": len(docs)}
    counts["seconds"] = round(time.perf_counter() - started, 2)  # type: ignore[assignment]
    (root / "index-stats.json").write_text(json.dumps(counts))
    log.info("news_archive: search index %s", counts)
    return counts
