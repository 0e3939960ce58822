"""Entity classes an index can trust, one case a line in tests/data/entity_cases.jsonl.

Each case's texts are resolved together, like one small archive, by the build's code path
(``entities_for_texts``: real spaCy, the shipped alias and kinds tables).  Keys:
``present`` [type, name] somewhere; ``present_in`` [text index, type, name]; ``absent`` a
name that must have no person/organisation/place entity; ``absent_typed`` [type, name];
``one_of`` names of which exactly one is an entity (variants merged into one page);
``same_in`` / ``differ_in`` [i, j, word]: the person named with that word in texts i and j
is (is not) one page.  Tags (the texts as stories, first line the headline, tagged together
by the build's tagger): ``tags_absent`` a tag no story gets; ``tags_present`` [text index, tag].
"""

from __future__ import annotations

import json

import pytest
from conftest import ROOT

CASES = [json.loads(line) for line in (ROOT / "tests" / "data" / "entity_cases.jsonl").read_text().splitlines()
         if line.strip()]


@pytest.mark.parametrize("case", CASES, ids=[c["case"] for c in CASES])
def test_entity_case(case: dict):
    from news_archive.enrich.entities import entities_for_texts

    found = entities_for_texts(case["texts"])
    per_text = [{(e["type"], e["name"]) for e in ents} for ents in found]
    everywhere = set().union(*per_text)
    for etype, name in case.get("present", []):
        assert (etype, name) in everywhere, (etype, name, sorted(everywhere))
    for i, etype, name in case.get("present_in", []):
        assert (etype, name) in per_text[i], (i, etype, name, sorted(per_text[i]))
    for name in case.get("absent", []):
        assert not any(n == name for _, n in everywhere), (name, sorted(everywhere))
    for etype, name in case.get("absent_typed", []):
        assert (etype, name) not in everywhere, (etype, name, sorted(everywhere))
    for names in case.get("one_of", []):
        assert len({n for _, n in everywhere} & set(names)) == 1, (names, sorted(everywhere))
    if "tags_absent" in case or "tags_present" in case:
        tags = _tags_of(case["texts"])
        for tag in case.get("tags_absent", []):
            assert not any(tag in t for t in tags), (tag, tags)
        for i, tag in case.get("tags_present", []):
            assert tag in tags[i], (i, tag, tags[i])
    for key, same in (("same_in", True), ("differ_in", False)):
        for i, j, word in case.get(key, []):
            a, b = ({n for t, n in per_text[x] if t == "person" and word in n} for x in (i, j))
            assert len(a) == len(b) == 1 and (a == b) == same, (key, a, b)


def _tags_of(texts: list[str]) -> list[list[str]]:
    """Each text's tags, the texts tagged together as one archive's stories."""
    from news_archive.enrich.tags import assign_all
    from news_archive.story import Story

    stories = []
    for text in texts:
        headline, _, body = text.partition("\n\n")
        stories.append(Story(headline=headline, body=[p for p in body.split("\n") if p.strip()]))
    assign_all(stories)
    return [s.tags for s in stories]
