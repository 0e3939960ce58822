"""Work spread over forked worker processes, results back in order.

Forked, not spawned: the workers share what the parent already holds (a loaded spaCy
model, the dumps' bytes) copy-on-write, so nothing large is pickled on the way out and
no second model load is paid.  A failure anywhere stops every worker at once, and the
exception reaches the caller."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from multiprocessing import get_context
from typing import Any, TypeVar

T = TypeVar("T")


def forked_map(processes: int, start: Callable[..., None], start_args: tuple[Any, ...],
               run: Callable[[Any], list[T]], chunks: Iterable[Any]) -> Iterator[T]:
    """Each chunk's results from ``run`` in a pool of ``processes`` forked workers (each
    set up once by ``start(*start_args)``), flattened, in the order of ``chunks``."""
    pool = get_context("fork").Pool(processes, initializer=start, initargs=start_args)
    try:
        for found in pool.imap(run, chunks):
            yield from found
    except BaseException:
        pool.terminate()
        raise
    else:
        pool.close()  # the workers exit on their own
    finally:
        pool.join()


def ranges(total: int, step: int) -> list[tuple[int, int]]:
    """``[0, total)`` cut into ``(start, end)`` ranges of ``step`` items."""
    return [(i, min(i + step, total)) for i in range(0, total, step)]
