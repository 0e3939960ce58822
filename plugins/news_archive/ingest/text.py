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

_TOKEN_RE = re.compile(r"\w+", re.UNICODE)
_CJK_RE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
_SENTENCE_END = (".", "?", "!", "\u201d", '"', "\u2019", "'", ")", ":", "\u3002", "\uff01", "\uff1f", "\u2026", "»")
_TITLE_SEPARATORS = re.compile(r"\s+(?:[-|–—•·:»«]|::|--)\s+")

# Headings after which only comments follow: they end an article.
_COMMENTS_RE = re.compile(
    r"^(leave a (comment|reply)|comments?( \(\d+\))?|\d+ comments?|join the (discussion|conversation)|"
    r"post a comment|add (a|your) comment|\d+ (responses|replies|comments|thoughts) (to|on) .*|"
    r"show comments|view comments|discussion)\W*$",
    re.I,
)
# Headings of related-story boxes and footers; such a box can also sit inside an article.
_FOOTER_RE = re.compile(
    r"^(related (articles?|stories|posts|content|news|coverage|links|topics|reading)( (from|on|in) .{1,60})?|"
    r"more (stories|news|articles)( from .*)?|more( from)? [\w.&' -]{1,40}|"
    r"share this( article| story)?:?|you (may|might) (also )?like|"
    r"recommended( for you| stories)?|read (more|next)|"
    r"(most )?(popular|read|viewed)( stories| articles| now)?|trending( now)?|filed under:?|tags?:?|"
    r"about the author|what others are reading|"
    r"sponsored (content|stories|links)|around the web|from around the web|also (on|in) .{1,40}|"
    r"latest (news|stories|articles)|top stories|editor'?s picks?|more from .{1,40}|newsletter)\W*$",
    re.I,
)
# Lines that are furniture wherever they appear.
_BOILERPLATE_RE = re.compile(
    r"^(file photo|photo:?|image:?|advertisement|advertising|ad|share|tweet|e-?mail|print|"
    r"click to (share|print|email).*|skip to (main )?content|jump to .*|menu|search|home|close|"
    r"log ?in|sign ?in|sign up|register|subscribe|follow us|share on .*|comment|next|previous|"
    r"continue reading|scroll to .*|view (comments|gallery)|play video|watch:?|listen|loading.*)\W*$",
    re.I,
)
# Sentences that are site notices (cookies, consent, subscriptions), not journalism.
_NOTICE_RE = re.compile(
    r"(\b(uses?|using|accept|about|our|enable|allow) (of )?cookies|\bcookie (policy|settings|preferences)|"
    r"\bprivacy (policy|notice|settings)|\bterms (of (use|service)|and conditions)|all rights reserved|©|"
    r"\bcopyright \d{4}|\b(sign up|subscribe|register) (for|to) (our|the|a) (free )?(daily |weekly )?"
    r"(newsletter|email|updates)|\benable javascript|\bad ?blocker|\bby continuing to (use|browse)|"
    r"\bget short url|\bcontact us\b|\bcustomer service|\bopens? in a new (window|tab)|\bexternal links?\b|"
    r"\bfollow [\w .@]{1,40} on (twitter|facebook|instagram))",
    re.I,
)
_CREDIT_RE = re.compile(
    r"(\b(photo|illustration|image|picture)s?( illustration)? by\b|"
    r"\((ap|afp|reuters|getty|epa|ap photo|photo)\b[^)]*\)\s*$|\b(getty images|shutterstock|ap photo|"
    r"photo credit|image credit|photograph:|pictured:)|^(photo|image|picture|video|credit)s?\s*:)",
    re.I,
)

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


def _measure(text: str, stopwords: frozenset[str]) -> Line:
    tokens = _TOKEN_RE.findall(text)
    cjk = len(_CJK_RE.findall(text))
    if cjk > len(text) * 0.3:
        # No spaces between words: about two characters a word, and prose has 。、
        words = max(len(tokens), cjk // 2)
        density = 0.3 if re.search("[\u3001\u3002\uff0c]", text) else 0.0
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
        if len(cand.split()) < 2 or lines[i].endswith((",", ";")) or cand == site:
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
    if 2 <= len(title.split()) <= 30 and not (title.endswith(".") and len(title.split()) > 20):
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
    stopwords = guess_stopwords(text)
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
    if sum(len(p.split()) for p in body) < 15 and not any(m.kind == "good" for m in measured[start:end]):
        raise Rejected("no article found: too little running text")
    if h_index >= 0:
        headline = lines[h_index]
    elif lo and start <= 2 and 2 <= len(lines[0].split()) <= 30:
        headline = lines[0]  # a bare story (headline, then paragraphs): the line is all headline
    else:
        headline = _title_headline(lines[0]) if lo else ""
    if not headline:
        raise Rejected("no article found: no headline above the body")
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
