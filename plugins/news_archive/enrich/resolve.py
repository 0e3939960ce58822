"""From raw NER spans to canonical entities: per article, then once across the archive.

The raw model's output is not something an editor would sign: it tags ``Daesh`` and
``I.S.`` as places, ``Hekmat`` once as an organisation, ``the Haqqani Network`` as a
facility, headline words (``Afghanistan Airstrike``) as organisations.  Two passes
fix that, both linear in the number of mentions:

1. :func:`resolve_article` (one article at a time): trim each span to the name in
   it, drop what is not a name, look names up in the alias table, split off
   honorifics (``Qari`` is shown, never part of the key), merge short forms into the
   full name the article introduced (``Hekmat`` → ``Qari Hekmat``, ``WHO`` ↔
   ``World Health Organisation``), then find every other occurrence of each name in
   the same text (document-level consistency).
2. :func:`resolve_archive` (all articles): one type per entity by voting over all its
   mentions in the archive (plus gazetteer votes for places, and the alias table and
   maintainer overrides on top), one canonical name per entity, and acronyms whose
   expansion another article spelled out.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from ..sentences import sentence_at
from ..story import Entity
from . import gazetteer, kinds
from .aliases import AliasTable
from .names import (
    COURTESY,
    DISPLAY_HONORIFICS,
    PARTICLE_KEYS,
    PEERAGE,
    TITLES_RE,
    acronym,
    is_acronym,
    is_display_honorific,
    is_title_case,
    key,
    person_variant,
    reject_reason,
    split_honorific,
    trim_span,
)

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
TYPE_ORDER = ("person", "organisation", "place", "group", *kinds.KINDS)
ENTITY_KINDS = ("person", "organisation", "place", "group")
# "U.S. Forces", "Afghanistan Airstrike": a place plus a common noun is that place.
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


# Bump when resolve_article's output changes: its results are cached with the raw spans.
RESOLVE_VERSION = "8"  # 8: nicknames the story equates


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


def headline_end(text: str) -> int:
    """End of the first paragraph when it is a Title-Case headline (its capitals prove nothing)."""
    cut = text.find("\n\n")
    if cut <= 0:
        return 0
    first = text[:cut]
    return cut if len(first.split()) <= 25 and is_title_case(first) else 0


def _title_before(text: str, start: int) -> str:
    """A title right before a name ("Qari Hekmat"), unless it ends a longer capitalised
    title ("Secretary General Kofi Annan", where "General" is not his rank)."""
    window = text[max(0, start - 40):start]
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


def _mention(
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
    name = text[start:end]
    if reject_reason(name) or table.is_blocked(name):
        return None
    title, bare = split_honorific(name)
    if title and label == "organisation" and " " not in bare and not table.lookup(bare) \
            and title.casefold().rstrip(".") not in COURTESY:
        title, bare = "", name  # "General Motors", "General Electric": the model's ORG is the name
    inside = bool(title)
    if title:
        start = end - len(bare)
    else:
        title = _title_before(text, start)
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


def _placelike(name: str, table: AliasTable) -> bool:
    """A name that is also a place's: the alias table or the gazetteer knows it."""
    hit = table.lookup(name)
    return (hit is not None and hit[1] == "place") or bool(gazetteer.place_weight(key(name)))


def _parts(text: str, start: int, end: int, label: str, table: AliasTable) -> list[tuple[int, int]]:
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
            return [p for a, b in pieces for p in _parts(text, a, b, label, table)]
    return [(start, end)]


