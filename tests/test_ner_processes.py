"""NER in several processes finds exactly what one process finds, in the same order.

The build runs NER in ``NEWS_ARCHIVE_NER_PROCESSES`` forked workers (0, the default,
is one per core); a worker sends back only spans and sentence starts.  Whatever the
process count, every text must get the spans one in-process run gives it, and in
input order: the cache is keyed by text, so a mix-up would persist.
"""

from __future__ import annotations

import os

from news_archive import settings as S
from news_archive.enrich.ner import load_model, raw_spans, worker_count

MODEL = S.DEFAULTS["NEWS_ARCHIVE_SPACY_MODEL"]
PEOPLE = ["Angela Merkel", "Emmanuel Macron", "Joe Biden", "Olaf Scholz", "Ursula von der Leyen"]
PLACES = ["Paris", "Brussels", "Washington", "Tokyo", "Nairobi", "Lima", "Oslo"]


def texts(n: int) -> list[str]:
    """Distinct short stories of different lengths (so chunks and batches are uneven)."""
    out = []
    for i in range(n):
        who, where = PEOPLE[i % len(PEOPLE)], PLACES[(i * 3) % len(PLACES)]
        body = [f"{who} arrived in {where} on day {i} of the talks."] + [
            f"The Bank of Japan and Toyota were discussed in {PLACES[j % len(PLACES)]}." for j in range(i % 4)
        ]
        out.append("\n\n".join(body))
    return out


def test_two_processes_give_one_process_spans_text_by_text():
    nlp = load_model(MODEL)
    batch = texts(130)  # enough for the pool (50 texts a process and more)
    one = list(raw_spans(nlp, batch, processes=1))
    two = list(raw_spans(nlp, batch, processes=2))
    assert len(two) == len(batch)
    assert two == one
    # And they are each text's own spans, not a neighbour's: the same as the text read alone.
    for i in range(0, len(batch), 13):
        assert two[i] == next(iter(raw_spans(nlp, [batch[i]]))), batch[i]
    assert sum(bool(raw["ents"]) for raw in two) > 100


def test_a_stopped_reader_leaves_no_worker_behind():
    nlp = load_model(MODEL)
    before = _children()  # other tests' servers may be running
    found = raw_spans(nlp, texts(120), processes=2)
    next(iter(found))
    assert _children() - before  # the workers are there
    found.close()  # the generator abandoned half-way
    left = _children() - before
    assert left == set(), f"worker processes still running: {left}"


def _children() -> set[int]:
    kids: set[int] = set()
    for task in os.listdir(f"/proc/{os.getpid()}/task"):
        with open(f"/proc/{os.getpid()}/task/{task}/children") as fh:
            kids |= {int(c) for c in fh.read().split()}
    return kids


def test_process_count_zero_means_one_per_usable_core():
    assert worker_count(3) == 3 and worker_count(1) == 1
    assert worker_count(0) == len(os.sched_getaffinity(0))
    assert S.DEFAULTS["NEWS_ARCHIVE_NER_PROCESSES"] == 0
