"""Dumps converted in forked worker processes: a cold build's ingest on every core.

Converting a dump (``read_dump``: decoding, finding the article, its byline and date) is a
pure function of its bytes, its furniture and the byte limit, and a cold build does it
for every dump: at 20,000 dumps over a minute on one core while the other idled.  Here
the dumps to convert go to a pool of forked workers, which inherit the bytes already
read (never pickled: only an index range travels) and send back what the parent would
have computed — the conversion, or the exception it raised, raised again by the parent
inside the dump's own guard, so the report and the cache are what one process makes.
Nothing is written by a worker: the parent writes the cache in dump order, as before.
"""

from __future__ import annotations

import pickle
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..forked import WorkerLost, forked_map, ranges
from . import read_dump
from .errors import Rejected, RejectedRecord

# (path, dumps folder, bytes, furniture keys, byte limit): one dump to convert.
Job = tuple[Path, Path, bytes, frozenset[int], int]
# ("done", conversion) | ("raised", exception) | ("again", None): convert it in the parent
# (an exception that cannot be pickled: the parent's own run then reports it as it is) |
# ("lost", None): its worker died (killed, or exited) first; the parent converts it too.
Outcome = tuple[str, Any]
MIN_JOBS = 64  # fewer dumps than this are converted in the parent: forking costs more


def convert(path: Path, root: Path, data: bytes, furniture: frozenset[int], limit: int) -> dict[str, Any]:
    """One dump's conversion as the dumps cache stores it: ``{"stories", "records_rejected"}``,
    or ``{"rejected": reason}`` for a dump with nothing usable (any other exception propagates)."""
    from ..story import Story

    try:
        results = read_dump(path, root, data, furniture=furniture, limit=limit)
    except Rejected as exc:
        return {"rejected": exc.reason}
    return {
        "stories": [s.to_json() for s in results if isinstance(s, Story)],
        "records_rejected": [[r.origin, r.reason] for r in results if isinstance(r, RejectedRecord)],
    }


def convert_all(jobs: Sequence[Job], processes: int) -> list[Outcome] | None:
    """Each job's outcome, in order, from ``processes`` workers; None when not worth a pool
    (one process, or fewer than :data:`MIN_JOBS` dumps): the caller converts them itself.

    A worker that dies (the OOM killer, a crash in a decoder) stops the pool: the jobs
    whose outcomes had not come back are ``("lost", None)``, converted by the caller, each
    under its dump's own guard, so one dump that kills its worker never stops the others."""
    if processes < 2 or len(jobs) < MIN_JOBS:
        return None
    step = max(1, min(32, len(jobs) // (8 * processes)))
    out: list[Outcome] = []
    try:
        for outcome in forked_map(processes, _start, (jobs,), _run, ranges(len(jobs), step)):
            out.append(outcome)
    except WorkerLost:
        out += [("lost", None)] * (len(jobs) - len(out))
    return out


# A worker's jobs: set once when the pool forks it (a process of its own).
_jobs: list[Sequence[Job]] = []


def _start(jobs: Sequence[Job]) -> None:
    _jobs[:] = [jobs]


def _run(bounds: tuple[int, int]) -> list[Outcome]:
    out: list[Outcome] = []
    for job in _jobs[0][bounds[0]:bounds[1]]:
        try:
            out.append(("done", convert(*job)))
        except Exception as exc:  # the parent's guard turns it into the dump's report entry
            try:
                pickle.dumps(exc)
            except Exception:
                out.append(("again", None))
            else:
                out.append(("raised", exc))
    return out
