"""Words of a line: the tokenisers and the normal form every ingest module compares lines by.

Two tokenisers, on purpose:

* ``WORD_RE`` (``\\w+``) is what the field parsers and the furniture rules count and
  compare with (``norm``, ``word_total``): their thresholds were set in those words.
* ``TOKEN_RE`` keeps a letter together with its combining marks.  Python's ``\\w``
  leaves out the vowel signs of Indic scripts (Devanagari, Bengali, Tamil…), Thai and
  Arabic harakat, which would cut 'पकड़ा' into pieces and make every Hindi line look
  twice as long and half as prose; the text extractor measures lines with it
  (``norm_tokens``, ``word_count``).
"""

from __future__ import annotations

import re

__all__ = [
    "CJK_RE", "MARKUP_RE", "SENTENCE_END", "TITLE_SEPARATORS", "TOKEN_RE", "UNSPACED_RE", "URL_RE", "WORD_RE",
    "norm", "norm_tokens", "tokens", "word_count", "word_total",
]

WORD_RE = re.compile(r"\w+", re.UNICODE)

_MARKS = "\u0300-\u036f\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0900-\u0dff\u0e00-\u0eff"
TOKEN_RE = re.compile(rf"[^\W_][\w{_MARKS}]*|[{_MARKS}]+", re.UNICODE)
# Chinese and Japanese (Korean puts spaces between words and has a stop-word list).
CJK_RE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]")
# Scripts written without spaces between words (Thai, Lao, Khmer, Myanmar): about four
# characters a word; prose in them runs long between the spaces that end clauses.
UNSPACED_RE = re.compile(r"[\u0e00-\u0e7f\u0e80-\u0eff\u1000-\u109f\u1780-\u17ff]")
# How sentences end in the scripts the archive sees: Latin, CJK (。！？), Arabic and Urdu
# (؟ ۔), Devanagari (। ॥), Myanmar (။), Khmer (។), Ethiopic (።), Armenian (։), Greek (;).
SENTENCE_END = (".", "?", "!", "\u201d", '"', "\u2019", "'", ")", ":", "\u3002", "\uff01", "\uff1f", "\u2026", "»",
                "\uff61", "\u06d4", "\u061f", "\u0964", "\u0965", "\u104b", "\u17d4", "\u1362", "\u0589",
                "\u037e", "\u00bb", "\u300d", "\u300f")
# Between the parts of a page title: '<headline> - <site>', '<site> | <headline>'.
TITLE_SEPARATORS = re.compile(r"\s+(?:[-|–—•·:»«]|::|--)\s+")
# Markup a text dump quotes ('<a href="javascript:alert(1)">', '<script>', 'javascript:…'):
# one thing on the line, one word, whatever names and values it holds.  Only HTML
# elements: '<The Palace: Tale of Jang Noksu>' is a title in brackets, its words words.
_ELEMENTS = ("a|abbr|applet|article|audio|b|base|body|br|button|details|div|em|embed|figure|footer|form|frame|"
             "frameset|h[1-6]|head|header|html|i|iframe|img|input|li|link|main|marquee|math|meta|nav|noscript|"
             "object|ol|option|p|script|section|select|source|span|strong|style|svg|table|td|template|textarea|"
             "th|title|tr|u|ul|video|xml")
MARKUP_RE = re.compile(
    r"<(script|style)\b[^<>]{0,500}>[^<]{0,500}</\1\s*>"  # a script with its code: '<script>alert(1)</script>'
    rf"|</?(?:{_ELEMENTS})(?=[\s/>])[^<>]{{0,500}}>|\b(?:javascript|vbscript):[^\s<>]+",
    re.I,
)
_MARKUP_TOKEN = "<markup>"
# A web address is one thing on a line too: 'https://www.example.org/politics/2021/03/15/rail-budget'
# is one word a reader skips, not the twelve its parts would count.
URL_RE = re.compile(r"\b(?:https?://|www\.)[^\s<>\"']+", re.I)
_URL_TOKEN = "<url>"


def norm(text: str) -> str:
    """A line in ``\\w+`` words, case-folded: insensitive to case, punctuation and spacing."""
    return " ".join(WORD_RE.findall(text.casefold()))


def word_total(text: str) -> int:
    """How many ``\\w+`` words a line has."""
    return len(WORD_RE.findall(text))


def norm_tokens(line: str) -> str:
    """A line in ``TOKEN_RE`` tokens (letters with their marks), case-folded."""
    return " ".join(TOKEN_RE.findall(line.casefold()))


def tokens(text: str) -> list[str]:
    """A line's ``TOKEN_RE`` tokens, each piece of quoted markup (``MARKUP_RE``) and each web
    address (``URL_RE``) one token."""
    extra: list[str] = []
    if "<" in text or ":" in text:
        markup = len(MARKUP_RE.findall(text))
        if markup:
            text, extra = MARKUP_RE.sub(" ", text), [_MARKUP_TOKEN] * markup
    if "://" in text or "www." in text.lower():
        urls = len(URL_RE.findall(text))
        text, extra = URL_RE.sub(" ", text), extra + [_URL_TOKEN] * urls
    return TOKEN_RE.findall(text) + extra


def word_count(text: str) -> int:
    """Words in a line, also in scripts without spaces (two CJK or four Thai characters a word);
    quoted markup is one word."""
    count = len(tokens(text))
    cjk = len(CJK_RE.findall(text))
    if cjk > len(text) * 0.3:
        return max(count, cjk // 2)
    unspaced = len(UNSPACED_RE.findall(text))
    if unspaced > len(text) * 0.3:
        return max(count, unspaced // 4)
    return count
