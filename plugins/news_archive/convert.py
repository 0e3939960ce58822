"""Dumps folder → generated Markdown pages, incrementally, accounting for every dump.

Steps: read every dump (cached by its bytes, its sidecars and the converter version:
``read_dumps``), drop duplicates, add entities and tags (``enrich``), give each story
a stable slug (``identity``), write the pages that changed, and report.  One bad dump
never stops the others: whatever goes wrong with it becomes its report entry.
"""

from __future__ import annotations

import hashlib
import logging
import time
from pathlib import Path
from typing import Any

from . import read_dumps
from . import settings as S
from .build import Build
from .dedupe import Deduplicator, complete_from_copies
from .enrich import enrich_stories
from .enrich.ner import worker_count
from .fileio import write_atomic
from .guard import each_guarded, guard
from .identity import State, archived_at, assign_slugs
from .read_dumps import read_all
from .render import render_markdown
from .report import Entry, Report
from .sections import assign_sections
from .sources import normalise_sources
from .story import Story

log = logging.getLogger(__name__)


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
    """Run the whole conversion for Pelican settings; write pages and the report.

    In a Pelican run the build object (``build.Build``, in the settings) is handed every
    story a page was written for, by content hash, and the entity details."""
    started = time.perf_counter()
    build = Build.of(settings)
    root = Path(S.content_subdir(settings, "NEWS_ARCHIVE_DUMPS_DIR"))
    out = Path(S.content_subdir(settings, "NEWS_ARCHIVE_GENERATED_DIR"))
    work = Path(S.work_dir(settings))
    out.mkdir(parents=True, exist_ok=True)
    state = State(work / "state.json")
    progress = bool(S.get(settings, "NEWS_ARCHIVE_PROGRESS"))

    limit = int(S.get(settings, "NEWS_ARCHIVE_MAX_DUMP_BYTES"))
    kept = build.kept("dump-reads") if build is not None else None  # per dump, by its stat signature
    processes = worker_count(int(S.get(settings, "NEWS_ARCHIVE_INGEST_PROCESSES")))
    stories, report = read_all(root, state, work / "cache" / "dumps", progress, limit, kept, processes)
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
                               lambda batch: enrich_stories(batch, settings, str(work), build))
    t_ner = time.perf_counter()

    wanted: set[str] = set()
    url_pattern = settings.get("ARTICLE_URL", "{slug}.html")
    slug_of = assign_slugs(kept, state, settings)
    for story in sorted(kept, key=lambda s: s.origin):
        slug = slug_of[story.origin]
        with guard(report, story.origin, "rendering its page") as done:
            archived = archived_at(story, state)
            text = render_markdown(story, slug, archived, read_dumps.CONVERTER_VERSION)
        if done.failed:
            continue
        with guard(report, story.origin, "writing its page") as done:
            warning = write_page(out / f"{slug}.md", text, state, slug)
        if done.failed:
            continue
        wanted.add(f"{slug}.md")
        if build is not None and not warning:  # a page kept as edited by hand says what it says
            build.stories[story.content_hash] = story
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
