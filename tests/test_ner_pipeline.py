"""The NER pipeline runs only what its spans depend on, and finds what the full model finds.

The build loads the spaCy model without the tagger, parser and the rest, because only
entity spans and sentence starts are kept.  A component that nothing reads still costs
its share of every story's time (the shared ``tok2vec`` of the small English models was
~45 % of NER time while NER embeds its own), so the pipeline must hold only the
sentencizer, NER and what NER listens to — and give the spans the model gives with
every component it ships.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy
from news_archive import settings as S
from news_archive.enrich.ner import load_model, raw_spans
from news_archive.enrich.resolve import EXTRA_LABELS, LABEL_TYPES

MODEL = S.DEFAULTS["NEWS_ARCHIVE_SPACY_MODEL"]
SAMPLES = Path(__file__).resolve().parents[1].parent / "shared" / "samples"


def _texts() -> list[str]:
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in sorted(SAMPLES.glob("*.txt"))[:6]]
    if not texts:
        pytest.skip(f"{SAMPLES} is not available")
    return texts


def test_every_component_run_is_one_the_spans_need():
    nlp = load_model(MODEL)
    for name, component in nlp.pipeline:
        listeners = getattr(component, "listening_components", None)
        assert name in ("sentencizer", "ner") or listeners, f"{name} runs but nothing reads it"


def test_spans_equal_the_full_models_spans():
    texts = _texts()
    full = spacy.load(MODEL)  # every component the package ships, the parser's sentences included
    kept = LABEL_TYPES.keys() | EXTRA_LABELS
    expected = [[[e.start_char, e.end_char, e.label_] for e in doc.ents if e.label_ in kept]
                for doc in full.pipe(texts)]
    assert [raw["ents"] for raw in raw_spans(load_model(MODEL), texts)] == expected
    assert any(expected), "the sample texts name no one: the comparison would prove nothing"
