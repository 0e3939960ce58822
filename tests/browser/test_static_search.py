"""Search on a plain static host: the sample archive's ``output/`` served by Python's own
``http.server`` (no search service anywhere), used as a reader would, at 1280 and 375 px.

The home page's search box leads to the static results page, which searches the
Pagefind index in the browser: the seed story is found and its word marked, facets
show counts, a filter narrows the results, a misspelling is corrected, everything
works from the keyboard alone, and axe-core finds no serious problem.  Without
JavaScript the page says plainly that search needs it here, and links the browse pages.
"""

from __future__ import annotations

import functools
import http.server
import json
import re
import threading
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
from test_browser import SEED_QUERY, WIDTHS, open_tab, serious_violations

pytestmark = pytest.mark.browser


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def static_host(sample_site) -> Iterator[str]:
    """``python -m http.server`` on the sample build's output folder, on loopback."""
    handler = functools.partial(Quiet, directory=str(sample_site.output))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def static_tab(browser, static_host):
    opened = []

    def factory(label: str, **context_args: object):
        tab = open_tab(browser, static_host, label, **context_args)
        opened.append(tab)
        return tab

    yield factory
    for tab in opened:
        tab.page.context.close()


def results(tab) -> list[str]:
    tab.page.wait_for_selector(".result, .search-empty")
    return tab.page.locator(".result .item-title a").all_inner_texts()


def query_of(tab) -> dict[str, list[str]]:
    return parse_qs(urlsplit(tab.page.url).query)


@pytest.mark.parametrize("width", WIDTHS)
def test_static_search_from_the_home_page(static_tab, axe_script, width):
    """Home page box → Hekmat → the seed story, marked; a facet with a count filters; a
    misspelling is corrected; the whole flow by keyboard; no axe violation on the way."""
    tab = static_tab(width)
    pagefind_on_home: list[str] = []
    tab.page.on("request", lambda r: "/pagefind/" in r.url and pagefind_on_home.append(r.url))
    tab.goto("/")
    assert not pagefind_on_home, "the static index is loaded only when a reader searches"

    # Keyboard only: Tab to the header's box, type, Enter.
    for _ in range(4):
        tab.page.keyboard.press("Tab")
        if tab.page.evaluate("() => document.activeElement.id") == "q":
            break
    assert tab.page.evaluate("() => document.activeElement.id") == "q", "the search box is reachable with Tab"
    tab.page.keyboard.type(SEED_QUERY)
    tab.page.keyboard.press("Enter")
    tab.page.wait_for_url(re.compile(r"/search/\?q=Hekmat"))
    found = results(tab)
    assert any("Islamic State Commander" in h for h in found), found
    marks = tab.page.locator(".result mark").all_inner_texts()
    assert any(m.lower().startswith(SEED_QUERY.lower()) for m in marks), marks
    assert tab.page.locator("header input[type=search]").count() == 1, "one search box on the results page"
    summary = tab.page.locator(".search-summary").inner_text()
    assert re.match(r"^1 story for Hekmat", summary), summary
    tab.no_horizontal_scroll()
    tab.screenshot("static-search")
    found_axe = serious_violations(tab, axe_script)

    # Facets: on a phone behind one "Filters" control above the results, beside them on a desktop.
    facets = tab.page.locator("details.search-facets")
    toggle = facets.locator("summary")
    if width == "mobile":
        assert toggle.is_visible()
        box_top = facets.bounding_box()["y"]
        assert box_top < tab.page.locator(".result").first.bounding_box()["y"], "Filters come before the results"
        toggle.focus()
        tab.page.keyboard.press("Enter")
    person = facets.locator(".facet").filter(has_text="People").locator("li").filter(has_text="Qari Hekmat")
    assert person.locator(".count").inner_text().strip() == "1", "a facet value shows its count"
    tab.screenshot("static-search-facets")
    for _ in range(80):  # Tab on to the facet value, as a keyboard user would
        if tab.page.evaluate("() => document.activeElement.textContent") == "Qari Hekmat":
            break
        tab.page.keyboard.press("Tab")
    assert tab.page.evaluate("() => document.activeElement.closest('.facet') !== null"), "facets are reachable by Tab"
    tab.page.keyboard.press("Enter")
    tab.page.wait_for_url(re.compile(r"person=Qari\+Hekmat"))
    assert results(tab) == found
    chip = tab.page.locator(".search-filters a.chip-active")
    assert "Qari Hekmat" in chip.inner_text()

    # A filter that excludes the seed story narrows to other stories (or none), never it.
    tab.goto("/search/?q=afghanistan")
    everything = results(tab)
    assert len(everything) >= 2
    tab.goto("/search/?q=afghanistan&source=AFP")
    narrowed = results(tab)
    assert 1 <= len(narrowed) < len(everything), (narrowed, everything)
    assert query_of(tab)["source"] == ["AFP"]

    # Did you mean: a misspelling is corrected and the count line names the correction.
    tab.goto("/search/?q=afganistan")
    corrected = results(tab)
    suggestion = tab.page.locator(".search-suggestion").inner_text()
    assert "Showing results for afghanistan" in suggestion, suggestion
    assert "afghanistan" in tab.page.locator(".search-summary").inner_text()
    assert corrected == everything
    found_axe += serious_violations(tab, axe_script)
    tab.screenshot("static-search-corrected")

    # Sorting: by date either way, undated stories last both ways, the same stories.
    tab.goto("/search/?q=killed")
    relevance = results(tab)
    for order in ("newest", "oldest"):
        tab.goto(f"/search/?q=killed&sort={order}")
        assert sorted(results(tab)) == sorted(relevance)
        dates = dates_shown(tab)
        known = [d for d in dates if d]
        assert dates == known + [""] * (len(dates) - len(known)), f"undated stories last when sorted {order}"
        assert known == sorted(known, reverse=order == "newest"), (order, known)
        assert len(set(known)) >= 2, "the sample has stories of different days to order"
    assert not found_axe, "\n".join(found_axe)
    tab.assert_clean()


