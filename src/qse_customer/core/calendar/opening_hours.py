"""A lab's weekly opening hours: several intervals a day, different on each weekday.

A week is seven tuples (Monday first) of ``(opens, closes)`` intervals in minutes from local
midnight (1440 is the midnight that ends the day). Within a day the intervals are sorted, never
overlap, and never touch (touching intervals are joined: they open the same hours). This module
reads the ``hours`` setting of a :class:`~qse_customer.core.calendar.WorkingCalendar`, writes it
back in one canonical form, and says it in words; the calendar turns it into instants.
"""

from __future__ import annotations

import re
import reprlib
from collections.abc import Hashable, Mapping, Sequence
from typing import Any, Final

from ..errors import CalendarError

__all__ = [
    "AROUND_THE_CLOCK",
    "DAY_NAMES",
    "Interval",
    "Week",
    "clock",
    "clock_minutes",
    "describe_closing",
    "describe_week",
    "interval_text",
    "parse_clock",
    "parse_week",
    "shown",
    "simple_week",
    "uniform_hours",
    "week_settings",
]

Interval = tuple[int, int]
Week = tuple[tuple[Interval, ...], ...]

DAY_NAMES: Final = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
AROUND_THE_CLOCK: Final = "24/7"
_WHOLE_DAY: Final = 1440
_CLOCK: Final = re.compile(r"([01]\d|2[0-3]):([0-5]\d)")
_INTERVAL: Final = re.compile(r"(\d\d:\d\d)-(\d\d:\d\d)")
_DAY_RANGE: Final = re.compile(r"([A-Z][a-z]{2})(?:-([A-Z][a-z]{2}))?")
_NAME: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_EXAMPLE: Final = "{'Mon-Fri': ['08:00-12:30', '13:30-17:00'], 'Sat': ['09:00-12:00']}"

_REPR = reprlib.Repr()
_REPR.maxlevel = 3
_REPR.maxstring = 80
_REPR.maxother = 80


def shown(value: object) -> str:
    """``repr(value)`` cut short, for an error message: a bad setting may be huge or nested."""
    return _REPR.repr(value)


# --- clock times ----------------------------------------------------------------------------------


def clock_minutes(value: str) -> int:
    """Minutes from local midnight of a checked ``HH:MM`` (``24:00`` is 1440)."""
    return _WHOLE_DAY if value == "24:00" else int(value[:2]) * 60 + int(value[3:])


def clock(minute: int) -> str:
    """``HH:MM`` for minutes from local midnight (1440 is ``24:00``)."""
    return f"{minute // 60:02d}:{minute % 60:02d}"


def parse_clock(value: object, field: str, *, allow_midnight_end: bool = False) -> str:
    """``value`` if it is a local time ``HH:MM`` (or ``24:00`` where allowed), else an error."""
    if isinstance(value, str) and (
        _CLOCK.fullmatch(value) or (allow_midnight_end and value == "24:00")
    ):
        return value
    allowed = (
        "00:00-23:59, or 24:00 for the end of the day" if allow_midnight_end else "00:00-23:59"
    )
    raise CalendarError(f"{field}: expected a local time 'HH:MM' ({allowed}), got {shown(value)}")


def interval_text(interval: Interval) -> str:
    """``08:00-12:30``."""
    return f"{clock(interval[0])}-{clock(interval[1])}"


# --- reading the setting --------------------------------------------------------------------------


def simple_week(opens: int, closes: int, weekdays: Sequence[int]) -> Week:
    """The week of the ``opens``/``closes``/``weekdays`` settings: one interval on those days."""
    return tuple(((opens, closes),) if day in weekdays else () for day in range(7))


def _key_path(field: str, key: str) -> str:
    """``hours.Sat`` or ``hours['Mon-Fri']``: the path of one key, as jsonschema writes it."""
    return f"{field}.{key}" if _NAME.fullmatch(key) else f"{field}['{key}']"


def _days_of(key: object, field: str) -> tuple[int, ...]:
    """The weekdays (Monday = 0) a key of the ``hours`` mapping names: ``Sat`` or ``Mon-Fri``."""
    match = _DAY_RANGE.fullmatch(key) if isinstance(key, str) else None
    names = match.groups() if match else ()
    if not match or any(name is not None and name not in DAY_NAMES for name in names):
        raise CalendarError(
            f"{field}: expected weekdays as keys, a day ('Sat') or a range of days ('Mon-Fri') "
            f"named {', '.join(DAY_NAMES)}, got {shown(key)}"
        )
    first = DAY_NAMES.index(names[0])
    last = first if names[1] is None else DAY_NAMES.index(names[1])
    if last <= first and names[1] is not None:
        raise CalendarError(
            f"{_key_path(field, str(key))}: a range of days runs forward from Mon to Sun, such as "
            "'Mon-Fri'; write one that wraps past Sunday as two keys, such as 'Fri-Sun' and 'Mon'"
        )
    return tuple(range(first, last + 1))


