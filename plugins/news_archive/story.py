"""The ``Story`` record: the one thing that crosses from ingest to render.

Every format reader produces Stories; enrichment adds entities and tags; the renderer
turns a Story into a Markdown page.  Keeping it a plain dataclass with a JSON round
trip lets the converter cache it per dump and lets the CLI print it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

ENTITY_TYPES = ("person", "organisation", "place", "group")


@dataclass
class Entity:
    """One canonical entity found in a story."""

    name: str  # canonical name, e.g. "Islamic State"
    type: str  # one of ENTITY_TYPES
    display: str = ""  # how the article names it at best, e.g. "Qari Hekmat"
    aliases: list[str] = field(default_factory=list)  # surface forms seen here
    mentions: list[tuple[int, int]] = field(default_factory=list)  # char offsets in text
    sentence: str = ""  # first sentence that mentions it

    @property
    def label(self) -> str:
        return self.display or self.name


@dataclass
class Story:
    """A news story extracted from one dump (or one record of a JSONL dump)."""

    headline: str
    body: list[str]  # paragraphs of plain text
    dek: str = ""
    authors: list[str] = field(default_factory=list)
    byline: str = ""  # the byline as printed, e.g. "by AFP"
    source: str = ""  # agency or publication, e.g. "AFP"
    dateline: str = ""  # place of the dateline, e.g. "MOSCOW"
    published: datetime | None = None
    date_source: str = ""  # where `published` came from: dump, sidecar, text, …; "" if none
    url: str = ""
    language: str = ""
    section: str = ""
    origin: str = ""  # dump path relative to the dumps folder (plus "#N" for records)
    format: str = ""  # scrape-text, page-text, html, json, jsonl
    entities: list[Entity] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    # What the build could not do for this story in full (e.g. NER read only its start);
    # shown in its report entry.  Not part of what the story is (``content_hash``).
    warnings: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        """Plain-text body, paragraphs separated by a blank line."""
        return "\n\n".join(self.body)

    @property
    def content_hash(self) -> str:
        """Hash of what makes this story this story (headline and body, normalised)."""
        norm = unicodedata.normalize("NFC", self.headline + "\n" + self.text)
        return hashlib.sha256(norm.encode("utf-8")).hexdigest()

    def to_json(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["published"] = self.published.isoformat() if self.published else None
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Story:
        data = dict(data)
        published = data.get("published")
        data["published"] = datetime.fromisoformat(published) if published else None
        ents = []
        for e in data.get("entities", []):
            e = dict(e)
            e["mentions"] = [tuple(m) for m in e.get("mentions", [])]
            ents.append(Entity(**e))
        data["entities"] = ents
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})
