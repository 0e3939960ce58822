"""A maker's name followed by a model's: "Tesla Roadster", "SpaceX Falcon 9", "Microsoft Word".

The model (spaCy) tags the whole phrase ORG, and the archive vote makes an organisation of
it, so the car Elon Musk sent towards Mars had an organisation page beside Tesla's.  The
phrase names a product of the maker, not a second body: the maker stays an organisation
and the phrase gets no page (it is a product, :data:`.kinds.KINDS`).

Names that are a firm's part, not its product, are told apart by their last words and by
the archive: "BBC News", "Barclays Capital", "Sony Pictures", "Samsung Electronics" end in
a word that names a body (:data:`ORG_TAILS`, :data:`.kinds.ORG_NAME`); "Real Madrid",
"Virgin Atlantic" end in a place; "Sony Ericsson" ends in another organisation (a joint
venture); "World Food Programme", "Royal Court" are no maker's ("world" and "royal" are
common words in its stories); and "Goldman Sachs" is not Goldman's product because "Goldman" alone is rarer
than the full name and never beside it — a maker is named alone at least as often as its
model is, or in a story that names the model too ("Tesla … the Tesla Roadster").

A craft named without its maker ("the Falcon Heavy rocket") is a product when many of its
stories say so (:data:`CRAFT_SHARE`): the model's ORG label in every one of them is the
model's systematic error, and one vote per story would let it win.

A line of numbered designations ("Apollo 11", "Apollo 17", "Falcon 9", "Pixel 2") names
things, and its name is then a maker's or a programme's: "Apollo" is a programme when its
stories write it before "program", "missions", "astronauts", "moon" (the ``mission`` cue)
and never as a firm (:func:`_programmes`); and a name that starts with a line's name and
that the stories call a made thing somewhere ("a co-processor called Pixel Visual Core",
"Pixel 2") is one of the line's products, unless the line's name is itself a firm of the
archive ("Boeing 787" and "Boeing Capital").
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping

from . import gazetteer, kinds
from .aliases import AliasTable
from .resolve import ArticleEntities

CRAFT_SHARE = 0.4  # of its stories that call a name of two words or more a craft: it is one
# Last words that make "<firm> <word>" one of the firm's bodies rather than its product.
ORG_TAILS = frozenset({
    "news", "sport", "sports", "radio", "tv", "television", "channel", "world", "online", "one", "two",
    "three", "four", "films", "studios", "pictures", "music", "records", "entertainment", "media", "games",
    "capital", "bank", "banking", "financial", "finance", "securities", "investments", "investment", "ventures",
    "labs", "research", "foundation", "energy", "electronics", "airlines", "airways", "air", "cargo", "express",
    "international", "global", "worldwide", "group", "holdings", "partners", "trust", "insurance", "motor",
    "motors", "mobile", "telecom", "networks", "network", "systems", "solutions", "services", "service",
    "technologies", "technology", "pharmaceuticals", "pharma", "health", "healthcare", "institute", "university",
    "academy", "school", "college", "hospital", "center", "centre", "council", "committee", "commission", "party",
    "police", "department", "ministry", "office", "agency", "authority", "board", "union", "federation",
    "association", "society", "club", "league", "command", "army", "force", "forces", "navy", "guard", "corps",
    "brigade", "store", "stores", "shops", "retail", "park", "stadium", "arena", "ground", "atlantic", "pacific",
    "america", "europe", "asia", "africa", "usa", "uk", "daily", "times", "post", "press", "magazine", "journal",
    "tower", "studio", "institution", "church", "guards", "theatre", "theater", "coalition", "forum", "programme",
    "program", "movement", "tour", "fund", "management", "broadband", "estates", "directory", "security", "card",
    "auto", "division", "rail", "unit", "broadcasts", "live", "ac", "fc", "breweries", "brewery", "conservatives",
    "labour", "base", "movies", "plus", "reform", "orchestra", "choir", "band", "aid", "family", "court",
})


def model_types(
    articles: Iterable[ArticleEntities], type_of: Mapping[str, str], name_of: Mapping[str, str], table: AliasTable,
) -> dict[str, str]:
    """``{key: "product"}`` for each organisation of the archive named as a maker's model."""
    orgs = {k for k, t in type_of.items() if t == "organisation"}
    stories: dict[str, set[int]] = defaultdict(set)
    crafted: Counter[str] = Counter()  # stories in which the name is a craft's ("the Falcon Heavy rocket")
    for i, art in enumerate(articles):
        for k, cand in art.candidates.items():
            stories[k].add(i)
            crafted[k] += any(m.cue == "craft" for m in cand.mentions)
    out: dict[str, str] = {}
    for k in orgs:
        tokens = k.split()
        name = name_of.get(k, k)
        if len(tokens) < 2 or table.types.get(k) or table.lookup(name) or kinds.ORG_NAME.match(name) \
                or kinds.TEAM_NAME.match(name) or kinds.STREET_NAME.match(name) or "of" in tokens:
            continue
        if crafted[k] >= max(2, CRAFT_SHARE * len(stories[k])):
            out[k] = "product"  # the model's ORG on a rocket is a systematic error, not a vote
            continue
        if "-" in name or "&" in name or set(tokens) & CONNECTORS:
            continue  # "Mercedes-Benz", "Office for National Statistics"
        for i in range(1, len(tokens)):
            maker, tail = " ".join(tokens[:i]), tokens[i:]
            tail_key = " ".join(tail)
            if maker not in orgs or len(stories[maker]) < MAKER_STORIES or tokens[i - 1] in ORG_TAILS \
                    or tail[-1] in ORG_TAILS or tail[0] in ORG_TAILS \
                    or (len(stories[maker]) < len(stories[k]) and not stories[maker] & stories[k]):
                continue  # "BBC Radio 1": a station of a body
            if type_of.get(tail_key) in ("organisation", "person") or gazetteer.place_weight(tail_key) \
                    or kinds.is_demonym(tail_key) or any(t in kinds.LEGAL_FORMS for t in tail):
                continue  # "Sony Ericsson" (a joint venture), "Real Madrid", "Air France", "Vodafone KK"
            if _common_word(maker, [articles[j].text for j in sorted(stories[maker])[:COMMON_SAMPLE]]):
                continue  # "World Food Programme", "Royal Court", "Time Warner": no maker's name
            out[k] = "product"
            break
    out.update(_programmes(articles, {**type_of, **out}, name_of, table))
    return out