def dates_shown(tab) -> list[str]:
    """Each result's date as shown (its <time datetime>), "" for "Date unknown"."""
    return tab.page.evaluate("""() => [...document.querySelectorAll('.result')].map(
        r => (r.querySelector('time') || {}).dateTime || '')""")


def test_static_search_sorts_by_our_date_order_without_pagefind_sort_keys(static_tab):
    """Newest/Oldest fetch the build's date order (search/order.json) only when chosen;
    a relevance search never does."""
    tab = static_tab("desktop")
    fetched: list[str] = []
    tab.page.on("request", lambda r: fetched.append(r.url))
    tab.goto("/search/?q=the")
    relevance = results(tab)
    assert not [u for u in fetched if u.endswith("/search/order.json")], "a relevance search needs no date order"
    tab.goto("/search/?q=the&sort=oldest")
    oldest = results(tab)
    assert [u for u in fetched if u.endswith("/search/order.json")]
    dates = dates_shown(tab)
    known = [d for d in dates if d]
    assert known == sorted(known) and dates[len(known):] == [""] * (len(dates) - len(known))
    assert len(oldest) == len(relevance) and oldest != relevance
    tab.assert_clean()


def test_static_search_field_terms_filter_by_facet(static_tab, sample_site):
    """person:, source:, year: … restrict to the facet, as the service does: not the word
    searched everywhere (Afghanistan is in many stories, and in no person's name)."""
    tab = static_tab("desktop")
    chunks: list[str] = []
    tab.page.on("request", lambda r: r.url.endswith(".pf_index") and chunks.append(r.url))
    tab.goto("/search/?q=person:hekmat")
    assert len(results(tab)) == 1
    every = len(list((sample_site.output / "pagefind" / "index").glob("*.pf_index")))
    assert every >= 2 and len(chunks) < every, "a search by filters alone does not fetch the whole index"
    tab.goto("/search/?q=afghanistan")
    everything = results(tab)
    tab.goto("/search/?q=person:afghanistan")
    assert results(tab) == [], "no person is named Afghanistan"
    assert "No name in People" in tab.page.locator(".search-note").inner_text()
    for q in ("person:hekmat", 'person:"Qari Hekmat"', "people:HEKMAT afghanistan"):
        tab.goto("/search/?q=" + q)
        found = results(tab)
        assert len(found) == 1 and "Islamic State Commander" in found[0], (q, found)
    tab.goto("/search/?q=afghanistan -person:hekmat")
    without = results(tab)
    assert len(without) == len(everything) - 1 and not any("Islamic State Commander" in h for h in without)
    tab.goto("/search/?q=afghanistan&source=AFP")
    by_filter = results(tab)
    tab.goto("/search/?q=afghanistan source:AFP")
    assert results(tab) == by_filter, "source:AFP is the Sources filter"
    tab.goto("/search/?q=the")
    results(tab)
    years = sorted({d[:4] for d in dates_shown(tab) if d})
    assert years, "the sample has dated stories"
    tab.goto(f"/search/?q=the year:{years[0]}")
    assert results(tab) and {d[:4] for d in dates_shown(tab)} == {years[0]}, "year: keeps that year's stories"
    tab.assert_clean()


