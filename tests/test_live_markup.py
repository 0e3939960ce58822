"""No field of a dump becomes live markup anywhere the site publishes it.

A real build of tests/data/live_markup (dated dumps, so they reach the feeds too), then
every output file is parsed as what it is, never grepped: Atom and sitemap XML with an
XML parser, and inside Atom each ``type="html"`` text parsed again as HTML (feed readers
render it); pages as HTML, their JSON-LD as JSON; search answers as JSON, their snippets
as HTML.  Live means: a ``script`` element we did not write, any ``on*`` attribute, or a
``javascript:`` URL.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import pytest
from conftest import ROOT, Site, build_site
from test_search_service import app_for, call

DATA = ROOT / "tests" / "data" / "live_markup"
ATOM = "{http://www.w3.org/2005/Atom}"
URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "srcset"}


class Elements(HTMLParser):
    """Every start tag with its attributes, and the text of each script element."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.scripts: list[tuple[dict[str, str], str]] = []
        self._in_script: dict[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        self.tags.append((tag, found))
        if tag == "script":
            self._in_script = found
            self.scripts.append((found, ""))

    def handle_data(self, data: str) -> None:
        if self._in_script is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = None


def parse_html(text: str) -> Elements:
    parser = Elements()
    parser.feed(text)
    parser.close()
    return parser


# The theme's own scripts (search.js, static-search.js, …): the only script files a page may load.
THEME_SCRIPTS = {p.name for p in (ROOT / "theme" / "static" / "js").glob("*.js")}


def live_markup(doc: Elements, own_scripts: bool = False) -> list[str]:
    """What in a parsed HTML text would run in a browser (our own scripts allowed if asked)."""
    found = []
    for tag, attrs in doc.tags:
        for name, value in attrs.items():
            if name.startswith("on"):
                found.append(f"<{tag} {name}>")
            if name in URL_ATTRS and value.strip().lower().replace("\x00", "").startswith(("javascript:", "vbscript:")):
                found.append(f"<{tag} {name}={value}>")
    for attrs, _ in doc.scripts:
        ours = own_scripts and (attrs.get("type") == "application/ld+json"
                                or attrs.get("src", "").rsplit("/theme/js/", 1)[-1] in THEME_SCRIPTS)
        if not ours:
            found.append(f"<script {attrs}>")
    return found


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    root = tmp_path_factory.mktemp("live")
    return build_site(root, sorted(DATA.glob("*.json")), extra={"NEWS_ARCHIVE_NER": False})


def test_every_hostile_dump_is_converted(site: Site):
    assert site.report["counts"]["converted"] == len(list(DATA.glob("*.json")))


def test_atom_feeds_carry_dump_text_as_text(site: Site):
    feeds = sorted(site.output.rglob("*.atom.xml"))
    assert feeds
    entries = 0
    for path in feeds:
        root = ET.parse(path).getroot()
        for entry in root.iter(f"{ATOM}entry"):
            entries += 1
            for element in entry.iter():
                kind = element.get("type", "text")
                text = element.text or ""
                if kind in ("html", "xhtml"):
                    doc = parse_html(text)
                    assert live_markup(doc) == [], (path.name, element.tag, text)
                    if element.tag == f"{ATOM}summary":
                        assert doc.tags == [], text  # the dek is plain text: no element at all
                for name, value in element.attrib.items():
                    if name in ("href", "src"):
                        assert not value.lower().startswith("javascript:"), (path.name, value)
    assert entries


def test_the_feed_summary_shows_the_dek_literally(site: Site):
    root = ET.parse(site.output / "feeds" / "all.atom.xml").getroot()
    summary = root.find(f"{ATOM}entry/{ATOM}summary")
    assert summary is not None and summary.get("type") == "html"
    assert parse_html(summary.text).tags == []
    decoded = parse_html_text(summary.text)
    assert decoded.startswith("<script>alert(1)</script> The dek <a href=")


def parse_html_text(text: str) -> str:
    """The text a feed reader shows for an HTML fragment."""
    out: list[str] = []

    class Text(HTMLParser):
        def handle_data(self, data: str) -> None:
            out.append(data)

    parser = Text(convert_charrefs=True)
    parser.feed(text)
    parser.close()
    return "".join(out)


def test_pages_run_only_our_own_scripts_and_json_ld_stays_inside_its_element(site: Site):
    pages = sorted(site.output.rglob("*.html"))
    assert pages
    ld_seen = 0
    for path in pages:
        doc = parse_html(path.read_text(encoding="utf-8"))
        assert live_markup(doc, own_scripts=True) == [], path
        for attrs, text in doc.scripts:
            if attrs.get("type") == "application/ld+json":
                ld_seen += 1
                data = json.loads(text)  # the element held exactly the JSON: no early </script>
                assert data["@type"] == "NewsArticle"
                assert "</" not in text
    assert ld_seen == len(list(DATA.glob("*.json")))


def test_sitemap_parses_and_lists_only_site_urls(site: Site):
    root = ET.parse(site.output / "sitemap.xml").getroot()
    locs = [loc.text for loc in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert locs and all(loc.startswith("/") and "<" not in loc for loc in locs)


def test_search_answers_carry_text_and_only_mark_elements(site: Site):
    app = app_for(site)
    for words in ("flood", "script alert", "residents", "Keller"):
        status, _, body = call(app, "/search.json", "q=" + quote(words))
        assert status == "200 OK"
        for hit in json.loads(body)["results"]:
            doc = parse_html(hit["snippet"])
            assert {tag for tag, _ in doc.tags} <= {"mark"}, hit["snippet"]
        status, _, body = call(app, "/search", "q=" + quote(words))
        assert live_markup(parse_html(body.decode()), own_scripts=True) == []


def test_the_build_report_is_json_with_the_dump_text_as_strings(site: Site):
    data = json.loads((site.work / "report.json").read_text(encoding="utf-8"))
    headline = data["dumps"][0]["headline"]
    assert "<script>" in headline  # data for tools, not markup: kept as the string it was
    assert Path(site.work / "report.json").read_text(encoding="utf-8").count("\n") > 3