def resolve_article(
    text: str, ents: list[tuple[int, int, str]], sents: list[int], table: AliasTable
) -> ArticleEntities:
    """Per-article clean-up, merging and document-level consistency."""
    head_end = headline_end(text)
    mentions: list[Mention] = []
    for raw_start, raw_end, label in ents:
        if label not in LABEL_TYPES and label not in EXTRA_LABELS:
            continue
        for start, end in _parts(text, raw_start, raw_end, label, table):
            m = _mention(text, start, end, LABEL_TYPES.get(label), table, label)
            if m is None:
                continue
            hit = table.lookup(m.form)
            if hit:
                m.canonical, m.key = hit[0], key(hit[0])
            else:
                m.key = key(m.form)
            if m.end <= head_end and not hit:
                continue  # a Title-Case headline's capitals prove nothing; the body will confirm it
            mentions.append(m)

    _merge_short_person_names(mentions)
    _merge_person_variants(mentions)
    _merge_nicknames(text, mentions)
    acronyms = _merge_acronyms(mentions)
    mentions = _find_other_mentions(text, mentions, table)
    for m in mentions:
        m.cue = kinds.cue(text, m.start, m.end)

    candidates: dict[str, Candidate] = {}
    for m in sorted(mentions, key=lambda m: m.start):
        cand = candidates.setdefault(m.key, Candidate(m.key))
        cand.canonical = cand.canonical or m.canonical
        cand.mentions.append(m)
    return ArticleEntities(text, sents, head_end, candidates, acronyms)


def _titled_key(tokens: tuple[str, ...]) -> bool:
    """A key that keeps its title ("baroness scotland"): its last word alone is someone else."""
    return bool(tokens) and (tokens[0] in PEERAGE or tokens[0] in DISPLAY_HONORIFICS)


def _merge_short_person_names(mentions: list[Mention]) -> None:
    """``Hekmat`` → ``Qari Hekmat``, ``Azizi`` → ``Lutfullah Azizi``: a later short form is the
    person the article introduced by full name, whatever type the model gave it."""
    by_key: dict[str, list[Mention]] = defaultdict(list)
    for m in mentions:
        by_key[m.key].append(m)
    fulls: dict[tuple[str, ...], str] = {}  # token suffix → full person key
    tokens_of: dict[str, set[str]] = defaultdict(set)  # a first or middle name → full person keys
    weight: dict[str, int] = {}
    for k, ms in by_key.items():
        labels = Counter(m.label for m in ms)
        tokens = tuple(k.split())
        if len(tokens) < 2 or ms[0].canonical or labels["person"] < max(labels.values()) or _titled_key(tokens):
            continue  # "Baroness Scotland" is not the "Scotland" of the same story
        weight[k] = len(ms)
        for i in range(1, len(tokens)):
            suffix = tokens[i:]
            if suffix not in fulls or weight[fulls[suffix]] < weight[k]:
                fulls[suffix] = k
        for t in tokens[:-1]:
            if len(t) >= 3 and t not in PARTICLE_KEYS:
                tokens_of[t].add(k)
    for m in mentions:
        if m.canonical:
            continue
        tokens = tuple(m.key.split())
        target = fulls.get(tokens)
        if not target and len(tokens) == 1 and m.label == "person" and len(tokens_of.get(tokens[0], ())) == 1:
            target = next(iter(tokens_of[tokens[0]]))  # "Saddam" → "Saddam Hussein", "David" → "David Blunkett"
        if target and target != m.key:
            m.key, m.full, m.label = target, False, "person"
    _merge_short_org_names(mentions)


def _merge_person_variants(mentions: list[Mention]) -> None:
    """``Pat Carlineo`` → ``Patrick W. Carlineo``, ``Larry Mullen`` → ``Larry Mullen Jr``: in one
    story, variants of one person's name (names.person_variant) are that person."""
    labels: dict[str, Counter[str]] = defaultdict(Counter)
    for m in mentions:
        labels[m.key][m.label] += 1
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for k, c in labels.items():
        v = person_variant(k)
        if v and c["person"] * 2 > sum(c.values()) and not _titled_key(tuple(k.split())):
            groups[v].append(k)
    target: dict[str, str] = {}
    for keys in groups.values():
        if len(keys) > 1:
            best = max(keys, key=lambda k: (sum(labels[k].values()), len(k), k))
            target.update({k: best for k in keys if k != best})
    for m in mentions:
        if m.key in target and not m.canonical:
            m.key = target[m.key]


