"""A new index generation's day table takes each segment it shares with the generation
before from that one, and holds exactly the days of a table read from nothing.

Each rebuild writes new and changed stories as a new segment beside the old ones and marks
the replaced documents deleted in their old segment: the deleted ones must be undated in
the new generation (a ``date:`` query never matches them) although their segment's days
were read while they were live.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from news_archive.search import indexer
from news_archive.search.pool import Generation
from news_archive.search.schema import UNDATED_OLDEST
from test_facets_reuse import generation_pairs, story


def test_each_generation_has_the_days_of_one_opened_from_nothing(tmp_path: Path) -> None:
    for step, fresh, reused, previous in generation_pairs(tmp_path):
        assert np.array_equal(fresh.days.days, reused.days.days), step
        if previous is not None:
            shared = set(previous.days.segments) & set(reused.days.segments)
            assert shared, step  # a rebuild keeps the old segments
            for key in shared:  # taken from the generation before, not read again
                assert reused.days.segments[key] is previous.days.segments[key], step


def test_a_changed_story_old_document_is_undated(tmp_path: Path) -> None:
    """The changed story's old document, deleted in a segment read before, is marked undated."""
    indexer.index_documents(tmp_path, {d["url"]: d for d in (story(i) for i in range(12))}, related_count=0)
    first = Generation(str((tmp_path / "index").resolve()))
    changed = {d["url"]: d for d in (story(i, 1 if i == 1 else 0) for i in range(12))}
    indexer.index_documents(tmp_path, changed, related_count=0)
    second = Generation(str((tmp_path / "index").resolve()), previous=first)
    try:
        with second.ix.searcher() as s:
            deleted = [n for n in range(s.reader().doc_count_all()) if s.reader().is_deleted(n)]
        assert deleted
        assert (second.days.days[deleted] == UNDATED_OLDEST).all()
        assert (first.days.days[deleted] != UNDATED_OLDEST).all()  # story 1 is dated, live then
    finally:
        first.retire()
        second.retire()
