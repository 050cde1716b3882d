"""A working calendar's deadline arithmetic on integer epoch microseconds: the engine's hot path.

:class:`~qse_customer.core.calendar.WorkingCalendar` answers every question from tables it builds
once (every working day of its years with its closing instant, and every opening interval of those
days) by binary search. Its public methods take and return aware datetimes and check their
arguments, which costs 2-7 µs a call; a clock rule asks several questions per record. The engine
asks the same tables directly, with the instants as integers, for about 0.5 µs a question. The
answers are the calendar's own (tests/test_rules_timeline.py checks them against the public
methods on random instants), and any instant outside the tables goes through the public method,
which raises the calendar's own error.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from datetime import timedelta
from typing import Any, Final

from ..core.calendar import AfterClosing, WorkingCalendar
from ..core.timestamps import from_us, to_us

US_PER_SECOND: Final = 1_000_000


class Timeline:
    """One calendar's deadlines and working time over epoch microseconds (see the module doc)."""

    __slots__ = (
        "_closes",
        "_cum",
        "_day_ends",
        "_ends",
        "_h_closes",
        "_h_opens",
        "_range_end",
        "_range_start",
        "_tables",
        "_total",
        "arrays",
        "calendar",
    )

    def __init__(self, calendar: WorkingCalendar) -> None:
        tables = calendar._data()
        self.calendar = calendar
        self._tables = tables
        self._closes = tables.closes
        self._day_ends: list[int] | None = None
        self._h_opens = tables.hours_opens
        self._h_closes = tables.hours_closes
        self._cum = tables.hours_cum
        self._ends = tables.hours_ends
        self._total = tables.hours_total
        self._range_start = tables.range_start
        self._range_end = tables.range_end
        # The same tables as numpy arrays, made by the batched clocks on first use
        # (rules/_clock_batch.py); kept here so they live exactly as long as the timeline.
        self.arrays: Any = None

    def _inside(self, instant: int) -> bool:
        return self._range_start <= instant < self._range_end

    def days_deadline(self, instant: int, days: int, after_closing: AfterClosing) -> int:
        """Closing time on the ``days``-th working day after the effective day of receipt."""
        if self._inside(instant):
            if after_closing == "next_day":
                index = bisect_right(self._closes, instant) + days
            else:
                if self._day_ends is None:
                    self._day_ends = self._tables.day_ends()
                index = bisect_right(self._day_ends, instant) + days
            if index < len(self._closes):
                return self._closes[index]
        deadline = self.calendar.add_working_days(
            from_us(instant), days, after_closing=after_closing
        )
        return to_us(deadline)

    def hours_deadline(self, instant: int, amount: int) -> int:
        """The instant at which ``amount`` µs of working time after ``instant`` have passed."""
        if self._inside(instant) and amount > 0:
            index = bisect_right(self._h_closes, instant)
            if index < len(self._h_closes):
                target = self._cum[index] + max(0, instant - self._h_opens[index]) + amount
                day = bisect_left(self._ends, target)
                if day < len(self._ends):
                    return self._h_opens[day] + (target - self._cum[day])
        later = self.calendar.add_working_hours(from_us(instant), timedelta(microseconds=amount))
        return to_us(later)

    def position(self, instant: int) -> int:
        """Working time (µs) from the start of the calendar's data to ``instant``."""
        if not self._inside(instant):
            self.calendar.working_time_between(from_us(instant), from_us(instant))  # raises
        index = bisect_right(self._h_closes, instant)
        if index == len(self._h_closes):
            return self._total
        return self._cum[index] + max(0, instant - self._h_opens[index])

    def working_between(self, start: int, end: int) -> int:
        """Working time (µs) from ``start`` to ``end``; negative when ``end`` is earlier."""
        return self.position(end) - self.position(start)

    def is_open(self, instant: int) -> bool:
        """Whether the lab is open at ``instant`` (closing time excluded)."""
        if not self._inside(instant):
            return self.calendar.is_open(from_us(instant))
        index = bisect_right(self._h_closes, instant)
        return index < len(self._h_opens) and self._h_opens[index] <= instant

    def next_working_day_at(self, instant: int, time_of_day: str) -> int:
        """``time_of_day`` (local) on the first working day after ``instant``'s local date."""
        return to_us(self.calendar.next_working_day_at(from_us(instant), time_of_day))
