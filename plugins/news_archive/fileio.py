"""Writing build files safely: whole or not at all, and not at all when unchanged.

Caches, state, the build report and generated pages are read by later builds (and the
report by tools); a build killed mid-write must never leave half a file behind, so every
such file is written beside its target and renamed over it.
"""

from __future__ import annotations

import os
from pathlib import Path


def write_atomic(path: str | Path, text: str) -> None:
    """Replace ``path`` with ``text`` (UTF-8) in one rename, creating its folder if needed."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def write_if_changed(path: str, data: bytes) -> bool:
    """Write ``data`` to ``path`` unless the file already holds exactly that; True if written.

    For any build output written outside Pelican's writer (feeds, sitemap): reading and
    comparing an existing file costs a fraction of truncating and rewriting it, and an
    unchanged file keeps its modification time (rsync and HTTP caches notice nothing).
    """
    try:
        with open(path, "rb") as fh:
            if fh.read(len(data) + 1) == data:
                return False
    except OSError:
        pass
    with open(path, "wb") as fh:
        fh.write(data)
    return True
