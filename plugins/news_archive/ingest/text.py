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
* **Repetition across dumps of the same site** (``SiteBoilerplate``): a line that
  recurs on other pages of the same site is site furniture, not this article.
* **The headline is the line the page title repeats.**  Full pages start with a
  ``<headline> - <site>`` title line and scrapes with a breadcrumb ending in the
  headline; the headline is the line above the body that another line starts or
  ends with.  Byline and date lines between headline and body give authors and a
  published date (``date_source`` "text"; see ``byline.py``).
"""

from __future__ import annotations

import html
import html.entities
import re
import unicodedata
import zlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from ..story import Story
from .byline import find_date, parse_head
from .errors import Rejected
from .fields import agency_of, clean_line, parse_byline, take_dateline
from .furniture import BOILERPLATE_RE as _BOILERPLATE_RE
from .furniture import COMMENTS_RE as _COMMENTS_RE
from .furniture import CREDIT_RE as _CREDIT_RE
from .furniture import FOOTER_RE as _FOOTER_RE
from .furniture import NOTICE_RE as _NOTICE_RE
from .furniture import not_article, strip_furniture

# A word: letters with their combining marks.  Python's \w leaves out the vowel signs of
# Indic scripts (Devanagari, Bengali, Tamil…), Thai and Arabic harakat, which would cut
# 'पकड़ा' into pieces and make every Hindi line look twice as long and half as prose.
_MARKS = "\u0300-\u036f\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0900-\u0dff\u0e00-\u0eff"
_TOKEN_RE = re.compile(rf"[^\W_][\w{_MARKS}]*|[{_MARKS}]+", re.UNICODE)
# Chinese and Japanese (Korean puts spaces between words and has a stop-word list).
_CJK_RE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]")
# Scripts written without spaces between words (Thai, Lao, Khmer, Myanmar): about four
# characters a word; prose in them runs long between the spaces that end clauses.
_UNSPACED_RE = re.compile(r"[\u0e00-\u0e7f\u0e80-\u0eff\u1000-\u109f\u1780-\u17ff]")
# How sentences end in the scripts the archive sees: Latin, CJK (。！？), Arabic and Urdu
# (؟ ۔), Devanagari (। ॥), Myanmar (။), Khmer (។), Ethiopic (።), Armenian (։), Greek (;).
_SENTENCE_END = (".", "?", "!", "\u201d", '"', "\u2019", "'", ")", ":", "\u3002", "\uff01", "\uff1f", "\u2026", "»",
                 "\uff61", "\u06d4", "\u061f", "\u0964", "\u0965", "\u104b", "\u17d4", "\u1362", "\u0589",
                 "\u037e", "\u00bb", "\u300d", "\u300f")
_TITLE_SEPARATORS = re.compile(r"\s+(?:[-|–—•·:»«]|::|--)\s+")

# ---------------------------------------------------------------------------
# Language: which stop words make a line read like prose


@lru_cache(maxsize=1)
def _stoplists() -> tuple[list[frozenset[str]], dict[str, list[int]]]:
    """jusText's stop-word lists (100 languages), loaded once, with an index word → lists."""
    import justext

    lists = [frozenset(w.casefold() for w in justext.get_stoplist(name)) for name in sorted(justext.get_stoplists())]
    index: dict[str, list[int]] = {}
    for i, words in enumerate(lists):
        for w in words:
            index.setdefault(w, []).append(i)
    return lists, index


def guess_stopwords(text: str) -> frozenset[str]:
    """The stop-word list of the page's language: the one covering most of its tokens."""
    lists, index = _stoplists()
    hits = [0] * len(lists)
    for token, n in Counter(t.casefold() for t in _TOKEN_RE.findall(text)).items():
        for i in index.get(token, ()):
            hits[i] += n
    best = max(range(len(lists)), key=hits.__getitem__) if lists else -1
    return lists[best] if best >= 0 and hits[best] else frozenset()


