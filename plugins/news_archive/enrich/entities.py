"""Named entities: spaCy NER on the article text only, mapped to our four types.

Results are cached by (text hash, model name + version, code version) so a rebuild
with no changed dumps runs no NER at all.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..story import Entity, Story

# Bump when the mapping or clean-up changes, so cached results are recomputed.
NER_VERSION = "1"

LABEL_TYPES = {
    "PERSON": "person",
    "ORG": "organisation",
    "GPE": "place",
    "LOC": "place",
    "FAC": "place",
    "NORP": "group",
}
_DETERMINER_RE = re.compile(r"^(the|a|an)\s+", re.I)
_POSSESSIVE_RE = re.compile(r"(?:'s|\u2019s|'|\u2019)$")

_nlp_cache: dict[str, Any] = {}


def load_model(name: str) -> Any:
    """Load (once per process) the spaCy pipeline with only what NER needs."""
    if name not in _nlp_cache:
        import spacy

        nlp = spacy.load(name, exclude=["parser", "lemmatizer", "attribute_ruler", "tagger", "morphologizer"])
        if "sentencizer" not in nlp.pipe_names:
            nlp.add_pipe("sentencizer", first=True)
        _nlp_cache[name] = nlp
    return _nlp_cache[name]


def model_version(name: str) -> str:
    nlp = load_model(name)
    return f"{nlp.meta.get('name')}-{nlp.meta.get('version')}"


def clean_name(text: str) -> str:
    """Strip determiners, possessives and stray punctuation from a mention."""
    text = re.sub(r"\s+", " ", text).strip(" \t\n,;:\"\u201c\u201d()[]")
    text = _DETERMINER_RE.sub("", text)
    text = _POSSESSIVE_RE.sub("", text)
    return text.strip()


def raw_mentions(nlp: Any, texts: list[str], processes: int = 1) -> list[list[dict[str, Any]]]:
    """Run spaCy over texts; each mention is {start, end, label, text, sentence}."""
    out = []
    n_process = processes if processes > 1 and len(texts) > 50 else 1
    for doc in nlp.pipe(texts, batch_size=32, n_process=n_process):
        mentions = []
        for ent in doc.ents:
            if ent.label_ not in LABEL_TYPES:
                continue
            mentions.append(
                {
                    "start": ent.start_char,
                    "end": ent.end_char,
                    "label": ent.label_,
                    "text": ent.text,
                    "sentence": ent.sent.text.strip(),
                }
            )
        out.append(mentions)
    return out


class NerCache:
    """One JSON file per (text, model) under the work dir."""

    def __init__(self, root: str, model: str) -> None:
        self.root = Path(root) / "ner"
        self.root.mkdir(parents=True, exist_ok=True)
        self.model = model

    def key(self, text: str) -> str:
        return hashlib.sha256(f"{NER_VERSION}\0{self.model}\0{text}".encode()).hexdigest()

    def get(self, text: str) -> list[dict[str, Any]] | None:
        path = self.root / f"{self.key(text)}.json"
        if path.exists():
            return json.loads(path.read_text(encoding="utf-8"))
        return None

    def put(self, text: str, mentions: list[dict[str, Any]]) -> None:
        path = self.root / f"{self.key(text)}.json"
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(mentions), encoding="utf-8")
        os.replace(tmp, path)


def ner_text(story: Story) -> str:
    """What NER reads: headline, dek and body (never navigation or footers)."""
    return "\n\n".join(p for p in [story.headline, story.dek, *story.body] if p)


def find_mentions(
    texts: list[str], model_name: str, cache: NerCache | None, processes: int = 1
) -> tuple[list[list[dict[str, Any]]], int]:
    """Mentions for each text, from cache where possible; returns (mentions, words run)."""
    results: list[list[dict[str, Any]] | None] = [cache.get(t) if cache else None for t in texts]
    todo = [i for i, r in enumerate(results) if r is None]
    words = 0
    if todo:
        nlp = load_model(model_name)
        batch = [texts[i] for i in todo]
        words = sum(len(t.split()) for t in batch)
        for i, mentions in zip(todo, raw_mentions(nlp, batch, processes), strict=False):
            results[i] = mentions
            if cache:
                cache.put(texts[i], mentions)
    return [r or [] for r in results], words


def entities_from_mentions(mentions: list[dict[str, Any]]) -> list[Entity]:
    """Group one article's mentions into entities (one type each, by majority)."""
    by_key: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for m in mentions:
        name = clean_name(m["text"])
        if len(name) < 2 or not any(ch.isalpha() for ch in name):
            continue
        by_key[name.casefold()].append({**m, "name": name})
    entities = []
    for group in by_key.values():
        votes: dict[str, int] = defaultdict(int)
        for m in group:
            votes[LABEL_TYPES[m["label"]]] += 1
        etype = max(votes, key=lambda t: (votes[t], t))
        name = group[0]["name"]
        entities.append(
            Entity(
                name=name,
                type=etype,
                display=name,
                aliases=sorted({m["text"] for m in group}),
                mentions=[(m["start"], m["end"]) for m in group],
                sentence=group[0]["sentence"],
            )
        )
    return entities


def annotate(
    stories: Iterable[Story], model_name: str, work_dir: str, processes: int = 1
) -> int:
    """Attach entities to each story; returns the number of words NER actually ran on."""
    stories = list(stories)
    texts = [ner_text(s) for s in stories]
    cache = NerCache(work_dir, model_name)
    all_mentions, words = find_mentions(texts, model_name, cache, processes)
    for story, mentions in zip(stories, all_mentions, strict=False):
        story.entities = entities_from_mentions(mentions)
    return words


def entities_for_texts(texts: list[str], model_name: str | None = None) -> list[list[dict[str, Any]]]:
    """The ``entities`` command: [{start, end, type, name}] per text (build code path)."""
    from .. import settings as S

    name = model_name or S.DEFAULTS["NEWS_ARCHIVE_SPACY_MODEL"]
    all_mentions, _ = find_mentions(texts, name, cache=None)
    out = []
    for mentions in all_mentions:
        ents = entities_from_mentions(mentions)
        spans = [
            {"start": s, "end": e, "type": ent.type, "name": ent.name}
            for ent in ents
            for s, e in ent.mentions
        ]
        out.append(sorted(spans, key=lambda d: (d["start"], d["end"])))
    return out
