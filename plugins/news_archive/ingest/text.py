"""Plain-text dumps of news pages → Story, using only the text itself.

Two kinds of text dump arrive: short *scrapes* (breadcrumb, headline, ``by AFP``,
caption, dek, paragraphs, footer) and *full-page* dumps (site title line, whole
navigation menus one item a line, headline, byline/date line, paragraphs, related
links, footers, cookie notices, sometimes not in English).  One extractor handles
both, because the same general facts about web pages hold in each:

* **Sentence shape and stop words.**  Article paragraphs are running prose: long
  lines that end like sentences and are dense in the language's function words
  ("the", "of", "und", "yang"…).  Menus, tag lists and headlines are not.  The
  language is guessed from which stop-word list (jusText's, shipped with
  trafilatura) covers the most of the page, so the density test works for German,
  Portuguese or Indonesian pages too; CJK text is measured in characters.
* **Link-like short lines** (menu items, "Share", "Log in") are boilerplate.
* **Position and contiguity.**  The body is one contiguous region: each line scores
  + its word count when it is prose and a penalty when it is boilerplate, and the
  body is the highest-scoring run of lines (a maximum-sum subarray), so an
  "Advertisement" line inside the article is bridged while a 40-item menu or a
  footer heading ("Related Articles", "Leave a Comment") ends it.
* **Repetition across dumps of the same site** (``site_furniture``): a line that
  recurs on other pages of the same site is site furniture, not this article.
* **The headline is the line the page title repeats.**  Full pages start with a
  ``<headline> - <site>`` title line and scrapes with a breadcrumb ending in the
  headline; the headline is the line above the body that another line starts or
  ends with.  Byline and date lines between headline and body give authors and a
  published date (``date_source`` "text"; see ``byline.py``).

Each fact has its module: ``language.py`` (stop words), ``line_kinds.py`` (measuring
and classifying lines), ``site_furniture.py`` (repetition across dumps),
``body_span.py`` (the body's run of lines and what is kept in it) and ``headline.py``
(headline and dek); ``read_text`` puts them together.
"""

from __future__ import annotations

import unicodedata

from ..story import Story
from .body_span import article_span, body_lines
from .byline import parse_head
from .decode import decode_char_refs
from .errors import Rejected
from .fields import agency_of, clean_line, take_dateline
from .furniture import not_article, strip_furniture
from .headline import choose_headline, crumb_headline_index, dek_of, headline_index
from .language import page_stopwords
from .line_kinds import classify_lines
from .site_furniture import site_of
from .words import word_count

__all__ = ["decode_char_refs", "read_text"]

# Lines above the body a full page has at least (menus, title, byline); a scrape has fewer.
_FULL_PAGE_START = 12
# A first line this long is a paragraph, not a title line.
_TITLE_MAX_WORDS = 40
# Lines above the body searched for byline, date and dek when no headline line was found.
_HEAD_LINES = 8


def _clean_lines(text: str) -> list[str]:
    """The dump's non-empty lines, NFC, cleaned of control characters and extra spaces."""
    lines = [clean_line(unicodedata.normalize("NFC", ln)) for ln in text.split("\n")]
    return [ln for ln in lines if ln]


def read_text(text: str, origin: str, furniture: frozenset[int] | None = None) -> Story:
    """Extract headline, byline, date, dek and body paragraphs from a text dump.

    ``furniture`` names lines (``site_furniture.line_key``) that other pages of the
    same site repeat; they are treated as boilerplate.
    """
    text = decode_char_refs(text)
    lines = _clean_lines(text)
    if not lines:
        raise Rejected("empty file (only whitespace)")
    measured = classify_lines(lines, page_stopwords(text), furniture or frozenset())
    # The title line opens the page; the article starts below its headline.
    lo = 1 if len(lines) > 1 and measured[0].words < _TITLE_MAX_WORDS else 0
    start, end, h_index = article_span(measured, lo, headline_index(lines))
    body = body_lines(measured, start, end)
    if sum(word_count(p) for p in body) < 15 and not any(m.kind == "good" for m in measured[start:end]):
        raise Rejected("no article found: too little running text")
    if h_index < 0 and lo:
        h_index = crumb_headline_index(lines, start)
    headline = choose_headline(lines, h_index, lo, start)
    if not headline:
        raise Rejected("no article found: no headline above the body")
    kept = strip_furniture(body, headline)
    reason = not_article(headline, body, kept)
    if reason:
        raise Rejected(reason)
    between = lines[h_index + 1 : start] if h_index >= 0 else lines[max(lo, start - _HEAD_LINES) : start]
    head = parse_head(between, site_of(text))
    full_page = start > _FULL_PAGE_START
    dateline, agency = take_dateline(kept)
    return Story(
        headline=headline,
        body=kept,
        dek=dek_of(between, headline, head.byline, full_page=full_page),
        authors=head.authors,
        byline=head.byline,
        source=head.source or agency or (agency_of(head.byline) if head.byline else ""),
        dateline=dateline,
        published=head.published,
        date_source="text" if head.published else "",
        origin=origin,
        format="page-text" if full_page else "scrape-text",
    )
