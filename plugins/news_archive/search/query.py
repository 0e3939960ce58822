"""Readers' query strings → Whoosh queries, forgivingly.

The language (documented for readers on the ``/search/help`` page):

* words are all required (``flood warning``); ``OR``, ``AND``, ``NOT``, ``-word`` and
  parentheses work as usual; ``"exact phrase"`` matches the words in order;
* ``person:``, ``org:``, ``place:``, ``group:``, ``tag:``, ``source:``, ``author:``,
  ``headline:`` restrict a word or a quoted phrase to that field;
* ``date:2018``, ``date:2018-03``, ``date:2018-03-14``, ranges ``date:2016..2018``
  (either end may be left open) and ``date:>2017`` / ``date:<2017``; several ``date:``
  terms widen each other (any of them), and an undated article never matches one;
* ``elect*`` (at least three letters before the ``*``) and ``goverment~`` (fuzzy).

Nothing a reader types may produce an error page: control characters are dropped,
the length is capped, and a string the parser chokes on is searched as plain words.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from whoosh import query as Q
from whoosh.qparser import (
    AndGroup,
    FieldAliasPlugin,
    FuzzyTermPlugin,
    MultifieldParser,
    OrGroup,
    PlusMinusPlugin,
)
from whoosh.util.times import TimeError, adatetime, fix

from .schema import ENTITY_KINDS, make_schema

MAX_QUERY_CHARS = 300
MAX_TERMS = 24
MIN_WILDCARD_PREFIX = 3
DEFAULT_FIELDS = ("headline", "dek", "body", "tag")
FIELD_ALIASES = {
    "organisation": ["org", "organization", "organisations"],
    "person": ["people", "persons"],
    "place": ["places", "location"],
    "group": ["groups"],
    "tag": ["tags", "topic"],
    "author": ["authors", "by", "byline"],
    "headline": ["title"],
}
READER_FIELDS = ("headline", "dek", "body", "tag", "source", "author", *ENTITY_KINDS)
_DATE_TERM = re.compile(r"(?<!\S)(?:date|year):(\S*)", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")
_WORD = re.compile(r"[^\W\d_]{2,}")
_OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"}
_QUERY_SCHEMA = make_schema()


@dataclass
class ParsedQuery:
    """What a query string means, and what the reader should be told about it."""

    text: str                                   # the query as searched (cleaned, capped)
    query: Any = None                           # Whoosh query of the words (None: dates only)
    dates: list[tuple[datetime, datetime]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return self.query is None and not self.dates


def clean(raw: str) -> tuple[str, list[str]]:
    """Drop control characters, normalise, collapse spaces, cap the length."""
    notes: list[str] = []
    text = unicodedata.normalize("NFC", raw)
    text = _CONTROL.sub(" ", text).replace("\ufffd", " ")
    text = " ".join(text.split())
    if len(text) > MAX_QUERY_CHARS:
        cut = text[:MAX_QUERY_CHARS]
        text = cut.rsplit(" ", 1)[0] if " " in cut else cut
        notes.append(f"Your query was long; only its first {len(text)} characters were searched.")
    return text, notes


def _date_bounds(value: str) -> tuple[datetime, datetime] | None:
    """``2018``, ``2018-03``, ``2018-03-14`` → the first and last instant of that period."""
    m = re.fullmatch(r"(\d{4})(?:[-/.]?(\d{1,2})(?:[-/.]?(\d{1,2}))?)?", value)
    if not m:
        return None
    year, month, day = (int(g) if g else None for g in m.groups())
    try:
        at = fix(adatetime(year, month, day))
        return at.floor(), at.ceil()
    except (ValueError, OverflowError, TimeError):  # TimeError: 2018-13, 2018-02-30 (not a ValueError)
        return None


def parse_date(value: str) -> tuple[datetime, datetime] | None:
    """A ``date:`` value → an inclusive range, or None when it is not a date."""
    value = value.strip().strip("[]()")
    lo, hi = datetime(1, 1, 1), datetime(9999, 12, 31, 23, 59, 59)
    for op in (">=", "<=", ">", "<"):
        if value.startswith(op):
            bounds = _date_bounds(value[len(op):])
            if bounds is None:
                return None
            return {">=": (bounds[0], hi), ">": (bounds[1], hi),
                    "<=": (lo, bounds[1]), "<": (lo, bounds[0])}[op]
    if ".." in value:
        start, _, end = value.partition("..")
        b1 = _date_bounds(start) if start else (lo, lo)
        b2 = _date_bounds(end) if end else (hi, hi)
        if b1 is None or b2 is None or b1[0] > b2[1]:
            return None
        return b1[0], b2[1]
    return _date_bounds(value)


def make_parser(group: Any = AndGroup) -> MultifieldParser:
    parser = MultifieldParser(list(DEFAULT_FIELDS), schema=_QUERY_SCHEMA, group=group)
    # "-word" excludes only at the start of a word: "al-Qaeda" is one name, not "al NOT qaeda".
    parser.add_plugin(PlusMinusPlugin(plusexpr=r"(?<![^\s(])\+(?=\w)", minusexpr=r"(?<![^\s(])-(?=\w)"))
    parser.add_plugin(FuzzyTermPlugin())
    parser.add_plugin(FieldAliasPlugin(FIELD_ALIASES))
    return parser


_PARSERS = threading.local()  # one pair per server thread: a parser is not documented as thread-safe


def _parser(any_word: bool) -> MultifieldParser:
    if not hasattr(_PARSERS, "pair"):
        _PARSERS.pair = (make_parser(AndGroup), make_parser(OrGroup.factory(0.9)))
    return _PARSERS.pair[1 if any_word else 0]


def _tame(q: Any) -> Any:
    """Cap what one query may cost: short wildcards, wide fuzzy terms, internal fields."""
    if q.is_leaf() and getattr(q, "fieldname", None) not in (None, *READER_FIELDS):
        return Q.NullQuery
    if isinstance(q, Q.FuzzyTerm):
        if len(q.text) < 4:  # "ab~" would expand to half the vocabulary
            return Q.Term(q.fieldname, q.text)
        q.maxdist = min(q.maxdist, 2)
        # At least one letter fixed; never more than the word has ("bush~2/5" made Whoosh's
        # automaton index past the end of the word: an IndexError, a 500).
        q.prefixlength = min(max(q.prefixlength, 1), len(q.text))
        return q
    if isinstance(q, Q.Every):
        # "*" lists every article.  Every("body") walks every posting of every term of the
        # field (8 s on 20,000 articles); the field-less Every is the list of documents.
        return Q.Every()
    if isinstance(q, (Q.Wildcard, Q.Prefix)):
        literal = re.split(r"[*?]", q.text, maxsplit=1)[0]
        if len(literal) < MIN_WILDCARD_PREFIX:
            return Q.Term(q.fieldname, literal) if literal else Q.NullQuery
        return q
    if isinstance(q, (Q.Term, Q.Phrase, Q.Variations)):
        return q
    if hasattr(q, "subqueries"):
        q.subqueries = [_tame(s) for s in q.subqueries]
    elif hasattr(q, "child"):
        q.child = _tame(q.child)
    elif hasattr(q, "a") and hasattr(q, "b"):
        q.a, q.b = _tame(q.a), _tame(q.b)
    elif isinstance(q, (Q.TermRange, Q.NumericRange)):
        return Q.NullQuery  # ranges are only offered through date:
    return q


def _words_only(text: str) -> str:
    return " ".join(w for w in re.findall(r"\w+", text) if w not in _OPERATORS)


def parse(raw: str, any_word: bool = False) -> ParsedQuery:
    """Parse a reader's query; never raises.  ``any_word``: OR instead of AND."""
    text, notes = clean(raw)
    pq = ParsedQuery(text=text, notes=notes)
    words_part = text
    for m in list(_DATE_TERM.finditer(text)):
        bounds = parse_date(m.group(1))
        if bounds is None:
            shown = m.group(0)
            pq.notes.append(f"“{shown}” is not a date this search understands (try date:2018, "
                            "date:2018-03 or date:2016..2018); it was left out.")
        else:
            pq.dates.append(bounds)
        words_part = words_part.replace(m.group(0), " ", 1)
    words_part = words_part.strip()
    if not words_part:
        return pq
    if len(_WORD.findall(words_part)) > MAX_TERMS:
        kept = " ".join(words_part.split()[:MAX_TERMS])
        pq.notes.append(f"Only the first {MAX_TERMS} words were searched.")
        words_part = kept
    parser = _parser(any_word)
    try:
        q = _tame(parser.parse(words_part)).normalize()
    except Exception:  # the parser is strict in places readers are not
        q = None
    if _negative_only_text(words_part) or (q is not None and _only_negative(q)):
        q = Q.Not(Q.NullQuery)  # searched below as plain words, with a note
    if q is None or q is Q.NullQuery or _only_negative(q):
        fallback = _words_only(words_part)
        if not fallback:
            if q is None or q is Q.NullQuery:
                pq.notes.append("There were no words to search for in your query.")
            else:
                pq.notes.append("A query needs at least one word to look for, not only words to leave out.")
            return pq
        if q is not None and q is not Q.NullQuery:
            pq.notes.append("A query needs at least one word to look for; searched for all its words instead.")
        q = _tame(parser.parse(fallback)).normalize()
    pq.query = None if q is Q.NullQuery else q
    return pq


