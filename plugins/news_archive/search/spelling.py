"""Spelling: a corrected query, and what to search when nothing matched every word.

The correction replaces only words the archive does not contain (looked up in the
``spell`` field) by the nearest word it does.  When the reader's words match nothing,
:func:`fallback` tries, in order: the corrected query (all words, then any), any of the
reader's own words, then words spelled nearly like them; the answer says which one
(``match``) and what was searched (``searched_for``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from whoosh import query as Q

from .matching import Budget, Filter, TermDocs, matched
from .query import parse, plain_words
from .schema import spell_analyzer

if TYPE_CHECKING:
    from .result import SearchResult


def suggest(searcher: Any, text: str) -> str | None:
    """A corrected query: words the archive does not contain replaced by near words it does."""
    reader = searcher.reader()
    corrector = None
    fold = spell_analyzer()
    out, shift, changed = text, 0, False
    for start, end, word in plain_words(text):
        tokens = [t.text for t in fold(word)]
        if len(tokens) != 1 or len(tokens[0]) < 3 or reader.doc_frequency("spell", tokens[0]) > 0:
            continue
        corrector = corrector or searcher.corrector("spell")
        folded = tokens[0]
        found = corrector.suggest(folded, limit=1, maxdist=1 if len(folded) <= 4 else 2, prefix=1)
        if not found:
            continue
        better = found[0]
        if word[:1].isupper():
            better = better[:1].upper() + better[1:]
        out = out[: start + shift] + better + out[end + shift:]
        shift += len(better) - (end - start)
        changed = True
    return out if changed else None


def fuzzy_query(text: str) -> Any:
    """Any of the words of ``text`` (four letters or more), spelled nearly so."""
    fold = spell_analyzer()
    terms = []
    for _, _, word in plain_words(text):
        for tok in fold(word):
            if len(tok.text) >= 4:
                terms.append(Q.FuzzyTerm("spell", tok.text, maxdist=1 if len(tok.text) <= 6 else 2,
                                         prefixlength=1))
    return Q.Or(terms) if terms else None


def fallback(s: Any, text: str, out: SearchResult, filterq: Filter, budget: Budget | None = None,
             terms: TermDocs | None = None) -> tuple[Any, set[int], bool]:
    """Nothing matched every word: the query to rank, its documents, and whether it is the
    fuzzy one (its matches are marked by spelling); ``out`` says which try matched."""
    several = len(plain_words(text)) > 1
    tries: list[tuple[str, bool, str]] = []
    if out.suggestion:
        tries.append((out.suggestion, False, "corrected"))
        if several:
            tries.append((out.suggestion, True, "corrected-any"))
    if several:
        tries.append((text, True, "any"))
    for candidate, any_word, mode in tries:
        parsed = parse(candidate, any_word=any_word)
        if parsed.query is None:
            continue
        docs = matched(s, parsed.query, filterq, budget, terms)
        if docs:
            out.match, out.searched_for = mode, parsed.text
            return parsed.query, docs, False
    fuzzy = fuzzy_query(out.suggestion or text)
    if fuzzy is not None:
        docs = matched(s, fuzzy, filterq, budget, terms)
        if docs:
            out.match = "fuzzy"
            return fuzzy, docs, True
    return Q.NullQuery, set(), False
