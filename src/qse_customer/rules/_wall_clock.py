"""Instants on a lab's wall clock from integer epoch microseconds, for findings' messages.

A finding's message shows several instants (``Sat 09 May 2026 10:00 BST``); making a UTC
datetime, converting it to the zone and formatting it costs a few microseconds each time. A
:class:`WallClock` learns the zone's offset and abbreviation once per UTC hour (the offset is the
same all through an hour unless a transition falls inside it: such an hour is not learnt, and its
instants take the datetime path) from those at the starts of the hour and the next (each asked
of the zone once, for the hours on both sides of it), and the text of each local day once, so an
instant's text is a little integer arithmetic. The texts are exactly those of
``from_us(instant).astimezone(zone)`` formatted as ``_wall_clock`` does in
:mod:`~qse_customer.rules.kind_protocol` (tests/test_rules_wall_clock.py checks them on random
instants and zones).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from ..core.timestamps import from_us

US_PER_MINUTE: Final = 60_000_000
US_PER_HOUR: Final = 3_600_000_000
US_PER_DAY: Final = 86_400_000_000
_EPOCH_ORDINAL: Final = date(1970, 1, 1).toordinal()
_ONE_US: Final = timedelta(microseconds=1)
_LIMIT: Final = 1 << 15
"""How many hours (or days) a wall clock remembers before it starts again (a bounded memo)."""

# English names, as ``strftime`` gives them in the C locale.
DAYS: Final = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS: Final = (
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
)  # fmt: skip
TWO_DIGITS: Final = tuple(f"{number:02d}" for number in range(60))
"""``00`` to ``59``, made once (an ``02d`` format spec costs more than the rest of an instant's
text or of an English duration)."""
CLOCK_TIMES: Final = tuple(
    f"{TWO_DIGITS[minute // 60]}:{TWO_DIGITS[minute % 60]}" for minute in range(24 * 60)
)
"""``HH:MM`` of each minute of a day."""


class WallClock:
    """One time zone's wall clock over epoch microseconds (see the module doc)."""

    __slots__ = ("_days", "_hours", "_marks", "zone")

    def __init__(self, zone: ZoneInfo) -> None:
        self.zone = zone
        self._hours: dict[int, tuple[int, str] | None] = {}
        self._days: dict[int, str | None] = {}
        self._marks: dict[int, tuple[int, str] | None] = {}

    def offset(self, instant: int) -> tuple[int, str] | None:
        """The zone's UTC offset (µs) and abbreviation at ``instant``, or None when its hour
        holds a transition (or lies outside the datetime range)."""
        hour = instant // US_PER_HOUR
        try:
            return self._hours[hour]
        except KeyError:
            return self._learn(hour)

    def _learn(self, hour: int) -> tuple[int, str] | None:
        # The offset and abbreviation at the hour's start and at the next hour's start (each
        # hour's start asked of the zone once, shared by the hours on either side of it): equal,
        # the hour holds no transition (no zone changes twice within an hour, see the tests);
        # else its last microsecond tells whether the change falls just at its end.
        found = self._mark(hour)
        if found is not None and found != self._mark(hour + 1):
            start = hour * US_PER_HOUR
            try:
                last = from_us(start + US_PER_HOUR - 1).astimezone(self.zone)
            except (OverflowError, ValueError):
                found = None
            else:
                offset, name = last.utcoffset(), last.tzname() or ""
                if offset is None or (offset // _ONE_US, name) != found:
                    found = None
        if len(self._hours) >= _LIMIT:
            self._hours.clear()
        self._hours[hour] = found
        return found

    def _mark(self, hour: int) -> tuple[int, str] | None:
        """The zone's offset (µs) and abbreviation at the start of ``hour``, or None outside the
        datetime range."""
        try:
            return self._marks[hour]
        except KeyError:
            pass
        found: tuple[int, str] | None = None
        try:
            local = datetime.fromtimestamp(hour * 3600, self.zone)
        except (OverflowError, ValueError, OSError):
            try:
                local = from_us(hour * US_PER_HOUR).astimezone(self.zone)
            except (OverflowError, ValueError):
                local = None
        if local is not None:
            offset = local.utcoffset()
            if offset is not None:
                found = (offset // _ONE_US, local.tzname() or "")
        if len(self._marks) >= _LIMIT:
            self._marks.clear()
        self._marks[hour] = found
        return found

    def local_day(self, instant: int) -> int | None:
        """The proleptic Gregorian ordinal of ``instant``'s local date, or None (see
        :meth:`offset`)."""
        found = self.offset(instant)
        if found is None:
            return None
        return (instant + found[0]) // US_PER_DAY + _EPOCH_ORDINAL

    def text(self, instant: int) -> str | None:
        """``Sat 09 May 2026 10:00 BST`` in English, or None: then ask the datetime path (an
        hour with a transition, or a year outside 1000-9999)."""
        hour = instant // US_PER_HOUR  # self.offset(instant), inline: a message shows several
        try:
            found = self._hours[hour]
        except KeyError:
            found = self._learn(hour)
        if found is None:
            return None
        offset, name = found
        day, rest = divmod(instant + offset, US_PER_DAY)
        try:
            shown = self._days[day]
        except KeyError:
            shown = self._day(day)
        if shown is None:
            return None
        return f"{shown} {CLOCK_TIMES[rest // US_PER_MINUTE]} {name}"

    def _day(self, day: int) -> str | None:
        shown: str | None = None
        try:
            local = date.fromordinal(day + _EPOCH_ORDINAL)
        except (OverflowError, ValueError):
            pass
        else:
            if 1000 <= local.year <= 9999:
                shown = (
                    f"{DAYS[local.weekday()]} {local.day:02d} {MONTHS[local.month - 1]} "
                    f"{local.year}"
                )
        if len(self._days) >= _LIMIT:
            self._days.clear()
        self._days[day] = shown
        return shown


_CLOCKS: dict[str, WallClock] = {}


def wall_clock(zone: ZoneInfo) -> WallClock:
    """The wall clock of ``zone`` (one a zone name, kept for the process)."""
    key = str(zone.key)
    found = _CLOCKS.get(key)
    if found is None or found.zone is not zone:
        found = _CLOCKS[key] = WallClock(zone)
    return found


_ISO_DAYS: dict[int, str] = {}
"""``YYYY-MM-DDT`` of each UTC day (since the epoch) asked, a bounded memo."""


def utc_iso(at: datetime, instant: int) -> str:
    """``at.isoformat()``, for ``at`` whose epoch microseconds are ``instant``: made from the
    integer, its UTC day's text remembered, when ``at`` is a plain ``datetime`` in UTC (an
    event's time, as the model keeps it; an evidence's ``started_at``), else ``at``'s own."""
    if at.tzinfo is not UTC or type(at) is not datetime:
        return at.isoformat()
    day, rest = divmod(instant, US_PER_DAY)
    prefix = _ISO_DAYS.get(day)
    if prefix is None:
        if len(_ISO_DAYS) >= _LIMIT:
            _ISO_DAYS.clear()
        prefix = _ISO_DAYS[day] = at.date().isoformat() + "T"
    seconds, micro = divmod(rest, 1_000_000)
    minute, second = divmod(seconds, 60)
    if micro:
        return f"{prefix}{CLOCK_TIMES[minute]}:{TWO_DIGITS[second]}.{micro:06d}+00:00"
    return f"{prefix}{CLOCK_TIMES[minute]}:{TWO_DIGITS[second]}+00:00"
