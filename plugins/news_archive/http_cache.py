"""HTTP caching and compression for the built site as ``make serve`` sends it.

A reader's browser (and any proxy) should fetch a page once and then only ask whether
it changed: every file gets an ``ETag`` (from its size and modification time, so an
unchanged page, which a rebuild does not rewrite, keeps it) and ``Last-Modified``; a
request that presents either and still matches gets ``304 Not Modified`` with no body.
``Cache-Control`` suits the path: HTML, feeds, the sitemap and JSON are revalidated on
every use (they change with each build), the theme's CSS, scripts and images may be
kept for a day, anything else for an hour.  Text types (HTML, CSS, JS, JSON, XML, SVG)
are gzip-compressed when the client accepts it, with ``Vary: Accept-Encoding``; the
compressed variant has its own ETag (RFC 9110: a different representation).
"""

from __future__ import annotations

import gzip
import hashlib
import os
from collections import OrderedDict
from email.utils import formatdate, parsedate_to_datetime
from typing import Any

# Media types worth compressing (images other than SVG and fonts already are).
COMPRESSIBLE = ("text/", "application/javascript", "application/json", "application/xml",
                "application/atom+xml", "application/rss+xml", "image/svg+xml")
# Smaller bodies gain nothing from gzip's header and the CPU it costs.
MIN_COMPRESS_BYTES = 512
# Compressed bodies kept in memory (by file, size and time), and how much in all.
MAX_CACHED_BYTES = 32 * 1024 * 1024
REVALIDATE = "no-cache"  # may be stored, must be revalidated before each use
POLICIES = (
    ("/theme/", "public, max-age=86400"),
    ("/pagefind/", "public, max-age=3600"),
)
DEFAULT_POLICY = "public, max-age=3600"


def cache_control(path_info: str, ctype: str) -> str:
    """The ``Cache-Control`` for one URL path and media type."""
    if ctype.startswith(("text/html", "application/json", "application/xml", "application/atom+xml",
                         "text/xml")):
        return REVALIDATE
    for prefix, policy in POLICIES:
        if path_info.startswith(prefix):
            return policy
    return DEFAULT_POLICY


def etag_for(stat: os.stat_result, variant: str = "") -> str:
    token = hashlib.blake2b(f"{stat.st_size}:{stat.st_mtime_ns}".encode(), digest_size=8).hexdigest()
    return f'"{token}{variant}"'


def _etags(header: str) -> set[str]:
    return {t.strip().removeprefix("W/") for t in header.split(",") if t.strip()}


def not_modified(environ: dict[str, Any], etag: str, mtime: float) -> bool:
    """Whether the client's copy is current (If-None-Match first, as RFC 9110 says)."""
    match = environ.get("HTTP_IF_NONE_MATCH")
    if match is not None:
        tags = _etags(match)
        return "*" in tags or etag in tags
    since = environ.get("HTTP_IF_MODIFIED_SINCE")
    if since:
        try:
            return int(mtime) <= parsedate_to_datetime(since).timestamp()
        except (TypeError, ValueError, IndexError, OverflowError):
            return False
    return False


def accepts_gzip(environ: dict[str, Any]) -> bool:
    """``Accept-Encoding`` names gzip (or ``*``) without ``q=0``."""
    for part in environ.get("HTTP_ACCEPT_ENCODING", "").split(","):
        name, _, params = part.strip().partition(";")
        if name.strip().lower() in ("gzip", "*"):
            q = params.strip().lower()
            if q.startswith("q="):
                try:
                    return float(q[2:]) > 0
                except ValueError:
                    return False
            return True
    return False


def compressible(ctype: str, size: int) -> bool:
    return size >= MIN_COMPRESS_BYTES and ctype.startswith(COMPRESSIBLE)


class GzipStore:
    """Compressed bodies by (path, size, mtime), least recently used dropped first."""

    def __init__(self, limit: int = MAX_CACHED_BYTES) -> None:
        self.limit = limit
        self.size = 0
        self.items: OrderedDict[tuple[str, int, int], bytes] = OrderedDict()

    def get(self, path: str, stat: os.stat_result, body: bytes) -> bytes:
        key = (path, stat.st_size, stat.st_mtime_ns)
        hit = self.items.get(key)
        if hit is not None:
            self.items.move_to_end(key)
            return hit
        packed = gzip.compress(body, compresslevel=6, mtime=0)
        self.items[key] = packed
        self.size += len(packed)
        while self.size > self.limit and self.items:
            _, old = self.items.popitem(last=False)
            self.size -= len(old)
        return packed


def respond(environ: dict[str, Any], start_response: Any, path: str, ctype: str, store: GzipStore,
            extra: list[tuple[str, str]]) -> list[bytes]:
    """Send one file with validators, a cache policy, gzip when accepted, or a 304."""
    stat = os.stat(path)
    method = environ.get("REQUEST_METHOD", "GET")
    zipped = compressible(ctype, stat.st_size)
    use_gzip = zipped and accepts_gzip(environ)
    etag = etag_for(stat, "-gz" if use_gzip else "")
    headers = [("ETag", etag), ("Last-Modified", formatdate(stat.st_mtime, usegmt=True)),
               ("Cache-Control", cache_control(environ.get("PATH_INFO", "/"), ctype))]
    if zipped:
        headers.append(("Vary", "Accept-Encoding"))
    if not_modified(environ, etag, stat.st_mtime):
        start_response("304 Not Modified", headers + extra)
        return [b""]
    with open(path, "rb") as fh:
        body = fh.read()
    if use_gzip:
        body = store.get(path, stat, body)
        headers.append(("Content-Encoding", "gzip"))
    start_response("200 OK", [("Content-Type", ctype), ("Content-Length", str(len(body))), *headers, *extra])
    return [b"" if method == "HEAD" else body]
