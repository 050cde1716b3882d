"""When a version of a ruleset is in force, and where a record falls for each rule.

A :class:`Window` is the stretch of time one version of a ruleset is in force, ``[start, end)``
as instants: the local midnight of its ``effective_from`` and the local midnight after its
``effective_until`` (the calendar's time zone). For each rule, the engine places a record by
the instant that started the record's clock *for that rule*:

- ``response_time`` (any kind with ``clock_start_events``): the record's first start event; a
  record whose clock has not started is placed by its first event;
- an aggregate (``threshold``): the first instant of the record's period, at the rule's own
  granularity, so the version in force when a period began judges the whole period;
- every other kind (``responsibility``, ``required_step``, ``value_limit``, plugin kinds): the
  record's first event.

Inside the window the rule judges the record. A record placed before the window is *not yet* in
force (``not_applicable``: the ruleset had not taken effect) when no earlier version judges it
(``judges_before``), otherwise it is another version's and this one does not count it at all;
after the window likewise with ``judges_after``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any, Final
from zoneinfo import ZoneInfo

from attrs import frozen

from ..core.events import Event
from .ruleset import Rule, Ruleset

IN_FORCE: Final = 0
"""The window holds the record: the version judges it."""
ELSEWHERE: Final = 1
"""Another version judges the record: this one does not count it."""
NOT_YET: Final = 2
"""Before the first version took effect: not applicable."""
NO_LONGER: Final = 3
"""After the last version ceased to apply: not applicable."""

Anchor = Callable[[Sequence[Event]], Event]
"""The event that places a record for one rule (see the module doc)."""


def _local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=zone)


@frozen
class Window:
    """``[start, end)`` (aware instants; None: unbounded) and who judges what falls outside."""

    start: datetime | None = None
    end: datetime | None = None
    judges_before: bool = True
    judges_after: bool = True
    effective_from: date | None = None
    effective_until: date | None = None

    @classmethod
    def of(
        cls,
        ruleset: Ruleset,
        zone: ZoneInfo,
        *,
        until: date | None = None,
        judges_before: bool = True,
        judges_after: bool = True,
    ) -> Window:
        """The window of ``ruleset``'s dates in ``zone``; ``until`` (the last day in force)
        stands in for a missing ``effective_until`` (a version superseded by the next one)."""
        first = ruleset.effective_from
        last = ruleset.effective_until or until
        return cls(
            _local_midnight(first, zone) if first else None,
            _local_midnight(last + timedelta(days=1), zone) if last else None,
            judges_before,
            judges_after,
            first,
            last,
        )

    @property
    def bounded(self) -> bool:
        """Whether anything falls outside the window."""
        return self.start is not None or self.end is not None

    @property
    def first_day(self) -> str:
        """The first day in force, for a message: ``01 Jul 2026``."""
        return _day(self.effective_from, self.start)

    @property
    def last_day(self) -> str:
        """The last day in force, for a message."""
        if self.effective_until is None and self.end is not None:
            return _day(None, self.end - timedelta(microseconds=1))
        return _day(self.effective_until, None)

    @property
    def first_date(self) -> date:
        """The first day in force (what :attr:`first_day` shows)."""
        return _date(self.effective_from, self.start)

    @property
    def last_date(self) -> date:
        """The last day in force (what :attr:`last_day` shows)."""
        if self.effective_until is None and self.end is not None:
            return _date(None, self.end - timedelta(microseconds=1))
        return _date(self.effective_until, None)

    def settles(self, first: datetime) -> bool:
        """Whether everything from ``first`` (a record's first event) on is in force, so its
        rules need not be placed one by one."""
        return (self.start is None or first >= self.start) and self.end is None

    def place(self, instant: datetime) -> int:
        """:data:`IN_FORCE`, :data:`ELSEWHERE`, :data:`NOT_YET` or :data:`NO_LONGER`."""
        if self.start is not None and instant < self.start:
            return NOT_YET if self.judges_before else ELSEWHERE
        if self.end is not None and instant >= self.end:
            return NO_LONGER if self.judges_after else ELSEWHERE
        return IN_FORCE

    def to_dict(self) -> dict[str, Any]:
        """The dates as JSON types."""
        return {
            "effective_from": self.effective_from.isoformat() if self.effective_from else None,
            "effective_until": self.effective_until.isoformat() if self.effective_until else None,
        }


def _date(day: date | None, instant: datetime | None) -> date:
    if day is None:
        assert instant is not None
        return instant.date()
    return day


def _day(day: date | None, instant: datetime | None) -> str:
    if day is None:
        assert instant is not None
        day = instant.date()
    return f"{day.day:02d} {_MONTHS[day.month - 1]} {day.year}"


_MONTHS: Final = (
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
)  # fmt: skip


def _first_event(events: Sequence[Event]) -> Event:
    return events[0]


def anchor_of(rule: Rule, kinds: Mapping[str, Any]) -> Anchor:
    """The function finding the event that places a record for ``rule`` (not for aggregates,
    which the engine places by their period)."""
    starts_of = getattr(kinds[rule.kind], "clock_start_events", None)
    starts = frozenset(starts_of(rule.params)) if starts_of is not None else frozenset()
    if not starts:
        return _first_event

    def first_start(events: Sequence[Event]) -> Event:
        """The first start event of the rule's clock, or the first event if it has not
        started."""
        for event in events:
            if event.kind in starts:
                return event
        return events[0]

    return first_start


@frozen
class OutOfForce:
    """The facts of a ``not_applicable`` outcome for a record outside every version's window."""

    where: int
    event: Event
