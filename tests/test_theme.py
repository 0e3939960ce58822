"""The reader-facing site without a browser: honest dates, structured data, feeds,
sitemap, 404 page and a theme that loads nothing from elsewhere.

Read back from real builds: the bundled sample archive, and a two-story archive (one
dated story whose headline tries to close the JSON-LD ``<script>``, one undated story).
"""

from __future__ import annotations

import json
import re
import shutil
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET

import pytest
from conftest import Site, build_site
from lxml import html as lxml_html

SEED_URL = "/news/top-islamic-state-commander-killed-in-afghanistan-airstrike/"
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
SITEURL = "https://archive.example"
BREAKOUT = "Minister quits </script><script>alert('ld')</script> <!-- over budget"
DATED_BODY = ("The finance minister resigned on Tuesday after a row over the budget, officials said. "
              "Parliament will vote on a successor next week, the speaker's office announced.")


@pytest.fixture(scope="module")
def two_story_site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    root = tmp_path_factory.mktemp("theme")
    dumps = root / "content" / "dumps"
    dumps.mkdir(parents=True)
    dated = {"title": BREAKOUT, "maintext": DATED_BODY + "\n" + DATED_BODY.replace("Tuesday", "Monday"),
             "description": "A dek that says </script> too", "authors": ["Jane Doe"],
             "date_publish": "2019-03-05 10:30:00+00:00", "url": "https://news.example.org/minister",
             "source_domain": "news.example.org", "language": "en"}
    undated = {"title": "Floods close the coastal road", "language": "en",
               "maintext": "Floods closed the coastal road for a third day, the roads authority said. "
                           "Engineers expect to reopen one lane once the water recedes."}
    (dumps / "dated.json").write_text(json.dumps(dated), encoding="utf-8")
    (dumps / "undated.json").write_text(json.dumps(undated), encoding="utf-8")
    return build_site(root, extra={"NEWS_ARCHIVE_NER": False, "SITEURL": SITEURL})


def url_of(site: Site, dump: str) -> str:
    return next(e["url"] for e in site.report["dumps"] if e["path"] == dump)


def json_ld(page: str) -> dict:
    scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert len(scripts) == 1, "one JSON-LD block per article page"
    return json.loads(scripts[0])


def meta(page: str, prop: str) -> list[str]:
    tree = lxml_html.fromstring(page)
    return tree.xpath(f'//meta[@property="{prop}" or @name="{prop}"]/@content')


def feed_entries(path) -> list[ET.Element]:
    return ET.parse(path).getroot().findall(f"{ATOM}entry")


# --- honest dates ---------------------------------------------------------------------


def test_undated_seed_has_no_publication_date_anywhere(sample_site: Site):
    page = sample_site.page(SEED_URL)
    assert "Date unknown" in page
    data = json_ld(page)
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == "Top Islamic State Commander Killed in Afghanistan Airstrike"
    assert "datePublished" not in data and "dateModified" not in data
    assert meta(page, "article:published_time") == []
    # Not in the dated feed, and in no year or month archive; the archives index lists it apart.
    feed = sample_site.output / "feeds" / "all.atom.xml"
    assert SEED_URL not in feed.read_text(encoding="utf-8")
    for period in (sample_site.output / "archives").glob("*/**/index.html"):
        assert SEED_URL not in period.read_text(encoding="utf-8"), period
    archives = sample_site.page("/archives/")
    assert archives.index("Date unknown") < archives.index(SEED_URL)


def test_dated_story_has_its_own_date_in_json_ld_og_and_feed(two_story_site: Site):
    url = url_of(two_story_site, "dated.json")
    page = two_story_site.page(url)
    data = json_ld(page)
    assert data["datePublished"].startswith("2019-03-05T10:30")
    assert data["headline"] == BREAKOUT
    assert data["author"] == [{"@type": "Person", "name": "Jane Doe"}]
    assert data["isBasedOn"] == "https://news.example.org/minister"
    assert meta(page, "article:published_time")[0].startswith("2019-03-05T10:30")
    assert meta(page, "og:type") == ["article"] and meta(page, "og:title") == [BREAKOUT]
    canonical = lxml_html.fromstring(page).xpath('//link[@rel="canonical"]/@href')
    assert canonical == [SITEURL + url] and data["url"] == SITEURL + url
    assert "5 March 2019" in page
    entries = feed_entries(two_story_site.output / "feeds" / "all.atom.xml")
    assert len(entries) == 1, "the undated story is left out of the dated feed"
    entry = entries[0]
    assert entry.findtext(f"{ATOM}title") == BREAKOUT  # escaped XML text, read back literally
    assert entry.findtext(f"{ATOM}published").startswith("2019-03-05T10:30")
    assert entry.find(f"{ATOM}link").get("href") == SITEURL + url
    month = two_story_site.page("/archives/2019/03/")
    assert url in month and url_of(two_story_site, "undated.json") not in month


