"""A new index generation reads only the postings of segments it does not share with the
generation before, and ranks exactly as a generation opened from nothing.

The indexer writes each rebuild's new and changed stories as a new segment beside the old
ones and marks replaced ones deleted; a segment's files never change.  Each generation
hands its per-segment postings store (``matching.SegmentPostings``) to the next, which
applies its own deletions and computes its own idf and average field lengths.  After
each step (stories added, one changed, one removed) every query must list the same
documents with bit-identical scores as a fresh generation's, and those documents must be
Whoosh's own.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from news_archive.search.matching import _scored, make_filter, matched, ranked
from news_archive.search.pool import Generation
from news_archive.search.query import parse
from test_facets_reuse import build, generation_pairs

QUERIES = [("river", False), ("story v1", False), ("story v0 flooded", False), ("river -v1", False),
           ("tag1 tag2", True), ("afp reuters", True), ("leeds", False), ("zola", False)]



def answers(gen: Generation) -> list[tuple]:
    """Each query's matching documents, every score and the ranked page."""
    out = []
    with gen.searcher() as s:
        for text, any_word in QUERIES:
            q = parse(text, any_word=any_word).query
            docs = matched(s, q, make_filter(gen, [], []), None, gen.terms)
            assert docs == set(s.docs_for_query(q)), text  # Whoosh's own list, deletions applied
            found = _scored(s, q, gen.terms, gen.scored)
            assert found is not None and set(found[0].tolist()) == docs, text
            out.append((text, sorted(docs), found[0].tolist(), found[1].tobytes(),
                        ranked(s, q, 5, gen.terms, gen.scored)))
    return out


def test_each_generation_ranks_as_one_opened_from_nothing(tmp_path: Path) -> None:
    for step, fresh, reused, _ in generation_pairs(tmp_path):
        assert answers(reused) == answers(fresh), step


def test_a_segment_the_previous_generation_read_is_not_read_again(tmp_path: Path) -> None:
    """A changed story: its new version in a new segment, its old document deleted in the
    segment the first generation read.  The second generation reads the new segment only."""
    first = Generation(build(tmp_path, {i: 0 for i in range(12)}))
    answers(first)
    read_before = first.postings.reads
    second = Generation(build(tmp_path, {i: (1 if i == 3 else 0) for i in range(12)}), previous=first)
    try:
        with second.searcher() as s:
            assert len(s.reader().leaf_readers()) == 2 and s.reader().has_deletions()
        assert second.postings is first.postings
        answers(second)
        # every segment read since is the new one (its postings and lengths, never the old one's)
        assert 0 < second.postings.reads - read_before
        assert second.postings.reads - read_before == reads_of_one_segment(tmp_path)
    finally:
        first.retire()
        second.retire()


def reads_of_one_segment(tmp_path: Path) -> int:
    """How many reads the queries cost on the newest segment alone (opened from nothing)."""
    gen = Generation(str((tmp_path / "index").resolve()))
    try:
        answers(gen)
        with gen.searcher() as s:
            newest = s.reader().leaf_readers()[-1][0].segment().segment_id()
        return sum(1 for key in gen.postings._items if key[0] == newest)
    finally:
        gen.retire()


def test_postings_arrays_are_not_changed_by_a_generation_applying_its_deletions(tmp_path: Path) -> None:
    first = Generation(build(tmp_path, {i: 0 for i in range(12)}))
    answers(first)
    kept = {k: (v[0].copy(), v[1].copy()) for k, v in first.postings._items.items() if k[1] == "postings"}
    second = Generation(build(tmp_path, {i: 0 for i in range(12) if i != 5}), previous=first)
    try:
        answers(second)
        for key, (ids, weights) in kept.items():
            assert np.array_equal(first.postings._items[key][0], ids)
            assert np.array_equal(first.postings._items[key][1], weights)
    finally:
        first.retire()
        second.retire()


def test_each_generation_keeps_its_own_deletion_masks(tmp_path: Path) -> None:
    """Which documents a segment reader has deleted is the generation's own table
    (``Generation.deleted``), filled by its searches and day table, never a module's: the
    next generation (a deletion more) and a generation opened from nothing start their own."""
    import news_archive.search.matching as matching

    first = Generation(build(tmp_path, {i: 0 for i in range(12)}))
    second = Generation(build(tmp_path, {i: (1 if i == 3 else 0) for i in range(12)}), previous=first)
    try:
        answers(first)
        answers(second)
        assert first.deleted is not second.deleted
        assert first.terms.deleted is first.scored.deleted is first.deleted
        assert len(second.deleted) >= 2  # the day table's reader and the searches' (deletions: the old segment)
        with second.searcher() as s:
            old = next(r for r, _ in s.reader().leaf_readers() if r.has_deletions())
            mask = second.deleted.of(old)
            assert mask is not None and mask.sum() == 1
        assert not [name for name, value in vars(matching).items() if type(value).__module__ == "weakref"]
    finally:
        first.retire()
        second.retire()
