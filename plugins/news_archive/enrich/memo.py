"""Helpers for the build's derived-data caches (tag phrases, MinHash signatures, entities).

Every such cache is a plain JSON file under ``<work>/cache/`` that a warm build reads
instead of recomputing.  Two rules keep them honest:

* a cache is keyed by everything its values depend on, including the source of the
  code that computes them (:func:`code_digest`), so editing that code can never serve
  a stale result even when nobody remembers to bump a version constant;
* a cache that is missing, truncated or otherwise unreadable is simply not used
  (``fileio.read_json`` returns ``None``) and is rebuilt: it can cost time, never a build.
"""

from __future__ import annotations

import hashlib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path


def digest(*parts: str) -> str:
    """sha256 of the parts, NUL-separated (so ``("ab", "c")`` and ``("a", "bc")`` differ)."""
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()


def code_digest(*modules: str | Path) -> str:
    """sha256 of the source files that compute a cached value (an unreadable one counts by its path)."""
    h = hashlib.sha256()
    for path in modules:
        try:
            h.update(Path(path).read_bytes())
        except OSError:
            h.update(str(path).encode())
        h.update(b"\0")
    return h.hexdigest()


def package_version(name: str) -> str:
    """The installed version of a distribution ('' when it is not installed), without importing it."""
    try:
        return version(name)
    except PackageNotFoundError:
        return ""

