"""What a Pelican article says, read from its typed Story when it has one.

The converter renders each Story into a Markdown page whose metadata joins lists with
``;`` (``People: A; B;``) and says ``Undated: true``; Pelican reads that page back into
an article.  Instead of each consumer parsing those strings again, every article
created in a build gets a reference to the Story it was rendered from (``article.story``,
looked up once by its ``Content_hash`` in the build object, at ``content_object_init``),
and the functions here read typed fields from it.

A page with no Story in this build (a maintainer's own Markdown page, a generated page
edited by hand and kept) has its metadata read as before: the Markdown page stays the
Pelican-facing, editable form.  Values read from a Story are the ones its page's
metadata holds (``render.metadata_names``), so both paths agree for every generated
page.

``article.story`` is not an input of any page digest (``fingerprints.EXCLUDED``):
everything a page shows of it is also in the article's own metadata and content, which
are.
"""

from __future__ import annotations

import html
import re
from typing import Any

from pelican.readers import ensure_metadata_list

from .build import Build
from .render import metadata_names, page_paragraphs
from .story import ENTITY_META_KEYS, Story

# The article attribute that holds its Story (excluded from page digests).
ATTRIBUTE = "story"


def attach(content: Any) -> None:
    """Receiver of ``content_object_init``: the article's Story, if this build rendered it."""
    build = Build.of(getattr(content, "settings", None))
    metadata = getattr(content, "metadata", None) or {}
    content_hash = metadata.get("content_hash")
    if build is None or not content_hash:
        return
    story = build.story_of(str(content_hash))
    if story is not None:
        setattr(content, ATTRIBUTE, story)


def story_of(article: Any) -> Story | None:
    story = getattr(article, ATTRIBUTE, None)
    return story if isinstance(story, Story) else None


def is_undated(article: Any) -> bool:
    """True when the story has no known publication date: its Story has none, or its page
    says ``Undated: true`` (in its metadata or, for records built without metadata, as an
    attribute)."""
    story = story_of(article)
    if story is not None:
        return not story.published
    metadata = getattr(article, "metadata", None) or {}
    return str(metadata.get("undated") or getattr(article, "undated", "") or "").lower() == "true"


def entity_names(article: Any, kind: str) -> list[str]:
    """Canonical names of one entity type the story mentions, in its page's order (a new list)."""
    story = story_of(article)
    if story is not None:
        return list(_names_by_kind(story).get(kind, ()))
    return _listed(article, ENTITY_META_KEYS[kind])


def _names_by_kind(story: Story) -> dict[str, tuple[str, ...]]:
    """Every kind's names at once, kept on the Story while its entity list is the same object
    and length (the taxonomy, the JSON-LD and the search documents each ask for every
    kind of every story; escaping and sorting the names was 4 % of a warm build)."""
    entities = story.entities
    kept = story.__dict__.get(_NAMES_ATTRIBUTE)
    if kept is not None and kept[0] is entities and kept[1] == len(entities):
        return kept[2]
    by_kind: dict[str, list[str]] = {}
    for e in entities:
        by_kind.setdefault(e.type, []).append(e.name)
    names = {k: tuple(_as_read(metadata_names(sorted(set(v))))) for k, v in by_kind.items()}
    story.__dict__[_NAMES_ATTRIBUTE] = (entities, len(entities), names)
    return names


# Not a dataclass field: never in the Story's JSON, equality or repr.
_NAMES_ATTRIBUTE = "_names_by_kind"


def listed(article: Any, key: str) -> list[str]:
    """A list field of the story (``authors``, ``tags``), as its page's metadata lists it."""
    story = story_of(article)
    if story is not None and key in ("authors", "tags"):
        return _as_read(metadata_names(getattr(story, key)))
    return _listed(article, key)


def _as_read(values: list[str]) -> list[str]:
    """What Pelican makes of a ``;``-joined list (``ensure_metadata_list``): items stripped,
    empty ones dropped, each once."""
    return list(dict.fromkeys(v for v in (w.strip() for w in values) if v))


def _listed(article: Any, key: str) -> list[str]:
    value = article.metadata.get(key, "")
    if isinstance(value, list):  # Pelican's own lists (tags, authors) hold Tag and Author objects
        return [str(v).strip() for v in value if str(v).strip()]
    return ensure_metadata_list(value) if value else []


def paragraphs(article: Any) -> list[str]:
    """The plain text of the story's paragraphs as its page shows them (whitespace runs as
    one space); from the article's HTML when it has no Story."""
    story = story_of(article)
    if story is not None:
        return page_paragraphs(story)
    content = getattr(article, "_content", "") or ""
    return [html.unescape(re.sub(r"<[^>]+>", "", p)) for p in re.findall(r"<p>(.*?)</p>", content, re.S)]
