"""Pelican publishes nothing from outside its content folder, whatever links lie in it.

The converter reads only what lies in the dumps folder (see ``ingest.inputs``), but
Pelican itself walks ``ARTICLE_PATHS``, ``PAGE_PATHS`` and ``STATIC_PATHS`` following
every symlink: a link in ``content/pages/`` (or ``content/generated/``) to a file or
folder elsewhere on the machine would be published.  Before Pelican reads anything,
each link under the content folder whose target resolves outside it is taken out of
what Pelican reads (a folder through ``*_EXCLUDES``, a file through ``IGNORE_FILES``,
a read path that is itself such a link is dropped), with a warning naming it.
"""

from __future__ import annotations

import glob
import logging
import os
from pathlib import Path
from typing import Any

from . import settings as S
from .ingest.inputs import inside

log = logging.getLogger(__name__)

READ_PATHS = ("ARTICLE_PATHS", "PAGE_PATHS", "STATIC_PATHS")
EXCLUDES = ("ARTICLE_EXCLUDES", "PAGE_EXCLUDES", "STATIC_EXCLUDES")


def outside_links(content: Path) -> list[Path]:
    """Every symlink under ``content`` (not walking into any) that resolves outside it."""
    found = []
    for dirpath, dirs, files in os.walk(content, followlinks=False):
        for name in dirs + files:
            path = Path(dirpath) / name
            if path.is_symlink() and not inside(path, content):
                found.append(path)
    return sorted(found)


def confine(settings: dict[str, Any]) -> list[Path]:
    """Keep Pelican's reading inside ``settings["PATH"]``; returns the links taken out."""
    content = Path(settings["PATH"])
    for key in READ_PATHS:
        kept = []
        for rel in settings.get(key) or []:
            if inside(content / rel, content):
                kept.append(rel)
            else:
                log.warning("news_archive: %s entry %r resolves outside %s; not read", key, rel, content)
        settings[key] = kept
    links = outside_links(content)
    ignores = list(settings.get("IGNORE_FILES") or [])
    dumps = content / S.get(settings, "NEWS_ARCHIVE_DUMPS_DIR")
    for path in links:
        rel = path.relative_to(content).as_posix()
        if not path.is_relative_to(dumps):  # the converter reports those in the build report
            log.warning(
                "news_archive: %s is a symlink to outside the content folder; Pelican will not read it", rel)
        if path.is_dir():
            for key in EXCLUDES:
                have = list(settings.get(key) or [])
                settings[key] = have if rel in have else [*have, rel]
        elif glob.escape(path.name) not in ignores:
            ignores.append(glob.escape(path.name))
    settings["IGNORE_FILES"] = ignores
    return links


def on_initialized(pelican: Any) -> None:
    confine(pelican.settings)
