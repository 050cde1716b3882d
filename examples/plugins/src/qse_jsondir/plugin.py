"""The plugin module qse-customer loads through the entry point ``jsondir``."""

from __future__ import annotations

import os
from collections.abc import Mapping

from qse_customer.notifiers import Notification
from qse_customer.plugins import hookimpl
from qse_customer.stores import StoreFactory

from .chat import ChatFileNotifier
from .store import open_jsondir_store

CHAT_FILE_ENV = "QSE_JSONDIR_CHAT_FILE"


@hookimpl
def qse_storage_backends() -> Mapping[str, StoreFactory]:
    """Provide the ``jsondir://`` store."""
    return {"jsondir": open_jsondir_store}


@hookimpl
def qse_notify(notification: Notification) -> None:
    """Post the notification to the chat file named by ``QSE_JSONDIR_CHAT_FILE``."""
    ChatFileNotifier(os.environ.get(CHAT_FILE_ENV)).qse_notify(notification)
