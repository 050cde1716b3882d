"""The base of every record: an id and a history of events, from which its state is derived."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any, ClassVar, Self, TypeVar

from attrs import evolve, field, frozen

from ._checks import check_storable, nonempty_text, optional_lab, unchecked_fields
from .errors import TransitionError, ValidationError
from .events import Event
from .history import (
    CORRECTED,
    Correction,
    Facts,
    corrected,
    facts_after,
    facts_of,
    has_administrative,
    judged,
)
from .lifecycle import ADMINISTRATIVE_KINDS, Lifecycle
from .roles import Actor
from .timestamps import utc

OMIT_IF_NONE = "qse_omit_if_none"

_SPECIAL_KINDS: dict[int, tuple[Lifecycle, frozenset[str]]] = {}
"""Each lifecycle's special kinds (see :meth:`Record.special_kinds`), keyed by its identity."""
"""Field metadata: the field is left out of the record's JSON when it is None (and read as None
when it is missing), and written after the record's other fields."""


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
    lab: str | None = field(default=None, validator=optional_lab, metadata={OMIT_IF_NONE: True})
    """The lab the record belongs to, fixed at creation (it is in the hashed header); None for
    the default lab of a single-lab store, and then left out of the record's JSON, so that a
    record of the default lab is stored byte for byte as before labs existed."""
    # Kept beside the events, not part of the record's value: see history_facts.
    _facts: Facts | None = field(init=False, default=None, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        if not self.events:
            raise ValidationError.single(
                "$.events",
                f"a {self.TYPE} needs at least its first event, one of "
                f"{sorted(self.LIFECYCLE.opening)}",
            )
        # One walk, keeping the state as it goes: linear in the number of events.
        state = _State()
        for index, event in enumerate(self.events):
            self._check_step(event, state, index)
            self._check_event(event, index)
            state.advance(event, self.LIFECYCLE)
        object.__setattr__(self, "_facts", facts_of(self.events, self.special_kinds()))
        # Events check their own text and times; the record's other fields are checked here.
        check_storable({name: getattr(self, name) for name in unchecked_fields(type(self))})

    # -- history ----------------------------------------------------------------------------

    def with_event(self, event: Event) -> Self:
        """A new record with ``event`` appended; refused if the record's state forbids it."""
        index = len(self.events)
        self._check_step(event, _State.after(self.events, self.LIFECYCLE), index)
        self._check_event(event, index)
        # Skip re-checking the whole history: it was checked when this record was built.
        facts = self._facts
        if facts is not None:
            facts = facts_after(facts, event, self.special_kinds())
        return _copy_with_events(self, (*self.events, event), facts)

    def as_known_at(self, at: datetime) -> Self | None:
        """The record as it was known at ``at``: its judged history then (events recorded or
        happening after ``at`` left out, corrections known by then applied, corrections and
        erasures themselves left out), or None if nothing of it was known. What every report
        for a past moment counts from, so that later entries never change it."""
        if type(at) is not datetime or at.tzinfo is not UTC:
            at = utc(at, "$.at")
        # The facts as history_facts finds them, without its call: a check asks this of every
        # record it reads, most of them with no facts found yet.
        facts: Facts | None = getattr(self, "_facts", None)
        if facts is None:
            facts = facts_of(self.events, self.special_kinds())
            object.__setattr__(self, "_facts", facts)
        if not facts[0] and facts[3] <= at:  # nothing happened or was recorded after ``at``
            return self
        known = judged(self.events, at)
        if not known:
            return None
        return evolve(self, events=known)

    @classmethod
    def special_kinds(cls) -> frozenset[str]:
        """The kinds that change how the history is judged: corrections, erasures, reopenings."""
        life = cls.LIFECYCLE
        found = _SPECIAL_KINDS.get(id(life))
        if found is None or found[0] is not life:
            found = _SPECIAL_KINDS[id(life)] = (life, ADMINISTRATIVE_KINDS | life.reopening)
        return found[1]

    @property
    def history_facts(self) -> Facts:
        """Whether the history holds a correction, an erasure or a reopening, and the longest
        time between an event and its recording: what tells a judge to look closer, kept so
        that a check need not walk the events to find out."""
        facts: Facts | None = getattr(self, "_facts", None)
        if facts is None:
            facts = facts_of(self.events, self.special_kinds())
            object.__setattr__(self, "_facts", facts)
        return facts

    def with_events(self, events: Iterable[Event]) -> Self:
        """A new record with every event of ``events`` appended in order: what appending them
        one by one with :meth:`with_event` gives (the same checks, the same refusals), with the
        state found once rather than again for each event."""
        added = tuple(events)
        if len(added) < 2:
            return self.with_event(added[0]) if added else self
        life, special = self.LIFECYCLE, self.special_kinds()
        history = (*self.events, *added)
        start = len(self.events)
        state = _State.after(self.events, life)
        # Corrections change the status as the history is judged: then the state is found again
        # after every event, as with_event does.
        exact = not has_administrative(self.events)
        # One new record, whose events grow as each one is checked (the checks see the history
        # before it, as they would on the record with_event appends to).
        facts = self._facts
        new = _copy_with_events(self, self.events, facts)
        for index in range(start, len(history)):
            event = history[index]
            if not exact:
                state = _State.after(history[:index], life)
            new._check_step(event, state, index)
            new._check_event(event, index)
            if event.kind in ADMINISTRATIVE_KINDS:
                exact = False
            else:
                state.advance(event, life)
            if facts is not None:
                facts = facts_after(facts, event, special)
            object.__setattr__(new, "events", history[: index + 1])
            object.__setattr__(new, "_facts", facts)
        return new

    def _check_event(self, event: Event, index: int) -> None:
        """What a record type's own state forbids of ``event`` at position ``index`` (a subclass
        hook; the lifecycle is checked before it)."""

    def _check_step(self, event: Event, state: _State, index: int) -> None:
        """Refuse ``event`` at position ``index`` after a history in ``state``."""
        life = self.LIFECYCLE
        path = f"$.events[{index}]"
        if event.kind not in life.kinds:
            raise TransitionError(
                f"{path}: unknown event kind {event.kind!r} for a {self.TYPE}; "
                f"expected one of {', '.join(sorted(life.kinds))}",
                path,
            )
        last = state.last
        if last is None:
            if event.kind not in life.opening:
                raise TransitionError(
                    f"{path}: a {self.TYPE}'s history must start with "
                    f"{' or '.join(sorted(life.opening))}, not {event.kind!r}",
                    path,
                )
            return
        if event.at < last.at:
            raise TransitionError(
                f"{path}: event {event.kind!r} at {event.at.isoformat()} is earlier than the last "
                f"event {last.kind!r} at {last.at.isoformat()}; events are appended in time order",
                path,
            )
        if event.kind in ADMINISTRATIVE_KINDS:
            self._check_administrative(event, index, path)
            return
        if event.kind in life.opening and event.kind in state.opened:
            raise TransitionError(
                f"{path}: {self.TYPE} {self.id!r} already has a {event.kind!r} event; "
                "an opening event happens once",
                path,
            )
        if state.status == "closed" and event.kind not in life.reopening:
            raise TransitionError(
                f"{path}: {self.TYPE} {self.id!r} is closed; only "
                f"{' or '.join(sorted(life.reopening)) or 'nothing'} may follow, "
                f"not {event.kind!r}",
                path,
            )

    def _check_administrative(self, event: Event, index: int, path: str) -> None:
        """A correction or an erasure: by someone, for a reason, about earlier events."""
        if event.actor is None:
            raise TransitionError(
                f"{path}: a {event.kind!r} event must say who made it (an actor)", path
            )
        if event.kind == CORRECTED:
            correction = Correction.of(event, index, path)
            # The replacement must pass what the record type forbids of any event (an
            # anonymous complaint's replacement can no more name anyone than the original).
            self._check_event(correction.replacement, correction.target)
            history = (*self.events[:index], event)
            try:
                _check_sequence(self, [e for _, e in corrected(history)])
            except TransitionError as error:
                raise TransitionError(
                    f"{path}: the history with this correction would be invalid: {error}", path
                ) from None
            return
        fields = event.data.get("fields")
        if (
            not isinstance(fields, tuple)
            or not fields
            or not all(isinstance(f, str) and f.startswith("$") for f in fields)
        ):
            raise ValidationError.single(
                f"{path}.data.fields", "expected the JSON paths of the erased fields"
            )
        reason = event.data.get("reason")
        if not isinstance(reason, str) or not reason.strip():
            raise ValidationError.single(
                f"{path}.data.reason", "expected the reason for the erasure (non-empty text)"
            )

    # -- derived state ----------------------------------------------------------------------

    @property
    def status(self) -> str:
        """The status derived from the history, corrections applied (e.g. ``open``, ``closed``)."""
        events = self.events
        kinds = [event.kind for event in events]
        if ADMINISTRATIVE_KINDS.isdisjoint(kinds):  # no correction, no erasure: as they are
            return self.LIFECYCLE.status(kinds)
        return self.LIFECYCLE.status([event.kind for _, event in corrected(events)])

    @property
    def judged_events(self) -> tuple[Event, ...]:
        """The history as rules judge it: corrections applied, administrative events left out,
        in time order (see :mod:`qse_customer.core.history`)."""
        return tuple(event for _, event in corrected(self.events))

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


class _State:
    """Where a history stands after some events: its last event, status and opening kinds."""

    __slots__ = ("last", "opened", "status")

    def __init__(self) -> None:
        self.last: Event | None = None
        self.status = "new"
        self.opened: set[str] = set()

    def advance(self, event: Event, life: Lifecycle) -> None:
        """The state after ``event``."""
        self.last = event
        if event.kind in life.opening:
            self.opened.add(event.kind)
        status = life.status_after.get(event.kind)
        if status is not None:
            self.status = status

    @classmethod
    def after(cls, events: tuple[Event, ...], life: Lifecycle) -> _State:
        """The state after a whole (already checked) history."""
        state = cls()
        state.last = events[-1] if events else None
        state.opened = {event.kind for event in events if event.kind in life.opening}
        if has_administrative(events):
            state.status = life.status([event.kind for _, event in corrected(events)])
        else:
            state.status = life.status([event.kind for event in events])
        return state


def _check_sequence(record: Record, events: list[Event]) -> None:
    """Check a judged history (corrections applied) against the record's lifecycle."""
    state = _State()
    for index, event in enumerate(events):
        record._check_step(event, state, index)
        state.advance(event, record.LIFECYCLE)


R = TypeVar("R", bound="Record")


def _copy_with_events(record: R, events: tuple[Event, ...], facts: Facts | None) -> R:
    """``record`` with ``events`` as its history and ``facts`` as its history facts (None:
    found when first asked), no field checked again: for histories already checked."""
    new = object.__new__(type(record))
    for attribute in type(record).__attrs_attrs__:
        object.__setattr__(new, attribute.name, getattr(record, attribute.name))
    object.__setattr__(new, "events", events)
    object.__setattr__(new, "_facts", facts)
    return new
