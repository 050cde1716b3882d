"""What writing a file durably takes, for every module that writes one (reports, outboxes)."""

from __future__ import annotations

import os
from pathlib import Path


def fsync_directory(directory: Path) -> None:
    """Sync ``directory`` itself, so that a file just created or renamed in it is on disk by
    that name (nothing if the system does not allow it)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
