"""Pages numbered from a list's far end (paging): a story added at the top of a
newest-first list changes its front page only, so the other pages keep their URL, their
stories and their digest (what the skip-unchanged writer compares)."""

from __future__ import annotations

import random

from news_archive.fingerprints import Fingerprints
from news_archive.paging import chunks, keyed_chunks, list_pages
from pelican.paginator import PaginationRule

SETTINGS = {
    "DEFAULT_PAGINATION": 20,
    "PAGINATION_PATTERNS": [PaginationRule(1, "{url}", "{save_as}"),
                            PaginationRule(2, "{base_name}/page/{number}/", "{base_name}/page/{number}/index.html")],
}


def pages(items: list[str], per_page: int = 20, number_from: str = "end", key=None):
    return list_pages(items, per_page, "section/x/", "section/x/index.html", SETTINGS, number_from, key=key)


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
    got = list_pages(list(range(45)), 20, "", "index.html", SETTINGS, key=None)
    assert [p.url for p in got] == ["", "page/2/"] and got[1].previous_url == ""


def test_front_numbered_lists_count_pages_from_the_front():
    got = pages([f"t{i}" for i in range(45)], 20, number_from="front")
    assert [p.url for p in got] == ["section/x/", "section/x/page/2/", "section/x/page/3/"]
    assert [len(p.object_list) for p in got] == [20, 20, 5] and got[1].of == 3


def test_keyed_pages_cover_the_list_in_pages_of_half_to_twice_the_size():
    keys = [f"story-{i}" for i in range(2000)]
    got = keyed_chunks(keys, 20)
    assert got[0][0] == 0 and got[-1][1] == 2000
    assert all(a[1] == b[0] for a, b in zip(got, got[1:], strict=False))
    assert got[0][1] >= 20 and all(10 <= b - a <= 40 for a, b in got[1:])


def test_a_story_inserted_or_removed_mid_list_changes_about_one_page_not_one_side():
    """Where pages begin is decided by the stories (keyed_chunks), so a story dated in the
    middle of a list, or one removed from it, changes the page it is on (and now and then,
    when the count of pages changes, the pages above it), where counting would have moved
    every story on one side of it to another page."""
    keys = [f"story-{i}" for i in range(2000)]

    def shown(keys: list[str]) -> dict[str, tuple[str, ...]]:
        return {p.url: tuple(p.object_list) for p in pages(keys, key=str)}

    rng = random.Random(5)
    before = shown(keys)
    changed = []
    for trial in range(100):
        after = list(keys)
        after.insert(rng.randrange(len(after)), f"new-{trial}")
        del after[rng.randrange(len(after))]
        now = shown(after)
        changed.append(sum(1 for u in before.keys() | now.keys() if before.get(u) != now.get(u)))
    changed.sort()
    assert changed[50] <= 3 and changed[80] <= 4, changed  # of some 85 pages
    counted = {p.url: tuple(p.object_list) for p in pages(keys)}
    moved = {p.url: tuple(p.object_list) for p in pages(keys[:500] + ["new"] + keys[500:1999])}
    assert sum(1 for u in counted if counted[u] != moved.get(u)) > 20  # counting: every page above


def test_a_list_page_does_not_change_with_what_it_does_not_show_of_its_stories():
    """A story re-tagged (tags are chosen archive-wide, so a story added re-tags others)
    leaves the list pages it is on as they were: they show its headline, dek, date and
    section, not its tags (paging.StoryView)."""
    from datetime import datetime

    from news_archive.paging import story_views
    from pelican.contents import Article
    from pelican.settings import DEFAULT_CONFIG
    from pelican.urlwrappers import Tag

    settings = {**DEFAULT_CONFIG, **SETTINGS}

    def digest(tags: list[str]) -> bytes:
        stories = [Article("<p>Body.</p>", {"title": f"Story {i}", "date": datetime(2020, 1, 1 + i),
                                             "slug": f"story-{i}"}, settings=settings) for i in range(3)]
        stories[0].tags = [Tag(t, settings) for t in tags]
        page = list_pages(story_views({}, stories), 20, "", "index.html", settings)[0]
        return Fingerprints().value(page)

    assert digest(["harbour"]) == digest(["ferry", "port"])


def test_a_period_archive_does_not_change_with_what_it_does_not_show_of_its_stories():
    """A year's archive reads its whole list on every page (its count, its months), so it
    lists each story by its view (lists.view_period_archives): a story re-tagged leaves
    every page of its year as it was."""
    from datetime import datetime

    from news_archive.lists import view_period_archives
    from pelican.contents import Article
    from pelican.settings import DEFAULT_CONFIG
    from pelican.urlwrappers import Tag

    settings = {**DEFAULT_CONFIG, **SETTINGS}

    def digest(tags: list[str]) -> bytes:
        stories = [Article("<p>Body.</p>", {"title": f"Story {i}", "date": datetime(2020, 1, 1 + i),
                                             "slug": f"story-{i}"}, settings=settings) for i in range(3)]
        stories[0].tags = [Tag(t, settings) for t in tags]
        context: dict = {"period_archives": {"year": [{"dates": stories, "articles": list(stories)}]}}
        view_period_archives(context)
        year = context["period_archives"]["year"][0]
        assert [v.title for v in year["dates"]] == [s.title for s in stories]
        return Fingerprints().value([year["dates"], year["articles"]])

    assert digest(["harbour"]) == digest(["ferry", "port"])