def test_static_search_phrase_and_exclusion(static_tab):
    tab = static_tab("desktop")
    tab.goto("/search/?q=afghanistan")
    everything = results(tab)
    tab.goto('/search/?q="Qari Hekmat"')
    assert any("Islamic State Commander" in h for h in results(tab))
    tab.goto("/search/?q=Afghanistán")  # folded as the archive's words: not a misspelling
    assert results(tab) == everything
    assert not tab.page.locator(".search-suggestion").count()
    tab.goto("/search/?q=afghanistan -Hekmat")
    without = results(tab)
    assert without and not any("Islamic State Commander" in h for h in without)
    assert len(without) == len(everything) - 1
    tab.assert_clean()


def test_static_search_without_javascript(static_tab):
    tab = static_tab("desktop", java_script_enabled=False)
    tab.goto("/")
    box = tab.page.locator("header input[type=search]")
    box.fill(SEED_QUERY)
    box.press("Enter")
    tab.page.wait_for_url(re.compile(r"/search/\?q=Hekmat"))
    text = tab.page.locator("main").inner_text()
    assert "Search needs JavaScript here" in text
    assert tab.page.locator('main a[href$="/archives/"]').count() == 1
    tab.page.goto(tab.base + "/search/help/")
    assert "served as plain files" in tab.page.locator("main").inner_text()
    tab.assert_clean()


# ---------------------------------------------------------------- several bundles
# The sample archive with its static index in 3 Pagefind bundles must answer as in one:
# the same stories, counts, facet counts, corrections and dated order.  (With one bundle per
# Pagefind instance merged by Pagefind's mergeIndex, Hekmat found 9 stories instead of 1: a
# bundle without the word answers it by its longest prefix, "he".)
BUNDLE_QUERIES = (
    "q=Hekmat", "q=hekmat", "q=afghanistan", "q=afghanistan+-blair", "q=afghanistan+-Hekmat",
    "q=%22Qari+Hekmat%22", "q=person:hekmat", "q=afghanistan+-person:hekmat", "q=goverment",
    "q=afganistan", "q=Afghanist%C3%A1n", "q=killed&sort=newest", "q=the&sort=oldest",
    "q=afghanistan+-blair&sort=oldest", "q=hekmatzzz&exact=1", "q=governments", "q=stories",
    "q=the+government", "q=he", "q=afghanistan&source=AFP", "q=taliban+killed&sort=newest",
)


@pytest.fixture(scope="module")
def bundled_host(tmp_path_factory) -> Iterator[str]:
    """The sample archive built with ``NEWS_ARCHIVE_STATIC_BUNDLES = 3``, served as files."""
    from support import SAMPLE_DUMPS, build_site

    site = build_site(tmp_path_factory.mktemp("bundled"), SAMPLE_DUMPS, extra={"NEWS_ARCHIVE_STATIC_BUNDLES": 3})
    assert sorted(p.name for p in (site.output / "pagefind").iterdir()) == ["0", "1", "2"]
    handler = functools.partial(Quiet, directory=str(site.output))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def answer(tab, query: str) -> dict[str, object]:
    """What a reader is shown for ``query``: the count line, the correction, the stories (in
    order when sorted by date, else as a set: relevance scores are per bundle), their dates
    and every facet value with its count."""
    tab.goto("/search/?" + query)
    titles = results(tab)
    text = lambda sel: " | ".join(tab.page.locator(sel).all_inner_texts())  # noqa: E731
    shown = {"summary": text(".search-summary"), "suggestion": text(".search-suggestion"),
             "notes": text(".search-note"), "dates": dates_shown(tab),
             "facets": sorted(tab.page.locator(".facet li").all_inner_texts())}
    pages = re.search(r"page 1 of (\d+)", shown["summary"])
    for n in range(2, int(pages.group(1)) + 1 if pages else 0):  # every page's stories
        tab.goto(f"/search/?{query}&page={n}")
        titles += results(tab)
        shown["dates"] += dates_shown(tab)
    if "sort=" not in query:  # relevance: as a set
        titles, shown["dates"] = sorted(titles), sorted(shown["dates"])
    else:  # by date: the dated stories in order, the undated (last, by relevance) as a set
        dated = [t for t, d in zip(titles, shown["dates"], strict=True) if d]
        titles = dated + sorted(t for t, d in zip(titles, shown["dates"], strict=True) if not d)
    return {**shown, "titles": titles}


