"""The archive as a reader meets it: real Chromium against the real server (waitress on
loopback serving a build of the bundled sample archive), at desktop and phone widths.

Each flow also proves that no page it visits logs a console error, fails a request or
scrolls sideways, and leaves full-page screenshots in ``test-artifacts/`` for a person
to look at.  Markup owned by the entity and search pages is matched only by what they
promise: an entity page links its stories; search results mark the query and link
each hit.

The browser is never downloaded: Playwright launches ``/usr/bin/chromium`` (``.ci/run``
installs Debian's package when missing).  Without it the browser tests fail under CI
(``CI=true``) and are skipped with a clear message elsewhere.  axe-core comes from the
npm registry through ``tests/browser/package-lock.json`` (``make test`` runs ``npm ci``)
and is injected from disk, never from a CDN.

Every page a test opens records console errors, failed requests and HTTP errors; a test
ends by asserting there were none (``Tab.assert_clean``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

# Fixtures live here, not in a conftest.py: a second module named `conftest` would
# shadow tests/conftest.py for the `from conftest import …` of other test modules.
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
DESKTOP = {"width": 1280, "height": 900}
MOBILE = {"width": 375, "height": 740}
VIEWPORTS = {"desktop": DESKTOP, "mobile": MOBILE}
# The `browser` and `axe_script` fixtures are in tests/conftest.py: one Chromium for the
# whole session, shared with test_static_search.py (a second sync Playwright cannot start
# while one runs).


@dataclass
class Tab:
    """One browser page at one viewport, with everything that went wrong on it."""

    page: object
    base: str
    label: str
    problems: list[str] = field(default_factory=list)
    allowed_404: set[str] = field(default_factory=set)

    def goto(self, path: str) -> object:
        response = self.page.goto(self.base + path)
        self.page.wait_for_load_state("load")
        return response

    def path(self) -> str:
        return self.page.url.removeprefix(self.base)

    def no_horizontal_scroll(self) -> None:
        """The page is not wider than the viewport (nothing to scroll sideways)."""
        overflow = self.page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{self.path()} scrolls sideways by {overflow}px at {self.label}"

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        target = ARTIFACTS / f"{name}-{self.label}.png"
        self.page.screenshot(path=str(target), full_page=True)
        return target

    def assert_clean(self) -> None:
        assert not self.problems, "\n".join(self.problems)


def open_tab(browser: object, base: str, label: str, **context_args: object) -> Tab:
    context = browser.new_context(viewport=VIEWPORTS[label], **context_args)
    page = context.new_page()
    page.set_default_timeout(10_000)
    tab = Tab(page=page, base=base, label=label)

    def on_console(msg: object) -> None:
        if msg.type == "error" and not any(re.search(p, msg.text) for p in tab.allowed_404):
            tab.problems.append(f"console error on {page.url}: {msg.text}")

    def on_response(response: object) -> None:
        if response.status >= 400 and response.url.removeprefix(base) not in tab.allowed_404:
            tab.problems.append(f"HTTP {response.status} for {response.url}")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: tab.problems.append(f"script error on {page.url}: {exc}"))
    def on_request_failed(request: object) -> None:
        # ERR_ABORTED: the page navigated away first (an HTTP error is caught by on_response).
        if "ERR_ABORTED" not in (request.failure or ""):
            tab.problems.append(f"request failed: {request.url} ({request.failure})")

    page.on("requestfailed", on_request_failed)
    page.on("response", on_response)
    return tab


@pytest.fixture
def tabs(browser: object, sample_server: object) -> Iterator[callable]:
    """Factory: ``tabs("mobile")`` opens a fresh page at that width against the sample server."""
    opened: list[Tab] = []

    def factory(label: str, **context_args: object) -> Tab:
        tab = open_tab(browser, sample_server.url, label, **context_args)
        opened.append(tab)
        return tab

    yield factory
    for tab in opened:
        tab.page.context.close()



SEED_QUERY = "Hekmat"
WIDTHS = ["desktop", "mobile"]


def open_first_story_with_entities(tab) -> str:
    """From the home page, follow the first story that has entity chips; its path."""
    tab.goto("/")
    tab.screenshot("home")
    tab.no_horizontal_scroll()
    links = tab.page.locator(".article-list .item-title a")
    assert links.count() >= 5, "the home page lists the latest stories"
    for i in range(links.count()):
        tab.goto("/")
        link = tab.page.locator(".article-list .item-title a").nth(i)
        headline = link.inner_text()
        link.click()
        tab.page.wait_for_load_state("load")
        assert tab.page.locator("h1").first.inner_text() == headline
        if tab.page.locator(".story-entities a.chip").count():
            return tab.path()
    raise AssertionError("no story on the home page has entity chips")


@pytest.mark.parametrize("width", WIDTHS)
def test_home_story_entity_flow(tabs, width):
    """Home → a story → click an entity chip → the entity page lists that story."""
    tab = tabs(width)
    story = open_first_story_with_entities(tab)
    assert story.startswith("/news/")
    tab.screenshot("article")
    tab.no_horizontal_scroll()
    chip = tab.page.locator(".story-entities a.chip").first
    name = chip.inner_text().strip()
    chip.click()
    tab.page.wait_for_load_state("load")
    assert re.match(r"^/entity/(person|organisation|place|group)/[^/]+/$", tab.path())
    assert name in tab.page.locator("h1").first.inner_text()
    assert tab.page.locator(f'main a[href$="{story}"]').count() >= 1, f"{tab.path()} does not list {story}"
    tab.screenshot("entity")
    tab.no_horizontal_scroll()
    tab.assert_clean()


@pytest.mark.parametrize("width,javascript", [("desktop", True), ("mobile", True), ("desktop", False)])
def test_header_search_flow(tabs, width, javascript):
    """Type into the header search box, submit → the term is highlighted → open the first
    hit; with JavaScript turned off too (scripts are only ever an enhancement)."""
    tab = tabs(width, java_script_enabled=javascript)
    tab.goto("/")
    box = tab.page.locator("header input[type=search]")
    box.fill(SEED_QUERY)
    box.press("Enter")
    tab.page.wait_for_url(re.compile(r"/search/?\?q=Hekmat"))
    tab.page.wait_for_load_state("load")
    marks = tab.page.locator("main mark")
    assert marks.count() >= 1, "the query is highlighted in the results"
    assert any(m.lower() == SEED_QUERY.lower() for m in marks.all_inner_texts())
    if javascript:
        tab.screenshot("search")
    tab.no_horizontal_scroll()
    first = tab.page.locator('main a[href*="/news/"]').first
    headline = first.inner_text().strip()
    first.click()
    tab.page.wait_for_load_state("load")
    assert tab.path().startswith("/news/")
    assert tab.page.locator("h1").first.inner_text().strip() == headline
    assert SEED_QUERY in tab.page.locator("article").inner_text()
    if javascript:  # the query-help page linked from the results, in the same design
        tab.goto(f"/search?q={SEED_QUERY}")
        tab.page.locator('main a[href*="help"]').first.click()
        tab.page.wait_for_load_state("load")
        assert tab.page.locator("header input[type=search]").count() == 1
        tab.screenshot("search-help")
        tab.no_horizontal_scroll()
    tab.assert_clean()


@pytest.mark.parametrize("width", WIDTHS)
def test_index_pages_fit_and_load_cleanly(tabs, width):
    """Tags, archives, entities, a tag, a month and the 404 page: same design, no sideways scroll."""
    tab = tabs(width)
    for name, path in [("tags", "/tags/"), ("archives", "/archives/"), ("entities", "/entities/")]:
        tab.goto(path)
        assert tab.page.locator("header input[type=search]").count() == 1
        tab.screenshot(name)
        tab.no_horizontal_scroll()
    tab.goto("/tags/")
    tab.page.locator("main a[href^='/tag/']").first.click()
    tab.page.wait_for_load_state("load")
    assert tab.page.locator(".article-list .item-title a").count() >= 1
    tab.screenshot("tag")
    tab.no_horizontal_scroll()
    # Month pages: dated stories only (the sample archive may have none: tests/test_theme.py
    # builds a dated one); when there is one, it fits and lists no undated story.
    tab.goto("/archives/")
    months = tab.page.locator(".months a")
    if months.count():
        months.first.click()
        tab.page.wait_for_load_state("load")
        assert re.match(r"^/archives/\d{4}/\d{2}/$", tab.path())
        assert tab.page.locator(".article-list .item-title a").count() >= 1
        assert "Date unknown" not in tab.page.locator("main").inner_text()
        tab.screenshot("month")
        tab.no_horizontal_scroll()
    tab.allowed_404 |= {"/no/such/page/", r"404 \(Not Found\)"}
    response = tab.goto("/no/such/page/")
    assert response.status == 404
    assert tab.page.locator("h1").inner_text() == "Page not found"
    assert tab.page.locator("header input[type=search]").count() == 1
    tab.screenshot("404")
    tab.no_horizontal_scroll()
    tab.assert_clean()


def test_dark_mode_is_a_whole_palette(tabs, axe_script):
    """prefers-color-scheme: dark switches the palette, and its contrast passes axe too."""
    tab = tabs("desktop", color_scheme="dark")
    tab.goto("/")
    background = tab.page.evaluate("() => getComputedStyle(document.body).backgroundColor")
    assert background != "rgb(255, 255, 255)"
    found = serious_violations(tab, axe_script)
    tab.screenshot("home-dark")
    tab.page.locator(".article-list .item-title a").first.click()
    tab.page.wait_for_load_state("load")
    found += serious_violations(tab, axe_script)
    tab.screenshot("article-dark")
    assert not found, "\n".join(found)
    tab.assert_clean()


def test_print_shows_the_story_without_site_chrome(tabs):
    """The print style keeps headline, text and provenance, and drops search, menus and footer."""
    tab = tabs("desktop")
    tab.goto("/")
    tab.page.locator(".article-list .item-title a").first.click()
    tab.page.wait_for_load_state("load")
    tab.page.emulate_media(media="print")
    for hidden in (".search-form", ".site-nav", ".site-footer", ".skip-link"):
        assert not tab.page.locator(hidden).first.is_visible(), hidden
    for shown in ("article h1", "article .body", ".provenance"):
        assert tab.page.locator(shown).first.is_visible(), shown
    tab.screenshot("article-print")
    tab.assert_clean()


def serious_violations(tab, axe_script) -> list[str]:
    tab.page.add_script_tag(path=str(axe_script))
    result = tab.page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [f"{tab.path()}: {v['id']} ({v['impact']}): {v['help']} — "
            + "; ".join(n["target"][0] if isinstance(n["target"][0], str) else str(n["target"]) for n in v["nodes"][:5])
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("width", WIDTHS)
def test_axe_no_serious_violations(tabs, axe_script, width):
    """axe-core finds no serious or critical problem on home, article, entity and search pages."""
    tab = tabs(width)
    found: list[str] = []
    tab.goto("/")
    found += serious_violations(tab, axe_script)
    article = tab.page.locator(".article-list .item-title a").first.get_attribute("href")
    tab.goto(article)
    found += serious_violations(tab, axe_script)
    entity = tab.page.locator(".story-entities a.chip").first.get_attribute("href")
    tab.goto(entity)
    found += serious_violations(tab, axe_script)
    tab.goto(f"/search?q={SEED_QUERY}")
    found += serious_violations(tab, axe_script)
    tab.goto("/entities/")
    found += serious_violations(tab, axe_script)
    assert not found, "\n".join(found)
    tab.assert_clean()


def focused(tab) -> dict:
    return tab.page.evaluate("""() => {
        const el = document.activeElement, s = getComputedStyle(el), r = el.getBoundingClientRect();
        return {tag: el.tagName, id: el.id, cls: el.className, text: (el.innerText || '').trim(),
                outline: s.outlineStyle, outlineWidth: parseFloat(s.outlineWidth),
                top: r.top, left: r.left, width: r.width, height: r.height};
    }""")


def test_keyboard_skip_link_focus_and_search(tabs):
    """Tab reaches a visible skip link first, which moves focus to the content; focus is
    always drawn; the search box is reachable with Tab and searches with Enter."""
    tab = tabs("desktop")
    tab.goto("/")
    tab.page.keyboard.press("Tab")
    skip = focused(tab)
    assert skip["cls"] == "skip-link" and skip["text"] == "Skip to content"
    assert skip["top"] >= 0 and skip["width"] > 0 and skip["height"] > 0, "the skip link shows when focused"
    assert skip["outline"] != "none" and skip["outlineWidth"] >= 2, "focus is visible"
    tab.screenshot("skip-link-focus")
    tab.page.keyboard.press("Enter")
    assert tab.page.evaluate("() => document.activeElement.id") == "main"
    tab.goto("/")
    stops: list[dict] = []
    while len(stops) < 8 and (not stops or stops[-1]["id"] != "q"):
        tab.page.keyboard.press("Tab")
        stops.append(focused(tab))
        assert stops[-1]["outline"] != "none", f"no visible focus on {stops[-1]}"
    assert stops[-1]["id"] == "q", f"the search box is not reachable with Tab: {stops}"
    assert len(stops) <= 3, "the search box comes right after the skip link and the site name"
    tab.page.keyboard.type(SEED_QUERY)
    tab.page.keyboard.press("Enter")
    tab.page.wait_for_url(re.compile(r"/search/?\?q=Hekmat"))
    tab.page.keyboard.press("Tab")
    assert focused(tab)["cls"] == "skip-link"
    tab.assert_clean()
