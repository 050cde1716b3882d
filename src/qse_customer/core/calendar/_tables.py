"""A calendar's tables: every working day and every opening interval, as UTC microseconds.

Built once per calendar settings (equal calendars share them): for every working day in the
calendar's years, its local date and closing instant, and every opening interval of those days
with the working time before it opens. Every question is then a binary search, so its cost does
not grow with the distance between dates; the batch questions search the same tables as numpy
arrays, or count in them with lookups (``_lookup``) for whole epoch seconds.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from functools import lru_cache
from itertools import accumulate, chain, compress, cycle, filterfalse
from operator import gt, sub
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from ..errors import CalendarRangeError
from ._holiday_data import holiday_data
from ._instants import US, first_instant_s, utc, wall_instants_s

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from ._lookup import Lookup
    from .model import WorkingCalendar


class Tables:
    """Every working day of a calendar and its closing instant, and every opening interval, as
    UTC microseconds."""

    __slots__ = (
        "_arrays",
        "_bounds",
        "_closes_utc",
        "_day_ends",
        "_lookups",
        "_zone",
        "closes",
        "hours_closes",
        "hours_cum",
        "hours_ends",
        "hours_opens",
        "hours_total",
        "ordinals",
        "range_end",
        "range_start",
        "years",
    )

    def __init__(
        self,
        zone: ZoneInfo,
        years: tuple[int, int],
        ordinals: list[int],
        closes: list[int],
        hours_opens: list[int],
        hours_closes: list[int],
        range_start: int,
        range_end: int,
    ) -> None:
        self._zone = zone
        self.years = years  # the years covered: those asked for, narrowed to the holiday data
        self.ordinals = ordinals  # local date ordinal of each working day, ascending
        self.closes = closes  # closing instant of each working day: the end of its last interval
        self.range_start = range_start  # first instant of 1 January of the first year
        self.range_end = range_end  # first instant of 1 January after the last year
        self._bounds = (utc(range_start), utc(range_end))
        # Every opening interval of every working day, in order. Intervals made empty by a clock
        # change (both ends skipped) are left out: their day still counts as a working day.
        self.hours_opens = hours_opens
        self.hours_closes = hours_closes
        if len(hours_opens) != len(hours_closes):
            raise ValueError("hours_opens and hours_closes differ in length")
        cum: list[int] = list(accumulate(map(sub, hours_closes, hours_opens), initial=0))
        self.hours_cum = cum[:-1]  # working time before each interval opens
        self.hours_ends = cum[1:]  # working time when each interval closes
        self.hours_total = cum[-1]
        self._day_ends: list[int] | None = None
        self._closes_utc: list[datetime] | None = None
        self._arrays: dict[str, NDArray[np.int64]] = {}
        self._lookups: dict[str, Lookup | None] = {}

    def closes_utc(self) -> list[datetime]:
        """Each working day's closing instant as a UTC datetime (built on first use): a days
        deadline is always one of them, so it is made once per day, not once per question. The
        first and last entries are the start and end of the data, for range checks."""
        if self._closes_utc is None:
            self._closes_utc = [utc(close) for close in self.closes]
        return self._closes_utc

    def utc_days_deadline(self, start: datetime, days: int) -> datetime | None:
        """``days_deadline`` after closing for a plain UTC datetime, searched as datetimes (they
        compare field by field when both are in ``datetime.UTC``); None for any start this does
        not answer (another zone or type, outside the data), which the general path then takes.
        """
        if type(start) is not datetime or start.tzinfo is not UTC:
            return None
        closes = self._closes_utc or self.closes_utc()
        if not self._bounds[0] <= start < self._bounds[1]:
            return None
        index = bisect_right(closes, start) + days
        return closes[index] if index < len(closes) else None

    def day_ends(self) -> list[int]:
        """First instant of the local day after each working day (built on first use)."""
        if self._day_ends is None:
            self._day_ends = wall_instants_s(self._zone, self.ordinals, 1440, US)
        return self._day_ends

    def array(self, name: str) -> NDArray[np.int64]:
        """One table as an int64 numpy array (built on first use)."""
        found = self._arrays.get(name)
        if found is None:
            import numpy as np

            source = self.day_ends() if name == "day_ends" else getattr(self, name)
            found = self._arrays[name] = np.array(source, dtype=np.int64)
        return found

    def lookup(self, name: str) -> Lookup | None:
        """A ``Lookup`` (built on first use) counting the entries of one table, in seconds:
        ``closes``, ``day_ends``, ``hours_opens`` or ``hours_closes`` at or before an instant of
        the calendar's years, or ``hours_ends`` at or before an amount of working time under the
        total. None where the table's entries come too close together for one (they are then
        searched)."""
        if name not in self._lookups:
            from ._lookup import build_lookup

            seconds = self.array(name) // US
            if name == "hours_ends":
                origin, span = 0, self.hours_total // US
            else:
                origin = self.range_start // US
                span = (self.range_end - self.range_start) // US
            self._lookups[name] = build_lookup(seconds, origin, span)
        return self._lookups[name]

    def derived(self, name: str, build: Callable[[], NDArray[np.int64]]) -> NDArray[np.int64]:
        """An array worked out from the tables by ``build``, kept under ``name`` once built."""
        found = self._arrays.get(name)
        if found is None:
            found = self._arrays[name] = build()
        return found

    def nbytes(self) -> int:
        """Memory held by the numpy arrays and lookups built so far (not the lists)."""
        arrays = sum(int(array.nbytes) for array in self._arrays.values())
        return arrays + sum(found.nbytes for found in self._lookups.values() if found)

    def effective_index(self, instant: int, after_closing: str) -> int:
        """Index of the effective working day of a receipt at ``instant``."""
        if after_closing == "next_day":
            return bisect_right(self.closes, instant)
        return bisect_right(self.day_ends(), instant)

    def days_deadline(self, instant: int, days: int, after_closing: str) -> int | None:
        """Closing instant of the ``days``-th working day after the effective day, or None."""
        index = self.effective_index(instant, after_closing) + days
        return self.closes[index] if index < len(self.closes) else None

    def position(self, instant: int) -> tuple[int, int]:
        """Working time from the start of the data to ``instant``, and the next interval's index."""
        index = bisect_right(self.hours_closes, instant)
        if index == len(self.hours_closes):
            return self.hours_total, index
        return self.hours_cum[index] + max(0, instant - self.hours_opens[index]), index

    def hours_deadline(self, instant: int, amount: int) -> int | None:
        """The instant ``amount`` µs of working time after ``instant``, or None past the data."""
        position, index = self.position(instant)
        if amount == 0:
            if index == len(self.hours_opens):
                return None
            return max(instant, self.hours_opens[index])
        target = position + amount
        interval = bisect_left(self.hours_ends, target)
        if interval == len(self.hours_ends):
            return None
        return self.hours_opens[interval] + (target - self.hours_cum[interval])


