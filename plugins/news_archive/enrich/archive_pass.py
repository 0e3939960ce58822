"""The archive pass: one type and one name per entity across all stories, with its evidence.

Types are voted over every story's mentions (each story one vote, context cues at their
weight, gazetteer weight for places), overridden by the alias table and the maintainer;
a story's own words may still retype a name locally ("beat Glasgow 23-10").  Acronyms
spelled out elsewhere, name variants of one person in stories that share context, and a
surname alone that one dominant full name explains are merged archive-wide.  What each
entity's type rests on is kept as evidence for the review queue.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter, defaultdict
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from ..sentences import sentence_at
from ..story import Entity
from . import gazetteer, kinds, makers, spelled_out, story_cues
from .aliases import AliasTable
from .mentions import PEERAGE, titled_key
from .names import is_acronym, key, person_variant
from .resolve import ENTITY_KINDS, TYPE_ORDER, ArticleEntities, Candidate, Mention


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


def _choose_type(votes: Counter[str], name_key: str, titled: bool = False, brand: bool = False) -> str:
    votes = Counter({t: float(n) for t, n in votes.items()})
    if brand and not titled:  # "SpaceX", "YouTube": written as no person's name is, mostly a firm's
        votes["person"] = 0.0
        if not any(votes[t] for t in ("place", "organisation")):
            return "organisation"
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
    articles: list[ArticleEntities], table: AliasTable, evidence: dict[str, dict[str, Any]] | None = None,
    digests: list[str] | None = None, reuse: Mapping[str, Output] | None = None,
    keep: list[tuple[str, Output] | None] | None = None, tally: dict[str, Any] | None = None,
) -> list[list[Entity]]:
    """One type and one name per entity across the archive; Entities per article.

    ``evidence``, when given, is filled with what each entity's type rests on (see
    :func:`_add_evidence`), for the maintainer's review queue.

    The votes, merges and names are archive-wide; what an article then gets (its
    Entities, and its share of the evidence) is :func:`_article_output`, a pure function
    of the article's candidates after the merges and of what the archive decided about
    each of their keys (:func:`_lookups`).  ``digests`` (per article, a string that
    determines the article's per-article result, its text and the code and alias table
    that resolve it) lets that output be taken from ``reuse`` instead: an article no merge
    changed this pass is exactly the one its digest names, so an entry stored under
    (digest, lookups) is the output it would compute again — in an incremental build,
    every unchanged story of which the archive decided nothing new.  ``keep``, when
    given, is filled per article with (key, output) to store for the next pass (None for
    an article a merge changed: its output depends on other stories).

    ``tally``, when given (a watch session's memo, with ``digests``), holds the previous
    pass's tally and is left holding this one's: only the keys of the articles added,
    changed, removed or merged into since are counted again (:func:`_tally_partial`).
    """
    touched: set[int] = set()
    acr_votes: dict[str, Counter[str]] = defaultdict(Counter)
    for art in articles:
        for acr, target in art.acronyms.items():
            acr_votes[acr][target] += 1
    expansion = {acr: c.most_common(1)[0][0] for acr, c in acr_votes.items()}
    for i, art in enumerate(articles):  # "WEF" alone here, "World Economic Forum (WEF)" in another story
        for k in [k for k in art.candidates if k in expansion and not art.candidates[k].canonical]:
            touched.add(i)  # even when put back: at the end of the article's candidates
            cand = art.candidates.pop(k)
            if not all(is_acronym(m.form) for m in cand.mentions):
                art.candidates[k] = cand
                continue
            target = art.candidates.setdefault(expansion[k], Candidate(expansion[k]))
            for m in cand.mentions:
                m.key, m.full = expansion[k], False
            target.mentions = sorted(target.mentions + cand.mentions, key=lambda m: m.start)

    spelled_out.merge_spelled_out(articles, expansion, table, touched)  # "Nasa", "UN Security Council"
    _merge_variants_archive_wide(articles, touched)
    votes, displays, canonical = _tally_partial(articles, digests, touched, tally)
    # Stories writing each word of a name in lower case: one pass over the texts, for every word
    # that the rules below ask about (a lone name, a family name, the words of a person's name).
    lower = _lower_words(articles, {w for art in articles for k in art.candidates for w in k.split()})
    plain = Counter(w for words in lower for w in words)
    merged = _merge_surnames_archive_wide(articles, votes, touched, plain)
    if merged:  # the moved mentions vote for the full name (full=False: they never name it)
        votes, displays, canonical = _tally_again(articles, votes, displays, canonical,
                                                  set(merged) | set(merged.values()))
    type_of: dict[str, str] = {}
    name_of: dict[str, str] = {}
    titled = {m.key for art in articles for cand in art.candidates.values() for m in cand.mentions if m.titled}
    for k in votes:
        name = canonical.get(k) or _pick_display(displays[k]) or k
        name_of[k] = table.display.get(k) or table.display.get(key(name)) or name
        type_of[k] = (table.types.get(k) or table.types.get(key(name)) or kinds.kind_of(name)
                      or ("group" if kinds.is_demonym(k) else "")
                      or _choose_type(votes[k], k, k in titled, bool(kinds.BRAND_SHAPE.match(name))))
        if kinds.day_event(name_of[k], type_of[k], votes[k]["event"]) and not table.types.get(k):
            type_of[k] = "event"  # "Bastille Day" as a place
    type_of.update(makers.model_types(articles, type_of, name_of, table))  # "Tesla Roadster": Tesla's car
    exempt = titled | set(canonical) | set(table.types)
    type_of.update(_venues(articles, type_of, exempt))  # "at Murrayfield" in 10 of its 13 stories
    type_of.update(story_cues.kind_types(articles, type_of, exempt))  # "the film Vera Drake" in 10 of 21 stories
    multi = [k for k in votes if type_of[k] == "person" and " " in k]
    common_named = _common_word_people(multi, name_of, plain, titled | set(canonical) | set(table.types))
    for k in common_named:
        type_of[k] = _choose_type(Counter({t: w for t, w in votes[k].items() if t != "person"}), k)
    owned = _owned_people(articles, type_of, titled | set(canonical) | set(table.types))
    for k in owned:  # "his Sauber" in 2 of its 5 stories: a car or a team, whatever the model says elsewhere
        type_of[k] = _choose_type(Counter({t: w for t, w in votes[k].items() if t != "person"}), k)

    # A lone word the model called a person once in the whole archive, with no title and no
    # full name to belong to ("Joey", "Grace": TV shows) is too weak to give a page to.
    labelled = Counter(k for art in articles for k, cand in art.candidates.items() for m in cand.mentions if m.label)
    weak = {
        k for k, v in votes.items()
        if type_of[k] == "person" and " " not in k and " " not in name_of[k] and labelled[k] <= 1
        and k not in canonical and k not in table.types and k not in titled
    } | {k for k in common_named if votes[k][type_of[k]] < COMMON_NAMED_OTHER * sum(votes[k].values())} \
        | {k for k, v in votes.items() if not any(v.values()) and k not in canonical  # only "his Sauber"
           and not (table.types.get(k) or table.types.get(key(name_of[k])))} \
        | _common_word_loners(articles, type_of, plain, titled | set(canonical) | set(table.types), lower) \
        | story_cues.sentence_case_words(articles, type_of, plain, exempt)  # "Digital cameras were…"
    weak |= {k for k in owned if not any(w for t, w in votes[k].items() if t != "person")}  # only "his X"
    fixed = {k for k in votes if table.types.get(k) or table.types.get(key(name_of[k]))}
    decided = {k: (name_of[k], type_of[k], table.is_blocked(name_of[k]) or k in weak, k in fixed) for k in votes}
    out: list[list[Entity]] = []
    for i, art in enumerate(articles):
        looks = [(k, *decided[k]) for k in art.candidates]
        memo_key = _output_key(digests[i], looks) if digests is not None and i not in touched else None
        stored = reuse.get(memo_key) if reuse is not None and memo_key is not None else None
        if stored is not None:
            rows, parts = stored
            ents = [_entity(row) for row in rows]
        else:
            ents, parts = _article_output(art, looks)
            rows = [[e.name, e.type, e.display, e.aliases, e.mentions, e.sentence] for e in ents]
        if keep is not None:
            keep.append((memo_key, (rows, parts)) if memo_key is not None else None)
        if evidence is not None:
            for k, etype, n, repeated, short, model, cues in parts:
                _add_evidence(evidence, k, name_of[k], type_of[k], etype, n, repeated, short, model, cues,
                              votes[k], k in fixed, k in titled)
                evidence[k]["plain_word"] = plain.get(k, 0)
        out.append(ents)
    return out


# One article's output: its entities as rows (name, type, display, aliases, mentions,
# sentence) and its evidence parts (key, type here, mentions, repeated, short, model
# labels, cues), as JSON stores them.
Output = tuple[list[list[Any]], list[list[Any]]]
Lookup = tuple[str, str, str, bool, bool]  # key, name, archive type, no page (blocked/weak), type fixed


def _output_key(digest: str, looks: list[Lookup]) -> str:
    """What an unchanged article's output is stored under: its digest and the archive's decisions on its keys."""
    return hashlib.sha256(json.dumps([digest, looks], ensure_ascii=False).encode("utf-8", "surrogatepass")).hexdigest()


def _article_output(art: ArticleEntities, looks: list[Lookup]) -> tuple[list[Entity], list[list[Any]]]:
    """An article's Entities and evidence parts, given the archive's decisions on its keys
    (``looks``, one per candidate in order): all it reads besides the article itself."""
    ents: list[Entity] = []
    parts: list[list[Any]] = []
    for (k, cand), (_, name, archive_type, hidden, fixed) in zip(art.candidates.items(), looks, strict=True):
        if hidden:
            continue
        # A nationality, and a name the kinds table knows ("a friendly against World Cup
        # holders Brazil"), keep the archive's type whatever one story's words suggest.
        local = not fixed and not kinds.is_demonym(k) and not kinds.known(name)
        etype = _local_type(cand, archive_type) if local else archive_type
        parts.append([k, etype, *_evidence_part(cand, name)])
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
    return ents, parts


def _entity(row: list[Any]) -> Entity:
    name, etype, display, aliases, mentions, sentence = row
    return Entity(name, etype, display, list(aliases), [(s, e) for s, e in mentions], sentence)


Tally = tuple[dict[str, Counter[str]], dict[str, Counter[str]], dict[str, str]]


def _tally_again(articles: list[ArticleEntities], votes: dict[str, Counter[str]],
                 displays: dict[str, Counter[str]], canonical: dict[str, str], changed: set[str]) -> Tally:
    """:func:`_tally` of the archive after a merge that moved mentions between the keys in
    ``changed`` only: those keys counted again, every other key's votes and forms kept from
    the tally before the merge (the same candidates, summed in the same order: the same
    floats), and the keys in the order a full tally meets them.  The surname merge runs on
    every pass; tallying the whole archive a second time for it was a tenth of the pass."""
    fresh_votes, fresh_displays, fresh_canonical = _tally(articles, changed)
    out_votes: dict[str, Counter[str]] = defaultdict(Counter)
    out_displays: dict[str, Counter[str]] = defaultdict(Counter)
    out_canonical: dict[str, str] = {}
    for art in articles:
        for k in art.candidates:
            if k in out_votes:
                continue
            again = k in changed
            out_votes[k] = (fresh_votes if again else votes)[k]
            out_displays[k] = (fresh_displays if again else displays)[k]
            name = (fresh_canonical if again else canonical).get(k)
            if name:
                out_canonical[k] = name
    return out_votes, out_displays, out_canonical


def _tally_partial(articles: list[ArticleEntities], digests: list[str] | None, touched: set[int],
                   memo: dict[str, Any] | None) -> Tally:
    """:func:`_tally` of ``articles`` (after the merges that precede it), counting again only
    the keys that an article added, changed, removed or changed by a merge (``touched``, in
    this pass or the one before) names now or named in the previous pass; every other key's
    votes, forms and name are the previous pass's, from ``memo``, which is then given this
    pass's.  Exactly the full tally: a key no such article names is counted over the same
    unchanged articles, in the same order (checked: else everything is counted), so it gets
    the same floats.  In a watch cycle that adds one story to 2,000 this counts the mentions
    of a few dozen keys instead of ~50,000 candidates' (tests/test_archive_tally.py).

    ``memo`` is None (a one-shot build: no previous pass in memory) or the dict kept from
    pass to pass; ``digests`` as :func:`resolve_archive` takes them (None: a full tally)."""
    if memo is None or digests is None or len(set(digests)) != len(digests):
        if memo is not None:
            memo.clear()
        return _tally(articles)
    keys_now = [tuple(art.candidates) for art in articles]
    last: dict[str, tuple[int, tuple[str, ...], bool]] | None = memo.get("articles")
    tally: Tally | None = memo.get("tally")
    result: Tally | None = None
    if last is not None and tally is not None:
        dirty: set[str] = set()
        order = -1
        for i, (d, keys) in enumerate(zip(digests, keys_now, strict=True)):
            was = last.get(d)
            if was is None or not was[2] or i in touched or was[1] != keys:
                dirty.update(keys)
                if was is not None:
                    dirty.update(was[1])
                continue
            if was[0] < order:  # unchanged stories in another order: their sums would be in another
                break           # order too (other floats, in the last digits)
            order = was[0]
        else:
            for d in last.keys() - set(digests):  # removed stories
                dirty.update(last[d][1])
            result = _tally_again(articles, *tally, dirty)
    if result is None:
        result = _tally(articles)
    memo["articles"] = {d: (i, keys, i not in touched) for i, (d, keys) in enumerate(zip(digests, keys_now,
                                                                                          strict=True))}
    memo["tally"] = result
    # The pass's own dicts (defaultdicts: reading a missing key adds it), so nothing it does to
    # them reaches the memo; the Counters in them it only reads (_choose_type copies).
    votes, displays, canonical = result
    return defaultdict(Counter, votes), defaultdict(Counter, displays), dict(canonical)


def _tally(articles: list[ArticleEntities], only: set[str] | None = None) -> Tally:
    """Type votes, display forms and alias-table names per key, over the whole archive
    (``only``: for those keys alone)."""
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    displays: dict[str, Counter[str]] = defaultdict(Counter)
    canonical: dict[str, str] = {}
    for art in articles:
        for k, cand in art.candidates.items():
            if only is not None and k not in only:
                continue
            v, d = votes[k], displays[k]
            # Counter.update, inlined: its Mapping check and method calls were most of the
            # tally, which runs twice over every candidate of the archive (the sums and
            # their order are the same; votes are never negative, so 0 + w is w).
            v_get = v.get
            for t, w in _story_votes(cand).items():
                v[t] = w + v_get(t, 0)
            for m in cand.mentions:
                if m.full:
                    d[m.display] += 1
            if cand.canonical:
                canonical[k] = cand.canonical
    return votes, displays, canonical


COMMON_WORD_STORIES = 3  # stories writing a word in lower case before it counts as a common word
COMMON_NAMED_OTHER = 1 / 3  # the share of its votes another type needs to take such a name's page


VENUE_MIN = 3  # stories putting a name after "at", "in" before the archive may call it a place on that
VENUE_SHARE = 0.5  # share of the name's stories that do
VENUE_ORG_RATIO = 4  # stories of that for each story with a club's or firm's cue it may have


def _venues(articles: list[ArticleEntities], type_of: Mapping[str, str], exempt: set[str]) -> dict[str, str]:
    """Organisations by the vote that most of their stories put after "at" / "in" and hardly
    any story gives a club's or a firm's cue: grounds and venues ("at Murrayfield" in 10 of
    its 13 BBC stories, "at Old Trafford" 9 of 15), which the model reads as ORG on every
    mention.  Each "at X" is only half a vote, so a ground named in stories that do not say
    "at" lost the vote although no story says it is a body; a club ("at Chelsea" in 7 of its
    ~90 stories, with team cues in 22) or a firm ("at Microsoft", 3 of ~75) is far from the
    share.  Counted per story, like the vote: one story saying "at X" three times is one."""
    stories: Counter[str] = Counter()
    placed: Counter[str] = Counter()
    bodied: Counter[str] = Counter()
    for art in articles:
        for k, cand in art.candidates.items():
            if type_of.get(k) != "organisation" or k in exempt:
                continue
            cues = {_cue(m) for m in cand.mentions}
            stories[k] += 1
            placed[k] += "place" in cues
            bodied[k] += bool(cues & {"team", "org", "source"})
    return {k: "place" for k, n in placed.items()
            if n >= VENUE_MIN and n >= VENUE_SHARE * stories[k] and bodied[k] * VENUE_ORG_RATIO <= n}


def _common_word_people(
    people: list[str], name_of: Mapping[str, str], plain: Mapping[str, int], exempt: set[str],
) -> set[str]:
    """People whose every word is a common word of the archive ("App Store", "Common Sense",
    "Galaxy Note", "Kill Vehicle": the model's PERSON on a title-case phrase) — unless the
    first word is a given name of the archive's people: the first word of a person whose
    last word is no common word ("Bill" of "Bill Clinton" makes "Bill Gates" a person)."""
    def common(word: str) -> bool:
        return plain.get(word, 0) >= COMMON_WORD_STORIES

    given = {k.split()[0] for k in people if not common(k.split()[-1])}
    return {
        k for k in people
        if k not in exempt and all(common(w) for w in k.split()) and k.split()[0] not in given
        and name_of.get(k, k)[:1].isupper()
    }


OWNED_SHARE = 1 / 3  # of a "person"'s stories that write it after his, her, their: it is no person


def _owned_people(articles: list[ArticleEntities], type_of: Mapping[str, str], exempt: set[str]) -> set[str]:
    """"People" the archive writes after a possessive ("his Sauber", "her Ferrari") in a third
    of their stories, at least two: the model's PERSON on a car, a team or an account in the
    other stories is the same systematic error (no one writes "his John Smith")."""
    stories: Counter[str] = Counter()
    owned: Counter[str] = Counter()
    for art in articles:
        for k, cand in art.candidates.items():
            if type_of.get(k) == "person":
                stories[k] += 1
                owned[k] += any(m.cue == "possessed" for m in cand.mentions)
    return {k for k, n in owned.items() if k not in exempt and n >= max(2, OWNED_SHARE * stories[k])}


LONER_BOTH = 2  # stories, at least half of those naming it, that write a lone "person" in lower case too
LONER_PLAIN = 2  # lower-case stories per story named, from which a lone untitled "person" is a common word


def _common_word_loners(
    articles: list[ArticleEntities], type_of: Mapping[str, str], plain: Mapping[str, int], exempt: set[str],
    lower: list[set[str]],
) -> set[str]:
    """One-word "people" that no title ever names and that the archive writes in lower case in
    twice as many stories as it names them ("Moon" of lunar stories: 25 to 7; "Euro", "Comedy",
    "Children", "Fireworks"), or in half the stories that name it ("Bitcoin … bitcoin": no story
    writes its own person's name in lower case): the model's PERSON on a capital letter; they get no page."""
    named = Counter(k for art in articles for k in art.candidates if " " not in k)
    lone = {k for k in named if type_of.get(k) == "person" and k not in exempt}
    both: Counter[str] = Counter()  # stories that name it and write it in lower case too ("Bitcoin … bitcoin")
    for art, words in zip(articles, lower, strict=True):
        both.update(lone & art.candidates.keys() & words)
    return {k for k in lone if plain.get(k, 0) >= LONER_PLAIN * named[k]
            or both[k] >= max(LONER_BOTH, named[k] / 2)}


def _lower_words(articles: list[ArticleEntities], words: set[str]) -> list[set[str]]:
    """Per article, which of ``words`` (the words of names) it writes in lower case: read once
    for :func:`_plain_word_stories`'s counts and for the lone names of a story."""
    return [{w for w in _LOWER_WORD.findall(art.text) if w in words} for art in articles]


def _plain_word_stories(articles: list[ArticleEntities], words: set[str]) -> dict[str, int]:
    """Stories that write each of ``words`` (the words of names) in lower case ("digital",
    "blues", "moon", "store"): a name that is also a common word may be the model's reading
    of a capital letter."""
    return Counter(w for found in _lower_words(articles, words) for w in found)


_LOWER_WORD = re.compile(r"(?<![\w'-])[a-z][a-z]+(?![\w'-])")


def _add_evidence(
    evidence: dict[str, dict[str, Any]], k: str, name: str, archive_type: str, etype: str, mentions: int,
    repeated: bool, short: int, model: dict[str, int], cues: dict[str, int],
    votes: Counter[str], fixed: bool, titled: bool,
) -> None:
    """Add one story's candidate (its :func:`_evidence_part`) to the entity's evidence: stories
    by the type they got, the model's labels and the context cues of its mentions, and the
    archive's verdict."""
    ev = evidence.get(k)
    if ev is None:
        ev = evidence[k] = {
            "name": name, "type": archive_type, "stories": {}, "mentions": 0, "model": {}, "cues": {},
            "votes": {t: round(w, 2) for t, w in votes.items()}, "fixed": fixed, "titled": titled,
            "kind_table": kinds.kind_of(name), "gazetteer": gazetteer.place_weight(k),
            "repeated": 0, "short": 0,
        }
    ev["stories"][etype] = ev["stories"].get(etype, 0) + 1
    ev["mentions"] += mentions
    ev["repeated"] += repeated
    ev["short"] += short
    for label, n in model.items():  # in the order the mentions first give them, as one by one
        ev["model"][label] = ev["model"].get(label, 0) + n
    for cue, n in cues.items():
        ev["cues"][cue] = ev["cues"].get(cue, 0) + n


def _evidence_part(cand: Candidate, name: str) -> list[Any]:
    """One story's candidate's share of its entity's evidence: [mentions, repeated, short,
    model labels, cues] (counts, the labels and cues in the order the mentions give them)."""
    model: dict[str, int] = {}
    cues: dict[str, int] = {}
    for m in cand.mentions:
        if m.label:
            model[m.label] = model.get(m.label, 0) + 1
        cue = _cue(m)
        if cue and cue != "mission":  # "the BBC World Service programme": no doubt cast, see makers
            cues[cue] = cues.get(cue, 0) + 1
    # A person named twice in a story is mostly called by surname (or title) the second time;
    # a band or a film named like a person ("Franz Ferdinand") is named in full every time.
    return [len(cand.mentions), len(cand.mentions) >= 2,
            sum(1 for m in cand.mentions if not m.full or m.form != name), model, cues]


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
    kind of context cue once, at its weight.

    Read-only: the Counter is shared by every candidate whose mentions say the same
    (:func:`_votes_of`)."""
    return _votes_of(tuple((m.label, m.cue, m.form, m.key) for m in cand.mentions))


# Bounded memos of pure functions of their arguments and the installed code and data (the
# gazetteer, the kinds table): no build's state.  They make the archive pass cost what the
# changed stories cost in a long-lived process (``news-archive watch``), where every cycle
# asks again about the same mentions; and a pass over 20,000 stories asks about the same
# (cue, form, key) and the same sentence many times over.
_MEMO_SIZE = 1 << 20


@lru_cache(maxsize=_MEMO_SIZE)
def _votes_of(mentions: tuple[tuple[str | None, str, str, str], ...]) -> Counter[str]:
    """:func:`_story_votes` of mentions given as (label, cue, form, key), all it reads of them."""
    labels = Counter(label for label, cue, _, _ in mentions if label and not _possessed_person(label, cue))
    total = sum(labels.values())
    out: Counter[str] = Counter({t: n / total for t, n in labels.items()}) if total else Counter()
    seen: set[str] = set()
    for label, cue, form, k in mentions:
        for t, w in _votes_of_mention(label, cue, form, k)[1 if label else 0:]:
            if t not in seen:
                seen.add(t)
                out[t] += w
    return out


def _votes_of_mention(label: str | None, cue: str, form: str, k: str) -> tuple[tuple[str, float], ...]:
    """What one mention says its entity is: the model's label (1), and the words around it
    (kinds.CUE_WEIGHT); a club's name ("Manchester United") counts as a cue."""
    out: list[tuple[str, float]] = []
    if label and not _possessed_person(label, cue):
        out.append((label, 1.0))
    if cue in ("possessed", "mission", "source"):  # evidence (review queue, programmes, outlets), no vote for
        return tuple(out)  # a type: "his Ferrari" says no person, not which of car or team; "NASA mission" is
    # NASA; "according to Smith" is a person, "according to Bloomberg" a body (story_cues decides)
    cue = _cue_of(cue, form, k)
    if cue and not (cue == "team" and gazetteer.place_weight(k)):
        out.append((kinds.cue_type(cue), kinds.cue_weight(cue)))  # a city's club is decided story by story
    return tuple(out)


def _possessed_person(label: str | None, cue: str) -> bool:
    """The model's PERSON on a name after "his", "her", "their" ("his Sauber"): its error, no vote."""
    return label == "person" and cue == "possessed"


def _cue(m: Mention) -> str:
    """The mention's context cue; a club's, a firm's or a street's name ("Manchester United",
    "Yukos Ltd", "Downing Street") is one, but not a city's ("New York City").  A country's
    team is the country (a place), so "beat France 18-17" says nothing about France."""
    return _cue_of(m.cue, m.form, m.key)


@lru_cache(maxsize=_MEMO_SIZE)
def _cue_of(cue: str, form: str, k: str) -> str:
    """:func:`_cue` of a mention with this cue, form and key."""
    cue = cue or ("street" if kinds.is_feature(form) else  # "Sambisa Forest", "Cape Erimo"
                  "team" if kinds.TEAM_NAME.match(form) and not gazetteer.place_weight(k) else
                  "org" if kinds.ORG_NAME.match(form) or kinds.WEBSITE_NAME.match(form) else
                  "street" if kinds.STREET_NAME.match(form) else "")
    if cue == "team" and gazetteer.is_country(k):
        return ""
    if cue == "affiliation":  # "Felipe Nasr of Sauber": his team, or his town when it is a known place
        return "place" if gazetteer.place_weight(k) else "org"
    return cue


def _is_person(v: Counter[str]) -> bool:
    return bool(v) and v["person"] >= max(v.values())


def _merge_variants_archive_wide(articles: list[ArticleEntities], touched: set[int]) -> None:
    """``Pat Carlineo`` in one story is the ``Patrick Carlineo`` of others — only in a story
    that shares context with them: an entity named in both that is not one of the archive's
    commonest (the same first name and surname alone may be two people).  The articles
    changed are added to ``touched``."""
    stories: dict[str, list[int]] = defaultdict(list)
    labels: dict[str, Counter[str]] = defaultdict(Counter)
    for i, art in enumerate(articles):
        for k, cand in art.candidates.items():
            stories[k].append(i)
            labels[k].update(m.label for m in cand.mentions if m.label)
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for k, c in labels.items():
        v = person_variant(k)
        if v and c["person"] * 2 > sum(c.values()) and not titled_key(tuple(k.split())):
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
                touched.add(i)
                cand = art.candidates.pop(k)
                into = art.candidates.setdefault(best, Candidate(best))
                for m in cand.mentions:
                    m.key = best
                into.mentions = sorted(into.mentions + cand.mentions, key=lambda m: m.start)


def _merge_surnames_archive_wide(
    articles: list[ArticleEntities], votes: dict[str, Counter[str]], touched: set[int],
    plain: Mapping[str, int] | None = None,
) -> dict[str, str]:
    """``Bush`` alone in a story that never gave his full name is the archive's one
    ``George W Bush`` — when a single full name with that surname dominates (3:1), and only
    in a story that shares his context (:class:`_Context`): a footballer called Brown, in a
    story of clubs and players, is not the chancellor.  Returns surname → full name of the
    merges made; the articles changed are added to ``touched``."""
    # "Baroness Morgan" is known by her title: no first-named Morgan of the archive is her.
    peers = {m.key for art in articles for cand in art.candidates.values() for m in cand.mentions
             if m.display.split(" ")[0].casefold() in PEERAGE}
    by_last: dict[str, Counter[str]] = defaultdict(Counter)
    for k, v in votes.items():
        tokens = k.split()
        if len(tokens) >= 2 and _is_person(v):
            by_last[tokens[-1]][k] = sum(v.values())
    family = _family_name_first(articles, votes)
    for k, lead in family.items():  # "Xi" is Xi Jinping's family name, "Moon" Moon Jae-in's
        by_last[lead][k] = sum(votes[k].values())
    target: dict[str, str] = {}
    for last, fulls in by_last.items():
        (best, n), *rest = fulls.most_common() or [("", 0)]
        if last in votes and _is_person(votes[last]) and (not rest or n >= 3 * rest[0][1]) and last not in peers:
            target[last] = best
    if not target:
        return target
    # A family name that is also a common word ("the moon") joins the person only where a title
    # says it is a person ("President Moon"): the archive's "Moon" is also the one in the sky.
    leads = {lead for k, lead in family.items() if target.get(lead) == k}
    common = plain if plain is not None else _plain_word_stories(articles, leads)
    context = _Context(articles)
    merged: dict[str, str] = {}
    for i, art in enumerate(articles):
        for k in [k for k in art.candidates if k in target and not art.candidates[k].canonical]:
            if not context.shared(art, target[k], {k}):
                continue
            if k in leads and common.get(k, 0) >= COMMON_WORD_STORIES \
                    and not any(m.titled for m in art.candidates[k].mentions):
                continue
            touched.add(i)
            cand = art.candidates.pop(k)
            into = art.candidates.setdefault(target[k], Candidate(target[k]))
            for m in cand.mentions:
                m.key, m.full = target[k], False
            into.mentions = sorted(into.mentions + cand.mentions, key=lambda m: m.start)
            merged[k] = target[k]
    return merged


FAMILY_FIRST_MIN = 2  # short mentions by the first word before a name is taken to lead with the family name


def _family_name_first(articles: list[ArticleEntities], votes: dict[str, Counter[str]]) -> dict[str, str]:
    """``{full key: family name}`` for the people whose own stories call them by their first word
    and never by their last ("Xi" for Xi Jinping, "Moon" for Moon Jae-in: the family name comes
    first, and "Jinping" alone is nobody), so that the surname merge looks for that word alone in
    other stories.  "Ray Charles", whom the film "Ray" names by his first word, is also called
    "Charles": no family name first."""
    lead: Counter[str] = Counter()
    tail: Counter[str] = Counter()
    for art in articles:
        for k, cand in art.candidates.items():
            tokens = k.split()
            if len(tokens) < 2 or titled_key(tuple(tokens)):
                continue
            for m in cand.mentions:
                if not m.full:
                    form = key(m.form)
                    lead[k] += form == tokens[0]
                    tail[k] += form == tokens[-1]
    return {k: k.split()[0] for k, n in lead.items()
            if n >= FAMILY_FIRST_MIN and not tail[k] and _is_person(votes.get(k, Counter()))}


class _Context:
    """Which stories name which entity, to tell whether a story is about the same person as
    others: it names an entity those stories name that is not one of the archive's commonest,
    or one of the commonest at least twice as often with that person as in the archive
    ("Labour" beside Tony Blair) and in two of that person's stories."""

    LIFT = 2.0

    def __init__(self, articles: list[ArticleEntities]) -> None:
        self.articles = articles
        self.stories: dict[str, list[int]] = defaultdict(list)
        for i, art in enumerate(articles):
            for k in art.candidates:
                self.stories[k].append(i)
        self.limit = max(3, 0.02 * len(articles))
        self._with: dict[str, Counter[str]] = {}

    def around(self, k: str) -> Counter[str]:
        """The entities of k's stories, each counted once per story."""
        if k not in self._with:
            self._with[k] = Counter(c for i in self.stories.get(k, ()) for c in self.articles[i].candidates)
        return self._with[k]

    def shared(self, art: ArticleEntities, k: str, exclude: set[str]) -> bool:
        """Does ``art`` share context with the stories of entity ``k``?"""
        around, n, total = self.around(k), len(self.stories.get(k, ())), len(self.articles)
        for c in art.candidates:
            if c == k or c in exclude or not around[c]:
                continue
            seen = len(self.stories[c])
            if seen <= self.limit:
                return True
            if around[c] >= 2 and around[c] / n >= self.LIFT * seen / total:
                return True
        return False


def _sentence(art: ArticleEntities, spans: list[tuple[int, int]]) -> str:
    """The first sentence naming the entity, preferring the dek and body to the headline.

    Sentences are cut by ``sentences.sentence_at`` (quotes and abbreviations respected,
    never across a paragraph), not by the model's sentence starts.  A sentence the
    article already knows at that offset (``ArticleEntities.sentences``: a previous pass's
    over the same text) is the same one."""
    if not spans:
        return ""
    start = sentence_offset(art.text, spans)
    known = art.sentences.get(start)
    return known if known is not None else _sentence_at(art.text, start)


def sentence_offset(text: str, spans: list[tuple[int, int]]) -> int:
    """Where :func:`_sentence` looks for an entity with these (sorted, non-empty) spans."""
    first_para = text.find("\n\n")  # the headline: shown beside the sentence anyway
    return next((s for s, _ in spans if s > first_para >= 0), spans[0][0])


@lru_cache(maxsize=_MEMO_SIZE // 4)
def _sentence_at(text: str, start: int) -> str:
    """``sentence_at``, memoised: a pure function of the text and the offset."""
    return sentence_at(text, start)
