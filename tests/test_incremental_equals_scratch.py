"""An incremental build leaves exactly the output a build from scratch of the same dumps writes.

Whatever a rebuild skips or carries over (converted pages, the search index and its related
lists, the spelling tables, the static index, feeds, lists, entity pages), the site it
leaves must be the one a build from nothing makes: every output file, byte for byte.

The sample archive is built, modified (one dump added, one changed, one removed) and built
again; the session's ``sample_site`` fixture (the same dumps built from nothing, used by
many other tests anyway) is the reference.  Both builds use the same fixed build time
(``SOURCE_DATE_EPOCH``, tests/support.py), so nothing in the output may depend on when or
in what order things were built.  The NER-off configuration is checked the same way, with
its own build from scratch.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from support import SAMPLE_DUMPS, Site, build_site

NO_NER = {"NEWS_ARCHIVE_NER": False}
EXTRA = """Home World Harbour reopens after the storm

Harbour reopens after the storm

by Dana Whitlock, Reuters

The port authority reopened the northern harbour on Thursday, three days after the storm
pushed two cargo ships onto the breakwater, and said the channel had been surveyed again.

Pilots will guide every vessel through the channel until the damaged beacons are replaced,
the authority's director, Miriam Okonjo, told reporters at the harbour office.
"""


def files(output: Path) -> dict[str, bytes]:
    return {p.relative_to(output).as_posix(): p.read_bytes() for p in output.rglob("*") if p.is_file()}


def differences(incremental: Site, scratch: Site) -> list[str]:
    ours, theirs = files(incremental.output), files(scratch.output)
    out = [f"only incremental: {p}" for p in sorted(ours.keys() - theirs.keys())]
    out += [f"only from scratch: {p}" for p in sorted(theirs.keys() - ours.keys())]
    out += [f"differs: {p}" for p in sorted(ours.keys() & theirs.keys()) if ours[p] != theirs[p]]
    return out


def sample_dumps() -> list[Path]:
    return sorted(p for p in SAMPLE_DUMPS.rglob("*") if p.is_file())


def incremental_site(root: Path, extra: dict | None) -> Site:
    """The sample archive reached by an incremental build: first built without one of its
    dumps, with another changed and with one more that is not in it; then those three
    changes undone (one dump added, one changed, one removed) and built again."""
    content = root / "content" / "dumps"
    shutil.copytree(SAMPLE_DUMPS, content)
    dumps = sorted(p.relative_to(SAMPLE_DUMPS) for p in sample_dumps() if p.suffix in (".txt", ".json", ".html")
                   and p.name not in ("LICENSE.txt", "NOTICE.txt"))
    added, changed = content / dumps[1], content / dumps[-1]
    held_back = added.read_bytes()
    added.unlink()
    original = changed.read_bytes()
    changed.write_bytes(original.replace(b"said", b"stated", 1))
    assert changed.read_bytes() != original
    (content / "zz-extra-story.txt").write_text(EXTRA, encoding="utf-8")
    build_site(root, extra=extra)
    added.write_bytes(held_back)
    changed.write_bytes(original)
    (content / "zz-extra-story.txt").unlink()
    return build_site(root, extra=extra)


def test_an_incremental_build_writes_what_a_build_from_scratch_writes(tmp_path: Path, sample_site: Site):
    site = incremental_site(tmp_path / "incremental", None)
    assert differences(site, sample_site) == []


@pytest.mark.slow
def test_without_ner_too(tmp_path: Path):
    site = incremental_site(tmp_path / "incremental", NO_NER)
    scratch = build_site(tmp_path / "scratch", SAMPLE_DUMPS, extra=NO_NER)
    assert "/entity/" not in (scratch.output / "index.html").read_text(encoding="utf-8")  # NER was off
    assert differences(site, scratch) == []


def test_pagefind_writes_the_same_bytes_for_the_same_records(tmp_path: Path):
    """Pagefind 1.5.2 orders filter values by a randomly seeded hash map; canonicalised,
    two runs over the same records (many filter values, so that order shows) are equal."""
    from news_archive.search import static_index

    people = [f"Person {chr(65 + i)}{chr(97 + j)}" for i in range(6) for j in range(4)]
    records = [static_index.record({"url": f"/news/s{i:03d}/", "headline": f"Story {i}", "body": f"Text number {i}",
                                    "facets": {"person": people[i % 24:i % 24 + 3], "tag": [f"t{i % 7}"]}}, "en")
               for i in range(40)]
    for name in ("one", "two"):
        static_index._run(static_index._write_pagefind(records, tmp_path / name))
        assert static_index.pagefind_canon.canonicalise(tmp_path / name) == 2  # person, tag
    assert files(tmp_path / "one") == files(tmp_path / "two")
