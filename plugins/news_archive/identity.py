"""What a story is known by across builds: its stable slug and when it was first archived.

``state.json`` in the work folder (:class:`State`) remembers, by each of a story's keys
(:func:`story_keys`), the slug it was given and when it was archived, plus each dump's
fingerprint and each written page's digest for the converter's incremental work.
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .fileio import write_atomic
from .slugs import slug as slugify
from .story import Story


def now_utc() -> datetime:
    """The archiving time; SOURCE_DATE_EPOCH makes builds reproducible."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=UTC)
    return datetime.now(tz=UTC).replace(microsecond=0)



class State:
    """What the last build did, so this one can skip unchanged work."""

    def __init__(self, path: Path) -> None:
        self.path = path
        data: dict[str, Any] = {}
        if path.exists():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except ValueError:
                data = {}
        self.dumps: dict[str, Any] = data.get("dumps", {})
        # Slugs and archiving times by each of a story's keys (story_keys).  Earlier builds
        # also keyed records by their position ("origin:file.jsonl#3"): such keys named
        # whatever story sat on that line, so they are dropped (content-hash keys, which
        # those builds wrote too, carry every existing URL over).
        self.slugs: dict[str, str] = {k: v for k, v in data.get("slugs", {}).items()
                                      if not (k.startswith("origin:") and "#" in k)}
        self.written: dict[str, str] = data.get("written", {})
        self.archived: dict[str, str] = data.get("archived", {})

    def save(self) -> None:
        data = {"dumps": self.dumps, "slugs": self.slugs, "written": self.written, "archived": self.archived}
        write_atomic(self.path, json.dumps(data, indent=1, sort_keys=True))



def story_keys(story: Story) -> list[str]:
    """What a story is known by across builds, strongest first: its source URL, else its
    record id within its dump file; a whole-file dump's path; its content hash.

    Never a record's position: a line added at the top of a JSONL file moved every
    ``file.jsonl#N``, and with the slugs remembered by position every existing URL then
    showed another story.  A record with neither URL nor id is known by its content only,
    so editing its text gives it a new page (its old one is removed).
    """
    keys = []
    if story.url:
        keys.append("url:" + story.url.strip())
    file, sep, _ = story.origin.partition("#")
    if story.source_id:
        keys.append(f"id:{file}#{story.source_id}")
    if not sep:  # a whole file: fixing a typo in it keeps its URL
        keys.append("origin:" + story.origin)
    keys.append(story.content_hash)
    return keys


def _identity_order(story: Story) -> tuple[str, str, str]:
    """A story's place when slugs are handed out: by what it is, never by where it sits."""
    return (story_keys(story)[0], story.content_hash, story.origin)


def assign_slugs(stories: list[Story], state: State, settings: dict[str, Any] | None = None) -> dict[str, str]:
    """Stable slugs, {origin: slug}: a story keeps the slug it had in earlier builds.

    Slugs are remembered by each of the story's keys (:func:`story_keys`): its source URL
    or record id, a file dump's path (so fixing a typo in a dump keeps its URL), its content
    hash (so moving a dump keeps it too).  Remembered slugs are reserved before any new
    story is named, the strongest keys first, so a newcomer with the same headline never
    takes an existing URL: it gets the headline slug plus a short suffix derived from its
    strongest key, which is the same on every rebuild and wherever the story sits.
    """
    taken: dict[str, str] = {}
    slug_of: dict[str, str] = {}
    ordered = sorted(stories, key=_identity_order)
    keys = {id(story): story_keys(story) for story in ordered}
    for rank in range(4):
        for story in ordered:
            own = keys[id(story)]
            if story.origin in slug_of or rank >= len(own):
                continue
            prev = state.slugs.get(own[rank])
            if prev and prev not in taken:
                taken[prev] = story.origin
                slug_of[story.origin] = prev
    for story in ordered:
        if story.origin in slug_of:
            continue
        base = slugify(story.headline, settings)
        slug = base
        if slug in taken:
            suffix = hashlib.sha256(keys[id(story)][0].encode("utf-8")).hexdigest()
            n = 8
            while f"{base}-{suffix[:n]}" in taken:
                n += 2
            slug = f"{base}-{suffix[:n]}"
        taken[slug] = story.origin
        slug_of[story.origin] = slug
    claimed: set[str] = set()  # two stories with one URL: the key stays with the first
    for story in ordered:
        for key in keys[id(story)]:
            if key not in claimed:
                claimed.add(key)
                state.slugs[key] = slug_of[story.origin]
    return slug_of


def archived_at(story: Story, state: State) -> datetime:
    """When the story was first archived (remembered by its keys, like its slug); now if new."""
    keys = story_keys(story)
    when = next((state.archived[k] for k in keys if k in state.archived), None) or now_utc().isoformat()
    for key in keys:
        state.archived[key] = when
    return datetime.fromisoformat(when)

