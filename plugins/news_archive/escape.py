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
_INLINE_CHARS = "\\`*_{}[]"
# Block syntax: only the start of a one-line paragraph can open a heading or a list.
_LEADING_RE = re.compile(r"^(\d+)\.(?=\s|$)|^([#+\-])")
# Meaningful only to extensions (tables, def_list, strikethrough-style extensions); ":" only
# at the start of a paragraph (a definition list's).
_EXTENSION_CHARS = {"|": "&#124;", ":": "&#58;", "~": "&#126;"}
# Each inline character with a backslash and each extension character as its reference, in
# one pass: no character of either kind is in what the other turns a character into, so one
# table is both substitutions, in C (a regular expression's sub called a Python function
# per match, and ~30,000 paragraphs are escaped in every build).
_CHARACTERS = str.maketrans({**{c: "\\" + c for c in _INLINE_CHARS},
                             **{c: ref for c, ref in _EXTENSION_CHARS.items() if c != ":"}})


def collapse(text: str) -> str:
    r"""Runs of whitespace as one space, none at the ends: ``re.sub(r"\s+", " ", text).strip()``
    (``\s`` and ``str.split`` know the same 29 whitespace characters), without a
    replacement per space of a paragraph."""
    return " ".join(text.split())


def markdown_text(text: str) -> str:
    """One paragraph of plain text → Markdown source that renders exactly that text."""
    text = html.escape(collapse(text), quote=False).translate(_CHARACTERS)
    if text[:1].isdigit() or text[:1] in ("#", "+", "-"):
        text = _LEADING_RE.sub(lambda m: f"{m.group(1)}\\." if m.group(1) else f"\\{m.group(2)}", text)
    elif text.startswith(":"):  # the leading escapes above never begin with one
        text = "&#58;" + text[1:]
    return text


def metadata_value(text: str) -> str:
    """A single-line metadata value: no newlines, no list separator, no leading space."""
    return collapse(str(text)).replace(";", ",")
