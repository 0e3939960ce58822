"""Writing build files safely: whole or not at all, and not at all when unchanged.

Caches, state, the build report and generated pages are read by later builds (and the
report by tools); a build killed mid-write must never leave half a file behind, so every
such file is written beside its target and renamed over it.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

# The temporary file beside a target while it is written: ``.<name>.<pid>.tmp``.
_TEMP_RE = re.compile(r"^\..+\.(\d+)\.tmp$")


def temp_name(path: Path) -> Path:
    """Where ``path`` is written before the rename (hidden: no server or reader lists it)."""
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


def write_bytes_atomic(path: str | Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` in one rename, creating its folder if needed.

    A reader (the web server, the next build) sees the old file or the new one, never
    half of one; a build killed mid-write leaves a temporary file behind, which the next
    build removes (:func:`remove_stale_temps`).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_name(path)
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def write_atomic(path: str | Path, text: str) -> None:
    """Replace ``path`` with ``text`` (UTF-8) in one rename, creating its folder if needed."""
    write_bytes_atomic(path, text.encode("utf-8"))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # somebody else's live process
        return True
    return True


def remove_stale_temps(root: str | Path) -> list[str]:
    """Delete the temporary files under ``root`` left by writers that are gone; returns them.

    Called by a build that holds the build lock (so no other build is writing here): a
    temp file whose pid is dead is from an interrupted write, and so is one with this
    process's pid (an earlier build of ``pelican --autoreload`` that failed mid-write).
    """
    removed: list[str] = []
    own = os.getpid()
    for folder, _, files in os.walk(root):
        for name in files:
            m = _TEMP_RE.match(name)
            if m and (int(m.group(1)) == own or not _alive(int(m.group(1)))):
                path = os.path.join(folder, name)
                try:
                    os.unlink(path)
                except FileNotFoundError:
                    continue
                removed.append(os.path.relpath(path, root))
    return sorted(removed)


def holds(path: str | Path, data: bytes) -> bool:
    """Whether the file already holds exactly ``data`` (False when it cannot be read)."""
    try:
        with open(path, "rb") as fh:
            return fh.read(len(data) + 1) == data
    except OSError:
        return False


def write_if_changed(path: str, data: bytes) -> bool:
    """Write ``data`` to ``path`` unless the file already holds exactly that; True if written.

    For any build output written outside Pelican's writer (feeds, sitemap): reading and
    comparing an existing file costs a fraction of truncating and rewriting it, and an
    unchanged file keeps its modification time (rsync and HTTP caches notice nothing).
    """
    if holds(path, data):
        return False
    write_bytes_atomic(path, data)  # a reader never sees a half-written page or feed
    return True


def write_atomic_if_changed(path: str | Path, text: str) -> bool:
    """:func:`write_atomic`, unless the file already holds ``text``; True if written.

    For build files later steps read back (a rename, never a truncated file), which an
    unchanged build should leave alone, modification time included.
    """
    if holds(path, text.encode("utf-8")):
        return False
    write_atomic(path, text)
    return True


def read_json(path: Path) -> Any:
    """A cache or state file's content, or None when it is missing or unreadable."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None


def write_json(path: Path, data: Any) -> None:
    """Write a JSON build file whole or not at all (a killed build leaves the old one)."""
    write_atomic(path, json.dumps(data, ensure_ascii=False, separators=(",", ":")))


def remove_stale(root: str, before: Iterable[str], keep: set[str]) -> list[str]:
    """Delete the files a previous build wrote under ``root`` (paths relative to it) that
    this build did not (``keep``), and folders that leaves empty; returns what was deleted.

    A path leading outside ``root`` is never touched, nor is any file nobody listed.
    A file or folder already gone (deleted by hand, or by anything else meanwhile) is no
    error: what is wanted is that it is not there.
    """
    root = os.path.abspath(root)
    removed: list[str] = []
    for rel in before:
        if rel in keep or rel.startswith("..") or os.path.isabs(rel):
            continue
        path = os.path.join(root, rel)
        if not os.path.isfile(path):
            continue
        try:
            os.unlink(path)
        except FileNotFoundError:
            continue
        removed.append(rel)
        parent = os.path.dirname(path)
        while parent != root:
            try:
                os.rmdir(parent)  # only ever succeeds on an empty folder
            except OSError:  # not empty, or already gone
                break
            parent = os.path.dirname(parent)
    return removed
