"""A base class for stores: argument checks, record types, time ranges, cursors and the typed
overloads, so a backend only implements a few primitive operations."""

from __future__ import annotations

import base64
import binascii
import builtins
import json
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Self, TypeVar, overload

from attrs import frozen

from ..core.errors import ValidationError
from ..core.events import Event
from ..core.record import Record
from ..core.records import RECORD_TYPES
from ..core.timestamps import plain_utc
from .errors import RecordNotFoundError, StoreError
from .notification import Notification
from .store import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, Delivery, OnInvalid, Page, RecordType

R = TypeVar("R", bound=Record)

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def micros(moment: datetime) -> int:
    """Microseconds since 1970-01-01 UTC: how stores index and compare event times exactly."""
    if type(moment) is not datetime:  # pendulum's DateTime subtracts to its own durations
        moment = plain_utc(moment)
    return (moment - EPOCH) // _MICROSECOND


def type_tag(record_type: RecordType) -> str:
    """The ``"type"`` tag of a record class or tag; an unknown one lists the known ones."""
    if isinstance(record_type, str):
        tag = record_type
    elif isinstance(record_type, type) and issubclass(record_type, Record):
        tag = record_type.TYPE
    else:
        tag = repr(record_type)
    if RECORD_TYPES.get(tag) is None or (
        isinstance(record_type, type) and RECORD_TYPES[tag] is not record_type
    ):
        raise ValidationError.single(
            "$.record_type",
            f"unknown record type {tag!r}; expected a record class or one of "
            f"{', '.join(sorted(RECORD_TYPES))}",
        )
    return tag


def statuses_of(tag: str) -> frozenset[str]:
    """Every status a record of type ``tag`` can have."""
    life = RECORD_TYPES[tag].LIFECYCLE
    return frozenset(life.status_after.values()) | {"new"}


def _aware(value: datetime | None, name: str) -> int | None:
    if value is None:
        return None
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise ValidationError.single(
            f"$.{name}", f"expected a timezone-aware datetime or None, got {value!r}"
        )
    return micros(value)


