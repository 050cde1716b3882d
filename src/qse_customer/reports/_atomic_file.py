"""Output files written whole or not at all.

A report or an export is written to a new temporary file in the same folder, flushed to disk,
then renamed over the destination: a reader sees yesterday's file or today's, never half of one,
and a run that fails (a crash, a full disk, Ctrl-C) leaves yesterday's file as it was. The
destination keeps its permissions (a new file gets the usual ones, from the umask), and a
destination that is a symbolic link is written through: the file it points to is replaced.
"""

from __future__ import annotations

import errno
import os
import secrets
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from os import PathLike
from pathlib import Path
from typing import IO, Any, BinaryIO, TextIO, cast

from ..core._files import fsync_directory

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def _temporary_beside(target: Path) -> tuple[Path, int]:
    """A new file next to ``target`` (never an existing one, never through a link), open to
    write, created with the permissions the umask gives or ``target``'s own."""
    try:
        mode = stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        mode = 0o666
    while True:
        temporary = target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")
        try:
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, mode)
        except FileExistsError:
            continue
        if mode != 0o666:
            os.fchmod(fd, mode)  # the umask applied to the existing file's mode too
        return temporary, fd


@contextmanager
def replacing(path: str | PathLike[str]) -> Iterator[TextIO]:
    """A text stream whose contents replace the file at ``path`` when the block ends normally;
    if the block raises, ``path`` is left as it was and nothing else remains."""
    with _replacing(path, binary=False) as handle:
        yield cast(TextIO, handle)


@contextmanager
def replacing_bytes(path: str | PathLike[str]) -> Iterator[BinaryIO]:
    """As :func:`replacing`, a binary stream (a workbook, an archive)."""
    with _replacing(path, binary=True) as handle:
        yield cast(BinaryIO, handle)


@contextmanager
def _replacing(path: str | PathLike[str], *, binary: bool) -> Iterator[IO[Any]]:
    target = Path(os.path.realpath(path))
    if target.is_dir():
        raise IsADirectoryError(errno.EISDIR, "it is a folder", str(path))
    temporary, fd = _temporary_beside(target)
    try:
        opened = os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8", newline="")
        with opened as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    fsync_directory(target.parent)


def write_text(path: str | PathLike[str], text: str) -> None:
    """Replace the file at ``path`` with ``text`` (UTF-8), whole or not at all."""
    with replacing(path) as handle:
        handle.write(text)
