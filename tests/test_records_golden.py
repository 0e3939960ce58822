"""Real-world record shapes, as golden files: each dump under tests/data/records/ sits
beside ``<dump>.expected.json``, the records `extract` must print for it (only the
fields the expectation names are compared; ``path`` relative to the folder).

A new case is a new pair of files, not new code.  The cases are the defects met on
real crawls (../shared/data/newsplease_5w1h, fundus_multilingual, newspaper4k):
junk author credits, page furniture in JSON bodies, site-name suffixes on headlines,
pages that are no article, time zones dropped or invented, non-Latin scripts, and
fundus's structured records.
"""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest
from conftest import ROOT
from news_archive import __main__ as cli

CASES = ROOT / "tests" / "data" / "records"
DUMPS = sorted(p for p in CASES.iterdir() if not p.name.endswith(".expected.json"))


def extract(path: Path) -> list[dict]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert cli.main(["extract", str(path)]) == 0
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_every_case_has_its_expectation():
    assert DUMPS and all(p.with_name(p.name + ".expected.json").exists() for p in DUMPS)


@pytest.mark.parametrize("dump", DUMPS, ids=lambda p: p.name)
def test_golden_record(dump: Path):
    expected = json.loads(dump.with_name(dump.name + ".expected.json").read_text(encoding="utf-8"))
    got = extract(dump)
    for rec in got:
        rec["path"] = Path(rec["path"]).name
    assert len(got) == len(expected), [r["status"] + ": " + str(r["reason"]) for r in got]
    for rec, want in zip(got, expected, strict=True):
        assert {k: rec.get(k) for k in want} == want