_NAME = r"[A-Z][\w.'\u2019-]*(?:\s+[A-Z][\w.'\u2019-]*){0,2}"
# Right after a person's full name: ", known as Y", " (also known as Y)", ", nicknamed Y",
# ", known to fans as Y", ', "Y",' — the story itself says Y is that person.
_NICKNAME_AFTER = re.compile(
    r"\s*(?:,|\()\s*(?:(?:(?:also|better|widely|commonly|popularly)\s+)?known(?:\s+to\s+\w+)?\s+as|nicknamed|dubbed)"
    r"\s+[\"\u201c']?(" + _NAME + r")[\"\u201d']?"
    r"|\s*(?:,|\()\s*[\"\u201c](" + _NAME + r")[\"\u201d]"
)


def _merge_nicknames(text: str, mentions: list[Mention]) -> None:
    """``Mohammed Emwazi, known as Jihadi John``, ``Saul Alvarez, "Canelo"``: a name the story
    itself equates with a person's full name, right after it, is that person in this story
    (whatever type the model gave it: "Bono" is no place).  Only what the text says: no table
    of nicknames, and nothing across stories but what the archive pass does with the merge."""
    nick_to: dict[str, str] = {}
    for m in mentions:
        if m.label != "person" or " " not in m.form:
            continue
        found = _NICKNAME_AFTER.match(text, m.end, min(len(text), m.end + 80))
        if not found:
            continue
        nick = key(found.group(1) or found.group(2))
        if nick and nick != m.key and nick not in m.key.split():
            nick_to.setdefault(nick, m.key)
    if not nick_to:
        return
    for m in mentions:
        target = nick_to.get(m.key)
        if target and not m.canonical:
            m.key, m.full, m.label = target, False, "person"


def _merge_short_org_names(mentions: list[Mention]) -> None:
    """``Amnesty`` → ``Amnesty International``: an organisation's leading words, used alone
    later in the article, are that organisation."""
    orgs: dict[tuple[str, ...], str] = {}
    inner: dict[str, set[str]] = defaultdict(set)  # a later word of an organisation's name → its keys
    for m in mentions:
        tokens = tuple(m.key.split())
        if m.label == "organisation" and len(tokens) >= 2 and m.full:
            for i in range(1, len(tokens)):
                orgs.setdefault(tokens[:i], m.key)
            for t in tokens[1:]:
                if len(t) >= 4 and t not in GENERIC_WORDS:
                    inner[t].add(m.key)
    for m in mentions:
        tokens = tuple(m.key.split())
        if m.label != "organisation" and (gazetteer.place_weight(m.key) or (m.canonical and m.label == "place")):
            continue  # "Colorado" is not "the University of Colorado", "Fort Worth" not its police
        target = orgs.get(tokens)
        if not target and len(tokens) == 1 and len(inner.get(tokens[0], ())) == 1:
            target = next(iter(inner[tokens[0]]))  # "Peugeot" → "PSA Peugeot Citroen"
        if target and not m.canonical and target != m.key:
            m.key, m.full, m.label = target, False, "organisation"


def _merge_acronyms(mentions: list[Mention]) -> dict[str, str]:
    """``WHO`` ↔ ``World Health Organisation`` within one article; returns the pairs seen."""
    acronyms = {m.key for m in mentions if is_acronym(m.form) and not m.canonical}
    expansions: dict[str, str] = {}
    for m in mentions:
        if not is_acronym(m.form) and m.label != "person":
            acr = key(acronym(m.form))
            words = m.form.split(" ")
            if acr not in acronyms and len(words) > 2 and not m.canonical:
                # "Past Congressional Budget Office (CBO)": the acronym shows where the name starts
                shorter = " ".join(words[1:])
                if key(acronym(shorter)) in acronyms:
                    old_key = m.key
                    m.start += len(words[0]) + 1
                    m.form = m.display = shorter
                    m.key, acr = key(shorter), key(acronym(shorter))
                    for other in mentions:  # the same words elsewhere in the story
                        if other.key == old_key:
                            other.key = m.key
            if acr:
                expansions.setdefault(acr, m.canonical and key(m.canonical) or m.key)
    pairs: dict[str, str] = {}
    for m in mentions:
        if is_acronym(m.form) and not m.canonical:
            target = expansions.get(m.key)
            if target and target != m.key:
                pairs[m.key] = target
                m.key, m.full = target, False
    return pairs


