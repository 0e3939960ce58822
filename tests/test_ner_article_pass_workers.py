"""A cold build's per-article pass runs beside the model, in the NER worker processes.

The pass (``article_pass.resolve_article``) used to wait until spaCy had read every text,
then run in the parent on one core while the other idled: about a fifth of the model's
own CPU time, all of it single-core.  It now runs in the worker that read the text, and
whatever the process count the result must be the one the parent computed before: the
same entities, and the same NER cache entries byte for byte (a warm build reads them).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from news_archive import settings as S
from news_archive.enrich import entities
from news_archive.enrich.aliases import load_aliases
from news_archive.enrich.article_pass import resolve_article
from news_archive.enrich.ner import load_model, raw_spans, spans_in_pieces
from news_archive.enrich.ner_cache import NerCache
from news_archive.enrich.resolve import article_from_json, article_to_json
from news_archive.enrich.truecase import model_text
from support import ner_texts as texts

MODEL = S.DEFAULTS["NEWS_ARCHIVE_SPACY_MODEL"]


def test_the_pass_result_survives_the_cache_form_unchanged():
    """The parent now rebuilds each fresh article from its cache form (what a worker sends
    back): it must be the article the pass computed, field by field."""
    nlp, table = load_model(MODEL), load_aliases()
    batch = texts(40)
    for text, raw in zip(batch, raw_spans(nlp, [model_text(t) for t in batch]), strict=True):
        art = resolve_article(text, [tuple(e) for e in raw["ents"]], raw["sents"], table)
        assert article_from_json(text, raw["sents"], article_to_json(art)) == art


def test_then_runs_in_the_workers_on_each_whole_text(tmp_path: Path):
    """``then`` gets every text once, with its whole spans, in a worker process (not the parent)."""
    nlp = load_model(MODEL)
    batch = texts(130)  # enough for the pool (50 texts a process and more)
    marks = tmp_path / "pids"

    def then(i: int, raw: dict) -> dict:
        with open(marks, "a", encoding="utf-8") as fh:
            fh.write(f"{os.getpid()} {i}\n")
        return {**raw, "i": i}

    found = spans_in_pieces(nlp, batch, processes=2, size=60, then=then)  # most texts in several pieces
    plain = spans_in_pieces(nlp, batch, processes=1, size=60)
    assert [r["i"] for r in found] == list(range(len(batch)))
    assert [{k: v for k, v in r.items() if k != "i"} for r in found] == plain
    rows = [line.split() for line in marks.read_text().splitlines()]
    assert sorted(int(i) for _, i in rows) == list(range(len(batch)))
    assert str(os.getpid()) not in {pid for pid, _ in rows}


@pytest.mark.parametrize("processes", [2])
def test_cold_entities_and_cache_entries_are_those_of_one_process(tmp_path: Path, monkeypatch, processes: int):
    """A cold run on two processes (the pass in the workers) and on one give the same
    entities and write the same cache entries, byte for byte; and no article is resolved
    in the parent when the workers did it."""
    batch, table = texts(130), load_aliases()
    one_cache = NerCache(str(tmp_path / "one"), MODEL)
    one, _ = entities.resolve_texts(batch, MODEL, table, one_cache, processes=1)
    calls: list[int] = []
    real = entities.resolve_article

    def counted(*args, **kwargs):
        calls.append(os.getpid())
        return real(*args, **kwargs)

    monkeypatch.setattr(entities, "resolve_article", counted)
    two_cache = NerCache(str(tmp_path / "two"), MODEL)
    two, _ = entities.resolve_texts(batch, MODEL, table, two_cache, processes=processes)
    assert two == one
    assert os.getpid() not in calls  # the parent resolved nothing itself (the workers' calls are theirs)
    entries = {p.relative_to(one_cache.root): p.read_bytes() for p in one_cache.root.rglob("*.json")}
    assert len(entries) == len(batch) + 2  # and the archive memo and the evidence beside it
    assert entries == {p.relative_to(two_cache.root): p.read_bytes() for p in two_cache.root.rglob("*.json")}
