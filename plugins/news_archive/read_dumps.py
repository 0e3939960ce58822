"""Read every dump into Stories, each dump's conversion cached by what it depends on.

A dump is converted again only when its bytes, its sidecars, :data:`CONVERTER_VERSION`
or its site's furniture change; otherwise its cached Stories (``<work>/cache/dumps/``)
are read back.  Whatever one dump does becomes its report entry (``guard``).
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from . import settings as S
from .fileio import read_json, write_atomic_if_changed, write_json
from .guard import guard
from .identity import State
from .ingest import Rejected, is_dump, parallel, role_of, site_furniture, text_page_lines
from .ingest.inputs import Found, read_capped, shown, walk
from .ingest.sidecar import sidecar_files
from .report import Entry, Report
from .story import Story

# Bump when ingest or render output changes, so every dump is converted again.
CONVERTER_VERSION = "7"  # 7: a sign-up form and a caption closed by its credit are furniture


def fingerprint(path: Path, data: bytes, root: Path | None = None) -> str:
    h = hashlib.sha256()
    h.update(CONVERTER_VERSION.encode())
    h.update(data)
    for side in sidecar_files(path, root):
        h.update(side.name.encode())
        h.update(side.read_bytes())
    return h.hexdigest()


def list_dumps(root: Path) -> list[Path]:
    """The dumps to read under ``root``: files (or links to files inside it), never followed links."""
    return [f.path for f in walk(root) if not f.refused and is_dump(f.path)]


def list_inputs(root: Path) -> tuple[list[Path], list[Found], list[Path]]:
    """(dumps to read, refused entries, other files: sidecars, manifests, notes, hidden files).

    One walk that follows no link (see ``ingest.inputs``): a refused entry is a symlink
    resolving outside the dumps folder, a symlinked folder, a broken link or a special file.
    """
    dumps, refused, others = [], [], []
    for found in walk(root):
        if found.refused:
            refused.append(found)
        elif is_dump(found.path):
            dumps.append(found.path)
        else:
            others.append(found.path)
    return dumps, refused, others


def _site_lines(path: Path, data: bytes, fp: str, cache_dir: Path, limit: int) -> tuple[str, list[int]] | None:
    """What a text dump contributes to its site's furniture (cached by the dump's bytes)."""
    cached = cache_dir / f"lines-{fp}.json"
    info = read_json(cached)
    if info is None:
        found = text_page_lines(data, path.name, limit)
        info = {"site": found[0], "lines": found[1]} if found else {"site": "", "lines": []}
        write_json(cached, info)
    return (info["site"], info["lines"]) if info["site"] else None


def read_cached(cached: Path, rel: str) -> dict[str, Any] | None:
    """A dump's cached conversion, its stories' origins set to ``rel``.

    The cache is keyed by the dump's bytes, so byte-identical dumps share one entry, written
    by whichever was converted last: read as it was, the first copy's stories came back with
    the second copy's origin (the report listed ``b.txt`` twice, "duplicate of" itself, and
    ``a.txt`` vanished).  Each entry says which dump it was written for (``path``).
    """
    result = read_json(cached)
    if not isinstance(result, dict):
        return None
    written_for = result.get("path")
    if not isinstance(written_for, str):  # written before entries said: their origins say it
        origins = [s.get("origin", "") for s in result.get("stories", [])] + \
                  [o for o, _ in result.get("records_rejected", [])]
        written_for = origins[0].partition("#")[0] if origins else rel
    if written_for != rel:
        def rebase(origin: str) -> str:
            return rel + origin[len(written_for):] if origin.startswith(written_for) else origin

        result["stories"] = [{**s, "origin": rebase(s.get("origin", ""))} for s in result.get("stories", [])]
        result["records_rejected"] = [[rebase(o), r] for o, r in result.get("records_rejected", [])]
    return result


# A dump whose stat signature was taken this soon after its last change is read again next
# time: a write within the file system's timestamp granularity could leave the same
# signature (git's "racily clean" entries).  Also covers clocks coarser than a second.
RACY_NS = 2_000_000_000


def stat_signature(path: Path, root: Path) -> tuple[Any, ...] | None:
    """What changes whenever the dump's bytes, its sidecars' bytes, or which sidecars exist
    change: (device, inode, size, mtime, ctime) of the dump (its link too, when it is one)
    and of each sidecar, by name; None when any of them changed too recently to be trusted
    (:data:`RACY_NS`) or cannot be read."""
    now = time.time_ns()
    sig: list[Any] = []
    try:
        for p in (path, *_sidecar_candidates(path)):
            link, st = os.lstat(p), os.stat(p)
            for s in (link, st):
                if max(s.st_mtime_ns, s.st_ctime_ns) > now - RACY_NS:
                    return None
                sig.append((p.name, s.st_dev, s.st_ino, s.st_size, s.st_mtime_ns, s.st_ctime_ns, s.st_mode))
    except OSError:
        return None
    return tuple(sig)


def _sidecar_candidates(path: Path) -> list[Path]:
    """The files that may be the dump's sidecars (``ingest.sidecar.sidecar_files``) that exist,
    inside the dumps folder or not: a signature over more files than are read changes at least
    as often, and needs no link resolved (``sidecar_files`` resolves each to check it)."""
    out = []
    for p in (path.with_name(path.name + ".meta.json"), path.parent / "manifest.csv", path.parent / "manifest.jsonl"):
        try:
            os.lstat(p)
        except FileNotFoundError:
            continue
        out.append(p)
    return out


# In the dumps cache folder: the memo of :func:`read_all` as the last build left it, so a
# one-shot build too knows an unchanged dump by its signature (``make watch`` keeps it in memory).
SIGNATURES_FILE = "signatures.json"


def _load_signatures(cache_dir: Path) -> dict[Any, Any]:
    """The memo a previous build saved (:func:`_save_signatures`); {} when missing, damaged or
    written for another ``CONVERTER_VERSION`` (its fingerprints would be another version's)."""
    data = read_json(cache_dir / SIGNATURES_FILE)
    memo: dict[Any, Any] = {}
    if not (isinstance(data, dict) and data.get("version") == CONVERTER_VERSION
            and isinstance(data.get("entries"), list)):
        return memo
    try:
        for rel, limit, sig, fp, lines in data["entries"]:
            memo[(rel, limit)] = (tuple(tuple(item) for item in sig), fp,
                                  (lines[0], lines[1]) if lines is not None else None)
    except (TypeError, ValueError, IndexError):
        return {}
    return memo


def _save_signatures(cache_dir: Path, memo: dict[Any, Any]) -> None:
    entries = [[rel, limit, sig, fp, lines] for (rel, limit), (sig, fp, lines) in sorted(memo.items())]
    write_atomic_if_changed(cache_dir / SIGNATURES_FILE,
                            json.dumps({"version": CONVERTER_VERSION, "entries": entries},
                                       ensure_ascii=False, separators=(",", ":")))


def read_all(root: Path, state: State, cache_dir: Path, progress: bool,
             limit: int = S.DEFAULTS["NEWS_ARCHIVE_MAX_DUMP_BYTES"],
             kept: dict[Any, Any] | None = None, processes: int = 1) -> tuple[list[Story], Report]:
    """Read every dump (from cache when unchanged) into stories plus report entries.

    Two passes: first every text dump's lines are counted per site (lines that other
    pages of the same site repeat are furniture: menus, footers, notices), then each
    dump is converted, or taken from the cache when its bytes, its sidecars, the
    converter version and its site furniture are all unchanged.  Both run under the
    guard: whatever one dump does becomes its report entry.  ``limit``: the most bytes
    a dump may hold, inflated (``NEWS_ARCHIVE_MAX_DUMP_BYTES``).

    ``kept`` (``Build.kept``: a watch session's, across cycles) holds, per dump, its
    fingerprint and site lines by its :func:`stat_signature`: a dump whose signature is
    the one it had when last read (and old enough to be trusted) is neither read nor
    hashed again; its bytes are read only if its conversion is not in the cache.

    ``processes``: the dumps to convert (most of a cold build's, few of a warm one's) are
    converted in that many worker processes (``ingest.parallel``), the rest as before.
    """
    report = Report()
    stories: list[Story] = []
    cache_dir.mkdir(parents=True, exist_ok=True)
    dump_paths, refused, others = list_inputs(root)
    report.other_files = [{"path": p.relative_to(root).as_posix(), "role": role_of(p)} for p in others]
    for found in refused:
        report.add(Entry(path=shown(found.path, root), status="rejected", reason=found.refused))
    todo: list[tuple[Path, str, bytes | None, str, tuple[str, list[int]] | None]] = []
    memo = kept if kept is not None else {}
    if not memo:  # a one-shot build, or a watch session's first cycle: the last build's
        memo.update(_load_signatures(cache_dir))
    known: dict[Any, Any] = {}  # this build's entries of the memo: it keeps only the dumps still there
    seen = set()
    show = progress and sys.stderr.isatty() and not os.environ.get("CI")
    paths: Any = dump_paths
    if show:
        from tqdm import tqdm

        paths = tqdm(paths, desc="scanning dumps", unit="dump", leave=False)
    for path in paths:
        rel = path.relative_to(root).as_posix()
        seen.add(rel)
        with guard(report, rel, "reading") as done:
            sig = stat_signature(path, root)
            entry = memo.get((rel, limit))
            data: bytes | None = None
            if sig is not None and entry is not None and entry[0] == sig:
                fp, lines = entry[1], entry[2]
            else:
                data = read_capped(path, root, limit)
                fp = fingerprint(path, data, root)
                lines = _site_lines(path, data, fp, cache_dir, limit)
            if sig is not None:
                known[(rel, limit)] = (sig, fp, lines)
        if done.failed:
            state.dumps.pop(rel, None)
            continue
        todo.append((path, rel, data, fp, lines))
    furniture_of = site_furniture((rel, lines) for _, rel, _, _, lines in todo)
    converted = _convert_in_workers(todo, root, furniture_of, state, limit, processes)
    lost = sum(1 for outcome in converted.values() if outcome[0] == "lost")
    if lost:
        report.notes.append(f"a worker process converting dumps died; {lost} dumps were converted "
                            "in the build process instead")
    iterator: Any = todo
    if show:
        iterator = tqdm(todo, desc="converting dumps", unit="dump")
    for n, (path, rel, data, fp, _) in enumerate(iterator):
        with guard(report, rel, "reading") as done:
            result = _convert_one(path, rel, root, data, fp, furniture_of[rel], state, cache_dir, limit,
                                  converted.pop(n, None))
            if "rejected" in result:
                raise Rejected(result["rejected"])
            found = [Story.from_json(s) for s in result["stories"]]
        if done.failed:
            continue
        for origin, reason in result.get("records_rejected", []):
            report.add(Entry(path=origin, status="rejected", reason=reason))
        stories.extend(found)
    memo.clear()
    memo.update(known)
    _save_signatures(cache_dir, known)
    for gone in set(state.dumps) - seen:
        del state.dumps[gone]
    # Cache entries of dumps that changed or went away are never read again.
    keep = {f"{fp}.json" for fp in state.dumps.values()} | {f"lines-{fp}.json" for _, _, _, fp, _ in todo}
    keep.add(SIGNATURES_FILE)
    for stale in cache_dir.glob("*.json"):
        if stale.name not in keep:
            stale.unlink(missing_ok=True)
    return stories, report



def _keyed(fp: str, furniture: frozenset[int]) -> str:
    """The dumps cache's key of a dump: its fingerprint, and its site's furniture when it has any."""
    if not furniture:
        return fp
    digest = hashlib.sha256(",".join(map(str, sorted(furniture))).encode()).hexdigest()
    return hashlib.sha256((fp + digest).encode()).hexdigest()


def _convert_in_workers(todo: list[tuple[Path, str, bytes | None, str, Any]], root: Path,
                        furniture_of: dict[str, frozenset[int]], state: State, limit: int,
                        processes: int) -> dict[int, parallel.Outcome]:
    """The conversions the dumps cache will not have (by ``state``: a dump whose key is not
    the one it was last converted under), computed in worker processes: by position in
    ``todo``; {} when one process does them (``parallel.convert_all``).  Only dumps whose
    bytes were read this build: one known by its signature is read (and fails) in the parent."""
    picked = [n for n, (_, rel, data, fp, _) in enumerate(todo)
              if data is not None and state.dumps.get(rel) != _keyed(fp, furniture_of[rel])]
    jobs = [(todo[n][0], root, todo[n][2], furniture_of[todo[n][1]], limit) for n in picked]
    found = parallel.convert_all(jobs, processes)  # type: ignore[arg-type]  # data is not None: picked
    return dict(zip(picked, found, strict=True)) if found is not None else {}


def _convert_one(path: Path, rel: str, root: Path, data: bytes | None, fp: str, furniture: frozenset[int],
                 state: State, cache_dir: Path, limit: int,
                 converted: parallel.Outcome | None = None) -> dict[str, Any]:
    """One dump's cached conversion, or a fresh one: ``{"stories", "records_rejected"}`` or ``{"rejected"}``.

    A ``Rejected`` dump is cached like a converted one (its bytes will say the same
    next time); any other exception is not, so the next build tries again.
    ``converted``: a worker's outcome for this dump (:func:`_convert_in_workers`), used
    when the cache has no conversion; an exception it raised is raised here.
    """
    fp = _keyed(fp, furniture)
    cached = cache_dir / f"{fp}.json"
    result = read_cached(cached, rel) if state.dumps.get(rel) == fp else None
    if result is None:
        state.dumps.pop(rel, None)
        if data is None:  # known by its stat signature, but its conversion is not cached (a
            data = read_capped(path, root, limit)  # failed read is this build's entry, never cached)
        if converted is not None and converted[0] == "raised":
            raise converted[1]
        if converted is not None and converted[0] == "done":
            result = converted[1]
        else:
            result = parallel.convert(path, root, data, furniture, limit)
        write_json(cached, {**result, "path": rel})
        state.dumps[rel] = fp
    return result


