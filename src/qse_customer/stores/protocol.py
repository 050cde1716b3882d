"""What a store is: the protocol every storage backend implements, and the page it lists in.

A store keeps records by type and id, appends events atomically, lists records a page at a time,
streams every record of a type in constant memory, and keeps the notification outbox that
:func:`qse_customer.notifiers.notify_due` uses to send each notification once. Every backend passes
the contract suite in :mod:`qse_customer.testing.store_contract`. Subclass
:class:`~qse_customer.stores.base.StoreBase` to get the argument checks, paging and typed
overloads for free, or implement the protocol directly.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from types import TracebackType
from typing import Generic, Protocol, Self, TypeVar, overload, runtime_checkable

from attrs import field, frozen

from ..core.events import Event
from ..core.record import Record
from ..core.roles import Actor
from ..notifiers.notification import Notification
from .errors import StoredRecordError

R = TypeVar("R", bound=Record)
R_co = TypeVar("R_co", bound=Record, covariant=True)

RecordType = type[Record] | str
"""A record type given as its class (``Complaint``) or its ``"type"`` tag (``"complaint"``)."""

OnInvalid = Callable[[StoredRecordError], None]
"""Called with each stored record that no longer validates, instead of raising (skip and report)."""

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 10_000


def _items(value: Iterable[R_co]) -> tuple[R_co, ...]:
    return tuple(value)


@frozen
class Page(Generic[R_co]):
    """One page of records in ``(opened_at, id)`` order; pass ``next_cursor`` as ``after=`` for
    the next page (``None`` on the last page)."""

    items: tuple[R_co, ...] = field(converter=_items)
    next_cursor: str | None = None

    def __iter__(self) -> Iterator[R_co]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


@frozen
class Delivery:
    """A notification still to be delivered to one notifier (by its plugin name)."""

    notification: Notification
    notifier: str


@runtime_checkable
class Store(Protocol):
    """A place records live: saved and loaded by type and id, listed, streamed, appended to.

    Every method that writes is atomic: it happens completely or not at all, and a concurrent
    writer (another thread or, for the SQLite store, another process) cannot lose an event.
    """

    def save(self, record: Record) -> None:
        """Save ``record``: a new one, or a stored one with new events after the stored ones.

        A stored history only grows: anything else (an event changed, moved or dropped, a field
        of the record changed) raises :class:`HistoryRewriteError` naming the first difference,
        and the stored record is left as it was. Every new event is stamped with
        ``recorded_at``, the store's clock when it was written (a caller's value is replaced),
        and the record's hash chain is extended over it.
        """

    def save_many(self, records: Iterable[Record], *, legacy: bool = False) -> int:
        """Save every record as :meth:`save` does, in one transaction (all or none); return how
        many were given (a record repeated by type and id must extend its earlier self).

        ``legacy=True`` imports new records from a system that did not stamp its events: they
        are stored with no ``recorded_at`` (known from the start; reports count them as
        recorded before stamping).
        """

    @overload
    def load(self, record_type: type[R], id: str) -> R: ...
    @overload
    def load(self, record_type: str, id: str) -> Record: ...
    def load(self, record_type: type[R] | str, id: str) -> R | Record:
        """The stored record; :class:`RecordNotFoundError` if there is none."""

    @overload
    def append_event(self, record_type: type[R], id: str, event: Event) -> R: ...
    @overload
    def append_event(self, record_type: str, id: str, event: Event) -> Record: ...
    def append_event(self, record_type: type[R] | str, id: str, event: Event) -> R | Record:
        """Append ``event`` to a stored record atomically and return the new record.

        The record's own rules decide (:meth:`Record.with_event`): a forbidden event raises and
        nothing is written.
        """

    def correct(
        self,
        record_type: RecordType,
        id: str,
        event_index: int,
        replacement: Event,
        *,
        by: Actor,
        reason: str,
    ) -> Record:
        """Append a ``corrected`` event, made now by ``by`` for ``reason``, that puts
        ``replacement`` in place of event ``event_index`` wherever the record is judged; the
        original stays in the history. Returns the new record."""

    def erase(
        self,
        record_type: RecordType,
        id: str,
        *,
        by: Actor,
        reason: str,
        subject: bool = True,
        actors: Iterable[str] = (),
    ) -> Record:
        """Erase a person's identity from a record (a data-protection request), keeping its
        kinds, times and roles and a hash chain that still verifies; the erasure is an
        ``erased`` event. Returns the new record."""

    def verify(self) -> builtins.list[StoredRecordError]:
        """Check every stored record in full, document and hash chain; one error per record
        that fails, naming it and the first event that differs."""

    def delete(self, record_type: RecordType, id: str) -> bool:
        """Remove a whole record: the one way to make a record disappear, for the stores that
        must allow it; prefer :meth:`erase` for a data-protection request."""

    @overload
    def list(
        self,
        record_type: type[R],
        *,
        status: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = DEFAULT_PAGE_SIZE,
        after: str | None = None,
        on_invalid: OnInvalid | None = None,
    ) -> Page[R]: ...
    @overload
    def list(
        self,
        record_type: str,
        *,
        status: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = DEFAULT_PAGE_SIZE,
        after: str | None = None,
        on_invalid: OnInvalid | None = None,
    ) -> Page[Record]: ...
    def list(
        self,
        record_type: type[R] | str,
        *,
        status: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = DEFAULT_PAGE_SIZE,
        after: str | None = None,
        on_invalid: OnInvalid | None = None,
    ) -> Page[R] | Page[Record]:
        """One page of records of a type, filtered by status and by first-event time.

        ``since`` is inclusive and ``until`` exclusive; pages are in ``(opened_at, id)`` order and
        stay stable while records are added (keyset pagination).
        """

    @overload
    def stream(
        self, record_type: type[R], *, on_invalid: OnInvalid | None = None
    ) -> Iterator[R]: ...
    @overload
    def stream(
        self, record_type: str, *, on_invalid: OnInvalid | None = None
    ) -> Iterator[Record]: ...
    def stream(
        self, record_type: type[R] | str, *, on_invalid: OnInvalid | None = None
    ) -> Iterator[R] | Iterator[Record]:
        """Every record of a type in ``(opened_at, id)`` order, in constant memory.

        A stored record that no longer validates raises :class:`StoredRecordError` naming it, or,
        with ``on_invalid``, is passed to it and skipped while the stream goes on.
        """

    def count(self, record_type: RecordType, *, status: str | None = None) -> int:
        """How many records of a type (and status) are stored."""

    def add_notifications(
        self, notifications: Iterable[Notification], *, notifiers: Sequence[str]
    ) -> builtins.list[Notification]:
        """Record notifications not seen before, each pending for every notifier; return them.

        A notification whose key is already recorded is left as it is (never sent twice).
        """

    def pending_deliveries(self) -> builtins.list[Delivery]:
        """Every (notification, notifier) pair not yet delivered, oldest first."""

    def mark_delivered(self, key: str, notifier: str, *, at: datetime) -> None:
        """Record that ``notifier`` received the notification with ``key``."""

    def has_notification(self, key: str) -> bool:
        """True if a notification with ``key`` was ever recorded."""

    def close(self) -> None:
        """Release the store's resources; using it afterwards is an error."""

    def __enter__(self) -> Self:
        """The store itself (closed on exit)."""

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Close the store."""


StoreFactory = Callable[..., Store]
"""Opens a store from its full URL (``sqlite:///lab.db``); returned by ``qse_storage_backends``.

Called as ``factory(url)`` for the default lab and ``factory(url, lab="LAB-7")`` for one lab
(docs/labs.md); a factory without a ``lab`` parameter opens default-lab stores only."""
