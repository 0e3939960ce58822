"""Pages numbered from a list's far end (paging): a story added at the top of a
newest-first list changes its front page only, so the other pages keep their URL, their
stories and their digest (what the skip-unchanged writer compares)."""

from __future__ import annotations

from news_archive.fingerprints import Fingerprints
from news_archive.paging import chunks, list_pages
from pelican.paginator import PaginationRule

SETTINGS = {
    "DEFAULT_PAGINATION": 20,
    "PAGINATION_PATTERNS": [PaginationRule(1, "{url}", "{save_as}"),
                            PaginationRule(2, "{base_name}/page/{number}/", "{base_name}/page/{number}/index.html")],
}


def pages(items: list[str], per_page: int = 20, number_from: str = "end"):
    return list_pages(items, per_page, "section/x/", "section/x/index.html", SETTINGS, number_from)


def test_front_page_holds_one_to_two_pages_and_the_rest_are_full_chunks_from_the_end():
    assert chunks(0, 20) == [(0, 0)]
    assert chunks(39, 20) == [(0, 39)]
    assert chunks(40, 20) == [(0, 20), (20, 40)]
    assert chunks(61, 20) == [(0, 21), (21, 41), (41, 61)]
    got = pages([f"s{i}" for i in range(61)])
    assert [p.url for p in got] == ["section/x/", "section/x/page/3/", "section/x/page/2/"]
    assert [p.save_as for p in got][1] == "section/x/page/3/index.html"
    assert got[-1].object_list == [f"s{i}" for i in range(41, 61)]  # page 2: the oldest twenty
    assert (got[0].previous_url, got[0].next_url) == (None, "section/x/page/3/")
    assert (got[1].previous_url, got[1].next_url) == ("section/x/", "section/x/page/2/")
    assert got[0].more_pages == 2 and got[1].more_pages == 0 and got[-1].next_url is None


def test_a_story_added_at_the_top_changes_the_front_page_only():
    before = pages([f"s{i}" for i in range(1000)])
    after = pages(["new"] + [f"s{i}" for i in range(1000)])
    fp = Fingerprints()
    assert fp.value(before[0]) != fp.value(after[0])
    rest = {p.url: fp.value(p) for p in before[1:]}
    assert rest == {p.url: fp.value(p) for p in after[1:]}
    # Once a chunk fills, a page is added, the front shrinks and the page below the new one
    # links to it; the others stay.
    grown = pages([f"n{i}" for i in range(20)] + [f"s{i}" for i in range(1000)])
    assert len(grown) == len(before) + 1 and grown[2].previous_url == "section/x/page/51/"
    now = {p.url: fp.value(p) for p in grown}
    assert {u for u in rest if rest[u] != now[u]} == {"section/x/page/50/"}


def test_the_home_page_is_linked_although_its_url_is_empty():
    got = list_pages(list(range(45)), 20, "", "index.html", SETTINGS)
    assert [p.url for p in got] == ["", "page/2/"] and got[1].previous_url == ""


def test_front_numbered_lists_count_pages_from_the_front():
    got = pages([f"t{i}" for i in range(45)], 20, number_from="front")
    assert [p.url for p in got] == ["section/x/", "section/x/page/2/", "section/x/page/3/"]
    assert [len(p.object_list) for p in got] == [20, 20, 5] and got[1].of == 3
