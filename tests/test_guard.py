"""The guard rule: whatever goes wrong in one dump's step becomes its `rejected` entry.

Each per-dump step (reading, the duplicate signature, entities and tags, rendering,
writing) is made to fail for one poisoned dump, the way a parser bug, a MemoryError
or a full disk would; the report names the dump, the step and the error, and every
other dump converts.  The write failure is a real one (the page's path is a folder).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from news_archive import convert, dedupe
from news_archive.enrich import tags
from news_archive.ingest import parallel

POISON = "Poisoned headline"


def dumps(root: Path) -> Path:
    folder = root / "content" / "dumps"
    folder.mkdir(parents=True)
    for title in ("Market reopens", POISON, "School gets a new roof"):
        body = f"{title} was the story of the day in the town of Eastham.\nIts second line tells more about {title}."
        (folder / f"{title.lower().replace(' ', '-')}.json").write_text(json.dumps({"title": title, "maintext": body}))
    return folder


def run(root: Path) -> dict[str, dict]:
    settings = {"PATH": str(root / "content"), "NEWS_ARCHIVE_WORK_DIR": str(root / "var"),
                "NEWS_ARCHIVE_NER": False, "NEWS_ARCHIVE_PROGRESS": False}
    return {e["path"]: e for e in convert.convert_all(settings).to_json()["dumps"]}


def poisoned(real):
    def step(*args, **kwargs):
        if POISON in repr(args)[:100_000]:
            raise RuntimeError("boom")
        return real(*args, **kwargs)
    return step


@pytest.mark.parametrize(("step", "target", "name"), [
    ("reading", parallel, "read_dump"),
    ("finding duplicates", dedupe, "shingles"),
    ("finding entities and tags", tags, "assign_all"),
    ("rendering its page", convert, "render_markdown"),
])
def test_a_step_that_fails_for_one_dump_rejects_only_that_dump(tmp_path, monkeypatch, step, target, name):
    dumps(tmp_path)
    monkeypatch.setattr(target, name, poisoned(getattr(target, name)))
    report = run(tmp_path)
    bad = report["poisoned-headline.json"]
    assert bad["status"] == "rejected"
    assert bad["reason"] == f"internal error while {step}: RuntimeError: boom"
    assert report["market-reopens.json"]["status"] == report["school-gets-a-new-roof.json"]["status"] == "converted"


def test_a_page_that_cannot_be_written_rejects_only_its_dump(tmp_path):
    dumps(tmp_path)
    (tmp_path / "content" / "generated" / "poisoned-headline.md").mkdir(parents=True)  # rename onto a folder fails
    report = run(tmp_path)
    assert report["poisoned-headline.json"]["status"] == "rejected"
    assert report["poisoned-headline.json"]["reason"].startswith("internal error while writing its page: ")
    assert report["market-reopens.json"]["status"] == "converted"


def test_a_failure_that_is_no_single_dumps_still_stops_the_build(tmp_path, monkeypatch):
    dumps(tmp_path)

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(tags, "assign_all", broken)
    with pytest.raises(OSError, match="disk full"):
        run(tmp_path)


@pytest.mark.parametrize("processes", [1, 2])
def test_a_dump_failing_in_an_ingest_worker_rejects_only_that_dump(tmp_path, monkeypatch, processes):
    """A cold build converts its dumps in worker processes (NEWS_ARCHIVE_INGEST_PROCESSES, from
    ``parallel.MIN_JOBS`` dumps on): a conversion that fails there is reported exactly as one
    failing in the build's own process, and every other dump converts, in the same order."""
    folder = dumps(tmp_path)
    for i in range(parallel.MIN_JOBS + 6):
        body = f"Filler story {i} was about the harbour of Eastham.\nIts second line tells more about story {i}."
        (folder / f"filler-{i:03d}.json").write_text(json.dumps({"title": f"Filler story {i}", "maintext": body}))
    marks = tmp_path / "pids"
    bad_read = poisoned(parallel.read_dump)

    def read(*args, **kwargs):
        with open(marks, "a", encoding="utf-8") as fh:
            fh.write(f"{os.getpid()}\n")
        return bad_read(*args, **kwargs)

    monkeypatch.setattr(parallel, "read_dump", read)
    settings = {"PATH": str(tmp_path / "content"), "NEWS_ARCHIVE_WORK_DIR": str(tmp_path / "var"),
                "NEWS_ARCHIVE_NER": False, "NEWS_ARCHIVE_PROGRESS": False, "NEWS_ARCHIVE_INGEST_PROCESSES": processes}
    report = {e["path"]: e for e in convert.convert_all(settings).to_json()["dumps"]}
    readers = set(marks.read_text().split())
    assert readers == {str(os.getpid())} if processes == 1 else str(os.getpid()) not in readers
    bad = report["poisoned-headline.json"]
    assert bad["status"] == "rejected"
    assert bad["reason"] == "internal error while reading: RuntimeError: boom"
    assert sum(e["status"] == "converted" for e in report.values()) == len(report) - 1
