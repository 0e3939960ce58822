"""The article pass: one story's mentions merged the way the story itself names people.

Within one story, a short form after the full name is that name (``Hekmat`` → ``Qari
Hekmat``, ``Amnesty`` → ``Amnesty International``, a first name alone after the full
name), variants of one person's name are one person (initials, middle names, ``Jr``),
a nickname the story equates with a full name is that person, an acronym is its
expansion, and a name found once is found wherever else the text uses it.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter, defaultdict

from . import gazetteer, kinds, makers
from .aliases import AliasTable
from .mentions import GENERIC_WORDS, clean_mention, headline_end, split_span, title_before, titled_key
from .names import (
    PARTICLE_KEYS,
    acronym,
    is_acronym,
    is_display_honorific,
    key,
    person_variant,
    reject_reason,
    spelled_acronym,
)
from .resolve import EXTRA_LABELS, LABEL_TYPES, ArticleEntities, Candidate, Mention
from .truecase import is_caps_line


def resolve_article(
    text: str, ents: list[tuple[int, int, str]], sents: list[int], table: AliasTable
) -> ArticleEntities:
    """Per-article clean-up, merging and document-level consistency."""
    head_end = headline_end(text)
    mentions: list[Mention] = []
    slugs = [m.span(1) for m in _SLUG.finditer(text, 0, min(len(text), 2000))]
    for raw_start, raw_end, label in _wire_spans(text, ents):
        if any(a <= raw_start < b for a, b in slugs):
            continue  # "BASEBALL - …", "SOCCER - …": the wire's desk, no name
        if label not in LABEL_TYPES and label not in EXTRA_LABELS:
            continue
        for start, end in split_span(text, raw_start, raw_end, label, table):
            m = clean_mention(text, start, end, LABEL_TYPES.get(label), table, label)
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

    _merge_short_person_names(mentions, text.find("\n\n") + 1, text)  # the headline names nothing first
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




# A wire dateline: the place a story was filed from, alone on a line before the date
# ("LONDON 1996-08-30", "ROTTERDAM 1996-08-26"), which the model often reads as one DATE.
_DATELINE = re.compile(
    r"^([A-Z][A-Za-z.'-]+(?: [A-Z][A-Za-z.'-]+){0,2})"
    r"(?: \d{4}-\d{2}-\d{2}$|,? \((?:Reuters|AP|AFP|UPI)\) [-\u2013\u2014])",
    re.M,
)


# A results line of wire copy: "Leeds 2 Arsenal 1", "Southampton 3 Derby County 1".
_RESULT_LINE = re.compile(
    r"^([A-Z][\w.'-]*(?: [A-Z][\w.'-]*){0,3}) \d{1,2} ([A-Z][\w.'-]*(?: [A-Z][\w.'-]*){0,3}) \d{1,2}[ \t]*$", re.M
)
# The desk a wire headline starts with: "SOCCER - ", "BASEBALL - ", "MOTOR RACING - ".
_SLUG = re.compile(r"^([A-Z]{3,}(?: [A-Z]{3,})?) - ", re.M)


def _wire_spans(text: str, ents: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """The model's spans, with what wire copy's layout says on top: the place of each dateline
    no span names already, and the two clubs of each results line (in place of any span the
    model put across them, "Southampton 3")."""
    added: list[tuple[int, int, str]] = []
    for m in _DATELINE.finditer(text, 0, min(len(text), 2000)):
        s, e = m.span(1)
        if not any(a < e and s < b and lab in LABEL_TYPES for a, b, lab in ents):
            added.append((s, e, "GPE"))
    if not re.search(r"\d[ \t]*$", text, re.M):  # no line ends in a score: no results line
        return [*ents, *added]
    for m in _RESULT_LINE.finditer(text):
        added += [(*m.span(1), "ORG"), (*m.span(2), "ORG")]
    if not added:
        return ents
    teams = [(a, b) for a, b, lab in added if lab == "ORG"]
    kept = [x for x in ents if not any(a < x[1] and x[0] < b for a, b in teams)]
    return [*kept, *added]


def _merge_short_person_names(mentions: list[Mention], body: int = 0, text: str = "") -> None:
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
        if len(tokens) < 2 or ms[0].canonical or labels["person"] < max(labels.values()) or titled_key(tokens):
            continue  # "Baroness Scotland" is not the "Scotland" of the same story
        weight[k] = len(ms)
        for i in range(1, len(tokens)):
            suffix = tokens[i:]
            if suffix not in fulls or weight[fulls[suffix]] < weight[k]:
                fulls[suffix] = k
        for j, t in enumerate(tokens[:-1]):  # a first word of two letters too: "Xi" of Xi Jinping
            if (len(t) >= 3 or (j == 0 and len(t) == 2)) and t not in PARTICLE_KEYS:
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
    _merge_short_org_names(mentions, body, text)


def _merge_person_variants(mentions: list[Mention]) -> None:
    """``Pat Carlineo`` → ``Patrick W. Carlineo``, ``Larry Mullen`` → ``Larry Mullen Jr``: in one
    story, variants of one person's name (names.person_variant) are that person."""
    labels: dict[str, Counter[str]] = defaultdict(Counter)
    for m in mentions:
        labels[m.key][m.label] += 1
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for k, c in labels.items():
        v = person_variant(k)
        if v and c["person"] * 2 > sum(c.values()) and not titled_key(tuple(k.split())):
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


