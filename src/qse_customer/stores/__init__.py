"""Stores: what a store is (:class:`Store`), the base class backends build on
(:class:`StoreBase`), the built-in backends (memory, SQLite, PostgreSQL) and :func:`open_store`,
which picks a backend by the URL's scheme.

Each built-in backend is a plugin (:mod:`.builtin`) registered exactly as an installed plugin
registers its own, and its module is imported when a store of its scheme is first opened (or its
class first named here), so importing the package imports no database driver.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports
from ._opening import open_store
from .errors import (
    CorruptStoreError,
    ForeignStoreError,
    HistoryRewriteError,
    RecordNotFoundError,
    StoredRecordError,
    StoreError,
    StoreVersionError,
)
from .protocol import Delivery, OnInvalid, Page, RecordType, Store, StoreFactory

if TYPE_CHECKING:
    from .base import StoreBase
    from .labs import migrate_to_lab
    from .memory import MemoryStore
    from .postgres import PostgresStore
    from .sqlite import SQLiteStore

__getattr__ = lazy_exports(
    __name__,
    {
        ".base": ["StoreBase"],
        ".labs": ["migrate_to_lab"],
        ".memory": ["MemoryStore"],
        ".postgres": ["PostgresStore"],
        ".sqlite": ["SQLiteStore"],
    },
)

__all__ = [
    "CorruptStoreError",
    "Delivery",
    "ForeignStoreError",
    "HistoryRewriteError",
    "MemoryStore",
    "OnInvalid",
    "Page",
    "PostgresStore",
    "RecordNotFoundError",
    "RecordType",
    "SQLiteStore",
    "Store",
    "StoreBase",
    "StoreError",
    "StoreFactory",
    "StoreVersionError",
    "StoredRecordError",
    "migrate_to_lab",
    "open_store",
]
