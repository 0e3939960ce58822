"""Names as NER finds them → clean surface forms and comparison keys.

spaCy hands back spans such as ``the Haqqani Network``, ``AFP’s``, ``Mr Blair``,
``The World Health Organisation (WHO`` or ``197bn``.  This module trims such a
span to the name inside it (returning new offsets, so mentions still point into
the text), splits off honorifics (kept for display, never part of the key) and
says when a span is not a name at all.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from unidecode import unidecode

from ..ingest.vocabulary import WORDS, title_pattern

# Titles before a name, by how each is treated (``ingest/data/names.toml``): display
# honorifics are shown ("Qari Hekmat") but are not part of the key, so "Hekmat", "Qari
# Hekmat" and "Mullah Hekmat" are one person; offices ("President Bush") and courtesy
# titles ("Mr Blair") are stripped; a peerage title ("Baroness Morgan") is how a person
# is known when the text gives no first name.
DISPLAY_HONORIFICS = WORDS.display_honorifics
OFFICES = WORDS.offices
COURTESY = WORDS.courtesy
PEERAGE = WORDS.peerage
# Any of them, as a regex alternation ('Lt. Gen.' as well as 'Lt Gen'): the one pattern of titles.
# Any word that is a title, an office or a rank: "Prime Minister", "Queen", "Lord" before "of" make no full name.
TITLE_WORDS = frozenset(DISPLAY_HONORIFICS | COURTESY | OFFICES | PEERAGE)
TITLES_RE = title_pattern(DISPLAY_HONORIFICS | COURTESY | OFFICES)
_HONORIFIC_RE = re.compile(r"^(?:(" + TITLES_RE + r")\.?\s+)+", re.I)
_LEADING_RE = re.compile(r"^(?:the|a|an|this|that|these|those)\s+", re.I)
_POSSESSIVE_RE = re.compile(r"(?:['\u2019]s|['\u2019])$")
_EDGE = " \t\n,;:.!?\"'\u201c\u201d\u2018\u2019()[]{}-\u2013\u2014/|*"
# Words that start a club's name and that the model leaves out of its span ("Real Madrid" read as
# "Real" + the city "Madrid", "Bayern Munich"): without them the club is filed as its city.
CLUB_PREFIX = r"(?:Real|Atletico|Atl\u00e9tico|Inter|AC|AS|FC|Bayern|Borussia|Sporting|Olympique|Dynamo|Dinamo|" \
              r"Spartak|CSKA|Lokomotiv|Deportivo)"
_CLUB_PREFIX_BEFORE = re.compile(rf"(?<![\w.'\u2019-]){CLUB_PREFIX} $")
_MONEY_RE = re.compile(r"^[$£€¥]?\s*\d[\d.,]*\s*(?:bn|m|k|tn|billion|million|trillion|thousand|%|pc|p|s)?$", re.I)


# Words a name in running text may hold in lower case: particles ("bin Laden") and
# connectors ("Bank of England").
_PARTICLES = WORDS.running_text_particles | WORDS.name_connectors
# Particles in a comparison key, where "des" and "Des" look alike: the given names among them count as names.
PARTICLE_KEYS = WORDS.running_text_particles - WORDS.given_name_particles


# A result after a name inside the model's span: "Bath 17-16", "Williams 1-6,4-6", "Henman 7-6 (7-4)".
_SCORE_TAIL = re.compile(r"(?:[\s,]+\d{1,3}-\d{1,3}(?:\s*\(\d{1,3}-\d{1,3}\))?)+$")


def trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Offsets of the name inside a span: no determiner, possessive, bracket tail or dash tail."""
    span = text[start:end]
    # A span running across a paragraph break, into a bracket or a dash aside: keep the first part.
    for sep in ("\n", " (", " - ", " \u2013 ", " \u2014 "):
        cut = span.find(sep)
        if cut > 0:
            span = span[:cut]
    m = re.search(r"(?<=\w)\(", span)  # "British National Party(BNP"
    if m:
        span = span[: m.start()]
    span = re.sub(r",?\s+(?:QC|MP|MEP|KC)$", "", span)  # post-nominals are not part of the name
    span = _SCORE_TAIL.sub("", span)  # "Leeds 2-1", "Roddick 6-2 7-6": the result, not the name
    words = span.split(" ")
    for k in range(2, len(words) // 2 + 1):  # "Ilhan Omar Ilhan Omar Hillicon Valley": a scraped hover card
        if words[:k] == words[k : 2 * k]:
            words = words[:k]
            span = " ".join(words)
            break
    for i, word in enumerate(words[1:], start=1):  # "Associated Press news agency" → "Associated Press"
        if word[:1].islower() and word.split("-")[0].casefold() not in _PARTICLES:  # "al-Jibouri" stays
            span = " ".join(words[:i])
            break
    end = start + len(span)
    while start < end and text[start] in _EDGE:
        start += 1
    while end > start and text[end - 1] in _EDGE and not _ends_with_initial(text[start:end]):
        end -= 1
    m = _LEADING_RE.match(text[start:end])
    if m and m.end() < end - start:
        start += m.end()
    m = _POSSESSIVE_RE.search(text[start:end])
    if m and m.start() > 0:
        end = start + m.start()
    while end > start and text[end - 1] in _EDGE and not _ends_with_initial(text[start:end]):
        end -= 1
    if (m := _CLUB_PREFIX_BEFORE.search(text, max(0, start - 12), start)) and text[start:start + 1].isupper():
        start = m.start()  # "Real" + "Madrid": the club, not the city
    return start, end


def _ends_with_initial(span: str) -> bool:
    """True for "U.S." or "I.S.": the final dot belongs to the name."""
    return bool(re.search(r"(?:^|[\s.])[A-Za-z]\.$", span))


@lru_cache(maxsize=1 << 17)  # names repeat across an archive: computed once each
def split_honorific(name: str) -> tuple[str, str]:
    """("Qari", "Hekmat") for "Qari Hekmat"; ("", name) when there is none."""
    m = _HONORIFIC_RE.match(name)
    if not m or m.end() >= len(name):
        return "", name
    return name[: m.end()].strip(), name[m.end():].strip()


def is_display_honorific(title: str) -> bool:
    """Titles worth showing (Qari, Gen., Dr.), as opposed to Mr/Mrs/Sir."""
    words = [w for w in re.split(r"[\s.]+", title.casefold()) if w]
    plain = " ".join(words)
    return bool(words) and plain not in OFFICES and not all(w in COURTESY or w in OFFICES for w in words)


@lru_cache(maxsize=1 << 17)  # names repeat across an archive: computed once each
def key(name: str) -> str:
    """Comparison key: no accents, dots, case or spacing differences ("U.S." = "US")."""
    s = unidecode(unicodedata.normalize("NFC", name)).casefold()
    s = s.replace(".", "").replace("\u2019", "'")
    s = re.sub(r"['`]s\b", "", s)
    s = re.sub(r"[^a-z0-9&' -]+", " ", s)
    s = s.replace("-", " ")
    tokens = s.split()
    if len(tokens) >= 3:  # "George W Bush" = "George Bush"
        tokens = [tokens[0], *(t for t in tokens[1:-1] if len(t) > 1), tokens[-1]]
    return " ".join(tokens)


# Words that make a capitalised phrase an event, a document or a vessel: not our types.
_NOT_OUR_TYPES = re.compile(
    r"\b(?:Festival|Awards?|Prize|Cup|Games|Olympics|Championships?|Convention|Treaty|Protocol|Accord)\b"
    r"|^(?:HMS|USS|RFA|MV|SS)\s"
    r"|(?<!^)\bBill\b|^Bill(?: of\b|$)"  # "the Terrorism Bill", "Bill of Rights"; "Bill Gates" is a man
)

@lru_cache(maxsize=1 << 17)  # names repeat across an archive: computed once each
def reject_reason(name: str) -> str:
    """Why a cleaned span is not a name ('' when it may be one)."""
    if len(name) < 2 or not any(ch.isalpha() for ch in name):
        return "too short or no letters"
    if _MONEY_RE.match(name) or re.match(r"^\d", name):
        return "a number or an amount"
    if "/" in name or "@" in name:
        return "not a name (a date, a title or an address)"  # "Fahrenheit 9/11"
    if not any(ch.isupper() for ch in name):
        return "lowercase phrase"
    words = name.split()
    if len(words) > 7:
        return "too long for a name"
    if words and words[0][:1].islower() and words[0].casefold() not in _PARTICLES:
        return "starts lowercase"
    if sum(1 for w in words if w[:1].islower() and w.casefold() not in _PARTICLES) >= 2:
        return "a description, not a name"  # "Commons intelligence and security committee"
    if _NOT_OUR_TYPES.search(name):
        return "an event, a document or a vessel"
    return ""


@lru_cache(maxsize=1 << 17)  # names repeat across an archive: computed once each
def acronym(name: str) -> str:
    """Initials of the capitalised words: "World Health Organisation" → "WHO"."""
    words = [w for w in re.split(r"[\s-]+", name.replace(".", "")) if w]
    caps = [w if w.isupper() and len(w) <= 3 else w[0] for w in words if w[:1].isupper()]  # "UK Independence Party"
    return "".join(caps) if len(caps) >= 2 else ""


def is_acronym(name: str) -> bool:
    """All capitals (dots allowed), two to six letters: "WHO", "U.N.", "NATO"."""
    letters = name.replace(".", "")
    return 2 <= len(letters) <= 6 and letters.isalpha() and letters.isupper()


def spelled_acronym(name: str) -> bool:
    """An acronym written as a word, the British way: "Nasa", "Nato", "Unicef" (four to six
    letters, a capital first, no English stop word).  Only an expansion that spells it
    ("National Aeronautics and Space Administration") makes it that body's name: "Nasa"
    and "NASA" were two pages, and the spelled-out name a third."""
    return 4 <= len(name) <= 6 and name.isalpha() and name[0].isupper() and name[1:].islower() \
        and name.casefold() not in _stop_words()


@lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS)


