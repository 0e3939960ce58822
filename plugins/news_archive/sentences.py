"""Sentences of a story's plain text, for the lines a reader sees out of context: the
sentence that names an entity on its page, and a story's lead on the home page.

spaCy's sentence starts (from a pipeline without a parser) cut quotations in the wrong
place: entity pages showed ``…lock up terror suspects. "`` (the opening quote of the next
sentence left at the end) and sentences starting mid-way.  A sentence here ends at
``.``, ``!``, ``?`` or ``…`` plus any closing quotes and brackets, before whitespace and
a capital, digit or opening quote; never after an abbreviation ("Mr.", "U.S.") or an
initial ("George W. Bush"), and never across a paragraph.
"""

from __future__ import annotations

import re

# Words after which a full stop does not end a sentence.
ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof st gen lt col sgt capt cpt maj adm sen rep gov pres rev fr jr sr mt ft "
    "no nos vs etc inc co corp ltd plc bros dept univ approx est fig jan feb mar apr jun jul aug "
    "sep sept oct nov dec u.s u.k u.n e.u a.m p.m".split()
)
_BOUNDARY = re.compile(r"[.!?\u2026]+[\"'\u201d\u2019)\]]*(?=\s+[\"'\u201c\u2018(\[]?[A-Z0-9\u00c0-\u024f])")
_TERMINAL = (".", "!", "?", "\u2026", '"', "'", "\u201d", "\u2019", ")", ":")
_LAST_TOKEN = re.compile(r"(\S+)$")


def _ends_sentence(paragraph: str, punct_start: int, punct: str) -> bool:
    """Whether punctuation at ``punct_start`` closes a sentence (not "Mr." or "W.")."""
    if not punct.startswith(".") or punct.startswith(".."):
        return True  # "!", "?", "…", "...": always an end
    m = _LAST_TOKEN.search(paragraph[max(0, punct_start - 30):punct_start])
    word = m.group(1).lstrip("\"'\u201c\u2018([").casefold() if m else ""
    if word in ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
        return False
    return not ("." in word and len(word) <= 4)  # "U.S", "a.m"


def sentence_spans(paragraph: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each sentence of one paragraph, whitespace excluded."""
    spans, start = [], 0
    for m in _BOUNDARY.finditer(paragraph):
        if _ends_sentence(paragraph, m.start(), m.group()):
            spans.append((start, m.end()))
            start = m.end()
    spans.append((start, len(paragraph)))
    out = []
    for s, e in spans:
        chunk = paragraph[s:e]
        lead = len(chunk) - len(chunk.lstrip())
        if chunk.strip():
            out.append((s + lead, s + len(chunk.rstrip())))
    return out


def sentence_at(text: str, offset: int, limit: int = 400) -> str:
    """The whole sentence of ``text`` containing character ``offset``, one line."""
    para_start = text.rfind("\n\n", 0, offset)
    para_start = para_start + 2 if para_start >= 0 else 0
    # A paragraph that starts in lower case after one that does not end a sentence is the
    # rest of that sentence (a dump broke it): "…range from China's" / "economic power…".
    while para_start >= 2 and text[para_start:para_start + 1].islower() \
            and not text[:para_start - 2].rstrip().endswith(_TERMINAL):
        prev = text.rfind("\n\n", 0, para_start - 2)
        para_start = prev + 2 if prev >= 0 else 0
    para_end = text.find("\n\n", offset)
    para_end = para_end if para_end >= 0 else len(text)
    while para_end < len(text) and not text[:para_end].rstrip().endswith(_TERMINAL) \
            and text[para_end:].lstrip()[:1].islower():
        nxt = text.find("\n\n", para_end + 2)
        para_end = nxt if nxt >= 0 else len(text)
    paragraph = text[para_start:para_end]
    local = offset - para_start
    chosen = ""
    for s, e in sentence_spans(paragraph):
        if s <= local < e or local < s:
            chosen = paragraph[s:e]
            break
    return _clip(re.sub(r"\s+", " ", chosen).strip(), limit)


def lead_sentence(paragraphs: list[str], limit: int = 300) -> str:
    """The first sentence of a story's body (its lead), for a list without a dek."""
    for paragraph in paragraphs:
        spans = sentence_spans(paragraph)
        if spans:
            s, e = spans[0]
            return _clip(re.sub(r"\s+", " ", paragraph[s:e]).strip(), limit)
    return ""


def _clip(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "\u2026"
