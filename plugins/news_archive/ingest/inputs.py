"""What lies under the dumps folder, and reading one dump without trusting it.

Inputs are only what lies under ``content/dumps/``.  The folder is walked without
following links: a symlink that resolves inside the folder is read (it is then
usually a duplicate of its target), one that resolves elsewhere on the machine is
refused, and a symlinked folder is never walked into but listed, so the report says
why its files are missing.  FIFOs, sockets and devices are refused too: reading a
FIFO would block the build for ever.

Reading is bounded: a file over ``NEWS_ARCHIVE_MAX_DUMP_BYTES`` is refused from its
size before any byte is read, and a gzip file is inflated in small steps and refused
as soon as it passes the same bound (a 2 MB gzip may inflate to 2 GB).
"""

from __future__ import annotations

import os
import stat
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .errors import Rejected

# Inflating is done this many bytes at a time, so a bomb costs one step over the bound.
_STEP = 1 << 20


@dataclass(frozen=True)
class Found:
    """One entry under the dumps folder: a file to read, or a refusal with its reason."""

    path: Path  # where it lies (never resolved: the report names it as the maintainer sees it)
    refused: str = ""  # why it is not read ("" for a file to read)


def inside(path: Path, root: Path) -> bool:
    """Whether ``path``, with every link resolved, lies in ``root`` (itself resolved)."""
    try:
        return path.resolve().is_relative_to(root.resolve())
    except (OSError, RuntimeError):  # a link loop
        return False


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device")):
        if test(mode):
            return name
    return "not a regular file"


def shown(path: Path, root: Path) -> str:
    """The path relative to ``root`` as the report shows it: bytes that are not UTF-8 as ``\\xNN``."""
    rel = path.relative_to(root).as_posix()
    return rel.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
        return True
    except UnicodeEncodeError:  # os.listdir gave undecodable bytes as surrogates
        return False


def _classify(path: Path, root: Path) -> Found | None:
    """A file to read, a refusal, or None for a real folder (walked on its own)."""
    try:
        st = path.lstat()
    except OSError as exc:
        return Found(path, f"unreadable: {exc.strerror}")
    if not _utf8(path.name):
        # Its name could be neither written to the report nor be a story's origin.
        return Found(path, "refused: its name is not valid UTF-8; rename it")
    if stat.S_ISLNK(st.st_mode):
        try:
            target = os.readlink(path)
        except OSError:
            target = "?"
        if not path.exists():
            return Found(path, f"refused: broken symlink (to {target})")
        if path.is_dir():
            where = "inside" if inside(path, root) else "outside"
            return Found(path, f"refused: symlink to a folder {where} the dumps folder (to {target}); "
                               "symlinked folders are not followed")
        if not inside(path, root):
            return Found(path, f"refused: symlink to a file outside the dumps folder (to {target})")
        st = path.stat()
    if stat.S_ISDIR(st.st_mode):
        return None
    if not stat.S_ISREG(st.st_mode):
        return Found(path, f"refused: {_kind(st.st_mode)}, not a file")
    return Found(path)


def walk(root: Path) -> Iterator[Found]:
    """Every file, link and special file under ``root``, sorted, never following a link."""
    if root.is_dir():
        yield from _walk_below(root, root)


def _walk_below(folder: Path, root: Path) -> Iterator[Found]:
    try:
        names = sorted(os.listdir(folder))
    except OSError as exc:
        if folder != root:  # an unreadable dumps folder is no dump of its own: nothing to list
            yield Found(folder, f"unreadable folder: {exc.strerror}")
        return
    for name in names:
        path = folder / name
        found = _classify(path, root)
        if found is None:
            yield from _walk_below(path, root)
        else:
            yield found


def read_capped(path: Path, root: Path, limit: int) -> bytes:
    """The bytes of one dump, or ``Rejected`` when it is too large or no longer safe to read.

    The file is checked again as it is opened (no link followed, no FIFO opened for
    reading), because the folder may change between the listing and the read.
    """
    real = path.resolve()
    if not real.is_relative_to(root.resolve()):
        raise Rejected("refused: resolves outside the dumps folder")
    try:
        fd = os.open(real, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        raise Rejected(f"unreadable: {exc.strerror}") from exc
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fh.fileno())
        if not stat.S_ISREG(st.st_mode):
            raise Rejected(f"refused: {_kind(st.st_mode)}, not a file")
        if st.st_size > limit:
            raise Rejected(too_large(f"{st.st_size:,} bytes", limit))
        data = fh.read(limit + 1)
    if len(data) > limit:  # it grew after the check
        raise Rejected(too_large(f"over {limit:,} bytes", limit))
    return data


def too_large(size: str, limit: int) -> str:
    return f"too large: {size}, over NEWS_ARCHIVE_MAX_DUMP_BYTES ({limit:,} bytes)"


def gunzip_capped(data: bytes, limit: int) -> bytes:
    """Inflate gzip ``data`` (every member) in steps; ``Rejected`` once past ``limit`` bytes.

    Never holds more than ``limit`` plus one step of inflated bytes, whatever the ratio.
    """
    out: list[bytes] = []
    total = 0
    rest = data
    while rest:
        inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
        chunk = rest
        try:
            while True:
                piece = inflater.decompress(chunk, _STEP)
                total += len(piece)
                if total > limit:
                    raise Rejected(f"too large: gzip file inflates to over {limit:,} bytes "
                                   "(NEWS_ARCHIVE_MAX_DUMP_BYTES)")
                out.append(piece)
                chunk = inflater.unconsumed_tail
                if inflater.eof or (not chunk and not piece):
                    break
        except zlib.error as exc:
            raise Rejected(f"corrupt gzip file: {exc}") from exc
        if not inflater.eof:
            raise Rejected("corrupt gzip file: it ends before its last member does")
        rest = inflater.unused_data
        if rest[:2] != b"\x1f\x8b":
            if rest.strip(b"\x00"):  # zero padding after the last member is allowed, as gzip allows it
                raise Rejected("corrupt gzip file: bytes after the last member")
            break
    return b"".join(out)
