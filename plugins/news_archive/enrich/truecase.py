"""All-caps lines put back in ordinary case before the model reads them, offsets kept.

Wire copy shouts: headlines (``SOCCER - JAPAN GET LUCKY WIN , CHINA IN SURPRISE
DEFEAT .``), datelines (``LONDON 1996-08-30``) and table rows (``NEW YORK 74 55 .574``)
come in capitals, and the small English model, trained on mixed case, reads capitals as
names everywhere or nowhere (``BASEBALL`` a person, ``JONK`` and ``MINNESOTA`` nothing).
Each word of such a line gets the case the same story gives it elsewhere (``win`` and
``defeat`` in the body, ``Japan``), a common English word is written small, any other
word with a capital first letter (a name, most likely, in a line of capitals).

Only the model sees this text: every change keeps the length of each character (a letter
whose other case is longer, like ``ß``, stays as it is), so the model's spans are spans of
the story's own text, which the clean-up and the pages read.  The result depends on the
one text alone, so the NER cache, keyed by the text, stays right (``ner.NER_VERSION``
says this code is in the key).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from functools import lru_cache

_WORD = re.compile(r"[^\W\d_][^\W_]*(?:['\u2019.-][^\W\d_][^\W_]*)*")
_MIN_LETTERS = 4  # "US", "UK 1996-08-30": too little to say the line shouts


@lru_cache(maxsize=1)
def _common() -> frozenset[str]:
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS) | _HEADLINE_WORDS


# Words of wire headlines and tables that are no names (spaCy's stop words have the rest).
_HEADLINE_WORDS = frozenset("""
win wins won beat beats lose loses lost draw draws drew held hold lead leads leading top tops take takes
over after before at v vs versus results result standings table tables scores score scoreboard summary
summaries league division group round final finals semi quarter game games match matches friendly squad
team teams cup championship championships open world national international says say said
new old record records first second third win's day days week weeks year years month season seasons
victory defeat defeats surprise lucky late early home away goal goals point points test tests series
innings runs wicket wickets close closing prices price shares share stocks stock market markets trade
rate rates rise rises fall falls up down report reports news talks deal deals bid bids plan plans
government police army troops war peace election elections vote votes court minister ministers president
talks killed kill kills dead death deaths attack attacks bomb bombs rebels party parties rally rallies
soccer football baseball basketball cricket tennis golf rugby union athletics cycling boxing hockey skiing
swimming rowing sailing motorcycling racing motor horse olympics yachting badminton volleyball handball
""".split())


def is_caps_line(line: str) -> bool:
    letters = [ch for ch in line if ch.isalpha()]
    return len(letters) >= _MIN_LETTERS and not any(ch.islower() for ch in letters) \
        and any(ch.isupper() for ch in letters)


def _recase(word: str, form: str) -> str:
    """``word`` with the case of ``form`` (the same word, other case), char by char."""
    out = []
    for ch, want in zip(word, form, strict=True):
        out.append(want if len(want) == 1 and want.casefold() == ch.casefold() else ch)
    return "".join(out)


def _title(word: str) -> str:
    """``NEW`` → ``New``, ``AL-QAEDA`` → ``Al-Qaeda``, ``O'NEILL`` → ``O'Neill``."""
    out, up = [], True
    for ch in word:
        low = ch.lower()
        out.append(ch if up or len(low) != 1 else low)
        up = not ch.isalpha()
    return "".join(out)


def _body_forms(lines: list[str]) -> dict[str, str]:
    """The usual case of each word in the text's ordinary lines (not counting a sentence's
    first word, which is capitalised whatever it is)."""
    seen: dict[str, Counter[str]] = defaultdict(Counter)
    for line in lines:
        for m in _WORD.finditer(line):
            before = line[:m.start()].rstrip()
            if before and before[-1] not in ".!?:\"\u201c(-":  # not a sentence's first word
                seen[m.group(0).casefold()][m.group(0)] += 1
    return {k: c.most_common(1)[0][0] for k, c in seen.items()}


def model_text(text: str) -> str:
    """``text`` with its all-caps lines in ordinary case (same length, same offsets)."""
    if not any(ch.isupper() for ch in text):
        return text
    lines = text.split("\n")
    caps = [i for i, line in enumerate(lines) if is_caps_line(line)]
    if not caps:
        return text
    capset = set(caps)
    forms = _body_forms([line for i, line in enumerate(lines) if i not in capset])
    common = _common()
    for i in caps:
        line = lines[i]
        out, pos, first = [], 0, True
        for m in _WORD.finditer(line):
            w = m.group(0)
            low = w.casefold()
            form = forms.get(low)
            if form is not None and len(form) == len(w):
                new = _recase(w, form)
            elif low in common or (len(low) > 3 and low.rstrip("s") in common):
                new = _recase(w, w.lower()) if len(w.lower()) == len(w) else w
            elif len(w) <= 1:
                new = w.lower() if line[m.start() - 1:m.start()] in ("'", "\u2019") and m.start() else w
            else:
                new = _title(w)
            if first:
                new = new[:1].upper() + new[1:] if len(new[:1].upper()) == 1 else new
                first = False
            out.append(line[pos:m.start()] + new)
            pos = m.end()
        out.append(line[pos:])
        lines[i] = "".join(out)
    return "\n".join(lines)
