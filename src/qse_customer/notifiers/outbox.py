"""The file outbox notifier: each notification appended to a JSON-lines file and forced to disk,
so it survives a crash of the process that produced it.

Another process (a mailer, a chat bot, a cron job) reads the file and sends what it finds; a
line's ``key`` identifies the notification, so that reader can drop a repeat (delivery is at least
once). Each line is written with one ``write`` to a file opened for appending and then
``fsync``-ed, so concurrent writers never interleave their lines and a line that was reported
delivered is on disk. The file is opened without following a symbolic link and must be a regular
file: a link put in its place cannot send notifications into another file (the delivery fails,
and stays pending, until the link is replaced by the outbox itself). Register one under a stable
name::

    qse_customer.get_plugin_manager().register(FileOutboxNotifier("outbox.jsonl"), "outbox")
"""

from __future__ import annotations

import errno
import json
import os
import stat
import threading
from os import PathLike
from pathlib import Path

from attrs import frozen

from ..core._files import fsync_directory
from ..core.errors import FieldError, ValidationError
from ..plugins.markers import hookimpl
from .notification import Notification

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)


@frozen
class OutboxContents:
    """What an outbox file holds: the notifications, and any line that could not be read (a
    line cut short by a crash while it was being written, or edited by hand)."""

    notifications: tuple[Notification, ...]
    unreadable: tuple[FieldError, ...]


class FileOutboxNotifier:
    """Appends each notification as one JSON line to ``path`` and fsyncs it."""

    def __init__(self, path: str | PathLike[str]) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()

    @hookimpl
    def qse_notify(self, notification: Notification) -> None:
        """Append the notification to the outbox file, durably."""
        line = json.dumps(notification.to_dict(), separators=(",", ":")) + "\n"
        data = line.encode("utf-8")
        with self._lock:
            created = not self.path.exists()
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = _open_outbox(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
            try:
                written = os.write(fd, data)
                if written != len(data):
                    raise OSError(f"short write to {self.path} ({written} of {len(data)} bytes)")
                os.fsync(fd)
            finally:
                os.close(fd)
            if created:
                fsync_directory(self.path.parent)

    def read(self) -> OutboxContents:
        """The notifications in the outbox file, in the order they were written."""
        return read_outbox(self.path)

    def __repr__(self) -> str:
        return f"FileOutboxNotifier({str(self.path)!r})"


def _open_outbox(path: Path, flags: int) -> int:
    """A descriptor of the outbox file: never through a symbolic link, and only a regular file."""
    if path.is_symlink():
        raise OSError(
            errno.ELOOP,
            "the outbox is a symbolic link, which the outbox notifier never follows; replace it "
            "with the outbox file itself",
            str(path),
        )
    fd = os.open(path, flags | _NOFOLLOW | _NONBLOCK, 0o600)
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise OSError(errno.EINVAL, "the outbox is not a regular file", str(path))
    return fd


def read_outbox(path: str | PathLike[str]) -> OutboxContents:
    """The notifications in a JSON-lines outbox file (none if it does not exist yet)."""
    file = Path(path)
    if not file.exists() and not file.is_symlink():
        return OutboxContents((), ())
    found: list[Notification] = []
    unreadable: list[FieldError] = []
    with os.fdopen(_open_outbox(file, os.O_RDONLY), "rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            try:
                found.append(Notification.from_dict(json.loads(raw)))
            except (ValueError, ValidationError) as error:
                unreadable.append(FieldError(f"{file}:{number}", str(error).splitlines()[0]))
    return OutboxContents(tuple(found), tuple(unreadable))
