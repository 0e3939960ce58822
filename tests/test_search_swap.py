"""A rebuild publishing new index generations while readers search: every answer whole.

A real index written by the indexer into a temporary folder, rebuilt again and again on
one thread while others send requests through the real WSGI app.  Each generation holds
stories only it has (their URLs name it), so an answer shows which generation computed
it: every answer must come from exactly one generation (never a mix of two), never be a
server error or a failed-query note, and a reader never sees an older generation after
a newer one.  The request that notices a new generation is not the one that pays for
opening it: the old one answers until the new one is open and warmed.
"""

from __future__ import annotations

import json
import re
import threading
import time
from pathlib import Path

from news_archive.search import indexer
from news_archive.search.schema import make_document
from news_archive.search.service import FAILED_NOTE, SearchApp
from test_search_service import call

STORIES = 4
_GEN = re.compile(r"^/news/gen(\d+)-\d+/$")


def write_generation(work: Path, k: int) -> None:
    docs = {}
    for i in range(STORIES):
        url = f"/news/gen{k}-{i}/"
        doc = make_document(url=url, headline=f"Flood warning {i}", body="The river flooded the valley.",
                            source="Reuters" if i % 2 else "AFP", tags=[f"round{k}"])
        doc["content_hash"] = indexer.document_hash(doc)
        docs[url] = doc
    indexer.index_documents(work, docs, related_count=0)


def generation_of(data: dict) -> int:
    """The one generation an answer was computed on (fails on a mix)."""
    found = {int(_GEN.match(r["url"]).group(1)) for r in data["results"]}
    tags = {item["value"] for item in data["facets"].get("tag", [])}
    assert len(found) == 1 and tags == {f"round{k}" for k in found}, f"an answer mixing generations: {data}"
    assert data["total"] == STORIES and sum(i["count"] for i in data["facets"]["source"]) == STORIES
    return found.pop()


def test_every_answer_comes_whole_from_one_generation_while_rebuilds_swap_the_index(tmp_path: Path):
    write_generation(tmp_path, 0)
    app = SearchApp(str(tmp_path / "index"), lambda *a, **k: "", cache_size=50)
    assert generation_of(json.loads(call(app, "/search.json", "q=flood")[2])) == 0
    stop = threading.Event()
    seen: list[list[int]] = [[] for _ in range(4)]
    failures: list[str] = []

    def reader(mine: list[int]) -> None:
        queries = ["q=flood", "q=river+valley", "q=flood&source=AFP&size=50", "q=warning&sort=newest"]
        i = 0
        while not stop.is_set():
            q = queries[i % len(queries)]
            i += 1
            status, _, body = call(app, "/search.json", q)
            data = json.loads(body)
            if status != "200 OK" or FAILED_NOTE in data["notes"]:
                failures.append(f"{status} {data['notes']}")
                continue
            if "source=AFP" in q:
                assert all(int(r["url"].rsplit("-", 1)[1].strip("/")) % 2 == 0 for r in data["results"])
                continue
            mine.append(generation_of(data))

    threads = [threading.Thread(target=reader, args=(mine,)) for mine in seen]
    for t in threads:
        t.start()
    try:
        for k in range(1, 6):
            write_generation(tmp_path, k)
            time.sleep(0.3)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=60)
    assert not failures, failures[:3]
    for mine in seen:
        assert mine and mine == sorted(mine), "a reader was answered from an older generation after a newer one"
    assert max(max(mine) for mine in seen) >= 4, "the new generations were never switched to"
    assert app.index.wait().path == str((tmp_path / "index").resolve())
    assert generation_of(json.loads(call(app, "/search.json", "q=flood")[2])) == 5


class SlowWarm:
    """A service over generation 0 whose next generation takes as long as the test wants to
    be ready: ``opened`` is set when it is being warmed, ``release`` lets it finish."""

    def __init__(self, work: Path) -> None:
        write_generation(work, 0)
        self.opened, self.release = threading.Event(), threading.Event()
        self.app = SearchApp(str(work / "index"), lambda *a, **k: "", cache_size=50)
        self.first_warm = self.app.index.warm
        assert generation_of(json.loads(call(self.app, "/search.json", "q=flood")[2])) == 0
        self.app.index.warm = self.slow_warm

    def slow_warm(self, gen) -> None:
        self.opened.set()
        assert self.release.wait(30)
        self.first_warm(gen)


