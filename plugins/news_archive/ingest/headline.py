"""The headline and the standfirst (dek) of a text dump.

The headline is the line the page title repeats.  Full pages start with a
``<headline> - <site>`` title line and scrapes with a breadcrumb ending in the
headline; the headline is the line above the body that the first line starts or ends
with.  Without such a line, a bare story's first line is its headline, and a page
title minus its site name is the last resort.  The dek is a summary line between
headline and body that is no byline, date, credit or notice.
"""

from __future__ import annotations

import re

from .byline import find_date
from .fields import clean_line, parse_byline
from .furniture import BOILERPLATE_RE, CREDIT_RE, NOTICE_RE
from .words import TITLE_SEPARATORS, TOKEN_RE, norm_tokens, word_count

__all__ = ["choose_headline", "crumb_headline_index", "dek_of", "headline_index", "is_crumb"]

# Lines searched for the headline the title line repeats.
_MOST_LINES = 400
# The steps of a breadcrumb trail: 'Home > Politics', 'News › World › Asia'.
_CRUMB_STEP = re.compile(r"\s+(?:>|›|»|→|/)\s+")
_NOT_DEK_RE = re.compile(r"@\w|\bwww\.|https?://| > | \| |^(posted|updated|published|by)\b", re.I)


def headline_index(lines: list[str]) -> int:
    """The first line that the page title or breadcrumb (the first line) repeats, or -1.

    Full pages open with ``<headline> - <site>``; scrapes with a breadcrumb
    ``Home News <headline>``; either way the headline is a later line that the first
    line starts or ends with (at least two words, and most of the title).  The site
    name (the title's last segment) is not a headline, and a line the title starts
    with is preferred to one it ends with.
    """
    if len(lines) < 2:
        return -1
    title = norm_tokens(lines[0])
    parts = TITLE_SEPARATORS.split(clean_line(lines[0]))
    site = norm_tokens(parts[-1]) if len(parts) > 1 else ""
    suffix_match = -1
    for i in range(1, min(len(lines), _MOST_LINES)):
        cand = norm_tokens(lines[i])
        if word_count(lines[i]) < 2 or lines[i].endswith((",", ";")) or cand == site:
            continue
        if cand == title or (title.startswith(cand + " ") and len(cand) >= 0.3 * len(title)):
            return i
        if suffix_match < 0 and title.endswith(" " + cand) and len(cand) >= 0.3 * len(title):
            suffix_match = i
    return suffix_match


def is_crumb(line: str) -> bool:
    """A breadcrumb trail: two or more short steps joined by arrows ('Home > Politics')."""
    steps = _CRUMB_STEP.split(line)
    return len(steps) >= 2 and all(1 <= word_count(step) <= 4 for step in steps)


def crumb_headline_index(lines: list[str], start: int) -> int:
    """Below a breadcrumb that does not repeat the headline: the first headline-shaped line
    above the body (``start``), or -1.

    A trail like 'Home > Politics' names a section, not the story, so the story's own
    headline is the line under it; without this rule the trail became the headline and
    the real one was dropped with the lines above the body.
    """
    if not lines or not is_crumb(lines[0]):
        return -1
    for i in range(1, min(start, len(lines))):
        line = lines[i]
        if not 2 <= word_count(line) <= 30 or line.endswith((",", ";", ":")) or is_crumb(line):
            continue
        if parse_byline(line) is None and find_date(line) is None:
            return i
    return -1


def _title_headline(first: str) -> str:
    """Without a repeated headline line: the page title line minus the site name."""
    parts = TITLE_SEPARATORS.split(first)
    title = max(parts, key=len) if len(parts) > 1 else first
    if 2 <= word_count(title) <= 30 and not (title.endswith(".") and word_count(title) > 20):
        return title
    return ""


def choose_headline(lines: list[str], h_index: int, lo: int, start: int) -> str:
    """The headline: the repeated line (``h_index``), a bare story's first line, or the
    title line minus its site name; '' when there is none.  ``lo`` is 1 when the first
    line is a title (short), ``start`` the body's first line."""
    if h_index >= 0:
        return lines[h_index]
    if lo and start <= 2 and 2 <= word_count(lines[0]) <= 30:
        return lines[0]  # a bare story (headline, then paragraphs): the line is all headline
    return _title_headline(lines[0]) if lo else ""


def dek_of(between: list[str], headline: str, byline: str, full_page: bool) -> str:
    """The standfirst: a summary line between headline and body.

    On a full page, only the line right under the headline (before any byline)
    counts: lines just above the body there are mostly picture captions.  On a short
    scrape (headline, byline, caption, dek, body) it is the last such line.
    """
    def fits(ln: str) -> bool:
        return (len(ln.split()) >= (8 if full_page else 6) and ln not in (headline, byline)
                and not find_date(ln) and not NOTICE_RE.search(ln) and not BOILERPLATE_RE.match(ln)
                and not parse_byline(ln) and not CREDIT_RE.search(ln) and not _NOT_DEK_RE.search(ln)
                and sum(t.isdigit() for t in TOKEN_RE.findall(ln)) <= 0.15 * len(ln.split()))  # no scores, dates

    if full_page:
        for ln in between[:2]:
            if ln == byline:
                break
            if fits(ln):
                return ln
        return ""
    return next((ln for ln in reversed(between) if fits(ln)), "")
