"""A rebuild writes the pages of its new stories before the other article pages.

The search generation a rebuild makes goes live once the pages of its new and changed
stories are written (``indexer.page_written``); Pelican writes article pages newest first,
so a new story dated in the middle of the archive waited for the writer to go through
every newer page (at 2,000 stories, seconds of a watch cycle).  A real archive built
in-process, then one story added back and built again: the first page the second build
writes is the new story's, it is what a build from scratch writes, and the order Pelican's
own loop is repeated in is still Pelican's (its source is pinned).
"""

from __future__ import annotations

import hashlib
import inspect
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT
from news_archive.search import indexer
from support import BUILD_ENV, SAMPLE_DUMPS

HELD_BACK = "blair-defends-terror-law-changes.txt"  # dated in the middle of the sample archive


def build(root: Path) -> list[str]:
    """One in-process build of ``root``; the files it wrote, in order (relative to the output)."""
    from pelican import Pelican, signals
    from pelican.settings import read_settings

    output = root / "output"
    settings = read_settings(str(ROOT / "pelicanconf.py"), override={
        "PATH": str(root / "content"), "OUTPUT_PATH": str(output), "NEWS_ARCHIVE_WORK_DIR": str(root / "var"),
        "THEME": str(ROOT / "theme"), "NEWS_ARCHIVE_PROGRESS": False, "NEWS_ARCHIVE_NER_PROCESSES": 1,
    })
    written: list[str] = []

    def on_written(path: str, context: Any = None) -> None:
        written.append(Path(path).resolve().relative_to(output.resolve()).as_posix())

    pelican = Pelican(settings)
    signals.content_written.connect(on_written)
    try:
        pelican.run()
    finally:
        signals.content_written.disconnect(on_written)
    return written


def _add_back_held_story(site: Path, monkeypatch: pytest.MonkeyPatch
                         ) -> tuple[list[str], dict[str, bytes], list[str], str]:
    """Build the sample archive in ``site`` without HELD_BACK, then again with it: what the
    first build wrote, its HTML pages' bytes, what the second wrote, and the story's URL."""
    for key, value in BUILD_ENV.items():
        monkeypatch.setenv(key, value)
    shutil.copytree(SAMPLE_DUMPS, site / "content" / "dumps")
    held = site / "content" / "dumps" / "bbc" / HELD_BACK
    kept = held.read_bytes()
    held.unlink()
    first = build(site)
    before = {p.relative_to(site / "output").as_posix(): p.read_bytes() for p in (site / "output").rglob("*.html")}
    held.write_bytes(kept)
    second = build(site)
    report = json.loads((site / "var" / "report.json").read_text(encoding="utf-8"))
    url = next(e["url"] for e in report["dumps"] if e["path"].endswith(HELD_BACK) and e["status"] == "converted")
    return first, before, second, url


def test_the_new_story_page_is_written_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site, scratch = tmp_path / "site", tmp_path / "scratch"
    first, _, second, url = _add_back_held_story(site, monkeypatch)
    page = url.strip("/") + "/index.html"
    articles = [p for p in first if p.startswith(url.strip("/").split("/")[0] + "/") and p.endswith("/index.html")]
    assert articles and articles[0] != page  # Pelican's own order would not write it first
    assert second[0] == page

    shutil.copytree(SAMPLE_DUMPS, scratch / "content" / "dumps")
    build(scratch)
    assert (site / "output" / page).read_bytes() == (scratch / "output" / page).read_bytes()
    assert (site / "output" / "index.html").read_bytes() == (scratch / "output" / "index.html").read_bytes()


def test_the_loop_repeated_is_pelicans() -> None:
    from pelican.generators import ArticlesGenerator

    source = inspect.getsource(ArticlesGenerator.generate_articles)
    assert hashlib.sha256(source.encode()).hexdigest() == indexer.GENERATE_ARTICLES_SHA256


def test_every_page_showing_the_new_story_comes_before_the_unchanged_pages(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One story added back: every page that links to it (its related stories' pages, the
    archives, tags, section fronts, its entities' pages) is written before the first article
    page that shows nothing new, and its entities' pages before every other entity's; and
    those pages are what a build from scratch writes."""
    site, scratch = tmp_path / "site", tmp_path / "scratch"
    _, before, second, url = _add_back_held_story(site, monkeypatch)
    link = re.compile(r"""href\s*=\s*["'](?:\.\./)*/?""" + re.escape(url.strip("/")) + r"""/?["']""")
    output = site / "output"
    showing = {p for p in second if p.endswith(".html") and link.search((output / p).read_text(encoding="utf-8"))}
    kinds = {p.split("/", 1)[0] for p in showing}
    assert {"tag", "archives", "entity"} <= kinds, kinds
    article = url.strip("/").split("/")[0] + "/"
    unchanged = [i for i, p in enumerate(second) if p.startswith(article) and p not in showing
                 and p != url.strip("/") + "/index.html" and before.get(p) == (output / p).read_bytes()]
    assert unchanged
    assert max(second.index(p) for p in showing) < min(unchanged)

    def entity(p: str) -> str:
        return "/".join(p.split("/")[:3])  # entity/<kind>/<slug>: all pages of one entity

    naming = {entity(p) for p in showing if p.startswith("entity/")}
    entity_pages = [entity(p) for p in second if p.startswith("entity/")]
    assert set(entity_pages[:len(naming)]) == naming  # other entities' pages only after theirs

    shutil.copytree(SAMPLE_DUMPS, scratch / "content" / "dumps")
    build(scratch)
    for p in sorted(showing):
        assert (output / p).read_bytes() == (scratch / "output" / p).read_bytes(), p
