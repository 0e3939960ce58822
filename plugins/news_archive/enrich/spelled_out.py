"""One body under its acronym and its full name, across the archive.

The article pass equates an acronym with the name a story spells it out as ("the National
Aeronautics and Space Administration (Nasa)"); the archive pass then gives every story's
bare "NASA" that expansion.  Two spellings still made second pages:

* the acronym written as a word, the British way ("Nasa said…" in a story that never
  spells it out): :func:`.names.spelled_acronym`, and never a place's name ("Nice" is the
  city, not NICE) nor a word the model read as anything but an organisation ("Gavi" and
  "Ampas" as people would have made people of the bodies they spell);
* an acronym inside a longer name ("UN Security Council", "US Senate"), where the archive
  also has the name with it spelled out ("United Nations Security Council"): the acronym
  is the one the archive or the alias table expands, and the longer name must exist as
  written out — nothing is invented, two names of one body become one.
"""

from __future__ import annotations

from collections.abc import Mapping

from . import gazetteer
from .aliases import AliasTable
from .names import is_acronym, key, spelled_acronym
from .resolve import ArticleEntities, Candidate


def merge_spelled_out(
    articles: list[ArticleEntities], expansion: Mapping[str, str], table: AliasTable, touched: set[int]
) -> None:
    """Move such candidates into the spelled-out name's; changed articles go to ``touched``."""
    keys = {k for art in articles for k in art.candidates}
    for i, art in enumerate(articles):
        for k in list(art.candidates):
            cand = art.candidates[k]
            if cand.canonical:
                continue
            target = ""
            if k in expansion and not gazetteer.place_weight(k) \
                    and all(spelled_acronym(m.form) and m.label in (None, "organisation") for m in cand.mentions):
                target = expansion[k]
            elif " " in k:
                target = _spelled_out(cand, expansion, table)
                target = target if target in keys else ""
            if not target or target == k:
                continue
            touched.add(i)
            del art.candidates[k]
            into = art.candidates.setdefault(target, Candidate(target))
            for m in cand.mentions:
                m.key, m.full = target, False
            into.mentions = sorted(into.mentions + cand.mentions, key=lambda m: m.start)


def _spelled_out(cand: Candidate, expansion: Mapping[str, str], table: AliasTable) -> str:
    """The key of the candidate's name with each acronym in it written out, or ''."""
    form = next((m.form for m in cand.mentions if m.full), cand.mentions[0].form if cand.mentions else "")
    words = form.split()
    if len(words) < 2:
        return ""
    out: list[str] = []
    changed = False
    for w in words:
        if is_acronym(w):
            hit = table.lookup(w)
            full = key(hit[0]) if hit else expansion.get(key(w), "")
            if full and full != key(w):
                out.append(full)
                changed = True
                continue
        out.append(key(w))
    return key(" ".join(out)) if changed else ""
