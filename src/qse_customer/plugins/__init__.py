"""Plugins: the hooks, the plugin manager, and the built-in storage, notification and survey
backends, registered exactly as a third-party plugin registers its own.

Write a plugin: mark functions named like the hooks in :mod:`.hookspecs` with
:data:`hookimpl` and declare the module in your package's ``pyproject.toml``::

    [project.entry-points.qse_customer]
    myplugin = "my_package.plugin"

See ``docs/plugins.md``.
"""

from __future__ import annotations

from .delivery import DeliveryFailure, DeliveryReport, notification_for, notify_due, send
from .errors import (
    CorruptStoreError,
    ForeignStoreError,
    HistoryRewriteError,
    PluginConflictError,
    PluginError,
    PluginLoadError,
    PluginResultError,
    RecordNotFoundError,
    StoredRecordError,
    StoreError,
    StoreVersionError,
    UnknownBackendError,
)
from .file_survey import FileSurveyBackend
from .logging_notifier import LoggingNotifier
from .manager import (
    BUILTIN_PLUGINS,
    Provided,
    QSEPluginManager,
    get_plugin_manager,
    open_store,
    open_survey_backend,
)
from .markers import DISABLE_PLUGINS_ENV, ENTRY_POINT_GROUP, PROJECT_NAME, hookimpl, hookspec
from .memory_store import MemoryStore
from .notification import Notification, NotificationKind
from .outbox_notifier import FileOutboxNotifier, OutboxContents, read_outbox
from .postgres_store import PostgresStore
from .smtp_notifier import (
    SMTPDeliveryError,
    SMTPNotifier,
    SMTPSettings,
    register_from_environment,
)
from .sqlite_store import SQLiteStore
from .store import Delivery, OnInvalid, Page, RecordType, Store, StoreFactory
from .store_base import StoreBase
from .survey_backend import (
    Collection,
    Invitation,
    RejectedResponse,
    SurveyBackend,
    SurveyBackendFactory,
)

__all__ = [
    "BUILTIN_PLUGINS",
    "DISABLE_PLUGINS_ENV",
    "ENTRY_POINT_GROUP",
    "PROJECT_NAME",
    "Collection",
    "CorruptStoreError",
    "Delivery",
    "DeliveryFailure",
    "DeliveryReport",
    "FileOutboxNotifier",
    "FileSurveyBackend",
    "ForeignStoreError",
    "HistoryRewriteError",
    "Invitation",
    "LoggingNotifier",
    "MemoryStore",
    "Notification",
    "NotificationKind",
    "OnInvalid",
    "OutboxContents",
    "Page",
    "PluginConflictError",
    "PluginError",
    "PluginLoadError",
    "PluginResultError",
    "PostgresStore",
    "Provided",
    "QSEPluginManager",
    "RecordNotFoundError",
    "RecordType",
    "RejectedResponse",
    "SMTPDeliveryError",
    "SMTPNotifier",
    "SMTPSettings",
    "SQLiteStore",
    "Store",
    "StoreBase",
    "StoreError",
    "StoreFactory",
    "StoreVersionError",
    "StoredRecordError",
    "SurveyBackend",
    "SurveyBackendFactory",
    "UnknownBackendError",
    "get_plugin_manager",
    "hookimpl",
    "hookspec",
    "notification_for",
    "notify_due",
    "open_store",
    "open_survey_backend",
    "read_outbox",
    "register_from_environment",
    "send",
]
