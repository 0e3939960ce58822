"""An archive pass that reuses the previous pass's outputs gives exactly what a pass from scratch gives.

``resolve_archive`` stores, per article no merge changed, its output under a digest of
the article and the archive's decisions on its keys, and takes it from there next time
(``reuse``/``keep``; ``ArchiveMemo`` keeps them in ``archive.json``).  Over random
archives edited by random sequences of added, changed and removed stories — with the
names that make the merges happen (acronyms spelled out elsewhere, first-name variants,
a surname alone, a title, a club, a place) — every pass with reuse must give the same
Entities and the same evidence, byte for byte, as a pass from scratch on the same stories.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from news_archive.enrich.aliases import AliasTable
from news_archive.enrich.archive_pass import resolve_archive
from news_archive.enrich.names import key
from news_archive.enrich.resolve import ArticleEntities, Candidate, Mention

# Forms the generated stories name, chosen so the archive-wide merges have work to do.
FORMS = [
    "Tony Blair", "Blair", "Mr Blair", "George W Bush", "Bush", "Gordon Brown", "Brown",
    "Pat Carlineo", "Patrick Carlineo", "World Health Organisation", "WHO", "Labour",
    "Glasgow", "Manchester United", "France", "Yukos Ltd", "Digital", "Grace",
]
LABELS = [None, "person", "organisation", "place", "group"]
CUES = ["", "", "team", "org", "person"]
ACRONYMS = [("who", "world health organisation"), ("", "")]
PLAIN = ["digital", "total", "blues", "grace", ""]

mention = st.tuples(st.integers(0, len(FORMS) - 1), st.sampled_from(LABELS), st.sampled_from(CUES), st.booleans())
story = st.tuples(st.lists(mention, min_size=1, max_size=6), st.sampled_from(ACRONYMS), st.sampled_from(PLAIN))
edit = st.tuples(st.sampled_from("acr"), st.integers(0, 10**6), story)


def build(spec: Any) -> ArticleEntities:
    """An article from its spec: a headline, then one sentence per mention (offsets exact)."""
    mentions, (acronym, expansion), plain = spec
    text, found = "Headline of the day", []
    for i, (form_at, label, cue, titled) in enumerate(mentions):
        form = FORMS[form_at].removeprefix("Mr ")
        text += "\n\n" if i % 2 == 0 else " "
        start = len(text) + (3 if FORMS[form_at].startswith("Mr ") else 0)
        text += f"{FORMS[form_at]} said the {plain or 'plan'} was {i}."
        found.append(Mention(start, start + len(form), label, form, FORMS[form_at], key(form),
                             titled=titled or FORMS[form_at].startswith("Mr "), cue=cue))
    candidates: dict[str, Candidate] = {}
    for m in found:
        candidates.setdefault(m.key, Candidate(m.key)).mentions.append(m)
    return ArticleEntities(text, [0], 19, candidates, {acronym: expansion} if acronym else {})


def digest(spec: Any) -> str:
    return hashlib.sha256(json.dumps(spec).encode()).hexdigest()


def dump(found: list[Any], evidence: dict[str, Any]) -> str:
    return json.dumps([[vars(e) for e in ents] for ents in found]) + json.dumps(evidence)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(story, min_size=1, max_size=12), st.lists(st.lists(edit, min_size=1, max_size=4), max_size=4))
def test_reuse_equals_from_scratch(first: list[Any], rounds: list[list[Any]]) -> None:
    table = AliasTable(types={"labour": "organisation"}, blocked={"grace"})
    specs, reuse = list(first), {}
    for edits in [[], *rounds]:
        for op, at, new in edits:
            if op == "a" or not specs:
                specs.insert(at % (len(specs) + 1), new)
            elif op == "c":
                specs[at % len(specs)] = new
            elif len(specs) > 1:
                specs.pop(at % len(specs))
        scratch_ev: dict[str, Any] = {}
        scratch = resolve_archive([build(s) for s in specs], table, scratch_ev)
        ev: dict[str, Any] = {}
        keep: list[Any] = []
        found = resolve_archive([build(s) for s in specs], table, ev, [digest(s) for s in specs], reuse, keep)
        assert dump(found, ev) == dump(scratch, scratch_ev)
        assert len(keep) == len(specs)
        # What ArchiveMemo stores is JSON: the next pass reads it back as JSON gives it.
        reuse = {entry[0]: json.loads(json.dumps(entry[1])) for entry in keep if entry}


def test_reused_outputs_are_taken_not_recomputed() -> None:
    """The second pass over the same stories takes every unchanged story's output from ``reuse``:
    a planted output shows that it was taken, not computed."""
    table = AliasTable()
    specs = [([(0, "person", "", False), (12, "place", "", False)], ("", ""), ""),
             ([(12, "place", "", False)], ("", ""), "")]
    keep: list[Any] = []
    resolve_archive([build(s) for s in specs], table, {}, [digest(s) for s in specs], {}, keep)
    assert all(keep)
    planted = {k: ([["Planted", "place", "Planted", [], [[0, 1]], "x"]], parts) for k, (_, parts) in keep}
    found = resolve_archive([build(s) for s in specs], table, {}, [digest(s) for s in specs], planted, [])
    assert [[e.name for e in ents] for ents in found] == [["Planted"], ["Planted"]]


def _tallied(tally: Any) -> Any:
    """A tally as everything the pass can read of it: keys, and each Counter's items, in order."""
    votes, displays, canonical = tally
    return ([(k, list(v.items())) for k, v in votes.items()], [(k, list(d.items())) for k, d in displays.items()],
            sorted(canonical.items()))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(story, min_size=1, max_size=14))
def test_the_tally_after_the_surname_merge_is_a_full_tally(specs: list[Any]) -> None:
    """After the surname merge only the keys it moved mentions between are counted again
    (``_tally_again``): the same keys in the same order, the same floats, as tallying the
    whole archive again."""
    from news_archive.enrich import archive_pass as A

    articles = [build(s) for s in specs]
    touched: set[int] = set()
    A._merge_variants_archive_wide(articles, touched)
    tally = A._tally(articles)
    merged = A._merge_surnames_archive_wide(articles, tally[0], touched)
    again = A._tally_again(articles, *tally, set(merged) | set(merged.values()))
    assert _tallied(again) == _tallied(A._tally(articles))
