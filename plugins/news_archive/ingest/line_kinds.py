"""Lines of a text dump, measured and classified: prose, short, neutral, boilerplate, footer, stop.

Article paragraphs are running prose: long lines that end like sentences and are
dense in the language's stop words (``language.py``); CJK text is measured in
characters, and scripts without stop-word lists by their shape alone.  Link-like short
lines (menu items, "Share", "Log in"), picture credits and lines the site repeats on
other pages are boilerplate; footer headings ("Related Articles") and site notices
start the page's furniture; a comments heading stops the article.  Each kind has a
score, which ``body_span.py`` sums to find the article.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .furniture import BOILERPLATE_RE, COMMENTS_RE, CREDIT_RE, FOOTER_RE, NOTICE_RE
from .site_furniture import line_key
from .words import CJK_RE, SENTENCE_END, UNSPACED_RE, tokens, word_count

__all__ = ["Line", "classify", "classify_lines", "measure"]


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


def measure(text: str, stopwords: frozenset[str] | None) -> Line:
    """A line's words, stop-word density and whether it ends like a sentence.

    ``stopwords`` None: the page's language has no stop-word list (Zulu, Xhosa…), so
    prose is told by its shape alone: long lines that end like sentences."""
    found = tokens(text)
    cjk = len(CJK_RE.findall(text))
    unspaced = len(UNSPACED_RE.findall(text))
    if cjk > len(text) * 0.3:
        # No spaces between words: about two characters a word, and prose has 。、
        words = word_count(text)
        density = 0.3 if re.search("[\u3001\u3002\uff0c]", text) else 0.0
    elif unspaced > len(text) * 0.3:
        # Thai and its neighbours: no stop-word list splits them; a long run is prose.
        words = word_count(text)
        density = 0.3 if unspaced >= 60 else 0.0
        return Line(text, words, density, text.endswith(SENTENCE_END) or unspaced >= 60)
    elif stopwords is None:
        words = len(found)
        density = 0.3 if words >= 8 and (text.endswith(SENTENCE_END) or words >= 25) else 0.0
    else:
        words = len(found)
        density = sum(1 for t in found if t.casefold() in stopwords) / words if words else 0.0
    return Line(text, words, density, text.endswith(SENTENCE_END))


def _furniture_kind(line: Line, repeated: bool) -> str:
    """The kind a furniture pattern (or the site's repetition) gives a line, else ''."""
    text = line.text
    if COMMENTS_RE.match(text):
        return "stop"
    if FOOTER_RE.match(text):
        return "footer"
    if BOILERPLATE_RE.match(text):
        return "bad"
    if repeated or (line.words < 40 and CREDIT_RE.search(text)):
        return "bad"  # furniture of the site, or a picture caption/credit (captions are short)
    if line.words < 80 and NOTICE_RE.search(text):
        return "footer"  # cookie, newsletter and copyright notices: the page's furniture starts
    return ""


def _shape_kind(line: Line) -> str:
    """The kind a line's shape gives it: prose, a long non-prose run, a short item or neither."""
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


def classify(line: Line, repeated: bool) -> str:
    """The kind of a line; ``repeated``: other pages of the site carry it too."""
    return _furniture_kind(line, repeated) or _shape_kind(line)


def classify_lines(lines: list[str], stopwords: frozenset[str] | None, furniture: frozenset[int]) -> list[Line]:
    """Every line measured and classified, the site's furniture (line keys) as boilerplate.

    Another copy of this very story would mark its paragraphs as furniture: when the
    repetition would remove most of the page's prose, it is trusted only for lines
    that are not prose.
    """
    measured = [measure(ln, stopwords) for ln in lines]
    for m in measured:
        m.kind = classify(m, False)
    if not furniture:
        return measured
    prose = sum(m.words for m in measured if m.kind == "good")
    repeated = [line_key(m.text) in furniture for m in measured]
    kept_prose = sum(m.words for m, r in zip(measured, repeated, strict=True) if m.kind == "good" and not r)
    spare_prose = kept_prose < 0.5 * prose
    for m, r in zip(measured, repeated, strict=True):
        if r and not (spare_prose and m.kind == "good"):
            m.kind = classify(m, True)
    return measured
