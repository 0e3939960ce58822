"""Answers kept per index generation: given again to the same request, never over a newer index.

A real index written by the indexer into a temporary folder and the real WSGI app over it
(no Pelican build: these tests are about which generation answers).
"""

from __future__ import annotations

import json
from pathlib import Path

from news_archive.search import indexer
from news_archive.search.schema import make_document
from news_archive.search.service import SearchApp
from test_search_service import call


def write_index(work: Path, stories: dict[str, str]) -> None:
    docs = {}
    for url, body in stories.items():
        doc = make_document(url=url, headline=url.strip("/").replace("-", " "), body=body)
        doc["content_hash"] = indexer.document_hash(doc)
        docs[url] = doc
    indexer.index_documents(work, docs, related_count=0)


def answer(app: SearchApp, query: str) -> dict:
    status, _, body = call(app, "/search.json", query)
    assert status == "200 OK"
    return json.loads(body)


def test_the_same_request_is_answered_again_from_the_generation_it_was_computed_on(tmp_path: Path):
    write_index(tmp_path, {"/news/flood/": "The river flooded the valley.", "/news/fire/": "A fire in the hills."})
    app = SearchApp(str(tmp_path / "index"), lambda *a, **k: "", cache_size=10)
    first = answer(app, "q=flood")
    gen = app.index.get()
    assert len(gen.answers) == 1
    again = answer(app, "q=flood")
    assert len(gen.answers) == 1 and {**again, "took_ms": 0} == {**first, "took_ms": 0}
    assert answer(app, "q=flood&size=5")["total"] == 1 and len(gen.answers) == 2  # another request


def test_a_published_generation_answers_once_it_is_ready_with_nothing_kept_from_the_old_one(tmp_path: Path):
    write_index(tmp_path, {"/news/flood/": "The river flooded the valley.", "/news/fire/": "A fire in the hills."})
    app = SearchApp(str(tmp_path / "index"), lambda *a, **k: "", cache_size=10)
    assert [r["url"] for r in answer(app, "q=flood")["results"]] == ["/news/flood/"]
    write_index(tmp_path, {"/news/flood/": "The river flooded the valley.", "/news/fire/": "A fire in the hills.",
                           "/news/dam/": "The dam held back the flood."})
    # The request that notices the new generation is answered from the old one, whole.
    assert {r["url"] for r in answer(app, "q=flood")["results"]} in ({"/news/flood/"},
                                                                      {"/news/flood/", "/news/dam/"})
    gen = app.index.wait()
    assert gen is not None and gen.path == str((tmp_path / "index").resolve())
    urls = {r["url"] for r in answer(app, "q=flood")["results"]}
    assert urls == {"/news/flood/", "/news/dam/"}, "the answer of the replaced generation was given again"
    assert len(app.index.get().answers) == 1  # warmed with the recent request, computed over the new index


def test_no_answer_is_kept_when_the_cache_is_off(tmp_path: Path):
    write_index(tmp_path, {"/news/flood/": "The river flooded the valley."})
    app = SearchApp(str(tmp_path / "index"), lambda *a, **k: "", cache_size=0)
    assert answer(app, "q=flood")["total"] == 1 and answer(app, "q=flood")["total"] == 1
    assert len(app.index.get().answers) == 0
