"""The search service and the static site under abuse: no 5xx, nothing reflected raw,
nothing served from outside output/, no searcher left open.

Query-level abuse goes through the WSGI app in-process (every status and header is
seen); path-level abuse goes over a raw socket to the real waitress server, because
the server's own percent-decoding is part of what must hold.
"""

from __future__ import annotations

import json
import os
import socket
from urllib.parse import quote

import pytest
from conftest import Site
from news_archive.search.query import MAX_QUERY_CHARS
from news_archive.search.service import MAX_PAGE, MAX_PAGE_SIZE
from test_search_service import app_for, call

MALFORMED = [
    "AND OR (", '"unbalanced quote', "person:", "date:", "((((((", ")))", "NOT", "-", "*", "a*",
    "???", "~", "field:", "url:/news/", "title:", "[2000 TO", "{x TO y}", "^5", "date:2018..2016",
    "date:99999", "person:\"", '""', "AND", "\\", "%", "ab~", "ab~9", "x~~~", "*a*b*c*", "x" * 10_000, "word " * 3000,
    "\x00\x01\x02 Hekmat \x1b[31m", "\u202eHekmat", "\ufffd\ufffd", "Hekmat\r\nSet-Cookie: x=1",
]


@pytest.fixture(scope="module")
def app(sample_site: Site):
    return app_for(sample_site)


def assert_ok(status: str, headers: dict, body: bytes, path: str) -> None:
    assert status == "200 OK", status
    if path == "/search.json":
        json.loads(body)
    else:
        assert b"</html>" in body


@pytest.mark.parametrize("text", MALFORMED, ids=range(len(MALFORMED)))
def test_malformed_queries_never_fail(app, text):
    for path in ("/search.json", "/search"):
        status, headers, body = call(app, path, "q=" + quote(text))
        assert_ok(status, headers, body, path)
    data = json.loads(call(app, "/search.json", "q=" + quote(text))[2])
    assert len(data["query"]) <= MAX_QUERY_CHARS
    assert "\x00" not in data["query"] and "\r" not in data["query"]


def test_a_10kb_query_is_cut_and_says_so(app):
    data = json.loads(call(app, "/search.json", "q=" + quote("Hekmat " * 1500))[2])
    assert len(data["query"]) <= MAX_QUERY_CHARS
    assert any("long" in note for note in data["notes"])
    assert data["results"] and data["results"][0]["headline"].startswith("Top Islamic State")


@pytest.mark.parametrize("qs", [
    "q=%ff%fe%fd", "q=Hek%C3mat", "q=%E2%82", "q=%", "q=%zz", "q=%00", "page=%ff&q=x", "%ff=%ff",
    "q=a&q=b&q=" + "c" * 9000, "&&&==&", "q=" + "%41" * 5000, "&".join(f"k{i}=v" for i in range(500)),
])
def test_invalid_utf8_and_odd_query_strings_never_fail(app, qs):
    for path in ("/search.json", "/search"):
        status, headers, body = call(app, path, qs)
        assert_ok(status, headers, body, path)


def test_every_reflected_value_is_escaped(app):
    evil = '"><script>alert(1)</script><img src=x onerror=alert(2)>'
    qs = "&".join(f"{k}={quote(evil)}" for k in ("q", "person", "tag", "source", "sort", "page", "size"))
    status, _, body = call(app, "/search", qs)
    html = body.decode()
    assert status == "200 OK"
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    status, headers, body = call(app, "/search.json", qs)
    assert headers["Content-Type"].startswith("application/json")
    assert headers["X-Content-Type-Options"] == "nosniff"
    data = json.loads(body)
    assert data["sort"] == "relevance" and data["page"] == 1
    for hit in data["results"]:
        assert "<script" not in hit["snippet"]


def test_snippets_escape_article_text_and_mark_only_matches(app):
    data = json.loads(call(app, "/search.json", "q=Hekmat")[2])
    snippet = data["results"][0]["snippet"]
    stripped = snippet.replace("<mark>", "").replace("</mark>", "")
    assert "<" not in stripped and "<mark>Hekmat</mark>" in snippet


def test_page_number_and_page_size_are_capped(app):
    data = json.loads(call(app, "/search.json", "q=Blair&page=999999999999&size=100000")[2])
    assert data["page"] == MAX_PAGE and data["page_size"] == MAX_PAGE_SIZE
    data = json.loads(call(app, "/search.json", "q=Blair&page=-3&size=0")[2])
    assert data["page"] == 1 and data["page_size"] == 1 and len(data["results"]) == 1
    data = json.loads(call(app, "/search.json", "q=Blair&page=two&size=many")[2])
    assert data["page"] == 1 and data["page_size"] == 10


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE"])
@pytest.mark.parametrize("path", ["/search", "/search.json", "/search/help", "/", "/theme/css/site.css"])
def test_only_get_and_head(app, method, path):
    from wsgiref.util import setup_testing_defaults

    env: dict = {}
    setup_testing_defaults(env)
    env.update(PATH_INFO=path, QUERY_STRING="q=Hekmat", REQUEST_METHOD=method)
    got: dict = {}
    body = b"".join(app(env, lambda status, headers: got.update(status=status, headers=dict(headers))))
    assert got["status"].startswith("405") and got["headers"]["Allow"] == "GET, HEAD"
    assert b"Hekmat" not in body


