"""A watch session keeps the archive pass it last used, also when that pass came from the file.

``ArchiveMemo.previous`` hands the next pass the stored sentences and outputs; in a watch
session it takes them from what this process last held (``NerCache.kept``) instead of
parsing ``archive.json`` again (three whole-archive JSON lines: seconds at 20,000
stories).  The first cycle of a session usually *hits* the memo (nothing changed since
the last build), so a hit must leave the session holding the pass just as a save does —
and a copy of it: the Entities handed to the stories are changed later by the build.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from news_archive.enrich.aliases import AliasTable
from news_archive.enrich.ner_cache import ArchiveMemo
from news_archive.story import Entity

KEYS = ["k1", "k2"]
BLOBS = [b"story one", b"story two"]


def found() -> list[list[Entity]]:
    return [[Entity("Tony Blair", "person", "Tony Blair", ["Blair", "Tony Blair"], [(0, 10), (20, 25)],
                    "Tony Blair said.")],
            [Entity("Glasgow", "place", "", ["Glasgow"], [(3, 10)], "In Glasgow it rained.")]]


KEEP: list[Any] = [("out-1", (None, {"evidence": 1})), None]  # (output key, (output, evidence parts))


def test_a_memo_hit_keeps_the_pass_as_a_save_does(tmp_path: Path) -> None:
    table = AliasTable()
    saved: dict[str, Any] = {}
    ArchiveMemo(tmp_path / "archive.json", table, saved).save(KEYS, BLOBS, found(), KEEP)

    kept: dict[str, Any] = {}
    memo = ArchiveMemo(tmp_path / "archive.json", table, kept)
    hit = memo.load(KEYS, BLOBS)
    assert hit == found()
    assert kept["archive"] == saved["archive"]

    for ents in hit:  # what the build does to the stories' Entities later
        for e in ents:
            e.aliases.append("changed")
            e.mentions.append((99, 100))
    assert kept["archive"] == saved["archive"]
    (tmp_path / "archive.json").unlink()  # the next pass reads the kept pass, not the file
    texts = ["Tony Blair said. x", "In Glasgow it rained."]
    assert memo.previous(KEYS, texts) == ArchiveMemo(tmp_path / "none.json", table, saved).previous(KEYS, texts)
    assert memo.previous(KEYS, texts)[1]


def test_a_one_shot_hit_keeps_nothing(tmp_path: Path) -> None:
    table = AliasTable()
    ArchiveMemo(tmp_path / "archive.json", table).save(KEYS, BLOBS, found(), KEEP)
    memo = ArchiveMemo(tmp_path / "archive.json", table)
    assert memo.load(KEYS, BLOBS) == found()
    assert memo.kept == {}
