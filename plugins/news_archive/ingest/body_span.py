"""The article's body in a text dump: one contiguous run of lines, and the lines kept in it.

Each classified line (``line_kinds.py``) scores + its word count when it is prose and
a penalty when it is boilerplate; the body is the highest-scoring run of lines (a
maximum-sum subarray), so an "Advertisement" line inside the article is bridged
while a 40-item menu or a footer heading ("Related Articles", "Leave a Comment")
ends it.  Then a trailing list of teasers is cut, a list the article introduces is
taken in, and inside the run only prose, short sentences, list items and subheadings
are kept.
"""

from __future__ import annotations

import re

from .errors import Rejected
from .furniture import NOTICE_RE
from .line_kinds import Line
from .words import norm_tokens

__all__ = ["article_span", "body_lines"]

# Lines below the headline within which prose counts in full, and the least weight further down.
_NEAR = 30
_FAR_WEIGHT = 0.25
# Words of prose after which a comments heading closes the article.
_PROSE_BEFORE_COMMENTS = 40
_BULLET_RE = re.compile(r"^(?:[-•*–·▪●]|\d{1,2}[.)])\s+\S")
_FURNITURE_KINDS = ("bad", "stop", "footer")


def _best_span(lines: list[Line], lo: int, anchor: int) -> tuple[int, int]:
    """The contiguous run of lines (from index lo) with the highest total score.

    Prose far below the headline (``anchor``) counts for less: the article follows
    its headline, while teasers and site blurbs sit further down the page.
    """
    best, best_span = 0.0, (lo, lo)
    total, start = 0.0, lo
    for i in range(lo, len(lines)):
        if total <= 0:
            total, start = 0.0, i
        score = lines[i].score
        distance = i - anchor
        if score > 0 and distance > _NEAR:
            score *= max(_FAR_WEIGHT, _NEAR / distance)
        total += score
        if total > best:
            best, best_span = total, (start, i + 1)
    return best_span


def _comments_limit(lines: list[Line], first: int) -> int:
    """Where a comments heading after the first paragraphs closes the article (else the end):
    comments and related stories below it are not searched (they are prose too)."""
    seen_prose = 0
    for k in range(first, len(lines)):
        if lines[k].kind == "good":
            seen_prose += lines[k].words
        elif lines[k].kind == "stop" and seen_prose >= _PROSE_BEFORE_COMMENTS:
            return k
    return len(lines)


def _trim_teasers(lines: list[Line], start: int, end: int) -> int:
    """Cut a trailing list of teasers (one paragraph each between headline/byline lines).

    Article paragraphs come in runs; a list of related stories is a series of lone
    prose lines each set apart by two or more non-prose lines.  The run-structure of
    the span's tail tells them apart.
    """
    groups: list[list[int]] = [[]]
    gap = 0
    for k in range(start, end):
        if lines[k].kind == "good":
            if gap >= 2 and groups[-1]:
                groups.append([])
            groups[-1].append(k)
            gap = 0
        else:
            gap += 1
    while len(groups) >= 3 and len(groups[-1]) == 1 and len(groups[-2]) == 1:
        groups.pop()
    last = groups[-1][-1] + 1 if groups[-1] else end
    # Keep short sentence lines that directly follow the last paragraph.
    while last < end and lines[last].kind not in ("good", *_FURNITURE_KINDS) and lines[last].sentence:
        last += 1
    return min(end, last)


def _list_item(line: Line) -> bool:
    """A line that can be an item of a list the article introduced with a colon."""
    return line.kind in ("short", "neutral", "good") and line.words <= 25


def _bulleted(line: Line | None) -> bool:
    return line is not None and line.kind in ("short", "neutral", "good") and bool(_BULLET_RE.match(line.text))


def _list_after(lines: list[Line], end: int, most: int = 60) -> int:
    """Extend the body over a list that ends the article: one its last paragraph
    introduces ('Tour dates:'), or a run of bulleted lines ('- Pledged $2.3bn …')."""
    if end < len(lines) - 1 and _bulleted(lines[end]) and _bulleted(lines[end + 1]):
        k = end
        while k < len(lines) and k - end < most and _bulleted(lines[k]):
            k += 1
        return k
    last = end - 1
    while last >= 0 and lines[last].kind not in ("good",) and not lines[last].sentence:
        last -= 1
    if last < 0 or not lines[last].text.endswith(":") or lines[last].kind in _FURNITURE_KINDS:
        return end
    k = last + 1
    while k < len(lines) and k - last <= most and _list_item(lines[k]):
        k += 1
    return max(end, k)


def article_span(lines: list[Line], lo: int, h_index: int) -> tuple[int, int, int]:
    """(start, end, headline index) of the article's lines, below the headline at ``h_index``
    (-1: none found) and never above ``lo`` (the title line).

    When nothing below the found headline reads as an article, the headline was a
    false match: the whole page is searched and the headline index becomes -1.
    """
    first = max(lo, h_index + 1)
    limit = _comments_limit(lines, first)
    start, end = _best_span(lines[:limit], first, max(h_index, 0))
    if start == end and h_index >= 0:
        h_index = -1
        start, end = _best_span(lines, lo, 0)
    if start == end:
        raise Rejected("no article found: no paragraph of running text")
    end = _trim_teasers(lines, start, end)
    return start, _list_after(lines, end), h_index


def _keep_in_body(line: Line, prev: Line | None, nxt: Line | None) -> bool:
    """Inside the body span: prose, short sentences and subheadings, never furniture."""
    if line.kind == "good":
        return True
    if line.kind in _FURNITURE_KINDS:
        return False
    if _bulleted(line) and (_bulleted(prev) or _bulleted(nxt)):
        return True  # an item of a bulleted list inside the article
    if line.sentence and line.words >= 2 and not NOTICE_RE.search(line.text):
        return True  # short paragraphs ("Yes, that's it.") and quotes
    # A subheading: a title-like line between two paragraphs.
    return (
        line.kind == "neutral" and 3 <= line.words <= 15 and prev is not None and nxt is not None
        and prev.kind == "good" and nxt.kind == "good"
    )


def body_lines(lines: list[Line], start: int, end: int) -> list[str]:
    """The paragraphs kept from the span: no furniture, no repeats, no teaser of a paragraph.

    The items of a list the article introduced ('The tour dates are:') are kept while
    they last, whatever their shape.
    """
    body: list[str] = []
    seen: set[str] = set()
    in_list = False
    for k in range(start, end):
        m = lines[k]
        listed = in_list and _list_item(m)
        prev, nxt = (lines[k - 1] if k > start else None), (lines[k + 1] if k + 1 < end else None)
        if not listed and not _keep_in_body(m, prev, nxt):
            in_list = in_list and m.kind not in _FURNITURE_KINDS
            continue
        in_list = m.text.endswith(":") or listed
        key = norm_tokens(m.text)
        # A teaser repeats (the start of) a paragraph already in the article.
        if key in seen or (body and len(key) > 40 and norm_tokens(body[0])[:60] in key and k > start + 3):
            continue
        seen.add(key)
        body.append(m.text)
    return body
