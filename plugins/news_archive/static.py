"""Serving the built site for ``make serve``: files under one root, and nowhere else.

The WSGI server has already percent-decoded the path once (PEP 3333: ``PATH_INFO`` is
the request's bytes as latin-1).  We decode those bytes as UTF-8 and never unquote
again, so ``%252e%252e`` stays the literal name ``%2e%2e`` instead of becoming ``..``.
Any ``..`` segment, backslash, NUL or hidden (dot) name is refused outright, and the
resolved real path (symlinks followed) must still lie under the root.
"""

from __future__ import annotations

import mimetypes
import os
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from . import http_cache

HEADERS = [("X-Content-Type-Options", "nosniff")]


class StaticFiles:
    """A small WSGI static-file app that cannot be led outside ``root``."""

    def __init__(self, root: str) -> None:
        self.root = os.path.realpath(root)
        self.gzipped = http_cache.GzipStore()  # validators, cache policy, gzip: http_cache

    def segments(self, path_info: str) -> list[str] | None:
        """The path's segments, or None if it is not a safe path inside the site."""
        try:
            path = path_info.encode("latin-1").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            return None
        if "\x00" in path or "\\" in path:
            return None
        parts = [p for p in path.split("/") if p not in ("", ".")]
        if any(p.startswith(".") for p in parts):  # "..", and hidden files such as .git
            return None
        return parts

    def resolve(self, path_info: str) -> str | None:
        """The file a URL path names under the root (a folder's index.html), or None."""
        parts = self.segments(path_info)
        if parts is None:
            return None
        candidate = os.path.realpath(os.path.join(self.root, *parts))
        if candidate != self.root and not candidate.startswith(self.root + os.sep):
            return None
        if os.path.isdir(candidate):
            candidate = os.path.join(candidate, "index.html")
        return candidate if os.path.isfile(candidate) else None

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        method = environ.get("REQUEST_METHOD", "GET")
        if method not in ("GET", "HEAD"):
            start_response("405 Method Not Allowed", [("Allow", "GET, HEAD"), ("Content-Type", "text/plain"),
                                                      *HEADERS])
            return [b"Method not allowed"]
        raw = environ.get("PATH_INFO", "/") or "/"
        path = self.resolve(raw)
        if path is not None and not raw.endswith("/") and os.path.basename(path) == "index.html" \
                and not raw.endswith("index.html"):
            parts = self.segments(raw) or []
            location = "/" + quote("/".join(parts)) + "/"
            start_response("301 Moved Permanently", [("Location", location), ("Content-Length", "0"), *HEADERS])
            return [b""]
        if path is None:
            missing = os.path.join(self.root, "404.html")
            body = open(missing, "rb").read() if os.path.isfile(missing) else b"Not found"
            start_response("404 Not Found", [("Content-Type", "text/html; charset=utf-8"),
                                             ("Content-Length", str(len(body))), *HEADERS])
            return [b"" if method == "HEAD" else body]
        ctype = mimetypes.guess_type(path)[0] or "application/octet-stream"
        if ctype.startswith("text/") or ctype in ("application/javascript", "application/json", "image/svg+xml"):
            ctype += "; charset=utf-8"
        return http_cache.respond(environ, start_response, path, ctype, self.gzipped, HEADERS)
