"""The seed dump (a real AFP scrape) converts field by field as a reader would expect."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from conftest import ROOT, SAMPLE_DUMPS, SEED

NOISE = ("Home Latest News", "File Photo", "Related Articles", "Leave a Comment")


def extract(*paths: str) -> list[dict]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "plugins")}
    out = subprocess.run([sys.executable, "-m", "news_archive", "extract", *paths],
                         capture_output=True, text=True, env=env, check=True, cwd=ROOT).stdout
    return [json.loads(line) for line in out.splitlines()]


def test_seed_fields_via_extract_command():
    [rec] = extract(str(SAMPLE_DUMPS / SEED))
    assert rec["status"] == "converted"
    assert rec["headline"] == "Top Islamic State Commander Killed in Afghanistan Airstrike"
    assert rec["source"] == "AFP"
    assert rec["authors"] == []  # "by AFP" names an agency, not a person
    assert rec["dek"] == "Officials say Qari Hekmat was killed in Darzab district airstrike carried out by U.S. Forces"
    assert rec["body"].startswith("A high-ranking Islamic State commander in Afghanistan has been killed")
    assert rec["body"].endswith("a brutal wing of the Taliban.")
    for noise in NOISE:
        assert noise not in rec["body"]
    assert rec["published"] is None and rec["date_source"] is None


def test_extract_prints_every_contract_field():
    [rec] = extract(str(SAMPLE_DUMPS / SEED))
    for field in ("path", "status", "reason", "headline", "dek", "authors", "source", "dateline",
                  "published", "date_source", "url", "language", "body"):
        assert field in rec
    assert rec["body"].count("\n\n") == 10  # 11 paragraphs, separated by blank lines
