"""Highlighted snippets, fast.

Whoosh's highlighter runs the full analyzer (stemming included) over every result's
text on every request: ~30 ms per result here.  A word's analysed form never changes,
so we split the text with one C-level regex, look each distinct word up in a cache of
analysed forms, and pick the passage with the most distinct matched terms.  The
output is the text HTML-escaped, with matched words in ``<mark>``.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

from .schema import spell_analyzer, text_analyzer

_WORD = re.compile(r"\w+")
_SPACES = re.compile(r"\s+")
_TEXT = text_analyzer()
_SPELL = spell_analyzer()
SCAN_CHARS = 20000  # only the start of very long stories is scanned for passages


@lru_cache(maxsize=200_000)
def stem_of(word: str) -> str:
    """The analysed form of one word as the text fields index it ('' for a stop word)."""
    toks = [t.text for t in _TEXT(word)]
    return toks[0] if len(toks) == 1 else ""


@lru_cache(maxsize=200_000)
def folded(word: str) -> str:
    """The form of one word as the spelling field indexes it."""
    toks = [t.text for t in _SPELL(word)]
    return toks[0] if len(toks) == 1 else ""


def _snap_start(text: str, pos: int) -> int:
    """Move a passage start back to the beginning of its word (at most 30 characters)."""
    if pos <= 0:
        return 0
    lo = max(0, pos - 30)
    gap = max(text.rfind(c, lo, pos) for c in " \n\t")
    if gap >= 0:
        return gap + 1
    return 0 if lo == 0 else pos


def _snap_end(text: str, pos: int) -> int:
    """Move a passage end on to the end of its word (at most 30 characters)."""
    if pos >= len(text):
        return len(text)
    found = [i for i in (text.find(c, pos, pos + 30) for c in " \n\t") if i >= 0]
    if found:
        return min(found)
    return len(text) if len(text) - pos < 30 else pos


def make_snippet(text: str, terms: set[str] | frozenset[str], *, spelling: bool = False,
                 width: int = 240, passages: int = 2) -> str:
    """Up to ``passages`` passages of about ``width`` characters in all, matches marked; '' if none."""
    if not text or not terms:
        return ""
    key = folded if spelling else stem_of
    scan = text[:SCAN_CHARS]
    # Each distinct word is looked up once; then one regex finds where the matching ones are
    # (a word of the text is a maximal run of \w, so "not inside a longer run" is exact).
    forms = {w: k for w in set(_WORD.findall(scan)) if (k := key(w.lower())) and k in terms}
    if not forms:
        return ""
    words = re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, sorted(forms, key=len, reverse=True)))
                       + r")(?!\w)")
    hits = [(m.start(), m.end(), forms[m.group()]) for m in words.finditer(scan)][:300]
    span = max(width // passages, 60)
    # Best windows: most distinct terms, then most hits, earliest first.
    windows = []
    j = 0
    for i, (start, _, _) in enumerate(hits):
        j = max(j, i)
        while j < len(hits) and hits[j][1] <= start + span:
            j += 1
        inside = hits[i:j]
        windows.append((-len({h[2] for h in inside}), -len(inside), start))
    windows.sort()
    chosen: list[tuple[int, int]] = []
    for _, _, start in windows:
        lo = max(0, start - span // 4)
        hi = lo + span
        if all(hi <= a or lo >= b for a, b in chosen):
            chosen.append((lo, hi))
        if len(chosen) >= passages:
            break
    chosen.sort()
    parts = []
    for lo, hi in chosen:
        lo, hi = _snap_start(scan, lo), _snap_end(scan, hi)
        out, pos = [], lo
        for start, end, _ in hits:
            if start >= lo and end <= hi:
                out.append(html.escape(scan[pos:start], quote=False))
                out.append("<mark>" + html.escape(scan[start:end], quote=False) + "</mark>")
                pos = end
        out.append(html.escape(scan[pos:hi], quote=False))
        prefix = "… " if lo > 0 else ""
        suffix = " …" if hi < len(text) else ""
        parts.append(prefix + _SPACES.sub(" ", "".join(out)).strip() + suffix)
    return " ".join(parts).replace("… …", "…")
