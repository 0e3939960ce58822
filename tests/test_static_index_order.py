"""Nothing a new story joins waits for the static search index's tables.

The Pagefind bundle is begun from the documents alone before the Whoosh index is updated,
and the binary writes it on the other core.  What is left of the static index (the spelling,
facet and order tables read from the Whoosh generation, the digest) is pure Python on the
build's own thread and only the search pages need it, so it is made once every other page
is written: made before the article pages, it held back the new story's page, its lists and
its search results (~0.35 s of a 2,000-story watch cycle: static-search.json phases).

A real in-process build of the sample archive: when ``static_index.start`` is called, every
HTML page but the search pages has been written, and the static index is still complete.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT
from news_archive.search import static_index
from support import BUILD_ENV, SAMPLE_DUMPS


def test_the_static_tables_are_made_after_every_other_page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pelican import Pelican, signals
    from pelican.settings import read_settings

    for key, value in BUILD_ENV.items():
        monkeypatch.setenv(key, value)
    content, output = tmp_path / "content", tmp_path / "output"
    shutil.copytree(SAMPLE_DUMPS, content / "dumps")
    settings = read_settings(str(ROOT / "pelicanconf.py"), override={
        "PATH": str(content), "OUTPUT_PATH": str(output), "NEWS_ARCHIVE_WORK_DIR": str(tmp_path / "var"),
        "THEME": str(ROOT / "theme"), "NEWS_ARCHIVE_PROGRESS": False, "NEWS_ARCHIVE_NER_PROCESSES": 1,
    })
    written: list[str] = []
    when_started: list[set[str]] = []

    def on_written(path: str, context: Any = None) -> None:
        written.append(Path(path).resolve().relative_to(output.resolve()).as_posix())

    real_start = static_index.start

    def start(*args: Any, **kwargs: Any) -> Any:  # the real start, noting what was written by then
        when_started.append(set(written))
        return real_start(*args, **kwargs)

    monkeypatch.setattr(static_index, "start", start)
    pelican = Pelican(settings)  # loads the plugin: its receivers are connected first
    signals.content_written.connect(on_written)
    try:
        pelican.run()
    finally:
        signals.content_written.disconnect(on_written)

    pages = {p.relative_to(output).as_posix() for p in output.rglob("*.html")}
    not_search = {p for p in pages if not p.startswith("search/")}
    assert len(when_started) == 1
    assert any(p.startswith("entity/") for p in not_search) and any(p.startswith("tag/") for p in not_search)
    assert sorted(not_search - when_started[0]) == []
    assert static_index._complete(output)
    assert (output / "search" / "index.html").is_file()
