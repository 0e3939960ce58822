"""The search service under many idle connections: readers still get answers.

A real ``python -m news_archive serve`` (waitress) on 127.0.0.1; idle clients are plain
sockets that connect and send nothing (slowloris-style).  Every loop is bounded and the
server is stopped by the test.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator

from news_archive import settings as S
from news_archive.serving import STOP_SECONDS
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
        # Longer than the server's own deadline for its workers: killing the server while it
        # still waits for them would orphan them, the very thing these tests look for.
        stop(proc, seconds=STOP_SECONDS + 10)


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


def _children(pid: int) -> list[int]:
    path = f"/proc/{pid}/task/{pid}/children"
    with contextlib.suppress(OSError):
        return [int(p) for p in open(path, encoding="ascii").read().split()]
    return []


def test_worker_processes_share_the_port_and_stop_with_the_server(sample_site: Site):
    """Two workers answer on one port; a killed worker is replaced; stopping the server
    stops them all (none left holding the port or the index)."""
    with serve(sample_site, "--workers", "2", "--connection-limit", "40") as (url, port, banner):
        assert "2 workers" in banner and "connection limit 40" in banner, banner
        server = next(p for p in _children(os.getpid()) if str(port) in open(f"/proc/{p}/cmdline").read())
        workers = _children(server)
        assert len(workers) == 2, workers
        for _ in range(4):
            assert timed_search(url, timeout=10) < 5
        os.kill(workers[0], 9)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and (len(_children(server)) < 2 or workers[0] in _children(server)):
            time.sleep(0.1)
        replaced = _children(server)
        assert len(replaced) == 2 and workers[0] not in replaced, replaced
        assert timed_search(url, timeout=10) < 5
    assert not any(_alive(pid) for pid in replaced), replaced
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=2):
        raise AssertionError("a worker still listens after the server stopped")


def test_workers_of_a_killed_server_exit_and_free_the_port(sample_site: Site):
    """A server killed outright (no chance to stop its workers) leaves none behind."""
    with serve(sample_site, "--workers", "2") as (url, port, banner):
        server = next(p for p in _children(os.getpid()) if str(port) in open(f"/proc/{p}/cmdline").read())
        workers = _children(server)
        assert len(workers) == 2, workers
        os.kill(server, signal.SIGKILL)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and any(_alive(pid) for pid in workers):
            time.sleep(0.05)
        assert not any(_alive(pid) for pid in workers), [open(f"/proc/{p}/status").read() for p in workers]
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=2):
        raise AssertionError("a worker still listens after its server was killed")


def _alive(pid: int) -> bool:
    try:
        return "zombie" not in open(f"/proc/{pid}/status", encoding="ascii").read().lower()
    except OSError:
        return False


def test_the_workers_setting_is_one_per_core_by_default():
    from news_archive.serving import per_worker, worker_count

    assert S.DEFAULTS["NEWS_ARCHIVE_SERVE_WORKERS"] == 0 and worker_count(0) == (os.cpu_count() or 1)
    assert worker_count(3) == 3
    assert per_worker({"connection_limit": 1000, "threads": 8}, 3) == {"connection_limit": 333, "threads": 8}
