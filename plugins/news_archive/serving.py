"""``news_archive serve``: waitress, in several worker processes on one listening socket.

A Whoosh search is pure Python, so one process answers on one core whatever its thread
count (60 requests/s at 20,000 stories on this project's 2-core machine).  The parent
binds the socket, forks the workers (before any index is opened: each opens the index
itself, read-only, and notices new generations on its own), restarts a worker that dies,
and stops them all on SIGTERM or SIGINT.  A worker whose parent is gone exits too, so a
killed server leaves no orphan holding the port.  The connection limit is shared out:
``connection_limit`` stays the most connections open at once over all workers.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import sys
import threading
import time
from typing import Any

RESPAWN_PAUSE = 1.0  # seconds between restarts of dying workers (no fork loop)
_STOP_SIGNALS = {signal.SIGTERM, signal.SIGINT}
STOP_SECONDS = 10.0  # how long stopping workers may take before they are killed
PR_SET_PDEATHSIG = 1  # prctl(2): the signal a process gets when its parent dies


def worker_count(setting: int) -> int:
    """The number of workers: the setting, or one per CPU core for 0."""
    return setting if setting > 0 else max(os.cpu_count() or 1, 1)


def per_worker(options: dict[str, Any], workers: int) -> dict[str, Any]:
    """waitress options for one of ``workers``: the connection limit shared out."""
    return dict(options, connection_limit=max(options["connection_limit"] // workers, 1))


def serve(app: Any, host: str, port: int, workers: int, options: dict[str, Any]) -> None:
    """Serve ``app`` until stopped (one process when ``workers`` is 1)."""
    from waitress import serve as waitress_serve

    warm = getattr(app, "warm", None)
    if workers <= 1:
        if warm is not None:
            warm()
        waitress_serve(app, host=host, port=port, **options)
        return
    sock = _listen(host, port, options.get("backlog", 1024))
    options = per_worker(options, workers)
    children: set[int] = set()

    def start() -> None:
        # A stop signal waits while a worker is forked: delivered between the fork and
        # ``children.add`` it would stop the server without stopping that worker, and in the
        # child before its handlers are reset it would run the server's own stop handler.
        was = signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
        try:
            pid = os.fork()
            if pid == 0:
                worker(was)  # never returns
            children.add(pid)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, was)

    def worker(mask: set[int]) -> None:
        code = 0
        try:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)  # a stop sent meanwhile ends it now
            _exit_with(os.getppid())
            if warm is not None:
                warm()
            waitress_serve(app, sockets=[sock], **options)
        except BaseException:  # noqa: BLE001 - a worker must never return into the parent's loop
            import traceback

            traceback.print_exc()
            code = 1
        finally:
            sys.stdout.flush()
            os._exit(code)

    def stop(signum: int, frame: Any) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        for _ in range(workers):
            start()
        while children:
            pid, _ = os.wait()
            children.discard(pid)
            time.sleep(RESPAWN_PAUSE)  # a worker died (stopping leaves this loop): replace it
            start()
    finally:
        _stop(children)
        sock.close()


def _listen(host: str, port: int, backlog: int) -> socket.socket:
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(address)
    sock.listen(backlog)
    return sock


def _exit_with(parent: int) -> None:
    """Exit this worker once ``parent`` is gone (it was killed without stopping us).

    On Linux the kernel is asked to send SIGTERM the moment the parent dies
    (``PR_SET_PDEATHSIG``), so even a worker busy in a long C call goes at once; a thread
    that polls the parent covers the other systems, and the parent that died between the
    fork and the request."""
    _ask_kernel_to_stop_us_with_parent()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _ask_kernel_to_stop_us_with_parent() -> None:
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0)


def _stop(children: set[int]) -> None:
    for pid in children:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_SECONDS
    while children and time.monotonic() < deadline:
        for pid in list(children):
            with contextlib.suppress(ChildProcessError):
                if os.waitpid(pid, os.WNOHANG)[0] == 0:
                    continue
            children.discard(pid)
        time.sleep(0.05)
    for pid in children:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)
