"""Errors of the stores, by what the user must fix."""

from __future__ import annotations

from collections.abc import Iterable

from ..core.errors import FieldError, QSEError, ValidationError


class StoreError(QSEError):
    """A store that cannot do what was asked; subclasses say what to fix."""


class CorruptStoreError(StoreError):
    """A store file that is damaged or not a database at all; it is left untouched."""


class ForeignStoreError(StoreError):
    """A database that some other program owns; it is left untouched."""


class StoreVersionError(StoreError):
    """A store written by a newer qse-customer (a schema version this one does not know)."""


class RecordNotFoundError(StoreError, LookupError):
    """No record of that type with that id in the store."""

    def __init__(self, record_type: str, record_id: str) -> None:
        super().__init__(
            f"no {record_type} with id {record_id!r} in the store; save it first, or check the "
            "type and id"
        )
        self.record_type = record_type
        self.record_id = record_id


class HistoryRewriteError(StoreError, ValueError):
    """A save that would change what a stored record already says: its history only grows.

    ``index`` is the first event that differs (None when a field of the record itself differs,
    named by ``path``); the stored record is unchanged. A mistake is fixed with
    ``store.correct()``, an erasure with ``store.erase()``.
    """

    def __init__(
        self, record_type: str, record_id: str, path: str, reason: str, index: int | None
    ) -> None:
        super().__init__(
            f"{record_type} {record_id!r}: {path}: {reason}; a stored history only grows (the "
            "same events, then new ones), so the stored record was left unchanged: load it "
            "again and append to it, fix a mistake with store.correct(), or erase a person's "
            "identity with store.erase()"
        )
        self.record_type = record_type
        self.record_id = record_id
        self.path = path
        self.index = index


class StoredRecordError(ValidationError, StoreError):
    """A stored record whose document no longer validates; the other records are not affected.

    ``errors`` lists every failing field by JSON path, as for any :class:`ValidationError`.
    """

    def __init__(
        self, record_type: str, record_id: str, errors: Iterable[FieldError], *, where: str
    ) -> None:
        self.record_type = record_type
        self.record_id = record_id
        self.where = where
        super().__init__(
            errors,
            what=(
                f"stored {record_type} {record_id!r} in {where} (restore it from a backup, or "
                "correct it with store.correct())"
            ),
        )
