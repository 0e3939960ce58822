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


def test_a_new_story_changes_only_the_front_of_its_section(tmp_path):
    """A section's pages are numbered from its oldest story (paging): page 2 holds the
    oldest, and a story newer than all the others changes the front page; a page that was
    there keeps its stories.  (Now and then the front page, full, hands its oldest stories
    to a new page, whose older neighbour then links to it: here, two a page, it does.)"""
    import json
    import re

    extra = {"NEWS_ARCHIVE_NER": False, "NEWS_ARCHIVE_SEARCH_INDEX": False,
             "PAGINATED_TEMPLATES": {"index": None, "tag": None, "author": None, "category": None,
                                     "entity": None, "section": 2}}
    build_site(tmp_path, sorted(DATA.glob("story-[0-3].json")), extra=extra)
    world = tmp_path / "output" / "section" / "world"

    def stories(page) -> list[str]:
        return re.findall(r"number (\d) of the week</a>", page.read_text(encoding="utf-8"))

    assert stories(world / "page" / "2" / "index.html") == ["0"]
    before = {p: stories(p) for p in world.glob("page/*/index.html")}
    newest = json.loads((DATA / "story-3.json").read_text(encoding="utf-8"))
    newest.update(title="Harbour story number 5 of the week", url="https://example.org/sec-5",
                  date_publish="2019-11-09T09:00:00+00:00",
                  maintext="A new ferry timetable starts on Monday, the port authority said.\n"
                           "Passengers were told to expect longer queues during the first week.")
    (tmp_path / "content" / "dumps" / "story-5.json").write_text(json.dumps(newest), encoding="utf-8")
    build_site(tmp_path, extra=extra)
    timings = json.loads((tmp_path / "var" / "build-timings.json").read_text(encoding="utf-8"))
    assert stories(world / "index.html")[0] == "5"
    assert {p: stories(p) for p in before} == before  # page 2 still holds story 0
    added = set(world.glob("page/*/index.html")) - set(before)
    assert len(added) <= 1
    assert timings["pages_rendered_by_template"].get("section.html") == 1 + 2 * len(added)
