"""What the stories' own words say about a name, counted story by story, against the model's
systematic label.

The model labels a name the same way wherever it reads it the same way: "Vera Drake" is its
ORG in 21 BBC stories, "Franz Ferdinand" its PERSON in 16, "Digital" (as in "Digital cameras
were the hot gadget…") its ORG in 18.  Those labels are one error repeated, not 21
independent votes, so the archive-wide vote (:mod:`.archive_pass`) cannot outvote them with
the few context cues of each story.  What is independent is how many *stories* say
otherwise in their own words; the rules here count that:

* :func:`kind_types`: a name that a third of its stories (two at least) call a film, a show,
  an award or an event in so many words ("the film Vera Drake", "her role in Vera Drake",
  "Oscar-winning", "the Champions League final"), and fewer call one of our types, is of
  that kind — the model's label in its other stories is the same misreading;
* :func:`kind_types` too: a "person" that no story ever calls by a short form (a surname, a
  first name, a title), that stories name in full twice or more, and that the words around it
  call a band, a firm or a club somewhere ("Glasgow group Franz Ferdinand") is that body: a
  person named twice in a story is almost always called by surname the second time;
* :func:`sentence_case_words`: a one-word name that the stories write with a capital only
  where every word has one (starting a sentence or a paragraph), and that the archive writes
  in lower case in many more stories than it names it ("Digital", "Friends"), is a common
  word; it gets no page.

All three read only the articles' mentions and cues, and leave alone every name the
maintainer typed, an alias-table name, a titled name and a gazetteer place.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Mapping
from typing import TYPE_CHECKING

from . import gazetteer, kinds

if TYPE_CHECKING:
    from .resolve import ArticleEntities

ENTITY_TYPES = ("person", "organisation", "place")
# Kinds a story's words can give a name archive-wide.  Products are left out: "Nokia phones"
# names the maker, and a maker-versus-model rule (makers.py) decides them.
STORY_KINDS = ("work", "award", "event", "programme")
KIND_SHARE = 1 / 3  # of a name's stories that call it a work, an award or an event
KIND_MIN_STORIES = 2
BODY_CUES = frozenset({"org", "team"})
# Of a lone name's stories (two at least: "Krebs reported" once is a journalist) that quote it as a
# source ("told Bloomberg", "contacted by Bloomberg"): it is a body.
SOURCE_SHARE = 1 / 2
# How a cue counts towards one of our types when it is weighed against a kind.
_CUE_TYPE = {"org": "organisation", "team": "organisation", "affiliation": "organisation",
             "person": "person", "street": "place", "town": "place"}


def kind_types(
    articles: list[ArticleEntities], type_of: Mapping[str, str], exempt: set[str],
) -> dict[str, str]:
    """``{key: new type}`` for the names the stories' own words retype (the module's first two
    rules); ``exempt`` are the keys that keep their type whatever the stories say (typed by the
    maintainer or the alias table, titled)."""
    stories: Counter[str] = Counter()
    kind_stories: dict[str, Counter[str]] = defaultdict(Counter)
    ours: dict[str, Counter[str]] = defaultdict(Counter)
    repeated: Counter[str] = Counter()
    short: Counter[str] = Counter()
    body: Counter[str] = Counter()
    source: Counter[str] = Counter()
    for art in articles:
        for k, cand in art.candidates.items():
            if k in exempt or type_of.get(k) not in ENTITY_TYPES:
                continue
            stories[k] += 1
            cues = {m.cue for m in cand.mentions if m.cue}
            source[k] += "source" in cues
            for c in cues:
                t = kinds.cue_type(c)
                if t in STORY_KINDS:
                    kind_stories[k][t] += 1
                elif c in _CUE_TYPE:
                    ours[k][_CUE_TYPE[c]] += 1
            if type_of[k] == "person":
                name = cand.mentions[0].form if cand.mentions else ""
                repeated[k] += len(cand.mentions) >= 2
                short[k] += sum(1 for m in cand.mentions if not m.full or m.form != name or m.titled)
                body[k] += bool(cues & BODY_CUES)
    # The words of the archive's people's names: a lone "Mitchell" quoted as a source may be the
    # Andrea Mitchell of another story, so only a name no person's name contains is retyped so.
    name_words = {w for k, t in type_of.items() if t == "person" and " " in k for w in k.split()}
    out: dict[str, str] = {}
    for k, n in stories.items():
        if gazetteer.place_weight(k) or kinds.is_demonym(k):
            continue  # "Wales campaign", "Australian Open": the place stays the place
        current = type_of[k]
        if kind_stories[k] and not (current == "person" and short[k]):  # "the film Ray": Ray Charles stays
            kind, m = kind_stories[k].most_common(1)[0]
            if m >= max(KIND_MIN_STORIES, KIND_SHARE * n) and m > ours[k][current]:
                out[k] = kind
                continue
        if current == "person" and " " in k and not short[k] and repeated[k] >= 2 and body[k]:
            out[k] = "organisation"  # "Franz Ferdinand", "Scissor Sisters": bands named like people
        elif current in ("person", "place") and " " not in k and k not in name_words \
                and source[k] >= max(KIND_MIN_STORIES, SOURCE_SHARE * n) and source[k] > ours[k][current]:
            out[k] = "organisation"  # "Bloomberg reported", "told Bloomberg": an outlet named after its founder
    return out


INITIAL_SHARE = 2 / 3  # of a name's mentions that start a sentence or a paragraph
INITIAL_PLAIN = 2  # stories writing it in lower case per story naming it
_SENTENCE_END = re.compile(r"(?:^|[.!?:;]['\"\u2019\u201d)]*|\n)\s*['\"\u2018\u201c(]*$")


def sentence_case_words(
    articles: list[ArticleEntities], type_of: Mapping[str, str], plain: Mapping[str, int], exempt: set[str],
) -> set[str]:
    """One-word names (of any of our types) that start a sentence or a paragraph in two thirds
    of their mentions and that the archive writes in lower case in twice as many stories as
    name them: a capitalised common word ("Digital cameras were…"), not a name (the module's
    third rule)."""
    stories: Counter[str] = Counter()
    mentions: Counter[str] = Counter()
    initial: Counter[str] = Counter()
    exempt_here: set[str] = set()
    for art in articles:
        for k, cand in art.candidates.items():
            if " " in k or k in exempt or type_of.get(k) not in ENTITY_TYPES:
                continue
            stories[k] += 1
            for m in cand.mentions:
                if m.cue in BODY_CUES:  # "oil giant Shell" in one story: the firm, whatever "Shell companies" is
                    exempt_here.add(k)
                mentions[k] += 1
                initial[k] += bool(_SENTENCE_END.search(art.text, max(0, m.start - 6), m.start))
    return {
        k for k, n in stories.items()
        if initial[k] >= INITIAL_SHARE * mentions[k] and plain.get(k, 0) >= INITIAL_PLAIN * n
        and not gazetteer.place_weight(k) and k not in exempt_here
    }
