"""Rebuilds redo only what changed, keep URLs stable, and never overwrite a hand edit.

Each test builds a small archive for real, changes one thing, builds again and looks
at the evidence the converter leaves: the generated pages (content and mtime), its
per-dump cache, and the build report.  No timing is involved.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from conftest import ROOT, Site, build_site
from news_archive import read_dumps

DATA = ROOT / "tests" / "data" / "dumps"
# Ingest is what these tests are about: no NER, no search index, so each build takes a moment.
FAST = {"NEWS_ARCHIVE_NER": False, "NEWS_ARCHIVE_SEARCH_INDEX": False}


def rebuild(site: Site) -> Site:
    return build_site(site.root, extra=FAST)


def entry(site: Site, path: str) -> dict:
    return next(e for e in site.report["dumps"] if e["path"] == path)


def page_of(site: Site, path: str) -> Path:
    return site.content / "generated" / f"{entry(site, path)['slug']}.md"


def new_site(tmp_path: Path) -> Site:
    return build_site(tmp_path, DATA / "sidecar", extra=FAST)


def test_unchanged_dumps_are_not_read_again(tmp_path: Path):
    site = new_site(tmp_path)
    page = page_of(site, "second-story.txt")
    before = page.stat().st_mtime_ns
    site = rebuild(site)
    assert page.stat().st_mtime_ns == before  # nothing changed: the page is not even rewritten

    # Plant a marker in the converter's cache entry for this dump: if the next build
    # shows it, the dump was not read again.
    state = json.loads((site.work / "state.json").read_text(encoding="utf-8"))
    cached = site.work / "cache" / "dumps" / f"{state['dumps']['second-story.txt']}.json"
    data = json.loads(cached.read_text(encoding="utf-8"))
    data["stories"][0]["body"].append("Marker paragraph from the cache.")
    cached.write_text(json.dumps(data), encoding="utf-8")
    site = rebuild(site)
    assert "Marker paragraph from the cache" in page.read_text(encoding="utf-8")

    # Changed bytes: read again (the marker is gone, the new text is in).
    dump = site.content / "dumps" / "second-story.txt"
    dump.write_text(dump.read_text(encoding="utf-8") + "\nThe statistics office will publish revised "
                    "figures for the whole year in February, officials said.\n", encoding="utf-8")
    site = rebuild(site)
    text = page.read_text(encoding="utf-8")
    assert "Marker paragraph" not in text and "revised figures for the whole year" in text.replace("\\", "")
    assert not cached.exists()  # the old version's cache entry is pruned


def test_a_changed_sidecar_reconverts_the_dump(tmp_path: Path):
    site = new_site(tmp_path)
    assert "Section: Business" in page_of(site, "second-story.txt").read_text(encoding="utf-8")
    meta = site.content / "dumps" / "second-story.txt.meta.json"
    meta.write_text(json.dumps({"url": "https://other.example/factory", "section": "Economy"}), encoding="utf-8")
    site = rebuild(site)
    text = page_of(site, "second-story.txt").read_text(encoding="utf-8")
    assert "Source_url: https://other.example/factory" in text
    assert "Section: Economy" in text


def test_converter_version_is_part_of_every_fingerprint(tmp_path: Path, monkeypatch):
    dump = tmp_path / "story.txt"
    shutil.copy(DATA / "sidecar" / "second-story.txt", dump)
    before = read_dumps.fingerprint(dump, dump.read_bytes())
    monkeypatch.setattr(read_dumps, "CONVERTER_VERSION", read_dumps.CONVERTER_VERSION + "-next")
    assert read_dumps.fingerprint(dump, dump.read_bytes()) != before


def test_hand_edited_page_is_kept_and_reported(tmp_path: Path):
    site = new_site(tmp_path)
    page = page_of(site, "wire-story.txt")
    edited = page.read_text(encoding="utf-8").replace("Heavy rain closed", "Torrential rain closed")
    page.write_text(edited, encoding="utf-8")
    dump = site.content / "dumps" / "wire-story.txt"
    dump.write_text(dump.read_text(encoding="utf-8").replace("Sunday", "Saturday"), encoding="utf-8")
    site = rebuild(site)
    assert page.read_text(encoding="utf-8") == edited  # not overwritten, even though the dump changed
    warnings = entry(site, "wire-story.txt")["warnings"]
    assert any("kept hand-edited page" in w for w in warnings)
    assert "Torrential rain closed" in site.page(entry(site, "wire-story.txt")["url"])
    page.unlink()  # deleting it asks for a fresh one
    site = rebuild(site)
    assert "Saturday" in page.read_text(encoding="utf-8")
    assert entry(site, "wire-story.txt")["warnings"] == []


def test_slugs_are_stable_when_a_story_with_the_same_headline_arrives(tmp_path: Path):
    site = new_site(tmp_path)
    first = entry(site, "wire-story.txt")
    assert first["url"] == "/news/floods-close-mountain-passes/"
    # A different story with the same headline, in a dump that sorts first.
    (site.content / "dumps" / "a-first.txt").write_text(
        "Home Local Floods close mountain passes\n\nFloods close mountain passes\n\n"
        "Melting snow flooded the valley road on Tuesday, and the county closed two passes until "
        "engineers have inspected the bridges.\n", encoding="utf-8")
    site = rebuild(site)
    assert entry(site, "wire-story.txt")["url"] == first["url"]
    newcomer = entry(site, "a-first.txt")["url"]
    assert newcomer.startswith("/news/floods-close-mountain-passes-") and newcomer != first["url"]
    # Fixing a typo in a dump keeps its URL too; so does the newcomer's on every rebuild.
    dump = site.content / "dumps" / "wire-story.txt"
    dump.write_text(dump.read_text(encoding="utf-8").replace("worked through", "worked all through"),
                    encoding="utf-8")
    site = rebuild(site)
    assert entry(site, "wire-story.txt")["url"] == first["url"]
    assert entry(site, "a-first.txt")["url"] == newcomer
