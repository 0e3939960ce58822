"""Escaping dump text so that it always renders as the literal text it was.

Dump text goes into a Markdown page, which Python-Markdown turns into HTML.  We
HTML-escape first (so ``<script>`` is text) and then backslash-escape every
character Markdown gives meaning to (so ``[x](javascript:…)``, ``# heading``,
``1.`` lists, ``> quotes`` and ``*emphasis*`` stay literal).
"""

from __future__ import annotations

import html
import re

# Every character Python-Markdown accepts a backslash escape for.
_MD_SPECIAL_RE = re.compile(r"([\\`*_{}\[\]()#+\-.!|~:])")


def markdown_text(text: str) -> str:
    """One paragraph of plain text → Markdown source that renders exactly that text."""
    text = re.sub(r"\s+", " ", text).strip()
    text = html.escape(text, quote=False)
    return _MD_SPECIAL_RE.sub(r"\\\1", text)


def metadata_value(text: str) -> str:
    """A single-line metadata value: no newlines, no list separator, no leading space."""
    text = re.sub(r"\s+", " ", str(text)).strip()
    return text.replace(";", ",")
