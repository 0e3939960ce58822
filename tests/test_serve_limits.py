"""The search service under many idle connections: readers still get answers.

A real ``python -m news_archive serve`` (waitress) on 127.0.0.1; idle clients are plain
sockets that connect and send nothing (slowloris-style).  Every loop is bounded and the
server is stopped by the test.
"""

from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator

from news_archive import settings as S
from support import Site, free_port, stop


@contextlib.contextmanager
def serve(site: Site, *flags: str, settings_extra: str = "") -> Iterator[tuple[str, int, str]]:
    path = site.settings_file()
    if settings_extra:
        path = site.root / "serveconf.py"
        path.write_text(site.settings_file().read_text(encoding="utf-8") + settings_extra, encoding="utf-8")
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "news_archive", "serve", "--settings", str(path),
                             "--output", str(site.output), "--port", str(port), *flags],
                            cwd=site.root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        banner = proc.stdout.readline()
        url = f"http://127.0.0.1:{port}"
        for _ in range(300):  # up to ~30 s to start
            with contextlib.suppress(OSError):
                urllib.request.urlopen(url + "/", timeout=2).read()
                break
            assert proc.poll() is None, banner + proc.stdout.read()
            time.sleep(0.1)
        yield url, port, banner
    finally:
        stop(proc)


def idle_sockets(port: int, n: int) -> list[socket.socket]:
    out = []
    for _ in range(n):
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        out.append(s)
    return out


def timed_search(url: str, timeout: float) -> float:
    started = time.monotonic()
    with urllib.request.urlopen(url + "/search.json?q=Hekmat", timeout=timeout) as resp:
        assert resp.status == 200
        assert json.loads(resp.read())["total"] >= 1
    return time.monotonic() - started


def test_150_idle_connections_do_not_lock_readers_out(sample_site: Site):
    with serve(sample_site) as (url, port, _):
        socks = idle_sockets(port, 150)
        try:
            time.sleep(0.5)  # let the server accept them all
            assert timed_search(url, timeout=10) < 3
        finally:
            for s in socks:
                s.close()


def test_idle_connections_are_closed_so_a_full_server_recovers(sample_site: Site):
    flags = ("--connection-limit", "20", "--channel-timeout", "2", "--cleanup-interval", "1")
    with serve(sample_site, *flags) as (url, port, banner):
        assert "connection limit 20" in banner
        socks = idle_sockets(port, 30)  # more than the limit: the rest wait in the backlog
        try:
            assert timed_search(url, timeout=15) < 10  # answered once idle ones are dropped
            closed = 0
            for s in socks[:20]:
                s.settimeout(5)
                with contextlib.suppress(OSError):
                    closed += s.recv(1) == b""  # the server hung up on an idle client
            assert closed >= 15, closed
        finally:
            for s in socks:
                s.close()


def test_limits_come_from_settings_and_flags_override_them(sample_site: Site):
    extra = "\nNEWS_ARCHIVE_SERVE_CONNECTION_LIMIT = 33\nNEWS_ARCHIVE_SERVE_CHANNEL_TIMEOUT = 7\n"
    with serve(sample_site, "--channel-timeout", "9", settings_extra=extra) as (url, port, banner):
        assert "connection limit 33" in banner and "idle timeout 9 s" in banner, banner
        # A body larger than the limit is refused on its headers alone (none of it is sent).
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            s.sendall(b"GET /search.json?q=Hekmat HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\n\r\n")
            assert s.recv(64).startswith(b"HTTP/1.1 413")


def test_serving_defaults_are_for_a_public_deployment():
    assert S.DEFAULTS["NEWS_ARCHIVE_SERVE_CONNECTION_LIMIT"] >= 500
    assert S.DEFAULTS["NEWS_ARCHIVE_SERVE_CHANNEL_TIMEOUT"] <= 30
    assert S.DEFAULTS["NEWS_ARCHIVE_SERVE_MAX_REQUEST_BODY_SIZE"] <= 1 << 20
