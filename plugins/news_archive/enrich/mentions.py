"""Spans to mentions: what of a raw NER span is a name, with which title and type.

One span of the model becomes zero, one or several :class:`.resolve.Mention`: trimmed to
the name in it, split where it joins names ("Conservatives and Liberal Democrats"),
dropped when it is a common noun, a job title or a document, its honorific split off
(shown, never part of the key) unless the title is how the person is known ("Baroness
Scotland", who must not merge with the place).
"""

from __future__ import annotations

import re

from . import gazetteer, kinds
from .aliases import AliasTable
from .names import (
    COURTESY,
    DISPLAY_HONORIFICS,
    PEERAGE,
    TITLE_WORDS,
    TITLES_RE,
    is_display_honorific,
    is_title_case,
    key,
    reject_reason,
    split_honorific,
    trim_span,
)
from .resolve import LABEL_TYPES, Mention

GENERIC_TAILS = {
    "forces", "force", "troops", "soldiers", "officials", "authorities", "government", "military",
    "police", "airstrike", "airstrikes", "strike", "strikes", "attack", "attacks", "offensive",
    "bombing", "raid", "raids", "election", "elections", "economy", "market", "markets",
    "war", "mps", "mp", "leader", "leaders", "spokesman", "spokeswoman", "members", "supporters", "voters",
}
# Capitalised common nouns that the model takes for names when they stand alone.
GENERIC_WORDS = {
    "state", "government", "ministry", "department", "party", "army", "police", "court", "council",
    "commission", "committee", "agency", "office", "minister", "president", "secretary", "chairman",
    "chief", "officials", "company", "group", "bank", "university", "city", "province", "district",
    "north", "south", "east", "west", "republic", "kingdom", "union", "federation", "board",
    "cabinet", "trade", "agriculture", "defence", "defense", "health", "education", "environment",
    "energy", "interior", "justice", "finance", "transport", "international development",
}
_TITLE_BEFORE = re.compile(r"(?:^|[\s(\"\u201c])((?:" + TITLES_RE + r")\.?)\s+$", re.I)


def headline_end(text: str) -> int:
    """End of the first paragraph when it is a Title-Case headline (its capitals prove nothing)."""
    cut = text.find("\n\n")
    if cut <= 0:
        return 0
    first = text[:cut]
    return cut if len(first.split()) <= 25 and is_title_case(first) else 0


def title_before(text: str, start: int) -> str:
    """A title right before a name ("Qari Hekmat"), unless it ends a longer capitalised
    title ("Secretary General Kofi Annan", where "General" is not his rank)."""
    window = text[max(0, start - 40):start].rsplit("\n", 1)[-1]  # a paragraph's first word has none before it
    m = _TITLE_BEFORE.search(window)
    if not m or not m.group(1)[:1].isupper():
        return ""  # "the only major Japanese firm": a title is capitalised
    before = window[: m.start(1)].split()
    if before and before[-1][:1].isupper() and not before[-1].endswith((".", ",", ":")):
        return ""
    return m.group(1)


def _known_head(name: str, table: AliasTable) -> str:
    """The type of a known name ("U.S.", "Lib Dem", "Afghanistan"), or ''."""
    hit = table.lookup(name)
    if hit:
        return hit[1]
    return "place" if gazetteer.is_country_or_region(key(name)) else ""


_SECRETARY_RE = re.compile(r"\s+Secretar(?:y|ies)\b")
_DOCUMENT_AFTER_RE = re.compile(r"\s+(?:protocol|treaty|accord|convention|agreement)\b")
_ADJ_GOVERNMENT_RE = re.compile(r"^[A-Z][a-z]+(?:ish|an|ese|i)\s+[Gg]overnment$")
_TITLE_WORDS_BEFORE = ("Sunday", "Daily", "Evening", "Weekly")
# Ranks that are also ordinary words of organisations' names ("Major League Baseball").
_RANKS_IN_NAMES = frozenset({"major", "general"})
# The rest of a hyphenated given name the model cut off ("Moon Jae" + "-in", "Ban Ki" + "-moon").
_NAME_HYPHEN_TAIL = re.compile(r"-[a-z]{1,5}(?![\w-])")


