"""Pages of a long list whose content is permanent: numbered from the list's far end.

Pelican's paginator numbers pages from the front of a list, so one story added to the
top of a newest-first list moves every story down one place and changes every page;
and it hands every page the whole list (``articles_page.paginator``), so each page's
inputs change with any story of the list, and the skip-unchanged writer renders them all.

Here a list is cut into pages counted from its *end* (the oldest stories of a
newest-first list): page 2 holds the oldest, the front page (``{url}``) the newest, and
page N keeps its stories as stories are added at the top, so its bookmark and its cached
copy stay good.  Where a page begins is decided by its stories, not by counting
(:func:`keyed_chunks`): a story whose slug hashes to one in P (the page size) begins a
page.  So a story dated in the middle of a list (an archive backfilled) or one removed
from it changes the page it is on, not every page on one side of it: on a 2,000-story
list of some 85 pages, one story added and one removed change a median 2 pages.  Pages
hold P/2 to 2P stories (shorter runs join the older page next to them; longer ones are
split evenly), the front page at least P.  ``key=None`` counts instead (P a page, the
front page P to 2P − 1: :func:`chunks`).

Each page is a :class:`ListPage`: its own items and its neighbours' links, nothing of
the rest of the list, so its digest (``fingerprints``) is that of what it shows.
``number_from="front"`` numbers from the front instead (A–Z lists, where "newest" means
nothing), still with detached pages.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from pelican.paginator import Page

from .article_story import is_undated


class ListPage:
    """One page of a list: what it shows and where its neighbours are, nothing else.

    ``number`` is the N of its URL (1: the front page).  ``previous_url`` (towards the
    front) and ``next_url`` are None at the ends (a home page's own URL is "");
    ``first_url`` is the list's front, ``last_url`` its far end (page 2 of an oldest-end
    list: its oldest stories).  ``more_pages`` (front page only, else 0) is how many
    other pages the list has: a figure that changes as the list grows, so it is shown
    where the page changes anyway."""

    def __init__(self, number: int, object_list: list[Any], url: str, save_as: str, **links: Any) -> None:
        self.number = number
        self.object_list = object_list
        self.url = url
        self.save_as = save_as
        self.front = number == 1
        self.previous_url: str | None = links.get("previous_url")
        self.next_url: str | None = links.get("next_url")
        self.first_url: str = links.get("first_url", "")
        self.last_url: str | None = links.get("last_url")
        self.more_pages: int = links.get("more_pages", 0)
        self.from_end: bool = links.get("from_end", False)
        self.of: int = links.get("of", 0)  # front-numbered lists: how many pages (0: oldest-end)

    def __repr__(self) -> str:
        return f"<ListPage {self.number} of {self.url}>"


class Link:
    """A name and a link (a story's section on a list), as plain values."""

    def __init__(self, name: str, url: str) -> None:
        self.name = name
        self.url = url


class StoryView:
    """What a list shows of a story, as plain values: headline, link, dek or lead, date,
    source, dateline, section.

    A story itself carries its tags, entities and related stories, and a page's digest
    reads a listed story's fields and the names of its tags: a story whose tags changed
    (they are chosen archive-wide: one story added re-tags others) re-rendered every list
    page it is on, with nothing on them changed.  One view per story per build, shared by
    every list (the digests of a view are taken once)."""

    def __init__(self, article: Any, section: Link | None) -> None:
        self.title = article.title
        self.url = article.url
        self.slug = str(getattr(article, "slug", "") or "")
        self.dek = getattr(article, "dek", "") or ""
        self.lead = getattr(article, "lead", "") or ""
        self.date = article.date
        self.published = getattr(article, "published", "") or ""
        self.undated = "true" if is_undated(article) else ""
        self.source = getattr(article, "source", "") or ""
        self.dateline = getattr(article, "dateline", "") or ""
        self.section_front = section


VIEWS = "story_views"  # the context's {id(article): StoryView} of this build


def story_views(context: dict[str, Any], articles: list[Any]) -> list[StoryView]:
    """The :class:`StoryView` of each story, made once per build (kept in the context,
    which lives one build, beside the stories it is keyed by)."""
    views: dict[int, tuple[Any, StoryView]] = context.setdefault(VIEWS, {})
    links: dict[int, tuple[Any, Link]] = context.setdefault(VIEWS + "_sections", {})
    out = []
    for article in articles:
        hit = views.get(id(article))
        if hit is None:
            section = getattr(article, "section_front", None)
            link = None
            if section is not None:
                known = links.get(id(section))
                if known is None:
                    known = links[id(section)] = (section, Link(section.name, section.url))
                link = known[1]
            hit = views[id(article)] = (article, StoryView(article, link))
        out.append(hit[1])
    return out


class _Count:
    """What Pelican's ``Page`` asks of its paginator to choose a pagination pattern."""

    def __init__(self, num_pages: int) -> None:
        self.num_pages = num_pages


def page_address(number: int, url: str, save_as: str, settings: dict[str, Any], highest: int) -> tuple[str, str]:
    """``(url, save_as)`` of page ``number`` by Pelican's own ``PAGINATION_PATTERNS``."""
    page = Page(save_as, url, [], number, _Count(highest), settings)
    return page.url, page.save_as


def chunks(total: int, per_page: int) -> list[tuple[int, int]]:
    """``[(start, end)]`` slices of a list of ``total`` items, front page first, then the
    chunk pages from the newest to the oldest: each chunk ``per_page`` items counted from
    the list's end, the front page the rest (``per_page`` to ``2 × per_page − 1`` items)."""
    if per_page <= 0 or total <= 2 * per_page - 1:
        return [(0, total)]
    kept = total // per_page - 1  # full chunks below the front page
    front = total - kept * per_page
    return [(0, front)] + [(front + i * per_page, front + (i + 1) * per_page) for i in range(kept)]


def _marks(key: str, per_page: int) -> bool:
    """Whether an item whose identity is ``key`` starts a page (one item in ``per_page``)."""
    digest = hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "big") % per_page == 0


