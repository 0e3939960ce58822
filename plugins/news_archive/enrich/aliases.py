"""The alias table: curated names shipped with the plugin plus the maintainer's file.

Two TOML files, the same shape, the second winning:

* ``enrich/data/aliases.toml`` (shipped): common news entities and their spellings
  (``I.S.``, ``ISIS``, ``Daesh`` → Islamic State), and scraper boilerplate that is
  never a name (``Related Articles``).
* ``content/entities.toml`` (``NEWS_ARCHIVE_ENTITY_FILE``, optional): the archive's own
  ``[[entity]]`` aliases, ``[types]`` overrides, ``[display]`` names and ``[blocklist]``.

Lookups go through :func:`names.key`, so case, dots and accents never split an entity.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..story import ENTITY_TYPES
from .names import key

CURATED = Path(__file__).with_name("data") / "aliases.toml"


class AliasFileError(ValueError):
    """A maintainer file that cannot be used; the message says where and why."""


@dataclass
class AliasTable:
    """Alias key → (canonical name, type), plus overrides, display names and a blocklist."""

    canon: dict[str, tuple[str, str]] = field(default_factory=dict)
    types: dict[str, str] = field(default_factory=dict)  # key of canonical name → type
    display: dict[str, str] = field(default_factory=dict)  # key of canonical name → shown name
    blocked: set[str] = field(default_factory=set)  # keys never treated as entities
    forms: dict[str, list[str]] = field(default_factory=dict)  # key of canonical name → spellings
    matchable: dict[str, str] = field(default_factory=dict)  # spelling found in any text → canonical
    sources: list[str] = field(default_factory=list)
    fingerprint: str = ""  # hash of the files read: cached per-article results depend on them

    def lookup(self, name: str) -> tuple[str, str] | None:
        """(canonical, type) for a surface form, or None when the table does not know it."""
        return self.canon.get(key(name))

    def is_blocked(self, name: str) -> bool:
        return key(name) in self.blocked

    def surface_forms(self, canonical: str) -> list[str]:
        """Every spelling listed for a canonical name (for finding unlabelled mentions)."""
        return self.forms.get(key(canonical), [])

    def add_file(self, path: Path, origin: str) -> None:
        """Merge one TOML file into the table (later files win)."""
        try:
            raw = path.read_bytes()
            data: dict[str, Any] = tomllib.loads(raw.decode("utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise AliasFileError(f"{Path(origin).name}: {exc} ({origin})") from exc
        forms = self.forms
        for n, ent in enumerate(data.get("entity", []), start=1):
            name, etype = ent.get("name"), ent.get("type")
            if not isinstance(name, str) or etype not in ENTITY_TYPES:
                raise AliasFileError(
                    f"[[entity]] #{n} ({name!r}): type {etype!r} is not one of {', '.join(ENTITY_TYPES)} "
                    f"(in {Path(origin).name})"
                )
            spellings = [name, *[a for a in ent.get("aliases", []) if isinstance(a, str)]]
            for alias in spellings:
                self.canon[key(alias)] = (name, etype)
            forms.setdefault(key(name), [])
            forms[key(name)] = list(dict.fromkeys(forms[key(name)] + spellings))
            self.types[key(name)] = etype
            if ent.get("match"):  # distinctive enough to find in any text, tagged or not
                for spelling in ent.get("match") if isinstance(ent.get("match"), list) else spellings:
                    self.matchable[spelling] = name
        for name, etype in data.get("types", {}).items():
            if etype not in ENTITY_TYPES:
                raise AliasFileError(
                    f"[types] {name!r} = {etype!r} is not one of {', '.join(ENTITY_TYPES)} (in {Path(origin).name})"
                )
            self.types[key(name)] = etype
            if key(name) in self.canon:
                canonical, _ = self.canon[key(name)]
                self.types[key(canonical)] = etype
        for name, shown in data.get("display", {}).items():
            self.display[key(name)] = str(shown)
        block = data.get("blocklist", {})
        for name in block.get("names", []) if isinstance(block, dict) else block:
            self.blocked.add(key(name))
        self.sources.append(origin)
        self.fingerprint = hashlib.sha256(self.fingerprint.encode() + raw).hexdigest()


def load_aliases(maintainer_file: str | Path | None = None) -> AliasTable:
    """The curated table, extended by the maintainer's file when it exists."""
    table = AliasTable()
    table.add_file(CURATED, "news_archive/enrich/data/aliases.toml")
    if maintainer_file:
        path = Path(maintainer_file)
        if path.is_file():
            table.add_file(path, str(path))
    return table