def _matchable(table: AliasTable) -> dict[str, tuple[str, str]]:
    """The alias table's always-searched spellings, checked once per table."""
    cached = getattr(table, "_matchable_cache", None)
    if cached is None:
        cached = {
            form: (key(canonical), canonical)
            for form, canonical in table.matchable.items()
            if len(form) >= 2 and not reject_reason(form) and not table.is_blocked(form)
        }
        table._matchable_cache = cached  # type: ignore[attr-defined]
    return cached


def _find_other_mentions(text: str, mentions: list[Mention], table: AliasTable) -> list[Mention]:
    """Document-level consistency: a name found once is found wherever else the text uses it."""
    count = Counter(m.key for m in mentions)
    forms: dict[str, tuple[str, str]] = {}  # surface form → (key, canonical)
    firsts: dict[str, set[str]] = defaultdict(set)  # a first name → the full person names it starts
    after: dict[str, int] = {}  # a first name only counts after its full name was given

    def offer(form: str, k: str, canonical: str) -> None:
        if len(form) < 2 or reject_reason(form) or table.is_blocked(form):
            return
        if form not in forms or count[forms[form][0]] < count[k]:
            forms[form] = (k, canonical)

    for form, (k, canonical) in _matchable(table).items():
        forms[form] = (k, canonical)
    for m in mentions:
        offer(m.form, m.key, m.canonical)
        if m.canonical:
            for spelling in table.surface_forms(m.canonical):
                if any(ch.isupper() for ch in spelling):
                    offer(spelling, m.key, m.canonical)
        elif m.label == "person" and m.full and len(m.form.split()) >= 2 and not _titled_key(tuple(m.key.split())):
            last = m.form.split()[-1]
            if len(last) >= 3 and last[0].isupper():
                offer(last, m.key, "")
            first = m.form.split()[0]
            firsts[first].add(m.key)
            after[first] = min(after.get(first, m.start), m.start)
    for first, ks in firsts.items():  # "Glenn said", after "Glenn Campbell": one person of that first name
        if len(ks) == 1 and len(first) >= 3 and first[0].isupper() and first not in forms \
                and not table.lookup(first) and not gazetteer.place_weight(key(first)) and not reject_reason(first):
            offer(first, next(iter(ks)), "")
    if not forms:
        return mentions
    pattern = re.compile(
        r"(?<![\w.\-])(?:" + "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True)) + r")(?![\w\-])"
    )
    taken = sorted(mentions, key=lambda m: m.start)
    starts = [m.start for m in taken]
    out = list(taken)
    drop: set[int] = set()
    for hit in pattern.finditer(text):
        s, e = hit.start(), hit.end()
        i = bisect.bisect_right(starts, e) - 1
        overlapping = []
        while i >= 0 and taken[i].end > s:
            overlapping.append(i)
            i -= 1
        overlapping = [j for j in overlapping if taken[j].start < e]
        if any(taken[j].end - taken[j].start >= e - s for j in overlapping):
            continue  # already a mention here, as long or longer
        k, canonical = forms[hit.group(0)]
        if s < after.get(hit.group(0), -1):
            continue
        drop.update(id(taken[j]) for j in overlapping)
        title = _title_before(text, s)
        title = title if is_display_honorific(title) else ""
        out.append(Mention(s, e, None, hit.group(0), f"{title} {hit.group(0)}" if title else hit.group(0),
                           k, canonical, full=key(hit.group(0)) == k))
    return [m for m in out if id(m) not in drop]


def _pick_display(displays: Counter[str]) -> str:
    """The name to show: a form wins the votes of the shorter forms it contains
    ("Qari Hekmat" collects the votes of "Hekmat")."""
    if not displays:
        return ""
    if len(displays) == 1:
        return next(iter(displays))
    scored = []
    for d, n in displays.items():
        tokens = d.split()
        score = n + sum(c for o, c in displays.items() if o != d and tokens[-len(o.split()):] == o.split())
        scored.append((score, len(tokens), n, d))
    return max(scored)[3]


PLACE_PERSON_VOTE = 0.25  # what the model's PERSON label is worth on a lone place name


