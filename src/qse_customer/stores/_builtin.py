"""The built-in stores as plugins: ``memory://``, ``sqlite:///path`` and ``postgresql://...``.

Each is registered under its own name (``qse_customer.memory_store``, ``qse_customer.sqlite_store``,
``qse_customer.postgres_store``, see :data:`qse_customer.plugins.BUILTIN_PLUGINS`) exactly as an
installed plugin registers its own, with its hook marked ``trylast`` so that an installed plugin
claiming the same scheme wins. The module behind a scheme (sqlite3, psycopg) is imported when a
store of that scheme is first opened, not when the plugin is registered.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from ..plugins.markers import hookimpl
from .protocol import Store, StoreFactory


def open_memory(url: str, *, lab: str | None = None) -> Store:
    """A new, empty :class:`~qse_customer.stores.memory.MemoryStore` for ``memory://``."""
    from .memory import open_memory_store

    return open_memory_store(url, lab=lab)


def open_sqlite(url: str, *, lab: str | None = None) -> Store:
    """The :class:`~qse_customer.stores.sqlite.SQLiteStore` of an ``sqlite:///`` URL."""
    from .sqlite import open_sqlite_store

    return open_sqlite_store(url, lab=lab)


def open_postgres(url: str, *, lab: str | None = None) -> Store:
    """The :class:`~qse_customer.stores.postgres.PostgresStore` of a ``postgresql://`` URL."""
    from .postgres import open_postgres_store

    return open_postgres_store(url, lab=lab)


class BuiltinStore:
    """A built-in store plugin: the URL schemes it opens and the function opening each."""

    def __init__(self, factories: Mapping[str, StoreFactory]) -> None:
        self.factories = MappingProxyType(dict(factories))

    @hookimpl(trylast=True)
    def qse_storage_backends(self) -> Mapping[str, StoreFactory]:
        """The built-in schemes (an installed plugin claiming one of them wins)."""
        return self.factories


memory = BuiltinStore({"memory": open_memory})
sqlite = BuiltinStore({"sqlite": open_sqlite})
postgres = BuiltinStore({"postgresql": open_postgres})
