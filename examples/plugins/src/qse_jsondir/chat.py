"""A notifier that writes one short line per notification, as a chat message would be."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from qse_customer.notifiers import Notification
from qse_customer.plugins import hookimpl

ICONS = {"breached": "[!]", "at_risk": "[~]", "complaint_received": "[+]", "feedback_due": "[>]"}


class ChatFileNotifier:
    """Appends ``[!] rule T-1 breached for enquiry 'e-17' ...`` lines to ``path`` (stderr if
    None)."""

    def __init__(self, path: str | os.PathLike[str] | None) -> None:
        self.path = Path(path) if path is not None else None

    @hookimpl
    def qse_notify(self, notification: Notification) -> None:
        """Post one line; it holds only the notification's own message and key."""
        line = f"{ICONS[notification.kind.value]} {notification.message} ({notification.key})\n"
        if self.path is None:
            sys.stderr.write(line)
            return
        with self.path.open("a", encoding="utf-8") as chat:
            chat.write(line)
            chat.flush()
            os.fsync(chat.fileno())
