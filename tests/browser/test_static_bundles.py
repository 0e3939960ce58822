"""The static index in several Pagefind bundles answers as the same index in one, in a real
browser, on a real Pelican build of a few hundred real stories (every seventh BBC story of
``../shared/data/bbc/`` with the sample archive; skipped cleanly without the shared data).

The site is built with one bundle, its output kept, then built again in place with three
(``NEWS_ARCHIVE_STATIC_BUNDLES = 3``): the second build must leave no file of the one-bundle
index behind, and for every query of ``tests/data/static_bundle_queries.txt`` (a new case is
a new line there) the reader must be shown the same answer.

What "the same answer" means (the static search's documented contract, static-search.js
"several bundles"): the same stories (every page of results, as a set), the same count line,
correction and notes, the same facet values with the same counts, and, sorted by date, the
same order.  One exception, Pagefind's and not the bundles': Pagefind answers a word by
every word that starts with it, but looks those up only in the one word chunk whose
``from``…``to`` range holds the word (``request_indexes`` in its WebAssembly: the first such
chunk), so where a chunk boundary falls inside a word's extensions (one bundle's chunk
``freed``…``go``, the next ``goa``…: ``go`` misses "goal", "government") the answer depends
on where each index's boundaries fall, and one bundle is then not the complete answer
either.  Such a query is detected from the indexes' own chunk tables (:func:`cut_words`)
and listed; the others must be equal.  The relevance order is not asserted: Pagefind's score is BM25 within one
bundle (a word's rarity among that bundle's stories, their mean length), so the merged
order of three bundles follows three slightly different scales; stories are spread over
the bundles by a hash of their URL, so the scales are close.  How many first pages differ
is printed (``-s``) so that it is seen, not guessed.
"""

from __future__ import annotations

import functools
import http.server
import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from conftest import ROOT, SAMPLE_DUMPS, build_site, shared_data
from test_browser import open_tab
from test_static_search import Quiet, dates_shown, results

pytestmark = [pytest.mark.browser, pytest.mark.slow]

QUERIES = ROOT / "tests" / "data" / "static_bundle_queries.txt"
SECTIONS = ("business", "entertainment", "politics", "sport", "tech")
EVERY_NTH = 7  # about 300 BBC stories
NER_CACHE = ROOT / "var" / "test-cache" / "bbc-ner"  # shared with test_archive_scale (keyed by text)


SAMPLED = "# bench/search.py"  # the data file's generated queries: one in SAMPLE_EVERY unless --full-scale
SAMPLE_EVERY = 4  # each query is two browser visits of every results page: all 40 took ~4 min


def queries(full: bool = True) -> list[str]:
    """Each line of the data file as a search address's query string: every hand-written
    case, and of the generated ones after the ``SAMPLED`` comment one in ``SAMPLE_EVERY``
    unless ``full`` (``pytest --full-scale``), which keeps ``make test`` in its time."""
    from urllib.parse import urlencode

    out, generated = [], None
    for line in QUERIES.read_text(encoding="utf-8").splitlines():
        if line.startswith(SAMPLED):
            generated = 0
        if not line.strip() or line.startswith("#"):
            continue
        if generated is not None:
            generated += 1
            if not full and (generated - 1) % SAMPLE_EVERY:
                continue
        text, _, extra = line.partition("\t")
        out.append(urlencode({"q": text.strip()}) + (f"&{extra.strip()}" if extra.strip() else ""))
    return out


def serve(folder: Path) -> tuple[str, http.server.ThreadingHTTPServer]:
    handler = functools.partial(Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}", server


@pytest.fixture(scope="module")
def two_sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """The same archive's output with one bundle and, rebuilt in place, with three: served as files."""
    bbc = shared_data("bbc")
    root = tmp_path_factory.mktemp("bundles")
    dumps = root / "content" / "dumps"
    shutil.copytree(SAMPLE_DUMPS, dumps)
    for section in SECTIONS:
        folder = dumps / "bbc-archive" / section
        folder.mkdir(parents=True)
        for story in sorted((bbc / section).glob("*.txt"))[::EVERY_NTH]:
            shutil.copy2(story, folder / story.name)
    work_cache = root / "var" / "cache" / "ner"
    if NER_CACHE.is_dir():
        shutil.copytree(NER_CACHE, work_cache)
    site = build_site(root, extra={"NEWS_ARCHIVE_NER_PROCESSES": 2, "NEWS_ARCHIVE_STATIC_BUNDLES": 1})
    if work_cache.is_dir():
        shutil.copytree(work_cache, NER_CACHE, dirs_exist_ok=True)
    one = tmp_path_factory.mktemp("one-bundle") / "output"
    shutil.copytree(site.output, one)
    assert (one / "pagefind" / "pagefind.js").is_file()
    build_site(root, extra={"NEWS_ARCHIVE_NER_PROCESSES": 2, "NEWS_ARCHIVE_STATIC_BUNDLES": 3})
    pagefind = site.output / "pagefind"
    assert sorted(p.name for p in pagefind.iterdir()) == ["0", "1", "2"], "no file of the one-bundle index is left"
    html = (site.output / "search" / "index.html").read_text(encoding="utf-8")
    assert 'data-bundles="3"' in html and "/pagefind/0/pagefind.js" in html
    (url_one, server_one), (url_three, server_three) = serve(one), serve(site.output)
    indexes = [chunk_ranges(one / "pagefind")] + [chunk_ranges(pagefind / str(i)) for i in range(3)]
    yield url_one, url_three, indexes
    for server in (server_one, server_three):
        server.shutdown()
        server.server_close()


