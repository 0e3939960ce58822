"""Duplicate detection: exact copies and near-copies of the same story become one."""

from __future__ import annotations

import re

from .story import Story


def _shingles(text: str, size: int = 5) -> set[int]:
    tokens = re.findall(r"\w+", text.casefold())
    if len(tokens) < size:
        return {hash(tuple(tokens))}
    return {hash(tuple(tokens[i : i + size])) for i in range(len(tokens) - size + 1)}


class Deduplicator:
    """Keeps the first story (by dump path) of each group of near-identical stories."""

    def __init__(self, threshold: float = 0.8) -> None:
        self.threshold = threshold

    def run(self, stories: list[Story]) -> tuple[list[Story], list[tuple[Story, Story]]]:
        kept: list[Story] = []
        dups: list[tuple[Story, Story]] = []
        by_hash: dict[str, Story] = {}
        signatures: list[tuple[set[int], Story]] = []
        for story in sorted(stories, key=lambda s: s.origin):
            h = story.content_hash
            if h in by_hash:
                dups.append((story, by_hash[h]))
                continue
            sig = _shingles(story.text)
            match = None
            for other_sig, other in signatures:
                inter = len(sig & other_sig)
                if inter and inter / len(sig | other_sig) >= self.threshold:
                    match = other
                    break
            if match is not None:
                dups.append((story, match))
                continue
            by_hash[h] = story
            signatures.append((sig, story))
            kept.append(story)
        return kept, dups
