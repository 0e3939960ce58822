"""The name vocabulary (``data/names.toml``), loaded once at import: read-only data.

Every module that reads names takes its words from here: author credits
(``names.py``), bylines (``fields.py``) and entity names (``enrich/names.py``,
``enrich/resolve.py``).  The file lives with ingest, the first layer that reads
names; enrich, which runs after it, reads the same words rather than a copy.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

__all__ = ["WORDS", "NameWords", "title_pattern"]


@dataclass(frozen=True)
class NameWords:
    """What kind of word a (case-folded) word is, list by list of ``names.toml``."""

    job_heads: frozenset[str]
    job_words: frozenset[str]  # job heads and the words that qualify them ("senior", "sports")
    org_words: frozenset[str]
    ui_words: frozenset[str]
    function_words: frozenset[str]
    months: frozenset[str]
    place_starts: frozenset[str]
    particles: frozenset[str]
    running_text_particles: frozenset[str]
    given_name_particles: frozenset[str]
    name_connectors: frozenset[str]
    suffixes: frozenset[str]
    org_parts: frozenset[str]
    articles: frozenset[str]
    display_honorifics: frozenset[str]
    offices: frozenset[str]
    courtesy: frozenset[str]
    peerage: frozenset[str]


def _load(path: Path) -> NameWords:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    words = {k: frozenset(v) for k, v in data.items()}
    return NameWords(job_words=words["job_heads"] | words["job_modifiers"],
                     **{k: v for k, v in words.items() if k != "job_modifiers"})


WORDS = _load(Path(__file__).parent / "data" / "names.toml")


def title_pattern(titles: frozenset[str]) -> str:
    """A regex alternation of titles, longest first, a space matching 'Lt. Gen.' and 'Lt  Gen'."""
    return "|".join(re.escape(t).replace(r"\ ", r"\.?\s+") for t in sorted(titles, key=lambda t: (-len(t), t)))
