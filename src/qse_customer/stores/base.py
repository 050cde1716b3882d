"""A base class for stores: argument checks, record types, time ranges, cursors and the typed
overloads, so a backend only implements a few primitive operations."""

from __future__ import annotations

import base64
import binascii
import builtins
import json
import os
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from functools import cache
from operator import attrgetter, is_
from types import TracebackType
from typing import Any, Self, TypeVar, cast, overload

from attrs import frozen

from ..core._checks import lab_name
from ..core.errors import FieldError, ValidationError
from ..core.events import Event
from ..core.evidence import Evidence, first_difference, seal
from ..core.evidence import erase as erase_evidence
from ..core.history import correction_data
from ..core.identity import erase_document
from ..core.record import Record, _copy_with_events
from ..core.record_types import RECORD_TYPES
from ..core.roles import Actor
from ..core.serialisation import from_dict
from ..core.timestamps import plain_utc
from ..notifiers.notification import Notification
from ._codegen import Unsupported, generate_replacer
from ._documents import unstructure, unstructure_grown, validate_stored
from .errors import HistoryRewriteError, RecordNotFoundError, StoredRecordError, StoreError
from .protocol import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, Delivery, OnInvalid, Page, RecordType

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


@frozen
class Stored:
    """What a store holds for one record: the record, and the evidence of its hash chain (None
    for a record written before stores kept one)."""

    record: Record
    evidence: Evidence | None
    document: dict[str, Any] | None = None
    """The record's document when the store has just made it (written earlier in the same
    transaction), else None: a writing that extends the record encodes only its new events."""


@frozen
class Writing:
    """What a backend writes for one record: the record, its document (the plain JSON of
    :func:`~qse_customer.to_dict`, to be stored as it is) and its evidence."""

    record: Record
    document: dict[str, Any]
    evidence: Evidence


@frozen
class RawRecord:
    """A stored row as text, for :meth:`StoreBase.verify`: nothing decoded or trusted.

    ``sealed``: the row's seal matches its document under the current record model (the store
    wrote exactly this text from a valid record); a store without seals leaves it False, and then
    every row is validated in full.
    """

    tag: str
    id: str
    document: str
    evidence: str | None
    sealed: bool = False


Change = Callable[[Any, Stored | None], Writing | None]
"""Given an item and what is stored under its key (None if nothing), what to write (None:
nothing)."""


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


def _key(record: Record) -> tuple[str, str]:
    return record.TYPE, record.id


def _describe(event: Event) -> str:
    who = f" by {event.actor.role.value}" if event.actor is not None else ""
    return f"{event.kind!r} at {event.at.isoformat()}{who}"


def _check_same_record(old: Record, new: Record) -> None:
    """Refuse a change to a field of the record itself (its type, id and fields other than
    events are fixed when it is first saved)."""
    for attribute in type(old).__attrs_attrs__:
        name = attribute.name
        if name == "events" or not attribute.init:
            continue
        if getattr(old, name) != getattr(new, name):
            raise HistoryRewriteError(
                old.TYPE,
                old.id,
                f"$.{name}",
                "differs from the stored record's (a record's own fields are fixed when it is "
                "first saved)",
                None,
            )


def _stamped(event: Event, when: datetime | None) -> Event:
    """``event`` with ``recorded_at`` set (checks already passed: no need to run them again)."""
    return _event_stamper()(event, when)


@cache
def _event_stamper() -> Callable[[Event, datetime | None], Event]:
    """Generated code for :func:`_stamped` (one slot set after another), else a loop."""
    try:
        return generate_replacer(Event, "recorded_at")
    except Unsupported:  # pragma: no cover - an event is an attrs class of slots

        def stamped(event: Event, when: datetime | None) -> Event:
            new = object.__new__(Event)
            for attribute in Event.__attrs_attrs__:
                object.__setattr__(new, attribute.name, getattr(event, attribute.name))
            object.__setattr__(new, "recorded_at", when)
            return new

        return stamped