def clean_mention(
    text: str, start: int, end: int, label: str | None, table: AliasTable, raw_label: str = ""
) -> Mention | None:
    """A cleaned mention, or None when the span is not a name."""
    for word in _TITLE_WORDS_BEFORE:  # "Sunday Telegraph": the model leaves the day out as a DATE
        if text[max(0, start - len(word) - 1):start] == word + " " and label == "organisation":
            start -= len(word) + 1
    start, end = trim_span(text, start, end)
    prev = re.search(r"([A-Z][\w'-]*) $", text[max(0, start - 30):start])
    if prev and table.lookup(f"{prev.group(1)} {text[start:end]}"):
        start -= len(prev.group(0))  # "Liberal" + "Democrats": the longer known name wins
    known = _known_kind(text, start, end)
    if known:  # "Lord of the Rings" (the model's "Rings"): a work, whatever the words inside it
        kind, start = known
        return Mention(start, end, kind, text[start:end], text[start:end])
    if label == "person" and (tail := _NAME_HYPHEN_TAIL.match(text, end)):
        end = tail.end()
    if label == "person":
        end = _affiliation_end(text, start, end, table)
    if label in ("organisation", "person"):
        end = _owner_end(text, start, end)
    name = text[start:end]
    if reject_reason(name) or table.is_blocked(name):
        return None
    title, bare = split_honorific(name)
    if title and label == "organisation" and not table.lookup(bare) and title.casefold().rstrip(".") not in COURTESY \
            and (" " not in bare or title.casefold().rstrip(".") in _RANKS_IN_NAMES):
        title, bare = "", name  # "General Motors", "Major League Baseball": the model's ORG is the name
    inside = bool(title)
    if title:
        start = end - len(bare)
    else:
        title = title_before(text, start)
    if reject_reason(bare) or table.is_blocked(bare):
        return None
    if bare.casefold() in GENERIC_WORDS and not table.lookup(bare):
        return None
    if not table.lookup(bare):
        if label == "organisation" and _SECRETARY_RE.match(text, end):
            return None  # "Shadow Home Secretary": a job title, not the department
        if _DOCUMENT_AFTER_RE.match(text, end) or _ADJ_GOVERNMENT_RE.match(bare):
            return None  # "Kyoto protocol", "British Government": a document, a description
    words = bare.split()
    if (
        len(words) > 1
        and words[-1].casefold() in GENERIC_TAILS
        and not table.lookup(bare)
        and (head := _known_head(" ".join(words[:-1]), table))
    ):
        bare = " ".join(words[:-1])
        end = start + len(bare)
        label = head
    elif raw_label not in LABEL_TYPES:
        head = _known_head(bare, table)  # an EVENT only counts for the place in it ("the Iraq war")
        if head and raw_label == "EVENT":
            label = head
        elif table.lookup(bare):
            label = table.lookup(bare)[1]
        else:
            label = kinds.MODEL_KINDS.get(raw_label)  # evidence that the name is no entity of ours
            if label is None:
                return None
    if label in ("person", "organisation", "place") and kinds.is_demonym(key(bare)) and not table.lookup(bare):
        label = "group"  # "Palestinian interests", "the Dutch squad": a people, whatever the model says
    courtesy = title.casefold().rstrip(".") in COURTESY
    if title and label != "person" and (inside or courtesy or is_display_honorific(title)):
        label = "person"  # "Qari", "Gen.", "Mr" and "Lord" precede people
    peer = title.casefold().rstrip(".") in PEERAGE and " " not in bare  # "Lord Goldsmith", not "Lord"
    # A rank or honorific names the person only where there is no first name ("Qari Hekmat");
    # "Gen. Mark Milley" is Mark Milley, whose rank changes over an archive.
    display = f"{title} {bare}" if title and ((is_display_honorific(title) and " " not in bare) or peer) else bare
    if title and label == "person" and (peer or is_display_honorific(title)) and " " not in bare \
            and _placelike(bare, table):
        # "Baroness Scotland", "Lord Liverpool", "Dr Chad": the title is part of the name, or
        # the person would be merged with the place.  The span and the key keep it.
        title_start = text.rfind(title, max(0, start - len(title) - 3), start)
        if title_start >= 0:
            start = title_start
        bare = display = f"{title} {bare}"
    return Mention(start, end, label, bare, display, titled=bool(title))


# "Felipe Nasr of Sauber", "John Smith of the Met Office": a full name, then where the person is from.
_OF_AFFILIATION = re.compile(r" of (?:the )?[A-Z]")


