"""A watch session's archive pass counts again only the keys of the stories that changed.

``resolve_archive`` given a ``tally`` memo (what ``news-archive watch`` keeps from one
cycle to the next) takes every key's votes, display forms and alias-table name from the
previous pass, except the keys that an added, changed, removed or merged-into story names
(``_tally_partial``).  Over random archives edited by random sequences of added, changed,
removed and reordered stories, with the names that make the merges happen, each pass's
tally must be the full tally — the same keys in the same order, the same floats — and
its Entities and evidence those of a pass without the memo.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from news_archive.enrich import archive_pass as A
from news_archive.enrich.aliases import AliasTable
from news_archive.enrich.archive_pass import resolve_archive
from test_archive_pass_reuse import _tallied, build, digest, dump, story

# "a": add, "c": change, "r": remove, "s": swap two stories (the same stories in another order)
edit = st.tuples(st.sampled_from("acrs"), st.integers(0, 10**6), st.integers(0, 10**6), story)


def _apply(specs: list[Any], edits: list[Any]) -> None:
    for op, at, other, new in edits:
        if op == "a" or not specs:
            specs.insert(at % (len(specs) + 1), new)
        elif op == "c":
            specs[at % len(specs)] = new
        elif op == "s":
            i, j = at % len(specs), other % len(specs)
            specs[i], specs[j] = specs[j], specs[i]
        elif len(specs) > 1:
            specs.pop(at % len(specs))


def _merged(specs: list[Any]) -> tuple[list[Any], set[int]]:
    """The articles after the merges that come before the tally, and the ones they changed."""
    articles = [build(s) for s in specs]
    touched: set[int] = set()
    A._merge_variants_archive_wide(articles, touched)
    return articles, touched


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(story, min_size=1, max_size=12), st.lists(st.lists(edit, min_size=1, max_size=4), max_size=5))
def test_partial_tally_is_the_full_tally(first: list[Any], rounds: list[list[Any]]) -> None:
    specs = [s for s in first if first.count(s) == 1] or first[:1]  # one digest per story
    memo: dict[str, Any] = {}
    for edits in [[], *rounds]:
        _apply(specs, edits)
        articles, touched = _merged(specs)
        partial = A._tally_partial(articles, [digest(s) for s in specs], touched, memo)
        full_articles, _ = _merged(specs)
        assert _tallied(partial) == _tallied(A._tally(full_articles))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(story, min_size=1, max_size=12), st.lists(st.lists(edit, min_size=1, max_size=4), max_size=4))
def test_pass_with_the_tally_memo_equals_from_scratch(first: list[Any], rounds: list[list[Any]]) -> None:
    """The whole pass (its merges, types, names, evidence) with the memo, and with the output
    reuse beside it as a watch session has both, is the pass from scratch; stories that
    share a text share a digest, and then the memo is not used."""
    table = AliasTable(types={"labour": "organisation"}, blocked={"grace"})
    specs, memo = list(first), {}
    for edits in [[], *rounds]:
        _apply(specs, edits)
        scratch_ev: dict[str, Any] = {}
        scratch = resolve_archive([build(s) for s in specs], table, scratch_ev)
        ev: dict[str, Any] = {}
        found = resolve_archive([build(s) for s in specs], table, ev, [digest(s) for s in specs], {}, [], memo)
        assert dump(found, ev) == dump(scratch, scratch_ev)


def test_unchanged_keys_are_taken_from_the_memo() -> None:
    """After one story is added, a key only unchanged stories name keeps the memo's votes (a
    planted Counter shows it was taken, not counted), and the new story's keys are counted."""
    specs = [([(0, "person", "", False)], ("", ""), ""), ([(12, "place", "", False)], ("", ""), "")]
    memo: dict[str, Any] = {}
    articles, touched = _merged(specs)
    A._tally_partial(articles, [digest(s) for s in specs], touched, memo)
    memo["tally"][0]["tony blair"] = Counter(planted=1.0)
    specs.append(([(12, "organisation", "", False)], ("", ""), ""))
    articles, touched = _merged(specs)
    votes, _, _ = A._tally_partial(articles, [digest(s) for s in specs], touched, memo)
    assert votes["tony blair"] == Counter(planted=1.0)
    assert votes["glasgow"] == A._tally(_merged(specs)[0])[0]["glasgow"]


def test_no_memo_without_digests_or_with_a_shared_digest() -> None:
    """Two stories with one digest (one text twice) cannot be told apart: a full tally, and
    nothing kept that a later pass could take for theirs."""
    spec = ([(0, "person", "", False)], ("", ""), "")
    memo: dict[str, Any] = {"tally": "stale"}
    articles, touched = _merged([spec, spec])
    votes, _, _ = A._tally_partial(articles, [digest(spec)] * 2, touched, memo)
    assert memo == {}
    assert votes["tony blair"]["person"] == 2.0
