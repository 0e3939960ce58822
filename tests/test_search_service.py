"""Search through the real WSGI app, in-process and behind waitress on loopback."""

from __future__ import annotations

import json
import urllib.request
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