def _affiliation_end(text: str, start: int, end: int, table: AliasTable) -> int:
    """Where a person's name ends in one span of the model that goes on to the person's team,
    firm or town ("Felipe Nasr of Sauber"): at the "of", when a full name of two words or
    more and no title comes before it.  A name that is one word, or a title, before "of" is a
    name of its own ("Catherine of Aragon", "Prince William of Wales", "Duke of Edinburgh")."""
    cut = _OF_AFFILIATION.search(text, start, end)
    if not cut or table.lookup(text[start:end]):
        return end
    words = text[start:cut.start()].split()
    if len(words) < 2 or not all(w[:1].isupper() for w in words) \
            or any(w.casefold().rstrip(".") in TITLE_WORDS for w in words):
        return end
    return cut.start()


# What a name with a possessive inside may still end in: "Sainsbury's Bank", "St Mary's Hospital".
_OWNED_NAME_TAIL = re.compile(
    r"\b(?:Bank|Group|Corporation|Institute|Association|Hospital|College|School|Church|Party|League|Club|Union|"
    r"Society|Fund|Trust|Foundation|Council|Commission|Day|Cup|Island|Islands|Park|Street|Square|Road)$"
)


def _owner_end(text: str, start: int, end: int) -> int:
    """Where the owner's name ends in "Ascom's Unite Connect", "Ripple's XRP" (one span of the
    model: the firm and its product); the span's own end otherwise."""
    span = text[start:end]
    cut = re.search(r"['\u2019]s\s+(?=[A-Z0-9])", span)
    if cut and not _OWNED_NAME_TAIL.search(span) and not _PEOPLES.search(span, 0, cut.start()):
        return start + cut.start()
    return end


# An owner that is a people, not a firm: "the Korean People's Army", "the People's Daily", "the
# Women's Institute" are one name, whatever follows the possessive.
_PEOPLES = re.compile(r"\b(?:People|Peoples|Women|Men|Children|Workers|Citizens|Farmers|Veterans|Nations)$")


def _known_kind(text: str, start: int, end: int) -> tuple[str, int] | None:
    """(kind, start) when the span, or the span with up to four words before it, is a name
    the shipped kinds table knows (an award, an event, a work, a product)."""
    words = text[max(0, start - 40):start].split(" ")[1:] if start > 40 else text[:start].split(" ")
    if words and words[-1] == "":
        words.pop()
    else:
        words = []  # the span does not follow a space: nothing before it is part of it
    for n in range(min(4, len(words)), -1, -1):
        phrase = " ".join([*words[len(words) - n:], text[start:end]])
        if n and not phrase[:1].isupper():
            continue
        kind = kinds.kind_of(phrase) if (n or " " in phrase) else ""
        if kind and kinds.known(phrase):
            return kind, end - len(phrase)
    return None


def _placelike(name: str, table: AliasTable) -> bool:
    """A name that is also a place's: the alias table or the gazetteer knows it."""
    hit = table.lookup(name)
    return (hit is not None and hit[1] == "place") or bool(gazetteer.place_weight(key(name)))


def split_span(text: str, start: int, end: int, label: str, table: AliasTable) -> list[tuple[int, int]]:
    """One span or several: "Conservatives and Liberal Democrats", "Woodbridge, Suffolk"."""
    span = text[start:end]
    seps = [" and "] + ([", "] if LABEL_TYPES.get(label) == "place" else [])
    for sep in seps:
        if sep not in span or table.lookup(span) or gazetteer.place_weight(key(span)):
            continue
        pieces, pos = [], start
        for piece in span.split(sep):
            pieces.append((pos, pos + len(piece)))
            pos += len(piece) + len(sep)
        texts = [text[a:b] for a, b in pieces]
        if not all(t[:1].isupper() for t in texts):
            continue
        outside = text[:start] + text[end:]
        if sep == ", " or all(
            table.lookup(t) or gazetteer.place_weight(key(t)) or re.search(r"\b" + re.escape(t) + r"\b", outside)
            for t in texts
        ):
            return [p for a, b in pieces for p in split_span(text, a, b, label, table)]
    return [(start, end)]


def titled_key(tokens: tuple[str, ...]) -> bool:
    """A key that keeps its title ("baroness scotland"): its last word alone is someone else."""
    return bool(tokens) and (tokens[0] in PEERAGE or tokens[0] in DISPLAY_HONORIFICS)