def _choose_type(votes: Counter[str], name_key: str, titled: bool = False) -> str:
    votes = Counter({t: float(n) for t, n in votes.items()})
    if any(votes[t] for t in ("place", "organisation", "person")):
        weight = gazetteer.place_weight(name_key)
        if weight:  # a big city ("Porto Alegre", "Aberdeen") outweighs one stray PERSON or ORG tag
            votes["place"] += weight + 0.5
            if " " not in name_key and not titled:
                # "Glasgow", "Everton": the model's PERSON on a lone place name is a systematic
                # error (a club, a place), not evidence; with no title it counts for little.
                votes["person"] *= PLACE_PERSON_VOTE
    return max(TYPE_ORDER, key=lambda t: (votes[t], -TYPE_ORDER.index(t)))


def resolve_archive(
    articles: list[ArticleEntities], table: AliasTable, evidence: dict[str, dict[str, Any]] | None = None
) -> list[list[Entity]]:
    """One type and one name per entity across the archive; Entities per article.

    ``evidence``, when given, is filled with what each entity's type rests on (see
    :func:`_evidence`), for the maintainer's review queue.
    """
    acr_votes: dict[str, Counter[str]] = defaultdict(Counter)
    for art in articles:
        for acr, target in art.acronyms.items():
            acr_votes[acr][target] += 1
    expansion = {acr: c.most_common(1)[0][0] for acr, c in acr_votes.items()}
    for art in articles:  # "WEF" alone here, "World Economic Forum (WEF)" in another story
        for k in [k for k in art.candidates if k in expansion and not art.candidates[k].canonical]:
            cand = art.candidates.pop(k)
            if not all(is_acronym(m.form) for m in cand.mentions):
                art.candidates[k] = cand
                continue
            target = art.candidates.setdefault(expansion[k], Candidate(expansion[k]))
            for m in cand.mentions:
                m.key, m.full = expansion[k], False
            target.mentions = sorted(target.mentions + cand.mentions, key=lambda m: m.start)

    _merge_variants_archive_wide(articles)
    votes, displays, canonical = _tally(articles)
    for last, full in _merge_surnames_archive_wide(articles, votes).items():
        votes[full].update(votes.pop(last))  # the moved mentions vote for the full name,
        displays.pop(last, None)  # but never name it
    type_of: dict[str, str] = {}
    name_of: dict[str, str] = {}
    titled = {m.key for art in articles for cand in art.candidates.values() for m in cand.mentions if m.titled}
    for k in votes:
        name = canonical.get(k) or _pick_display(displays[k]) or k
        name_of[k] = table.display.get(k) or table.display.get(key(name)) or name
        type_of[k] = (table.types.get(k) or table.types.get(key(name)) or kinds.kind_of(name)
                      or _choose_type(votes[k], k, k in titled))

    # A lone word the model called a person once in the whole archive, with no title and no
    # full name to belong to ("Joey", "Grace": TV shows) is too weak to give a page to.
    labelled = Counter(k for art in articles for k, cand in art.candidates.items() for m in cand.mentions if m.label)
    weak = {
        k for k, v in votes.items()
        if type_of[k] == "person" and " " not in k and " " not in name_of[k] and labelled[k] <= 1
        and k not in canonical and k not in table.types and k not in titled
    }
    fixed = {k for k in votes if table.types.get(k) or table.types.get(key(name_of[k]))}
    out: list[list[Entity]] = []
    for art in articles:
        ents = []
        for k, cand in art.candidates.items():
            name = name_of[k]
            if table.is_blocked(name) or k in weak:
                continue
            etype = type_of[k] if k in fixed else _local_type(cand, type_of[k])
            if evidence is not None:
                _evidence(evidence, k, name, type_of[k], etype, cand, votes[k], k in fixed, k in titled)
            if etype not in ENTITY_KINDS:
                continue  # an award, an event, a work, a product: no page
            spans = sorted({(m.start, m.end) for m in cand.mentions})
            ents.append(
                Entity(
                    name=name,
                    type=etype,
                    display=_pick_display(cand.displays()) or name,
                    aliases=sorted({m.form for m in cand.mentions}),
                    mentions=spans,
                    sentence=_sentence(art, spans),
                )
            )
        out.append(ents)
    return out


