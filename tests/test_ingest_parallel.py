"""Dumps converted in worker processes give exactly what one process gives.

A cold build converts its dumps in ``NEWS_ARCHIVE_INGEST_PROCESSES`` forked workers
(``ingest.parallel``); the parent writes the dumps cache and the report in dump order.
Over every kind of dump the tests hold (formats, sidecars, hostile and rejected ones,
the ingest cases and the sample archive), the stories, the report and every cache file
must be those of an in-process run, byte for byte.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from news_archive.identity import State
from news_archive.ingest import parallel
from news_archive.read_dumps import read_all
from support import ROOT, SAMPLE_DUMPS

SOURCES = [SAMPLE_DUMPS, *(ROOT / "tests" / "data" / name for name in ("dumps", "hostile", "ingest_cases"))]


@pytest.fixture(scope="module")
def dumps_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("dumps")
    for source in SOURCES:
        shutil.copytree(source, root / source.name, dirs_exist_ok=True, symlinks=True)
    return root


def ingest(root: Path, work: Path, processes: int) -> tuple[str, str, dict[str, bytes]]:
    state = State(work / "state.json")
    stories, report = read_all(root, state, work / "dumps", False, processes=processes)
    state.save()  # as a build does at its end: the next ingest knows these dumps
    cache = {p.name: p.read_bytes() for p in (work / "dumps").iterdir()}
    return (json.dumps([s.to_json() for s in stories], sort_keys=True, default=str),
            json.dumps(report.to_json(), sort_keys=True, default=str), cache)


def test_workers_convert_every_kind_of_dump_as_one_process_does(dumps_folder: Path, tmp_path: Path, monkeypatch):
    monkeypatch.setattr(parallel, "MIN_JOBS", 1)  # the pool even for these few dumps
    calls: list[int] = []
    real = parallel.convert_all

    def counted(jobs, processes):
        found = real(jobs, processes)
        calls.append(len(found or []))
        return found

    monkeypatch.setattr(parallel, "convert_all", counted)
    one = ingest(dumps_folder, tmp_path / "one", 1)
    two = ingest(dumps_folder, tmp_path / "two", 2)
    assert calls[0] == 0 and calls[1] >= 50  # one process: no pool; two: every dump went to a worker
    assert two[0] == one[0]
    assert two[1] == one[1]
    assert two[2] == one[2]
    assert '"status": "rejected"' in one[1]  # hostile dumps were among them


def test_a_warm_run_sends_nothing_to_workers(dumps_folder: Path, tmp_path: Path, monkeypatch):
    """Dumps whose conversion the cache holds are read from it, in the parent, as before."""
    monkeypatch.setattr(parallel, "MIN_JOBS", 1)
    ingest(dumps_folder, tmp_path, 2)
    sent: list[int] = []
    monkeypatch.setattr(parallel, "convert_all", lambda jobs, processes: sent.append(len(jobs)) or None)
    ingest(dumps_folder, tmp_path, 2)
    assert sent == [0]
