"""Writing build files safely: whole or not at all, and not at all when unchanged.

Caches, state, the build report and generated pages are read by later builds (and the
report by tools); a build killed mid-write must never leave half a file behind, so every
such file is written beside its target and renamed over it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any


def write_atomic(path: str | Path, text: str) -> None:
    """Replace ``path`` with ``text`` (UTF-8) in one rename, creating its folder if needed."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


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
    with open(path, "wb") as fh:
        fh.write(data)
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
    """
    root = os.path.abspath(root)
    removed: list[str] = []
    for rel in before:
        if rel in keep or rel.startswith("..") or os.path.isabs(rel):
            continue
        path = os.path.join(root, rel)
        if os.path.isfile(path):
            os.unlink(path)
            removed.append(rel)
            parent = os.path.dirname(path)
            while parent != root and not os.listdir(parent):
                os.rmdir(parent)
                parent = os.path.dirname(parent)
    return removed