def _tally(
    articles: list[ArticleEntities],
) -> tuple[dict[str, Counter[str]], dict[str, Counter[str]], dict[str, str]]:
    """Type votes, display forms and alias-table names per key, over the whole archive."""
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    displays: dict[str, Counter[str]] = defaultdict(Counter)
    canonical: dict[str, str] = {}
    for art in articles:
        for k, cand in art.candidates.items():
            v, d = votes[k], displays[k]
            v.update(_story_votes(cand))
            for m in cand.mentions:
                if m.full:
                    d[m.display] += 1
            if cand.canonical:
                canonical[k] = cand.canonical
    return votes, displays, canonical


def _evidence(
    evidence: dict[str, dict[str, Any]], k: str, name: str, archive_type: str, etype: str,
    cand: Candidate, votes: Counter[str], fixed: bool, titled: bool,
) -> None:
    """Add one story's candidate to the entity's evidence: stories by the type they got,
    the model's labels and the context cues of its mentions, and the archive's verdict."""
    ev = evidence.get(k)
    if ev is None:
        ev = evidence[k] = {
            "name": name, "type": archive_type, "stories": {}, "mentions": 0, "model": {}, "cues": {},
            "votes": {t: round(w, 2) for t, w in votes.items()}, "fixed": fixed, "titled": titled,
            "kind_table": kinds.kind_of(name), "gazetteer": gazetteer.place_weight(k),
        }
    ev["stories"][etype] = ev["stories"].get(etype, 0) + 1
    ev["mentions"] += len(cand.mentions)
    for m in cand.mentions:
        if m.label:
            ev["model"][m.label] = ev["model"].get(m.label, 0) + 1
        cue = _cue(m)
        if cue:
            ev["cues"][cue] = ev["cues"].get(cue, 0) + 1


def _local_type(cand: Candidate, archive_type: str) -> str:
    """The archive's type, unless this story's own words say otherwise ("beat Glasgow 23-10":
    the club, in a story where the archive's Glasgow is the city) — so one systematic error
    of the model, or one sense of a name, is not spread to every story."""
    cues: Counter[str] = Counter()
    for m in cand.mentions:
        cue = _cue(m)
        if cue in ("team", "org", "person"):  # a story's words make a club, a firm or a person of a
            cues[kinds.cue_type(cue)] += kinds.CUE_WEIGHT  # name; what is no entity is decided archive-wide
    if not cues or archive_type == "person":
        return archive_type  # "Blair's staff" is no firm: a person's name is retyped archive-wide only
    (best, w), *rest = cues.most_common()
    if best != archive_type and w >= kinds.CUE_WEIGHT and (not rest or w > rest[0][1]) \
            and w >= sum(1 for m in cand.mentions if m.label == archive_type):
        return best
    return archive_type


def _story_votes(cand: Candidate) -> Counter[str]:
    """One story's say on what an entity is: the model's labels of its mentions as shares of
    one vote (a story naming "Yukos" ten times does not outvote ten stories), plus each
    kind of context cue once, at its weight."""
    labels = Counter(m.label for m in cand.mentions if m.label)
    total = sum(labels.values())
    out: Counter[str] = Counter({t: n / total for t, n in labels.items()}) if total else Counter()
    seen: set[str] = set()
    for m in cand.mentions:
        for t, w in _mention_votes(m)[1 if m.label else 0:]:
            if t not in seen:
                seen.add(t)
                out[t] += w
    return out


def _mention_votes(m: Mention) -> list[tuple[str, float]]:
    """What one mention says its entity is: the model's label (1), and the words around it
    (kinds.CUE_WEIGHT); a club's name ("Manchester United") counts as a cue."""
    out: list[tuple[str, float]] = []
    if m.label:
        out.append((m.label, 1.0))
    cue = _cue(m)
    if cue and not (cue == "team" and gazetteer.place_weight(m.key)):
        out.append((kinds.cue_type(cue), kinds.cue_weight(cue)))  # a city's club is decided story by story
    return out


