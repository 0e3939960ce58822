"""The spaCy model run over story texts: loading it, batching, pieces, worker processes.

What comes back is only spans and sentence starts (:data:`Raw`), never spaCy ``Doc``
objects: that is what the caches store (:mod:`.ner_cache`) and what worker processes
send back cheaply.  Nothing here knows about stories or the archive.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from typing import Any

from ..forked import WorkerLost, forked_map, ranges
from ..settings import DEFAULTS as _defaults
from .resolve import EXTRA_LABELS, LABEL_TYPES

log = logging.getLogger(__name__)

# Bump when what is cached (raw spans, sentence starts) changes.
NER_VERSION = "5"  # 4: EVENT, WORK_OF_ART, PRODUCT and LAW spans kept; 5: the model reads
# truecase.model_text (all-caps lines in ordinary case), not the text itself
# Longest piece of text spaCy reads at once (NEWS_ARCHIVE_NER_PIECE_CHARS) and longest
# text read at all (NEWS_ARCHIVE_NER_MAX_CHARS): the documented defaults.
PIECE_CHARS: int = _defaults["NEWS_ARCHIVE_NER_PIECE_CHARS"]
MAX_CHARS: int = _defaults["NEWS_ARCHIVE_NER_MAX_CHARS"]
_EXCLUDE = ["parser", "lemmatizer", "attribute_ruler", "tagger", "morphologizer", "senter"]
_nlp_cache: dict[str, Any] = {}

# {"ents": [[start, end, LABEL], …], "sents": [start, …], "resolved": {per-article pass, versioned}}
Raw = dict[str, Any]


def load_model(name: str) -> Any:
    """Load (once per process) the spaCy pipeline with only what NER needs."""
    if name not in _nlp_cache:
        import spacy

        nlp = spacy.load(name, exclude=_EXCLUDE)
        # In the small English models NER embeds its own tok2vec; the shared one only fed
        # the tagger and parser excluded above.  Running it anyway cost ~45 % of NER time
        # for spans that are byte-identical without it (tests/test_ner_pipeline.py).
        if "tok2vec" in nlp.pipe_names and not nlp.get_pipe("tok2vec").listening_components:
            nlp.remove_pipe("tok2vec")
        if "sentencizer" not in nlp.pipe_names:
            nlp.add_pipe("sentencizer", first=True)
        _nlp_cache[name] = nlp
    return _nlp_cache[name]


def model_version(name: str) -> str:
    """``name-version`` of the installed model, without loading it (the cache key needs it)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"{name}-{version(name)}"
    except PackageNotFoundError:
        nlp = load_model(name)
        return f"{nlp.meta.get('name')}-{nlp.meta.get('version')}"


