"""Search through the real WSGI app, in-process and behind waitress on loopback."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path
from urllib.parse import quote

from conftest import Site

SEED_URL = "/news/top-islamic-state-commander-killed-in-afghanistan-airstrike/"


def call(app, path: str, query: str = "") -> tuple[str, dict, bytes]:
    from wsgiref.util import setup_testing_defaults

    env: dict = {}
    setup_testing_defaults(env)
    env.update(PATH_INFO=path, QUERY_STRING=query)
    got: dict = {}

    def start_response(status, headers):
        got["status"], got["headers"] = status, dict(headers)

    body = b"".join(app(env, start_response))
    return got["status"], got["headers"], body


def app_for(site: Site):
    from news_archive.search.service import create_app

    return create_app(str(site.settings_file()), str(site.output))


def test_hekmat_finds_the_seed_article_first(sample_site: Site):
    status, headers, body = call(app_for(sample_site), "/search.json", "q=Hekmat")
    assert status == "200 OK" and headers["Content-Type"].startswith("application/json")
    data = json.loads(body)
    assert set(data) >= {"query", "total", "page", "results"}
    assert data["query"] == "Hekmat" and data["page"] == 1 and data["total"] >= 1
    first = data["results"][0]
    assert first["url"] == SEED_URL
    assert set(first) >= {"url", "headline", "date", "snippet"}
    assert first["date"] is None  # undated: no invented date
    assert "<mark" in first["snippet"]


def test_html_results_page_echoes_the_query_escaped(sample_site: Site):
    evil = '<script>alert(1)</script> Hekmat'
    status, _, body = call(app_for(sample_site), "/search", "q=" + quote(evil))
    html = body.decode()
    assert status == "200 OK"
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert SEED_URL in html


def test_make_serve_answers_pages_and_search(sample_server):
    def get(path: str) -> tuple[int, str]:
        with urllib.request.urlopen(sample_server.url + path, timeout=10) as resp:
            return resp.status, resp.read().decode()

    assert get("/")[0] == 200
    status, html = get(SEED_URL)
    assert status == 200 and "Qari Hekmat" in html
    status, html = get("/search?q=Hekmat")
    assert status == 200 and html.index(SEED_URL) < html.index("</main>")
    status, body = get("/search.json?q=Hekmat")
    assert json.loads(body)["results"][0]["url"] == SEED_URL


def test_results_page_after_a_correction_names_the_corrected_query(sample_site: Site):
    """'68 stories for "goverment budjet"' was wrong: the stories are for the correction."""
    app = app_for(sample_site)
    data = json.loads(call(app, "/search.json", "q=" + quote("goverment budjet"))[2])
    assert data["match"] in ("corrected", "corrected-any") and data["searched_for"] == "government budget"
    from lxml import html as lhtml

    for path in ("/search", "/search/"):  # every page's box submits to /search/
        status, _, body = call(app, path, "q=" + quote("goverment budjet"))
        tree = lhtml.fromstring(body.decode())
        assert status == "200 OK"
        summary = tree.xpath('string(//p[@class="search-summary"])')
        assert summary.startswith(f"{data['total']} stor") and "government budget" in summary, summary
        assert "goverment" not in summary
        assert "Showing results for" in tree.xpath('string(//p[@class="search-suggestion"])')


def test_results_page_has_one_search_box_a_filters_control_and_what_search_engines_need(sample_site: Site):
    from lxml import html as lhtml

    status, _, body = call(app_for(sample_site), "/search/", "q=Hekmat")
    tree = lhtml.fromstring(body.decode())
    assert len(tree.xpath('//input[@type="search"]')) == 1, "the header's box is the page's one box"
    facets = tree.xpath('//details[@class="search-facets"]')
    assert facets and facets[0].xpath("./summary")[0].text_content().startswith("Filters")
    layout = tree.xpath('//div[@class="search-layout"]/*')
    assert layout[0].tag == "details", "on a phone the Filters control comes before the results"
    assert tree.xpath('//meta[@name="description"]/@content')
    assert tree.xpath('//link[@rel="canonical"]/@href') == ["/search/"]
    assert not tree.xpath('//meta[@name="robots"][contains(@content, "noindex")]')
    assert "AFP" in tree.xpath('string(//li[@class="result"]//span[@class="source"])')


def test_results_page_of_a_published_site_names_its_absolute_canonical_and_keeps_links_relative(
        sample_site: Site, tmp_path: Path):
    """A canonical must be absolute to count (Lighthouse's SEO audit, search engines): the
    service gives the configured SITEURL there, while its links follow the host serving it."""
    from lxml import html as lhtml
    from news_archive.search.service import create_app

    conf = tmp_path / "publishconf.py"
    conf.write_text(sample_site.settings_file().read_text(encoding="utf-8")
                    + 'SITEURL = "https://news.example.org/"\n', encoding="utf-8")
    _, _, body = call(create_app(str(conf), str(sample_site.output)), "/search/", "q=Hekmat")
    tree = lhtml.fromstring(body.decode())
    assert tree.xpath('//link[@rel="canonical"]/@href') == ["https://news.example.org/search/"]
    assert tree.xpath('//meta[@property="og:url"]/@content') == ["https://news.example.org/search/"]
    assert all(h.startswith("/") for h in tree.xpath('//link[@rel="stylesheet"]/@href'))


def test_json_results_carry_the_source(sample_site: Site):
    data = json.loads(call(app_for(sample_site), "/search.json", "q=Hekmat")[2])
    assert data["results"][0]["source"] == "AFP"


def test_sort_by_date_is_offered_only_over_results_that_have_dates(sample_site: Site):
    # The sample's BBC stories carry no date: "Newest first" over them would claim an order
    # the list cannot have.  The Taliban story is dated, so its results offer both sorts.
    app = app_for(sample_site)
    undated = json.loads(call(app, "/search.json", "q=Blair")[2])
    assert undated["total"] and all(r["date"] is None for r in undated["results"])
    assert "Newest first" not in call(app, "/search", "q=Blair")[2].decode()
    dated = call(app, "/search", "q=Taliban")[2].decode()
    assert "Newest first" in dated and "Oldest first" in dated
    assert [s["name"] for s in undated["sorts"]] == ["relevance", "newest", "oldest"]  # the JSON keeps its shape
