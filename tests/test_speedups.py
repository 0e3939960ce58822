"""Build speed without changing the site: Pelican's per-term scans replaced, stale pages removed.

The taxonomy replacements in ``news_archive.pelican_overrides`` must write exactly the pages
Pelican's own code writes, with the same article lists in the same order: each test
runs both on the same generator and compares every call.  The benchmark harness
(bench/build.py) is proved at N = 50: real dumps in, a real site out, counted
pages and zero broken links, cold, warm and incremental.
"""

from __future__ import annotations

import importlib.util
import logging
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, shared_data
from news_archive import ledger, pelican_overrides
from news_archive.fileio import write_if_changed
from pelican.generators import ArticlesGenerator
from pelican.settings import DEFAULT_CONFIG


def _recording_write(calls: list[dict[str, Any]]) -> Any:
    def write(name: str, template: Any, context: dict[str, Any], **kwargs: Any) -> None:
        row: dict[str, Any] = {"name": name}
        for key, value in kwargs.items():
            if isinstance(value, list):
                row[key] = [getattr(a, "source_path", a) for a in value]
            elif key not in ("template_name", "blog"):
                row[key] = str(value)
            else:
                row[key] = value
        calls.append(row)

    return write


@pytest.fixture(scope="module")
def generator(tmp_path_factory: pytest.TempPathFactory) -> ArticlesGenerator:
    """A real ArticlesGenerator over 60 Markdown articles with shared tags, authors, categories.

    Dates are not in file order and several articles share a day, so ordering by
    ``dates`` differs from ordering by ``articles`` (newest first here, by title there).
    """
    root = tmp_path_factory.mktemp("taxonomy")
    content = root / "content"
    content.mkdir()
    start = datetime(2019, 11, 28, 9, 0)
    for i in range(60):
        date = start + timedelta(days=(i * 37) % 95, hours=i % 3)
        tags = "; ".join(f"topic {t}" for t in {i % 7, i % 5 + 10, (i * 3) % 4 + 20}) + ";"
        authors = "; ".join(sorted({f"Writer {i % 6}", f"Writer {(i // 2) % 4}"})) + ";"
        (content / f"a{i:02d}.md").write_text(
            f"Title: Story {59 - i:02d}\nDate: {date:%Y-%m-%d %H:%M}\nTags: {tags}\nAuthors: {authors}\n"
            f"Category: Section {i % 3}\n\nBody of story {i}.\n",
            encoding="utf-8",
        )
    settings = {
        **DEFAULT_CONFIG,
        "PATH": str(content),
        "CACHE_CONTENT": False,
        "LOAD_CONTENT_CACHE": False,
        "ARTICLE_ORDER_BY": "title",
        "NEWEST_FIRST_ARCHIVES": True,
        "YEAR_ARCHIVE_SAVE_AS": "{date:%Y}/index.html",
        "MONTH_ARCHIVE_SAVE_AS": "{date:%Y}/{date:%m}/index.html",
        "DAY_ARCHIVE_SAVE_AS": "{date:%Y}/{date:%m}/{date:%d}/index.html",
        "READERS": {"html": None},
    }
    context = {**settings, "generated_content": {}, "static_links": set(), "static_content": {},
               "localsiteurl": ""}
    gen = ArticlesGenerator(context=context, settings=settings, path=str(content),
                            theme=settings["THEME"], output_path=str(root / "output"))
    gen.generate_context()
    assert len(gen.articles) == 60
    return gen


@pytest.mark.parametrize("method", ["generate_tags", "generate_categories", "generate_authors"])
def test_term_pages_match_pelican(generator: ArticlesGenerator, method: str) -> None:
    ours: list[dict[str, Any]] = []
    theirs: list[dict[str, Any]] = []
    getattr(ArticlesGenerator, method)(generator, _recording_write(theirs))
    getattr(pelican_overrides, method)(generator, _recording_write(ours))
    assert len(theirs) > 2
    assert ours == theirs


def test_period_archives_match_pelican(generator: ArticlesGenerator) -> None:
    theirs = ArticlesGenerator._build_period_archives(generator, generator.dates, generator.articles,
                                                      generator.settings)
    ours = pelican_overrides.build_period_archives(generator, generator.dates, generator.articles, generator.settings)
    assert set(ours) == {"year", "month", "day"}
    for granularity in ("year", "month", "day"):
        assert ours[granularity] == theirs[granularity], granularity
    # Each month's `articles` is in the generator's article order, its `dates` newest first.
    month = ours["month"][0]
    assert [a.title for a in month["articles"]] == sorted(a.title for a in month["articles"])
    assert [a.date for a in month["dates"]] == sorted((a.date for a in month["dates"]), reverse=True)