def is_title_case(line: str) -> bool:
    """A headline Capitalised Like This: its capitalised words prove nothing."""
    words = [w for w in re.findall(r"[A-Za-z][\w'-]*", line) if len(w) > 3]
    return len(words) >= 3 and sum(w[0].isupper() for w in words) >= 0.8 * len(words)


# Short forms of English first names (a nickname → the full name it stands for), for
# person variants: "Pat Carlineo" = "Patrick W. Carlineo", "Bill Clinton" = "William J. Clinton".
NICKNAMES = {
    "abe": "abraham", "al": "albert", "alex": "alexander", "andy": "andrew", "ben": "benjamin", "bert": "albert",
    "bill": "william", "billy": "william", "bob": "robert", "bobby": "robert", "chris": "christopher",
    "chuck": "charles", "charlie": "charles", "dan": "daniel", "danny": "daniel", "dave": "david",
    "dick": "richard", "don": "donald", "doug": "douglas", "ed": "edward", "eddie": "edward", "fred": "frederick",
    "gerry": "gerald", "greg": "gregory", "hank": "henry", "harry": "henry", "jack": "john", "jake": "jacob",
    "jim": "james", "jimmy": "james", "joe": "joseph", "jon": "jonathan", "josh": "joshua", "ken": "kenneth",
    "larry": "lawrence", "liz": "elizabeth", "matt": "matthew", "mike": "michael", "mick": "michael",
    "nick": "nicholas", "pat": "patrick", "pete": "peter", "phil": "philip", "ray": "raymond", "rick": "richard",
    "rob": "robert", "ron": "ronald", "sam": "samuel", "steve": "stephen", "sue": "susan", "ted": "edward",
    "tim": "timothy", "tom": "thomas", "tommy": "thomas", "tony": "anthony", "vince": "vincent", "walt": "walter",
    "will": "william", "zach": "zachary", "kate": "katherine", "cathy": "catherine", "jenny": "jennifer",
    "becky": "rebecca", "meg": "margaret", "peggy": "margaret", "maggie": "margaret", "nate": "nathan",
}
_SUFFIXES = {"jr", "sr", "ii", "iii", "iv"}


def person_variant(name_key: str) -> tuple[str, str] | None:
    """(first name, surname) that variants of one person's name share, or None.

    "patrick carlineo", "pat carlineo", "patrick w carlineo" and "larry mullen jr" /
    "larry mullen": the first name through :data:`NICKNAMES`, middle names and initials
    and a generational suffix left out.  A key of one word has no variant.
    """
    tokens = name_key.split()
    while len(tokens) > 2 and tokens[-1] in _SUFFIXES:
        tokens = tokens[:-1]
    if len(tokens) >= 2 and tokens[-1] in _SUFFIXES:
        tokens = tokens[:-1]
    if len(tokens) < 2:
        return None
    return NICKNAMES.get(tokens[0], tokens[0]), tokens[-1]