def keyed_chunks(keys: list[str], per_page: int) -> list[tuple[int, int]]:
    """Like :func:`chunks`, but where a page begins is decided by its items, not by counting.

    An item whose identity hashes to one in ``per_page`` (:func:`_marks`) is the newest of
    its page, so a story inserted or removed in the middle of a list changes the page it
    is on, not every page on one side of it; pages keep their numbers unless the count of
    pages changes (the story marks a page, or a page grows past twice the size or shrinks
    under half of it: about one change in ``per_page``).  A page holds ``per_page // 2``
    to ``2 × per_page`` items (a shorter run joins the older page next to it; a longer
    one is split evenly), the front page at least ``per_page``."""
    total = len(keys)
    if per_page <= 1 or total <= 2 * per_page - 1:
        return chunks(total, per_page)
    starts = [i for i in range(total) if _marks(keys[i], per_page)]
    if not starts or starts[0] != 0:
        starts = [0] + starts  # the newest items above the first mark: a run of their own
    runs = [(a, b) for a, b in zip(starts, starts[1:] + [total], strict=True)]
    least, most = max(1, per_page // 2), 2 * per_page
    joined: list[tuple[int, int]] = []  # from the oldest: a short run joins the one below it
    for a, b in reversed(runs):
        if joined and (joined[-1][1] - joined[-1][0] < least or b - a < least) and b == joined[-1][0]:
            low = joined.pop()
            joined.append((a, low[1]))
        else:
            joined.append((a, b))
    pieces: list[tuple[int, int]] = []  # still from the oldest: a long run split evenly
    for a, b in joined:
        parts = -(-(b - a) // most)
        bounds = [a + (b - a) * k // parts for k in range(parts + 1)]
        pieces += [(bounds[k], bounds[k + 1]) for k in reversed(range(parts))]
    # The front page: the newest pieces until it holds per_page items.
    front_end, taken = 0, 0
    while pieces and taken < per_page:
        a, b = pieces.pop()
        front_end, taken = b, taken + b - a
    return [(0, front_end)] + list(reversed(pieces))


def story_key(article: Any) -> str:
    """A story's identity for :func:`keyed_chunks`: its slug (its URL), the same in every
    build of the same dumps wherever they lie."""
    return str(getattr(article, "slug", "") or getattr(article, "source_path", ""))


def page_size(settings: dict[str, Any], template: str) -> int | None:
    """Items per page of ``template``'s list: its ``PAGINATED_TEMPLATES`` entry, else
    ``DEFAULT_PAGINATION`` (as Pelican's writer takes them)."""
    return (settings.get("PAGINATED_TEMPLATES") or {}).get(template) or settings.get("DEFAULT_PAGINATION")


def list_pages(items: list[Any], per_page: int | None, url: str, save_as: str, settings: dict[str, Any],
               number_from: str = "end", key: Callable[[Any], str] | None = story_key) -> list[ListPage]:
    """The pages of ``items`` (in the order shown), as :class:`ListPage`.  ``key``: each
    item's identity, where pages begin (:func:`keyed_chunks`); None: count from the end."""
    size = int(per_page or settings.get("DEFAULT_PAGINATION") or 0)
    if number_from == "end":
        spans = keyed_chunks([key(i) for i in items], size) if key is not None else chunks(len(items), size)
        numbers = [1] + [len(spans) - i + 1 for i in range(1, len(spans))]  # front, then N … 2
    else:
        spans = ([(i, min(i + size, len(items))) for i in range(0, len(items), size)] if size > 0 else []) \
            or [(0, len(items))]
        numbers = list(range(1, len(spans) + 1))
    highest = max(numbers)
    where = [page_address(n, url, save_as, settings, highest) for n in numbers]
    pages = []
    for i, ((start, end), n, (page_url, page_save_as)) in enumerate(zip(spans, numbers, where, strict=True)):
        links = {
            "previous_url": where[i - 1][0] if i else None,
            "next_url": where[i + 1][0] if i + 1 < len(spans) else None,
            "first_url": where[0][0],
            "last_url": where[-1][0] if len(spans) > 1 else None,
            "more_pages": len(spans) - 1 if i == 0 else 0,
            "from_end": number_from == "end",
            "of": 0 if number_from == "end" else len(spans),
        }
        pages.append(ListPage(n, items[start:end], page_url, page_save_as, **links))
    return pages
