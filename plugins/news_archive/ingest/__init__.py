"""Ingest: turn the bytes of one dump into Stories, or say clearly why not.

``read_dump`` is the single entry point: it decodes, sniffs the format from the
content (not only the extension), dispatches to one reader per format, and applies
sidecar metadata.  Readers raise ``Rejected`` with a reason a maintainer can act on.

Text dumps of one site share furniture (menus, footers): ``text_page_lines`` is what
one dump contributes and ``site_furniture`` what a batch of them makes of it, the
``furniture`` each dump is then read with.
"""

from __future__ import annotations

from pathlib import Path

from ..story import Story
from .bounds import out_of_bounds
from .errors import Rejected, RejectedRecord
from .furniture import is_furniture, not_article, strip_furniture
from .inputs import read_capped
from .sidecar import apply_sidecar, find_sidecar
from .site_furniture import site_furniture
from .sniff import DEFAULT_LIMIT, read_bytes, text_page_lines

__all__ = [
    "Rejected", "RejectedRecord", "read_dump", "is_dump", "role_of", "text_page_lines", "site_furniture",
    "is_furniture", "not_article", "strip_furniture",
]

# Files in the dumps folder that describe other dumps rather than being dumps.
SIDECAR_SUFFIXES = (".meta.json",)
MANIFEST_NAMES = ("manifest.csv", "manifest.jsonl")
# Notes that travel with a batch of dumps (licences, read-mes) are not dumps.
NOTE_PREFIXES = ("license", "licence", "readme", "notice", "copying")


def is_dump(path: Path) -> bool:
    """True for files that are dumps (not sidecars, manifests or hidden files)."""
    name = path.name
    if name.startswith(".") or name.lower().startswith(NOTE_PREFIXES):
        return False
    if name.endswith(SIDECAR_SUFFIXES) or name in MANIFEST_NAMES:
        return False
    return True


def role_of(path: Path) -> str:
    """What a file in the dumps folder that is not a dump is there for."""
    name = path.name
    if name.startswith("."):
        return "hidden"
    if name.endswith(SIDECAR_SUFFIXES):
        return "sidecar"
    if name in MANIFEST_NAMES:
        return "manifest"
    return "note" if name.lower().startswith(NOTE_PREFIXES) else ""


def read_dump(path: Path, root: Path, data: bytes | None = None,
              furniture: frozenset[int] | None = None, limit: int | None = None) -> list[Story | RejectedRecord]:
    """Read one dump file into Stories (a JSON array or JSONL file holds many).

    A multi-record dump also yields a ``RejectedRecord`` for each record that has no
    article, so one bad line never costs the good ones.  A dump with nothing usable
    at all raises ``Rejected``.  ``furniture``: keys of lines that other pages of a
    text dump's site repeat (``site_furniture`` of every dump's ``text_page_lines``).
    ``limit``: most bytes the dump may hold, inflated (``NEWS_ARCHIVE_MAX_DUMP_BYTES``; the default when None).
    """
    limit = DEFAULT_LIMIT if limit is None else limit
    if data is None:
        data = read_capped(path, root, limit)
    rel = path.relative_to(root).as_posix()
    results = read_bytes(data, name=path.name, origin=rel, furniture=furniture, limit=limit)
    if not results:
        raise Rejected("no article found")
    meta = find_sidecar(path, root)
    for story in results:
        if isinstance(story, Story):
            apply_sidecar(story, meta)
    return [out_of_bounds(s) or s if isinstance(s, Story) else s for s in results]
