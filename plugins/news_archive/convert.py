"""Dumps folder → generated Markdown pages, incrementally, accounting for every dump.

Steps (each a small function below): read every dump (cached by its bytes, its
sidecars and the converter version), drop duplicates, add entities and tags, give
each story a stable slug, write the pages that changed, and report.  One bad dump
never stops the others: whatever goes wrong with it becomes its report entry.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from . import settings as S
from .dedupe import Deduplicator, complete_from_copies
from .enrich import enrich_stories
from .fileio import read_json, write_atomic, write_json
from .guard import each_guarded, guard
from .ingest import Rejected, RejectedRecord, is_dump, read_dump, role_of, site_furniture, text_page_lines
from .ingest.inputs import Found, read_capped, shown, walk
from .ingest.sidecar import sidecar_files
from .render import render_markdown
from .report import Entry, Report
from .sections import assign_sections
from .sources import normalise_sources
from .story import Story

log = logging.getLogger(__name__)

# Bump when ingest or render output changes, so every dump is converted again.
CONVERTER_VERSION = "4"


def now_utc() -> datetime:
    """The archiving time; SOURCE_DATE_EPOCH makes builds reproducible."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=UTC)
    return datetime.now(tz=UTC).replace(microsecond=0)


def slugify(text: str, limit: int = 80) -> str:
    from unidecode import unidecode

    slug = re.sub(r"[^a-z0-9]+", "-", unidecode(text).lower()).strip("-")
    if len(slug) > limit:
        slug = slug[:limit].rsplit("-", 1)[0]
    return slug or "story"


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


def fingerprint(path: Path, data: bytes, root: Path | None = None) -> str:
    h = hashlib.sha256()
    h.update(CONVERTER_VERSION.encode())
    h.update(data)
    for side in sidecar_files(path, root):
        h.update(side.name.encode())
        h.update(side.read_bytes())
    return h.hexdigest()


def list_dumps(root: Path) -> list[Path]:
    """The dumps to read under ``root``: files (or links to files inside it), never followed links."""
    return [f.path for f in walk(root) if not f.refused and is_dump(f.path)]


def list_inputs(root: Path) -> tuple[list[Path], list[Found], list[Path]]:
    """(dumps to read, refused entries, other files: sidecars, manifests, notes, hidden files).

    One walk that follows no link (see ``ingest.inputs``): a refused entry is a symlink
    resolving outside the dumps folder, a symlinked folder, a broken link or a special file.
    """
    dumps, refused, others = [], [], []
    for found in walk(root):
        if found.refused:
            refused.append(found)
        elif is_dump(found.path):
            dumps.append(found.path)
        else:
            others.append(found.path)
    return dumps, refused, others


def _site_lines(path: Path, data: bytes, fp: str, cache_dir: Path, limit: int) -> tuple[str, list[int]] | None:
    """What a text dump contributes to its site's furniture (cached by the dump's bytes)."""
    cached = cache_dir / f"lines-{fp}.json"
    info = read_json(cached)
    if info is None:
        found = text_page_lines(data, path.name, limit)
        info = {"site": found[0], "lines": found[1]} if found else {"site": "", "lines": []}
        write_json(cached, info)
    return (info["site"], info["lines"]) if info["site"] else None


def read_cached(cached: Path, rel: str) -> dict[str, Any] | None:
    """A dump's cached conversion, its stories' origins set to ``rel``.

    The cache is keyed by the dump's bytes, so byte-identical dumps share one entry, written
    by whichever was converted last: read as it was, the first copy's stories came back with
    the second copy's origin (the report listed ``b.txt`` twice, "duplicate of" itself, and
    ``a.txt`` vanished).  Each entry says which dump it was written for (``path``).
    """
    result = read_json(cached)
    if not isinstance(result, dict):
        return None
    written_for = result.get("path")
    if not isinstance(written_for, str):  # written before entries said: their origins say it
        origins = [s.get("origin", "") for s in result.get("stories", [])] + \
                  [o for o, _ in result.get("records_rejected", [])]
        written_for = origins[0].partition("#")[0] if origins else rel
    if written_for != rel:
        def rebase(origin: str) -> str:
            return rel + origin[len(written_for):] if origin.startswith(written_for) else origin

        result["stories"] = [{**s, "origin": rebase(s.get("origin", ""))} for s in result.get("stories", [])]
        result["records_rejected"] = [[rebase(o), r] for o, r in result.get("records_rejected", [])]
    return result


