"""Escaping dump text so that it always renders as the literal text it was.

Dump text goes into a Markdown page, which Python-Markdown turns into HTML.  We
HTML-escape first (so ``<script>`` and ``<https://…>`` autolinks are text) and then
backslash-escape every character Python-Markdown accepts a backslash escape for
(``Markdown.ESCAPED_CHARS``), so ``[x](javascript:…)``, ``# heading``, ``1.`` lists,
``> quotes`` and ``*emphasis*`` stay literal.  Characters that only extensions give
meaning to (``|`` tables, ``:`` definition lists, ``~`` strike-through) get a numeric
character reference instead: a backslash before them would be shown as a backslash
when the extension is off, while ``&#124;`` renders as ``|`` whatever is enabled.

Escaping every special character, not only where Markdown would act on it, keeps
the rule provable: tests/test_escaping.py renders hostile text through Markdown and
through a real build and compares it with the original.
"""

from __future__ import annotations

import html
import re

# Python-Markdown's default ESCAPED_CHARS (markdown/core.py).
_MD_SPECIAL_RE = re.compile(r"([\\`*_{}\[\]()#+\-.!>])")
# Meaningful only to extensions (tables, def_list, strikethrough-style extensions).
_EXTENSION_CHARS = {"|": "&#124;", ":": "&#58;", "~": "&#126;"}
_EXTENSION_RE = re.compile(r"[|~]|^:")


def markdown_text(text: str) -> str:
    """One paragraph of plain text → Markdown source that renders exactly that text."""
    text = re.sub(r"\s+", " ", text).strip()
    text = html.escape(text, quote=False)
    text = _MD_SPECIAL_RE.sub(r"\\\1", text)
    return _EXTENSION_RE.sub(lambda m: _EXTENSION_CHARS[m.group(0)], text)


def metadata_value(text: str) -> str:
    """A single-line metadata value: no newlines, no list separator, no leading space."""
    text = re.sub(r"\s+", " ", str(text)).strip()
    return text.replace(";", ",")
