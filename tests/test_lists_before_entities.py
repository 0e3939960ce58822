"""The list pages a new story joins are not held back by the entity pages.

The section fronts, the home page, the archives and the A–Z indexes read the entity
generator's context, so their contexts are made after it; but writing them reads nothing
the entity pages' writing makes, so they are written first (``lists_before_entity_pages``).
A real in-process build of the sample archive: every section front and the home page is
written before the first entity page, and the site is what it was (tests/test_watch.py and
bench/build.py --verify compare every file with a one-shot build).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from support import BUILD_ENV, SAMPLE_DUMPS
from test_fresh_pages_first import build


def test_section_fronts_and_home_are_written_before_the_entity_pages(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in BUILD_ENV.items():
        monkeypatch.setenv(key, value)
    shutil.copytree(SAMPLE_DUMPS, tmp_path / "content" / "dumps")
    written = build(tmp_path)
    entity_pages = [i for i, p in enumerate(written) if p.startswith("entity/")]
    lists = [i for i, p in enumerate(written) if p.startswith("section/") or p == "index.html"]
    assert entity_pages and lists and "index.html" in written
    assert max(lists) < min(entity_pages)
