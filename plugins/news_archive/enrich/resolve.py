"""From raw NER spans to canonical entities: per article, then once across the archive.

The raw model's output is not something an editor would sign: it tags ``Daesh`` and
``I.S.`` as places, ``Hekmat`` once as an organisation, ``the Haqqani Network`` as a
facility, headline words (``Afghanistan Airstrike``) as organisations.  Two passes
fix that, both linear in the number of mentions:

1. :func:`.article_pass.resolve_article` (one article at a time): trim each span to the
   name in it, drop what is not a name, look names up in the alias table, split off
   honorifics (``Qari`` is shown, never part of the key) — the span-to-mention step of
   :mod:`.mentions` —, then merge short forms into the full name the article introduced
   (``Hekmat`` → ``Qari Hekmat``, ``WHO`` ↔ ``World Health Organisation``), and find every
   other occurrence of each name in the same text (document-level consistency).
2. :func:`.archive_pass.resolve_archive` (all articles): one type per entity by voting over
   all its mentions in the archive (plus gazetteer votes for places, and the alias table
   and maintainer overrides on top), one canonical name per entity, and acronyms whose
   expansion another article spelled out.

This module holds what the passes share: the model's labels and our types, and the
records one pass hands the next (and the NER cache stores between builds).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from ..story import ENTITY_TYPES
from . import kinds

LABEL_TYPES = {
    "PERSON": "person",
    "ORG": "organisation",
    "GPE": "place",
    "LOC": "place",
    "FAC": "place",
    "NORP": "group",
}
# Labels for what is none of our types: kept as evidence against a page (an award, a
# work, a product), or for the known place inside them ("the Iraq war" → Iraq).
EXTRA_LABELS = set(kinds.MODEL_KINDS)
TYPE_ORDER = (*ENTITY_TYPES, *kinds.KINDS)
ENTITY_KINDS = ENTITY_TYPES


@dataclass
class Mention:
    start: int
    end: int
    label: str | None  # our type the model voted for, or None (found by consistency)
    form: str  # the name as written, without honorific
    display: str  # with a display honorific when the text uses one ("Qari Hekmat")
    key: str = ""
    canonical: str = ""  # from the alias table, when it knows the name
    full: bool = True  # False once merged into a longer name: it does not vote on the display name
    titled: bool = False  # a title (Mr, Lord, Qari, President) came with it: evidence of a person
    cue: str = ""  # what the words around it say it is (kinds.cue): "team", "award", "work", …


@dataclass
class Candidate:
    """One entity of one article, before the archive-wide pass."""

    key: str
    canonical: str = ""
    mentions: list[Mention] = field(default_factory=list)

    def votes(self) -> Counter[str]:
        return Counter(m.label for m in self.mentions if m.label)

    def displays(self) -> Counter[str]:
        return Counter(m.display for m in self.mentions if m.full)


@dataclass
class ArticleEntities:
    """What the per-article pass hands to the archive pass."""

    text: str
    sents: list[int]
    head_end: int
    candidates: dict[str, Candidate]
    acronyms: dict[str, str]  # acronym key → expansion key seen in this article
    # The sentence naming an entity, by the offset it starts looking at, where already known
    # (a previous archive pass's over the same text: ArchiveMemo.sentences); else computed.
    sentences: dict[int, str] = field(default_factory=dict)


# Bump when resolve_article's output changes: its results are cached with the raw spans.
RESOLVE_VERSION = "11"  # 11: an owner before a possessive inside a span; the headline names nothing first


def article_to_json(art: ArticleEntities) -> dict[str, Any]:
    """The per-article pass's result, for the cache (the archive pass reruns every build)."""
    return {
        "head_end": art.head_end,
        "acronyms": art.acronyms,
        "mentions": [
            [m.start, m.end, m.label, m.form, m.display, m.key, m.canonical, m.full, m.titled, m.cue]
            for cand in art.candidates.values() for m in cand.mentions
        ],
    }


def article_from_json(text: str, sents: list[int], data: dict[str, Any]) -> ArticleEntities:
    candidates: dict[str, Candidate] = {}
    for start, end, label, form, display, k, canonical, full, titled, cue in data["mentions"]:
        cand = candidates.setdefault(k, Candidate(k))
        cand.canonical = cand.canonical or canonical
        cand.mentions.append(Mention(start, end, label, form, display, k, canonical, full, titled, cue))
    return ArticleEntities(text, sents, data["head_end"], candidates, data["acronyms"])

