"""Named entities: spaCy NER on the article text only, then archive-wide resolution.

The model runs on headline, dek and body (never navigation or footers: ingest has
already removed them).  Its raw spans are cached per text, keyed by the text's hash,
the model's name and version and this module's ``NER_VERSION``, so a rebuild with no
changed dumps runs no NER at all; the per-article clean-up in :mod:`.resolve` is
cached beside them.  The archive-wide pass (what lets one entity have one type and one
name everywhere) runs whenever any article's entities changed, and is memoised
(:class:`ArchiveMemo`) for the common rebuild where none did.

The ``entities`` command and the build share :func:`resolve_texts`.
"""

from __future__ import annotations

import gc
import json
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

from ..fileio import write_atomic
from ..story import Entity, Story
from . import gazetteer, kinds
from .aliases import AliasTable, load_aliases
from .archive_pass import resolve_archive
from .article_pass import resolve_article
from .memo import ImportMemo
from .ner import MAX_CHARS, PIECE_CHARS, Raw, Then, load_model, spans_in_pieces, worker_count
from .ner_cache import ArchiveMemo, NerCache, article_fingerprint, parse_raw
from .resolve import (
    RESOLVE_VERSION,
    ArticleEntities,
    article_from_json,
    article_to_json,
)
from .truecase import model_text

# Scripts written without spaces between words (Chinese, Japanese, Thai, Lao, Khmer, Myanmar).
_UNSPACED_RE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff]")


def ner_text(story: Story) -> str:
    """What NER reads: headline, dek and body paragraphs (never navigation or footers).

    Nothing for a story written mostly in a script without spaces between words: the
    model (English by default) cannot split it into words, and took whole Japanese
    sentences for names (which then became tag and entity pages).
    """
    text = "\n\n".join(p for p in [story.headline, story.dek, *story.body] if p)
    unspaced = len(_UNSPACED_RE.findall(text))
    if not unspaced:  # most stories: no need to count letters one by one (every build, every story)
        return text
    letters = sum(ch.isalpha() for ch in text)
    return "" if letters and unspaced > 0.3 * letters else text


def run_ner(
    texts: list[str], found: list[Raw | None], model_name: str, processes: int = 1, piece_chars: int = PIECE_CHARS,
    then: Then | None = None,
) -> tuple[list[Raw], int]:
    """``found`` with its gaps filled by running the model on their texts; (raws, words it read).

    ``then(i, raw)``: what a gap's raw spans become, for ``texts[i]`` (run beside the model,
    in its worker processes: ``ner.spans_in_pieces``)."""
    todo = [i for i, r in enumerate(found) if r is None]
    batch = [model_text(texts[i]) for i in todo]  # all-caps lines in ordinary case, offsets kept
    after: Then | None = None
    if then is not None:
        def after(j: int, raw: Raw) -> Raw:
            return then(todo[j], raw)
    spans = spans_in_pieces(load_model(model_name), batch, processes, piece_chars, after) if todo else []
    raws = dict(zip(todo, spans, strict=True))
    return [r if r is not None else raws[i] for i, r in enumerate(found)], sum(len(t.split()) for t in batch)


def find_raw(
    texts: list[str], model_name: str, cache: NerCache | None, processes: int = 1
) -> tuple[list[Raw], int]:
    """Raw spans for each text, from the cache where possible; returns (raws, words NER ran on)."""
    cached: list[Raw | None] = [cache.get(t) if cache else None for t in texts]
    raws, words = run_ner(texts, cached, model_name, processes, cache.piece_chars if cache else PIECE_CHARS)
    if cache:
        for i in (i for i, r in enumerate(cached) if r is None):
            cache.put(texts[i], raws[i])
    return [r or {"ents": [], "sents": []} for r in raws], words


def _with_article(texts: list[str], table: AliasTable, version: str, i: int, raw: Raw) -> Raw:
    """Text ``i``'s fresh raw spans with their per-article pass's result, as the cache stores
    it: computed beside the model (``run_ner``'s ``then``), so the pass runs on every core."""
    art = resolve_article(texts[i], [tuple(e) for e in raw["ents"]], raw["sents"], table)
    return {**raw, "resolved": {"version": version, **article_to_json(art)}}


def _article(text: str, raw: Raw, table: AliasTable, version: str) -> tuple[ArticleEntities, bool]:
    """The per-article pass, from the entry when it holds this version's result; (result, computed)."""
    done = raw.get("resolved")
    if isinstance(done, dict) and done.get("version") == version:  # a warm build skips the pass
        try:
            return article_from_json(text, raw["sents"], done), False
        except (KeyError, TypeError, ValueError):
            pass  # a damaged entry: resolve again
    return resolve_article(text, [tuple(e) for e in raw["ents"]], raw["sents"], table), True


