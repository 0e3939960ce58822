"""End to end: the bundled sample archive builds into a linked, browsable site."""

from __future__ import annotations

import re

from conftest import Site

SEED_URL = "/news/top-islamic-state-commander-killed-in-afghanistan-airstrike/"


def links(html: str) -> list[str]:
    return re.findall(r'href="(/[^"#?]*)"', html)


def test_every_sample_dump_is_accounted_for(sample_site: Site):
    report = sample_site.report
    assert report["counts"]["rejected"] == 0
    assert report["counts"]["converted"] >= 21
    paths = {e["path"] for e in report["dumps"]}
    assert "000_eacdf06b02cf087c.txt" in paths
    seed = next(e for e in report["dumps"] if e["path"] == "000_eacdf06b02cf087c.txt")
    assert seed["url"] == SEED_URL


def test_seed_article_page(sample_site: Site):
    html = sample_site.page(SEED_URL)
    assert "<h1>Top Islamic State Commander Killed in Afghanistan Airstrike</h1>" in html
    assert "Officials say Qari Hekmat was killed in Darzab district" in html
    assert "a brutal wing of the Taliban." in html
    assert "Leave a Comment" not in html and "File Photo" not in html
    # No invented publication date: the page says the date is unknown and has no <time>.
    assert "Date unknown" in html
    assert "<time" not in html.split('class="body"')[0]


def test_seed_page_links_to_entity_and_tag_pages_that_exist(sample_site: Site):
    html = sample_site.page(SEED_URL)
    entity_links = [u for u in links(html) if u.startswith("/entity/")]
    tag_links = [u for u in links(html) if u.startswith("/tag/")]
    assert entity_links and tag_links
    for url in entity_links + tag_links:
        page = sample_site.page(url)
        assert SEED_URL in page, f"{url} does not list the seed article"


def test_index_pages_exist_and_link_every_article(sample_site: Site):
    home = sample_site.page("/")
    assert SEED_URL in home or "/page/2/" in home
    for url in ("/tags/", "/entities/", "/archives/"):
        assert sample_site.page(url)
    entities = sample_site.page("/entities/")
    assert "/entity/person/" in entities and "/entity/place/" in entities


def test_no_internal_link_is_broken(sample_site: Site):
    broken = []
    for page in sample_site.output.rglob("*.html"):
        for url in links(page.read_text(encoding="utf-8")):
            if url.startswith(("/search", "/theme/")):
                continue
            target = sample_site.output / url.strip("/")
            if not (target.is_file() or (target / "index.html").is_file()):
                broken.append((page.relative_to(sample_site.output).as_posix(), url))
    assert not broken, broken[:10]


def test_pagination_is_directory_style(sample_site: Site):
    # (25 stories hold on one home page: pages are counted from the oldest story, the front
    # page holding up to two pages' worth; test_reader_site pages lists with small sizes.)
    pages = [p.relative_to(sample_site.output).as_posix() for p in sample_site.output.rglob("index.html")]
    assert "index.html" in pages
    assert not any(re.search(r"\d+\.html$", p) for p in pages)


def test_search_index_is_built_outside_output(sample_site: Site):
    assert sample_site.index.is_symlink()
    assert not (sample_site.output / "index.d").exists()
    assert not any(p.name.endswith(".toc") for p in sample_site.output.rglob("*"))
