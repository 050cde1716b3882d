"""What the SQLite and PostgreSQL stores share: the tables they keep records and the notification
outbox in, and the SQL that reads and writes them, written once.

Both stores keep one row a record in ``qse_records`` (its lab, type, id, status, first-event time in
microseconds, the document, its seal, its evidence) and the outbox in ``qse_notifications`` and
``qse_deliveries``, so a page, a count, a record read by key and every outbox operation are the
same statements in both. The statements here are written with ``?`` for a parameter; a dialect
whose driver wants another mark (psycopg's ``%s``) sets :attr:`SQLStoreBase.PARAMETER`. What
differs stays in each store: how a write locks and batches, how a stream reads (keyset chunks on
SQLite, a server-side cursor on PostgreSQL), and how a driver's errors read.
"""

from __future__ import annotations

import json
from abc import abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, closing
from datetime import datetime
from typing import Any, ClassVar

from ..core.errors import ValidationError
from ..core.evidence import Evidence
from ..core.record import Record
from ..notifiers.notification import Notification
from ._documents import decode, decode_pages, decode_rows
from .base import Query, StoreBase
from .protocol import Delivery, OnInvalid

RECORD_COLUMNS = "type, id, status, opened_at, last_event_at, document, seal, evidence, lab"
"""The columns of a record's row, in the order :data:`UPSERT_RECORD` takes them."""

UPSERT_RECORD = (
    f"INSERT INTO qse_records ({RECORD_COLUMNS}) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (lab, type, id) DO UPDATE SET "
    "status = excluded.status, opened_at = excluded.opened_at, "
    "last_event_at = excluded.last_event_at, document = excluded.document, "
    "seal = excluded.seal, evidence = excluded.evidence"
)
"""How the SQLite store writes a record's row (PostgreSQL's, with its casts and its COPY, is
in :mod:`.postgres`)."""

# The outbox is kept per lab, as the records are: a lab's notifications are its own.
_PENDING = (
    "SELECT n.document, d.notifier FROM qse_deliveries AS d "
    "JOIN qse_notifications AS n ON n.lab = d.lab AND n.key = d.key "
    "WHERE d.lab = ? AND d.delivered_at IS NULL ORDER BY n.seq, d.notifier"
)
_ADD_NOTIFICATION = (
    "INSERT INTO qse_notifications (lab, key, document, recorded_at) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (lab, key) DO NOTHING"
)
_ADD_DELIVERY = "INSERT INTO qse_deliveries (lab, key, notifier) VALUES (?, ?, ?)"
_MARK_DELIVERED = (
    "UPDATE qse_deliveries SET delivered_at = ? WHERE lab = ? AND key = ? AND notifier = ?"
)
_HAS_NOTIFICATION = "SELECT 1 FROM qse_notifications WHERE lab = ? AND key = ?"


def evidence_of(text: str | None) -> Evidence | None:
    """The evidence stored in a row (None if there is none, or it cannot be read: the store
    then refuses to write to the record, and verify() names it)."""
    if text is None:
        return None
    try:
        return Evidence.from_json(json.loads(text))
    except (ValueError, KeyError, TypeError):
        return None


def checked_sizes(**sizes: object) -> None:
    """Refuse a batch or chunk size that is not a positive integer, naming it."""
    for name, value in sizes.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValidationError.single(f"$.{name}", f"expected a positive integer, got {value!r}")


