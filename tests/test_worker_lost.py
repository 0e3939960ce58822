"""A worker process that dies mid-batch never hangs a build nor costs it a dump or a text.

The kernel's OOM killer (SIGKILL), a crash in a native decoder or ``os._exit`` end a
worker without an exception; ``multiprocessing.Pool.imap`` then waited forever for its
results.  ``forked.forked_map`` raises ``WorkerLost`` instead, saying how many chunks came
back; ingest converts the dumps whose outcome did not come back in the build process,
each under its own guard, and its report says so; NER reads the texts again in the
build process.  Each result must be the one a single process gives.

The worker really dies: the work run in it kills its own process (``os.getpid()`` is
the worker's, not the test's), exactly as the kernel would.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from news_archive import forked
from news_archive.identity import State
from news_archive.ingest import parallel
from news_archive.read_dumps import read_all
from news_archive.report import summary
from support import ROOT, SAMPLE_DUMPS

DEATHS: dict[str, Callable[[], None]] = {
    "SIGKILL": lambda: os.kill(os.getpid(), signal.SIGKILL),
    "os._exit": lambda: os._exit(3),
}


@contextmanager
def at_most(seconds: int) -> Iterator[None]:
    """Fail instead of hanging (what ``Pool.imap`` did when a worker died)."""
    def hung(*_: Any) -> None:
        raise AssertionError(f"still waiting after {seconds} s for a worker that died")

    old = signal.signal(signal.SIGALRM, hung)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def _children() -> set[int]:
    kids: set[int] = set()
    for task in os.listdir(f"/proc/{os.getpid()}/task"):
        with open(f"/proc/{os.getpid()}/task/{task}/children") as fh:
            kids |= {int(c) for c in fh.read().split()}
    return kids


_state: dict[str, Any] = {}


def _start(parent: int, death: str) -> None:
    _state.update(parent=parent, death=death)


def _run(bounds: tuple[int, int]) -> list[int]:
    if bounds[0] <= 40 < bounds[1] and os.getpid() != _state["parent"]:
        DEATHS[_state["death"]]()
    return list(range(*bounds))


@pytest.mark.parametrize("death", sorted(DEATHS))
def test_a_dead_worker_is_reported_not_waited_for(death: str) -> None:
    before = _children()
    got: list[int] = []
    with at_most(60), pytest.raises(forked.WorkerLost) as lost:
        for n in forked.forked_map(2, _start, (os.getpid(), death), _run, forked.ranges(100, 10)):
            got.append(n)
    assert lost.value.done <= 4 and got == list(range(10 * lost.value.done))  # whole chunks, in order
    assert _children() - before == set(), "no worker is left behind"


def test_a_stopped_reader_leaves_no_worker_behind() -> None:
    before = _children()
    found = forked.forked_map(2, _start, (os.getpid(), "none"), _run_slowly, forked.ranges(100, 10))
    next(found)
    assert _children() - before  # the workers are there
    found.close()  # the generator abandoned half-way
    left = _children() - before
    assert left == set(), f"worker processes still running: {left}"


def _run_slowly(bounds: tuple[int, int]) -> list[int]:
    import time

    time.sleep(0.05)
    return list(range(*bounds))


def test_ingest_converts_a_dead_workers_dumps_itself_and_says_so(tmp_path: Path, monkeypatch) -> None:
    """One dump kills the worker converting it: every dump is still converted (as one
    process converts it), the others unhurt, and the report's notes say what happened."""
    root = tmp_path / "dumps"
    for source in (SAMPLE_DUMPS, ROOT / "tests" / "data" / "dumps"):
        shutil.copytree(source, root / source.name, dirs_exist_ok=True)
    monkeypatch.setattr(parallel, "MIN_JOBS", 1)
    real, parent = parallel.convert, os.getpid()
    victim = sorted(p for p in root.rglob("*.txt") if p.is_file())[5].name

    def convert(path: Path, *args: Any) -> dict[str, Any]:
        if path.name == victim and os.getpid() != parent:  # in the worker only
            os.kill(os.getpid(), signal.SIGKILL)
        return real(path, *args)

    monkeypatch.setattr(parallel, "convert", convert)

    def ingest(work: Path, processes: int) -> tuple[str, dict[str, Any]]:
        stories, report = read_all(root, State(work / "state.json"), work / "dumps", False, processes=processes)
        return json.dumps([s.to_json() for s in stories], sort_keys=True, default=str), report.to_json()

    with at_most(120):
        two = ingest(tmp_path / "two", 2)
    one = ingest(tmp_path / "one", 1)
    assert two[0] == one[0]
    assert two[1]["dumps"] == one[1]["dumps"]
    assert "notes" not in one[1]  # a healthy build's report is as before
    assert len(two[1]["notes"]) == 1 and "worker process" in two[1]["notes"][0]
    assert "converted in the build process" in summary(two[1])
    # The conversions cached, byte for byte (not the stat signatures: whether a dump is old
    # enough to trust its signature depends on when each run happened).
    cache = lambda work: {p.name: p.read_bytes() for p in (work / "dumps").iterdir()  # noqa: E731
                          if p.name != "signatures.json"}
    assert cache(tmp_path / "two") == cache(tmp_path / "one")


def test_ner_reads_a_dead_workers_texts_again(caplog: pytest.LogCaptureFixture) -> None:
    from news_archive import settings as S
    from news_archive.enrich.ner import load_model, spans_in_pieces
    from support import ner_texts as texts

    nlp, parent = load_model(S.DEFAULTS["NEWS_ARCHIVE_SPACY_MODEL"]), os.getpid()
    batch = texts(130)  # enough for the pool

    def then(i: int, raw: dict) -> dict:
        if i == 77 and os.getpid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)
        return {**raw, "i": i}

    with at_most(300), caplog.at_level(logging.WARNING, logger="news_archive.enrich.ner"):
        found = spans_in_pieces(nlp, batch, processes=2, size=60, then=then)
    assert found == spans_in_pieces(nlp, batch, processes=1, size=60, then=then)
    assert [r["i"] for r in found] == list(range(len(batch)))
    assert "worker process died" in caplog.text
