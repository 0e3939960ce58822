"""Enrichment: named entities and tags added to Stories after ingest and dedupe.

:func:`enrich_stories` is the converter's one call: NER (cached per text), the
archive-wide entity resolution, tags, and the per-article entity details that the
entity pages need but Pelican metadata cannot carry (the sentence naming each entity,
the spellings seen), written once to ``<work>/entities.json`` and handed to the same
build's taxonomy step in memory, through the build object (``build.Build.details``).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from .. import settings as S
from ..fileio import write_atomic_if_changed
from ..story import Story

DETAILS_FILE = "entities.json"


def enrich_stories(stories: list[Story], settings: dict[str, Any], work_dir: str, build: Any = None) -> int:
    """Entities and tags for every kept story; returns the number of words NER ran on.

    ``build`` (``build.Build``, in a Pelican run) is handed the entity details written, so
    the taxonomy step of the same build need not parse them back from the file."""
    from . import entities, memo, review, tags

    words = 0
    evidence: dict[str, dict[str, Any]] = {}
    if S.get(settings, "NEWS_ARCHIVE_NER") and stories:
        # The passes' caches are keyed by their code's import closure: each module's imports
        # as the last build found them, unless the module changed: this build's record of them
        # (memo.imports_remembered), handed down to whatever computes a key.
        with memo.imports_remembered(os.path.join(work_dir, "cache")) as imports:
            words = entities.annotate(
                stories,
                S.get(settings, "NEWS_ARCHIVE_SPACY_MODEL"),
                os.path.join(work_dir, "cache"),
                int(S.get(settings, "NEWS_ARCHIVE_NER_PROCESSES")),
                S.content_subdir(settings, "NEWS_ARCHIVE_ENTITY_FILE"),
                int(S.get(settings, "NEWS_ARCHIVE_NER_PIECE_CHARS")),
                int(S.get(settings, "NEWS_ARCHIVE_NER_MAX_CHARS")),
                evidence,
                # A watch session keeps the entries read and the last pass for its next cycle; a
                # one-shot build lets them go with the pass (at 20,000 stories, a gigabyte it
                # would otherwise hold through the render).
                build.kept("ner") if build is not None and build.session is not None else None,
                imports,
            )
    vocab = tags.Vocabulary.load(S.content_subdir(settings, "NEWS_ARCHIVE_TAG_FILE"))
    memo.assign_tags(  # tags.assign_all, memoised for an unchanged archive
        stories, int(S.get(settings, "NEWS_ARCHIVE_MIN_TAGS")), int(S.get(settings, "NEWS_ARCHIVE_MAX_TAGS")), vocab,
        cache_dir=os.path.join(work_dir, "cache"),  # each story's phrases, by its text
        kept=build.kept("phrases") if build is not None and build.session is not None else None,
    )
    data = details(stories, review.doubts(evidence))
    write_details_data(data, Path(work_dir) / DETAILS_FILE)
    if build is not None:
        build.details = data
    return words


DOUBT_KEY = "~doubt"  # never a content hash (those are hex): the archive-wide part of the details


def details(stories: list[Story], doubt: dict[str, float] | None = None) -> dict[str, Any]:
    """``{content_hash: {"type\\tname": [sentence, [spellings…], mentions]}}`` for the entity pages,
    and under DOUBT_KEY ``{"type\\tname": uncertainty}`` from the archive pass's evidence
    (:func:`review.doubts`): how far each entity's type can be trusted travels with the
    rest to the taxonomy step that ranks the index lists."""
    data: dict[str, Any] = {s.content_hash: story_details(s) for s in stories}
    if doubt:
        data[DOUBT_KEY] = doubt
    return data


def story_details(story: Story) -> dict[str, list[Any]]:
    """One story's entry of :func:`details`: ``{"type\\tname": [sentence, [spellings…], mentions]}``."""
    return {
        f"{e.type}\t{e.name}": [e.sentence[:300], sorted(set(e.aliases) | {e.display} - {e.name}), len(e.mentions)]
        for e in story.entities
        if e.type != "group"  # groups get no pages (see taxonomy)
    }


def write_details(stories: list[Story], path: Path, doubt: dict[str, float] | None = None) -> bool:
    """:func:`details` of ``stories`` into ``path``; returns whether it was written."""
    return write_details_data(details(stories, doubt), path)


def write_details_data(data: dict[str, Any], path: Path) -> bool:
    """Replaced whole (later builds read it back), and only when its bytes would change (most
    rebuilds), so its modification time says when the details last changed."""
    return write_atomic_if_changed(path, json.dumps(data, ensure_ascii=False, separators=(",", ":")))


def read_details(work_dir: str, build: Any = None) -> dict[str, dict[str, list[Any]]]:
    """What :func:`write_details` wrote ({} before the first build): from ``build`` when this
    build wrote it (the file is tens of megabytes at 20,000 stories; handed over once, so
    its memory goes with the taxonomy step's), else from the file."""
    if build is not None and build.details is not None:
        data, build.details = build.details, None
        return data
    path = Path(work_dir) / DETAILS_FILE
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
