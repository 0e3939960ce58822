"""The search index: incremental builds, full rebuilds, atomic swaps, failures and kills,
and related articles on the pages.

Each test builds its own small archive with Pelican (NER off: these tests are about the
index, not entities) and talks to the index through the real WSGI app.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, Site, build_site
from news_archive.search import indexer
from news_archive.search.schema import SCHEMA_VERSION, make_document
from test_search_language import STORIES, write_dumps
from test_search_service import app_for, call

FAST = {"NEWS_ARCHIVE_NER": False}


def stats(site: Site) -> dict:
    return json.loads((site.work / "index-stats.json").read_text())


def generation(site: Site) -> str:
    return os.readlink(site.index)


def search(app, text: str) -> list[str]:
    status, _, body = call(app, "/search.json", "q=" + text)
    assert status == "200 OK"
    return [r["url"] for r in json.loads(body)["results"]]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Site:
    root = tmp_path_factory.mktemp("index")
    write_dumps(root / "content" / "dumps")
    return build_site(root, extra=FAST)


@pytest.fixture
def site(built: Site, tmp_path: Path) -> Site:
    """A private copy of the built archive (index symlink included) for a test to change."""
    root = tmp_path / "site"
    shutil.copytree(built.root, root, symlinks=True)
    return Site(root=root, content=root / "content", output=root / "output", work=root / "var", log="")


def test_a_build_indexes_every_article_outside_output(site: Site):
    assert stats(site)["added"] == len(STORIES) == stats(site)["total"]
    assert site.index.is_symlink() and (site.work / "index.d").is_dir()
    assert not list(site.output.rglob("*.seg")) and not list(site.output.rglob("*.toc"))


def test_a_rebuild_with_nothing_changed_writes_nothing(site: Site):
    before = generation(site)
    rebuilt = build_site(site.root, extra=FAST)
    after = stats(rebuilt)
    assert (after["added"], after["changed"], after["removed"]) == (0, 0, 0)
    assert generation(rebuilt) == before  # no new generation at all


def test_incremental_build_writes_only_new_changed_and_removed_articles(site: Site):
    app = app_for(site)
    assert search(app, "zeppelin") == []
    dumps = site.content / "dumps"
    (dumps / "stadium.json").unlink()
    record = json.loads((dumps / "court.json").read_text())
    record["maintext"] += "\n\nThe ruling was postponed after the judge fell ill."
    (dumps / "court.json").write_text(json.dumps(record))
    write_dumps(dumps, {"zeppelin": ("Zeppelin returns to the sky over Friedrichshafen", "2019-05-01",
                                     "DPA", [], "A new zeppelin made its first flight on Wednesday, "
                                     "circling the lake for an hour.\n\nTickets sold out in minutes.")})
    before = generation(site)
    build_site(site.root, extra=FAST)
    after = stats(site)
    assert (after["added"], after["changed"], after["removed"]) == (1, 1, 1)
    assert generation(site) != before
    # The running service sees the new generation without a restart, once it has opened and
    # warmed it in the background (the old one answers meanwhile).
    app.index.wait()
    assert len(search(app, "zeppelin")) == 1
    assert search(app, "stadium") == []
    assert len(search(app, "judge")) == 1


def test_make_reindex_rebuilds_everything(site: Site):
    before = generation(site)
    env = {**os.environ, "PYTHONPATH": str(ROOT / "plugins")}
    subprocess.run([sys.executable, "-m", "news_archive", "reindex", "--settings", str(site.settings_file())],
                   cwd=site.root, env=env, check=True, capture_output=True, timeout=300)
    after = stats(site)
    assert after["added"] == after["total"] == len(STORIES)
    assert generation(site) != before


def test_a_schema_change_rebuilds_from_nothing(site: Site):
    (site.index.resolve() / "schema-version").write_text("0")
    build_site(site.root, extra=FAST)
    assert stats(site)["added"] == len(STORIES)
    assert (site.index.resolve() / "schema-version").read_text() == SCHEMA_VERSION


def test_a_failing_build_leaves_the_previous_index_serving(site: Site):
    app = app_for(site)
    before = generation(site)
    answers = search(app, "budget")
    docs = {}
    for url in search(app, "*"):
        docs[url] = make_document(url=url, headline="placeholder", body="placeholder")
        docs[url]["content_hash"] = "different"
    docs["/news/broken/"] = dict(make_document(url="/news/broken/", headline="Broken"), year="not a year",
                                 content_hash="x")
    with pytest.raises((ValueError, TypeError)):  # a real failure inside the Whoosh writer
        indexer.index_documents(site.work, docs)
    assert generation(site) == before
    assert search(app, "budget") == answers and search(app, "placeholder") == []
    assert not list((site.work / "index.d").glob("*.building"))


KILLED_BUILD = """
import sys
sys.path.insert(0, {plugins!r})
from pathlib import Path
from news_archive.search import indexer
from news_archive.search.schema import make_document
words = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron".split()
docs = {{}}
for i in range(3000):
    body = " ".join(words[(i * 7 + j) % len(words)] + str(j % 50) for j in range(150))
    doc = make_document(url=f"/news/bulk-{{i}}/", headline=f"Bulk story {{i}}", body=body)
    doc["content_hash"] = str(i)
    docs[doc["url"]] = doc