def test_static_search_in_three_bundles_answers_as_one(static_tab, browser, bundled_host):
    one = static_tab("desktop")
    three = open_tab(browser, bundled_host, "desktop")
    try:
        fetched: list[str] = []
        three.page.on("request", lambda r: fetched.append(r.url))
        for query in BUNDLE_QUERIES:
            want, got = answer(one, query), answer(three, query)
            assert got == want, (query, three.page.locator("main").inner_text()[:800])
            if query == "q=Hekmat":
                assert want["summary"].startswith("1 story"), want
        assert any("/pagefind/2/" in u for u in fetched) and any("/search/words/" in u for u in fetched)
        three.assert_clean()
        one.assert_clean()
    finally:
        three.page.context.close()


def pagefind_stems(words: list[str], folder) -> dict[str, str]:
    """Each word's stem as Pagefind itself writes it: one record a word through the real
    binary, the words of its word chunks read back (page numbers there are deltas)."""
    import gzip

    from news_archive.search import static_index
    from news_archive.search.pagefind_canon import decode
    from news_archive.search.static_tables import fragment_ids

    records = [{"url": f"/w/{w}/", "content": w, "language": "en", "meta": {"title": "zzq"}, "filters": {},
                "sort": {}} for w in words]
    static_index._run(static_index._write_pagefind(records, folder))
    urls = {fragment: url for url, fragment in fragment_ids(folder).items()}
    meta, _ = decode(gzip.decompress(next(folder.glob("*.pf_meta")).read_bytes())[12:])
    pages = [urls[page[0]] for page in meta[1]]
    stems: dict[str, set[str]] = {}
    for chunk in (folder / "index").glob("*.pf_index"):
        entries, _ = decode(gzip.decompress(chunk.read_bytes())[12:])
        for entry in entries[0]:
            at = 0
            for page in entry[1]:
                at += page[0]
                if entry[0] != "zzq":
                    stems.setdefault(pages[at].split("/")[2], set()).add(entry[0])
    assert all(len(s) == 1 for s in stems.values())
    return {w: s.pop() for w, s in stems.items()}


def test_the_browser_stems_query_words_as_pagefind_does(static_tab, sample_site, tmp_path):
    """pagefind-stem.js (which bundles a query word goes to is decided by its stem) gives
    Pagefind's own stem for every word of the sample archive and the listed edge cases."""
    from support import ROOT

    listed = [w for w in (ROOT / "tests" / "data" / "pagefind_stems.txt").read_text().splitlines()
              if w and not w.startswith("#")]
    spelling = sample_site.output / "search" / "spelling"
    archive = {w for f in spelling.glob("*.json") if f.stem not in ("index", "fold")
               for w in json.loads(f.read_text()) if w.isascii() and w.isalpha() and len(w) > 2}
    words = sorted(archive | set(listed))
    want = pagefind_stems(words, tmp_path / "stems")
    tab = static_tab("desktop")
    tab.goto("/search/")
    got = tab.page.evaluate("""async words => {
        const m = await import("/theme/js/pagefind-stem.js");
        return Object.fromEntries(words.map(w => [w, m.stem(w)]));
    }""", words)
    wrong = {w: (got[w], want[w]) for w in want if got[w] != want[w]}
    assert not wrong, wrong
    assert len(want) >= 2000
    tab.assert_clean()