def _cue(m: Mention) -> str:
    """The mention's context cue; a club's name ("Manchester United") is one.  A country's
    team is the country (a place), so "beat France 18-17" says nothing about France."""
    cue = m.cue or ("team" if kinds.TEAM_NAME.match(m.form) else "")
    if cue == "team" and gazetteer.is_country_or_region(m.key):
        return ""
    return cue


def _is_person(v: Counter[str]) -> bool:
    return bool(v) and v["person"] >= max(v.values())


def _merge_variants_archive_wide(articles: list[ArticleEntities]) -> None:
    """``Pat Carlineo`` in one story is the ``Patrick Carlineo`` of others — only in a story
    that shares context with them: an entity named in both that is not one of the archive's
    commonest (the same first name and surname alone may be two people)."""
    stories: dict[str, list[int]] = defaultdict(list)
    labels: dict[str, Counter[str]] = defaultdict(Counter)
    for i, art in enumerate(articles):
        for k, cand in art.candidates.items():
            stories[k].append(i)
            labels[k].update(m.label for m in cand.mentions if m.label)
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for k, c in labels.items():
        v = person_variant(k)
        if v and c["person"] * 2 > sum(c.values()) and not _titled_key(tuple(k.split())):
            groups[v].append(k)
    common = {k for k, ids in stories.items() if len(ids) > max(3, 0.02 * len(articles))}
    for keys in groups.values():
        if len(keys) < 2:
            continue
        best = max(keys, key=lambda k: (len(stories[k]), len(k), k))
        context = {c for i in stories[best] for c in articles[i].candidates} - common - set(keys)
        for k in keys:
            if k == best:
                continue
            for i in stories[k]:
                art = articles[i]
                if k not in art.candidates or art.candidates[k].canonical or not (set(art.candidates) & context):
                    continue
                cand = art.candidates.pop(k)
                into = art.candidates.setdefault(best, Candidate(best))
                for m in cand.mentions:
                    m.key = best
                into.mentions = sorted(into.mentions + cand.mentions, key=lambda m: m.start)


def _merge_surnames_archive_wide(
    articles: list[ArticleEntities], votes: dict[str, Counter[str]]
) -> dict[str, str]:
    """``Bush`` alone in a story that never gave his full name is the archive's one
    ``George W Bush`` — when a single full name with that surname dominates (3:1)."""
    # "Baroness Morgan" is known by her title: no first-named Morgan of the archive is her.
    peers = {m.key for art in articles for cand in art.candidates.values() for m in cand.mentions
             if m.display.split(" ")[0].casefold() in PEERAGE}
    by_last: dict[str, Counter[str]] = defaultdict(Counter)
    for k, v in votes.items():
        tokens = k.split()
        if len(tokens) >= 2 and _is_person(v):
            by_last[tokens[-1]][k] = sum(v.values())
    target: dict[str, str] = {}
    for last, fulls in by_last.items():
        (best, n), *rest = fulls.most_common() or [("", 0)]
        if last in votes and _is_person(votes[last]) and (not rest or n >= 3 * rest[0][1]) and last not in peers:
            target[last] = best
    if not target:
        return target
    for art in articles:
        for k in [k for k in art.candidates if k in target and not art.candidates[k].canonical]:
            cand = art.candidates.pop(k)
            into = art.candidates.setdefault(target[k], Candidate(target[k]))
            for m in cand.mentions:
                m.key, m.full = target[k], False
            into.mentions = sorted(into.mentions + cand.mentions, key=lambda m: m.start)
    return target


def _sentence(art: ArticleEntities, spans: list[tuple[int, int]]) -> str:
    """The first sentence naming the entity, preferring the dek and body to the headline.

    Sentences are cut by ``sentences.sentence_at`` (quotes and abbreviations respected,
    never across a paragraph), not by the model's sentence starts."""
    if not spans:
        return ""
    first_para = art.text.find("\n\n")  # the headline: shown beside the sentence anyway
    start = next((s for s, _ in spans if s > first_para >= 0), spans[0][0])
    return sentence_at(art.text, start)
