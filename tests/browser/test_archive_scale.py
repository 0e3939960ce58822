"""The archive as a reader meets it at 2,000 stories: the 2,095 BBC stories of
``../shared/data/bbc/`` (five section folders, no dates, no sources) plus the bundled
sample archive, built once for this module and served by the real server.

What a reader must never meet, checked in Chromium at 1280 and 375 px on the home page,
a section front, an entity page, the archives, the lettered indexes, a tag and the
longest story: a page taller than 20,000 px at 1280, "newest first" over a list with no
dates, a link to a feed with nothing in it.  The last two are also checked over every
page of the build (a file scan, not the browser).

``make test`` builds it small: every fourth story of each section, about 525 (NER of
2,095 stories alone took two to nine minutes of a clean CI run).  ``pytest --full-scale``
builds all 2,095, as the page-height limits were first set on.  The build has no search
index (nothing here searches); spaCy's cache (raw spans keyed by the text, model and NER
version, so reuse is exact) is kept in ``var/test-cache/bbc-ner`` between runs.  Skips
cleanly without the shared data.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from conftest import ROOT, SAMPLE_DUMPS, build_site, shared_data, start_server
from test_browser import ARTIFACTS, open_tab

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SECTIONS = ("business", "entertainment", "politics", "sport", "tech")
NER_CACHE = ROOT / "var" / "test-cache" / "bbc-ner"
MAX_HEIGHT = 20_000  # px, at 1280
ATOM_LINK = re.compile(r'<link rel="alternate" type="application/atom\+xml"[^>]*href="([^"]+)"')
FEED_LINK = re.compile(r'<a class="feed-link" href="([^"]+)"')


EVERY_NTH = 4  # the small form: one story in four of each section


@pytest.fixture(scope="module")
def bbc_stories(request: pytest.FixtureRequest) -> dict[str, list[Path]]:
    """The BBC stories this run builds, by section: all of them with ``--full-scale``."""
    bbc = shared_data("bbc")
    step = 1 if request.config.getoption("full_scale") else EVERY_NTH
    return {section: sorted((bbc / section).glob("*.txt"))[::step] for section in SECTIONS}


@pytest.fixture(scope="module")
def bbc_site(tmp_path_factory: pytest.TempPathFactory, bbc_stories: dict[str, list[Path]]):
    root = tmp_path_factory.mktemp("bbc")
    dumps = root / "content" / "dumps"
    shutil.copytree(SAMPLE_DUMPS, dumps)
    for section, stories in bbc_stories.items():
        folder = dumps / "bbc-archive" / section
        folder.mkdir(parents=True)
        for story in stories:
            shutil.copy2(story, folder / story.name)
    work_cache = root / "var" / "cache" / "ner"
    if NER_CACHE.is_dir():
        shutil.copytree(NER_CACHE, work_cache)
    # No search index (these tests do not search; it was 105 of 192 s of this build) and no
    # page digests (a first build skips nothing): the pages are the same either way.
    site = build_site(root, extra={"NEWS_ARCHIVE_NER_PROCESSES": 2, "NEWS_ARCHIVE_SEARCH_INDEX": False,
                                   "NEWS_ARCHIVE_SKIP_UNCHANGED_PAGES": False})
    if work_cache.is_dir():
        shutil.copytree(work_cache, NER_CACHE, dirs_exist_ok=True)
    return site


@pytest.fixture(scope="module")
def bbc_server(bbc_site):
    server = start_server(bbc_site)
    yield server
    server.proc.terminate()
    server.proc.wait(timeout=10)


def biggest(output: Path, folder: str) -> str:
    """URL path of the largest page under ``folder`` (the tallest of its kind, near enough)."""
    pages = sorted(output.joinpath(folder).rglob("index.html"), key=lambda p: p.stat().st_size)
    assert pages, f"no pages under {folder}/"
    return "/" + pages[-1].parent.relative_to(output).as_posix() + "/"


def reader_pages(site) -> dict[str, str]:
    """The pages a reader meets, by name: the largest of each kind."""
    out = site.output
    return {
        "scale-home": "/",
        "scale-section": "/section/business/",
        "scale-entity": biggest(out, "entity"),
        "scale-entity-first": "/entity/person/tony-blair/",
        "scale-archives": "/archives/",
        "scale-archives-last": biggest(out, "archives"),
        "scale-entities-az": biggest(out, "entities/a-z"),
        "scale-tags": "/tags/",
        "scale-tags-letter": biggest(out, "tags"),
        "scale-tag": biggest(out, "tag"),
        "scale-article": biggest(out, "news"),
    }


@pytest.mark.parametrize("width", ["desktop", "mobile"])
def test_reader_pages_fit_load_cleanly_and_label_their_order(browser, bbc_site, bbc_server, width):
    tab = open_tab(browser, bbc_server.url, width)
    try:
        for name, path in reader_pages(bbc_site).items():
            response = tab.goto(path)
            assert response.status == 200, path
            tab.no_horizontal_scroll()
            height = tab.page.evaluate("() => document.documentElement.scrollHeight")
            if width == "desktop":
                assert height <= MAX_HEIGHT, f"{path} is {height}px tall at 1280"
            main = tab.page.locator("main").inner_text()
            dated = tab.page.locator("main .article-list time").count()
            if "newest first" in main.casefold():
                assert dated, f"{path} says 'newest first' over a list with no dates"
            tab.screenshot(name)
        tab.assert_clean()
    finally:
        tab.page.context.close()


def test_sections_are_fronts_in_the_navigation_and_on_stories(browser, bbc_site, bbc_server):
    tab = open_tab(browser, bbc_server.url, "mobile")
    try:
        tab.goto("/")
        nav = tab.page.locator(".site-nav a").all_inner_texts()
        for section in ("Business", "Entertainment", "Politics", "Sport", "Technology"):
            assert section in nav
        tab.page.locator(".site-nav a", has_text="Sport").click()
        tab.page.wait_for_load_state("load")
        assert tab.path() == "/section/sport/"
        assert tab.page.locator("h1").inner_text() == "Sport"
        assert "date unknown" in tab.page.locator(".list-order").inner_text().casefold()
        tab.page.locator(".article-list .item-title a").first.click()
        tab.page.wait_for_load_state("load")
        assert tab.page.locator(".story-header .kicker a").text_content() == "Sport"
        # On a phone the story's people, places and tags are a line under the header,
        # before the body, and the dump's file name is nowhere on the page.
        brief = tab.page.locator(".in-brief")
        assert brief.is_visible()
        assert brief.bounding_box()["y"] < tab.page.locator(".story .body").bounding_box()["y"]
        names = [n.strip().casefold() for n in brief.locator("a").all_text_contents()]
        assert names and len(names) == len(set(names)), names  # a tag naming an entity is not repeated
        assert ".txt" not in tab.page.locator("main").inner_text()
        tab.assert_clean()
    finally:
        tab.page.context.close()


def test_undated_stories_come_in_archive_order_by_section_and_say_so(bbc_site, bbc_stories):
    """Undated stories follow the dated ones, in the order they were archived: by section,
    then by dump (never by headline); each list says so, and a story without a dek shows
    its lead sentence."""
    page = bbc_site.page("/")
    assert 'id="undated-stories"' in page and "in the order they were archived" in page
    assert page.count('class="dek lead"') >= 10
    seen: list[str] = []
    url = "/archives/"  # pages are numbered from the last archived (paging): follow "next"
    while url:
        text = (bbc_site.output / url.strip("/") / "index.html").read_text(encoding="utf-8")
        seen += re.findall(r'class="section-link" href="[^"]+">([^<]+)</a>', text)
        after = re.search(r'rel="next" href="([^"]+)"', text)
        url = after.group(1) if after else ""
    stories = sum(len(v) for v in bbc_stories.values())
    assert len(seen) >= 0.95 * stories  # a few BBC stories are duplicates of others
    assert seen == sorted(seen, key=str.casefold), "undated stories are not grouped by section"


def test_character_references_in_text_dumps_reach_the_page_decoded(bbc_site):
    titles = [line for md in (bbc_site.content / "generated").glob("*.md")
              for line in md.read_text(encoding="utf-8").splitlines()[:1]]
    assert any("£" in t for t in titles)
    assert not [t for t in titles if "&#" in t]


def test_no_page_claims_newest_first_over_undated_stories_and_no_empty_feed_is_linked(bbc_site, bbc_stories):
    out = bbc_site.output
    feeds_ok: dict[str, bool] = {}
    checked = 0
    for page in out.rglob("index.html"):
        html = page.read_text(encoding="utf-8")
        main = html.split('<main id="main"', 1)[-1].split("</main>", 1)[0]
        if "newest first" in main:
            assert "<time" in main, f"{page.relative_to(out)}: 'newest first' over undated stories"
        for href in ATOM_LINK.findall(html) + FEED_LINK.findall(html):
            if href not in feeds_ok:
                feed = out / href.lstrip("/")
                feeds_ok[href] = feed.is_file() and "<entry>" in feed.read_text(encoding="utf-8")
            assert feeds_ok[href], f"{page.relative_to(out)} links {href}, which is missing or empty"
        checked += 1
    # every page of the archive: about seven a story (fewer tag pages since a tag of one story goes)
    assert checked > 5 * sum(len(v) for v in bbc_stories.values())
    for feed in (out / "feeds").rglob("*.xml"):
        text = feed.read_text(encoding="utf-8")
        assert "<entry>" in text and "<updated>1970" not in text, feed
    ARTIFACTS.mkdir(exist_ok=True)