def coverage(calendar: WorkingCalendar) -> tuple[int, int]:
    """The years the calendar answers for: those asked, narrowed to complete holiday data."""
    first, last = calendar.first_year, calendar.last_year
    if calendar.country is not None:
        for code in calendar.subdivision or (None,):
            data = holiday_data(calendar.country, code, calendar.first_year, calendar.last_year)
            first, last = max(first, data.first_year), min(last, data.last_year)
    return first, last


def build_tables(calendar: WorkingCalendar) -> Tables:
    """The calendar's tables, built from its settings (``shared_tables`` keeps them)."""
    zone = calendar._zone
    first_year, last_year = coverage(calendar)
    if first_year > last_year:
        raise CalendarRangeError(
            f"country: the holidays package has no complete data for {calendar.country} in "
            f"{calendar.first_year}-{calendar.last_year}; choose years that it covers"
        )
    closed = _holiday_ordinals(calendar, first_year, last_year)
    closed.update(day.toordinal() for day in calendar.closures)
    extra = {day.toordinal() for day in calendar.extra_working_days}
    week = calendar._week
    first = date(first_year, 1, 1).toordinal()
    last = date(last_year, 12, 31).toordinal()
    # Days of one shape (the same intervals) are converted together, one boundary at a time. An
    # extra working day on a weekday without hours opens the hours of the first weekday with some.
    usual = next(hours for hours in week if hours)
    columns: list[tuple[list[int], list[list[int]]]] = []
    for shape in dict.fromkeys(hours for hours in week if hours):
        # Date ordinal 1 (1 January of year 1) is a Monday: an ordinal's weekday is (o - 1) % 7.
        mask = [week[(first + k - 1) % 7] == shape for k in range(7)]
        days = list(filterfalse(closed.__contains__, compress(range(first, last + 1), cycle(mask))))
        extra_here = {
            day for day in extra if first <= day <= last and (week[(day - 1) % 7] or usual) == shape
        }
        if extra_here:
            days = sorted(extra_here.union(days))
        bounds = [wall_instants_s(zone, days, minute, US) for pair in shape for minute in pair]
        columns.append((days, bounds))
    range_start = first_instant_s(zone, first, 0) * US
    range_end = first_instant_s(zone, last + 1, 0) * US
    years = (first_year, last_year)
    if all(all(map(gt, ends, starts)) for _, bounds in columns for starts, ends in _pairs(bounds)):
        # No interval made empty by a clock change, so no day skipped whole: the tables at once.
        ordinals, closes, opens_us, closes_us = _joined(columns)
    else:
        ordinals, closes, opens_us, closes_us = _rows(zone, columns)
    return Tables(zone, years, ordinals, closes, opens_us, closes_us, range_start, range_end)


