"""What a history says about the past: corrections applied, as known at a moment, cycle by cycle.

A stored history only grows. The two ways to change what it says about the past are events
themselves (``docs/audit.md``):

- ``corrected`` points at an earlier event by its index and carries a replacement and a reason;
  the replacement stands in for the original wherever a record is judged, and the original stays
  in the history for anyone to read. A later correction of the same event wins. A correction is
  never itself corrected: correct the original again.
- ``erased`` records a data-protection erasure (see :mod:`.identity`); it changes no verdict.

A record is judged on its *judged history*: the events known by a moment (``recorded_at`` at or
before it; an event stored before stamping counts as known from the start), corrections known by
then applied, administrative events left out, in time order, up to that moment. A record that
was reopened is judged cycle by cycle: each ``reopened`` event starts a new cycle, presented to
the rules as the record's opening event, so clocks and required steps start again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from itertools import pairwise
from typing import Any, Final

from attrs import frozen

from .errors import ValidationError
from .events import Event
from .lifecycle import ADMINISTRATIVE_KINDS
from .roles import Actor

CORRECTED = "corrected"
ERASED = "erased"


def event_to_json(event: Event) -> dict[str, Any]:
    """An event as the plain JSON types of a record document (without ``recorded_at``)."""
    actor = event.actor
    return {
        "kind": event.kind,
        "at": event.at.isoformat(),
        "actor": None
        if actor is None
        else {"id": actor.id, "name": actor.name, "role": actor.role.value},
        "data": _thawed(event.data),
        "note": event.note,
    }


def _thawed(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {key: _thawed(inner) for key, inner in value.items()}
    if isinstance(value, tuple | list):
        return [_thawed(inner) for inner in value]
    return value


def event_from_json(document: object, path: str) -> Event:
    """An event from the JSON form :func:`event_to_json` writes; errors name ``path``."""
    if not isinstance(document, Mapping):
        raise ValidationError.single(path, "expected an event object (kind, at, actor, ...)")
    unknown = sorted(set(document) - {"kind", "at", "actor", "data", "note"})
    if unknown:
        raise ValidationError.single(path, f"unexpected field(s) {', '.join(unknown)}")
    at = document.get("at")
    try:
        moment = datetime.fromisoformat(at) if isinstance(at, str) else None
    except ValueError:
        moment = None
    if moment is None:
        raise ValidationError.single(f"{path}.at", f"expected an ISO 8601 date-time, got {at!r}")
    actor = document.get("actor")
    if actor is not None:
        if not isinstance(actor, Mapping) or set(actor) != {"id", "name", "role"}:
            raise ValidationError.single(f"{path}.actor", "expected an actor: id, name and role")
        actor = Actor(actor["id"], actor["name"], actor["role"])
    try:
        return Event(
            document.get("kind"),  # type: ignore[arg-type]  # the validator says what is wrong
            moment,
            actor,
            document.get("data") or {},
            document.get("note", ""),
        )
    except ValidationError as error:
        raise ValidationError(
            [type(e)(path + e.path[1:], e.message) for e in error.errors]
        ) from None


@frozen
class Correction:
    """What a ``corrected`` event says: which earlier event it replaces, by what, and why."""

    target: int
    replacement: Event
    reason: str

    @classmethod
    def of(cls, event: Event, index: int, path: str) -> Correction:
        """The correction a ``corrected`` event at position ``index`` carries (checked)."""
        data = event.data
        target = data.get("event")
        if isinstance(target, bool) or not isinstance(target, int) or not 0 <= target < index:
            raise ValidationError.single(
                f"{path}.data.event",
                f"expected the index of an earlier event (0 to {index - 1}), got {target!r}",
            )
        reason = data.get("reason")
        if not isinstance(reason, str) or not reason.strip():
            raise ValidationError.single(
                f"{path}.data.reason", "expected the reason for the correction (non-empty text)"
            )
        replacement = event_from_json(data.get("replacement"), f"{path}.data.replacement")
        if replacement.kind in ADMINISTRATIVE_KINDS:
            raise ValidationError.single(
                f"{path}.data.replacement.kind",
                f"a {replacement.kind!r} event cannot stand in for another event",
            )
        return cls(target, replacement, reason)


def correction_data(target: int, replacement: Event, reason: str) -> dict[str, Any]:
    """The data of a ``corrected`` event replacing event ``target`` by ``replacement``."""
    return {"event": target, "replacement": event_to_json(replacement), "reason": reason}


def has_administrative(events: Sequence[Event]) -> bool:
    """True if any event is ``corrected`` or ``erased``."""
    return any(event.kind in ADMINISTRATIVE_KINDS for event in events)


def corrected(
    events: Sequence[Event], known: Sequence[int] | None = None, *, administrative: bool = False
) -> list[tuple[int, Event]]:
    """``(index, event)`` of the history with corrections applied and administrative events
    left out (kept with ``administrative``), in time order (stable); ``known`` limits it to
    those indexes."""
    indexes = range(len(events)) if known is None else known
    chosen = set(indexes)
    replaced: dict[int, Event] = {}
    for index in indexes:
        event = events[index]
        if event.kind == CORRECTED:
            correction = Correction.of(event, index, f"$.events[{index}]")
            if correction.target in chosen:
                replaced[correction.target] = correction.replacement
    kept = [
        (index, replaced.get(index, events[index]))
        for index in indexes
        if administrative or events[index].kind not in ADMINISTRATIVE_KINDS
    ]
    kept.sort(key=lambda pair: pair[1].at)
    return kept


def judged(
    events: Sequence[Event], at: datetime, *, administrative: bool = False
) -> tuple[Event, ...]:
    """The judged history as known at ``at`` (see the module doc), in time order; with
    ``administrative``, the ``corrected`` and ``erased`` events themselves stay in it too (for
    rules about who may make them)."""
    last = events[-1]
    recorded = last.recorded_at
    if (recorded is None or recorded <= at) and last.at <= at and not has_administrative(events):
        return tuple(events)
    known = [
        index
        for index, event in enumerate(events)
        if event.recorded_at is None or event.recorded_at <= at
    ]
    if not known:
        return ()
    view = [event for _, event in corrected(events, known, administrative=administrative)]
    cut = len(view)
    while cut and view[cut - 1].at > at:
        cut -= 1
    return tuple(view[:cut])


class Cycles(list[tuple[Event, ...]]):
    """The cycles of a judged history; :attr:`whole` is the whole of it as it was (the engine
    puts the administrative events back in it), :attr:`simple` says whether the one cycle is
    the whole."""

    whole: tuple[Event, ...]

    @property
    def simple(self) -> bool:
        """One cycle, the same as the whole history."""
        return len(self) == 1 and self[0] == self.whole


def cycles(events: Sequence[Event], reopening: frozenset[str]) -> Cycles:
    """A judged history split at each reopening event. From the second cycle on, the cycle
    starts with the record's opening event (the kind of its first event) at the moment of the
    reopening, by whoever reopened it, then the reopening event itself: so a clock that starts
    at receipt starts again, and a rule about the reopening still sees it."""
    found = Cycles()
    found.whole = tuple(events)
    starts = [index for index, event in enumerate(events) if index and event.kind in reopening]
    if not starts:
        found.append(found.whole)
        return found
    opening = events[0].kind
    found.append(tuple(events[: starts[0]]))
    for begin, end in pairwise([*starts, len(events)]):
        reopened = events[begin]
        again = Event(opening, reopened.at, reopened.actor)
        found.append((again, *events[begin:end]))
    return found


Facts = tuple[bool, timedelta, bool, datetime]
"""What a history holds that a judge must look at closely, found once so that a check need not
walk the events: whether any event is a correction, an erasure or a reopening; the longest time
between an event and its recording (``NO_LAG`` when no event is stamped); whether its first event
was recorded before stamping; and its latest instant (the last event's time or recording)."""

NO_LAG: Final = timedelta.min
"""The lag of a history with no stamped event (below every limit)."""


def facts_of(events: Sequence[Event], special: frozenset[str]) -> Facts:
    """The :data:`Facts` of a history whose correction, erasure and reopening kinds are
    ``special``."""
    found = False
    lag = NO_LAG
    for event in events:
        if event.kind in special:
            found = True
        recorded = event.recorded_at
        if recorded is not None:
            late = recorded - event.at
            if late > lag:
                lag = late
    return found, lag, events[0].recorded_at is None, _latest(events[-1])


def facts_after(facts: Facts, event: Event, special: frozenset[str]) -> Facts:
    """The :data:`Facts` of a history after one more event."""
    found, lag, unstamped, _ = facts
    recorded = event.recorded_at
    if recorded is not None:
        late = recorded - event.at
        if late > lag:
            lag = late
    return found or event.kind in special, lag, unstamped, _latest(event)


def _latest(event: Event) -> datetime:
    recorded = event.recorded_at
    return event.at if recorded is None or recorded < event.at else recorded


def backdated(events: Sequence[Event]) -> list[tuple[int, Event]]:
    """``(index, event)`` of every stamped event whose ``recorded_at`` is after its ``at``
    (how far after counts as back-dated is a ruleset setting the engine applies)."""
    return [
        (index, event)
        for index, event in enumerate(events)
        if event.recorded_at is not None and event.recorded_at > event.at
    ]
