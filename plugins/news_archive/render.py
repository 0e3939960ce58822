"""Story → Markdown page with a Pelican metadata header.

Multi-valued fields are separated by ``;`` (Pelican splits on ``;`` when one is
present), so names such as "Reuters, Ltd." survive.  An undated story gets
``Published: unknown`` and ``Undated: true``: Pelican needs a ``Date`` to sort and
paginate, so we give it the archived time, which templates, feeds and structured
data never present as the publication date.  A story known only to the day gets
``Published: 2017-11-15`` — no time and no zone it did not have.
"""

from __future__ import annotations

from datetime import datetime

from .escape import collapse, markdown_text, metadata_value
from .story import ENTITY_LABELS, ENTITY_TYPES, Story


def metadata_names(values: list[str]) -> list[str]:
    """The items of a ``;``-joined metadata list as the page holds them (Pelican drops the
    empty ones when it reads the page)."""
    return [metadata_value(v) for v in values]


def page_paragraphs(story: Story) -> list[str]:
    """The story's paragraphs as its page shows them: whitespace runs as one space, empty
    paragraphs gone (what ``markdown_text`` keeps of each)."""
    return [text for text in map(collapse, story.body) if text]


def render_markdown(story: Story, slug: str, archived: datetime, version: str) -> str:
    """The full text of the generated page."""
    meta: list[tuple[str, str]] = [
        ("Title", metadata_value(story.headline)),
        ("Slug", slug),
        ("Date", story.published_iso or archived.isoformat(timespec="seconds")),
        ("Published", story.published_iso or "unknown"),
        ("Date_source", story.date_source or "none"),
        ("Undated", "false" if story.published else "true"),
        ("Archived", archived.isoformat(timespec="seconds")),
    ]
    if story.authors:
        meta.append(("Authors", "; ".join(metadata_names(story.authors)) + ";"))
    optional = [
        ("Dek", story.dek),
        ("Byline", story.byline),
        ("Source", story.source),
        ("Dateline", story.dateline),
        ("Source_url", story.url),
        ("Language", story.language),
        ("Section", story.section),
    ]
    meta += [(k, metadata_value(v)) for k, v in optional if v]
    if story.tags:
        meta.append(("Tags", "; ".join(metadata_names(story.tags)) + ";"))
    for etype in ENTITY_TYPES:
        names = sorted({e.name for e in story.entities if e.type == etype})
        if names:
            meta.append((ENTITY_LABELS[etype], "; ".join(metadata_names(names)) + ";"))
    meta += [
        ("Origin", metadata_value(story.origin)),
        ("Content_hash", story.content_hash),
        ("Generator", f"news_archive {version}"),
    ]
    header = "\n".join(f"{k}: {v}" for k, v in meta)
    body = "\n\n".join(markdown_text(p) for p in story.body)
    return f"{header}\n\n{body}\n"