def test_the_request_that_notices_a_new_generation_is_answered_from_the_open_one(tmp_path: Path):
    slow = SlowWarm(tmp_path)
    app, opened, release = slow.app, slow.opened, slow.release
    write_generation(tmp_path, 1)
    started = time.monotonic()
    assert generation_of(json.loads(call(app, "/search.json", "q=flood")[2])) == 0
    assert opened.wait(30)
    assert generation_of(json.loads(call(app, "/search.json", "q=river")[2])) == 0
    assert time.monotonic() - started < 10, "a request waited for the new generation"
    release.set()
    gen = app.index.wait()
    assert gen is not None and len(gen.answers) == 2, "the new generation was not warmed with the recent requests"
    assert generation_of(json.loads(call(app, "/search.json", "q=flood")[2])) == 1


def test_a_generation_opened_late_never_replaces_a_newer_one(tmp_path: Path):
    """Generation 1 is still being opened in the background when 2 goes live and a request,
    its generation gone, opens 2 itself (``_from_fresh``: reset, then get).  When 1 is
    ready at last it must be dropped: switching to it would answer from an older
    generation after a newer one (seen under load in the swap test above)."""
    slow = SlowWarm(tmp_path)
    app, opened, release = slow.app, slow.opened, slow.release
    write_generation(tmp_path, 1)
    assert generation_of(json.loads(call(app, "/search.json", "q=flood")[2])) == 0
    assert opened.wait(30)
    write_generation(tmp_path, 2)
    app.index.warm = slow.first_warm
    app.index.reset()
    assert generation_of(json.loads(call(app, "/search.json", "q=flood")[2])) == 2
    release.set()
    deadline = time.monotonic() + 30
    while app.index._opening is not None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert app.index._opening is None
    assert generation_of(json.loads(call(app, "/search.json", "q=river")[2])) == 2


def test_a_generation_live_a_moment_ago_is_not_removed_by_the_next_builds(tmp_path: Path):
    """Rebuilds in quick succession (``make watch``) must not delete a generation that a
    service worker, which has not had a request since, may still be answering from."""
    write_generation(tmp_path, 0)
    first = (tmp_path / "index").resolve()
    for k in range(1, 4):
        write_generation(tmp_path, k)
    assert first.is_dir() and (first / "manifest.json").exists(), "a generation live seconds ago was pruned"


def test_old_generations_are_removed_once_their_grace_has_passed(tmp_path: Path):
    write_generation(tmp_path, 0)
    first = (tmp_path / "index").resolve()
    write_generation(tmp_path, 1)
    write_generation(tmp_path, 2)
    retired = time.time() - indexer.RETIRED_GRACE_SECONDS - 1
    for gen in (tmp_path / "index.d").iterdir():
        marker = gen / indexer.RETIRED_MARKER
        if marker.exists():
            import os

            os.utime(marker, (retired, retired))
    write_generation(tmp_path, 3)
    assert not first.exists(), "generations retired long ago pile up"
    assert len(list((tmp_path / "index.d").iterdir())) <= 3


def test_a_generation_removed_under_the_service_is_answered_from_the_current_one(tmp_path: Path):
    """Whoever removed it (a build of an older version, a maintainer's ``rm``): the
    reader's search is answered from the live generation, not with a failed-query note."""
    import shutil

    write_generation(tmp_path, 0)
    app = SearchApp(str(tmp_path / "index"), lambda *a, **k: "", cache_size=0)
    assert generation_of(json.loads(call(app, "/search.json", "q=flood")[2])) == 0
    old = app.index.get()
    write_generation(tmp_path, 1)
    with old.searcher():  # a request in flight: the next one needs a searcher of its own
        shutil.rmtree(old.path)
        status, _, body = call(app, "/search.json", "q=flood")
    data = json.loads(body)
    assert status == "200 OK" and FAILED_NOTE not in data["notes"], data["notes"]
    assert generation_of(data) == 1
