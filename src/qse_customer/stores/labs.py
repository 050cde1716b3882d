"""Many labs in one store: making an existing single-lab store the home of one lab.

A store written before labs existed (or used without one) holds records of the *default* lab:
their JSON has no ``lab``, and their hash chains were computed without one. To make such a store
hold many labs, name the lab those records belong to, its *home lab*, with
:func:`migrate_to_lab` (``qse-customer migrate-lab --store URL --lab LAB-7``). The records are
not rewritten: their documents, and so their hash chains, stay as they are, and ``verify()``
still passes. The store notes the home lab in its settings and files the records under it, so
that ``open_store(url, lab="LAB-7")`` sees them, as ``open_store(url)`` does from then on.

A store's home lab is named once: naming another one later is refused (the records would move
to another lab while their documents stay the same, and nothing could tell which lab wrote
them). See docs/labs.md.
"""

from __future__ import annotations

from ..core._checks import lab_name
from .base import StoreBase
from .errors import StoreError
from .protocol import Store


def migrate_to_lab(store: Store, lab: str) -> int:
    """Make ``lab`` the home lab of ``store``: its records of the default lab become ``lab``'s,
    their documents and hash chains unchanged. Returns how many records moved (0 when ``lab``
    is already the home lab: running it again is harmless).

    ``store`` must be opened without a lab (``open_store(url)``). Refused with
    :class:`StoreError`, nothing changed: a store whose home lab is another lab; a store where
    ``lab`` already holds a record with the key (type and id) of a default-lab record; a store
    of a plugin that cannot migrate. On PostgreSQL it must run as the owner of the store's
    tables (it lifts row-level security for its one transaction).
    """
    lab = lab_name(lab)
    migrate = getattr(store, "_set_home_lab", None)
    if not isinstance(store, StoreBase) or migrate is None:
        raise StoreError(
            f"{getattr(store, 'where', type(store).__name__)} cannot be given a home lab: its "
            "backend does not support migrating to many labs"
        )
    store._check_open()
    if store.lab is not None:
        raise StoreError(
            f"{store.where} was opened for lab {store.lab!r}; open it without a lab "
            "(open_store(url)) to name its home lab"
        )
    if store.home_lab == lab:
        return 0
    if store.home_lab is not None:
        raise StoreError(
            f"{store.where} already has the home lab {store.home_lab!r}; a store's home lab is "
            f"named once, and {lab!r} cannot replace it (its records' documents name no lab)"
        )
    moved: int = migrate(lab)
    return moved
