"""Source names as readers know them: ``news.bbc.co.uk`` and ``BBC News`` are one source.

Dumps name their source in many ways (a JSON ``source_domain``, an HTML page's site
name, a byline agency).  A shipped table (``data/sources.toml``) maps domains and
spellings to the publication's name; the maintainer's ``content/sources.toml``
(``NEWS_ARCHIVE_SOURCE_FILE``, same shape) extends and overrides it.  A domain matches
with any subdomain (``news.bbc.co.uk`` → ``bbc.co.uk``); a source the table does not
know is kept exactly as the dump gives it, and a story without one gets none: nothing
is guessed from a URL or a folder.
"""

from __future__ import annotations

import logging
import os
import re
import tomllib
from pathlib import Path
from typing import Any

from . import settings as S

log = logging.getLogger(__name__)

SHIPPED = Path(__file__).with_name("data") / "sources.toml"
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://", re.I)


def _read(path: Path) -> dict[str, str]:
    """``[sources]`` of one table; a damaged maintainer file is reported and ignored."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        log.warning("news_archive: ignoring source table %s: %s", path, exc)
        return {}
    table = data.get("sources", {})
    return {key_of(str(k)): str(v).strip() for k, v in table.items() if isinstance(v, str) and v.strip()}


def key_of(source: str) -> str:
    """How a source is looked up: case folded, no scheme, ``www.``, path or port."""
    text = _SCHEME.sub("", source.strip()).casefold()
    if " " not in text and "." in text:  # a domain or a URL
        text = text.split("/", 1)[0].split(":", 1)[0].removeprefix("www.")
    return text.strip().rstrip(".")


class SourceTable:
    """Domain/spelling → publication name, the maintainer's entries over the shipped ones."""

    def __init__(self, entries: dict[str, str]) -> None:
        self.entries = entries

    @classmethod
    def for_settings(cls, settings: dict[str, Any]) -> SourceTable:
        entries = _read(SHIPPED)
        name = S.get(settings, "NEWS_ARCHIVE_SOURCE_FILE")
        if name and "PATH" in settings:
            entries.update(_read(Path(os.path.abspath(settings["PATH"])) / name))
        return cls(entries)

    def name(self, source: str) -> str:
        """The publication's name for ``source``, or ``source`` itself when unknown."""
        key = key_of(source)
        if not key:
            return source
        if key in self.entries:
            return self.entries[key]
        parts = key.split(".")
        if " " not in key and len(parts) > 2:
            for i in range(1, len(parts) - 1):  # news.bbc.co.uk → bbc.co.uk → co.uk (never a TLD)
                hit = self.entries.get(".".join(parts[i:]))
                if hit:
                    return hit
        return source


def normalise_sources(stories: list[Any], settings: dict[str, Any]) -> None:
    """Give every story's ``source`` the publication's name (in place)."""
    table = SourceTable.for_settings(settings)
    for story in stories:
        if story.source:
            story.source = table.name(story.source)