def read_all(root: Path, state: State, cache_dir: Path, progress: bool,
             limit: int = S.DEFAULTS["NEWS_ARCHIVE_MAX_DUMP_BYTES"]) -> tuple[list[Story], Report]:
    """Read every dump (from cache when unchanged) into stories plus report entries.

    Two passes: first every text dump's lines are counted per site (lines that other
    pages of the same site repeat are furniture: menus, footers, notices), then each
    dump is converted, or taken from the cache when its bytes, its sidecars, the
    converter version and its site furniture are all unchanged.  Both run under the
    guard: whatever one dump does becomes its report entry.  ``limit``: the most bytes
    a dump may hold, inflated (``NEWS_ARCHIVE_MAX_DUMP_BYTES``).
    """
    report = Report()
    stories: list[Story] = []
    cache_dir.mkdir(parents=True, exist_ok=True)
    dump_paths, refused, others = list_inputs(root)
    report.other_files = [{"path": p.relative_to(root).as_posix(), "role": role_of(p)} for p in others]
    for found in refused:
        report.add(Entry(path=shown(found.path, root), status="rejected", reason=found.refused))
    todo: list[tuple[Path, str, bytes, str, tuple[str, list[int]] | None]] = []
    seen = set()
    show = progress and sys.stderr.isatty() and not os.environ.get("CI")
    paths: Any = dump_paths
    if show:
        from tqdm import tqdm

        paths = tqdm(paths, desc="scanning dumps", unit="dump", leave=False)
    for path in paths:
        rel = path.relative_to(root).as_posix()
        seen.add(rel)
        with guard(report, rel, "reading") as done:
            data = read_capped(path, root, limit)
            fp = fingerprint(path, data, root)
            lines = _site_lines(path, data, fp, cache_dir, limit)
        if done.failed:
            state.dumps.pop(rel, None)
            continue
        todo.append((path, rel, data, fp, lines))
    furniture_of = site_furniture((rel, lines) for _, rel, _, _, lines in todo)
    iterator: Any = todo
    if show:
        iterator = tqdm(todo, desc="converting dumps", unit="dump")
    for path, rel, data, fp, _ in iterator:
        with guard(report, rel, "reading") as done:
            result = _convert_one(path, rel, root, data, fp, furniture_of[rel], state, cache_dir, limit)
            if "rejected" in result:
                raise Rejected(result["rejected"])
            found = [Story.from_json(s) for s in result["stories"]]
        if done.failed:
            continue
        for origin, reason in result.get("records_rejected", []):
            report.add(Entry(path=origin, status="rejected", reason=reason))
        stories.extend(found)
    for gone in set(state.dumps) - seen:
        del state.dumps[gone]
    # Cache entries of dumps that changed or went away are never read again.
    keep = {f"{fp}.json" for fp in state.dumps.values()} | {f"lines-{fp}.json" for _, _, _, fp, _ in todo}
    for stale in cache_dir.glob("*.json"):
        if stale.name not in keep:
            stale.unlink(missing_ok=True)
    return stories, report


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


def _convert_one(path: Path, rel: str, root: Path, data: bytes, fp: str, furniture: frozenset[int],
                 state: State, cache_dir: Path, limit: int) -> dict[str, Any]:
    """One dump's cached conversion, or a fresh one: ``{"stories", "records_rejected"}`` or ``{"rejected"}``.

    A ``Rejected`` dump is cached like a converted one (its bytes will say the same
    next time); any other exception is not, so the next build tries again.
    """
    if furniture:
        digest = hashlib.sha256(",".join(map(str, sorted(furniture))).encode()).hexdigest()
        fp = hashlib.sha256((fp + digest).encode()).hexdigest()
    cached = cache_dir / f"{fp}.json"
    result = read_cached(cached, rel) if state.dumps.get(rel) == fp else None
    if result is None:
        state.dumps.pop(rel, None)
        try:
            results = read_dump(path, root, data, furniture=furniture, limit=limit)
            result = {
                "stories": [s.to_json() for s in results if isinstance(s, Story)],
                "records_rejected": [[r.origin, r.reason] for r in results if isinstance(r, RejectedRecord)],
            }
        except Rejected as exc:
            result = {"rejected": exc.reason}
        write_json(cached, {**result, "path": rel})
        state.dumps[rel] = fp
    return result


def assign_slugs(stories: list[Story], state: State) -> dict[str, str]:
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
        base = slugify(story.headline)
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