def resolve_texts(
    texts: list[str],
    model_name: str,
    table: AliasTable | None = None,
    cache: NerCache | None = None,
    processes: int = 1,
    evidence: dict[str, dict[str, Any]] | None = None,
) -> tuple[list[list[Entity]], int]:
    """NER (cached) + per-article clean-up + archive-wide resolution; the one code path.

    With a cache, a rebuild whose texts, cache entries, alias table and code are all
    unchanged takes the archive pass's result from :class:`ArchiveMemo`.  ``evidence``,
    when given, is filled with what each entity's type rests on (the pass's own dict; on
    a memo hit, the file the pass that made the memo wrote beside it), so the build's
    later steps get it in memory.
    """
    table = table or load_aliases()
    keys = [cache.key(t) for t in texts] if cache else [""] * len(texts)
    blobs = [cache.read(k) for k in keys] if cache else [None] * len(texts)
    memo = (ArchiveMemo(cache.root / "archive.json", table, cache.kept if cache.session else None, cache.imports)
            if cache else None)
    if memo and (found := memo.load(keys, blobs)) is not None:
        if evidence is not None:
            evidence.update(_read_evidence(memo.path.with_name(EVIDENCE_FILE)))
        return found, 0
    piece_chars = cache.piece_chars if cache else PIECE_CHARS
    if cache:
        cache.forget_except(set(keys))
    parsed = [cache.parse(k, b) for k, b in zip(keys, blobs, strict=True)] if cache else [parse_raw(b) for b in blobs]
    version = f"{RESOLVE_VERSION}:{table.fingerprint}:{kinds.fingerprint()}:" \
              f"{article_fingerprint(cache.imports if cache else None)}"
    fresh = [r is None for r in parsed]  # run through the model now: their entries are written below
    raws, words = run_ner(texts, parsed, model_name, processes, piece_chars,
                          partial(_with_article, texts, table, version))
    del parsed  # each entry, once read, is let go below: the archive pass's peak is what it holds
    articles = []
    for i, text in enumerate(texts):
        raw, raws[i] = raws[i], None  # the parsed entry (spans, stored result): ~40 KB a story
        art, computed = _article(text, raw, table, version)
        if cache and (computed or fresh[i]):  # stored before resolve_archive, which changes the articles
            blobs[i] = cache.write(keys[i], {**raw, "resolved": {"version": version, **article_to_json(art)}}
                                   if computed else raw)
        articles.append(art)
    del raws
    reuse: dict[str, Any] = {}
    if memo:  # the sentences, and the unchanged articles' outputs, of the previous pass: the same again
        known, reuse = memo.previous(keys, texts)
        for art, sentences in zip(articles, known, strict=True):
            art.sentences = sentences
    evidence = {} if evidence is None else evidence
    evidence.clear()
    keep: list[Any] = []
    digests = memo.digests(keys, blobs) if memo else None
    with _collector_paused():
        # A watch session's next pass counts again only the keys of the stories that changed.
        tally = cache.kept.setdefault("tally", {}) if cache and cache.session else None
        found = resolve_archive(articles, table, evidence, digests, reuse, keep, tally)
    if memo:
        memo.save(keys, blobs, found, keep)
        # Beside the memo, for `news_archive review`: when the memo is hit, it still holds.
        write_atomic(memo.path.with_name(EVIDENCE_FILE), json.dumps(evidence, ensure_ascii=False))
    return found, words


@contextmanager
def _collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off while the archive pass runs: it makes hundreds of
    thousands of small objects, none of them cyclic garbage, and the collector's full scans
    of them were a fifth of the pass (the collector's state is restored afterwards)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


EVIDENCE_FILE = "evidence.json"  # per entity: what its type rests on (enrich.review reads it)


def _read_evidence(path: Path) -> dict[str, dict[str, Any]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def annotate(
    stories: Iterable[Story],
    model_name: str,
    work_dir: str,
    processes: int = 1,
    entity_file: str | None = None,
    piece_chars: int = PIECE_CHARS,
    max_chars: int = MAX_CHARS,
    evidence: dict[str, dict[str, Any]] | None = None,
    kept: dict[str, Any] | None = None,
    imports: ImportMemo | None = None,
) -> int:
    """Attach entities to each story; returns the number of words NER actually ran on
    (``evidence``, when given, is filled as :func:`resolve_texts` says; ``kept``: the
    build's ``Build.kept("ner")``, see :class:`NerCache`; ``imports``: the build's
    ``memo.ImportMemo``, for the passes' cache keys).

    NER reads at most ``max_chars`` characters of a story (cut at a paragraph break);
    a story cut short says so in its warnings, which its report entry shows.
    """
    stories = list(stories)
    cache = NerCache(work_dir, model_name, piece_chars, kept, imports)
    gazetteer.cache_in(work_dir)  # the place table too, for when articles are resolved again
    texts = [capped_ner_text(s, max_chars) for s in stories]
    ents, words = resolve_texts(texts, model_name, load_aliases(entity_file), cache, worker_count(processes), evidence)
    for story, found in zip(stories, ents, strict=True):
        story.entities = found
    return words


def capped_ner_text(story: Story, max_chars: int) -> str:
    """:func:`ner_text`, cut to ``max_chars`` at a paragraph break, with a warning on the story."""
    text = ner_text(story)
    if len(text) <= max_chars:
        return text
    cut = text.rfind("\n\n", 0, max_chars)
    cut = cut if cut > 0 else max_chars
    story.warnings.append(f"entities found in the first {cut:,} of {len(text):,} characters only "
                          f"(NEWS_ARCHIVE_NER_MAX_CHARS is {max_chars:,})")
    return text[:cut]


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
