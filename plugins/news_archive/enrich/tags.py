"""Tags: the most salient entities of an article, normalised."""

from __future__ import annotations

from ..story import Story


def assign_tags(story: Story, min_tags: int = 3, max_tags: int = 8) -> list[str]:
    """Tags from the entities mentioned most often (people, organisations, places)."""
    ranked = sorted(
        (e for e in story.entities if e.type in ("person", "organisation", "place")),
        key=lambda e: (-len(e.mentions), e.name),
    )
    tags: list[str] = []
    for ent in ranked:
        tag = ent.name.replace(";", ",").replace(",", " ").strip()
        if tag and tag.casefold() not in {t.casefold() for t in tags}:
            tags.append(tag)
        if len(tags) >= max_tags:
            break
    return tags
