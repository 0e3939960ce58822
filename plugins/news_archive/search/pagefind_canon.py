"""Pagefind's filter files in one canonical order, so that the same records give the same bytes.

Pagefind 1.5.2 keeps each filter's values in a Rust ``HashMap`` whose hash seed is drawn
at random per process, and writes them, and the list of filters in its metadata file, in
that map's order (its source said "TODO: Change filter indexes to BTree to give them a
stable hash"; a later upstream change sorts them, not in any release we can install).  So
two runs over the very same records wrote differently ordered ``filter/*.pf_filter``
files, hence other content hashes in their names, another ``pagefind.<lang>_<hash>.pf_meta``
and another ``pagefind-entry.json``: every build of an unchanged archive "changed" the
static index, and an incremental build never equalled a build from scratch.  Everything
else Pagefind writes (fragments, word chunks) was the same bytes run after run.

:func:`canonicalise` rewrites what Pagefind left the way the upstream fix writes it:
each filter's values sorted (by their UTF-8 bytes, as Rust compares strings), the
metadata's filters sorted by name, each file named by Pagefind's own scheme (language,
then the start of the SHA-1 of the CBOR, as ``utils::full_hash`` prints it: each byte in
hex without zero padding), and the entry file pointed at the new metadata.  The files
stay gzipped CBOR behind Pagefind's ``pagefind_dcd`` signature; the browser's Pagefind
reads them as before.  A file that does not decode as the CBOR subset Pagefind writes,
or would not encode back to the very same bytes, is left alone (logged): never a
corrupted index for a Pagefind that changed its format.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import re
import struct
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)
SIGNATURE = b"pagefind_dcd"
FILTER_HASH = 7  # hex digits after "<lang>_" in a filter file's name (more on a collision)


class Unsupported(ValueError):
    """CBOR that Pagefind does not write (floats, tags, indefinite lengths)."""


def decode(data: bytes, at: int = 0) -> tuple[Any, int]:
    """One CBOR item from ``data[at:]``: (value, offset after it).  Text stays ``str``,
    byte strings ``bytes``; definite lengths only."""
    head = data[at]
    major, info = head >> 5, head & 31
    at += 1
    if info < 24:
        arg = info
    elif info in (24, 25, 26, 27):
        size = 1 << (info - 24)
        arg = int.from_bytes(data[at:at + size], "big")
        at += size
    else:
        raise Unsupported(f"CBOR head {head:#x}")
    if major == 0:
        return arg, at
    if major == 1:
        return -1 - arg, at
    if major in (2, 3):
        raw = data[at:at + arg]
        return (raw if major == 2 else raw.decode("utf-8")), at + arg
    if major == 4:
        items = []
        for _ in range(arg):
            item, at = decode(data, at)
            items.append(item)
        return items, at
    if major == 5:
        pairs = []
        for _ in range(arg):
            key, at = decode(data, at)
            value, at = decode(data, at)
            pairs.append((key, value))
        return _Map(pairs), at
    if major == 7 and info in (20, 21, 22):
        return {20: False, 21: True, 22: None}[info], at
    raise Unsupported(f"CBOR major type {major}, info {info}")


class _Map(list):  # type: ignore[type-arg]
    """A decoded CBOR map, kept as its (key, value) pairs in their order."""


def _head(major: int, arg: int) -> bytes:
    if arg < 24:
        return bytes([major << 5 | arg])
    for info, fmt in ((24, ">B"), (25, ">H"), (26, ">I"), (27, ">Q")):
        if arg < 1 << (8 * struct.calcsize(fmt)):
            return bytes([major << 5 | info]) + struct.pack(fmt, arg)
    raise Unsupported(f"integer {arg}")


def encode(value: Any) -> bytes:
    """CBOR as minicbor writes it: shortest heads, definite lengths."""
    if value is False or value is True or value is None:
        return bytes([0xF4 if value is False else 0xF5 if value is True else 0xF6])
    if isinstance(value, int):
        return _head(0, value) if value >= 0 else _head(1, -1 - value)
    if isinstance(value, bytes):
        return _head(2, len(value)) + value
    if isinstance(value, str):
        raw = value.encode("utf-8")
        return _head(3, len(raw)) + raw
    if isinstance(value, _Map):
        return _head(5, len(value)) + b"".join(encode(k) + encode(v) for k, v in value)
    if isinstance(value, list):
        return _head(4, len(value)) + b"".join(encode(v) for v in value)
    raise Unsupported(type(value).__name__)


def full_hash(data: bytes) -> str:
    """Pagefind's ``utils::full_hash``: SHA-1, each byte printed ``{:x}`` (no zero padding)."""
    return "".join(format(b, "x") for b in hashlib.sha1(data).digest())


def read(path: Path) -> tuple[Any, bytes]:
    raw = gzip.decompress(path.read_bytes())
    if not raw.startswith(SIGNATURE):
        raise Unsupported(f"{path.name}: no Pagefind signature")
    body = raw[len(SIGNATURE):]
    value, end = decode(body)
    if end != len(body) or encode(value) != body:
        raise Unsupported(f"{path.name}: does not encode back to the same bytes")
    return value, body


def write(path: Path, body: bytes) -> None:
    path.write_bytes(gzip.compress(SIGNATURE + body, compresslevel=9, mtime=0))


def _utf8(text: Any) -> bytes:
    return text.encode("utf-8") if isinstance(text, str) else bytes(text)


