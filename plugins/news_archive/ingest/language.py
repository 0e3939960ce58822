"""Which stop words make a line of a page read like prose, in the page's own language.

Article paragraphs are dense in the language's function words ("the", "of", "und",
"yang"…); menus, tag lists and headlines are not.  The language is guessed from which
stop-word list (jusText's, shipped with trafilatura, 100 languages) covers the most
of the page, so the density test works for German, Portuguese or Indonesian pages too.
"""

from __future__ import annotations

from collections import Counter
from functools import lru_cache

from .words import CJK_RE, TOKEN_RE, UNSPACED_RE

__all__ = ["guess_stopwords", "page_stopwords"]

# Below this share of a page's tokens, the best stop-word list is not the page's language.
_MIN_STOP_COVERAGE = 0.08


@lru_cache(maxsize=1)
def _stoplists() -> tuple[list[frozenset[str]], dict[str, list[int]]]:
    """jusText's stop-word lists, loaded once (read-only data), with an index word → lists."""
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
    for token, n in Counter(t.casefold() for t in TOKEN_RE.findall(text)).items():
        for i in index.get(token, ()):
            hits[i] += n
    best = max(range(len(lists)), key=hits.__getitem__) if lists else -1
    return lists[best] if best >= 0 and hits[best] else frozenset()


def page_stopwords(text: str) -> frozenset[str] | None:
    """The page's stop words, or None when no list fits its language (Zulu, Xhosa…):
    then prose is measured by its shape alone rather than read as never prose."""
    words = guess_stopwords(text)
    tokens = [t.casefold() for t in TOKEN_RE.findall(text) if not CJK_RE.match(t) and not UNSPACED_RE.match(t)]
    if len(tokens) < 20 or not _stoplists()[0]:
        return words
    covered = sum(1 for t in tokens if t in words)
    return words if covered >= _MIN_STOP_COVERAGE * len(tokens) else None