def test_undated_story_gets_no_year_archive_of_its_build_date(two_story_site: Site):
    years = sorted(p.name for p in (two_story_site.output / "archives").iterdir() if p.is_dir())
    assert years == ["2019"]
    page = two_story_site.page(url_of(two_story_site, "undated.json"))
    assert "datePublished" not in json_ld(page)
    assert "Date unknown" in page


def test_json_ld_cannot_close_its_script_element(two_story_site: Site):
    page = two_story_site.page(url_of(two_story_site, "dated.json"))
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1)
    assert "</" not in block and "<!--" not in block and "<" not in block
    assert "alert('ld')" in block  # the text is there, inert
    assert "<script>alert" not in page
    assert json_ld(page)["description"] == "A dek that says </script> too"


def test_no_author_is_invented(sample_site: Site, two_story_site: Site):
    """Pelican credits unsigned stories to AUTHOR; the archive does not."""
    assert not (sample_site.output / "author" / "news-archive").exists()
    assert "By News Archive" not in sample_site.page(SEED_URL)
    assert "author" not in json_ld(two_story_site.page(url_of(two_story_site, "undated.json")))
    jane = two_story_site.page("/author/jane-doe/")
    assert url_of(two_story_site, "dated.json") in jane


# --- feeds, sitemap, 404 --------------------------------------------------------------


def test_tag_pages_link_their_feed_only_where_it_has_entries(sample_site: Site):
    """A tag with a dated story links its feed (each entry dated); a tag of undated
    stories only has no feed file and links none: nothing empty is advertised."""
    tag_pages = sorted((sample_site.output / "tag").glob("*/index.html"))
    assert tag_pages
    linked = unlinked = 0
    for path in tag_pages:
        href = lxml_html.fromstring(path.read_text(encoding="utf-8")).xpath(
            '//link[@rel="alternate"][@type="application/atom+xml"]/@href')
        assert "/feeds/all.atom.xml" in href
        tag_feed = [h for h in href if h.startswith("/feeds/tag/")]
        own = sample_site.output / "feeds" / "tag" / f"{path.parent.name}.atom.xml"
        if tag_feed:
            linked += 1
            assert tag_feed == [f"/feeds/tag/{path.parent.name}.atom.xml"]
            entries = feed_entries(own)
            assert entries
            for entry in entries:
                assert entry.findtext(f"{ATOM}published")  # only dated stories, each with its date
        else:
            unlinked += 1
            assert not own.exists(), f"{own.name} is written but not linked"
            assert 'class="feed-link"' not in path.read_text(encoding="utf-8")
    assert linked and unlinked  # the sample has both kinds
    for feed in (sample_site.output / "feeds").rglob("*.xml"):
        assert "<updated>1970" not in feed.read_text(encoding="utf-8"), feed


def test_sitemap_lists_every_page_and_nothing_else(sample_site: Site):
    root = ET.parse(sample_site.output / "sitemap.xml").getroot()
    locs = [loc.text for loc in root.iter(f"{SITEMAP}loc")]
    assert len(locs) == len(set(locs))
    for loc in locs:
        target = sample_site.output / loc.strip("/")
        assert (target / "index.html").is_file() or target.is_file(), loc
    pages = {"/" + p.relative_to(sample_site.output).as_posix().removesuffix("index.html")
             for p in sample_site.output.rglob("index.html")}
    assert set(locs) == pages
    assert SEED_URL in locs and "/" in locs and "/entities/" in locs
    assert not any("404" in loc for loc in locs)


def test_a_published_site_uses_absolute_urls_and_names_its_sitemap(two_story_site: Site):
    robots = (two_story_site.output / "robots.txt").read_text(encoding="utf-8")
    assert f"Sitemap: {SITEURL}/sitemap.xml" in robots
    locs = [loc.text for loc in ET.parse(two_story_site.output / "sitemap.xml").getroot().iter(f"{SITEMAP}loc")]
    assert locs and all(loc.startswith(SITEURL + "/") for loc in locs)
    assert SITEURL + url_of(two_story_site, "dated.json") in locs
    home = lxml_html.fromstring(two_story_site.page("/"))
    assert home.xpath('//link[@rel="alternate"]/@href') == [f"{SITEURL}/feeds/all.atom.xml"]