def _grown_from(old: Record, new: Record) -> bool:
    """Whether ``new`` is ``old`` with events appended: the same type, the very same values of
    its own fields and of its first events (what a document of ``old`` can be grown from)."""
    kind = type(old)
    if type(new) is not kind:
        return False
    fields = _own_fields.get(kind)
    if fields is None:
        names = [a.name for a in kind.__attrs_attrs__ if a.init and a.name != "events"]
        fields = _own_fields[kind] = attrgetter(*names) if len(names) > 1 else None
    kept = old.events
    return (
        fields is not None
        and all(map(is_, fields(old), fields(new)))
        and len(new.events) >= len(kept)
        and all(map(is_, kept, new.events))
    )


_own_fields: dict[type[Record], Callable[[Record], tuple[Any, ...]] | None] = {}


def _with_events(record: R, events: tuple[Event, ...]) -> R:
    """``record`` with the same events, restamped (the history was checked already); its
    history facts are found when asked (the stamps changed)."""
    return cast(R, _record_copier(type(record))(record, events, None))


def _record_copier(kind: type[Record]) -> Callable[[Record, tuple[Event, ...], None], Record]:
    """Generated code for ``_copy_with_events(record, events, None)`` of records of ``kind``
    (the same attributes set, one slot after another), else that function."""
    found = _record_copiers.get(kind)
    if found is None:
        try:
            found = generate_replacer(kind, "events", "_facts")
        except Unsupported:
            found = _copy_with_events
        _record_copiers[kind] = found
    return found


_record_copiers: dict[type[Record], Callable[[Record, tuple[Event, ...], None], Record]] = {}


def _unchained(record: Record, where: str) -> StoredRecordError:
    """The refusal to write to a record whose hash chain is missing or unreadable (it was
    written or changed behind the store's back: writing now would hide that)."""
    return StoredRecordError(
        record.TYPE,
        record.id,
        [FieldError("$", "its hash chain is missing or unreadable; nothing was written")],
        where=where,
    )


def _chain_problem(raw: RawRecord) -> tuple[FieldError | None, Any]:
    """What is wrong with a stored record's hash chain, or None; and its document as read
    (None if it cannot be read)."""
    document = None
    if raw.evidence is None:
        return FieldError("$", "no hash chain is stored for this record"), document
    try:
        document = json.loads(raw.document)
        evidence = Evidence.from_json(json.loads(raw.evidence))
    except (ValueError, KeyError, TypeError) as error:
        return FieldError("$", f"its hash chain cannot be read: {error}"), document
    index = first_difference(document, evidence)
    if index is None:
        return None, document
    if index < 0:
        return FieldError(
            "$", "the record's own fields differ from what was recorded (hash chain broken)"
        ), document
    return FieldError(
        f"$.events[{index}]",
        f"event {index} differs from what was recorded, or was added or removed behind the "
        "store's back (hash chain broken)",
    ), document


def _checked_records(records: Iterable[Record]) -> Iterator[Record]:
    if isinstance(records, Record):
        raise ValidationError.single("$", "expected an iterable of records; use save() for one")
    for index, record in enumerate(records):
        if not isinstance(record, Record) or RECORD_TYPES.get(record.TYPE) is not type(record):
            raise ValidationError.single(
                f"$[{index}]", f"expected a record of a known type, got {type(record).__name__}"
            )
        yield record


def lab_clash(where: str, lab: str, clashes: list[tuple[str, str]]) -> StoreError:
    """The refusal to make ``lab`` a store's home lab when it holds records of the default
    lab's keys already (nothing is changed)."""
    shown = ", ".join(f"{tag} {record_id!r}" for tag, record_id in clashes[:5])
    return StoreError(
        f"{where}: lab {lab!r} already holds records with the keys of records of the default "
        f"lab ({shown}); nothing was changed: make another lab the home lab, or move those "
        "records first"
    )


def _lab_words(key: str) -> str:
    return f"lab {key!r}" if key else "the default lab (lab=None)"


