"""Named entities: spaCy NER on the article text only, then archive-wide resolution.

The model runs on headline, dek and body (never navigation or footers: ingest has
already removed them).  Its raw spans are cached per text, keyed by the text's hash,
the model's name and version and this module's ``NER_VERSION``, so a rebuild with no
changed dumps runs no NER at all; the clean-up in :mod:`.resolve` is cheap and runs
over the whole archive every build, which is what lets one entity have one type and
one name everywhere.

The ``entities`` command and the build share :func:`resolve_texts`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..fileio import write_atomic
from ..story import Entity, Story
from .aliases import AliasTable, load_aliases
from .resolve import (
    EXTRA_LABELS,
    LABEL_TYPES,
    RESOLVE_VERSION,
    article_from_json,
    article_to_json,
    resolve_archive,
    resolve_article,
)

# Bump when what is cached (raw spans, sentence starts) changes.
NER_VERSION = "3"
_EXCLUDE = ["parser", "lemmatizer", "attribute_ruler", "tagger", "morphologizer", "senter"]
_nlp_cache: dict[str, Any] = {}

# {"ents": [[start, end, LABEL], …], "sents": [start, …], "resolved": {per-article pass, versioned}}
Raw = dict[str, Any]


def load_model(name: str) -> Any:
    """Load (once per process) the spaCy pipeline with only what NER needs."""
    if name not in _nlp_cache:
        import spacy

        nlp = spacy.load(name, exclude=_EXCLUDE)
        if "sentencizer" not in nlp.pipe_names:
            nlp.add_pipe("sentencizer", first=True)
        _nlp_cache[name] = nlp
    return _nlp_cache[name]


def model_version(name: str) -> str:
    """``name-version`` of the installed model, without loading it (the cache key needs it)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"{name}-{version(name)}"
    except PackageNotFoundError:
        nlp = load_model(name)
        return f"{nlp.meta.get('name')}-{nlp.meta.get('version')}"


def raw_spans(nlp: Any, texts: list[str], processes: int = 1) -> Iterable[Raw]:
    """spaCy over texts in batches (and processes, for big batches): spans and sentence starts."""
    n_process = processes if processes > 1 and len(texts) >= 50 * processes else 1
    for doc in nlp.pipe(texts, batch_size=64, n_process=n_process):
        yield {
            "ents": [[e.start_char, e.end_char, e.label_] for e in doc.ents
                     if e.label_ in LABEL_TYPES or e.label_ in EXTRA_LABELS],
            "sents": [s.start_char for s in doc.sents],
        }


class NerCache:
    """One small JSON file per (text, model version) under ``<work>/ner``."""

    def __init__(self, root: str, model: str) -> None:
        self.root = Path(root) / "ner"
        self.root.mkdir(parents=True, exist_ok=True)
        self.model = model_version(model)

    def key(self, text: str) -> str:
        return hashlib.sha256(f"{NER_VERSION}\0{self.model}\0{text}".encode()).hexdigest()

    def _path(self, text: str) -> Path:
        k = self.key(text)
        return self.root / k[:2] / f"{k}.json"

    def get(self, text: str) -> Raw | None:
        try:
            return json.loads(self._path(text).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def put(self, text: str, raw: Raw) -> None:
        write_atomic(self._path(text), json.dumps(raw))


def ner_text(story: Story) -> str:
    """What NER reads: headline, dek and body paragraphs (never navigation or footers)."""
    return "\n\n".join(p for p in [story.headline, story.dek, *story.body] if p)


def find_raw(
    texts: list[str], model_name: str, cache: NerCache | None, processes: int = 1
) -> tuple[list[Raw], int]:
    """Raw spans for each text, from the cache where possible; returns (raws, words NER ran on)."""
    results: list[Raw | None] = [cache.get(t) if cache else None for t in texts]
    todo = [i for i, r in enumerate(results) if r is None]
    words = 0
    if todo:
        nlp = load_model(model_name)
        batch = [texts[i] for i in todo]
        words = sum(len(t.split()) for t in batch)
        for i, raw in zip(todo, raw_spans(nlp, batch, processes), strict=True):
            results[i] = raw
            if cache:
                cache.put(texts[i], raw)
    return [r or {"ents": [], "sents": []} for r in results], words


def resolve_texts(
    texts: list[str],
    model_name: str,
    table: AliasTable | None = None,
    cache: NerCache | None = None,
    processes: int = 1,
) -> tuple[list[list[Entity]], int]:
    """NER (cached) + per-article clean-up + archive-wide resolution; the one code path."""
    table = table or load_aliases()
    raws, words = find_raw(texts, model_name, cache, processes)
    version = f"{RESOLVE_VERSION}:{table.fingerprint}"
    articles = []
    for text, raw in zip(texts, raws, strict=True):
        done = raw.get("resolved", {})
        if done.get("version") == version:  # the per-article pass is cached too (a warm build skips it)
            articles.append(article_from_json(text, raw["sents"], done))
            continue
        art = resolve_article(text, [tuple(e) for e in raw["ents"]], raw["sents"], table)
        articles.append(art)
        if cache:
            cache.put(text, {**raw, "resolved": {"version": version, **article_to_json(art)}})
    return resolve_archive(articles, table), words


def annotate(
    stories: Iterable[Story],
    model_name: str,
    work_dir: str,
    processes: int = 1,
    entity_file: str | None = None,
) -> int:
    """Attach entities to each story; returns the number of words NER actually ran on."""
    stories = list(stories)
    cache = NerCache(work_dir, model_name)
    ents, words = resolve_texts([ner_text(s) for s in stories], model_name, load_aliases(entity_file), cache, processes)
    for story, found in zip(stories, ents, strict=True):
        story.entities = found
    return words


def entities_for_texts(
    texts: list[str], model_name: str | None = None, entity_file: str | None = None
) -> list[list[dict[str, Any]]]:
    """The ``entities`` command: ``[{start, end, type, name}]`` per text, by the build's code path.

    The texts given together are resolved together, like one archive: types are voted
    over all of them.
    """
    from .. import settings as S

    name = model_name or S.DEFAULTS["NEWS_ARCHIVE_SPACY_MODEL"]
    ents, _ = resolve_texts(texts, name, load_aliases(entity_file))
    out = []
    for found in ents:
        spans = [{"start": s, "end": e, "type": ent.type, "name": ent.name} for ent in found for s, e in ent.mentions]
        out.append(sorted(spans, key=lambda d: (d["start"], d["end"])))
    return out
