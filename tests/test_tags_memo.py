"""The archive's tags, memoised whole (enrich.memo.assign_tags): the same tags as
``tags.assign_all`` for every input, whether the memo is hit, missed or damaged."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from news_archive.enrich import memo, tags
from news_archive.story import Entity, Story
from support import assigned_tags, sample_stories


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> list[Story]:
    return sample_stories(tmp_path_factory.mktemp("ingest"))


def plain(stories: list[Story], vocabulary: tags.Vocabulary | None = None) -> list[list[str]]:
    return assigned_tags(stories, vocabulary)


def memoised(stories: list[Story], cache: Path, vocabulary: tags.Vocabulary | None = None) -> list[list[str]]:
    return assigned_tags(stories, vocabulary, memo_dir=cache)


def test_a_hit_gives_the_tags_assign_all_gives(archive, tmp_path):
    want = plain(archive)
    assert memoised(archive, tmp_path) == want  # writes the memo
    assert (tmp_path / memo.TAGS_MEMO).is_file()
    assert memoised(archive, tmp_path) == want  # reads it


def test_every_input_is_part_of_the_key(archive, tmp_path):
    memoised(archive, tmp_path)
    edited = copy.deepcopy(archive)
    edited[0].body = [*edited[0].body, "The zebra crossing outside the zebra crossing school reopened."]
    assert memoised(edited, tmp_path) == plain(edited)
    # An entity named like one of a story's tags takes that tag away (no tag is an entity's name).
    named = copy.deepcopy(archive)
    tag = plain(named)[3][0]
    named[3].entities = [*named[3].entities, Entity(tag, "organisation", tag, [], [(0, 1)], "")]
    assert memoised(named, tmp_path) == plain(named) != plain(archive)
    forbid = tags.Vocabulary(forbidden={tags.tag_key(tag)})
    assert memoised(archive, tmp_path, forbid) == plain(archive, forbid) != plain(archive)
    assert memoised(archive[1:], tmp_path) == plain(archive[1:])  # a story gone


def test_a_damaged_memo_is_ignored(archive, tmp_path):
    memoised(archive, tmp_path)
    path = tmp_path / memo.TAGS_MEMO
    path.write_text(path.read_text(encoding="utf-8")[:-40], encoding="utf-8")
    assert memoised(archive, tmp_path) == plain(archive)