class StoreBase(ABC):
    """The public store API over a backend's primitives; see :class:`~.store.Store`.

    ``where`` names the store in error messages (its URL).
    """

    where: str = "the store"

    lab: str | None = None
    """The lab this store object was opened for (``open_store(url, lab=...)``): it sees and
    writes that lab's records only. None: the store's default lab (its home lab, once
    :func:`~qse_customer.stores.labs.migrate_to_lab` named one)."""

    _home_lab: str | None = None

    @property
    def home_lab(self) -> str | None:
        """The lab that a record with no ``lab`` of its own belongs to in this store: None (the
        default lab) until :func:`~qse_customer.stores.labs.migrate_to_lab` names one."""
        return self._home_lab

    def __init__(self, *, lab: str | None = None) -> None:
        self._closed = False
        self.lab = None if lab is None else lab_name(lab)

    @property
    def lab_key(self) -> str:
        """The lab whose records this store object sees, as stores keep it: its lab, else the
        store's home lab, else ``""`` (the default lab of a single-lab store)."""
        return self.lab if self.lab is not None else (self.home_lab or "")

    def lab_key_of(self, record: Record) -> str:
        """The lab ``record`` belongs to in this store, as :attr:`lab_key` gives a store's."""
        return record.lab if record.lab is not None else (self.home_lab or "")

    def _check_home_lab(self, stored: str | None) -> None:
        """Refuse to write for the default lab when the store's home lab, as now ``stored``, is
        no longer the one this store object opened with (a migration since): its records would
        go to the wrong lab."""
        if self.lab is None and stored != self.home_lab:
            raise StoreError(
                f"{self.where} was given the home lab {stored!r} after this store object was "
                "opened (qse-customer migrate-lab); nothing was written: open the store again"
            )

    def lab_refusal(self, record: Record) -> str | None:
        """Why this store object refuses to write ``record`` because of its lab (for ``$.lab``),
        or None if the record is of this store object's lab."""
        if self.lab_key_of(record) == self.lab_key:
            return None
        return (
            f"{record.TYPE} {record.id!r} belongs to {_lab_words(self.lab_key_of(record))}, "
            f"and {self.where} was opened for {_lab_words(self.lab_key)}: create the record "
            f"with lab={self.lab_key or None!r}, or open the store for its lab "
            "(open_store(url, lab=...))"
        )

    def _check_lab(self, record: Record) -> None:
        """Refuse to write a record of another lab than this store object's."""
        refusal = self.lab_refusal(record)
        if refusal is not None:
            raise ValidationError.single("$.lab", refusal)

    # -- primitives a backend implements ----------------------------------------------------

    @abstractmethod
    def _apply(
        self, items: Iterable[Any], key: Callable[[Any], tuple[str, str]], change: Change
    ) -> None:
        """In one transaction, all or nothing: for each item in order, read what is stored
        under ``key(item)`` (type tag and id; records and evidence, locked against other
        writers until the end), call ``change(item, stored)`` and write what it returns (the
        document as given, the evidence beside it) unless None. An exception from ``change``
        rolls back everything.

        What is read for an item includes what this call wrote for an earlier item of the same
        key (a record repeated in one ``save_many``). ``items`` may be a long iterator: take it
        in batches, holding no more than a batch, so a large import needs no more memory than
        a small one."""

    @abstractmethod
    def _read(self, tag: str, id: str) -> Record | None:
        """The stored record or None."""

    @abstractmethod
    def _raw(self) -> Iterator[RawRecord]:
        """Every stored row as text, in any order, in constant memory."""

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

    clock: Callable[[], datetime] = staticmethod(lambda: datetime.now(UTC))
    """The store's clock, read for ``recorded_at`` (a test may set another)."""

    salt: Callable[[int], bytes] = staticmethod(os.urandom)
    """Random bytes for the salts of identity fields."""

    def save(self, record: Record) -> None:
        """Save ``record``: a new one, or a stored one with new events after the stored ones.

        Anything else (an event changed, moved or dropped, a field of the record changed) raises
        :class:`HistoryRewriteError` naming the first difference, and the stored record is left
        as it was. New events are stamped with ``recorded_at`` (the store's clock).
        """
        self._check_open()
        if not isinstance(record, Record):
            raise ValidationError.single("$", f"expected a record, got {type(record).__name__}")
        self._apply(_checked_records([record]), _key, self._grow)

    def save_many(self, records: Iterable[Record], *, legacy: bool = False) -> int:
        """Save every record as :meth:`save` does, in one transaction (all or none); return how
        many were given (a record repeated by type and id must extend its earlier self).

        ``legacy=True`` imports records from a system that did not stamp its events (a
        laboratory's history before qse-customer): their events are stored with no
        ``recorded_at``, count as known from the start, and every report counts them as
        recorded before stamping. Only for records the store does not hold yet.
        """
        self._check_open()
        given = [0]

        def counted(record: Record, stored: Stored | None) -> Writing | None:
            given[0] += 1
            if legacy:
                if stored is not None:
                    raise HistoryRewriteError(
                        record.TYPE,
                        record.id,
                        "$",
                        "is stored already: a legacy import is only for new records",
                        None,
                    )
                return self._extend(None, record, stamp=False)
            return self._grow(record, stored)

        self._apply(_checked_records(records), _key, counted)
        return given[0]

    def save_as_entered(self, entries: Iterable[tuple[datetime, Record]]) -> int:
        """Save each record of ``(moment, record)`` pairs as :meth:`save` would have at
        ``moment``: its new events are stamped with ``moment`` for ``recorded_at`` where the
        store's clock would be read (a moment before the record's last stamp stamps with that
        stamp, as a clock that went back would). All in one transaction; returns how many
        records were given.

        For a history that was entered over time and is saved now in one go (a migration that
        knows when each event was entered, the demo's year of records): every stored row, its
        stamps and its hash chain are what saving each record at its moment would have made.
        """
        self._check_open()
        given = [0]

        def checked(
            entries: Iterable[tuple[datetime, Record]],
        ) -> Iterator[tuple[datetime, Record]]:
            for index, entry in enumerate(entries):
                if not isinstance(entry, tuple) or len(entry) != 2:
                    raise ValidationError.single(
                        f"$[{index}]", f"expected a (moment, record) pair, got {entry!r}"
                    )
                moment, record = entry
                if not isinstance(moment, datetime) or moment.utcoffset() is None:
                    raise ValidationError.single(
                        f"$[{index}][0]", f"expected a timezone-aware datetime, got {moment!r}"
                    )
                if not isinstance(record, Record) or RECORD_TYPES.get(record.TYPE) is not type(
                    record
                ):
                    raise ValidationError.single(
                        f"$[{index}][1]",
                        f"expected a record of a known type, got {type(record).__name__}",
                    )
                yield plain_utc(moment), record

        def counted(entry: tuple[datetime, Record], stored: Stored | None) -> Writing | None:
            given[0] += 1
            moment, record = entry
            return self._grow(record, stored, now=moment)

        self._apply(checked(entries), lambda entry: _key(entry[1]), counted)
        return given[0]

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
        if not isinstance(event, Event):
            raise ValidationError.single("$.event", f"expected an Event, got {type(event)}")
        return self._change_one(record_type, id, lambda record: record.with_event(event))

    @overload
    def correct(
        self,
        record_type: type[R],
        id: str,
        event_index: int,
        replacement: Event,
        *,
        by: Actor,
        reason: str,
    ) -> R: ...
    @overload
    def correct(
        self,
        record_type: str,
        id: str,
        event_index: int,
        replacement: Event,
        *,
        by: Actor,
        reason: str,
    ) -> Record: ...
    def correct(
        self,
        record_type: type[R] | str,
        id: str,
        event_index: int,
        replacement: Event,
        *,
        by: Actor,
        reason: str,
    ) -> R | Record:
        """Correct a stored event: append a ``corrected`` event, made now by ``by`` for
        ``reason``, that puts ``replacement`` in place of event ``event_index`` wherever the
        record is judged; the original stays in the history. Returns the new record."""
        self._check_open()
        if not isinstance(replacement, Event):
            raise ValidationError.single(
                "$.replacement", f"expected an Event, got {type(replacement).__name__}"
            )
        if not isinstance(by, Actor):
            raise ValidationError.single("$.by", f"expected an Actor, got {type(by).__name__}")

        def corrected(record: Record) -> Record:
            at = max(self._now(), record.last_event_at)
            data = correction_data(event_index, replacement, reason)
            return record.with_event(Event("corrected", at, by, data))

        return self._change_one(record_type, id, corrected)

    @overload
    def erase(
        self,
        record_type: type[R],
        id: str,
        *,
        by: Actor,
        reason: str,
        subject: bool = True,
        actors: Iterable[str] = (),
    ) -> R: ...
    @overload
    def erase(
        self,
        record_type: str,
        id: str,
        *,
        by: Actor,
        reason: str,
        subject: bool = True,
        actors: Iterable[str] = (),
    ) -> Record: ...
    def erase(
        self,
        record_type: type[R] | str,
        id: str,
        *,
        by: Actor,
        reason: str,
        subject: bool = True,
        actors: Iterable[str] = (),
    ) -> R | Record:
        """Erase a person's identity from a stored record (a data-protection request), keeping
        what proves compliance (kinds, times, roles) and the hash chain.

        ``subject``: the person the record is about (its identity fields, notes, data that is
        not compliance data, and actors of external roles); ``actors``: staff ids to erase
        wherever they acted. The erasure is an ``erased`` event by ``by`` for ``reason`` (which
        must not name the person); nothing to erase writes nothing. Returns the new record.
        """
        self._check_open()
        tag = type_tag(record_type)
        if not isinstance(by, Actor):
            raise ValidationError.single("$.by", f"expected an Actor, got {type(by).__name__}")
        staff = [actors] if isinstance(actors, str) else list(actors)
        result: list[Record] = []

        def change(_: object, stored: Stored | None) -> Writing | None:
            if stored is None:
                raise RecordNotFoundError(tag, id)
            before = unstructure(stored.record)
            document = unstructure(stored.record)
            paths = erase_document(document, subject=subject, actors=staff)
            if not paths:
                result.append(stored.record)
                return None
            previous = stored.evidence
            if previous is None:
                raise _unchained(stored.record, self.where)
            evidence = erase_evidence(previous, before, paths)
            erased: Record = from_dict(document, validate=False)
            event = Event(
                "erased",
                max(self._now(), erased.last_event_at),
                by,
                {"fields": paths, "reason": reason},
            )
            record = erased.with_event(event)
            writing = self._extend(Stored(erased, evidence), record)
            result.append(writing.record)
            return writing

        self._apply([None], lambda _: (tag, _checked_id(id)), change)
        return result[0]

    def _now(self) -> datetime:
        """The store's clock in UTC."""
        now = self.clock()
        if not isinstance(now, datetime) or now.utcoffset() is None:
            raise StoreError(f"the store's clock gave {now!r}, not a timezone-aware datetime")
        return plain_utc(now)

    def _change_one(
        self, record_type: RecordType, id: str, change: Callable[[Record], Record]
    ) -> Record:
        """Apply ``change`` to one stored record atomically; return the new record."""
        tag = type_tag(record_type)
        key = (tag, _checked_id(id))
        result: list[Record] = []

        def apply(_: object, stored: Stored | None) -> Writing:
            if stored is None:
                raise RecordNotFoundError(*key)
            writing = self._extend(stored, change(stored.record))
            result.append(writing.record)
            return writing

        self._apply([None], lambda _: key, apply)
        return result[0]

    def _grow(
        self, record: Record, stored: Stored | None, *, now: datetime | None = None
    ) -> Writing | None:
        """What saving ``record`` writes over ``stored`` (only new events), or a refusal; new
        events are stamped ``now`` (UTC) if given, else by the store's clock."""
        if stored is None:
            return self._extend(None, record, now=now)
        old = stored.record
        _check_same_record(old, record)
        given, kept = record.events, old.events
        for index, event in enumerate(kept):
            if index >= len(given):
                raise HistoryRewriteError(
                    record.TYPE,
                    record.id,
                    f"$.events[{index}]",
                    f"the stored record has {len(kept)} events and this one {len(given)}: "
                    f"event {index} ({event.kind!r} at {event.at.isoformat()}) would be dropped",
                    index,
                )
            if given[index] != event:
                raise HistoryRewriteError(
                    record.TYPE,
                    record.id,
                    f"$.events[{index}]",
                    f"differs from the stored event ({_describe(event)} stored, "
                    f"{_describe(given[index])} given)",
                    index,
                )
        if len(given) == len(kept):
            return None
        return self._extend(stored, old.with_events(given[len(kept) :]), now=now)

    def _extend(
        self,
        stored: Stored | None,
        record: Record,
        *,
        stamp: bool = True,
        now: datetime | None = None,
    ) -> Writing:
        """``record`` with its events after the stored ones stamped (or, without ``stamp``,
        left unstamped), and its evidence; the stamp is ``now`` (UTC) if given, else the store's
        clock."""
        self._check_lab(record)  # through lab_refusal, which a backend may refine
        count = len(stored.record.events) if stored is not None else 0
        events = record.events
        last = events[count - 1].recorded_at if count else None
        if now is None:
            now = self._now()
        when = (now if last is None or now > last else last) if stamp else None
        stamped_copy = _event_stamper()
        if count:
            stamped = (*events[:count], *[stamped_copy(event, when) for event in events[count:]])
        else:  # a new record: every event stamped
            stamped = tuple([stamped_copy(event, when) for event in events])
        kind = type(record)
        new = (_record_copiers.get(kind) or _record_copier(kind))(record, stamped, None)
        if stored is not None and stored.document is not None and _grown_from(stored.record, new):
            document = unstructure_grown(stored.document, new, count)
        else:
            document = unstructure(new)
        previous = stored.evidence if stored is not None else None
        if stored is not None and previous is None:
            raise _unchained(record, self.where)
        return Writing(new, document, seal(document, previous, self.salt))

    def verify(self) -> builtins.list[StoredRecordError]:
        """Check every stored record in full: its hash chain, which finds an event (or a field)
        changed behind the store's back, and its document against the schema and the model
        (unless the row's seal proves the store wrote that very text from a valid record).

        Returns one :class:`StoredRecordError` per record that fails, naming the record and the
        first event that differs (``$.events[3]``) or ``$`` for the record's own fields.
        """
        self._check_open()
        problems: list[StoredRecordError] = []
        for raw in self._raw():
            problem, document = _chain_problem(raw)
            if problem is None:
                problem = self._filing_problem(document)
            if problem is None and raw.sealed:
                # The text is what the store wrote from a valid record (its seal), and its
                # chain holds: a full validation would find nothing, at 50 times the cost.
                continue
            try:
                validate_stored(raw.tag, raw.id, raw.document, self.where)
            except StoredRecordError as error:
                problems.append(error)
                continue
            if problem is not None:
                problems.append(StoredRecordError(raw.tag, raw.id, [problem], where=self.where))
        return problems

    def _filing_problem(self, document: Any) -> FieldError | None:
        """A stored record filed under another lab than its own (its row moved behind the
        store's back: its own lab is in its hashed document), or None."""
        lab = document.get("lab") if isinstance(document, dict) else None
        own = lab if isinstance(lab, str) else (self.home_lab or "")
        if own == self.lab_key:
            return None
        return FieldError(
            "$.lab",
            f"the record belongs to {_lab_words(own)} but is filed under "
            f"{_lab_words(self.lab_key)} (moved behind the store's back)",
        )

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
