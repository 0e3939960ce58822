"""Plain-text scrapes of news pages → Story, using only the text itself.

A scrape has no markup, so the article is found from the shape of its lines:
paragraphs are long and end like sentences; navigation, captions and footers are
short, link-like or known boilerplate; the headline is the short line the
breadcrumb ends with (or the first title-like line above the body).
"""

from __future__ import annotations

import re

from ..story import Story
from .errors import Rejected
from .fields import clean_line, parse_byline, parse_dateline

_FOOTER_RE = re.compile(
    r"^(related (articles|stories|posts|content|news)|leave a (comment|reply)|share this:?|"
    r"you (may|might) also like|more from|read more|recommended|comments?|advertisement|"
    r"filed under|tags?:|sign up|subscribe|follow us|copyright|©)",
    re.I,
)
_BOILERPLATE_RE = re.compile(
    r"^(file photo|photo:?|image:?|advertisement|share|tweet|email|print|"
    r"click to (share|print|email).*|skip to (main )?content|menu|search|home)$",
    re.I,
)
_SENTENCE_END = (".", "?", "!", "\u201d", '"', "\u2019", "'", ")", ":")


def is_paragraph(line: str) -> bool:
    """A line shaped like running prose."""
    words = len(line.split())
    return (words >= 10 and line.endswith(_SENTENCE_END)) or words >= 30


def read_text(text: str, origin: str) -> Story:
    """Extract headline, byline, dek and body paragraphs from a scrape."""
    lines = [clean_line(ln) for ln in text.split("\n")]
    lines = [ln for ln in lines if ln]
    if not lines:
        raise Rejected("empty file (only whitespace)")
    start = next((i for i, ln in enumerate(lines) if is_paragraph(ln)), None)
    if start is None:
        raise Rejected("no article found: no paragraph of running text")
    end = next(
        (i for i in range(start + 1, len(lines)) if _FOOTER_RE.match(lines[i])), len(lines)
    )
    body = [ln for ln in lines[start:end] if is_paragraph(ln) and not _BOILERPLATE_RE.match(ln)]

    head = lines[:start]
    authors: list[str] = []
    source = byline = ""
    candidates: list[str] = []
    for ln in head:
        parsed = parse_byline(ln)
        if parsed:
            authors, source = parsed
            byline = ln
        elif not _BOILERPLATE_RE.match(ln) and 3 <= len(ln.split()) <= 40:
            candidates.append(ln)
    headline = _pick_headline(candidates, head)
    if not headline:
        raise Rejected("no article found: no headline above the body")
    dek = ""
    after = candidates[candidates.index(headline) + 1 :] if headline in candidates else []
    for ln in reversed(after):
        if len(ln.split()) >= 6 and ln != headline:
            dek = ln
            break
    dateline, agency, first = parse_dateline(body[0]) if body else ("", "", "")
    if dateline:
        body[0] = first
        source = source or agency
    return Story(
        headline=headline,
        body=body,
        dek=dek,
        authors=authors,
        byline=byline,
        source=source,
        dateline=dateline,
        origin=origin,
        format="scrape-text",
    )


def _pick_headline(candidates: list[str], head: list[str]) -> str:
    """The title-like line that a breadcrumb repeats, else the first title-like line."""
    titles = [c for c in candidates if not c.endswith((".", ",", ";"))]
    for cand in titles:
        if any(other != cand and other.endswith(cand) for other in head):
            return cand
    for cand in titles:
        if head.count(cand) > 1:
            return cand
    return titles[0] if titles else ""