def _merge_short_org_names(mentions: list[Mention], body: int = 0, text: str = "") -> None:
    """``Amnesty`` → ``Amnesty International``: an organisation's leading words, used alone
    later in the article, are that organisation (and so are its last words when they name a
    body: "the Security Council" after "the UN Security Council") — not when the story named them first
    ("Barclays … Barclays Capital": the group, then its investment bank), the headline aside.
    "First" is read in the body's words, not only in the model's spans: the model often misses a
    name's first uses ("Barclays, the UK's third-biggest bank,") and tags it only later.  Only a
    short form the model itself calls an organisation stays apart so: a format or a person's name
    ("Blu-ray" before the "Blu-ray Disc Association") is still the longer body's."""
    first: dict[str, int] = {}
    for m in mentions:
        at = m.start + (0 if m.start >= body else 1 << 40)  # a headline mention: after any in the body
        first[m.key] = min(first.get(m.key, at), at)
    forms: dict[str, str] = {}  # a full organisation's key → its form, to find it in the text
    firms = {m.key for m in mentions if m.label == "organisation"}  # the model's organisations, before merging
    orgs: dict[tuple[str, ...], str] = {}
    inner: dict[str, set[str]] = defaultdict(set)  # a later word of an organisation's name → its keys
    tails: dict[tuple[str, ...], set[str]] = defaultdict(set)  # "security council" → "un security council"
    for m in mentions:
        tokens = tuple(m.key.split())
        if m.label == "organisation" and len(tokens) >= 2 and m.full:
            forms.setdefault(m.key, m.form)
            for i in range(1, len(tokens)):
                orgs.setdefault(tokens[:i], m.key)
                if len(tokens) - i >= 2 and (tokens[-1] in makers.ORG_TAILS or kinds.ORG_NAME.match(m.form)):
                    tails[tokens[i:]].add(m.key)
            for t in tokens[1:]:
                if len(t) >= 4 and t not in GENERIC_WORDS:
                    inner[t].add(m.key)
    for m in mentions:
        tokens = tuple(m.key.split())
        if m.label != "organisation" and (gazetteer.place_weight(m.key) or (m.canonical and m.label == "place")):
            continue  # "Colorado" is not "the University of Colorado", "Fort Worth" not its police
        if kinds.is_demonym(m.key):
            continue  # "Palestinian" is not "the Palestinian Authority"
        target = orgs.get(tokens)
        if not target and len(tokens) == 1 and len(inner.get(tokens[0], ())) == 1:
            target = next(iter(inner[tokens[0]]))  # "Peugeot" → "PSA Peugeot Citroen"
        if not target and len(tails.get(tokens, ())) == 1:
            target = next(iter(tails[tokens]))  # "the Security Council", after "the UN Security Council"
        if target and not m.canonical and target != m.key and (
            (first[m.key] > first[target] and not (m.key in firms and _named_alone_before(
                text, m.form, forms.get(target, ""), body, first[target])))
            or kinds.legal_form_of(m.key, target)
        ):
            m.key, m.full, m.label = target, False, "organisation"


def _named_alone_before(text: str, form: str, full: str, body: int, before: int) -> bool:
    """True when the body writes ``form`` on its own before offset ``before``: not inside
    ``full``, nor inside another capitalised name ("Arts Alliance Digital Cinema" names no "Digital")."""
    if not text or not full or before > len(text):
        return False
    inside = [(h.start(), h.end()) for h in re.finditer(re.escape(full), text)]
    for hit in re.finditer(r"(?<![\w-])" + re.escape(form) + r"(?![\w-])", text[:before]):
        s, e = hit.span()
        if s < body or any(a <= s and e <= b for a, b in inside):
            continue
        if _NAME_WORD_BEFORE.search(text, max(0, s - 30), s) or _NAME_WORD_AFTER.match(text, e):
            continue
        return True
    return False


