"""A new index generation's facet table reuses what the generation before read, and counts
exactly as a table read from nothing.

The indexer writes each rebuild's new and changed stories as a new segment beside the old
ones (hard-linked, never rewritten) and marks replaced ones deleted.  The service opens
each new generation with the one it had open, so only segments it has not seen (or whose
deletions grew) have their postings read.  After each step (stories added, one changed,
one removed) the table opened from the previous generation must hold the same arrays and
give the same counts, for any set of documents, as one opened from nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import numpy as np
from news_archive.search import indexer
from news_archive.search.pool import Generation
from news_archive.search.schema import make_document

PEOPLE = ["Ann Lee", "ann lee", "Bo Diaz", "Émile Zola", "Zoë Ball"]


def story(i: int, version: int = 0) -> dict:
    doc = make_document(url=f"/news/story-{i}/", headline=f"Story {i} v{version}", body="The river flooded.",
                        source=["AFP", "Reuters", "afp"][i % 3], tags=[f"tag{(i + version) % 4}"],
                        entities={"person": PEOPLE[i % 5: i % 5 + 2], "place": ["Leeds"] if i % 2 else []},
                        published=datetime(2000 + i % 7, 5, 1) if i % 6 else None, section="world")
    doc["content_hash"] = indexer.document_hash(doc)
    return doc


STEPS = [
    ("first build", {i: 0 for i in range(12)}),
    ("one story added", {**{i: 0 for i in range(12)}, 12: 0}),
    ("one story changed", {**{i: 0 for i in range(13)}, 3: 1}),
    ("one story removed", {i: (1 if i == 3 else 0) for i in range(13) if i != 5}),
    ("two stories added", {**{i: (1 if i == 3 else 0) for i in range(13) if i != 5}, 20: 0, 21: 0}),
]


def same_table(a, b) -> None:
    assert a.values == b.values
    assert a._ranges == b._ranges
    assert np.array_equal(a._starts, b._starts)
    assert np.array_equal(a._vids, b._vids) and a._vids.dtype == b._vids.dtype
    assert np.array_equal(a._rank, b._rank)


def build(tmp_path: Path, versions: dict[int, int]) -> str:
    """Index the stories ``versions`` names (story number: version) in ``tmp_path``; the index's path."""
    indexer.index_documents(tmp_path, {d["url"]: d for d in (story(i, v) for i, v in versions.items())},
                            related_count=0)
    return str((tmp_path / "index").resolve())


def generation_pairs(tmp_path: Path) -> Iterator[tuple[str, Generation, Generation, Generation | None]]:
    """Each of ``STEPS`` indexed in turn: (step, a generation opened from nothing, one opened
    from the generation before, that one or None); every generation is retired, also when
    the caller's check fails."""
    previous = None
    try:
        for step, versions in STEPS:
            path = build(tmp_path, versions)
            fresh, reused = Generation(path), Generation(path, previous=previous)
            try:
                yield step, fresh, reused, previous
            finally:
                fresh.retire()
            if previous is not None:
                previous.retire()
            previous = reused
    finally:
        if previous is not None:
            previous.retire()


def test_each_generation_counts_as_one_opened_from_nothing(tmp_path: Path) -> None:
    for step, fresh, reused, _ in generation_pairs(tmp_path):
        same_table(fresh.facets, reused.facets)
        n = fresh.ix.doc_count_all()
        with fresh.searcher() as s:
            live = [d for d in range(n) if not s.reader().is_deleted(d)]
        for docnums in (live, live[::2], live[1::3], live[:1], []):
            assert reused.facets.count(docnums) == fresh.facets.count(docnums), (step, docnums)


def test_a_segment_the_previous_generation_read_is_not_read_again(tmp_path: Path) -> None:
    indexer.index_documents(tmp_path, {d["url"]: d for d in (story(i) for i in range(12))}, related_count=0)
    first = Generation(str((tmp_path / "index").resolve()))
    indexer.index_documents(tmp_path, {d["url"]: d for d in (story(i) for i in range(13))}, related_count=0)
    second = Generation(str((tmp_path / "index").resolve()), previous=first)
    try:
        old, = first.facets.segments.items()
        assert len(second.facets.segments) == 2
        assert second.facets.segments[old[0]] is old[1]  # the first segment's values, not read again
    finally:
        first.retire()
        second.retire()


def test_a_segment_whose_deletions_grew_is_not_read_again(tmp_path: Path) -> None:
    """A changed story marks its old document deleted in a segment the previous generation
    read: the new table drops that document's entries from what was read, and counts as a
    table read from nothing (the first test)."""
    indexer.index_documents(tmp_path, {d["url"]: d for d in (story(i) for i in range(12))}, related_count=0)
    first = Generation(str((tmp_path / "index").resolve()))
    changed = {d["url"]: d for d in (story(i, 1 if i == 3 else 0) for i in range(12))}
    indexer.index_documents(tmp_path, changed, related_count=0)
    second = Generation(str((tmp_path / "index").resolve()), previous=first)
    try:
        (key, old), = first.facets.segments.items()
        grown = second.facets.segments[key]
        assert grown.deleted > old.deleted  # the changed story's old document
        assert grown.values is old.values  # its terms were not listed again
        assert len(grown.docs) < len(old.docs)
    finally:
        first.retire()
        second.retire()