class SQLStoreBase(StoreBase):
    """A store on the tables of :mod:`.sql`: pages, counts, reads by key and the outbox.

    A subclass names its dialect (:attr:`PARAMETER`, :attr:`DOCUMENT`) and implements
    :meth:`_fetch` (a read outside any write) and :meth:`_transaction` (a write, all or nothing);
    :meth:`_text` and :meth:`_timestamp` adapt values its database cannot take as they are.
    """

    PARAMETER: ClassVar[str] = "?"
    """The mark of a query parameter in the driver's SQL."""

    DOCUMENT: ClassVar[str] = "document"
    """The SQL expression that reads a record's document as text."""

    document_bytes: str | None = None
    """The SQL expression that reads a record's document as its UTF-8 bytes, where the database
    has a cheap one: pages and streams then read bytes, which the seal and orjson take as they
    are (:meth:`_document_text` gives the text a full validation needs)."""

    where: str
    """The store's URL as messages name it (no secrets)."""

    @abstractmethod
    def _fetch(self, sql: str, params: Sequence[object]) -> list[tuple[Any, ...]]:
        """Every row of one read (``sql`` in the driver's parameter style)."""

    @abstractmethod
    def _transaction(self) -> AbstractContextManager[Any]:
        """A write transaction; the context is a connection with ``execute`` and ``cursor``."""

    def _document_text(self, document: bytes) -> str:
        """The text of a document read by :attr:`document_bytes` (what the driver raises for
        a document that is not UTF-8 when it reads it as text)."""
        return document.decode("utf-8")

    def _text(self, value: str, path: str) -> str:
        """``value`` as the database stores it (refuse what it cannot, naming ``path``)."""
        return value

    def _timestamp(self, at: datetime) -> object:
        """``at`` as the outbox's time columns take it."""
        return at.isoformat()

    def _sql(self, statement: str) -> str:
        """``statement`` (written with ``?``) in the driver's parameter style."""
        return statement if self.PARAMETER == "?" else statement.replace("?", self.PARAMETER)

    # -- records ----------------------------------------------------------------------------

    def _read(self, tag: str, id: str) -> Record | None:
        rows = self._fetch(
            self._sql(
                f"SELECT {self.DOCUMENT}, seal FROM qse_records "
                "WHERE lab = ? AND type = ? AND id = ?"
            ),
            (self.lab_key, tag, self._text(id, "$.id")),
        )
        return decode(tag, id, rows[0][0], rows[0][1], self.where) if rows else None

    def _select(
        self, query: Query, after: tuple[int, str] | None, limit: int
    ) -> list[tuple[str, str | bytes, int]]:
        """A page of the rows of ``query.tag``'s records in (first-event time, id) order, after
        ``after``: each row's id, document (as :attr:`document_bytes` reads it, if the dialect
        has it) and seal. The first-event time is not read: a page of ``list`` takes its
        cursor from its last record, and a SQLite stream reads it for a page's last row."""
        sql = [
            f"SELECT id, {self.document_bytes or self.DOCUMENT}, seal FROM qse_records "
            "WHERE lab = ? AND type = ?"
        ]
        params: list[object] = [self.lab_key, query.tag]
        if query.status is not None:
            sql.append("AND status = ?")
            params.append(query.status)
        if query.since is not None:
            sql.append("AND opened_at >= ?")
            params.append(query.since)
        if query.until is not None:
            sql.append("AND opened_at < ?")
            params.append(query.until)
        if after is not None:
            sql.append("AND (opened_at, id) > (?, ?)")
            params.extend((after[0], self._text(after[1], "$.after")))
        sql.append("ORDER BY opened_at, id LIMIT ?")
        params.append(limit)
        rows: list[tuple[str, str | bytes, int]] = self._fetch(self._sql(" ".join(sql)), params)
        return rows

    def _decode_rows(
        self, tag: str, rows: list[tuple[str, str | bytes, int]], on_invalid: OnInvalid | None
    ) -> Iterator[Record]:
        """The records of rows :meth:`_select` read (see :func:`._documents.decode_rows`)."""
        text = self._document_text if self.document_bytes is not None else None
        return decode_rows(tag, rows, self.where, on_invalid, text)

    def _decode_pages(
        self,
        tag: str,
        pages: Iterable[list[tuple[str, str | bytes, int]]],
        on_invalid: OnInvalid | None,
    ) -> Iterator[Record]:
        """The records of the pages :meth:`_select` read, in turn, as one stream (see
        :func:`._documents.decode_pages`)."""
        text = self._document_text if self.document_bytes is not None else None
        return decode_pages(tag, pages, self.where, on_invalid, text)

    def _page(self, query: Query, on_invalid: OnInvalid | None) -> list[Record]:
        rows = self._select(query, query.after, query.limit)
        return list(self._decode_rows(query.tag, rows, on_invalid))

    def _count(self, tag: str, status: str | None) -> int:
        if status is None:
            rows = self._fetch(
                self._sql("SELECT count(*) FROM qse_records WHERE lab = ? AND type = ?"),
                (self.lab_key, tag),
            )
        else:
            rows = self._fetch(
                self._sql(
                    "SELECT count(*) FROM qse_records WHERE lab = ? AND type = ? AND status = ?"
                ),
                (self.lab_key, tag, status),
            )
        return int(rows[0][0]) if rows else 0

    # -- the notification outbox ------------------------------------------------------------

    def _add_notifications(
        self, notifications: list[Notification], notifiers: tuple[str, ...]
    ) -> list[Notification]:
        for name in notifiers:
            self._text(name, "$.notifiers")
        new: list[Notification] = []
        with self._transaction() as db:
            for notification in notifications:
                cursor = db.execute(
                    self._sql(_ADD_NOTIFICATION),
                    (
                        self.lab_key,
                        self._text(notification.key, "$.key"),
                        json.dumps(notification.to_dict(), separators=(",", ":")),
                        self._timestamp(notification.at),
                    ),
                )
                if cursor.rowcount == 1:
                    new.append(notification)
                    with closing(db.cursor()) as many:
                        many.executemany(
                            self._sql(_ADD_DELIVERY),
                            [(self.lab_key, notification.key, notifier) for notifier in notifiers],
                        )
        return new

    def _pending(self) -> list[Delivery]:
        rows = self._fetch(self._sql(_PENDING), (self.lab_key,))
        return [Delivery(Notification.from_dict(json.loads(doc)), name) for doc, name in rows]

    def _mark_delivered(self, key: str, notifier: str, at: datetime) -> None:
        with self._transaction() as db:
            cursor = db.execute(
                self._sql(_MARK_DELIVERED),
                (
                    self._timestamp(at),
                    self.lab_key,
                    self._text(key, "$.key"),
                    self._text(notifier, "$.notifier"),
                ),
            )
            if cursor.rowcount == 0:
                raise ValidationError.single(
                    "$.key", f"no notification {key!r} pending for notifier {notifier!r}"
                )

    def _has_notification(self, key: str) -> bool:
        return bool(
            self._fetch(self._sql(_HAS_NOTIFICATION), (self.lab_key, self._text(key, "$.key")))
        )