def test_head_answers_headers_without_a_body(app):
    from wsgiref.util import setup_testing_defaults

    env: dict = {}
    setup_testing_defaults(env)
    env.update(PATH_INFO="/search.json", QUERY_STRING="q=Hekmat", REQUEST_METHOD="HEAD")
    got: dict = {}
    body = b"".join(app(env, lambda status, headers: got.update(status=status, headers=dict(headers))))
    assert got["status"] == "200 OK" and body == b"" and int(got["headers"]["Content-Length"]) > 0


def test_searchers_are_always_closed(app):
    """Hundreds of requests, good and bad, leave the process's open files where they were."""
    def open_files() -> int:
        return len(os.listdir("/proc/self/fd"))

    for text in ("Hekmat", "warmup"):
        call(app, "/search.json", "q=" + text)
    before = open_files()
    for i in range(150):
        text = MALFORMED[i % len(MALFORMED)] if i % 3 else f"Blair {i}"
        call(app, "/search.json" if i % 2 else "/search", "q=" + quote(text) + f"&page={i % 5 + 1}")
    assert open_files() <= before + 2


# ----------------------------------------------------------------- over the wire


def raw_get(url: str, path: str) -> tuple[int, bytes]:
    """Send ``path`` byte-for-byte (no client-side normalisation) and read the answer."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(b"GET " + path.encode("latin-1") + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), body


TRAVERSALS = [
    "/../secret.txt", "/../../../../etc/passwd", "/%2e%2e/secret.txt", "/%2E%2E/%2e%2e/etc/passwd",
    "/..%2fsecret.txt", "/news/..%2f..%2fsecret.txt", "/%252e%252e/secret.txt", "/%252e%252e%252fsecret.txt",
    "/..%5csecret.txt", "/.%2e/secret.txt", "/theme/../../secret.txt", "//../secret.txt",
    "/%c0%ae%c0%ae/secret.txt", "/%ff%fe/secret.txt", "/link-out/secret.txt", "/link-out",
    "/secret.txt%00.html", "/.hidden",
]


@pytest.fixture(scope="module")
def traps(sample_site: Site):
    """A secret beside output/, a symlink inside output/ pointing out, a hidden file."""
    (sample_site.root / "secret.txt").write_text("TOP-SECRET")
    link = sample_site.output / "link-out"
    if not link.exists():
        link.symlink_to(sample_site.root)
    (sample_site.output / ".hidden").write_text("TOP-SECRET")
    yield
    link.unlink()
    (sample_site.output / ".hidden").unlink()


@pytest.mark.parametrize("path", TRAVERSALS)
def test_static_files_never_escape_output(sample_server, traps, path):
    status, body = raw_get(sample_server.url, path)
    assert status in (400, 404), (path, status)
    assert b"TOP-SECRET" not in body and b"root:" not in body


def test_real_server_survives_invalid_utf8_in_the_url(sample_server):
    for path in ("/search?q=%ff%fe", "/search.json?q=%C3%28", "/%ff", "/search?q=" + "A" * 7000):
        status, _ = raw_get(sample_server.url, path)
        assert status < 500, path
    status, body = raw_get(sample_server.url, "/search.json?q=Hekmat")
    assert status == 200 and b"top-islamic-state" in body


def test_folders_redirect_to_their_slash_without_leaving_the_site(sample_server):
    host, port = sample_server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(b"GET //tags HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        head = sock.recv(65536).split(b"\r\n\r\n")[0].decode()
    assert " 301 " in head.splitlines()[0]
    assert "Location: /tags/" in head


def test_a_missing_index_is_explained_not_a_crash(sample_site: Site, tmp_path):
    from news_archive.search.service import SearchApp, make_renderer, site_context

    ctx = site_context(str(sample_site.settings_file()))
    app = SearchApp(str(tmp_path / "no-index-here"), make_renderer(ctx["THEME"] + "/templates", ctx))
    for path in ("/search.json", "/search"):
        status, headers, body = call(app, path, "q=Hekmat")
        assert_ok(status, headers, body, path)
    data = json.loads(call(app, "/search.json", "q=Hekmat")[2])
    assert data["total"] == 0 and any("make html" in note for note in data["notes"])