def _holiday_ordinals(calendar: WorkingCalendar, first_year: int, last_year: int) -> set[int]:
    """The date ordinals of the calendar's public holidays (those of ``public_holidays()``)."""
    if calendar.country is None:
        return set()
    closed: set[int] = set()
    for code in calendar.subdivision or (None,):
        data = holiday_data(calendar.country, code, calendar.first_year, calendar.last_year)
        closed.update(
            day.toordinal() for day, _ in data.days if first_year <= day.year <= last_year
        )
    return closed


def _pairs(bounds: list[list[int]]) -> list[tuple[list[int], list[int]]]:
    """Each interval's opening and closing instants, from a column's boundaries."""
    return list(zip(bounds[::2], bounds[1::2], strict=True))


def _joined(
    columns: list[tuple[list[int], list[list[int]]]],
) -> tuple[list[int], list[int], list[int], list[int]]:
    """The tables from columns (of epoch microseconds) with every interval open for some time:
    each day's closing instant is the end of its last interval (one int object in both tables:
    they are large)."""
    days: list[int] = []
    day_closes: list[int] = []
    opens: list[Iterable[int]] = []  # each day's openings, then its closings
    ends: list[Iterable[int]] = []
    for column_days, micros in columns:
        days += column_days
        day_closes += micros[-1]
        if len(micros) == 2 and len(columns) == 1:
            return days, day_closes, micros[0], list(day_closes)
        opens += zip(*micros[::2], strict=True)
        ends += zip(*micros[1:-1:2], micros[-1], strict=True)
    if len(columns) > 1:  # in date order
        order = sorted(range(len(days)), key=days.__getitem__)
        days, day_closes = [days[k] for k in order], [day_closes[k] for k in order]
        opens, ends = [opens[k] for k in order], [ends[k] for k in order]
    return days, day_closes, list(chain.from_iterable(opens)), list(chain.from_iterable(ends))


def _rows(
    zone: ZoneInfo, columns: list[tuple[list[int], list[list[int]]]]
) -> tuple[list[int], list[int], list[int], list[int]]:
    """The tables, day by day, from columns of epoch microseconds: intervals made empty by a
    clock change (both ends skipped) are left out, and days skipped whole too."""
    joined = [zip(days, *bounds, strict=True) for days, bounds in columns]
    # Rows (ordinal, open, close, open, close, ...) in date order.
    rows = joined[0] if len(joined) == 1 else sorted(chain.from_iterable(joined))
    ordinals: list[int] = []
    closes: list[int] = []
    opens_us: list[int] = []
    closes_us: list[int] = []
    for row in rows:
        ordinal, opening, closing = row[0], row[1], row[-1]
        if opening == closing and first_instant_s(zone, ordinal, 0) == first_instant_s(
            zone, ordinal + 1, 0
        ):
            continue  # the whole local day was skipped (Pacific/Apia, 30 December 2011)
        ordinals.append(ordinal)
        closes.append(closing)
        for k in range(1, len(row), 2):
            if row[k + 1] > row[k]:
                opens_us.append(row[k])
                closes_us.append(row[k + 1])
    return ordinals, closes, opens_us, closes_us


@lru_cache(maxsize=16)
def shared_tables(calendar: WorkingCalendar) -> Tables:
    """The tables of a calendar equal to ``calendar``: built once for the last few settings."""
    return build_tables(calendar)
