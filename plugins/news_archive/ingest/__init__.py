"""Ingest: turn the bytes of one dump into Stories, or say clearly why not.

``read_dump`` is the single entry point: it decodes, sniffs the format from the
content (not only the extension), dispatches to one reader per format, and applies
sidecar metadata.  Readers raise ``Rejected`` with a reason a maintainer can act on.
"""

from __future__ import annotations

from pathlib import Path

from ..story import Story
from .errors import Rejected
from .sidecar import apply_sidecar, find_sidecar
from .sniff import read_bytes

__all__ = ["Rejected", "read_dump", "is_dump"]

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


def read_dump(path: Path, root: Path, data: bytes | None = None) -> list[Story]:
    """Read one dump file into one or more Stories (a JSONL file holds many)."""
    if data is None:
        data = path.read_bytes()
    rel = path.relative_to(root).as_posix()
    stories = read_bytes(data, name=path.name, origin=rel)
    meta = find_sidecar(path, root)
    for story in stories:
        apply_sidecar(story, meta)
    if not stories:
        raise Rejected("no article found")
    return stories
