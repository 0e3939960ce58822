"""Work spread over forked worker processes, results back in order.

Forked, not spawned: the workers share what the parent already holds (a loaded spaCy
model, the dumps' bytes) copy-on-write, so nothing large is pickled on the way out and
no second model load is paid.  An exception raised by the work stops every worker at
once and reaches the caller.

A worker that dies without raising (the kernel's OOM killer, a segfault in a native
library, ``os._exit``) is reported too: ``multiprocessing.Pool.imap`` waited forever
for such a worker's results, so a build hung with no message.  The executor of
``concurrent.futures`` notices the dead process and fails every pending result with
``BrokenProcessPool``; :func:`forked_map` raises :class:`WorkerLost` then, saying how many
chunks' results were already handed on, so the caller can do the rest itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_context
from typing import Any, TypeVar

T = TypeVar("T")


class WorkerLost(RuntimeError):
    """A worker process died (killed, or exited) before its chunk's results came back."""

    def __init__(self, done: int) -> None:
        super().__init__(f"a worker process died; the results of the first {done} chunks came back")
        self.done = done  # chunks whose results were handed on, in order, before the loss


def forked_map(processes: int, start: Callable[..., None], start_args: tuple[Any, ...],
               run: Callable[[Any], list[T]], chunks: Iterable[Any]) -> Iterator[T]:
    """Each chunk's results from ``run`` in a pool of ``processes`` forked workers (each
    set up once by ``start(*start_args)``), flattened, in the order of ``chunks``.

    ``start_args`` reach the workers by the fork, never pickled; each chunk and its
    results are.  Raises :class:`WorkerLost` when a worker dies."""
    pool = ProcessPoolExecutor(processes, mp_context=get_context("fork"), initializer=start,
                               initargs=start_args)
    done = 0
    try:
        for found in pool.map(run, chunks):
            yield from found
            done += 1
    except BrokenProcessPool:
        _stop(pool)
        raise WorkerLost(done) from None
    except BaseException:
        _stop(pool)
        raise
    else:
        pool.shutdown(wait=True)  # the workers exit on their own


def _stop(pool: ProcessPoolExecutor) -> None:
    """Stop every worker now (their chunks' results are no longer wanted) and reap them."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in processes:
        if proc.is_alive():
            proc.terminate()
    for proc in processes:
        proc.join(10)
        if proc.is_alive():
            proc.kill()
            proc.join()


def ranges(total: int, step: int) -> list[tuple[int, int]]:
    """``[0, total)`` cut into ``(start, end)`` ranges of ``step`` items."""
    return [(i, min(i + step, total)) for i in range(0, total, step)]
