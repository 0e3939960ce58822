"""The reader's archive: honest order, sections, lettered and paginated indexes, clean
text, normalised sources, a writer wherever one is known, publish-build URLs and the
caching of ``make serve``.  Browser checks at 2,000 stories: tests/browser/test_archive_scale.py.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from email.utils import formatdate
from pathlib import Path

import pytest
from conftest import ROOT, SAMPLE_DUMPS, Site, build_site, shared_data
from lxml import html as lxml_html
from news_archive.ingest.text import decode_char_refs
from news_archive.ordering import DATED, MIXED, UNDATED, newest_first, order_label
from news_archive.sections import section_from_folders
from news_archive.sentences import lead_sentence, sentence_at, sentence_spans
from news_archive.sources import SourceTable
from news_archive.static import StaticFiles

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
CASES = Path(__file__).parent / "data" / "reader"


# --- text ------------------------------------------------------------------------------


@pytest.mark.parametrize("raw,shown", [
    ("&#163;1.8m indecency fine", "£1.8m indecency fine"),
    ("Caf&#233; and &eacute;t&eacute; at &#xA3;5", "Café and été at £5"),
    ("AT&T and R&D; M&S", "AT&T and R&D; M&S"),  # no reference: as written
    ("&notaref; &copy &#0; &#xD800;", "&notaref; &copy &#0; &#xD800;"),  # incomplete or control
    ("&lt;script&gt;", "<script>"),  # decoded here, escaped wherever it is shown
])
def test_character_references_in_text_dumps_are_decoded_and_only_those(raw, shown):
    assert decode_char_refs(raw) == shown


def test_sentences_keep_their_quotes_and_abbreviations():
    text = ('He said: "We will lock up terror suspects." Mr. Blair said George W. Bush agreed. '
            '"It is right," he added. The U.S. army left at 5 p.m. Monday.')
    assert [text[s:e] for s, e in sentence_spans(text)] == [
        'He said: "We will lock up terror suspects."',
        "Mr. Blair said George W. Bush agreed.",
        '"It is right," he added.',
        "The U.S. army left at 5 p.m. Monday.",
    ]
    body = "Headline\n\n" + text
    assert sentence_at(body, body.index("terror")) == 'He said: "We will lock up terror suspects."'
    assert sentence_at(body, body.index("Bush")) == "Mr. Blair said George W. Bush agreed."
    assert lead_sentence(["", text]) == 'He said: "We will lock up terror suspects."'


def test_entity_context_sentences_are_whole_sentences(sample_site: Site):
    """No context sentence on an entity page ends on an opening quote or starts mid-way."""
    checked = 0
    for page in (sample_site.output / "entity").rglob("index.html"):
        tree = lxml_html.fromstring(page.read_text(encoding="utf-8"))
        for quote in tree.xpath('//blockquote[@class="entity-mention"]'):
            sentence = quote.text_content().strip()
            checked += 1
            assert not re.search(r'[.!?]\s+["\u201c]$', sentence), (page, sentence)
            assert not sentence[:1].islower(), (page, sentence)
    assert checked > 20


# --- order -----------------------------------------------------------------------------


class Story:
    def __init__(self, title, date=None, archived="2025-01-01T00:00:00", section="", origin=""):
        from datetime import datetime

        self.title = title
        self.date = datetime.fromisoformat(date or archived)
        self.metadata = {"undated": "false" if date else "true", "archived": archived,
                         "section": section, "origin": origin}


def test_undated_stories_follow_in_archive_order_by_section_then_dump():
    stories = [
        Story("A undated", section="Sport", origin="sport/b.txt"),
        Story("Z dated", date="2019-01-01T00:00:00"),
        Story("B undated", section="Business", origin="business/z.txt"),
        Story("C undated", section="Sport", origin="sport/a.txt"),
        Story("Newer archived", archived="2025-06-01T00:00:00", section="Tech", origin="tech/x.txt"),
        Story("Y dated", date="2020-01-01T00:00:00"),
    ]
    assert [s.title for s in sorted(stories, key=newest_first)] == [
        "Y dated", "Z dated", "Newer archived", "B undated", "C undated", "A undated"]
    assert order_label(stories) == MIXED
    assert order_label(stories[:1]) == UNDATED and "newest" not in UNDATED
    assert order_label([stories[1]]) == DATED
    # A later page of a mixed list showing only undated stories says what it shows.
    assert "newest" not in order_label(stories, page=[stories[0], stories[2]])
    assert order_label(stories, page=stories[:2]) == MIXED


def test_lists_say_their_order_and_never_newest_first_over_undated(sample_site: Site):
    seed_entity = sample_site.page("/entity/person/qari-hekmat/")  # the seed is undated
    assert "newest first" not in seed_entity and "date unknown" in seed_entity.casefold()
    home = sample_site.page("/")
    assert "newest first; stories with no known date follow" in home
    assert "Newer" not in home and "Older" not in home


# --- sections --------------------------------------------------------------------------


def test_section_comes_from_the_nearest_listed_folder_and_is_never_invented():
    folders = {"Business": "Business", "tech": "Technology"}
    assert section_from_folders("bbc/business/x.txt", folders) == "Business"
    assert section_from_folders("tech/2005/business/x.txt", folders) == "Business"
    assert section_from_folders("tech/x.jsonl#3", folders) == "Technology"
    assert section_from_folders("bbc/x.txt", folders) == ""
    assert section_from_folders("business.txt", folders) == ""  # a file name is no folder


def test_sections_from_manifests_and_folders_get_fronts_nav_and_kickers(tmp_path: Path):
    site = build_site(tmp_path, CASES / "sections", extra={"NEWS_ARCHIVE_NER": False})
    nav = lxml_html.fromstring(site.page("/")).xpath('//nav[@class="site-nav"]//a/text()')
    assert "Business" in nav and "Culture" in nav  # a folder, and a manifest's own section
    assert "Misc" not in " ".join(nav)  # an unlisted folder gives none
    front = site.page("/section/culture/")
    assert "Gallery reopens after the flood" in front
    story = lxml_html.fromstring(site.page("/news/gallery-reopens-after-the-flood/"))
    assert story.xpath('//p[@class="kicker"]/a/text()') == ["Culture"]
    assert json.loads(story.xpath('//script[@type="application/ld+json"]/text()')[0])["articleSection"] == "Culture"
    misc = site.page("/news/council-meets-on-tuesday/")
    assert 'class="kicker"' not in misc
    assert not (site.output / "section" / "misc").exists()
    # Search: a section facet in /search.json (added beside the others) and a filter by it.
    from news_archive.search.service import create_app

    app = create_app(str(site.settings_file()), str(site.output))
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/search.json", "QUERY_STRING": "q=said"}
    data = json.loads(b"".join(app(environ, lambda *a: None)))
    assert {f["value"]: f["count"] for f in data["facets"]["section"]} == {"Business": 1, "Culture": 1}
    assert "tag" in data["facets"]  # the others unchanged beside it
    environ["QUERY_STRING"] = "q=said&section=Culture"
    data = json.loads(b"".join(app(environ, lambda *a: None)))
    assert [r["headline"] for r in data["results"]] == ["Gallery reopens after the flood"]


# --- sources ---------------------------------------------------------------------------


def test_sources_map_domains_and_spellings_and_keep_the_unknown(tmp_path: Path):
    content = tmp_path / "content"
    content.mkdir()
    (content / "sources.toml").write_text('[sources]\n"example.net" = "Example Daily"\n"cnbc.com" = "CNBC News"\n',
                                          encoding="utf-8")
    table = SourceTable.for_settings({"PATH": str(content)})
    assert table.name("news.bbc.co.uk") == "BBC News"
    assert table.name("https://www.bbc.co.uk/news/x") == "BBC News"
    assert table.name("BBC News") == "BBC News"
    assert table.name("www.example.net") == "Example Daily"  # the maintainer's entry
    assert table.name("cnbc.com") == "CNBC News"  # overrides the shipped one
    assert table.name("Kabul Tribune") == "Kabul Tribune"  # unknown: as given
    assert table.name("co.uk") == "co.uk"


def test_bbc_sample_stories_name_one_source(sample_site: Site):
    sources = {m for md in (sample_site.content / "generated").glob("*.md")
               for m in re.findall(r"^Source: (.+)$", md.read_text(encoding="utf-8"), re.M)}
    assert "news.bbc.co.uk" not in sources and "BBC News" in sources


# --- feeds, writers, publish build -----------------------------------------------------


def test_a_writer_only_a_copy_names_is_credited(tmp_path: Path):
    """The Emirates story as a full-page text dump (kept: first by path) and as its saved
    HTML page (a duplicate): only the HTML names Natasha Turak, and the page credits her."""
    html = shared_data("extraction", "html",
                       "374ac9a59a85196cdacc1679fb8993521a7b7d9d6533720f102300be1c7face4.html.gz")
    dumps = tmp_path / "content" / "dumps"
    (dumps / "pages").mkdir(parents=True)
    (dumps / "saved").mkdir()
    for name in ("036_374ac9a59a85196c.txt", "manifest.csv"):
        shutil.copy2(SAMPLE_DUMPS / "pages" / name, dumps / "pages" / name)
    shutil.copy2(html, dumps / "saved" / html.name)
    site = build_site(tmp_path, extra={"NEWS_ARCHIVE_NER": False})
    kept = [e for e in site.report["dumps"] if e["status"] == "converted"]
    assert [e["path"] for e in kept] == ["pages/036_374ac9a59a85196c.txt"]
    tree = lxml_html.fromstring(site.page(kept[0]["url"]))
    assert "Natasha Turak" in tree.xpath('//p[@class="byline"]')[0].text_content()
    data = json.loads(tree.xpath('//script[@type="application/ld+json"]/text()')[0])
    assert data["author"] == [{"@type": "Person", "name": "Natasha Turak"}]
    assert data["publisher"] == {"@type": "Organization", "name": "CNBC"}


def test_publish_build_has_absolute_canonicals_sitemap_locs_and_lastmod(tmp_path: Path):
    """`make publish` (publishconf.py): every canonical URL and sitemap <loc> is absolute,
    every <loc> has a <lastmod>, and robots.txt names the sitemap."""
    site_root = tmp_path / "site"
    shutil.copytree(SAMPLE_DUMPS, site_root / "content" / "dumps")
    env = {**os.environ, "SITEURL": "https://archive.example.org", "SOURCE_DATE_EPOCH": "1764000000"}
    proc = subprocess.run(
        ["make", "-C", str(ROOT), "publish", f"PELICAN_OPTS=--fatal errors -o {site_root / 'output'} "
         f"-e PATH='\"{site_root / 'content'}\"' NEWS_ARCHIVE_WORK_DIR='\"{site_root / 'var'}\"' "
         f"NEWS_ARCHIVE_PROGRESS=false NEWS_ARCHIVE_NER=false", f"WORK={site_root / 'var'}"],
        env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = site_root / "output"
    root = ET.parse(out / "sitemap.xml").getroot()
    urls = list(root.iter(f"{SITEMAP}url"))
    assert len(urls) > 50
    for url in urls:
        assert url.findtext(f"{SITEMAP}loc").startswith("https://archive.example.org/")
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", url.findtext(f"{SITEMAP}lastmod") or "")
    for page in ("index.html", "archives/index.html", "tags/index.html"):
        tree = lxml_html.fromstring((out / page).read_text(encoding="utf-8"))
        canonical = tree.xpath('//link[@rel="canonical"]/@href')
        assert canonical and canonical[0].startswith("https://archive.example.org/"), page
    assert "Sitemap: https://archive.example.org/sitemap.xml" in (out / "robots.txt").read_text(encoding="utf-8")


def test_every_list_page_has_a_description(sample_site: Site):
    for url in ("/", "/archives/", "/tags/", "/tags/a/", "/entities/", "/entities/a-z/", "/entities/a-z/q/",
                "/entity/person/qari-hekmat/", "/section/business/"):
        tree = lxml_html.fromstring(sample_site.page(url))
        assert tree.xpath('//meta[@name="description"]/@content'), url


def test_lettered_indexes_paginate_in_folders(tmp_path: Path):
    """Page 2 of a letter is `…/page/2/` (DESIGN: directory-style), and every page has
    jump links to every letter."""
    site = build_site(tmp_path, SAMPLE_DUMPS, extra={"PAGINATED_TEMPLATES": {
        "index": 4, "tag": None, "author": None, "category": None, "entity": None,
        "tags_letter": 2, "entities_letter": 2, "archives": 3, "period_archives": 2}})
    assert (site.output / "tags" / "a" / "page" / "2" / "index.html").is_file()
    assert (site.output / "entities" / "a-z" / "a" / "page" / "2" / "index.html").is_file()
    assert (site.output / "archives" / "page" / "2" / "index.html").is_file()
    page2 = site.page("/tags/a/page/2/")
    assert 'href="/tags/a/"' in page2 and 'href="/tags/b/"' in page2 and "Page 2 of" in page2
    # A letter's pages print no count of another letter (the index pages do), and only its
    # first page its own total: a name added under B changes no page of A.
    letters = lxml_html.fromstring(page2).xpath('//nav[@class="az-letters"]')[0]
    assert not letters.xpath('.//*[@title] | .//*[contains(@class, "visually-hidden")]')
    assert " tags, A–Z" in site.page("/tags/a/") and " tags, A–Z" not in page2
    assert 'class="visually-hidden"> (' in site.page("/tags/")
    assert "Date unknown" in site.page("/archives/page/2/")
    # The home page's 25 stories, about 4 a page (paging): from the front page, "next" links
    # lead through every story once, newest first, to page 2 (the oldest), and back.
    url, seen, visited = "/", [], []
    while url:
        tree = lxml_html.fromstring(site.page(url))
        visited.append(url)
        seen += tree.xpath('//ol[contains(@class,"article-list")]/li//h2/a/@href')
        nxt = tree.xpath('//nav[@class="pagination"]/a[@rel="next"]/@href')
        url = nxt[0] if nxt else ""
    assert len(seen) == len(set(seen)) == 25 and visited[-1] == "/page/2/" and len(visited) > 3
    assert len(lxml_html.fromstring(site.page("/")).xpath('//ol[contains(@class,"article-list")]/li')) >= 4
    assert 'rel="prev" href="/"' in site.page(visited[1])
    # Months and years of dated stories are paginated too (the sample has three in Nov 2019).
    assert "Page 2 of 2" in site.page("/archives/2019/11/page/2/")
    assert "Page 2 of 2" in site.page("/archives/2019/page/2/")


# --- make serve: caching and compression -----------------------------------------------


def call(app, path: str, **headers: str) -> tuple[str, dict[str, str], bytes]:
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, **{f"HTTP_{k.upper()}": v for k, v in headers.items()}}
    seen: dict[str, object] = {}

    def start_response(status, hdrs):
        seen["status"], seen["headers"] = status, dict(hdrs)

    body = b"".join(app(environ, start_response))
    return seen["status"], seen["headers"], body


def test_static_serving_compresses_validates_and_answers_304(sample_site: Site):
    app = StaticFiles(str(sample_site.output))
    status, headers, body = call(app, "/", accept_encoding="gzip, br")
    assert status == "200 OK" and headers["Content-Encoding"] == "gzip" and headers["Vary"] == "Accept-Encoding"
    assert gzip.decompress(body) == (sample_site.output / "index.html").read_bytes()
    assert headers["Cache-Control"] == "no-cache" and headers["Last-Modified"]
    status, again, body = call(app, "/", accept_encoding="gzip", if_none_match=headers["ETag"])
    assert status == "304 Not Modified" and body == b""
    status, plain, body = call(app, "/")
    assert status == "200 OK" and "Content-Encoding" not in plain and plain["ETag"] != headers["ETag"]
    assert body == (sample_site.output / "index.html").read_bytes()
    status, _, _ = call(app, "/", accept_encoding="gzip;q=0", if_none_match=plain["ETag"])
    assert status == "304 Not Modified"
    mtime = (sample_site.output / "theme" / "css" / "site.css").stat().st_mtime
    status, css, _ = call(app, "/theme/css/site.css", if_modified_since=formatdate(mtime + 60, usegmt=True))
    assert status == "304 Not Modified" and css["Cache-Control"].startswith("public, max-age=")
    status, css, _ = call(app, "/theme/css/site.css", if_modified_since=formatdate(mtime - 3600, usegmt=True),
                          accept_encoding="gzip")
    assert status == "200 OK" and css["Content-Encoding"] == "gzip"
    status, feed, _ = call(app, "/sitemap.xml", accept_encoding="gzip")
    assert feed["Content-Encoding"] == "gzip" and feed["Cache-Control"] == "no-cache"


def test_make_serve_sends_the_headers_over_http(sample_server):
    import urllib.request

    req = urllib.request.Request(sample_server.url + "/tags/", headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        etag = resp.headers["ETag"]
        assert resp.headers["Content-Encoding"] == "gzip"
        assert b"<html" in gzip.decompress(resp.read())
    req = urllib.request.Request(sample_server.url + "/tags/", headers={"Accept-Encoding": "gzip",
                                                                        "If-None-Match": etag})
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(req, timeout=10)
    assert err.value.code == 304




def test_sitemap_urls_by_slicing_are_relpaths_answer():
    """``sitemap.page_url`` slices the output folder off a ledger path: for every path,
    normal or not (dots, empty parts, a trailing slash, another folder), the URL that
    ``os.path.relpath`` gives."""
    import random

    from news_archive.sitemap import page_url

    def by_relpath(path: str, output: str) -> str | None:
        rel = os.path.relpath(path, output).replace(os.sep, "/")
        if not rel.endswith(".html") or rel.startswith("..") or rel == "404.html":
            return None
        return rel[: -len("index.html")] if rel == "index.html" or rel.endswith("/index.html") else rel

    rng = random.Random(20261203)
    parts = ["a", "out", ".", "..", "", "index.html", "x.html", ".well-known", "404.html", "q"]
    outputs = ["/a/out", "/a/out/", "out", "./out", "/", "/a/b/../out", "/a/.h/out", "out/.", "/a//out"]
    for _ in range(20_000):
        output = rng.choice(outputs)
        path = rng.choice([output.rstrip("/"), "/a/out", "out"]) + "/" + "/".join(
            rng.choice(parts) for _ in range(rng.randint(1, 4)))
        assert page_url(path, output) == by_relpath(path, output), (path, output)
