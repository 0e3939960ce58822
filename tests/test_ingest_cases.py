"""Golden ingest cases: each dump under tests/data/ingest_cases/ reads as its expected file says.

A case is a dump ``<name>.<ext>`` (or a folder ``<name>/`` of dumps read together, for
site furniture across dumps and sidecars) beside ``<name>.expected.json``: the
records ``python -m news_archive extract`` prints for it, one per record, each cut
down to what a reader checks (``summary``): status and reason, headline, dek,
authors, byline, source, dateline, dates, URL, language, format, and the body's
start, end and number of paragraphs.  Only the fields an expected record names are
compared, so a maintainer may delete the ones a case is not about.

A new case is two files and no code.  To write (or rewrite) expected files, run

    UPDATE_INGEST_CASES=1 .venv/bin/python -m pytest tests/test_ingest_cases.py [-k NAME]

which writes ``<name>.expected.json`` from what the code does now (every field), then
review it with ``git diff`` before committing: the expected file is the specification,
so what the code does is only a draft of it.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT
from news_archive import __main__ as cli

CASES = ROOT / "tests" / "data" / "ingest_cases"
EXPECTED = ".expected.json"
NOT_CASES = {"README.md"}
UPDATE = os.environ.get("UPDATE_INGEST_CASES") == "1"
# How much of the body's start and end an expected record shows.
EDGE = 100
FIELDS = ("status", "reason", "headline", "dek", "authors", "byline", "source", "dateline", "published",
          "date_source", "url", "language", "format", "duplicate_of")


def case_name(dump: Path) -> str:
    """'story.txt' → 'story', 'folder' → 'folder', 'saved-page' → 'saved-page'."""
    return dump.name if dump.is_dir() else dump.name.split(".", 1)[0]


def expected_file(dump: Path) -> Path:
    return dump.with_name(case_name(dump) + EXPECTED)


DUMPS = sorted(p for p in CASES.iterdir() if not p.name.endswith(EXPECTED) and p.name not in NOT_CASES)


def shown(path: str) -> str:
    """A path or reason as the case folder names it ('site/one.txt'), wherever the tree is."""
    return path.replace(CASES.as_posix() + "/", "")


def summary(rec: dict[str, Any]) -> dict[str, Any]:
    """What a golden file records of one `extract` record."""
    out: dict[str, Any] = {"path": shown(rec["path"])}
    for key in FIELDS:
        if key in rec:
            value = rec[key]
            out[key] = shown(value) if isinstance(value, str) and key in ("reason", "duplicate_of") else value
    body = rec.get("body")
    if body:
        out.update(body_start=body[:EDGE], body_end=body[-EDGE:], paragraphs=body.count("\n\n") + 1)
    return out


def extract(dump: Path) -> list[dict[str, Any]]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert cli.main(["extract", str(dump)]) == 0
    return [summary(json.loads(line)) for line in out.getvalue().splitlines()]


def test_every_case_has_its_expectation_and_a_name_of_its_own():
    assert len(DUMPS) >= 15
    names = [case_name(d) for d in DUMPS]
    assert len(names) == len(set(names)), "two cases share a name: their expected files would too"
    if not UPDATE:
        missing = [d.name for d in DUMPS if not expected_file(d).exists()]
        assert not missing, f"no expected file for {missing}: run UPDATE_INGEST_CASES=1 (see this module) and review"
    orphans = {p.name[: -len(EXPECTED)] for p in CASES.glob("*" + EXPECTED)} - set(names)
    assert not orphans, f"expected files without their dump: {sorted(orphans)}"


@pytest.mark.parametrize("dump", DUMPS, ids=case_name)
def test_ingest_case(dump: Path):
    got = extract(dump)
    path = expected_file(dump)
    if UPDATE:
        path.write_text(json.dumps(got, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        return
    if not path.exists():
        pytest.fail(f"no {path.name}: run UPDATE_INGEST_CASES=1 (see this module) and review what it writes")
    expected = json.loads(path.read_text(encoding="utf-8"))
    assert [r["path"] for r in got] == [r.get("path", g["path"]) for r, g in zip(expected, got, strict=False)] \
        and len(got) == len(expected), [f"{r['path']}: {r['status']}" for r in got]
    for rec, want in zip(got, expected, strict=True):
        assert {k: rec.get(k) for k in want} == want, rec["path"]