# Below this share of a page's tokens, the best stop-word list is not the page's language.
_MIN_STOP_COVERAGE = 0.08


def page_stopwords(text: str) -> frozenset[str] | None:
    """The page's stop words, or None when no list fits its language (Zulu, Xhosa…):
    then prose is measured by its shape alone rather than read as never prose."""
    words = guess_stopwords(text)
    tokens = [t.casefold() for t in _TOKEN_RE.findall(text) if not _CJK_RE.match(t) and not _UNSPACED_RE.match(t)]
    if len(tokens) < 20 or not _stoplists()[0]:
        return words
    covered = sum(1 for t in tokens if t in words)
    return words if covered >= _MIN_STOP_COVERAGE * len(tokens) else None


# ---------------------------------------------------------------------------
# Site furniture seen across dumps


def _norm(line: str) -> str:
    return " ".join(_TOKEN_RE.findall(line.casefold()))


def site_of(text: str) -> str:
    """A site key from a page's title line: the part after the last separator ('… - SlashGear')."""
    first = text.lstrip().split("\n", 1)[0]
    parts = _TITLE_SEPARATORS.split(clean_line(first))
    return _norm(parts[-1]) if len(parts) > 1 and len(parts[-1].split()) <= 6 else ""


def line_key(line: str) -> int:
    """A stable key for a line, insensitive to case, punctuation and spacing."""
    return zlib.crc32(_norm(line).encode("utf-8"))


_CHAR_REF = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def decode_char_refs(text: str) -> str:
    """HTML character references left in a text dump (``&#163;1.8m``, ``&eacute;``) as the
    characters they stand for; only complete references (with their ``;``), and never one
    that would give a control character.  Everything else stays exactly as written (the
    text is escaped wherever it is shown)."""
    if "&" not in text:
        return text

    def one(m: re.Match[str]) -> str:
        ref = m.group()
        if ref[1] != "#" and ref[1:] not in html.entities.html5:  # "&notaref;" is no reference
            return ref
        char = html.unescape(ref)
        if char == ref or any(unicodedata.category(c) in ("Cc", "Cs") or c == "\ufffd" for c in char):
            return ref
        return char

    return _CHAR_REF.sub(one, text)


def page_lines(text: str) -> tuple[str, list[int]]:
    """(site key, keys of the page's distinct lines): what a page contributes to its site."""
    text = decode_char_refs(text)
    keys = {line_key(ln) for ln in text.split("\n") if ln.strip()}
    return site_of(text), sorted(keys)


class SiteBoilerplate:
    """Lines that recur on several pages of one site: navigation, footers, notices.

    Built from every text dump of a batch: for each site, how many pages carry each
    line.  A line is furniture for a page when at least ``min_pages`` other pages of
    the same site carry it too.  Two copies of the same story would make each other's
    paragraphs look like furniture; ``read_text`` guards against that by ignoring the
    evidence for prose when it would remove most of the page's prose.
    """

    def __init__(self, min_pages: int = 1) -> None:
        self.min_pages = min_pages
        self.sites: dict[str, Counter[int]] = {}

    def add(self, site: str, keys: Iterable[int]) -> None:
        if site:
            self.sites.setdefault(site, Counter()).update(set(keys))

    @classmethod
    def from_texts(cls, texts: Iterable[str]) -> SiteBoilerplate:
        board = cls()
        for text in texts:
            board.add(*page_lines(text))
        return board

    def furniture(self, site: str, keys: Iterable[int]) -> frozenset[int]:
        """Keys of this page's lines that other pages of its site also carry."""
        counter = self.sites.get(site)
        if not counter:
            return frozenset()
        return frozenset(k for k in set(keys) if counter.get(k, 0) - 1 >= self.min_pages)

    def repeated(self, text: str) -> frozenset[int]:
        return self.furniture(*page_lines(text))


# ---------------------------------------------------------------------------
# Lines


