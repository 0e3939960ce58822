"""Which section a story is in: its own word first, else its folder, never a guess.

A dump, its ``.meta.json`` sidecar or its folder's manifest may name a ``section``
(ingest puts it on the Story).  Otherwise the folders it lies in decide, through
``NEWS_ARCHIVE_SECTION_FOLDERS`` (folder name, case ignored → section name; the
nearest folder that is listed wins): ``bbc/business/x.txt`` is in "Business" when
``business`` is listed.  A story in no listed folder and without a section of its own
has none: no "News" or "General" is made up.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from . import settings as S


def section_from_folders(origin: str, folders: dict[str, str]) -> str:
    """The section of the nearest listed folder of a dump path ("" when none is listed)."""
    table = {str(k).casefold(): str(v) for k, v in folders.items()}
    for folder in reversed(PurePosixPath(origin.split("#", 1)[0]).parent.parts):
        if folder.casefold() in table:
            return table[folder.casefold()]
    return ""


def assign_sections(stories: list[Any], settings: dict[str, Any]) -> None:
    """Fill in ``section`` from the folder mapping where the story names none (in place)."""
    folders = S.get(settings, "NEWS_ARCHIVE_SECTION_FOLDERS") or {}
    if not folders:
        return
    for story in stories:
        if not story.section:
            story.section = section_from_folders(story.origin, folders)