_NAME_WORD_BEFORE = re.compile(r"(?<![\w-])(?!(?:The|A|An)\s)[A-Z][\w&'.-]*\s$")
_NAME_WORD_AFTER = re.compile(r"\s[A-Z0-9]")


def _merge_acronyms(mentions: list[Mention]) -> dict[str, str]:
    """``WHO`` ↔ ``World Health Organisation`` within one article; returns the pairs seen."""
    spelled = {key(acronym(m.form)) for m in mentions if m.label != "person" and not is_acronym(m.form)} - {""}
    acronyms = {m.key for m in mentions if _acronym_form(m, spelled) and not m.canonical}
    expansions: dict[str, str] = {}
    for m in mentions:
        if not _acronym_form(m, spelled) and m.label != "person":
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
        if _acronym_form(m, spelled) and not m.canonical:
            target = expansions.get(m.key)
            if target and target != m.key:
                pairs[m.key] = target
                m.key, m.full = target, False
                if not is_acronym(m.form):
                    m.label = None  # "Gavi" the model took for a person: the name it spells says what it is
    return pairs


def _acronym_form(m: Mention, spelled: set[str]) -> bool:
    """"WHO", "U.N.", and "Nasa" where the story spells out a name whose initials it is."""
    return is_acronym(m.form) or (m.key in spelled and spelled_acronym(m.form) and not gazetteer.place_weight(m.key))


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


_SHOUTING = re.compile(r"^[^a-z\n]*[A-Z]{3}[^a-z\n]*$", re.M)  # a line with capitals and no small letter


def _club_nickname(name: str) -> str:
    """The nickname that a club named "<place> <Nicknames>" is called by alone ("Los Angeles
    Dodgers" → "Dodgers", "Glasgow Warriors" → "Warriors"), or ''."""
    words = name.split()
    last = words[-1] if len(words) >= 2 else ""
    if len(last) < 4 or not last.endswith("s") or not last[0].isupper() or last.casefold() in GENERIC_WORDS:
        return ""
    return last if gazetteer.place_weight(key(" ".join(words[:-1]))) else ""


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
        elif m.label == "person" and m.full and len(m.form.split()) >= 2 and not titled_key(tuple(m.key.split())):
            last = m.form.split()[-1]
            if len(last) >= 3 and last[0].isupper():
                offer(last, m.key, "")
            first = m.form.split()[0]
            firsts[first].add(m.key)
            after[first] = min(after.get(first, m.start), m.start)
        elif m.label == "organisation" and m.full and _club_nickname(m.form):
            offer(_club_nickname(m.form), m.key, "")  # "the Padres", after "San Diego Padres"
    for first, ks in firsts.items():  # "Glenn said", after "Glenn Campbell": one person of that first name
        if len(ks) == 1 and len(first) >= 3 and first[0].isupper() and first not in forms \
                and not table.lookup(first) and not gazetteer.place_weight(key(first)) and not reject_reason(first):
            offer(first, next(iter(ks)), "")
    if not forms:
        return mentions
    # "JONK" in a headline of capitals, after "Wim Jonk" in the body (only a text with such a line pays for it)
    shouted = {f.upper(): f for f in forms if len(f) >= 3 and f.upper() != f and f.upper() not in forms
               and len(f.upper()) == len(f)} if _SHOUTING.search(text) else {}
    pattern = re.compile(
        r"(?<![\w.\-])(?:" + "|".join(re.escape(f) for f in sorted([*forms, *shouted], key=len, reverse=True))
        + r")(?![\w\-])"
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
        found = hit.group(0)
        if found in shouted and found not in forms:
            line_start = text.rfind("\n", 0, s) + 1
            line_end = text.find("\n", e)
            if not is_caps_line(text[line_start:line_end if line_end >= 0 else len(text)]):
                continue  # "WHO" in ordinary text is an acronym, not "Who"
            found = shouted[found]
        k, canonical = forms[found]
        if s < after.get(found, -1):
            continue
        drop.update(id(taken[j]) for j in overlapping)
        title = title_before(text, s)
        title = title if is_display_honorific(title) else ""
        out.append(Mention(s, e, None, found, f"{title} {found}" if title else found,
                           k, canonical, full=key(found) == k))
    return [m for m in out if id(m) not in drop]