def test_install_binds_only_this_generator(generator: ArticlesGenerator) -> None:
    pelican_overrides.install(generator)
    assert generator.generate_tags.__func__ is pelican_overrides.generate_tags
    assert ArticlesGenerator.generate_tags is not pelican_overrides.generate_tags


def test_prune_removes_only_pages_the_last_build_wrote(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    output, work = tmp_path / "output", tmp_path / "var"
    work.mkdir()
    pages = ["news/a/index.html", "news/b/index.html", "tag/x/index.html"]
    for rel in [*pages, "sitemap.xml"]:
        (output / rel).parent.mkdir(parents=True, exist_ok=True)
        (output / rel).write_text(rel)
    assert ledger.prune_stale(str(output), str(work), {str(output / p) for p in pages}) == []
    with caplog.at_level(logging.INFO):
        removed = ledger.prune_stale(str(output), str(work), {str(output / pages[0]), str(output / pages[2])})
    assert removed == ["news/b/index.html"]
    assert not (output / "news" / "b").exists()  # its emptied folder goes too
    assert (output / pages[0]).exists() and (output / "sitemap.xml").exists()


def _load_bench() -> Any:
    spec = importlib.util.spec_from_file_location("bench_build", ROOT / "bench" / "build.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_build"] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_benchmark_harness_small_archive(tmp_path: Path) -> None:
    """bench/build.py at N = 50: every build is a correct site, and its phases are measured.

    The incremental build (one dump added, one changed, one removed) skips the pages
    whose inputs did not change; rendering every page again afterwards must not change
    a single output file.
    """
    shared_data("bbc")
    bench = _load_bench()
    builds = {b.label: b for b in bench.measure(50, tmp_path, timeout=300, ner_processes=1, log=lambda s: None,
                                                verify=True)}
    bare, cold, warm, inc = builds["bare (2nd)"], builds["cold"], builds["warm"], builds["incremental"]
    assert bare.check.pages >= 50
    # Memory is measured as the tree's PSS (shared pages once) beside its summed RSS.
    assert 0 < cold.run.peak_pss <= cold.run.peak_rss
    for build in (bare, cold, warm, inc):
        assert build.check.broken == [], build.label
    converted = cold.extra["counts"]["converted"]
    assert converted >= 45  # a few BBC stories are duplicates of others in the corpus
    assert cold.extra["pages_by_template"]["article"] == converted
    assert cold.check.pages > converted  # tag, entity, archive, index pages besides
    assert warm.check.pages == cold.check.pages
    for phase in ("ingest", "ner", "pelican_read", "search_index", "render_write"):
        assert phase in cold.phases, phase
    # Nothing changed: no NER words run, nothing re-indexed, no page rendered again.
    assert warm.extra["pages_not_rerendered"] == sum(warm.extra["pages_by_template"].values())
    assert warm.extra["ner_words_per_second"] is None
    assert warm.extra["index"].get("added") == 0 and warm.extra["index"].get("changed") == 0
    # One added, one changed, one removed: the removed story's page is gone, the new one is there.
    assert inc.extra["pages_by_template"]["article"] == converted
    assert inc.extra["index"].get("added") == 1 and inc.extra["index"].get("removed") == 1
    output = tmp_path / "site" / "output"
    removed, added, changed = (synth_name(i) for i in (1, 50, 0))
    assert removed in cold.urls and removed not in inc.urls and added in inc.urls
    assert not (output / cold.urls[removed].strip("/") / "index.html").exists()
    assert (output / inc.urls[added].strip("/") / "index.html").exists()
    assert "added by correction number 50" in (output / inc.urls[changed].strip("/") / "index.html").read_text()
    # Pages the incremental build did not render are byte-identical to rendering them again.
    assert 0 < inc.extra["pages_not_rerendered"] < warm.extra["pages_not_rerendered"]
    assert inc.extra["differs_from_full_render"] == []
    table = bench.table(list(builds.values()))
    assert "| 50 | warm |" in table and "× bare" in table


def synth_name(number: int) -> str:
    return f"{number // 1000:03d}/{number:06d}.txt"


def test_write_if_changed_keeps_identical_files_untouched(tmp_path: Path) -> None:
    page = tmp_path / "feed.xml"
    assert write_if_changed(str(page), b"<feed>one</feed>")
    page.touch()
    stamp = page.stat().st_mtime_ns
    assert not write_if_changed(str(page), b"<feed>one</feed>")
    assert page.stat().st_mtime_ns == stamp
    assert write_if_changed(str(page), b"<feed>one</feed><!-- longer -->")
    assert write_if_changed(str(page), b"<feed>one</feed>")  # a prefix of the file is not the file
    assert page.read_bytes() == b"<feed>one</feed>"
