"""Detect a dump's format from its content and hand it to the right reader."""

from __future__ import annotations

import gzip
import json
import re

from ..story import Story
from .decode import decode
from .errors import Rejected, RejectedRecord

_HTML_RE = re.compile(r"<(!doctype\s+html|html[\s>]|head[\s>]|body[\s>]|article[\s>]|p[\s>])", re.I)


def sniff(text: str, name: str = "") -> str:
    """Return 'json', 'jsonl', 'html' or 'text' for decoded dump text."""
    head = text.lstrip()[:2000]
    if head.startswith(("{", "[")):
        try:
            json.loads(text)
            return "json"
        except ValueError:
            # One record a line; a few broken lines must not turn the file into "text".
            lines = [ln.strip() for ln in text.splitlines() if ln.strip()][:20]
            records = sum(1 for ln in lines if ln.startswith("{") and ln.endswith("}"))
            if lines and lines[0].startswith("{") and records >= max(1, 0.6 * len(lines)):
                return "jsonl"
    if _HTML_RE.search(head) or (name.lower().endswith((".html", ".htm")) and "<" in head):
        return "html"
    return "text"


def _unpack(data: bytes, name: str) -> tuple[bytes, str]:
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise Rejected(f"corrupt gzip file: {exc}") from exc
        name = name[:-3] if name.endswith(".gz") else name
    return data, name


def text_page_lines(data: bytes, name: str) -> tuple[str, list[int]] | None:
    """Site key and line keys of a text dump (for cross-dump furniture), else None."""
    from .text import page_lines

    try:
        data, name = _unpack(data, name)
        text = decode(data)
    except Rejected:
        return None
    if not text.strip() or sniff(text, name) != "text":
        return None
    site, keys = page_lines(text)
    return (site, keys) if site else None


def read_bytes(data: bytes, name: str, origin: str,
               furniture: frozenset[int] | None = None) -> list[Story | RejectedRecord]:
    """Decode and parse one dump's bytes; raise Rejected with a reason on failure."""
    if not data.strip():
        raise Rejected("empty file")
    data, name = _unpack(data, name)
    text = decode(data)
    if not text.strip():
        raise Rejected("empty file (only whitespace)")
    kind = sniff(text, name)
    stories: list[Story | RejectedRecord]
    if kind == "json":
        from .json_record import read_json

        stories = read_json(text, origin)
    elif kind == "jsonl":
        from .json_record import read_jsonl

        stories = read_jsonl(text, origin)
    elif kind == "html":
        from .html_page import read_html

        stories = [read_html(text, origin)]
    else:
        from .text import read_text

        stories = [read_text(text, origin, furniture=furniture)]
    return stories
