"""Helpers for the build's derived-data caches (tag phrases, MinHash signatures, entities).

Every such cache is a plain JSON file under ``<work>/cache/`` that a warm build reads
instead of recomputing.  Two rules keep them honest:

* a cache is keyed by everything its values depend on, including the source of the
  code that computes them (:func:`code_digest`), so editing that code can never serve
  a stale result even when nobody remembers to bump a version constant;
* a cache that is missing, truncated or otherwise unreadable is simply not used
  (``fileio.read_json`` returns ``None``) and is rebuilt: it can cost time, never a build.
"""

from __future__ import annotations

import ast
import hashlib
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from ..fileio import read_json, write_json


def digest(*parts: str) -> str:
    """sha256 of the parts, NUL-separated (so ``("ab", "c")`` and ``("a", "bc")`` differ)."""
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()


def code_digest(*modules: str | Path) -> str:
    """sha256 of the source files that compute a cached value (an unreadable one counts by its path)."""
    h = hashlib.sha256()
    for path in modules:
        try:
            h.update(Path(path).read_bytes())
        except OSError:
            h.update(str(path).encode())
        h.update(b"\0")
    return h.hexdigest()


PACKAGE = Path(__file__).resolve().parent.parent  # plugins/news_archive


def source_closure(*modules: Path, imports: ImportMemo | None = None) -> list[Path]:
    """``modules`` and every module of this package they import, directly or not (imports
    inside functions too), with the files of each one's ``data/`` folder: what a cached
    value computed by ``modules`` depends on.  Followed from the source, not listed by hand:
    a list kept beside the code missed the modules and tables added after it.

    ``imports``: the build's :class:`ImportMemo` (:func:`imports_remembered`), which says
    what the last build found in each unchanged file and records what this one finds."""
    todo = [Path(m).resolve() for m in modules]
    seen: set[Path] = set()
    while todo:
        path = todo.pop()
        if path in seen or not path.is_file():
            continue
        seen.add(path)
        todo.extend(_imported_as_of(path, imports))
    data = {d for path in seen if (path.parent / "data").is_dir() for d in (path.parent / "data").iterdir()
            if d.is_file()}
    return sorted(seen | data)


def _imported_as_of(path: Path, imports: ImportMemo | None = None) -> tuple[Path, ...]:
    """:func:`_imported`, parsed once per version of the file (its size and modification
    time): every build asks about the same ~50 modules for each pass's closure (the
    article pass's twice), and a watch session every cycle; parsing them was about a
    third of a CPU-second of each incremental build.  With a build's ``imports`` record,
    what the last build found is taken from the work folder too, by the file's stat
    signature (a one-shot build parsed the same ~25 modules again: 0.1 CPU-s of a warm one)."""
    try:
        st = path.stat()
    except OSError:
        return ()
    signature = [st.st_mtime_ns, st.st_size, st.st_ctime_ns, st.st_ino]
    key = str(path)
    entry = imports.remembered.get(key) if imports is not None else None
    if (entry is not None and entry[0] == signature
            and isinstance(entry[1], list) and all(isinstance(p, str) for p in entry[1])):
        found = tuple(Path(p) for p in entry[1])
    else:
        found = _imported_cached(path, st.st_mtime_ns, st.st_size)
    if imports is not None and max(st.st_mtime_ns, st.st_ctime_ns) < time.time_ns() - RACY_NS:
        imports.used[key] = [signature, [str(p) for p in found]]  # a file changed just now is parsed next time
    return found


IMPORTS_FILE = "imports.json"
# A file whose signature was taken this soon after it changed is parsed again next build: a
# change within the file system's timestamp granularity could leave the same signature.
RACY_NS = 2_000_000_000


@dataclass
class ImportMemo:
    """One build's record of the imports found per file, by its stat signature (path ->
    [signature, [imported paths]]): ``remembered``, as the last build stored them in
    ``<cache>/imports.json``; ``used``, those this build found (what is stored next).

    A record per build, handed to :func:`source_closure` by whoever computes a cache key,
    never a module global: two builds in one process (a watch session and a tool, two
    tests, two threads) each read and save their own work folder's file."""

    path: Path | None = None
    version: str = ""
    remembered: dict[str, list[Any]] = field(default_factory=dict)
    used: dict[str, list[Any]] = field(default_factory=dict)

    @classmethod
    def load(cls, cache_dir: str | Path) -> ImportMemo:
        """The record of a build whose cache is ``cache_dir``: what its last build stored, when
        stored by this module's own source (other code here may find other imports)."""
        path = Path(cache_dir) / IMPORTS_FILE
        version = code_digest(Path(__file__))
        stored = read_json(path)
        files = stored.get("files") if isinstance(stored, dict) and stored.get("version") == version else None
        remembered = ({k: v for k, v in files.items() if isinstance(v, list) and len(v) == 2}
                      if isinstance(files, dict) else {})
        return cls(path, version, remembered)

    def save(self) -> None:
        """Store what this build found, unless it is what was stored already."""
        if self.path is None or self.used == self.remembered:
            return
        try:
            write_json(self.path, {"version": self.version, "files": self.used})
        except OSError:  # a cache that cannot be written costs the next build time, never this one
            pass


