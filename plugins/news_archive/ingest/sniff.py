"""Detect a dump's format from its content and hand it to the right reader."""

from __future__ import annotations

import json
import re

from .. import settings as S
from ..story import Story
from .decode import decode
from .errors import Rejected, RejectedRecord
from .filetype import reads_as_markup, refuse_by_name, refuse_by_text
from .inputs import gunzip_capped, too_large

# What a dump may hold, decompressed, unless the build says otherwise.
DEFAULT_LIMIT: int = S.DEFAULTS["NEWS_ARCHIVE_MAX_DUMP_BYTES"]

_HTML_RE = re.compile(r"<(!doctype\s+html|html[\s>]|head[\s>]|body[\s>]|article[\s>]|p[\s>])", re.I)


# A JSON array of records or of arrays ("[Updated] Headline" is a text dump).
_JSON_ARRAY_RE = re.compile(r"\[\s*(?:[{\[\]]|$)")


def sniff(text: str, name: str = "") -> str:
    """Return 'json', 'jsonl', 'html' or 'text' for decoded dump text."""
    head = text.lstrip()[:2000]
    if _JSON_ARRAY_RE.match(head):  # read record by record: one bad element costs only itself
        return "json"
    if head.startswith(("{", "[")):
        try:
            json.loads(text)
            return "json"
        except (ValueError, RecursionError):  # RecursionError: nested too deeply to parse
            # One record a line; a few broken lines must not turn the file into "text".
            # Lines end at "\n" only: JSON strings may hold U+2028 and U+0085 unescaped.
            lines = [ln.strip() for ln in text.split("\n", 40)[:40] if ln.strip()][:20]
            records = sum(1 for ln in lines if ln.startswith("{") and ln.endswith("}"))
            if lines and lines[0].startswith("{") and records >= max(1, 0.6 * len(lines)):
                return "jsonl"
    # HTML when the document is markup with an HTML element: a text dump that quotes a
    # tag ('Why <p> tags matter', a menu line '<body onload=…>') stays text.
    if (reads_as_markup(head) and _HTML_RE.search(head)) or (name.lower().endswith((".html", ".htm")) and "<" in head):
        return "html"
    return "text"


def _unpack(data: bytes, name: str, limit: int) -> tuple[bytes, str]:
    """The dump's bytes, inflated when it is gzip, never more than ``limit`` of them."""
    if len(data) > limit:
        raise Rejected(too_large(f"{len(data):,} bytes", limit))
    if data[:2] == b"\x1f\x8b":
        data = gunzip_capped(data, limit)
        name = name[:-3] if name.endswith(".gz") else name
    return data, name


def text_page_lines(data: bytes, name: str, limit: int = DEFAULT_LIMIT) -> tuple[str, list[int]] | None:
    """Site key and line keys of a text dump (for cross-dump furniture), else None."""
    from .site_furniture import page_lines

    try:
        data, name = _unpack(data, name, limit)
        text = decode(data)
        refuse_by_name(name)
        refuse_by_text(text)
    except Rejected:
        return None
    if not text.strip() or sniff(text, name) != "text":
        return None
    site, keys = page_lines(text)
    return (site, keys) if site else None


def read_bytes(data: bytes, name: str, origin: str, furniture: frozenset[int] | None = None,
               limit: int = DEFAULT_LIMIT) -> list[Story | RejectedRecord]:
    """Decode and parse one dump's bytes; raise Rejected with a reason on failure.

    ``limit``: most bytes the dump may hold once inflated (``NEWS_ARCHIVE_MAX_DUMP_BYTES``).
    """
    if not data.strip():
        raise Rejected("empty file")
    data, name = _unpack(data, name, limit)
    text = decode(data)
    if not text.strip():
        raise Rejected("empty file (only whitespace)")
    refuse_by_name(name)
    refuse_by_text(text)
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