def worker_count(setting: int) -> int:
    """Processes NER runs in: ``setting`` when positive, else one per core this process may use.

    0 (the default, NEWS_ARCHIVE_NER_PROCESSES) is "auto": on a 2-core machine two
    processes read about 1.8 times as many words a second as one.
    """
    if setting > 0:
        return setting
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def raw_spans(nlp: Any, texts: list[str], batch_chars: int = PIECE_CHARS) -> list[Raw]:
    """spaCy over texts in batches, in this process: each text's spans and sentence starts.

    A batch holds at most ``batch_chars`` characters (and 64 texts): spaCy's memory
    grows with the text it holds at once (~3 GB for ten 100,000-character texts in one
    batch, ~0.5 GB for one at a time), and batch size barely changes its speed here.
    Several processes are :func:`spans_in_pieces`' business (what a build runs).
    """
    longest = max((len(t) for t in texts), default=1)
    batch_size = max(1, min(64, batch_chars // max(longest, 1)))
    return [
        {
            "ents": [[e.start_char, e.end_char, e.label_] for e in doc.ents
                     if e.label_ in LABEL_TYPES or e.label_ in EXTRA_LABELS],
            "sents": [s.start_char for s in doc.sents],
        }
        for doc in nlp.pipe(texts, batch_size=batch_size)
    ]


def pieces(text: str, size: int) -> list[tuple[int, str]]:
    """``(offset, piece)`` of a text cut into pieces of at most ``size`` characters.

    Cut at the last paragraph break before the bound, else the last line break, else
    the last sentence end, else the last space, else at the bound itself (one
    100,000-character word).  Offsets let a piece's spans be placed in the whole text.
    """
    if len(text) <= size:
        return [(0, text)]
    out: list[tuple[int, str]] = []
    pos, n = 0, len(text)
    while pos < n:
        end = pos + size
        if end >= n:
            out.append((pos, text[pos:]))
            break
        cut = -1
        for sep, keep in (("\n\n", 0), ("\n", 0), (". ", 1), (" ", 0)):
            at = text.rfind(sep, pos + 1, end)
            if at > pos:
                cut = at + keep
                break
        if cut <= pos:
            cut = end
        out.append((pos, text[pos:cut]))
        pos = cut
    return out


def spans_in_pieces(nlp: Any, texts: list[str], processes: int = 1, size: int = PIECE_CHARS,
                    then: Then | None = None) -> list[Raw]:
    """:func:`raw_spans` for texts of any length: long ones are read in pieces (see :func:`pieces`).

    spaCy refuses a text over its ``max_length`` (1,000,000 characters, error E088) and
    would need gigabytes for one near it; the pieces' spans and sentence starts are
    shifted by the piece's offset, so the result reads as if the whole text had been read.

    ``then(i, raw)``: what becomes of text ``i``'s spans once they are whole (the caller's
    per-text step; its result is what is returned for the text).  With several processes
    it runs in the workers, beside the model, so the step does not wait for the model to
    finish every text and then run on one core while the other idles: the per-article
    pass was a fifth of the model's own CPU time.  The workers get chunks of the texts as
    index ranges (the texts, ``then`` and the model are theirs by the fork, never pickled)
    and send back only each text's result.

    A worker that dies (the OOM killer, a crash in the model) costs its chunks' texts one
    more read, in this process: the texts whose results had come back are kept, the rest
    are read here, and a warning says so (a build neither hangs nor loses a text).

    spaCy's own ``n_process`` sends back each whole Doc, which the parent then rebuilt
    from bytes alone: two processes read fewer words a second than one on this machine.
    """
    n_process = processes if processes > 1 and len(texts) >= 50 * processes else 1
    job = _Job(nlp, texts, size, then)
    if n_process == 1:
        return job.run((0, len(texts)))
    # Small chunks keep both workers busy to the end; each costs one round trip.
    step = max(1, min(64, len(texts) // (16 * n_process)))
    chunks = ranges(len(texts), step)
    out: list[Raw] = []
    try:
        for raw in forked_map(n_process, _job_start, (job,), _job_run, chunks):
            out.append(raw)
    except WorkerLost as lost:
        rest = chunks[lost.done][0] if lost.done < len(chunks) else len(texts)
        del out[rest:]  # whole chunks only (a chunk's results come back together)
        log.warning("NER: a worker process died; %d of %d texts are read again in the build process",
                    len(texts) - rest, len(texts))
        out.extend(job.run((rest, len(texts))))
    return out


# What a caller does with one text's whole spans (:func:`spans_in_pieces`): (index, raw) -> raw.
Then = Callable[[int, Raw], Raw]


class _Job:
    """One :func:`spans_in_pieces` call: the model, the texts, the piece size and the per-text step."""

    def __init__(self, nlp: Any, texts: list[str], size: int, then: Then | None) -> None:
        self.nlp, self.texts, self.size, self.then = nlp, texts, size, then

    def run(self, bounds: tuple[int, int]) -> list[Raw]:
        """The texts ``start..end``: their pieces read in one :func:`raw_spans`, put together per text."""
        start, end = bounds
        cut = [pieces(self.texts[i], self.size) for i in range(start, end)]
        found = iter(raw_spans(self.nlp, [piece for parts in cut for _, piece in parts]))
        out: list[Raw] = []
        for i, parts in enumerate(cut, start):
            ents: list[list[Any]] = []
            sents: list[int] = []
            for offset, _ in parts:
                raw = next(found)
                ents += [[s + offset, e + offset, label] for s, e, label in raw["ents"]]
                sents += [s + offset for s in raw["sents"]]
            whole: Raw = {"ents": ents, "sents": sents}
            out.append(self.then(i, whole) if self.then is not None else whole)
        return out


# A spans_in_pieces worker's job: set once when the pool forks it (a process of its own).
_job: list[_Job] = []


def _job_start(job: _Job) -> None:
    _job[:] = [job]


def _job_run(bounds: tuple[int, int]) -> list[Raw]:
    return _job[0].run(bounds)
