"""The skipping writer: a rebuild with nothing changed does not even walk an unchanged page
(no context copy, paginator or per-page digest: the whole ``write_file`` call is skipped),
and a rebuild after a change leaves every output file as rendering every page would."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import SAMPLE_DUMPS, SEED, build_site

FAST = {"NEWS_ARCHIVE_NER": False, "NEWS_ARCHIVE_SEARCH_INDEX": False}


def _timings(site) -> dict:
    return json.loads((site.work / "build-timings.json").read_text(encoding="utf-8"))


def _files(output: Path) -> dict[str, bytes]:
    return {p.relative_to(output).as_posix(): p.read_bytes() for p in output.rglob("*") if p.is_file()}


def test_every_setting_given_reaches_the_build(tmp_path: Path):
    """``pelican -e A=1 -e B=2`` keeps only B: the helper must pass one -e with every pair."""
    site = build_site(tmp_path, [SAMPLE_DUMPS / SEED], FAST)
    assert not (site.work / "cache" / "ner").exists()  # NEWS_ARCHIVE_NER false
    assert not (site.work / "index").exists()  # NEWS_ARCHIVE_SEARCH_INDEX false


def test_an_unchanged_rebuild_walks_no_page(tmp_path: Path):
    build_site(tmp_path, SAMPLE_DUMPS, FAST)
    again = build_site(tmp_path, extra=FAST)
    timings = _timings(again)
    pages = sum(timings["pages_by_template"].values())
    assert pages > 50
    assert timings["pages_not_rerendered"] == pages
    assert timings["pages_not_walked"] == pages


def test_a_change_skips_only_what_it_does_not_touch(tmp_path: Path):
    site = build_site(tmp_path, SAMPLE_DUMPS, FAST)
    build_site(tmp_path, extra=FAST)  # every call recorded as unchanged once
    dump = site.content / "dumps" / "bbc" / "abbas-will-not-tolerate-attacks.txt"
    text = dump.read_text(encoding="utf-8")
    marker = "The attack, which killed five,"
    assert marker in text
    dump.write_text(text.replace(marker, "The attack, which killed five people, as corrected,"), encoding="utf-8")
    changed = build_site(tmp_path, extra=FAST)
    timings = _timings(changed)
    pages = sum(timings["pages_by_template"].values())
    assert 0 < timings["pages_not_walked"] <= timings["pages_not_rerendered"] < pages
    incremental = _files(site.output)
    build_site(tmp_path, extra={**FAST, "NEWS_ARCHIVE_SKIP_UNCHANGED_PAGES": False})
    full = _files(site.output)
    assert sorted(k for k in full.keys() | incremental.keys() if full.get(k) != incremental.get(k)) == []


def test_each_entitys_pages_are_skipped_whole_until_one_of_its_stories_changes(tmp_path: Path):
    """An entity's pages are one group: an unchanged rebuild accounts for all of them
    without cutting or digesting them page by page; a story that changes re-walks the
    entities it names, not the others; and the output is what rendering every page gives."""
    no_search = {"NEWS_ARCHIVE_SEARCH_INDEX": False}
    site = build_site(tmp_path, SAMPLE_DUMPS, no_search)
    fronts = sorted(p.parent for p in (site.output / "entity").glob("*/*/index.html"))
    assert len(fronts) > 10
    again = _timings(build_site(tmp_path, extra=no_search))
    assert again["page_groups_not_walked"] == len(fronts)
    assert again["pages_not_walked"] == sum(again["pages_by_template"].values())

    dump = site.content / "dumps" / "bbc" / "abbas-will-not-tolerate-attacks.txt"
    text = dump.read_text(encoding="utf-8")
    headline = "\n\nAbbas 'will not tolerate' attacks\n"
    assert headline in text  # a new headline: every list that shows the story changes
    dump.write_text(text.replace(headline, "\n\nAbbas says he will not tolerate attacks\n"), encoding="utf-8")
    changed = _timings(build_site(tmp_path, extra=no_search))
    assert 0 < changed["page_groups_not_walked"] < len(fronts)
    assert changed["pages_rendered_by_template"].get("entity.html", 0) > 0
    incremental = _files(site.output)
    build_site(tmp_path, extra={**no_search, "NEWS_ARCHIVE_SKIP_UNCHANGED_PAGES": False})
    full = _files(site.output)
    assert sorted(k for k in full.keys() | incremental.keys() if full.get(k) != incremental.get(k)) == []


def test_a_replayed_page_context_answers_as_a_chain_map():
    from collections import ChainMap

    from news_archive.skipping_writer import _PageContext

    maps = ({"article": 1, "x": None}, {"output_file": "a.html", "x": 2}, {"output_file": "b", "SITEURL": ""})
    plain, fast = ChainMap(*maps), _PageContext(*maps)
    for key in ("article", "x", "output_file", "SITEURL", "missing"):
        assert (key in fast) == (key in plain)
        assert fast.get(key) == plain.get(key)
        assert fast.get(key, "default") == plain.get(key, "default")
    assert dict(fast) == dict(plain)


def test_an_output_file_is_where_pelican_would_write_it(tmp_path: Path):
    """The writer's own join of the output folder and a page's name gives Pelican's
    ``sanitised_join`` path, and refuses what it refuses, for relative and absolute folders."""
    import os

    import pytest
    from news_archive.skipping_writer import SkippingWriter
    from pelican.settings import DEFAULT_CONFIG
    from pelican.utils import sanitised_join

    names = ["index.html", "news/a/index.html", "./x/../y.html", "a//b.html", "../outside.html",
             "tag/../../outside.html", str(tmp_path / "elsewhere.html"), "/etc/passwd", "café/ü.html"]
    here = os.getcwd()
    try:
        os.chdir(tmp_path)
        for output in (str(tmp_path / "out"), "out", "./out/", "out/../out"):
            writer = SkippingWriter(output, settings={**DEFAULT_CONFIG, "NEWS_ARCHIVE_WORK_DIR": str(tmp_path / "var")})
            for name in names:
                try:
                    want = sanitised_join(output, name)
                except RuntimeError:
                    with pytest.raises(RuntimeError):
                        writer.output_file(name)
                    continue
                assert writer.output_file(name) == want, (output, name)
    finally:
        os.chdir(here)


def test_a_moved_site_renders_no_page_again(tmp_path: Path):
    """The site's folder moved (a CI checkout, a copied benchmark archive): every location in
    the settings and every source path changed, nothing a page shows did, so no page is
    rendered again, and the output is still what rendering every page gives.  With the
    folder's absolute paths in the memo's keys, the first build after a move rendered all
    ~15,000 pages of a 2,000-story archive (the settle build of every copied benchmark)."""
    import shutil

    first = tmp_path / "a"
    build_site(first, SAMPLE_DUMPS, FAST)
    build_site(first, extra=FAST)
    moved = tmp_path / "moved" / "b"
    moved.parent.mkdir()
    shutil.move(str(first), str(moved))
    site = build_site(moved, extra=FAST)
    timings = _timings(site)
    pages = sum(timings["pages_by_template"].values())
    assert pages > 50
    assert timings["pages_not_rerendered"] == pages
    skipped = _files(site.output)
    build_site(moved, extra={**FAST, "NEWS_ARCHIVE_SKIP_UNCHANGED_PAGES": False})
    full = _files(site.output)
    assert sorted(k for k in full.keys() | skipped.keys() if full.get(k) != skipped.get(k)) == []
