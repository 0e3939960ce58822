"""One build at a time per work folder: ``<work>/build.lock``, held with ``fcntl.flock``.

Two ``make html`` runs in the same tree read and delete the same state, pages and stale
files: one of them crashed in ``remove_stale`` with ``FileNotFoundError``, and had it
not, the two would have written each other's state.  So a build takes an exclusive
lock on ``<work>/build.lock`` when Pelican starts (``initialized``, and ``get_generators``
for each rebuild of ``pelican --autoreload``) and lets it go when the build is done
(``finalized``).

A second build refuses at once, naming the folder and the pid of the build that holds
it, and exits non-zero (75, ``EX_TEMPFAIL``: try again later) without a traceback.  It does not wait: a
build waiting behind another would only redo what the first just did, and a maintainer
who started two by mistake should hear about it, not find two builds queued.

The lock is the kernel's, on the open file: a build that crashes or is killed
(``kill -9`` included) loses it with its process, so no stale lock ever blocks the next
build, and the file is never deleted (deleting a lock file races with the next taker).
The pid written into it is only there for the message; a build that reaches
``finalized`` adds "finished" after it when it lets go.

Temporary files of interrupted writes (``fileio.temp_name``) are left only by a build that
died mid-write, and only builds write in the work, generated and output folders.  So the
next build walks those trees for them (at 20,000 stories, 150,000 files: seconds of every
rebuild) only when the lock file does not say that the last build finished.

Locks held are kept per process, keyed by path (``_HELD``): the lock belongs to the
process, not to one build, and ``pelican --autoreload`` builds many times in one process.
"""

from __future__ import annotations

import fcntl
import logging
import os
from typing import Any

from . import settings as S
from .fileio import remove_stale_temps

log = logging.getLogger(__name__)

LOCK_FILE = "build.lock"
FINISHED = "finished"  # after the pid in the lock file: that build reached its end
_HELD: dict[str, int] = {}  # lock path -> open file descriptor holding it


EXIT_LOCKED = 75  # EX_TEMPFAIL: try again later


class BuildLocked(SystemExit):
    """Another build holds the work folder's lock.

    A ``SystemExit`` (exit status 75): Pelican's command line turns any other exception
    into a traceback, and a refusal is a message, not a crash.  ``message`` says why.
    """

    def __init__(self, message: str) -> None:
        super().__init__(EXIT_LOCKED)
        self.message = message

    def __str__(self) -> str:
        return self.message


def lock_path(work: str) -> str:
    return os.path.join(os.path.abspath(work), LOCK_FILE)


def holder(path: str) -> str:
    """The pid written in a lock file ("unknown" when there is none yet)."""
    try:
        with open(path, encoding="ascii", errors="replace") as fh:
            text = (fh.read(64).split() or [""])[0]
    except OSError:
        return "unknown"
    return text if text.isdigit() else "unknown"


def acquire(work: str) -> str:
    """Take the build lock of ``work`` (again, harmlessly, if this process has it)."""
    return take(work)[0]


def take(work: str) -> tuple[str, bool]:
    """Take the lock (see :func:`acquire`); also whether the build that held it before finished."""
    path = lock_path(work)
    if path in _HELD:
        return path, True
    os.makedirs(os.path.dirname(path), exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        message = (f"another build is running in {os.path.dirname(path)} (pid {holder(path)}); "
                   "wait for it to finish or stop it, then build again")
        log.critical("news_archive: %s", message)
        raise BuildLocked(message) from None
    except BaseException:
        os.close(fd)
        raise
    try:
        finished = os.pread(fd, 64, 0).split()[1:2] == [FINISHED.encode("ascii")]
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
    except BaseException:
        os.close(fd)
        raise
    _HELD[path] = fd
    return path, finished


def release(work: str, finished: bool = False) -> None:
    """Let the lock go (the file stays: see the module docstring); ``finished``: the build
    reached its end, so it left no temporary file behind."""
    fd = _HELD.pop(lock_path(work), None)
    if fd is not None:
        if finished:
            os.pwrite(fd, f"{os.getpid()} {FINISHED}\n".encode("ascii"), 0)
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def on_start(sender: Any) -> None:
    """Receiver of ``initialized`` and ``get_generators`` (both sent by the Pelican object):
    take the lock, then, unless the last build finished, remove what interrupted writes left
    behind (only a lock holder may: nobody else is writing in these folders)."""
    settings = sender.settings
    work = S.work_dir(settings)
    if lock_path(work) in _HELD:
        return
    _, finished = take(work)
    if finished:
        return
    folders = [work, S.content_subdir(settings, "NEWS_ARCHIVE_GENERATED_DIR"), settings.get("OUTPUT_PATH", "")]
    for folder in folders:
        if folder and os.path.isdir(folder):
            removed = remove_stale_temps(folder)
            if removed:
                log.info("news_archive: removed %d temporary files of interrupted writes in %s: %s",
                         len(removed), folder, ", ".join(removed[:5]))


def on_finalized(pelican: Any) -> None:
    release(S.work_dir(pelican.settings), finished=True)