@dataclass
class Line:
    text: str
    words: int
    stop_density: float
    sentence: bool
    kind: str = ""  # good (prose), short, neutral, bad, footer (related box), stop (comments)

    @property
    def score(self) -> float:
        if self.kind == "good":
            return float(self.words)
        if self.kind == "stop":
            return -1000.0
        if self.kind == "footer":
            return -50.0
        if self.kind == "bad":
            return -3.0 - 0.5 * min(self.words, 40)
        if self.kind == "short":
            return -2.0
        return -1.0


def word_count(text: str) -> int:
    """Words in a line, also in scripts without spaces (two CJK or four Thai characters a word)."""
    tokens = len(_TOKEN_RE.findall(text))
    cjk = len(_CJK_RE.findall(text))
    if cjk > len(text) * 0.3:
        return max(tokens, cjk // 2)
    unspaced = len(_UNSPACED_RE.findall(text))
    if unspaced > len(text) * 0.3:
        return max(tokens, unspaced // 4)
    return tokens


def _measure(text: str, stopwords: frozenset[str] | None) -> Line:
    """``stopwords`` None: the page's language has no stop-word list (Zulu, Xhosa…), so
    prose is told by its shape alone: long lines that end like sentences."""
    tokens = _TOKEN_RE.findall(text)
    cjk = len(_CJK_RE.findall(text))
    unspaced = len(_UNSPACED_RE.findall(text))
    if cjk > len(text) * 0.3:
        # No spaces between words: about two characters a word, and prose has 。、
        words = word_count(text)
        density = 0.3 if re.search("[\u3001\u3002\uff0c]", text) else 0.0
    elif unspaced > len(text) * 0.3:
        # Thai and its neighbours: no stop-word list splits them; a long run is prose.
        words = word_count(text)
        density = 0.3 if unspaced >= 60 else 0.0
        return Line(text, words, density, text.endswith(_SENTENCE_END) or unspaced >= 60)
    elif stopwords is None:
        words = len(tokens)
        density = 0.3 if words >= 8 and (text.endswith(_SENTENCE_END) or words >= 25) else 0.0
    else:
        words = len(tokens)
        density = sum(1 for t in tokens if t.casefold() in stopwords) / words if words else 0.0
    return Line(text, words, density, text.endswith(_SENTENCE_END))


def _classify(line: Line, repeated: bool) -> str:
    text = line.text
    if _COMMENTS_RE.match(text):
        return "stop"
    if _FOOTER_RE.match(text):
        return "footer"
    if _BOILERPLATE_RE.match(text):
        return "bad"
    if repeated or (line.words < 40 and _CREDIT_RE.search(text)):
        return "bad"  # furniture of the site, or a picture caption/credit (captions are short)
    if line.words < 80 and _NOTICE_RE.search(text):
        return "footer"  # cookie, newsletter and copyright notices: the page's furniture starts
    if line.words >= 10 and line.stop_density >= 0.25 and (line.sentence or line.words >= 25):
        return "good"
    if line.words >= 6 and line.sentence and line.stop_density >= 0.15:
        return "good"
    if line.words >= 30 and line.stop_density >= 0.15:
        return "good"
    if line.words >= 20 and line.stop_density < 0.08:
        return "bad"  # long but not prose: tag clouds, lists of names
    if line.words <= 4 and not line.sentence:
        return "short"
    return "neutral"


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


# Lines below the headline within which prose counts in full, and the least weight further down.
_NEAR = 30
_FAR_WEIGHT = 0.25


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
    while last < end and lines[last].kind not in ("good", "bad", "stop", "footer") and lines[last].sentence:
        last += 1
    return min(end, last)


_BULLET_RE = re.compile(r"^(?:[-•*–·▪●]|\d{1,2}[.)])\s+\S")


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
    if last < 0 or not lines[last].text.endswith(":") or lines[last].kind in ("bad", "footer", "stop"):
        return end
    k = last + 1
    while k < len(lines) and k - last <= most and _list_item(lines[k]):
        k += 1
    return max(end, k)


def _keep_in_body(line: Line, prev: Line | None, nxt: Line | None) -> bool:
    """Inside the body span: prose, short sentences and subheadings, never furniture."""
    if line.kind == "good":
        return True
    if line.kind in ("bad", "stop", "footer"):
        return False
    if _bulleted(line) and (_bulleted(prev) or _bulleted(nxt)):
        return True  # an item of a bulleted list inside the article
    if line.sentence and line.words >= 2 and not _NOTICE_RE.search(line.text):
        return True  # short paragraphs ("Yes, that's it.") and quotes
    # A subheading: a title-like line between two paragraphs.
    return (
        line.kind == "neutral" and 3 <= line.words <= 15 and prev is not None and nxt is not None
        and prev.kind == "good" and nxt.kind == "good"
    )


# ---------------------------------------------------------------------------
# Headline


def _headline_index(lines: list[str]) -> int:
    """The first line that the page title or breadcrumb (the first line) repeats, or -1.

    Full pages open with ``<headline> - <site>``; scrapes with a breadcrumb
    ``Home News <headline>``; either way the headline is a later line that the first
    line starts or ends with (at least two words, and most of the title).  The site
    name (the title's last segment) is not a headline, and a line the title starts
    with is preferred to one it ends with.
    """
    if len(lines) < 2:
        return -1
    title = _norm(lines[0])
    parts = _TITLE_SEPARATORS.split(clean_line(lines[0]))
    site = _norm(parts[-1]) if len(parts) > 1 else ""
    suffix_match = -1
    for i in range(1, min(len(lines), 400)):
        cand = _norm(lines[i])
        if word_count(lines[i]) < 2 or lines[i].endswith((",", ";")) or cand == site:
            continue
        if cand == title or (title.startswith(cand + " ") and len(cand) >= 0.3 * len(title)):
            return i
        if suffix_match < 0 and title.endswith(" " + cand) and len(cand) >= 0.3 * len(title):
            suffix_match = i
    return suffix_match


def _title_headline(first: str) -> str:
    """Without a repeated headline line: the page title line minus the site name."""
    parts = _TITLE_SEPARATORS.split(first)
    title = max(parts, key=len) if len(parts) > 1 else first
    if 2 <= word_count(title) <= 30 and not (title.endswith(".") and word_count(title) > 20):
        return title
    return ""


# ---------------------------------------------------------------------------
# The extractor


_NOT_DEK_RE = re.compile(r"@\w|\bwww\.|https?://| > | \| |^(posted|updated|published|by)\b", re.I)


def _dek(between: list[str], headline: str, byline: str, full_page: bool) -> str:
    """The standfirst: a summary line between headline and body.

    On a full page, only the line right under the headline (before any byline)
    counts: lines just above the body there are mostly picture captions.  On a short
    scrape (headline, byline, caption, dek, body) it is the last such line.
    """
    def fits(ln: str) -> bool:
        return (len(ln.split()) >= (8 if full_page else 6) and ln not in (headline, byline)
                and not find_date(ln) and not _NOTICE_RE.search(ln) and not _BOILERPLATE_RE.match(ln)
                and not parse_byline(ln) and not _CREDIT_RE.search(ln) and not _NOT_DEK_RE.search(ln)
                and sum(t.isdigit() for t in _TOKEN_RE.findall(ln)) <= 0.15 * len(ln.split()))  # no scores, dates

    if full_page:
        for ln in between[:2]:
            if ln == byline:
                break
            if fits(ln):
                return ln
        return ""
    return next((ln for ln in reversed(between) if fits(ln)), "")


def read_text(text: str, origin: str, boilerplate: SiteBoilerplate | None = None,
              furniture: frozenset[int] | None = None) -> Story:
    """Extract headline, byline, date, dek and body paragraphs from a text dump.

    ``furniture`` (or a ``boilerplate`` to compute it from) names lines that other
    pages of the same site repeat; they are treated as boilerplate.
    """
    text = decode_char_refs(text)
    lines = [clean_line(unicodedata.normalize("NFC", ln)) for ln in text.split("\n")]
    lines = [ln for ln in lines if ln]
    if not lines:
        raise Rejected("empty file (only whitespace)")
    stopwords = page_stopwords(text)
    if furniture is None:
        furniture = boilerplate.repeated(text) if boilerplate else frozenset()
    measured = [_measure(ln, stopwords) for ln in lines]
    for m in measured:
        m.kind = _classify(m, False)
    if furniture:
        prose = sum(m.words for m in measured if m.kind == "good")
        repeated = [line_key(m.text) in furniture for m in measured]
        kept_prose = sum(m.words for m, r in zip(measured, repeated, strict=True) if m.kind == "good" and not r)
        # Another copy of this very story would mark its paragraphs as furniture:
        # then trust the repetition only for lines that are not prose.
        spare_prose = kept_prose < 0.5 * prose
        for m, r in zip(measured, repeated, strict=True):
            if r and not (spare_prose and m.kind == "good"):
                m.kind = _classify(m, True)
    # The title line opens the page; the article starts below its headline.
    h_index = _headline_index(lines)
    lo = 1 if len(lines) > 1 and measured[0].words < 40 else 0
    first = max(lo, h_index + 1)
    # A footer heading after the first paragraphs closes the article: comments and
    # related stories below it are not searched (they are prose too).
    limit = len(measured)
    seen_prose = 0
    for k in range(first, len(measured)):
        if measured[k].kind == "good":
            seen_prose += measured[k].words
        elif measured[k].kind == "stop" and seen_prose >= 40:
            limit = k
            break
    start, end = _best_span(measured[:limit], first, max(h_index, 0))
    if start == end and h_index >= 0:
        h_index = -1
        start, end = _best_span(measured, lo, 0)
    if start == end:
        raise Rejected("no article found: no paragraph of running text")
    end = _trim_teasers(measured, start, end)
    end = _list_after(measured, end)
    body: list[str] = []
    seen: set[str] = set()
    in_list = False
    for k in range(start, end):
        m = measured[k]
        listed = in_list and _list_item(m)
        if not listed and not _keep_in_body(
            m, measured[k - 1] if k > start else None, measured[k + 1] if k + 1 < end else None
        ):
            in_list = in_list and m.kind not in ("bad", "footer", "stop")
            continue
        in_list = m.text.endswith(":") or listed
        key = _norm(m.text)
        # A teaser repeats (the start of) a paragraph already in the article.
        if key in seen or (body and len(key) > 40 and _norm(body[0])[:60] in key and k > start + 3):
            continue
        seen.add(key)
        body.append(m.text)
    if sum(word_count(p) for p in body) < 15 and not any(m.kind == "good" for m in measured[start:end]):
        raise Rejected("no article found: too little running text")
    if h_index >= 0:
        headline = lines[h_index]
    elif lo and start <= 2 and 2 <= word_count(lines[0]) <= 30:
        headline = lines[0]  # a bare story (headline, then paragraphs): the line is all headline
    else:
        headline = _title_headline(lines[0]) if lo else ""
    if not headline:
        raise Rejected("no article found: no headline above the body")
    kept = strip_furniture(body, headline)
    reason = not_article(headline, body, kept)
    if reason:
        raise Rejected(reason)
    body = kept
    between = lines[h_index + 1 : start] if h_index >= 0 else lines[max(lo, start - 8) : start]
    head = parse_head(between, site_of(text))
    dek = _dek(between, headline, head.byline, full_page=start > 12)
    source = head.source
    dateline, agency = take_dateline(body)
    source = source or agency
    if not source and head.byline:
        source = agency_of(head.byline)
    return Story(
        headline=headline,
        body=body,
        dek=dek,
        authors=head.authors,
        byline=head.byline,
        source=source,
        dateline=dateline,
        published=head.published,
        date_source="text" if head.published else "",
        origin=origin,
        format="page-text" if start > 12 else "scrape-text",
    )
