"""The maintainer's review queue: the entities most likely wrong, with the fix for each.

``python -m news_archive review`` reads what the last build's archive pass kept about
each entity (``<work>/cache/ner/evidence.json``, written by :func:`entities.resolve_texts`)
and ranks entities by *stories touched × uncertainty*, so that one look fixes the most
pages.  Uncertainty adds up what an editor would be suspicious of:

* a split vote: the model typed the name several ways (1 − the winning share);
* model-only evidence: the model labelled it once or twice and no alias table,
  gazetteer, title or context cue confirms it;
* it looks like something that is not an entity of ours or not of this type: the model
  also typed it as a work, an event or a product; a one-word name the archive also writes
  in lower case as a common word ("Digital", "Blues"); a "person" named in full every
  time in stories that name it twice or more (a band: "Franz Ferdinand"); a title
  joined to a name, a club's name typed as a place or person, context cues
  ("Oscar-winning", "beat Glasgow 23-10") that disagree with the type it got, or stories
  where its own words gave it another type; a first name alone that is the first name
  of several people of the archive and the surname of none ("Matthew").

Each line ends with the one line to paste into ``content/entities.toml`` (its section
named in brackets): a ``[types]`` override when another type is likelier, else a
``[blocklist]`` entry.  Entities the maintainer already typed are never listed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .kinds import KINDS, TEAM_NAME, cue_type, is_feature
from .names import COURTESY, DISPLAY_HONORIFICS

EVIDENCE = Path("cache") / "ner" / "evidence.json"
WAITING = 0.5  # uncertainty from which an entity counts as waiting for review
PAGE_TYPES = ("person", "organisation", "place")


def load(work_dir: str | Path) -> dict[str, dict[str, Any]]:
    try:
        data = json.loads((Path(work_dir) / EVIDENCE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def first_names(evidence: dict[str, dict[str, Any]]) -> dict[str, int]:
    """``{word: n}``: how many people of the archive have the word as their first name and
    none as their surname — "Matthew" alone is one of them, or none, not a person of its own."""
    firsts: dict[str, set[str]] = {}
    lasts: set[str] = set()
    for ev in evidence.values():
        words = ev.get("name", "").split(" ")
        if ev.get("type") == "person" and len(words) >= 2:
            firsts.setdefault(words[0], set()).add(ev["name"])
            lasts.add(words[-1])
    return {w: len(names) for w, names in firsts.items() if w not in lasts}


def uncertainty(ev: dict[str, Any], firsts: dict[str, int] | None = None) -> tuple[float, list[str], str]:
    """(0–1, the reasons, the likelier type or '') for one entity's evidence.

    Every part is a share, so that an entity of 200 stories with two stray cues is not
    more doubtful than one of 10 stories the model typed three ways.
    """
    etype = ev.get("type", "")
    name = ev.get("name", "")
    stories_by_type: dict[str, int] = ev.get("stories", {})
    stories = max(sum(stories_by_type.values()), 1)
    reasons: list[str] = []
    u = 0.0
    model: dict[str, int] = ev.get("model", {})
    labelled = sum(model.values())
    if labelled:
        share = model.get(etype, 0) / labelled
        if share < 0.9:
            u += 1 - share
            split = sorted(model.items(), key=lambda x: -x[1])
            reasons.append("model split " + ", ".join(f"{t} {n}" for t, n in split))
    no_entity = {t: n for t, n in model.items() if t in KINDS}
    # A WORK_OF_ART, EVENT or PRODUCT span elsewhere: a film the model otherwise types as a firm.
    if labelled and no_entity and etype not in KINDS and sum(no_entity.values()) >= 0.03 * labelled:
        u += min(0.3, 0.1 + 2 * sum(no_entity.values()) / labelled)
        reasons.append("the model also called it " + ", ".join(f"{t} {n}" for t, n in no_entity.items()))
    cues: dict[str, int] = ev.get("cues", {})
    against: dict[str, int] = {}
    for c, n in cues.items():
        if c == "possessed" and etype != "person":
            continue  # "his Tesla", "their London home": no person, but a firm or a place may be so owned
        if cue_type(c) != etype and c != "place":  # "in X" is no evidence against a club or a firm
            against[cue_type(c)] = against.get(cue_type(c), 0) + n
    confirmed = bool(ev.get("gazetteer") or ev.get("titled") or ev.get("fixed")
                     or any(cue_type(c) == etype for c in cues if c != "place"))
    if not confirmed and not against and labelled <= 2:
        u += 0.3  # one or two labels of the model, and nothing else says what it is
        reasons.append("model only")
    cue_share = sum(against.values()) / stories
    if cue_share >= 0.1:
        u += min(0.6, cue_share)
        reasons.append("cues say " + ", ".join(f"{t} {n}" for t, n in against.items()))
    other = {t: n for t, n in stories_by_type.items() if t != etype}
    if sum(other.values()) / stories >= 0.1:
        u += 0.5 * sum(other.values()) / stories
        reasons.append("typed otherwise in " + ", ".join(f"{n} {t}" for t, n in other.items()) + " stories")
    first = name.split(" ")[0].casefold().rstrip(".")
    if etype == "place" and (first in COURTESY or first in DISPLAY_HONORIFICS):
        u += 0.5
        reasons.append("a title joined to a place")
    if etype != "organisation" and TEAM_NAME.match(name) and not is_feature(name):  # not "Sambisa Forest"
        u += 0.4
        reasons.append("a club's name")
    support = sum(n for c, n in cues.items() if c != "place" and cue_type(c) == etype) / stories
    if support >= 0.1 and cue_share < 0.1:
        u *= 0.3  # its own words made it this type ("Everton manager"): the model's other labels lost to them
    if etype == "place" and ev.get("gazetteer"):
        u *= 0.3 if ev["gazetteer"] >= 2 else 0.6  # a country, a province, a city: the model's other labels
        #                                            are its metonyms and its systematic errors
    plain = ev.get("plain_word", 0)
    if " " not in name and plain >= max(2, stories / 2) and not ev.get("gazetteer") and not ev.get("titled"):
        u += 0.5  # "Digital", "Blues": a common word with a capital, which the model took for a name
        reasons.append(f"also a common word ({name.casefold()!r} in {plain} stories)")
    if etype == "person" and ev.get("repeated", 0) >= 3 and not ev.get("short", 1) and not ev.get("titled"):
        u += 0.5  # named twice or more in 3 stories, never by surname, title or first name alone
        reasons.append(f"named in full every time in {ev['repeated']} stories (a band, a work?)")
    if etype == "person" and " " not in name and (firsts or {}).get(name, 0) >= 1 and not ev.get("titled"):
        u += 0.6  # "Matthew", "William": a story's first name alone, which no full name in it explained
        reasons.append(f"a first name alone (of {firsts[name]} people in the archive)")
    alternatives = {t: 2.0 * n for t, n in against.items()}  # what the words say before what the model says
    for t, n in model.items():
        if t != etype:
            alternatives[t] = alternatives.get(t, 0) + n / max(labelled, 1) * stories
    likelier = max(alternatives, key=alternatives.get) if alternatives else ""
    return min(round(u, 2), 1.0), reasons, likelier


def fix_line(ev: dict[str, Any], likelier: str) -> str:
    name = json.dumps(ev.get("name", ""), ensure_ascii=False)
    if likelier in PAGE_TYPES:
        return f'[types] {name} = "{likelier}"'
    if likelier in KINDS or not likelier:
        return f"[blocklist] names = [..., {name}]"
    return f'[types] {name} = "{likelier}"'


def queue(evidence: dict[str, dict[str, Any]], limit: int | None = None) -> list[dict[str, Any]]:
    """Entities with a page, most stories × uncertainty first."""
    rows = []
    firsts = first_names(evidence)
    for ev in evidence.values():
        if ev.get("fixed") or ev.get("type") not in PAGE_TYPES:
            continue
        stories = ev.get("stories", {}).get(ev["type"], 0)
        if not stories:
            continue
        u, reasons, likelier = uncertainty(ev, firsts)
        if u <= 0:
            continue
        rows.append({"name": ev["name"], "type": ev["type"], "stories": stories, "uncertainty": round(u, 2),
                     "score": round(stories * u, 2), "reasons": reasons, "fix": fix_line(ev, likelier)})
    rows.sort(key=lambda r: (-r["score"], r["name"].casefold()))
    return rows[:limit] if limit else rows


def waiting(work_dir: str | Path) -> int:
    """How many entities with a page in more than one story are uncertain enough to review
    (for the build summary): the pages readers meet most."""
    return sum(1 for r in queue(load(work_dir)) if r["uncertainty"] >= WAITING and r["stories"] >= 2)


def doubts(evidence: dict[str, dict[str, Any]]) -> dict[str, float]:
    """``{"type\\tname": uncertainty}`` of every entity with a page and some doubt, for the
    entity pages (the taxonomy step ranks by confidence and shows a doubtful type with care).

    An entity the maintainer typed has none: the ``[types]`` entry is the fix this measures.
    """
    out: dict[str, float] = {}
    firsts = first_names(evidence)
    for ev in evidence.values():
        if ev.get("fixed") or ev.get("type") not in PAGE_TYPES:
            continue
        u = uncertainty(ev, firsts)[0]
        if u > 0:
            out[f"{ev['type']}\t{ev.get('name', '')}"] = u
    return out
