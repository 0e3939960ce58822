"""Serving the built site for ``make serve``: files under one root, and nowhere else."""

from __future__ import annotations

import mimetypes
import os
import posixpath
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote


class StaticFiles:
    """A small WSGI static-file app that cannot be led outside ``root``."""

    def __init__(self, root: str) -> None:
        self.root = os.path.realpath(root)

    def resolve(self, url_path: str) -> str | None:
        path = unquote(url_path, errors="strict") if "%" in url_path else url_path
        if "\x00" in path or "\\" in path:
            return None
        norm = posixpath.normpath("/" + path)
        candidate = os.path.realpath(os.path.join(self.root, norm.lstrip("/")))
        if candidate != self.root and not candidate.startswith(self.root + os.sep):
            return None
        if os.path.isdir(candidate):
            candidate = os.path.join(candidate, "index.html")
        return candidate if os.path.isfile(candidate) else None

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        method = environ.get("REQUEST_METHOD", "GET")
        if method not in ("GET", "HEAD"):
            start_response("405 Method Not Allowed", [("Allow", "GET, HEAD"), ("Content-Type", "text/plain")])
            return [b"Method not allowed"]
        raw = environ.get("PATH_INFO", "/")
        try:
            path = self.resolve(raw)
        except UnicodeDecodeError:
            path = None
        if path and os.path.isdir(os.path.join(self.root, raw.lstrip("/"))) and not raw.endswith("/"):
            start_response("301 Moved Permanently", [("Location", raw + "/")])
            return [b""]
        if path is None:
            missing = os.path.join(self.root, "404.html")
            body = open(missing, "rb").read() if os.path.isfile(missing) else b"Not found"
            start_response("404 Not Found", [("Content-Type", "text/html; charset=utf-8"),
                                             ("Content-Length", str(len(body)))])
            return [b"" if method == "HEAD" else body]
        ctype = mimetypes.guess_type(path)[0] or "application/octet-stream"
        if ctype.startswith("text/") or ctype in ("application/javascript", "application/json", "image/svg+xml"):
            ctype += "; charset=utf-8"
        with open(path, "rb") as fh:
            body = fh.read()
        start_response("200 OK", [("Content-Type", ctype), ("Content-Length", str(len(body)))])
        return [b"" if method == "HEAD" else body]
