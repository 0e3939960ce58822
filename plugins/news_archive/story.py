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
from datetime import date, datetime
from typing import Any

# The one home of the entity types and their labels; every other module imports these.
ENTITY_TYPES = ("person", "organisation", "place", "group")
# Each type's label: the heading readers see (entity indexes, search facets) and, as a
# Markdown metadata key, the page's list of those entities ("People: A; B;").
ENTITY_LABELS = {"person": "People", "organisation": "Organisations", "place": "Places", "group": "Groups"}
# The metadata key as Pelican hands it over (it lower-cases keys).
ENTITY_META_KEYS = {kind: label.lower() for kind, label in ENTITY_LABELS.items()}


def iso_date(value: datetime | date | None) -> str:
    """ISO text of a publication date as known: a day stays a day, a time keeps its zone."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    return value.isoformat()


def parse_iso_date(text: str) -> datetime | date:
    """The inverse of ``iso_date``: '2017-11-15' → a date, anything longer → a datetime."""
    return date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)


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
    # A datetime only when the time *and its zone* are known (aware); a date when only
    # the day is (a time without a zone, or a stand-in midnight, says no more than that).
    published: datetime | date | None = None
    date_source: str = ""  # where `published` came from: dump, sidecar, text, …; "" if none
    url: str = ""
    source_id: str = ""  # the record's own id in its export ("id", "guid", …), "" if none
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
    def published_iso(self) -> str:
        """'2017-11-15' for a day, '2017-11-15T04:29:00-05:00' for a time with its zone; '' if undated."""
        return iso_date(self.published)

    @property
    def content_hash(self) -> str:
        """Hash of what makes this story this story (headline and body, normalised)."""
        norm = unicodedata.normalize("NFC", self.headline + "\n" + self.text)
        return hashlib.sha256(norm.encode("utf-8")).hexdigest()

    def to_json(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["published"] = self.published_iso or None
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Story:
        data = dict(data)
        published = data.get("published")
        data["published"] = parse_iso_date(published) if published else None
        ents = []
        for e in data.get("entities", []):
            e = dict(e)
            e["mentions"] = [tuple(m) for m in e.get("mentions", [])]
            ents.append(Entity(**e))
        data["entities"] = ents
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})