def test_a_large_sitemap_is_split_under_an_index(sample_site: Site, tmp_path):
    """Over the protocol's URL limit per file, sitemap.xml becomes an index of parts."""
    from news_archive import sitemap

    out = tmp_path / "out"
    shutil.copytree(sample_site.output, out)
    pages = sorted(out.rglob("index.html"))
    sitemap.write_sitemap({"OUTPUT_PATH": str(out), "SITEURL": "https://archive.example"},
                          [str(page) for page in pages], max_urls=100)
    index = ET.parse(out / "sitemap.xml").getroot()
    assert index.tag == f"{SITEMAP}sitemapindex"
    parts = [loc.text for loc in index.iter(f"{SITEMAP}loc")]
    assert parts == [f"https://archive.example/sitemap-{n}.xml" for n in range(1, len(parts) + 1)]
    assert len(parts) == -(-len(pages) // 100)
    locs = [loc.text for n in range(1, len(parts) + 1)
            for loc in ET.parse(out / f"sitemap-{n}.xml").getroot().iter(f"{SITEMAP}loc")]
    assert len(locs) == len(set(locs)) == len(pages)
    assert "https://archive.example/" in locs


def test_missing_pages_get_the_themed_404(sample_site: Site, sample_server):
    page = (sample_site.output / "404.html").read_text(encoding="utf-8")
    assert meta(page, "robots") == ["noindex"]
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(sample_server.url + "/news/no-such-story/", timeout=5)
    assert err.value.code == 404
    body = err.value.read().decode("utf-8")
    assert "Page not found" in body and 'role="search"' in body and "/theme/css/site.css" in body


# --- the theme ------------------------------------------------------------------------

RESOURCE_ATTRS = re.compile(r"""<(?:script|img|iframe|source|video|audio|embed)\b[^>]*\bsrc=["']?([^"'\s>]+)"""
                            r"""|<link\b(?=[^>]*\brel=["']?(?:stylesheet|icon|preload|modulepreload|prefetch))"""
                            r"""[^>]*\bhref=["']?([^"'\s>]+)""", re.I)


def test_every_page_renders_offline(sample_site: Site):
    """No fonts, scripts, styles or trackers from other hosts: only site-relative URLs."""
    for path in sample_site.output.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for match in RESOURCE_ATTRS.finditer(text):
            url = match.group(1) or match.group(2)
            assert url.startswith("/") and not url.startswith("//"), (path, url)
        # One stylesheet, site.css; the search pages add their own (search.css), and only they.
        sheets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', text)
        search_page = path.relative_to(sample_site.output).parts[0] == "search"
        assert sheets == ["/theme/css/site.css"] + (["/theme/css/search.css"] if search_page else []), path
    for css in sample_site.output.rglob("*.css"):
        text = css.read_text(encoding="utf-8")
        assert "@import" not in text and "url(" not in text and "@font-face" not in text, css


def test_one_small_stylesheet_with_dark_mode_and_print(sample_site: Site):
    css = (sample_site.output / "theme" / "css" / "site.css").read_text(encoding="utf-8")
    assert len(css.encode("utf-8")) < 24_000
    assert "@media (prefers-color-scheme: dark)" in css and "@media print" in css
    assert "system-ui" in css


def test_every_page_has_skip_link_search_box_one_h1_canonical_and_lang(sample_site: Site):
    for path in list(sample_site.output.rglob("*.html"))[:200]:
        tree = lxml_html.fromstring(path.read_text(encoding="utf-8"))
        assert tree.get("lang") == "en", path
        assert tree.xpath('//a[@class="skip-link"]/@href') == ["#main"], path
        assert tree.xpath('//main[@id="main"]'), path
        assert tree.xpath('//header//form[@role="search"]//input[@name="q"]'), path
        assert len(tree.xpath('//h1')) == 1, f"{path}: one <h1> names the page"
        if path.name != "404.html":
            assert len(tree.xpath('//link[@rel="canonical"]')) == 1, path


def test_home_shows_latest_most_covered_and_tags(sample_site: Site):
    tree = lxml_html.fromstring(sample_site.page("/"))
    # 25 stories, 20 a page: pages are counted from the oldest story (paging), so the front
    # page holds one to two pages' worth: all 25 here, and there is no page 2.
    assert len(tree.xpath('//ol[contains(@class,"article-list")]/li')) == 25
    assert not (sample_site.output / "page").exists()
    aside = tree.xpath('//aside')[0]
    for kind in ("person", "organisation", "place"):
        assert aside.xpath(f'.//a[starts-with(@href,"/entity/{kind}/")]'), kind
    assert aside.xpath('.//a[starts-with(@href,"/tag/")]')
    assert "Tony Blair" in aside.text_content()


def test_article_page_carries_chips_tags_and_provenance(sample_site: Site):
    tree = lxml_html.fromstring(sample_site.page(SEED_URL))
    story = tree.xpath('//article')[0]
    deks = [p.text_content() for p in story.xpath('.//p[contains(@class,"dek")]')]
    assert deks and deks[0].startswith("Officials say Qari Hekmat"), f"the seed's dek is not shown: {deks}"
    assert "by AFP" in story.xpath('.//p[@class="byline"]')[0].text_content()
    chips = story.xpath('.//section[contains(@class,"story-entities")]//a/@href')
    assert "/entity/person/qari-hekmat/" in chips
    assert story.xpath('.//section[contains(@class,"story-tags")]//a[starts-with(@href,"/tag/")]')
    provenance = story.xpath('.//footer[contains(@class,"provenance")]')[0].text_content()
    assert "Archived" in provenance
    # Internal file names are for maintainers: in the build report, not on the page.
    assert "000_eacdf06b02cf087c.txt" not in sample_site.page(SEED_URL)
    assert any(e["path"] == "000_eacdf06b02cf087c.txt" and e["url"] == SEED_URL for e in sample_site.report["dumps"])