def encode_cursor(opened_at: int, record_id: str) -> str:
    """An opaque cursor for the position just after a record."""
    raw = json.dumps([opened_at, record_id], separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii")


def decode_cursor(cursor: str) -> tuple[int, str]:
    """The position a cursor from :func:`encode_cursor` stands for; a bad one is refused."""
    try:
        position = json.loads(base64.urlsafe_b64decode(cursor.encode("ascii")))
    except (ValueError, UnicodeError, binascii.Error, AttributeError):
        position = None
    if (
        not isinstance(position, list)
        or len(position) != 2
        or not isinstance(position[0], int)
        or not isinstance(position[1], str)
    ):
        raise ValidationError.single(
            "$.after", f"expected a cursor from a page's next_cursor, got {cursor!r}"
        )
    return position[0], position[1]


@frozen
class Query:
    """What :meth:`StoreBase._page` must return: records of ``tag`` in ``(opened_at, id)`` order
    after the ``after`` position, at most ``limit`` of them."""

    tag: str
    status: str | None
    since: int | None
    until: int | None
    after: tuple[int, str] | None
    limit: int

    def matches(self, record: Record) -> bool:
        """True if ``record`` passes the filters (not the position or the limit)."""
        opened = micros(record.opened_at)
        return (
            (self.status is None or record.status == self.status)
            and (self.since is None or opened >= self.since)
            and (self.until is None or opened < self.until)
            and (self.after is None or (opened, record.id) > self.after)
        )


def sort_key(record: Record) -> tuple[int, str]:
    """The order stores list and stream in: first-event time, then id."""
    return micros(record.opened_at), record.id


def _check_status(tag: str, status: str | None) -> None:
    if status is not None and (not isinstance(status, str) or status not in statuses_of(tag)):
        raise ValidationError.single(
            "$.status",
            f"unknown status {status!r} for a {tag}; expected one of "
            f"{', '.join(sorted(statuses_of(tag)))}",
        )


def _checked_id(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError.single("$.id", f"expected a non-empty record id, got {value!r}")
    return value


def _checked_records(records: Iterable[Record]) -> Iterator[Record]:
    if isinstance(records, Record):
        raise ValidationError.single("$", "expected an iterable of records; use save() for one")
    for index, record in enumerate(records):
        if not isinstance(record, Record) or RECORD_TYPES.get(record.TYPE) is not type(record):
            raise ValidationError.single(
                f"$[{index}]", f"expected a record of a known type, got {type(record).__name__}"
            )
        yield record


class StoreBase(ABC):
    """The public store API over a backend's primitives; see :class:`~.store.Store`.

    ``where`` names the store in error messages (its URL).
    """

    where: str = "the store"

    def __init__(self) -> None:
        self._closed = False

    # -- primitives a backend implements ----------------------------------------------------

    @abstractmethod
    def _write(self, records: Iterable[Record]) -> int:
        """Insert or replace every record in one transaction; return how many."""

    @abstractmethod
    def _read(self, tag: str, id: str) -> Record | None:
        """The stored record or None."""

    @abstractmethod
    def _update(self, tag: str, id: str, change: Callable[[Record], Record]) -> Record:
        """Atomically replace the stored record by ``change(record)``; raise if it is missing."""

    @abstractmethod
    def _delete(self, tag: str, id: str) -> bool:
        """Remove the record; True if there was one."""

    @abstractmethod
    def _page(self, query: Query, on_invalid: OnInvalid | None) -> list[Record]:
        """Up to ``query.limit`` records matching ``query``, in order."""

    @abstractmethod
    def _iterate(self, tag: str, on_invalid: OnInvalid | None) -> Iterator[Record]:
        """Every record of ``tag`` in order, in constant memory."""

    @abstractmethod
    def _count(self, tag: str, status: str | None) -> int:
        """How many records of ``tag`` (and ``status``)."""

    @abstractmethod
    def _add_notifications(
        self, notifications: list[Notification], notifiers: tuple[str, ...]
    ) -> list[Notification]:
        """Atomically record the notifications whose keys are new; return those."""

    @abstractmethod
    def _pending(self) -> list[Delivery]:
        """Undelivered (notification, notifier) pairs, oldest first."""

    @abstractmethod
    def _mark_delivered(self, key: str, notifier: str, at: datetime) -> None:
        """Record a delivery."""

    @abstractmethod
    def _has_notification(self, key: str) -> bool:
        """True if the key was recorded."""

    def _close(self) -> None:  # noqa: B027 - optional hook: most backends have nothing to release
        """Release resources (a backend overrides it if it holds any)."""

    # -- the public API ---------------------------------------------------------------------

    def _check_open(self) -> None:
        if self._closed:
            raise StoreError(f"{self.where} is closed; open it again with open_store()")

    def save(self, record: Record) -> None:
        """Save ``record``, replacing any stored record of the same type and id."""
        self._check_open()
        if isinstance(record, Record):
            self._write(_checked_records([record]))
        else:
            raise ValidationError.single("$", f"expected a record, got {type(record).__name__}")

    def save_many(self, records: Iterable[Record]) -> int:
        """Save every record in one transaction (all or none); return how many were given (a
        record repeated by type and id counts each time, and the last one wins)."""
        self._check_open()
        return self._write(_checked_records(records))

    @overload
    def load(self, record_type: type[R], id: str) -> R: ...
    @overload
    def load(self, record_type: str, id: str) -> Record: ...
    def load(self, record_type: type[R] | str, id: str) -> R | Record:
        """The stored record; :class:`RecordNotFoundError` if there is none."""
        self._check_open()
        tag = type_tag(record_type)
        found = self._read(tag, _checked_id(id))
        if found is None:
            raise RecordNotFoundError(tag, id)
        return found

    @overload
    def append_event(self, record_type: type[R], id: str, event: Event) -> R: ...
    @overload
    def append_event(self, record_type: str, id: str, event: Event) -> Record: ...
    def append_event(self, record_type: type[R] | str, id: str, event: Event) -> R | Record:
        """Append ``event`` atomically and return the new record; a forbidden event raises and
        nothing is written."""
        self._check_open()
        tag = type_tag(record_type)
        if not isinstance(event, Event):
            raise ValidationError.single("$.event", f"expected an Event, got {type(event)}")
        return self._update(tag, _checked_id(id), lambda record: record.with_event(event))

    def delete(self, record_type: RecordType, id: str) -> bool:
        """Remove a record (for erasure requests); True if there was one."""
        self._check_open()
        return self._delete(type_tag(record_type), _checked_id(id))

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
        """One page of records in ``(opened_at, id)`` order, filtered by status and by first
        event time (``since`` inclusive, ``until`` exclusive)."""
        self._check_open()
        query = self._query(record_type, status, since, until, limit, after)
        found = self._page(query, on_invalid)
        items = found[: query.limit - 1]
        next_cursor = None
        if len(found) >= query.limit:
            last = items[-1]
            next_cursor = encode_cursor(micros(last.opened_at), last.id)
        return Page(items, next_cursor)

    @staticmethod
    def _query(
        record_type: RecordType,
        status: str | None,
        since: datetime | None,
        until: datetime | None,
        limit: int,
        after: str | None,
    ) -> Query:
        tag = type_tag(record_type)
        _check_status(tag, status)
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_PAGE_SIZE:
            raise ValidationError.single(
                "$.limit", f"expected a page size from 1 to {MAX_PAGE_SIZE}, got {limit!r}"
            )
        if after is not None and not isinstance(after, str):
            raise ValidationError.single("$.after", "expected a cursor string or None")
        position = decode_cursor(after) if after is not None else None
        # One more than asked for tells whether another page follows.
        return Query(
            tag, status, _aware(since, "since"), _aware(until, "until"), position, limit + 1
        )

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
        """Every record of a type in ``(opened_at, id)`` order, in constant memory; a record that
        no longer validates raises, or goes to ``on_invalid`` and is skipped."""
        self._check_open()
        return self._iterate(type_tag(record_type), on_invalid)

    def count(self, record_type: RecordType, *, status: str | None = None) -> int:
        """How many records of a type (and status) are stored."""
        self._check_open()
        tag = type_tag(record_type)
        _check_status(tag, status)
        return self._count(tag, status)

    def add_notifications(
        self, notifications: Iterable[Notification], *, notifiers: Sequence[str]
    ) -> builtins.list[Notification]:
        """Record notifications not seen before, each pending for every notifier; return them."""
        self._check_open()
        batch = list(notifications)
        for index, notification in enumerate(batch):
            if not isinstance(notification, Notification):
                raise ValidationError.single(
                    f"$[{index}]", f"expected a Notification, got {type(notification).__name__}"
                )
        names = tuple(dict.fromkeys(notifiers))
        if isinstance(notifiers, str) or any(not isinstance(n, str) or not n for n in names):
            raise ValidationError.single("$.notifiers", "expected a sequence of notifier names")
        unique = list({n.key: n for n in batch}.values())
        return self._add_notifications(unique, names)

    def pending_deliveries(self) -> builtins.list[Delivery]:
        """Every (notification, notifier) pair not yet delivered, oldest first."""
        self._check_open()
        return self._pending()

    def mark_delivered(self, key: str, notifier: str, *, at: datetime) -> None:
        """Record that ``notifier`` received the notification with ``key``."""
        self._check_open()
        _aware(at, "at")
        self._mark_delivered(key, notifier, plain_utc(at))

    def has_notification(self, key: str) -> bool:
        """True if a notification with ``key`` was ever recorded."""
        self._check_open()
        return self._has_notification(key)

    def close(self) -> None:
        """Release the store's resources; using it afterwards is an error."""
        if not self._closed:
            self._closed = True
            self._close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.where}>"