def _intervals(value: object, where: str) -> tuple[Interval, ...]:
    """One day's intervals from ``'09:00-12:00'`` or a list of them; touching ones are joined."""
    single = isinstance(value, str)
    if isinstance(value, str):
        items: Sequence[object] = [value]
    elif isinstance(value, Sequence) and not isinstance(value, bytes):
        items = value
    else:
        raise CalendarError(
            f"{where}: expected a list of opening intervals 'HH:MM-HH:MM' (an empty list for a "
            f"closed day), got {shown(value)}"
        )
    found: list[tuple[Interval, str]] = []
    for k, item in enumerate(items):
        at = where if single else f"{where}[{k}]"
        match = _INTERVAL.fullmatch(item) if isinstance(item, str) else None
        if match is None or not isinstance(item, str):
            raise CalendarError(
                f"{at}: expected an opening interval 'HH:MM-HH:MM' such as '08:00-12:30', got "
                f"{shown(item)}"
            )
        opens = clock_minutes(parse_clock(match.group(1), at))
        closes = clock_minutes(parse_clock(match.group(2), at, allow_midnight_end=True))
        if closes <= opens:
            raise CalendarError(
                f"{at}: {item!r} closes before it opens; expected a closing time later the same "
                "day (a night shift is split at midnight: '22:00-24:00' on one day and "
                "'00:00-06:00' on the next)"
            )
        found.append(((opens, closes), item))
    found.sort()
    joined: list[Interval] = []
    for k, ((opens, closes), text) in enumerate(found):
        if joined and opens < joined[-1][1]:
            raise CalendarError(
                f"{where}: {found[k - 1][1]!r} and {text!r} overlap; give each stretch of "
                "opening hours once"
            )
        if joined and opens == joined[-1][1]:
            joined[-1] = (joined[-1][0], closes)
        else:
            joined.append((opens, closes))
    return tuple(joined)


def parse_week(value: object, field: str = "hours") -> Week:
    """A week from the ``hours`` setting: weekdays to intervals (``{'Sat': ['09:00-12:00']}``),
    or ``'24/7'``. Days not named are closed; an error names the key and the item at fault."""
    if value == AROUND_THE_CLOCK:
        return (((0, _WHOLE_DAY),),) * 7
    if not isinstance(value, Mapping):
        raise CalendarError(
            f"{field}: expected a mapping of weekdays to opening intervals, such as {_EXAMPLE}, "
            f"or '24/7' for a service open around the clock, got {shown(value)}"
        )
    days: list[tuple[Interval, ...] | None] = [None] * 7
    keys: list[str] = [""] * 7
    for key, intervals in value.items():
        indices = _days_of(key, field)
        where = _key_path(field, key)
        parsed = _intervals(intervals, where)
        for day in indices:
            if days[day] is not None:
                raise CalendarError(
                    f"{where}: {DAY_NAMES[day]} already has its hours under {keys[day]!r}; give "
                    "each weekday once"
                )
            days[day], keys[day] = parsed, key
    week = tuple(day or () for day in days)
    if not any(week):
        raise CalendarError(
            f"{field}: no weekday has opening hours; at least one is needed, such as {_EXAMPLE}"
        )
    return week


# --- writing it back ------------------------------------------------------------------------------


def uniform_hours(week: Week) -> tuple[Interval, ...] | None:
    """The one day's hours every working weekday shares, or None if they differ."""
    shapes = {day for day in week if day}
    return next(iter(shapes)) if len(shapes) == 1 else None


def _runs(week: Sequence[Hashable]) -> list[tuple[int, int, Any]]:
    """Runs of consecutive weekdays with the same opening hours (closed days left out):
    ``(first, last, hours)``."""
    runs: list[tuple[int, int, Any]] = []
    for day, hours in enumerate(week):
        if not hours:
            continue
        if runs and runs[-1][1] == day - 1 and runs[-1][2] == hours:
            runs[-1] = (runs[-1][0], day, hours)
        else:
            runs.append((day, day, hours))
    return runs


def _days_text(first: int, last: int) -> str:
    return DAY_NAMES[first] if first == last else f"{DAY_NAMES[first]}-{DAY_NAMES[last]}"


def _grouped(week: Sequence[Hashable]) -> dict[Any, str]:
    """The days' values, each with the days that have it: ``{hours: 'Mon-Wed and Fri'}``."""
    groups: dict[Any, list[str]] = {}
    for first, last, hours in _runs(week):
        groups.setdefault(hours, []).append(_days_text(first, last))
    return {hours: " and ".join(days) for hours, days in groups.items()}


def week_settings(week: Week) -> dict[str, list[str]]:
    """The ``hours`` setting of a week in its canonical form (``parse_week`` reads it back)."""
    return {
        _days_text(first, last): [interval_text(interval) for interval in hours]
        for first, last, hours in _runs(week)
    }


def describe_week(week: Week) -> str:
    """The week in words: ``08:00-12:30 and 13:30-17:00 Mon-Fri, 09:00-12:00 Sat``."""
    return ", ".join(
        f"{' and '.join(interval_text(interval) for interval in hours)} {days}"
        for hours, days in _grouped(week).items()
    )


def describe_closing(week: Week) -> str:
    """Closing time (the end of a day's last interval): ``17:00``, or ``17:00 Mon-Fri, 12:00
    Sat`` where it differs between weekdays."""
    groups = _grouped([hours[-1][1] if hours else None for hours in week])
    if len(groups) == 1:
        return clock(next(iter(groups)))
    return ", ".join(f"{clock(minute)} {days}" for minute, days in groups.items())