PROGRAMME_STORIES = 2  # stories that write a line's name before "program", "missions", "moon"…
_DESIGNATION = re.compile(r"^(?:\d{1,4}[a-z]?|[ivx]{1,4})$")  # "11", "9", "787", "2xl", "v", "iv"
NOT_OURS = ("product", "work", "event")


def _programmes(
    articles: Iterable[ArticleEntities], type_of: Mapping[str, str], name_of: Mapping[str, str], table: AliasTable,
) -> dict[str, str]:
    """``{key: "product"}`` for the programmes and product lines of the archive's numbered
    designations (see the module's docstring)."""
    numbered = {k: " ".join(k.split()[:-1]) for k in type_of
                if len(k.split()) >= 2 and _DESIGNATION.match(k.split()[-1])}
    lines = set(numbered.values())  # "apollo" of "apollo 11", whatever the model made of either
    products = {line for k, line in numbered.items() if type_of[k] in NOT_OURS}  # "pixel" of the product "pixel 2"
    if not lines:
        return {}
    mission: Counter[str] = Counter()  # stories writing the line's name (or a designation) before a mission word
    made: Counter[str] = Counter()  # mentions the words around call a made thing, or the model a PRODUCT
    firm: Counter[str] = Counter()  # mentions the words around call a firm or a club
    for art in articles:
        said: set[str] = set()
        for k, cand in art.candidates.items():
            line = numbered.get(k, k)
            for m in cand.mentions:
                made[k] += m.cue in ("product", "craft") or m.label == "product"
                firm[k] += m.cue in ("org", "team", "affiliation")
                if m.cue == "mission" and line in lines:
                    said.add(line)
        mission.update(said)
    def ours(k: str) -> bool:  # an organisation no table, firm cue or firm's name shape vouches for
        name = name_of.get(k, k)
        return type_of.get(k) == "organisation" and not (
            table.types.get(k) or table.lookup(name) or firm[k] or kinds.ORG_NAME.match(name)
            or kinds.TEAM_NAME.match(name) or k.split()[-1] in ORG_TAILS)

    programmes = {line for line in lines if ours(line) and mission[line] >= PROGRAMME_STORIES}
    out = {k: "product" for k in programmes}  # "Apollo": the programme of "Apollo 11" and "Apollo 17"
    out.update({k: "product" for k, line in numbered.items() if line in programmes and ours(k)})  # its missions
    for k in type_of:
        tokens = k.split()
        line = next((" ".join(tokens[:i]) for i in range(len(tokens) - 1, 0, -1)
                     if " ".join(tokens[:i]) in products), "")
        if line and k not in out and ours(k) and made[k] and type_of.get(line) != "organisation":
            out[k] = "product"  # "Pixel Visual Core", of the line of the product "Pixel 2"
    return out


MAKER_STORIES = 3  # a maker is an organisation of at least this many stories
COMMON_SAMPLE = 20  # of the maker's stories, how many are read for its name in lower case
CONNECTORS = frozenset({"of", "for", "and", "the", "&", "de", "du", "des", "la", "le", "von", "van"})


def _common_word(maker: str, texts: list[str]) -> bool:
    """Is the maker's name also written in lower case in its own stories ("world", "royal",
    "sky", "orange")?  A firm named by a common word is no maker this rule can tell."""
    pattern = re.compile(r"(?<![\w-])" + re.escape(maker).replace(r"\ ", r"\s+") + r"(?![\w-])")
    return any(pattern.search(t) for t in texts)
