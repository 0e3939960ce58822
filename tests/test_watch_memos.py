"""What a watch session keeps from one cycle to the next (``Build.kept``) is served only
when it is what the cycle would compute again.

The converter's memo knows each dump by its stat signature (``read_dumps.stat_signature``):
a dump rewritten in place with the same size and its modification time put back, a
sidecar added beside it, or a smaller ``NEWS_ARCHIVE_MAX_DUMP_BYTES`` must each be read
again; a dump changed too recently to be trusted is never known by its signature.  The NER
cache's memo of the last archive pass gives the next pass what the file on disk gives.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from news_archive import read_dumps
from news_archive.enrich.aliases import load_aliases
from news_archive.enrich.ner_cache import ArchiveMemo
from news_archive.identity import State
from news_archive.story import Entity

SIDECAR = Path(__file__).parent / "data" / "dumps" / "sidecar"
LIMIT = 10_000_000


def read(root: Path, work: Path, kept: dict[Any, Any], limit: int = LIMIT) -> dict[str, Any]:
    """``read_all`` with a session's memo: each dump's stories, and each entry's status."""
    state = State(work / "state.json")
    stories, report = read_dumps.read_all(root, state, work / "cache", False, limit, kept)
    state.save()
    out: dict[str, Any] = {s.origin: s.to_json() for s in stories}
    out.update({f"report {e.path}": e.status for e in report.entries})
    return out


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The sidecar dumps, their signatures trusted at once (the racy window is tested apart)."""
    monkeypatch.setattr(read_dumps, "RACY_NS", 0)
    shutil.copytree(SIDECAR, tmp_path / "dumps")
    return tmp_path


def test_an_unchanged_dump_known_by_its_signature_is_not_read_again(tree: Path, monkeypatch) -> None:
    kept: dict[Any, Any] = {}
    first = read(tree / "dumps", tree / "var", kept)

    def refuse(*args: Any) -> bytes:
        raise AssertionError("read again")

    monkeypatch.setattr(read_dumps, "read_capped", refuse)
    assert read(tree / "dumps", tree / "var", kept) == first


def test_a_dump_rewritten_with_its_size_and_mtime_put_back_is_read_again(tree: Path) -> None:
    kept: dict[Any, Any] = {}
    dump = tree / "dumps" / "second-story.txt"
    before = read(tree / "dumps", tree / "var", kept)
    st = dump.stat()
    text = dump.read_text("utf-8")
    changed = text.replace("the", "THE", 1)
    assert changed != text and len(changed.encode()) == st.st_size
    with open(dump, "r+b") as fh:  # in place: the same inode
        fh.write(changed.encode())
    os.utime(dump, ns=(st.st_atime_ns, st.st_mtime_ns))  # only its ctime still says so
    after = read(tree / "dumps", tree / "var", kept)
    assert after != before
    assert after == read(tree / "dumps", tree / "fresh", {})  # what a build from scratch reads


def test_one_shot_builds_know_unchanged_dumps_by_the_signatures_the_last_one_saved(tree: Path, monkeypatch) -> None:
    """A build without a session (a fresh memo) reads the memo the last build left in the
    cache folder: only the dump rewritten since (size and mtime put back) is read again."""
    before = read(tree / "dumps", tree / "var", {})
    assert (tree / "var" / "cache" / read_dumps.SIGNATURES_FILE).exists()
    dump = tree / "dumps" / "second-story.txt"
    st = dump.stat()
    text = dump.read_text("utf-8")
    with open(dump, "r+b") as fh:
        fh.write(text.replace("the", "THE", 1).encode())
    os.utime(dump, ns=(st.st_atime_ns, st.st_mtime_ns))
    real, read_again = read_dumps.read_capped, []

    def counted(path: Path, *rest: Any) -> bytes:
        read_again.append(path.name)
        return real(path, *rest)

    monkeypatch.setattr(read_dumps, "read_capped", counted)
    after = read(tree / "dumps", tree / "var", {})
    assert read_again == ["second-story.txt"]
    assert after != before
    assert after == read(tree / "dumps", tree / "fresh", {})


def test_a_sidecar_added_beside_a_known_dump_is_read_with_it(tree: Path) -> None:
    kept: dict[Any, Any] = {}
    before = read(tree / "dumps", tree / "var", kept)
    (tree / "dumps" / "second-story.txt.meta.json").write_text('{"url": "https://wire.example/other"}', "utf-8")
    after = read(tree / "dumps", tree / "var", kept)
    assert after != before
    assert after == read(tree / "dumps", tree / "fresh", {})


def test_a_smaller_size_limit_rejects_a_dump_known_by_its_signature(tree: Path) -> None:
    kept: dict[Any, Any] = {}
    read(tree / "dumps", tree / "var", kept)
    size = (tree / "dumps" / "second-story.txt").stat().st_size
    smaller = read(tree / "dumps", tree / "var", kept, limit=size - 1)
    assert smaller["report second-story.txt"] == "rejected"
    assert smaller == read(tree / "dumps", tree / "fresh", {}, limit=size - 1)


def test_a_dump_changed_a_moment_ago_is_not_known_by_its_signature(tmp_path: Path) -> None:
    dump = tmp_path / "fresh.txt"
    dump.write_text("Just written.\n", "utf-8")
    assert read_dumps.stat_signature(dump, tmp_path) is None
    os.utime(dump, ns=(0, 0))  # an old mtime: its ctime is still now
    assert read_dumps.stat_signature(dump, tmp_path) is None


def test_the_archive_pass_kept_in_memory_is_the_one_on_disk(tmp_path: Path) -> None:
    table = load_aliases()
    texts = ["Tony Blair met Gordon Brown.", "Glasgow beat Aberdeen."]
    keys, blobs = ["k1", "k2"], [b"one", b"two"]
    found = [[Entity("Tony Blair", "person", "Tony Blair", ["Tony Blair"], [(0, 10)], texts[0])],
             [Entity("Glasgow", "place", "Glasgow", ["Glasgow"], [(0, 7)], texts[1])]]
    keep = [("out1", ([["Tony Blair", "person", "Tony Blair", ["Tony Blair"], [(0, 10)], texts[0]]],
                      [["tony blair", "person", 1, False, 0, {"person": 1}, {}]])), None]
    kept: dict[str, Any] = {}
    ArchiveMemo(tmp_path / "archive.json", table, kept).save(keys, blobs, found, keep)
    found[0][0].aliases.append("Mr Blair")  # a later step changing a story's entity changes no memo
    assert ArchiveMemo(tmp_path / "archive.json", table, kept).previous(keys, texts) == \
        ArchiveMemo(tmp_path / "archive.json", table).previous(keys, texts)

def test_a_cycle_and_a_one_shot_build_of_the_same_settings_share_the_render_memo(tmp_path: Path) -> None:
    """The render memo's global digest (theme, code, settings) of a watch cycle is the one-shot
    build's: else the first cycle after ``make html``, and the first ``make html`` after a
    session, render every page again (Pelican's command line adds DEBUG to the settings)."""
    from news_archive.build import WATCH_KEY
    from news_archive.skipping_writer import code_and_theme_digest
    from news_archive.watch import WatchSession
    from pelican import get_config, parse_arguments
    from pelican.settings import read_settings

    root = Path(__file__).resolve().parents[1]
    conf = str(root / "pelicanconf.py")
    extra = {"PATH": str(tmp_path / "content"), "NEWS_ARCHIVE_WORK_DIR": str(tmp_path / "var"),
             "THEME": str(root / "theme")}
    (tmp_path / "content").mkdir()
    args = parse_arguments([extra["PATH"], "-s", conf, "-o", str(tmp_path / "output"),
                            "-e", *(f"{k}={json.dumps(v)}" for k, v in extra.items())])
    one_shot = read_settings(conf, override=get_config(args))
    cycle = WatchSession(conf, {**extra, "OUTPUT_PATH": str(tmp_path / "output")}).read_settings()
    cycle.pop(WATCH_KEY)
    assert code_and_theme_digest(cycle) == code_and_theme_digest(one_shot)


def test_the_phrases_kept_in_memory_are_the_ones_on_disk(tmp_path: Path) -> None:
    """A watch session keeps each story's phrases decoded (``PhraseCache(kept=...)``): a cycle
    takes them from memory, not from ``phrases.json``, and gets what the file gives; the
    memo holds this build's stories only, and a memo of other code is not used."""
    from news_archive.enrich import tags
    from support import SAMPLE_DUMPS

    state = State(tmp_path / "state.json")
    stories, _ = read_dumps.read_all(SAMPLE_DUMPS, state, tmp_path / "dumps-cache", False, LIMIT, None)
    cache = tmp_path / "cache"
    cache.mkdir()
    disk = [f.to_json() for f in tags.PhraseCache(cache).phrases_of(stories)]
    kept: dict[str, Any] = {}
    assert [f.to_json() for f in tags.PhraseCache(cache, kept).phrases_of(stories)] == disk
    assert len(kept["stories"]) == len(stories)

    (cache / tags.PHRASE_CACHE).unlink()  # the next cycle reads nothing: one story fewer, from memory
    fewer = tags.PhraseCache(cache, kept).phrases_of(stories[:-1])
    assert [f.to_json() for f in fewer] == disk[:-1]
    assert set(kept["stories"]) == {tags._story_key(s) for s in stories[:-1]}
    written = json.loads((cache / tags.PHRASE_CACHE).read_text(encoding="utf-8"))
    assert list(written["stories"].values()) == disk[:-1]  # the file is still brought up to date

    kept["version"] = "another version of the code"
    assert [f.to_json() for f in tags.PhraseCache(cache, kept).phrases_of(stories)] == disk
    assert kept["version"] == tags._phrases_fingerprint()
