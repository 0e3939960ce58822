"""NER in several processes finds exactly what one process finds, in the same order.

The build runs NER in ``NEWS_ARCHIVE_NER_PROCESSES`` forked workers (0, the default,
is one per core) through ``ner.spans_in_pieces``; a worker sends back only spans and
sentence starts.  Whatever the process count, every text must get the spans one
in-process run gives it, and in input order: the cache is keyed by text, so a mix-up
would persist.  (A worker that dies, or a reader that stops half-way, leaves no worker
behind: tests/test_worker_lost.py.)
"""

from __future__ import annotations

import os

from news_archive import settings as S
from news_archive.enrich.ner import load_model, spans_in_pieces, worker_count
from support import ner_texts as texts

MODEL = S.DEFAULTS["NEWS_ARCHIVE_SPACY_MODEL"]


def test_two_processes_give_one_process_spans_text_by_text():
    nlp = load_model(MODEL)
    batch = texts(130)  # enough for the pool (50 texts a process and more)
    one = spans_in_pieces(nlp, batch, processes=1)
    two = spans_in_pieces(nlp, batch, processes=2)
    assert len(two) == len(batch)
    assert two == one
    # And they are each text's own spans, not a neighbour's: the same as the text read alone.
    for i in range(0, len(batch), 13):
        assert two[i] == spans_in_pieces(nlp, [batch[i]])[0], batch[i]
    assert sum(bool(raw["ents"]) for raw in two) > 100


def test_process_count_zero_means_one_per_usable_core():
    assert worker_count(3) == 3 and worker_count(1) == 1
    assert worker_count(0) == len(os.sched_getaffinity(0))
    assert S.DEFAULTS["NEWS_ARCHIVE_NER_PROCESSES"] == 0