print("writing", flush=True)
indexer.index_documents(Path({work!r}), docs, full=True)
"""


def test_a_build_killed_halfway_leaves_the_previous_index_serving(site: Site):
    app = app_for(site)
    before = generation(site)
    answers = search(app, "budget")
    script = KILLED_BUILD.format(plugins=str(ROOT / "plugins"), work=str(site.work))
    # Its own process group, so the kill takes the index writer's worker processes too
    # (as killing a `make html` job would), and none is left running after the test.
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                            start_new_session=True)
    try:
        assert proc.stdout.readline().strip() == "writing"
        deadline = time.monotonic() + 60
        while not list((site.work / "index.d").glob("*.building")) and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(1.0)  # writing 3,000 documents takes far longer than this
        assert proc.poll() is None, "the build finished before it could be killed"
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    assert list((site.work / "index.d").glob("*.building"))  # it really was killed mid-write
    assert generation(site) == before
    assert search(app, "budget") == answers and search(app, "bulk") == []
    # The next build clears the abandoned half-generation away.
    (site.content / "dumps" / "court.json").unlink()
    build_site(site.root, extra=FAST)
    assert not list((site.work / "index.d").glob("*.building"))
    assert stats(site)["removed"] == 1


def related_links(page: str) -> list[str]:
    section = re.search(r'<(?:section|aside)[^>]*class="[^"]*related[^"]*".*?</(?:section|aside)>', page, re.S)
    return re.findall(r'href="([^"]+)"', section.group(0)) if section else []


def test_every_article_page_lists_three_to_five_related_articles(sample_site: Site):
    pages = sorted(sample_site.output.glob("news/*/index.html"))
    assert len(pages) >= 20
    for page in pages:
        own = "/" + page.parent.relative_to(sample_site.output).as_posix() + "/"
        links = related_links(page.read_text(encoding="utf-8"))
        assert 3 <= len(links) <= 5, (own, links)
        assert own not in links
        for link in links:
            assert (sample_site.output / link.strip("/") / "index.html").exists(), link


def test_related_articles_are_about_the_same_thing(site: Site):
    page = site.page("/news/parliament-passes-budget-after-long-debate/")
    links = related_links(page)
    assert links[0] in ("/news/club-sets-football-stadium-budget/", "/news/budget-talks-stall-in-geneva/")
    page = site.page("/news/election-campaign-enters-its-final-week/")
    assert related_links(page)[0] == "/news/election-result-disputed-in-court/"
