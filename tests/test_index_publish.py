"""The live search index lists only pages that exist: a new generation goes live after the
pages it points at are written, and pages are never half-written.

A real Pelican build (NER off) adding 300 stories is killed while it writes pages; the
index must still be the old one, every article it lists must have its page, and every
page must be whole.  The next build then publishes everything.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import news_archive
import pytest
from conftest import ROOT, Site, build_site
from test_search_language import STORIES, write_dumps
from test_search_service import app_for, call

FAST = {"NEWS_ARCHIVE_NER": False}
NEW = {f"plan{i}": (f"Council votes on plan number {i}", f"2018-02-{i % 27 + 1:02d}", "AFP", [],
                    f"The council voted on plan number {i} on Tuesday after a debate about roads and "
                    f"schools in district {i}.\n\nMembers said plan {i} would cost {i} million.")
       for i in range(300)}


def start_rebuild(site: Site, **popen: object) -> subprocess.Popen:
    """120 new stories dropped in, and a build of the site started on them, in the background."""
    write_dumps(site.content / "dumps", dict(list(NEW.items())[:120]))
    env = {**os.environ, "PYTHONPATH": str(ROOT / "plugins"), "SOURCE_DATE_EPOCH": "1764000000"}
    return subprocess.Popen(build_command(site), cwd=site.root, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, **popen)


def urls_while_building(site: Site, proc: subprocess.Popen, seconds: float = 300) -> Iterator[list[str]]:
    """The live generation's URLs, read again and again while the build runs (the caller
    paces the reads)."""
    deadline = time.monotonic() + seconds
    while proc.poll() is None and time.monotonic() < deadline:
        try:
            urls = live_urls(site)
        except (OSError, ValueError):  # between a readlink and the read the generation moved on
            continue
        yield urls


def live_urls(site: Site) -> list[str]:
    """Every article URL the live index lists (its generation's manifest)."""
    return sorted(json.loads((site.index.resolve() / "manifest.json").read_text()))


def missing_pages(site: Site, urls: list[str]) -> list[str]:
    return [u for u in urls if not (site.output / u.strip("/") / "index.html").is_file()]


def build_command(site: Site) -> list[str]:
    settings = {"PATH": str(site.content), "NEWS_ARCHIVE_WORK_DIR": str(site.work), "THEME": str(ROOT / "theme"),
                "NEWS_ARCHIVE_PROGRESS": False, **FAST}
    cmd = [sys.executable, "-m", "pelican", str(site.content), "-s", str(ROOT / "pelicanconf.py"),
           "-o", str(site.output)]
    # One -e with every pair: Pelican keeps only the last -e it is given.
    cmd += ["-e", *(f"{key}={json.dumps(value)}" for key, value in settings.items())]
    return cmd


@pytest.fixture
def site(tmp_path: Path) -> Site:
    write_dumps(tmp_path / "content" / "dumps")
    return build_site(tmp_path, extra=FAST)


def test_a_build_killed_while_writing_pages_leaves_search_pointing_at_pages_that_exist(site: Site):
    before = os.readlink(site.index)
    write_dumps(site.content / "dumps", NEW)
    env = {**os.environ, "PYTHONPATH": str(ROOT / "plugins"), "SOURCE_DATE_EPOCH": "1764000000"}
    proc = subprocess.Popen(build_command(site), cwd=site.root, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    news = site.output / "news"
    try:
        deadline = time.monotonic() + 240
        # A whole page written, not just its folder made (the page is moved in after it).
        while not any(news.glob("council-votes-on-plan-number-*/index.html")) and time.monotonic() < deadline:
            assert proc.poll() is None, "the build ended before it wrote a new page"
            time.sleep(0.01)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    written = len(list(news.glob("council-votes-on-plan-number-*/index.html")))
    assert 0 < written < len(NEW), written  # really killed while writing pages
    urls = live_urls(site)
    assert missing_pages(site, urls) == []
    assert os.readlink(site.index) == before and len(urls) == len(STORIES)
    status, _, body = call(app_for(site), "/search.json", "q=council&size=50")
    assert status == "200 OK" and json.loads(body)["total"] == 0
    # No page is half-written: each is the old file or a whole new one.
    for page in site.output.rglob("*.html"):
        assert page.read_text(encoding="utf-8").rstrip().endswith("</html>"), page

    rebuilt = build_site(site.root, extra=FAST)
    urls = live_urls(rebuilt)
    assert len(urls) == len(STORIES) + len(NEW) and missing_pages(rebuilt, urls) == []
    assert not (site.work / "index.next").exists()
    generations = sorted(p.name for p in (site.work / "index.d").iterdir())
    assert len(generations) <= 2, generations  # the killed build's unpublished one is gone


def test_the_live_generation_lists_only_articles_whose_pages_exist(site: Site):
    """During a build the index lists only articles whose pages exist (sampled throughout)."""
    (site.content / "dumps" / "stadium.json").unlink()
    proc = start_rebuild(site)
    samples, bad = 0, []
    for urls in urls_while_building(site, proc):
        gone = missing_pages(site, urls)
        samples += 1
        if gone:
            bad.append(len(gone))
        time.sleep(0.005)
    assert proc.wait(timeout=60) == 0
    assert samples > 20 and bad == [], (samples, bad[:10])
    urls = live_urls(site)
    assert len(urls) == len(STORIES) - 1 + 120 and missing_pages(site, urls) == []



def test_the_new_generation_goes_live_once_the_article_pages_are_written(site: Site):
    """Not at the end of the build: no search result links to the lists, the entity pages or
    the static index written after the new article pages (in a watch cycle, most of it).
    The build is killed the moment the new stories are found: their pages are all there,
    the home page that will list them is not written yet."""
    proc = start_rebuild(site, start_new_session=True)
    urls: list[str] = []
    try:
        for urls in urls_while_building(site, proc):
            if len(urls) > len(STORIES):
                break
            time.sleep(0.002)
        ended = proc.poll() is not None
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    assert len(urls) == len(STORIES) + 120 and missing_pages(site, urls) == []
    assert not ended, "the new generation went live only when the build had ended"
    assert "plan-number" not in (site.output / "index.html").read_text(encoding="utf-8")
    # The fallback, should a page it waits for never be written: once the ArticlesGenerator
    # has written its pages, before anything else is awaited.
    table = news_archive.pipeline()
    assert ("finalized", news_archive.publish_index) not in table
    awf = [receiver for name, receiver in table if name == "article_writer_finalized"]
    assert awf[0] is news_archive.publish_index