def _negative_only_text(text: str) -> bool:
    """``-cats`` or ``NOT dogs -cats``: every word is excluded, none is looked for."""
    tokens = [t for t in re.split(r"[\s()]+", text) if t]
    positive = [t for i, t in enumerate(tokens)
                if not t.startswith("-") and t != "NOT" and not (i and tokens[i - 1] == "NOT")]
    return bool(tokens) and not positive and any(_WORD.search(t) for t in tokens)


def _only_negative(q: Any) -> bool:
    """True when a query would match nothing but exclusions (``-cats``, ``NOT dogs``)."""
    if isinstance(q, Q.Not):
        return True
    if isinstance(q, Q.AndNot):
        return _only_negative(q.a)
    if isinstance(q, (Q.And, Q.Or)):
        return all(_only_negative(s) for s in q.subqueries)
    return False


def plain_words(text: str) -> list[tuple[int, int, str]]:
    """The words of a query a reader typed (spans into ``text``), skipping operators and fields."""
    out = []
    for m in _WORD.finditer(text):
        end = m.end()
        if m.group(0) in _OPERATORS or (end < len(text) and text[end] in ":*?~"):
            continue
        out.append((m.start(), end, m.group(0)))
    return out


def highlight_terms(q: Any, reader: Any = None) -> dict[str, set[str]]:
    """Field → analysed terms a snippet should mark (negated terms are not marked)."""
    found: dict[str, set[str]] = {}

    def walk(node: Any, negated: bool) -> None:
        if isinstance(node, Q.Not):
            return
        if isinstance(node, Q.AndNot):
            walk(node.a, negated)
            return
        if hasattr(node, "subqueries"):
            for s in node.subqueries:
                walk(s, negated)
            return
        if hasattr(node, "child"):
            walk(node.child, negated)
            return
        if isinstance(node, Q.Phrase):
            found.setdefault(node.fieldname, set()).update(node.words)
        elif isinstance(node, (Q.Wildcard, Q.Prefix, Q.FuzzyTerm)) and reader is not None:
            expanded = found.setdefault(node.fieldname, set())
            for i, btext in enumerate(node._btexts(reader)):
                if i >= 50:
                    break
                expanded.add(btext.decode("utf-8") if isinstance(btext, bytes) else btext)
        elif isinstance(node, (Q.Term, Q.Variations)):
            text = node.text.decode("utf-8") if isinstance(node.text, bytes) else node.text
            found.setdefault(node.fieldname, set()).add(text)

    if q is not None:
        walk(q, False)
    return found