def write_page(path: Path, text: str, state: State, slug: str) -> str:
    """Write a page unless unchanged or edited by hand; returns a warning or ''."""
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    if path.exists():
        current = hashlib.sha256(path.read_bytes()).hexdigest()
        if current == digest:
            state.written[slug] = digest
            return ""
        if slug in state.written and current != state.written[slug]:
            return f"kept hand-edited page {path.name}; delete it to regenerate"
    write_atomic(path, text)
    state.written[slug] = digest
    return ""


def convert_all(settings: dict[str, Any]) -> Report:
    """Run the whole conversion for Pelican settings; write pages and the report."""
    started = time.perf_counter()
    root = Path(S.content_subdir(settings, "NEWS_ARCHIVE_DUMPS_DIR"))
    out = Path(S.content_subdir(settings, "NEWS_ARCHIVE_GENERATED_DIR"))
    work = Path(S.work_dir(settings))
    out.mkdir(parents=True, exist_ok=True)
    state = State(work / "state.json")
    progress = bool(S.get(settings, "NEWS_ARCHIVE_PROGRESS"))

    limit = int(S.get(settings, "NEWS_ARCHIVE_MAX_DUMP_BYTES"))
    stories, report = read_all(root, state, work / "cache" / "dumps", progress, limit)
    assign_sections(stories, settings)  # after the cache: a changed mapping needs no re-reading
    normalise_sources(stories, settings)
    t_ingest = time.perf_counter()

    dedupe = Deduplicator(cache_dir=work / "cache")  # signatures cached
    _, (kept, duplicates) = each_guarded(report, stories, _origin, "finding duplicates", dedupe.run)
    for dup, original in duplicates:
        report.add(Entry(path=dup.origin, status="duplicate", headline=dup.headline, duplicate_of=original.origin))
    complete_from_copies(duplicates)  # a writer or date only a copy names is the story's too

    # Entities (NER cached) and tags; see enrich/.
    kept, words = each_guarded(report, kept, _origin, "finding entities and tags",
                               lambda batch: enrich_stories(batch, settings, str(work)))
    t_ner = time.perf_counter()

    wanted: set[str] = set()
    url_pattern = settings.get("ARTICLE_URL", "{slug}.html")
    slug_of = assign_slugs(kept, state)
    for story in sorted(kept, key=lambda s: s.origin):
        slug = slug_of[story.origin]
        with guard(report, story.origin, "rendering its page") as done:
            archived = archived_at(story, state)
            text = render_markdown(story, slug, archived, CONVERTER_VERSION)
        if done.failed:
            continue
        with guard(report, story.origin, "writing its page") as done:
            warning = write_page(out / f"{slug}.md", text, state, slug)
        if done.failed:
            continue
        wanted.add(f"{slug}.md")
        url = "/" + url_pattern.format(slug=slug).lstrip("/")
        entry = report.add(Entry(path=story.origin, status="converted", headline=story.headline, slug=slug, url=url))
        entry.warnings.extend(story.warnings)
        if warning:
            entry.warnings.append(warning)
    for entry in report.entries:
        if entry.status == "duplicate":
            original_slug = slug_of.get(entry.duplicate_of, "")
            entry.url = "/" + url_pattern.format(slug=original_slug).lstrip("/") if original_slug else ""
    _remove_stale(out, wanted, state)
    state.save()
    t_end = time.perf_counter()
    report.stats = {
        "ingest_seconds": round(t_ingest - started, 2),
        "ner_seconds": round(t_ner - t_ingest, 2),
        "ner_words_per_second": int(words / (t_ner - t_ingest)) if words else None,
        "render_seconds": round(t_end - t_ner, 2),
    }
    report.write(S.report_path(settings))
    return report


def _origin(story: Story) -> str:
    return story.origin


def _remove_stale(out: Path, wanted: set[str], state: State) -> None:
    """Delete generated pages whose dump is gone, unless edited by hand."""
    for page in out.glob("*.md"):
        if page.name in wanted or page.is_dir():  # a folder named x.md is no page of ours
            continue
        slug = page.stem
        try:
            digest = hashlib.sha256(page.read_bytes()).hexdigest()
        except FileNotFoundError:  # gone meanwhile (deleted by hand): nothing left to delete
            state.written.pop(slug, None)
            continue
        if state.written.get(slug) == digest:
            page.unlink(missing_ok=True)
            del state.written[slug]
