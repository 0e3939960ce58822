"""Escaping dump text so that it always renders as the literal text it was.

Dump text goes into a Markdown page, which Python-Markdown turns into HTML.  Each
paragraph is one line (whitespace collapsed), so Markdown can act on it in only a
few ways, and each is disarmed where it can happen, nowhere else, so the generated
pages stay readable for a maintainer who opens them (``U.S. (AFP) 3.5%`` stays as is):

* HTML and entities: ``<``, ``>`` and ``&`` are HTML-escaped (``<script>``,
  ``<https://…>`` autolinks, ``&amp;`` all become text);
* inline syntax anywhere in the line: ``\\ ` * _ [ ] { }`` get a backslash (code,
  emphasis, links and images, which all need an opening ``[``, footnotes, attribute
  lists); ``(``, ``)``, ``!`` and ``.`` are then inert;
* block syntax at the start of the paragraph: ``#`` headings, ``+``/``-`` lists and
  rules, ``1.`` ordered lists get a backslash there;
* characters only extensions give meaning to (``|`` tables, a leading ``:`` for
  definition lists, ``~``) become character references (``&#124;``), which render as
  the character whatever extensions are on (a backslash would show when they are off).

tests/test_escaping.py proves it: hostile lines and thousands of seeded random
strings of Markdown's special characters render back to exactly their text with no
element, with and without the common extensions, and a real build shows them literally.
"""

from __future__ import annotations

import html
import re

# Inline syntax: escaped wherever it appears.
_INLINE_RE = re.compile(r"([\\`*_{}\[\]])")
# Block syntax: only the start of a one-line paragraph can open a heading or a list.
_LEADING_RE = re.compile(r"^(\d+)\.(?=\s|$)|^([#+\-])")
# Meaningful only to extensions (tables, def_list, strikethrough-style extensions).
_EXTENSION_CHARS = {"|": "&#124;", ":": "&#58;", "~": "&#126;"}
_EXTENSION_RE = re.compile(r"[|~]|^:")


def markdown_text(text: str) -> str:
    """One paragraph of plain text → Markdown source that renders exactly that text."""
    text = re.sub(r"\s+", " ", text).strip()
    text = html.escape(text, quote=False)
    text = _INLINE_RE.sub(r"\\\1", text)
    text = _LEADING_RE.sub(lambda m: f"{m.group(1)}\\." if m.group(1) else f"\\{m.group(2)}", text)
    return _EXTENSION_RE.sub(lambda m: _EXTENSION_CHARS[m.group(0)], text)


def metadata_value(text: str) -> str:
    """A single-line metadata value: no newlines, no list separator, no leading space."""
    text = re.sub(r"\s+", " ", str(text)).strip()
    return text.replace(";", ",")
