"""Site furniture seen across dumps: lines that other pages of the same site repeat.

A full-page text dump carries its site's navigation, footers and notices, and so do
the other dumps of that site: a line that recurs on other pages of the same site is
site furniture, not this article.  Each text dump contributes its site key (from its
title line, '<headline> - <site>') and the keys of its distinct lines
(``page_lines``, cached by the build per dump); ``site_furniture`` turns the
contributions of a batch into each dump's furniture, which ``read_text`` treats as
boilerplate.  The build, the ``extract`` command and the extraction benchmark all
compute it with ``site_furniture``.
"""

from __future__ import annotations

import zlib
from collections import Counter
from collections.abc import Hashable, Iterable
from typing import TypeVar

from .decode import decode_char_refs
from .fields import clean_line
from .words import TITLE_SEPARATORS, norm_tokens

__all__ = ["PageLines", "SiteBoilerplate", "line_key", "page_lines", "site_furniture", "site_of"]

# What one text dump contributes: (site key, keys of its distinct lines).
PageLines = tuple[str, list[int]]
K = TypeVar("K", bound=Hashable)


def site_of(text: str) -> str:
    """A site key from a page's title line: the part after the last separator ('… - SlashGear')."""
    first = text.lstrip().split("\n", 1)[0]
    parts = TITLE_SEPARATORS.split(clean_line(first))
    return norm_tokens(parts[-1]) if len(parts) > 1 and len(parts[-1].split()) <= 6 else ""


def line_key(line: str) -> int:
    """A stable key for a line, insensitive to case, punctuation and spacing."""
    return zlib.crc32(norm_tokens(line).encode("utf-8"))


def page_lines(text: str) -> PageLines:
    """(site key, keys of the page's distinct lines): what a page contributes to its site."""
    text = decode_char_refs(text)
    keys = {line_key(ln) for ln in text.split("\n") if ln.strip()}
    return site_of(text), sorted(keys)


class SiteBoilerplate:
    """Lines that recur on several pages of one site: navigation, footers, notices.

    For each site, how many pages carry each line.  A line is furniture for a page
    when at least ``min_pages`` other pages of the same site carry it too.  Two copies
    of the same story would make each other's paragraphs look like furniture;
    ``read_text`` guards against that by ignoring the evidence for prose when it
    would remove most of the page's prose.
    """

    def __init__(self, min_pages: int = 1) -> None:
        self.min_pages = min_pages
        self.sites: dict[str, Counter[int]] = {}

    def add(self, site: str, keys: Iterable[int]) -> None:
        if site:
            self.sites.setdefault(site, Counter()).update(set(keys))

    def furniture(self, site: str, keys: Iterable[int]) -> frozenset[int]:
        """Keys of this page's lines that other pages of its site also carry."""
        counter = self.sites.get(site)
        if not counter:
            return frozenset()
        return frozenset(k for k in set(keys) if counter.get(k, 0) - 1 >= self.min_pages)


def site_furniture(pages: Iterable[tuple[K, PageLines | None]], min_pages: int = 1) -> dict[K, frozenset[int]]:
    """Each dump's site furniture, from what every text dump of the batch contributes.

    ``pages``: (dump, its ``page_lines`` or None when it is no text dump or names no
    site).  Every pair counts as one page of its site, so a dump given twice is two
    pages.  The result has an entry for every dump (empty for one that is no text dump).
    """
    pages = list(pages)
    board = SiteBoilerplate(min_pages)
    for _, found in pages:
        if found:
            board.add(*found)
    return {dump: board.furniture(*found) if found else frozenset() for dump, found in pages}
