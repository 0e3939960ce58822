"""Bounds on one story's fields, checked where every reader's Stories meet (``read_dump``).

A field that no real story has at that length is a reader that went wrong or a
hostile record, not a story: a JSON ``title`` of a million characters would be
printed on every list, tag, entity and feed page that shows the story.  Such a
story is rejected with a reason that says which field and how long, never cut down
(a cut headline would be a headline nobody wrote).
"""

from __future__ import annotations

from ..story import Story
from .errors import RejectedRecord

# Characters; the longest headlines in the shared corpora are under 300.
MAX_FIELD_CHARS = {"headline": 1_000, "dek": 5_000, "byline": 1_000, "source": 1_000, "section": 1_000,
                   "dateline": 1_000, "url": 8_000, "language": 100}


def out_of_bounds(story: Story) -> RejectedRecord | None:
    """A rejection naming the first field over its bound, or None when the story fits."""
    for name, most in MAX_FIELD_CHARS.items():
        value = getattr(story, name)
        if len(value) > most:
            return RejectedRecord(story.origin, f"{name} of {len(value):,} characters (at most {most:,}): "
                                                "not a story's field")
    return None
