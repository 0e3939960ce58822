"""A maker's name followed by a model's: "Tesla Roadster", "SpaceX Falcon 9", "Microsoft Word".

The model (spaCy) tags the whole phrase ORG, and the archive vote makes an organisation of
it, so the car Elon Musk sent towards Mars had an organisation page beside Tesla's.  The
phrase names a product of the maker, not a second body: the maker stays an organisation
and the phrase gets no page (it is a product, :data:`.kinds.KINDS`).

Names that are a firm's part, not its product, are told apart by their last words and by
the archive: "BBC News", "Barclays Capital", "Sony Pictures", "Samsung Electronics" end in
a word that names a body (:data:`ORG_TAILS`, :data:`.kinds.ORG_NAME`); "Real Madrid",
"Virgin Atlantic" end in a place; "Sony Ericsson" ends in another organisation (a joint
venture); and "Goldman Sachs" is not Goldman's product because "Goldman" alone is rarer
than the full name and never beside it — a maker is named alone at least as often as its
model is, or in a story that names the model too ("Tesla … the Tesla Roadster").
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

from . import gazetteer, kinds
from .aliases import AliasTable
from .resolve import ArticleEntities

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
})


def model_types(
    articles: Iterable[ArticleEntities], type_of: Mapping[str, str], name_of: Mapping[str, str], table: AliasTable,
) -> dict[str, str]:
    """``{key: "product"}`` for each organisation of the archive named as a maker's model."""
    orgs = {k for k, t in type_of.items() if t == "organisation"}
    stories: dict[str, set[int]] = defaultdict(set)
    for i, art in enumerate(articles):
        for k in art.candidates:
            stories[k].add(i)
    out: dict[str, str] = {}
    for k in orgs:
        tokens = k.split()
        name = name_of.get(k, k)
        if len(tokens) < 2 or table.types.get(k) or table.lookup(name) or kinds.ORG_NAME.match(name) \
                or kinds.TEAM_NAME.match(name) or kinds.STREET_NAME.match(name) or "of" in tokens:
            continue
        for i in range(1, len(tokens)):
            maker, tail = " ".join(tokens[:i]), tokens[i:]
            tail_key = " ".join(tail)
            if maker not in orgs or tail[-1] in ORG_TAILS or tail[0] in ORG_TAILS or (
                    len(stories[maker]) < len(stories[k]) and not stories[maker] & stories[k]):
                continue
            if type_of.get(tail_key) == "organisation" or gazetteer.place_weight(tail_key) \
                    or kinds.is_demonym(tail_key):
                continue  # "Sony Ericsson" (a joint venture), "Real Madrid", "Air France"
            out[k] = "product"
            break
    return out
