"""The base of every record: an id and a history of events, from which its state is derived."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any, ClassVar, Self

from attrs import evolve, field, frozen

from .checks import check_storable, nonempty_text, unchecked_fields
from .errors import TransitionError, ValidationError
from .events import Event
from .lifecycle import Lifecycle
from .roles import Actor


def _events(value: Iterable[Event]) -> tuple[Event, ...]:
    events = tuple(value)
    for index, event in enumerate(events):
        if not isinstance(event, Event):
            raise ValidationError.single(
                f"$.events[{index}]", f"expected an Event, got {type(event).__name__}"
            )
    return events


@frozen(kw_only=True, eq=True, hash=False)
class Record:
    """An immutable record: adding an event returns a new record; the history is the audit trail.

    Subclasses set ``TYPE`` (the ``"type"`` tag in JSON) and ``LIFECYCLE``, and may refine
    :meth:`_check_event` with what their own state forbids.
    """

    TYPE: ClassVar[str] = "record"
    LIFECYCLE: ClassVar[Lifecycle]

    id: str = field(validator=nonempty_text)
    events: tuple[Event, ...] = field(factory=tuple, converter=_events)

    def __attrs_post_init__(self) -> None:
        if not self.events:
            raise ValidationError.single(
                "$.events",
                f"a {self.TYPE} needs at least its first event, one of "
                f"{sorted(self.LIFECYCLE.opening)}",
            )
        for index, event in enumerate(self.events):
            self._check_event(event, self.events[:index], index)
        # Events check their own text and times; the record's other fields are checked here.
        check_storable({name: getattr(self, name) for name in unchecked_fields(type(self))})

    # -- history ----------------------------------------------------------------------------

    def with_event(self, event: Event) -> Self:
        """A new record with ``event`` appended; refused if the record's state forbids it."""
        self._check_event(event, self.events, len(self.events))
        # Skip re-checking the whole history: it was checked when this record was built.
        new = object.__new__(type(self))
        for name, value in _fields_of(self):
            object.__setattr__(new, name, value)
        object.__setattr__(new, "events", (*self.events, event))
        return new

    def with_events(self, events: Iterable[Event]) -> Self:
        """A new record with every event of ``events`` appended in order."""
        record = self
        for event in events:
            record = record.with_event(event)
        return record

    def _check_event(self, event: Event, before: tuple[Event, ...], index: int) -> None:
        """Refuse ``event`` at position ``index`` after the events ``before`` it."""
        life = self.LIFECYCLE
        path = f"$.events[{index}]"
        if event.kind not in life.kinds:
            raise TransitionError(
                f"{path}: unknown event kind {event.kind!r} for a {self.TYPE}; "
                f"expected one of {', '.join(sorted(life.kinds))}",
                path,
            )
        if not before:
            if event.kind not in life.opening:
                raise TransitionError(
                    f"{path}: a {self.TYPE}'s history must start with "
                    f"{' or '.join(sorted(life.opening))}, not {event.kind!r}",
                    path,
                )
            return
        last = before[-1]
        if event.at < last.at:
            raise TransitionError(
                f"{path}: event {event.kind!r} at {event.at.isoformat()} is earlier than the last "
                f"event {last.kind!r} at {last.at.isoformat()}; events are appended in time order",
                path,
            )
        if event.kind in life.opening and any(e.kind == event.kind for e in before):
            raise TransitionError(
                f"{path}: {self.TYPE} {self.id!r} already has a {event.kind!r} event; "
                "an opening event happens once",
                path,
            )
        if life.status([e.kind for e in before]) == "closed" and event.kind not in life.reopening:
            raise TransitionError(
                f"{path}: {self.TYPE} {self.id!r} is closed; only "
                f"{' or '.join(sorted(life.reopening)) or 'nothing'} may follow, "
                f"not {event.kind!r}",
                path,
            )

    # -- derived state ----------------------------------------------------------------------

    @property
    def status(self) -> str:
        """The status derived from the history (e.g. ``open``, ``closed``)."""
        return self.LIFECYCLE.status([event.kind for event in self.events])

    @property
    def opened_at(self) -> datetime:
        """When the first event happened."""
        return self.events[0].at

    @property
    def last_event_at(self) -> datetime:
        """When the latest event happened."""
        return self.events[-1].at

    @property
    def is_closed(self) -> bool:
        """True when the record's latest status-setting event closed it."""
        return self.status == "closed"

    def events_of(self, *kinds: str) -> Iterator[Event]:
        """The events of these kinds, in order."""
        wanted = set(kinds)
        return (event for event in self.events if event.kind in wanted)

    def first(self, *kinds: str) -> Event | None:
        """The first event of any of these kinds, or None."""
        return next(self.events_of(*kinds), None)

    def last(self, *kinds: str) -> Event | None:
        """The latest event of any of these kinds, or None."""
        wanted = set(kinds)
        return next((event for event in reversed(self.events) if event.kind in wanted), None)

    def add(
        self,
        kind: str,
        *,
        at: datetime,
        by: Actor | None = None,
        note: str = "",
        **data: Any,
    ) -> Self:
        """Shorthand for ``with_event(Event(kind, at, by, data, note))``."""
        return self.with_event(Event(kind, at, by, data, note))

    def evolve(self, **changes: Any) -> Self:
        """A copy with fields changed, checked like a new record."""
        return evolve(self, **changes)


def _fields_of(record: Record) -> Iterator[tuple[str, object]]:
    for attribute in type(record).__attrs_attrs__:
        yield attribute.name, getattr(record, attribute.name)
