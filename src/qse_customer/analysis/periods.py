"""Reporting periods (ISO week, month, quarter, year) on a lab's wall clock: the one place that
names them, finds their boundaries and looks them up fast.

A record belongs to the period in which it was opened (its first event), read in the lab's time
zone. A period's key is ``2026-W02``, ``2026-01``, ``2026-Q1`` or ``2026``; its first instant is
local midnight of its first day, so a period's length in UTC follows the lab's clock changes. The
complaint trends and the management review name periods with :func:`period_key` and
:func:`period_range`; a report's months come from :func:`period_keys`; the rule engine looks up
many instants with a :class:`PeriodIndex` (binary search over epoch microseconds).
"""

from __future__ import annotations

import reprlib
from bisect import bisect_right
from datetime import date, datetime, timedelta
from typing import Final, Literal, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..core.errors import ValidationError
from ..core.timestamps import from_us, to_us, wall_clock

Granularity = Literal["week", "month", "quarter", "year"]
GRANULARITIES: Final = ("week", "month", "quarter", "year")
"""Period lengths: ISO week (2026-W02), month (2026-01), quarter (2026-Q1), year (2026)."""

_EXAMPLES: Final = {"week": "2026-W02", "month": "2026-01", "quarter": "2026-Q1", "year": "2026"}


def time_zone(timezone: str) -> ZoneInfo:
    """The IANA time zone named ``timezone``; an unknown name is refused."""
    try:
        return ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError, TypeError, OSError):
        raise ValidationError.single(
            "$.timezone",
            f"unknown time zone {reprlib.repr(timezone)}; expected an IANA name (Europe/London)",
        ) from None


def check_granularity(period: str) -> Granularity:
    """``period`` as a :data:`Granularity`; a length not in :data:`GRANULARITIES` is refused."""
    if period not in GRANULARITIES:
        raise ValidationError.single(
            "$.period", f"unknown period {period!r}; expected one of {', '.join(GRANULARITIES)}"
        )
    return cast(Granularity, period)


def day_key(day: date, granularity: Granularity) -> str:
    """The key of the period holding the local date ``day``."""
    if granularity == "month":
        return f"{day.year:04d}-{day.month:02d}"
    if granularity == "quarter":
        return f"{day.year:04d}-Q{(day.month - 1) // 3 + 1}"
    if granularity == "year":
        return f"{day.year:04d}"
    year, week, _ = day.isocalendar()
    return f"{year:04d}-W{week:02d}"


def period_key(at: datetime, period: str = "month", timezone: str = "UTC") -> str:
    """The period ``at`` falls in, in the lab's time zone (``2026-01``, ``2026-Q1``, ...)."""
    granularity = check_granularity(period)
    if at.tzinfo is None:
        raise ValidationError.single("$.at", f"expected a timezone-aware datetime, got {at}")
    return day_key(wall_clock(at, time_zone(timezone)).date(), granularity)


def period_start(day: date, granularity: Granularity) -> date:
    """The first local date of the period holding ``day``."""
    if granularity == "month":
        return day.replace(day=1)
    if granularity == "quarter":
        return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    if granularity == "year":
        return date(day.year, 1, 1)
    return day - timedelta(days=day.weekday())


def next_period_start(day: date, granularity: Granularity) -> date:
    """The first local date of the period after the one holding ``day``."""
    start = period_start(day, granularity)
    if granularity == "week":
        return start + timedelta(days=7)
    if granularity == "year":
        return date(start.year + 1, 1, 1)
    months = 1 if granularity == "month" else 3
    month = start.month - 1 + months
    return date(start.year + month // 12, month % 12 + 1, 1)


def first_day(key: str, period: str) -> date:
    """The first local date of the ``period`` named ``key``; a malformed key is refused."""
    try:
        if period == "week":
            year, week = key.split("-W")
            return date.fromisocalendar(int(year), int(week), 1)
        if period == "month":
            year, month = key.split("-")
            return date(int(year), int(month), 1)
        if period == "quarter":
            year, quarter = key.split("-Q")
            if not 1 <= int(quarter) <= 4:
                raise ValueError(quarter)
            return date(int(year), 3 * int(quarter) - 2, 1)
        return date(int(key), 1, 1)
    except ValueError:
        raise ValidationError.single(
            f"$.periods.{key}", f"expected a {period} like {_EXAMPLES[period]}, got {key!r}"
        ) from None


def period_range(first: str, last: str, period: str = "month") -> tuple[str, ...]:
    """Every period from ``first`` to ``last`` inclusive (empty if ``last`` is earlier)."""
    granularity = check_granularity(period)
    keys: list[str] = []
    key, end = first, first_day(last, period)
    while (day := first_day(key, period)) <= end:
        keys.append(key)
        key = day_key(next_period_start(day, granularity), granularity)
    return tuple(keys)


def period_keys(first: date, count: int, granularity: Granularity = "month") -> tuple[str, ...]:
    """The keys of ``count`` successive periods, the first holding the local date ``first``."""
    keys: list[str] = []
    day = first
    for _ in range(count):
        keys.append(day_key(day, granularity))
        day = next_period_start(day, granularity)
    return tuple(keys)


def local_midnight_us(day: date, zone: ZoneInfo) -> int:
    """The first instant of the local date ``day`` in ``zone``, as epoch microseconds."""
    return to_us(datetime(day.year, day.month, day.day, tzinfo=zone))


class PeriodIndex:
    """Period keys of instants for one time zone and granularity, by binary search.

    Boundaries are precomputed for ``first_year`` to ``last_year``; an instant outside them is
    converted directly (slower, same answer).
    """

    __slots__ = ("_bounds", "_instants", "_keys", "granularity", "zone")

    def __init__(
        self, zone: ZoneInfo, granularity: Granularity, first_year: int, last_year: int
    ) -> None:
        self.zone = zone
        self.granularity = granularity
        bounds: list[int] = []
        keys: list[str] = []
        day = period_start(date(first_year, 1, 1), granularity)
        end = date(last_year + 1, 1, 1)
        while day < end:
            bounds.append(local_midnight_us(day, zone))
            keys.append(day_key(day, granularity))
            day = next_period_start(day, granularity)
        bounds.append(local_midnight_us(day, zone))
        self._bounds = bounds
        self._instants = [from_us(bound) for bound in bounds]
        self._keys = keys

    def key(self, instant: int) -> str:
        """The key of the period holding ``instant`` (epoch microseconds)."""
        index = bisect_right(self._bounds, instant) - 1
        if 0 <= index < len(self._keys):
            return self._keys[index]
        return day_key(from_us(instant).astimezone(self.zone).date(), self.granularity)

    def locate(self, at: datetime) -> tuple[str, datetime, datetime]:
        """The key of the period holding the aware datetime ``at``, with its first instant and
        the first instant after it (UTC datetimes), for callers that look up runs of instants."""
        index = bisect_right(self._instants, at) - 1
        if 0 <= index < len(self._keys):
            return self._keys[index], self._instants[index], self._instants[index + 1]
        key = self.key(to_us(at))
        begin, end = self.bounds(key)
        return key, from_us(begin), from_us(end)

    def bounds(self, key: str) -> tuple[int, int]:
        """The first instant of period ``key`` and the first instant after it."""
        day = first_day(key, self.granularity)
        end = next_period_start(day, self.granularity)
        return local_midnight_us(day, self.zone), local_midnight_us(end, self.zone)
