"""A Pagefind binary that fails is a line of the build report, not a dead build.

Real Pelican builds with a real misbehaving process as the binary (Pagefind's wrapper runs
whatever ``PAGEFIND_BINARY_PATH`` names): one that never answers (killed after
``NEWS_ARCHIVE_PAGEFIND_SECONDS``) and one that exits at once.  The site is built all the
same; the report and its summary say static search is stale (the previous index is kept,
untouched, and the search page still points at it) or unavailable (no earlier index: the
search page says why), and the next build with a working binary writes the index.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, build_site

DUMPS = ROOT / "tests" / "data" / "dumps" / "sidecar"
EXTRA = {"NEWS_ARCHIVE_NER": False, "NEWS_ARCHIVE_SEARCH_INDEX": False, "NEWS_ARCHIVE_PAGEFIND_SECONDS": 2}


def binary(folder: Path, name: str, body: str) -> Path:
    """An executable script standing in for the Pagefind binary: a real process of its own."""
    path = folder / name
    path.write_text(f"#!{sys.executable}\nimport sys, time\n{body}\n", encoding="utf-8")
    path.chmod(0o755)
    return path


def index_files(output: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(output)): (p.stat().st_ino, p.stat().st_mtime_ns)
            for p in (output / "pagefind").rglob("*") if p.is_file()}


def summary(site) -> str:
    return subprocess.run([sys.executable, "-m", "news_archive", "report", "--work", str(site.work)],
                          capture_output=True, text=True, check=True, cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT / "plugins")}).stdout


@pytest.mark.parametrize("bundles", [1, 3])
def test_a_hanging_binary_leaves_the_previous_index_and_the_next_build_retries(tmp_path, monkeypatch, bundles):
    extra = {**EXTRA, "NEWS_ARCHIVE_STATIC_BUNDLES": bundles}
    site = build_site(tmp_path / "site", DUMPS, extra=extra)
    assert "static_search" not in site.report
    before = index_files(site.output)
    page = site.page("/search/")

    dump = site.content / "dumps" / "second-story.txt"
    dump.write_text(dump.read_text(encoding="utf-8") + "\nThe statistics office will publish revised "
                    "figures for the whole year in February, officials said.\n", encoding="utf-8")
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(binary(tmp_path, "hang", "time.sleep(600)")))
    started = time.monotonic()
    site = build_site(site.root, extra=extra)  # exits 0
    assert time.monotonic() - started < 120, "the hanging binary was given up on, not waited for"
    state = site.report["static_search"]
    assert state["status"] == "stale" and "did not answer" in state["reason"] and state["retry"], state
    assert "static search stale" in summary(site) and "next build tries again" in summary(site)
    assert index_files(site.output) == before, "the live index is left exactly as it was"
    assert site.page("/search/") == page, "the search page still points at the live index"
    assert any("revised figures" in p.read_text(encoding="utf-8") for p in site.output.rglob("*.html")), \
        "the site itself was built, with the edited story"
    assert not list(site.output.glob(".pagefind-*")), "no half-written index is left"

    monkeypatch.delenv("PAGEFIND_BINARY_PATH")
    site = build_site(site.root, extra=extra)
    assert "static_search" not in site.report
    assert "static search" not in summary(site)
    assert index_files(site.output) != before


def test_a_binary_that_exits_at_once_on_a_first_build_says_search_is_unavailable(tmp_path, monkeypatch):
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(binary(tmp_path, "exit", "sys.exit(3)")))
    site = build_site(tmp_path / "site", DUMPS, extra=EXTRA)
    state = site.report["static_search"]
    assert state["status"] == "unavailable" and state["retry"], state
    assert "static search unavailable" in summary(site)
    page = site.page("/search/")
    assert 'data-engine="none"' in page and "could not be built" in page and "static-search.js" not in page
    assert not (site.output / "pagefind").exists()
    assert json.loads((site.work / "report.json").read_text())["counts"]["converted"] >= 2


def test_a_slow_binary_that_works_is_waited_for(tmp_path, monkeypatch):
    """Busy is not hung: a binary that answers only after working longer than
    ``wait`` seconds (here: 4 s of CPU before it starts the real Pagefind) is waited for, as
    a loaded machine's binary must be (``write_files`` took over 120 s beside a benchmark)."""
    from news_archive.search import static_index
    from pagefind.service import get_executable
    from test_static_search_index import docs

    real = get_executable()
    slow = binary(tmp_path, "slow", "import os\nend = time.process_time() + 4\n"
                  "while time.process_time() < end:\n    pass\n"
                  f"os.execv({str(real)!r}, [{str(real)!r}] + sys.argv[1:])")
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(slow))
    stats = static_index.start(str(tmp_path / "out"), str(tmp_path / "work"), docs(), "en", wait=2).result()
    assert stats["written"] and (tmp_path / "out" / "pagefind" / "pagefind-entry.json").is_file()
