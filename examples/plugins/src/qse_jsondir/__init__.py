"""qse-jsondir: an example qse-customer plugin (a JSON-files store and a chat-file notifier)."""

from __future__ import annotations

from .chat import ChatFileNotifier
from .store import JsonDirStore

__all__ = ["ChatFileNotifier", "JsonDirStore"]