@contextmanager
def imports_remembered(cache_dir: str | Path) -> Iterator[ImportMemo]:
    """The build's :class:`ImportMemo` for ``<cache_dir>/imports.json``, saved on the way out.

    Handed to :func:`source_closure` (through the NER cache), each file's imports are taken
    from the file when its stat signature (modification and change times, size, inode) is
    the one they were found at."""
    record = ImportMemo.load(cache_dir)
    try:
        yield record
    finally:
        record.save()


@lru_cache(maxsize=1024)
def _imported_cached(path: Path, mtime_ns: int, size: int) -> tuple[Path, ...]:
    return tuple(_imported(path))


def _imported(path: Path) -> list[Path]:
    """The files of this package that ``path`` imports (``from . import x``, ``from ..y import z``,
    ``import news_archive.x``): each name is tried as a module and as a package.  The
    ``__init__`` of a package a module sits in is not followed (it wires the pipeline; it
    computes none of the values cached)."""
    try:
        tree = ast.parse(path.read_bytes())
    except (OSError, SyntaxError, ValueError):
        return []
    out: list[Path] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = path.parent
                for _ in range(node.level - 1):
                    base = base.parent
            elif (node.module or "").split(".")[0] == PACKAGE.name:
                base = PACKAGE.parent
            else:
                continue
            target = base.joinpath(*node.module.split(".")) if node.module else base
            if node.module:  # ``from .x import y``: x (a module or a package's __init__)
                out += [target.with_suffix(".py"), target / "__init__.py"]
            # ``from . import y``: y, if it is a module (not a package's wiring __init__ above it)
            for alias in node.names:
                out += [target / f"{alias.name}.py", target / alias.name / "__init__.py"]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == PACKAGE.name:
                    target = PACKAGE.parent.joinpath(*alias.name.split("."))
                    out += [target.with_suffix(".py"), target / "__init__.py"]
    return out


def package_version(name: str) -> str:
    """The installed version of a distribution ('' when it is not installed), without importing it."""
    try:
        return version(name)
    except PackageNotFoundError:
        return ""



TAGS_MEMO = "tags-memo.json"


def assign_tags(stories: list[Any], min_tags: int, max_tags: int, vocabulary: Any,
                cache_dir: str | Path | None, kept: dict[str, Any] | None = None) -> None:
    """``tags.assign_all``, memoised for the whole archive in ``<cache>/tags-memo.json``.

    The tags of an archive are a pure function of every story's text (what ``phrases``
    reads, in archive order), every entity name and alias (no tag is an entity's name),
    the maintainer's vocabulary, the tag counts, and the code and stop words that compute
    them; the key is a digest of all of those.  A rebuild with none of them changed (most)
    reads the stored tags instead of loading every story's phrases and picking again,
    which is 6–10 % of a warm build; any change runs ``assign_all`` in full, so the tags
    are the same either way.  ``kept``: a watch session's memo of the stories' phrases
    (``tags.PhraseCache``).
    """
    from . import tags

    key = _tags_key(tags, stories, min_tags, max_tags, vocabulary)
    path = Path(cache_dir) / TAGS_MEMO if cache_dir else None
    stored = read_json(path) if path else None
    if (isinstance(stored, dict) and stored.get("key") == key and isinstance(stored.get("tags"), list)
            and len(stored["tags"]) == len(stories)
            and all(isinstance(t, list) and all(isinstance(x, str) for x in t) for t in stored["tags"])):
        for story, found in zip(stories, stored["tags"], strict=True):
            story.tags = list(found)
        return
    tags.assign_all(stories, min_tags, max_tags, vocabulary, cache_dir=cache_dir, kept=kept)
    if path:
        write_json(path, {"key": key, "tags": [list(s.tags) for s in stories]})


def _tags_key(tags: Any, stories: list[Any], min_tags: int, max_tags: int, vocabulary: Any) -> str:
    h = hashlib.sha256()
    vocab = vocabulary or tags.Vocabulary()
    h.update(json.dumps([tags._phrases_fingerprint(), min_tags, max_tags, sorted(vocab.mapping.items()),
                         sorted(vocab.forbidden)]).encode())
    for story in stories:
        names = sorted({e.name for e in story.entities} | {a for e in story.entities for a in e.aliases})
        h.update(tags._story_key(story).encode())
        h.update(json.dumps(names, ensure_ascii=False).encode("utf-8", "surrogatepass"))
    return h.hexdigest()
