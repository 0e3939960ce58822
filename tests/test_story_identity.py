"""URLs belong to stories, not to positions, and a rebuild with nothing changed changes nothing.

Real builds (NER off) of tests/data/identity and of byte-identical dumps; what is checked
is what a reader and a tool see: the report, the page at each URL, the page's origin.
"""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import ROOT, SAMPLE_DUMPS, SEED, Site, build_site
from news_archive.identity import State, archived_at, assign_slugs, story_keys
from news_archive.story import Story

DATA = ROOT / "tests" / "data" / "identity"
FAST = {"NEWS_ARCHIVE_NER": False}


def urls_by_headline(site: Site) -> dict[str, str]:
    return {e["headline"]: e["url"] for e in site.report["dumps"] if e["status"] == "converted"}


def headline_at(site: Site, url: str) -> str:
    page = site.page(url)
    return page[page.index("<h1") :].split(">", 1)[1].split("</h1>", 1)[0].strip()


def build_jsonl(root: Path, name: str) -> Site:
    dumps = root / "content" / "dumps"
    dumps.mkdir(parents=True, exist_ok=True)
    shutil.copy2(DATA / name, dumps / "stories.jsonl")
    return build_site(root, extra=FAST)


def test_a_line_added_at_the_top_of_a_jsonl_file_moves_no_url(tmp_path: Path):
    before = urls_by_headline(build_jsonl(tmp_path, "five.jsonl"))
    assert len(before) == 5
    site = build_jsonl(tmp_path, "six.jsonl")
    after = urls_by_headline(site)
    assert len(after) == 6
    for headline, url in before.items():
        assert after[headline] == url, headline
        assert headline_at(site, url) == headline  # the page at the old URL is the same story


def test_urls_of_archives_built_before_identity_keys_are_kept(tmp_path: Path):
    """An older build remembered slugs by position ("origin:stories.jsonl#N") and content hash."""
    site = build_jsonl(tmp_path, "five.jsonl")
    before = urls_by_headline(site)
    path = site.work / "state.json"
    state = json.loads(path.read_text())
    by_line = {e["path"]: e["slug"] for e in site.report["dumps"] if e["status"] == "converted"}
    old = {k: v for k, v in state["slugs"].items() if not k.startswith(("url:", "id:"))}
    old.update({f"origin:{origin}": slug for origin, slug in by_line.items()})  # what the old code wrote
    state["slugs"] = old
    path.write_text(json.dumps(state))
    after = urls_by_headline(build_jsonl(tmp_path, "six.jsonl"))
    assert {h: after[h] for h in before} == before


def test_a_story_with_a_source_url_keeps_its_url_when_its_text_is_corrected(tmp_path: Path):
    before = urls_by_headline(build_jsonl(tmp_path, "five.jsonl"))
    dumps = tmp_path / "content" / "dumps" / "stories.jsonl"
    lines = dumps.read_text().splitlines()
    first = json.loads(lines[0])
    first["maintext"] = first["maintext"].replace("heavy rain", "very heavy rain")
    dumps.write_text("\n".join([json.dumps(first), *lines[1:]]) + "\n")
    site = build_site(tmp_path, extra=FAST)
    assert urls_by_headline(site)[first["title"]] == before[first["title"]]
    assert "very heavy rain" in site.page(before[first["title"]])


def story(headline: str, origin: str, url: str = "", source_id: str = "") -> Story:
    return Story(headline=headline, body=[f"{headline} happened on Tuesday."], origin=origin, url=url,
                 source_id=source_id)


def test_identity_keys_never_include_a_records_position():
    keys = story_keys(story("A", "f.jsonl#3", url="https://x.example/a"))
    assert keys[0] == "url:https://x.example/a" and not any("#3" in k for k in keys)
    assert story_keys(story("B", "f.jsonl#4", source_id="17"))[0] == "id:f.jsonl#17"
    assert story_keys(story("C", "c.txt"))[:1] == ["origin:c.txt"]


def test_archived_time_and_slug_follow_the_story_wherever_it_moves():
    state = State(Path("/nonexistent/state.json"))
    first = [story("Same headline", "f.jsonl#1", url="https://x.example/1"),
             story("Same headline", "f.jsonl#2", url="https://x.example/2")]
    slugs = assign_slugs(first, state)
    when = archived_at(first[1], state)
    moved = [story("Same headline", "f.jsonl#2", url="https://x.example/1"),
             story("Same headline", "f.jsonl#3", url="https://x.example/2")]
    again = assign_slugs(moved, state)
    assert again["f.jsonl#2"] == slugs["f.jsonl#1"] and again["f.jsonl#3"] == slugs["f.jsonl#2"]
    assert archived_at(moved[1], state) == when and when <= datetime.now(tz=UTC)
    fresh = State(Path("/nonexistent/state.json"))  # a build from nothing names them the same
    assert assign_slugs(list(reversed(moved)), fresh) == again


# --- byte-identical dumps: a rebuild with nothing changed changes nothing --------------


def report_without_timings(site: Site) -> str:
    data = json.loads((site.work / "report.json").read_text(encoding="utf-8"))
    data["stats"] = {}
    return json.dumps(data, indent=2, ensure_ascii=False)


@pytest.fixture
def twins(tmp_path: Path) -> Path:
    dumps = tmp_path / "content" / "dumps"
    dumps.mkdir(parents=True)
    for name in ("a.txt", "b.txt", "sub/c.txt"):
        (dumps / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(SAMPLE_DUMPS / SEED, dumps / name)
    shutil.copy2(DATA / "five.jsonl", dumps / "one.jsonl")
    shutil.copy2(DATA / "five.jsonl", dumps / "two.jsonl")
    return tmp_path


def test_byte_identical_dumps_keep_their_original_on_every_rebuild(twins: Path):
    first = build_site(twins, extra=FAST)
    reports = [report_without_timings(first)]
    for _ in range(2):
        reports.append(report_without_timings(build_site(twins, extra=FAST)))
    assert reports[0] == reports[1] == reports[2]  # byte for byte, apart from timings
    entries = {(e["path"], e["status"], e["duplicate_of"]) for e in first.report["dumps"]}
    assert ("a.txt", "converted", "") in entries
    assert ("b.txt", "duplicate", "a.txt") in entries and ("sub/c.txt", "duplicate", "a.txt") in entries
    assert ("two.jsonl#1", "duplicate", "one.jsonl#1") in entries
    paths = [e["path"] for e in first.report["dumps"]]
    assert len(paths) == len(set(paths)) == 3 + 10  # each dump and record listed once
    page = next((twins / "content" / "generated").glob("top-islamic-state*.md")).read_text()
    assert "\nOrigin: a.txt\n" in page


def test_a_cached_conversion_is_read_back_for_the_dump_asking(tmp_path: Path):
    from news_archive.read_dumps import read_cached

    entry = {"stories": [story("A", "b.jsonl#2").to_json()], "records_rejected": [["b.jsonl#1", "no headline"]]}
    (tmp_path / "new.json").write_text(json.dumps({**entry, "path": "b.jsonl"}))
    (tmp_path / "old.json").write_text(json.dumps(entry))  # written before entries named their dump
    for name in ("new.json", "old.json"):
        got = read_cached(tmp_path / name, "a.jsonl")
        assert got["stories"][0]["origin"] == "a.jsonl#2", name
        assert got["records_rejected"] == [["a.jsonl#1", "no headline"]], name
