"""Reporting periods (ISO week, month, quarter, year) on a lab's wall clock, looked up fast.

A record belongs to the period in which it was opened (its first event), read in the time zone
of the calendar the report uses. The period's key is ``2026-W02``, ``2026-01``, ``2026-Q1`` or
``2026``, the same keys :mod:`qse_customer.analysis.complaint_trends` uses.
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import date, datetime, timedelta
from typing import Final, Literal
from zoneinfo import ZoneInfo

from ..core.timestamps import from_us, to_us

Granularity = Literal["week", "month", "quarter", "year"]
GRANULARITIES: Final = ("week", "month", "quarter", "year")


def period_key(day: date, granularity: Granularity) -> str:
    """The key of the period holding the local date ``day``."""
    if granularity == "month":
        return f"{day.year:04d}-{day.month:02d}"
    if granularity == "quarter":
        return f"{day.year:04d}-Q{(day.month - 1) // 3 + 1}"
    if granularity == "year":
        return f"{day.year:04d}"
    year, week, _ = day.isocalendar()
    return f"{year:04d}-W{week:02d}"


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
            keys.append(period_key(day, granularity))
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
        return period_key(from_us(instant).astimezone(self.zone).date(), self.granularity)

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
        day = parse_period_start(key)
        end = next_period_start(day, self.granularity)
        return local_midnight_us(day, self.zone), local_midnight_us(end, self.zone)


def parse_period_start(key: str) -> date:
    """The first local date of the period named by ``key`` (any granularity)."""
    if "-W" in key:
        year, week = key.split("-W")
        return date.fromisocalendar(int(year), int(week), 1)
    if "-Q" in key:
        year, quarter = key.split("-Q")
        return date(int(year), (int(quarter) - 1) * 3 + 1, 1)
    if "-" in key:
        year, month = key.split("-")
        return date(int(year), int(month), 1)
    return date(int(key), 1, 1)