def chunk_ranges(bundle: Path) -> list[tuple[str, str]]:
    """A written bundle's word chunks as Pagefind's metadata lists them: (from, to)."""
    import gzip

    from news_archive.search.pagefind_canon import decode

    meta, _ = decode(gzip.decompress(next(bundle.glob("*.pf_meta")).read_bytes())[len(b"pagefind_dcd"):])
    for part in meta:
        if isinstance(part, list) and part and all(isinstance(c, list) and len(c) == 3 for c in part):
            return [(c[0], c[1]) for c in part]
    raise AssertionError(f"no chunk table in {bundle}")


def cut_words(stems: list[str], indexes: list[list[tuple[str, str]]]) -> list[str]:
    """The stems whose extensions some index spreads over chunks Pagefind does not all load:
    the first chunk whose range holds the stem (what Pagefind loads) is not the only one
    whose range meets the words starting with it."""
    cut = []
    for stem in stems:
        for chunks in indexes:
            loaded = next((c for c in chunks if c[0] <= stem <= c[1]), None)
            meets = [c for c in chunks if c[1] >= stem and (c[0] <= stem or c[0].startswith(stem))]
            if any(c != loaded for c in meets):
                cut.append(stem)
                break
    return cut


def visit(tabs: list, path: str) -> None:
    """Every tab to ``path`` of its own site at once, each once its page has loaded and shows
    its results: the tabs are separate browser contexts (renderer processes), so the two
    sites' pages load and search side by side instead of one after the other."""
    from contextlib import ExitStack

    with ExitStack() as stack:
        for tab in tabs:
            stack.enter_context(tab.page.expect_navigation(wait_until="load"))
        for tab in tabs:
            tab.page.evaluate("url => { window.location.href = url; }", tab.base + path)
    for tab in tabs:
        results(tab)


def answers(tabs: list, query: str) -> list[dict[str, object]]:
    """What a reader is shown for ``query`` on each tab's site: count line, correction, notes,
    facet values with counts, the first page's stories in order, and every page's stories
    (as a set, or in order for a date sort: the dated ones in order, the undated, last, as a
    set).  Every results page of each site is visited, however many the other has."""
    visit(tabs, "/search/?" + query)
    out = []
    for tab in tabs:
        text = lambda sel, tab=tab: " | ".join(tab.page.locator(sel).all_inner_texts())  # noqa: E731
        shown = {"summary": text(".search-summary"), "suggestion": text(".search-suggestion"),
                 "notes": text(".search-note"), "facets": sorted(tab.page.locator(".facet li").all_inner_texts())}
        first = hrefs(tab)
        out.append((shown, first, list(first), dates_shown(tab)))
    counts = [re.search(r"page 1 of (\d+)", shown["summary"]) for shown, *_ in out]
    counts = [int(m.group(1)) if m else 0 for m in counts]
    for n in range(2, max(counts) + 1):
        busy = [i for i, count in enumerate(counts) if n <= count]
        visit([tabs[i] for i in busy], f"/search/?{query}&page={n}")
        for i in busy:
            out[i][2].extend(hrefs(tabs[i]))
            out[i][3].extend(dates_shown(tabs[i]))
    found = []
    for shown, first, urls, dates in out:
        if "sort=" not in query:
            shown["stories"] = sorted(urls)
        else:
            dated = [u for u, d in zip(urls, dates, strict=True) if d]
            shown["stories"] = dated + sorted(u for u, d in zip(urls, dates, strict=True) if not d)
        found.append({**shown, "first_page": first})
    return found


def hrefs(tab) -> list[str]:
    """The results page's story links, in the order shown."""
    return tab.page.locator(".result .item-title a").evaluate_all("links => links.map(a => a.getAttribute('href'))")


def stemmed(tab, words: list[str]) -> list[str]:
    """Pagefind's stems of ``words`` (pagefind-stem.js, checked against the binary's in
    test_static_search.py)."""
    return tab.page.evaluate("""async words => {
        const m = await import("/theme/js/pagefind-stem.js");
        return words.map(w => m.stem(w));
    }""", words)


def test_three_bundles_answer_every_listed_query_as_one(browser, two_sites, request):
    url_one, url_three, indexes = two_sites
    full = request.config.getoption("full_scale")
    one, three = open_tab(browser, url_one, "desktop"), open_tab(browser, url_three, "desktop")
    try:
        listed = queries(full)
        assert len(listed) >= (60 if full else 40)
        wrong, cut, reordered, other_stories, found = [], [], [], [], 0
        for query in listed:
            want, got = answers([one, three], query)
            found += bool(want["stories"])
            if want["first_page"] != got["first_page"]:
                reordered.append(query)
                if sorted(want["first_page"]) != sorted(got["first_page"]):
                    other_stories.append(query)
            want.pop("first_page"), got.pop("first_page")
            if got == want:
                continue
            # The words Pagefind looked up: the query's, and the correction either side searched.
            text = " ".join([parse_qs(query)["q"][0], want["summary"], got["summary"]])
            stems = stemmed(one, sorted({w.lower() for w in re.findall(r"[A-Za-z]+", text)} - {"stories", "story",
                                                                                                  "for", "page", "of"}))
            diff = {k: (str(want[k])[:300], str(got[k])[:300]) for k in want if want[k] != got[k]}
            (cut if cut_words(stems, indexes) else wrong).append((query, diff))
        print(f"\n{len(listed)} queries, {found} with stories; the first page in another relevance order: "
              f"{len(reordered)}, with other stories on it: {len(other_stories)} {other_stories}; "
              f"answers differing where Pagefind's chunk lookup cuts a word's extensions: "
              f"{[q for q, _ in cut]}")
        assert not wrong, "\n".join(f"{q}: {d}" for q, d in wrong)
        assert found >= (30 if full else 20), "the listed queries find stories"
        one.assert_clean()
        three.assert_clean()
    finally:
        one.page.context.close()
        three.page.context.close()
