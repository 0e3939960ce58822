"""Files that are not articles whatever text they hold: images, XML documents, media.

Dump folders collect what a crawler saved beside the pages: logos (an SVG is text, and
its first line ``<?xml …?>`` became a headline), feeds, sitemaps, style sheets,
scripts, fonts, PDFs and archives.  Each is refused with a reason that names what it
is, from its content (binary files, and XML documents whose root is not HTML: a saved
page keeps working without its extension) and from its extension for the text kinds
that are not XML (style sheets, scripts).
"""

from __future__ import annotations

import re

from .errors import Rejected

# Extensions of files that are never a news article dump (lower case, with the dot).
NOT_ARTICLES = {
    "image": (".svg", ".svgz", ".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp", ".ico", ".tif", ".tiff",
              ".avif", ".heic"),
    "style sheet or script": (".css", ".js", ".mjs", ".map", ".wasm"),
    "font": (".woff", ".woff2", ".ttf", ".otf", ".eot"),
    "audio or video": (".mp3", ".mp4", ".m4a", ".wav", ".ogg", ".oga", ".webm", ".mov", ".avi", ".flac"),
    "document": (".pdf", ".doc", ".docx", ".odt", ".xls", ".xlsx", ".ppt", ".pptx", ".epub"),
    "archive": (".zip", ".tar", ".tgz", ".7z", ".rar", ".bz2", ".xz", ".zst", ".lz4"),
}

# The first element of a markup document, after the XML declaration, comments,
# processing instructions and a doctype.
_PROLOGUE_RE = re.compile(r"\A(?:\s+|<\?[^>]{0,500}\?>|<!--.{0,5000}?-->|<!DOCTYPE[^>]{0,2000}>)*", re.I | re.S)
_ROOT_RE = re.compile(r"<([A-Za-z][\w.:-]{0,60})")
_HTML_ROOTS = {"html", "head", "body", "article", "main", "div", "p", "section", "meta", "title", "!doctype"}


# How a markup document opens: a doctype, <html>, an XML declaration or a comment.
_DOCUMENT_START_RE = re.compile(r"<(?:!doctype\s|html[\s>]|\?xml\s|!--)", re.I)
_TAG_RE = re.compile(r"</?[A-Za-z][\w:-]*(?:\s[^<>]*)?/?>")


def reads_as_markup(text: str) -> bool:
    """Whether a document is markup rather than text that quotes a tag.

    A saved page, a fragment or an XML file begins with markup: with a doctype,
    ``<html>``, an XML declaration or a comment, or with a tag, and then its markup
    goes on (at least half its other lines hold a tag; or it is one line).  A text
    dump begins with its words; one may begin with a quoted tag ('<p> tags explained',
    a menu line ``<body onload=…>``, repeated as its headline further down), but most
    of its lines are plain text.
    """
    head = text[:20000].lstrip("\ufeff").lstrip()
    if not head.startswith("<"):
        return False
    if _DOCUMENT_START_RE.match(head):
        return True
    rest = [ln for ln in head.split("\n")[1:] if ln.strip()]
    return 2 * sum(1 for ln in rest if _TAG_RE.search(ln)) >= len(rest)


def refuse_by_name(name: str) -> None:
    """Raise ``Rejected`` for a file whose extension says it is no article.

    Run after the binary check (a PNG is refused as "binary file, not text" from its
    bytes), so this catches the kinds that are text: SVG, style sheets, scripts.
    """
    lower = name.lower()
    for what, exts in NOT_ARTICLES.items():
        if lower.endswith(exts):
            raise Rejected(f"not an article: {what} file (.{lower.rsplit('.', 1)[-1]})")


def refuse_by_text(text: str) -> None:
    """Raise ``Rejected`` for an XML document whose root is not HTML (SVG, RSS, Atom, sitemaps…)."""
    head = text[:20000].lstrip("\ufeff")
    if not reads_as_markup(head):
        return  # a text dump, even one whose first line quotes '<svg onload=…>'

    start = _PROLOGUE_RE.match(head)
    rest = head[start.end() if start else 0:]
    root = _ROOT_RE.match(rest)
    if root is None:
        return
    tag = root.group(1).lower().split(":")[-1]
    if tag in _HTML_ROOTS:
        return
    # An XML file declares itself, names its namespace or closes its root: '<svg onload=…>' opening
    # a text dump whose lines quote tags does none of these.
    declared = head.lstrip().startswith("<?xml") or "xmlns" in rest[: root.end() + 2000]
    closed = re.search(rf"</{re.escape(root.group(1))}\s*>|<{re.escape(root.group(1))}\b[^<>]*/>", text, re.I)
    known = tag in {"svg", "rss", "feed", "urlset", "sitemapindex", "rdf"}
    if head.lstrip().startswith("<?xml") or (known and (declared or closed)):
        raise Rejected(f"not an article: XML document (<{root.group(1)}>), not a page or a story")
