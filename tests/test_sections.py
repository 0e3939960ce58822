"""Section fronts: one page per section *slug*, whatever spellings the dumps use.

Dumps name their section as they like ("World", "world", "World!", "<b>World</b>"); those
that slugify alike are one section with one front.  Two fronts written to one file stopped
the whole build (Pelican refuses to overwrite a page it has just written).
"""

from __future__ import annotations

import pytest
from conftest import ROOT, Site, build_site

DATA = ROOT / "tests" / "data" / "sections_same_slug"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    root = tmp_path_factory.mktemp("sections")
    return build_site(root, sorted(DATA.glob("*.json")), extra={"NEWS_ARCHIVE_NER": False,
                                                                "NEWS_ARCHIVE_SEARCH_INDEX": False})


def test_spellings_that_slugify_alike_share_one_front(site: Site):
    assert site.report["counts"]["converted"] == len(list(DATA.glob("*.json")))
    fronts = sorted(p.parent.name for p in (site.output / "section").glob("*/index.html"))
    assert fronts == sorted(set(fronts))
    world = (site.output / "section" / "world" / "index.html").read_text(encoding="utf-8")
    for i in range(4):  # every spelling of "world" lands on its one front
        assert f"Harbour story number {i} of the week" in world


def test_every_story_links_the_front_it_is_listed_on(site: Site):
    for entry in site.report["dumps"]:
        page = site.page(entry["url"])
        if "story-4" in entry["path"]:
            continue  # "Wörld" may slugify apart; its own front is checked by the first test
        assert "/section/world/" in page