def canonicalise(bundle: Path) -> int:
    """Rewrite the filter files, metadata and entry of a freshly written bundle in canonical
    order; returns how many filter files were rewritten (0 if there was nothing to do or the
    format was not the one this knows)."""
    entry_path = bundle / "pagefind-entry.json"
    try:
        entry_text = entry_path.read_text(encoding="utf-8")
        languages = json.loads(entry_text)["languages"]
    except (OSError, ValueError, KeyError) as exc:
        log.warning("news_archive: Pagefind entry not readable, filters left as written: %s", exc)
        return 0
    rewritten = 0
    for info in languages.values():
        meta_hash = info["hash"]
        try:
            done, new_hash = _language(bundle, meta_hash)
        except (Unsupported, OSError, ValueError, IndexError) as exc:
            log.warning("news_archive: Pagefind files of %s left as written: %s", meta_hash, exc)
            continue
        rewritten += done
        if new_hash != meta_hash:
            entry_text = entry_text.replace(json.dumps(meta_hash), json.dumps(new_hash))
    entry_path.write_text(entry_text, encoding="utf-8")
    return rewritten


def _language(bundle: Path, meta_hash: str) -> tuple[int, str]:
    lang = meta_hash.rsplit("_", 1)[0]
    meta_path = bundle / f"pagefind.{meta_hash}.pf_meta"
    meta, _ = read(meta_path)
    filter_dir = bundle / "filter"
    present = {p.name.removesuffix(".pf_filter") for p in filter_dir.glob("*.pf_filter")}
    # The metadata's list of [filter name, file hash] pairs: the top-level field whose pairs
    # name filter files of this bundle.
    slot = next((i for i, item in enumerate(meta) if isinstance(item, list) and item
                 and all(isinstance(p, list) and len(p) == 2 and p[1] in present for p in item)), None)
    if slot is None:
        return 0, meta_hash
    bodies: dict[str, bytes] = {}
    for name, old in meta[slot]:
        index, _ = read(filter_dir / f"{old}.pf_filter")
        filter_name, values = index
        index = [filter_name, sorted(values, key=lambda pair: _utf8(pair[0]))]
        bodies[name] = encode(index)
    names: dict[str, str] = {}
    for name in sorted(bodies, key=_utf8):  # as upstream: filters in name order, collisions in that order
        digest = f"{lang}_{full_hash(bodies[name])}"
        short = digest[:len(lang) + 1 + FILTER_HASH]
        while short in names.values() and len(short) < len(digest):
            short = digest[:len(short) + 1]
        names[name] = short
    old_files = {old for _, old in meta[slot]}
    for old in old_files:
        (filter_dir / f"{old}.pf_filter").unlink()
    for name, short in names.items():
        write(filter_dir / f"{short}.pf_filter", bodies[name])
    meta[slot] = [[name, names[name]] for name in sorted(bodies, key=_utf8)]
    body = encode(meta)
    new_hash = f"{lang}_{full_hash(body)[:len(lang) + 8]}"
    if not re.fullmatch(r"[\w-]+_[0-9a-f]+", new_hash):
        raise Unsupported(f"metadata name {new_hash!r}")
    meta_path.unlink()
    write(bundle / f"pagefind.{new_hash}.pf_meta", body)
    return len(names), new_hash


def _skip(data: bytes, at: int) -> int:
    """The offset after the CBOR item at ``data[at:]``, without building it: a word chunk
    holds millions of location integers, and only its words are wanted (:func:`index_words`)."""
    stack = 1
    while stack:
        stack -= 1
        head = data[at]
        major, info = head >> 5, head & 31
        at += 1
        if info < 24:
            arg = info
        elif info < 28:
            size = 1 << (info - 24)
            arg = int.from_bytes(data[at:at + size], "big")
            at += size
        else:
            raise Unsupported(f"CBOR head {head:#x}")
        if major in (2, 3):
            at += arg
        elif major == 4:
            stack += arg
        elif major == 5:
            stack += 2 * arg
        elif major == 7 and info in (20, 21, 22):
            pass
        elif major not in (0, 1):
            raise Unsupported(f"CBOR major type {major}, info {info}")
    return at


def index_words(path: Path) -> list[str]:
    """The words of one Pagefind word chunk (``index/*.pf_index``): Pagefind's own, stemmed
    forms, as its search looks them up.  The chunk is ``[[[word, pages, meta], …]]``; the
    pages are skipped, not decoded."""
    raw = gzip.decompress(path.read_bytes())
    if not raw.startswith(SIGNATURE):
        raise Unsupported(f"{path.name}: no Pagefind signature")
    data = raw[len(SIGNATURE):]

    def array(at: int) -> tuple[int, int]:
        head = data[at]
        if head >> 5 != 4:
            raise Unsupported(f"{path.name}: not the word chunk layout")
        info = head & 31
        if info < 24:
            return info, at + 1
        size = 1 << (info - 24)
        return int.from_bytes(data[at + 1:at + 1 + size], "big"), at + 1 + size

    outer, at = array(0)
    words: list[str] = []
    for _ in range(outer):
        count, at = array(at)
        for _ in range(count):
            fields, at = array(at)
            if not fields:
                continue
            word, at = decode(data, at)
            if not isinstance(word, str):
                raise Unsupported(f"{path.name}: a word that is not text")
            words.append(word)
            for _ in range(fields - 1):
                at = _skip(data, at)
    return words
