"""A lab's working calendar: time zone, working days, opening hours and public holidays.

Deadlines in working days and working hours are answered from tables built once per calendar
(and shared by equal calendars): for every working day in the calendar's years, its local date
and the UTC instants at which it opens and closes, plus the working time before each day opens.
Every question is then a binary search, so its cost does not grow with the distance between
dates. All instants are handled as integer microseconds since the Unix epoch, so results are
exact. The semantics are documented in ``docs/calendar.md``.
"""

from __future__ import annotations

import math
import numbers
import warnings
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from importlib import metadata
from itertools import chain
from typing import TYPE_CHECKING, Any, Final, Literal, NamedTuple, overload
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

from ..errors import CalendarError, CalendarRangeError
from ..timestamps import FIRST_YEAR, LAST_YEAR, wall_clock
from .opening_hours import (
    AROUND_THE_CLOCK,
    Week,
    describe_closing,
    describe_week,
    interval_text,
    parse_week,
    simple_week,
    uniform_hours,
    week_settings,
)
from .opening_hours import clock as _clock_text
from .opening_hours import clock_minutes as _minutes
from .opening_hours import parse_clock as _clock
from .opening_hours import shown as _shown

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

__all__ = ["AfterClosing", "WorkingCalendar"]

AfterClosing = Literal["next_day", "same_day"]
"""What a receipt on a working day after closing time counts as (see ``effective_receipt_day``)."""

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_ORDINAL: Final = _EPOCH.date().toordinal()
_MICROSECOND: Final = timedelta(microseconds=1)
_SECOND: Final = timedelta(seconds=1)
_US: Final = 1_000_000
_US_PER_HOUR: Final = 3_600 * _US
_DAY_S: Final = 86_400
_MIN_YEAR: Final = 1900
_MAX_YEAR: Final = 9998
# Epoch seconds beyond this cannot be a date in any calendar (and would overflow int64 µs).
_EPOCH_LIMIT_S: Final = 300_000_000_000
_AFTER_CLOSING: Final = ("next_day", "same_day")
_SETTINGS: Final = (
    "timezone",
    "country",
    "subdivision",
    "opens",
    "closes",
    "weekdays",
    "hours",
    "closures",
    "extra_working_days",
    "first_year",
    "last_year",
)


# --- local wall-clock times to UTC instants -------------------------------------------------------


def _offset_s(zone: ZoneInfo, wall: datetime) -> int:
    offset = zone.utcoffset(wall)
    return 0 if offset is None else offset // _SECOND


def _offset_at_s(zone: ZoneInfo, instant_s: int) -> int:
    return _offset_s(zone, (_EPOCH + timedelta(seconds=instant_s)).astimezone(zone))


def _first_instant_s(zone: ZoneInfo, ordinal: int, minute: int) -> int:
    """UTC epoch seconds of the first instant at which the local clock shows that day and time.

    ``minute`` counts from local midnight (1440 is the next midnight). A time that occurs twice
    (clocks going back) resolves to its first occurrence (PEP 495 ``fold=0``); a time that is
    skipped (clocks going forward) resolves to the instant of the jump, the first instant at
    which the clock shows that time or later.
    """
    ordinal, minute = ordinal + minute // 1440, minute % 1440
    day, clock = date.fromordinal(ordinal), time(minute // 60, minute % 60)
    local_s = (ordinal - _EPOCH_ORDINAL) * _DAY_S + minute * 60
    before = _offset_s(zone, datetime.combine(day, clock))
    after = _offset_s(zone, datetime.combine(day, clock.replace(fold=1)))
    if before >= after:
        return local_s - before
    # Skipped: the clock shows less than the wall time at `low`, and at least it at `high`.
    low, high = local_s - after, local_s - before
    while high - low > 1:
        middle = (low + high) // 2
        if middle + _offset_at_s(zone, middle) >= local_s:
            high = middle
        else:
            low = middle
    return high


def _wall_instants_s(zone: ZoneInfo, ordinals: list[int], minute: int) -> list[int]:
    """``_first_instant_s`` for many days at one time of day, fast where fold does not matter."""
    day_shift, minute = divmod(minute, 1440)
    clock = time(minute // 60, minute % 60)
    later = clock.replace(fold=1)
    from_ordinal, combine, utcoffset = date.fromordinal, datetime.combine, zone.utcoffset
    seconds: list[int] = []
    for ordinal in ordinals:
        day = from_ordinal(ordinal + day_shift)
        offset = utcoffset(combine(day, clock))
        if offset is not None and offset == utcoffset(combine(day, later)):
            local_s = (ordinal + day_shift - _EPOCH_ORDINAL) * _DAY_S + minute * 60
            seconds.append(local_s - offset // _SECOND)
        else:  # skipped or repeated by a clock change
            seconds.append(_first_instant_s(zone, ordinal + day_shift, minute))
    return seconds


# --- holiday data ---------------------------------------------------------------------------------


class _HolidayData(NamedTuple):
    first_year: int  # the years the holidays package has data for, within those asked
    last_year: int
    days: tuple[tuple[date, str], ...]


def _fetch(country: str, subdivision: str | None, years: range) -> tuple[dict[date, str], bool]:
    """Holidays for ``years``, and whether the package warned that its data is incomplete."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        data = holidays.country_holidays(country, subdiv=subdivision, years=years)
    incomplete = False
    for warning in caught:
        if issubclass(warning.category, UserWarning):
            incomplete = True
        else:
            warnings.warn_explicit(
                warning.message, warning.category, warning.filename, warning.lineno
            )
    return {day: str(name) for day, name in data.items()}, incomplete


@lru_cache(maxsize=64)
def _holidays(
    country: str, subdivision: str | None, first_year: int, last_year: int
) -> _HolidayData:
    entity = holidays.country_holidays(country, subdiv=subdivision, years=())
    first, last = max(first_year, entity.start_year), min(last_year, entity.end_year)
    if first > last:
        return _HolidayData(first, last, ())
    found, incomplete = _fetch(country, subdivision, range(first, last + 1))
    if incomplete:
        # The package has only part of some years (India's lunar holidays, for one): keep the
        # longest run of years it answers without a warning.
        complete = [
            year
            for year in range(first, last + 1)
            if not _fetch(country, subdivision, range(year, year + 1))[1]
        ]
        runs: list[tuple[int, int]] = []
        for year in complete:
            if runs and runs[-1][1] == year - 1:
                runs[-1] = (runs[-1][0], year)
            else:
                runs.append((year, year))
        first, last = max(runs, key=lambda run: run[1] - run[0]) if runs else (last + 1, last)
    days = tuple(sorted((day, name) for day, name in found.items() if first <= day.year <= last))
    return _HolidayData(first, last, days)


def _holidays_version() -> str:
    try:
        return metadata.version("holidays")
    except metadata.PackageNotFoundError:  # pragma: no cover - installed without metadata
        return "unknown"


# --- the precomputed tables -----------------------------------------------------------------------


class _Tables:
    """Every working day of a calendar and its closing instant, and every opening interval, as
    UTC microseconds."""

    __slots__ = (
        "_arrays",
        "_day_ends",
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
        # Every opening interval of every working day, in order. Intervals made empty by a clock
        # change (both ends skipped) are left out: their day still counts as a working day.
        self.hours_opens = hours_opens
        self.hours_closes = hours_closes
        cum = [0]
        for start, end in zip(hours_opens, hours_closes, strict=True):
            cum.append(cum[-1] + end - start)
        self.hours_cum = cum[:-1]  # working time before each interval opens
        self.hours_ends = cum[1:]  # working time when each interval closes
        self.hours_total = cum[-1]
        self._day_ends: list[int] | None = None
        self._arrays: dict[str, NDArray[np.int64]] = {}

    def day_ends(self) -> list[int]:
        """First instant of the local day after each working day (built on first use)."""
        if self._day_ends is None:
            ends = _wall_instants_s(self._zone, self.ordinals, 1440)
            self._day_ends = [end * _US for end in ends]
        return self._day_ends

    def array(self, name: str) -> NDArray[np.int64]:
        """One table as an int64 numpy array (built on first use)."""
        found = self._arrays.get(name)
        if found is None:
            import numpy as np

            source = self.day_ends() if name == "day_ends" else getattr(self, name)
            found = self._arrays[name] = np.array(source, dtype=np.int64)
        return found

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


def _coverage(calendar: WorkingCalendar) -> tuple[int, int]:
    first, last = calendar.first_year, calendar.last_year
    if calendar.country is not None:
        for code in calendar.subdivision or (None,):
            data = _holidays(calendar.country, code, calendar.first_year, calendar.last_year)
            first, last = max(first, data.first_year), min(last, data.last_year)
    return first, last


def _build_tables(calendar: WorkingCalendar) -> _Tables:
    zone = calendar._zone
    first_year, last_year = _coverage(calendar)
    if first_year > last_year:
        raise CalendarRangeError(
            f"country: the holidays package has no complete data for {calendar.country} in "
            f"{calendar.first_year}-{calendar.last_year}; choose years that it covers"
        )
    closed: set[int] = {day.toordinal() for day in calendar.public_holidays()}
    closed.update(day.toordinal() for day in calendar.closures)
    extra = {day.toordinal() for day in calendar.extra_working_days}
    week = calendar._week
    first = date(first_year, 1, 1).toordinal()
    last = date(last_year, 12, 31).toordinal()
    # Days of one shape (the same intervals) are converted together, one boundary at a time. An
    # extra working day on a weekday without hours opens the hours of the first weekday with some.
    usual = next(hours for hours in week if hours)
    columns: list[Iterable[tuple[int, ...]]] = []
    for shape in dict.fromkeys(hours for hours in week if hours):
        weekdays = frozenset(day for day in range(7) if week[day] == shape)
        extra_here = {day for day in extra if (week[(day - 1) % 7] or usual) == shape}
        days = [
            ordinal
            for ordinal in range(first, last + 1)
            if ordinal in extra_here or ((ordinal - 1) % 7 in weekdays and ordinal not in closed)
        ]
        bounds = [_wall_instants_s(zone, days, minute) for pair in shape for minute in pair]
        columns.append(zip(days, *bounds, strict=True))
    # Rows (ordinal, open, close, open, close, ...) in date order.
    rows = columns[0] if len(columns) == 1 else sorted(chain.from_iterable(columns))
    ordinals: list[int] = []
    closes: list[int] = []
    opens_us: list[int] = []
    closes_us: list[int] = []
    for row in rows:
        ordinal, opening, closing = row[0], row[1], row[-1]
        if opening == closing and _first_instant_s(zone, ordinal, 0) == _first_instant_s(
            zone, ordinal + 1, 0
        ):
            continue  # the whole local day was skipped (Pacific/Apia, 30 December 2011)
        ordinals.append(ordinal)
        day_close = closing * _US  # one int object in both tables: they are large
        closes.append(day_close)
        if len(row) == 3:
            if closing > opening:
                opens_us.append(opening * _US)
                closes_us.append(day_close)
            continue
        for k in range(1, len(row), 2):
            if row[k + 1] > row[k]:
                opens_us.append(row[k] * _US)
                closes_us.append(row[k + 1] * _US if k + 2 < len(row) else day_close)
    range_start = _first_instant_s(zone, first, 0) * _US
    range_end = _first_instant_s(zone, last + 1, 0) * _US
    years = (first_year, last_year)
    return _Tables(zone, years, ordinals, closes, opens_us, closes_us, range_start, range_end)


@lru_cache(maxsize=16)
def _shared_tables(calendar: WorkingCalendar) -> _Tables:
    return _build_tables(calendar)


# --- argument checks ------------------------------------------------------------------------------


def _after_closing(value: object) -> str:
    if value in _AFTER_CLOSING:
        return str(value)
    raise CalendarError(f"after_closing: expected 'next_day' or 'same_day', got {_shown(value)}")


def _count(value: object, field: str) -> int:
    if type(value) is int and value >= 0:
        return value
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise CalendarError(
            f"{field}: expected a whole number of working days, got {_shown(value)}"
        )
    if value < 0:
        raise CalendarError(f"{field}: expected a number of working days >= 0, got {value}")
    return int(value)


def _duration_us(value: object, field: str, *, unit_us: int) -> int:
    if type(value) is int and value >= 0:
        return value * unit_us
    if isinstance(value, timedelta):
        amount = value // _MICROSECOND
    elif isinstance(value, numbers.Integral) and not isinstance(value, bool):
        amount = int(value) * unit_us
    elif isinstance(value, numbers.Real) and not isinstance(value, bool):
        number = float(value)
        if not math.isfinite(number):
            raise CalendarError(f"{field}: expected a finite amount of working time, got {value}")
        amount = round(number * unit_us)
    else:
        raise CalendarError(f"{field}: expected a number or a timedelta, got {_shown(value)}")
    if amount < 0:
        raise CalendarError(
            f"{field}: expected an amount of working time >= 0, got {_shown(value)}"
        )
    return amount


def _year(value: object, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise CalendarError(f"{field}: expected a year as an int, got {_shown(value)}")
    if not _MIN_YEAR <= value <= _MAX_YEAR:
        raise CalendarError(
            f"{field}: expected a year from {_MIN_YEAR} to {_MAX_YEAR}, got {value}"
        )
    return value


def _days(values: Iterable[date], field: str) -> tuple[date, ...]:
    if not isinstance(values, Iterable) or isinstance(values, str | bytes):
        raise CalendarError(f"{field}: expected a list of dates, got {_shown(values)}")
    found: set[date] = set()
    for k, value in enumerate(values):
        if isinstance(value, datetime) or not isinstance(value, date):
            raise CalendarError(f"{field}[{k}]: expected a date, got {_shown(value)}")
        found.add(value)
    return tuple(sorted(found))


def _seconds_value(value: object, field: str) -> tuple[int, bool]:
    """A start in epoch seconds as microseconds, and whether it was an integer."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        seconds = int(value)
        if abs(seconds) > _EPOCH_LIMIT_S:
            raise CalendarRangeError(
                f"{field}: {seconds} is not an epoch time this calendar covers"
            )
        return seconds * _US, True
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        number = float(value)
        if not math.isfinite(number) or abs(number) > _EPOCH_LIMIT_S:
            raise CalendarRangeError(f"{field}: {value} is not an epoch time this calendar covers")
        return round(number * _US), False
    raise CalendarError(f"{field}: expected epoch seconds (int or float), got {_shown(value)}")


def _numpy_us(values: object, field: str) -> tuple[NDArray[np.int64], bool]:
    """Epoch seconds (array-like) as an int64 array of microseconds, and whether they were ints."""
    import numpy as np

    array = np.asarray(values)
    if array.ndim != 1:
        raise CalendarError(f"{field}: expected a one-dimensional sequence of epoch seconds")
    if array.size == 0:
        return np.zeros(0, dtype=np.int64), array.dtype.kind in "iu"
    kind = array.dtype.kind
    if kind in "iu":
        if array.min() < -_EPOCH_LIMIT_S or array.max() > _EPOCH_LIMIT_S:
            raise CalendarRangeError(f"{field}: holds epoch seconds far outside any calendar")
        return array.astype(np.int64) * _US, True
    if kind == "f":
        if not np.isfinite(array).all():
            raise CalendarError(f"{field}: expected finite epoch seconds, found NaN or infinity")
        if np.abs(array).max() > _EPOCH_LIMIT_S:
            raise CalendarRangeError(f"{field}: holds epoch seconds far outside any calendar")
        return np.rint(array.astype(np.float64) * _US).astype(np.int64), False
    raise CalendarError(f"{field}: expected int or float epoch seconds, got dtype {array.dtype}")


def _utc(instant: int) -> datetime:
    """A UTC datetime from epoch microseconds."""
    seconds, micros = divmod(instant, _US)
    return _EPOCH + timedelta(0, seconds, micros)


def _first_true(mask: NDArray[np.bool_]) -> int:
    import numpy as np

    return int(np.flatnonzero(mask)[0])


# --- the calendar ---------------------------------------------------------------------------------


class WorkingCalendar:
    """A lab's working days, opening hours and public holidays, in its own time zone.

    Opening hours are either ``opens``/``closes`` on ``weekdays`` (one interval, the same on each
    working weekday) or ``hours``: several intervals a day, different on each weekday, or
    ``"24/7"``. Immutable and hashable; equal opening hours and settings give equal calendars
    (however the hours were written), which share their tables.
    """

    __slots__ = (
        "_hash",
        "_key",
        "_tables",
        "_week",
        "_zone",
        "closes",
        "closures",
        "country",
        "extra_working_days",
        "first_year",
        "last_year",
        "opens",
        "subdivision",
        "timezone",
        "weekdays",
    )

    timezone: str
    country: str | None
    subdivision: tuple[str, ...]
    opens: str
    closes: str
    weekdays: tuple[int, ...]
    closures: tuple[date, ...]
    extra_working_days: tuple[date, ...]
    first_year: int
    last_year: int
    _week: Week
    _zone: ZoneInfo
    _key: tuple[object, ...]
    _hash: int
    _tables: _Tables | None

    def __init__(
        self,
        *,
        timezone: str = "UTC",
        country: str | None = None,
        subdivision: str | Sequence[str] | None = None,
        opens: str | None = None,
        closes: str | None = None,
        weekdays: Sequence[int] | None = None,
        hours: Mapping[str, Any] | str | None = None,
        closures: Iterable[date] = (),
        extra_working_days: Iterable[date] = (),
        first_year: int = FIRST_YEAR,
        last_year: int = LAST_YEAR,
    ) -> None:
        zone = self._check_zone(timezone)
        first_year, last_year = self._check_years(first_year, last_year)
        subdivisions = self._check_holidays(country, subdivision)
        self._check_holiday_years(country, first_year, last_year)
        week = self._check_hours(opens, closes, weekdays, hours)
        closed = _days(closures, "closures")
        extra = _days(extra_working_days, "extra_working_days")
        both = sorted(set(closed) & set(extra))
        if both:
            raise CalendarError(
                f"extra_working_days: {both[0].isoformat()} is also in closures; "
                "a day is either closed or a working day"
            )
        for field, listed in (("closures", closed), ("extra_working_days", extra)):
            outside = [day for day in listed if not first_year <= day.year <= last_year]
            if outside:
                raise CalendarRangeError(
                    f"{field}: {outside[0].isoformat()} is outside the years this calendar "
                    f"covers ({first_year}-{last_year})"
                )
        working = [hours for hours in week if hours]
        settings = {
            "timezone": timezone,
            "country": country,
            "subdivision": subdivisions,
            "opens": _clock_text(min(hours[0][0] for hours in working)),
            "closes": _clock_text(max(hours[-1][1] for hours in working)),
            "weekdays": tuple(day for day, hours in enumerate(week) if hours),
            "closures": closed,
            "extra_working_days": extra,
            "first_year": first_year,
            "last_year": last_year,
        }
        for name, value in settings.items():
            object.__setattr__(self, name, value)
        key = (timezone, country, subdivisions, week, closed, extra, first_year, last_year)
        object.__setattr__(self, "_week", week)
        object.__setattr__(self, "_zone", zone)
        object.__setattr__(self, "_key", key)
        object.__setattr__(self, "_hash", hash(key))
        object.__setattr__(self, "_tables", None)

    @classmethod
    def around_the_clock(
        cls, *, timezone: str = "UTC", first_year: int = 1990, last_year: int = 2100
    ) -> WorkingCalendar:
        """A service open 24 hours a day, 7 days a week, with no holidays (a core laboratory)."""
        return cls(
            timezone=timezone, hours=AROUND_THE_CLOCK, first_year=first_year, last_year=last_year
        )

    # -- construction checks

    @staticmethod
    def _check_zone(timezone: object) -> ZoneInfo:
        expected = "expected an IANA time zone name such as 'Europe/London'"
        if not isinstance(timezone, str) or timezone == "localtime":
            raise CalendarError(f"timezone: {expected}, got {_shown(timezone)}")
        try:
            return ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a name too long for a file
            raise CalendarError(f"timezone: {expected}, got {_shown(timezone)}") from None

    @staticmethod
    def _check_years(first_year: object, last_year: object) -> tuple[int, int]:
        first, last = _year(first_year, "first_year"), _year(last_year, "last_year")
        if last < first:
            raise CalendarError(
                f"last_year: expected a year from first_year ({first}) on, got {last}"
            )
        return first, last

    @staticmethod
    def _check_holidays(country: object, subdivision: object) -> tuple[str, ...]:
        if subdivision is None:
            subdivisions: tuple[str, ...] = ()
        elif isinstance(subdivision, str):
            subdivisions = (subdivision,)
        elif isinstance(subdivision, Sequence) and all(isinstance(s, str) for s in subdivision):
            subdivisions = tuple(sorted(set(subdivision)))
        else:
            raise CalendarError(
                f"subdivision: expected a subdivision code or a sequence of them, "
                f"got {_shown(subdivision)}"
            )
        if country is None:
            if subdivisions:
                raise CalendarError(
                    "subdivision: a subdivision needs a country (for example country='GB')"
                )
            return ()
        supported = holidays.list_supported_countries()
        if not isinstance(country, str) or country not in supported:
            raise CalendarError(
                "country: expected an ISO 3166-1 alpha-2 code that the holidays package "
                f"supports, such as 'GB', 'US' or 'DE', got {_shown(country)}"
            )
        for code in subdivisions:
            try:
                holidays.country_holidays(country, subdiv=code, years=())
            except NotImplementedError as error:
                known = ", ".join(supported[country]) or "none"
                raise CalendarError(
                    f"subdivision: expected a subdivision of {country} ({known}), "
                    f"got {_shown(code)}"
                ) from error
        return subdivisions

    @staticmethod
    def _check_holiday_years(country: str | None, first_year: int, last_year: int) -> None:
        if country is None:
            return
        entity = holidays.country_holidays(country, years=())
        if first_year > entity.end_year or last_year < entity.start_year:
            raise CalendarRangeError(
                f"first_year: the holidays package has data for {country} from "
                f"{entity.start_year} to {entity.end_year}, none in {first_year}-{last_year}"
            )

    @classmethod
    def _check_hours(cls, opens: object, closes: object, weekdays: object, hours: object) -> Week:
        if hours is not None:
            given = [
                name
                for name, value in (("opens", opens), ("closes", closes), ("weekdays", weekdays))
                if value is not None
            ]
            if given:
                raise CalendarError(
                    f"hours: give the opening hours either as hours or as opens/closes/weekdays, "
                    f"not both (got hours and {given[0]})"
                )
            return parse_week(hours)
        opens = _clock("09:00" if opens is None else opens, "opens")
        closes = _clock("17:00" if closes is None else closes, "closes", allow_midnight_end=True)
        if _minutes(closes) <= _minutes(opens):
            raise CalendarError(
                f"closes: expected a time after opens ({opens}), got {_shown(closes)}"
            )
        days = cls._check_weekdays((0, 1, 2, 3, 4) if weekdays is None else weekdays)
        return simple_week(_minutes(opens), _minutes(closes), days)

    @staticmethod
    def _check_weekdays(weekdays: object) -> tuple[int, ...]:
        expected = "expected weekday numbers, Monday=0 to Sunday=6"
        if not isinstance(weekdays, Iterable) or isinstance(weekdays, str):
            raise CalendarError(f"weekdays: {expected}, got {_shown(weekdays)}")
        days = tuple(weekdays)
        for day in days:
            if isinstance(day, bool) or not isinstance(day, int) or not 0 <= day <= 6:
                raise CalendarError(f"weekdays: {expected}, got {_shown(day)}")
        if not days:
            raise CalendarError(f"weekdays: {expected}; at least one is needed")
        return tuple(sorted(set(days)))

    # -- value behaviour

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"WorkingCalendar is immutable; build a new one to change {name}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"WorkingCalendar is immutable; cannot delete {name}")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, WorkingCalendar):
            return NotImplemented
        return self._key == other._key

    def __hash__(self) -> int:
        return self._hash

    def __repr__(self) -> str:
        settings = self.to_dict()
        for field in ("closures", "extra_working_days"):
            settings[field] = getattr(self, field)
        settings["subdivision"] = self.subdivision
        if "weekdays" in settings:
            settings["weekdays"] = self.weekdays
        shown = ", ".join(f"{name}={value!r}" for name, value in settings.items())
        return f"WorkingCalendar({shown})"

    def __reduce__(self) -> tuple[Callable[[Mapping[str, Any]], WorkingCalendar], tuple[Any]]:
        return (WorkingCalendar.from_dict, (self.to_dict(),))

    def __copy__(self) -> WorkingCalendar:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> WorkingCalendar:
        return self

    def to_dict(self) -> dict[str, Any]:
        """The calendar's settings as plain JSON types (``from_dict`` rebuilds an equal one).

        Opening hours that are one interval, the same on every working weekday, are given as
        ``opens``/``closes``/``weekdays``; any others as ``hours``.
        """
        shape = uniform_hours(self._week)
        if shape is not None and len(shape) == 1:
            hours: dict[str, Any] = {
                "opens": self.opens,
                "closes": self.closes,
                "weekdays": list(self.weekdays),
            }
        else:
            hours = {"hours": self.hours}
        return {
            "timezone": self.timezone,
            "country": self.country,
            "subdivision": list(self.subdivision),
            **hours,
            "closures": [day.isoformat() for day in self.closures],
            "extra_working_days": [day.isoformat() for day in self.extra_working_days],
            "first_year": self.first_year,
            "last_year": self.last_year,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> WorkingCalendar:
        """A calendar from settings as ``to_dict`` gives them (missing keys take defaults)."""
        if not isinstance(data, Mapping):
            raise CalendarError(f"expected a mapping of calendar settings, got {_shown(data)}")
        unknown = sorted(str(key) for key in data if key not in _SETTINGS)
        if unknown:
            raise CalendarError(
                f"{unknown[0]}: not a calendar setting; expected one of {', '.join(_SETTINGS)}"
            )
        settings = dict(data)
        for field in ("closures", "extra_working_days"):
            if field in settings:
                settings[field] = cls._parse_days(settings[field], field)
        return cls(**settings)

    @staticmethod
    def _parse_days(values: object, field: str) -> list[date]:
        if not isinstance(values, Iterable) or isinstance(values, str):
            raise CalendarError(f"{field}: expected a list of ISO dates (YYYY-MM-DD)")
        days = []
        for k, value in enumerate(values):
            if isinstance(value, date) and not isinstance(value, datetime):
                days.append(value)
                continue
            try:
                days.append(date.fromisoformat(value))
            except (TypeError, ValueError) as error:
                raise CalendarError(
                    f"{field}[{k}]: expected an ISO date (YYYY-MM-DD), got {_shown(value)}"
                ) from error
        return days

    def describe(self) -> str:
        """The settings in plain words, as a report prints them."""
        if self.country is None:
            public = "none"
        else:
            where = self.country
            if len(self.subdivision) == 1:
                where += f"-{self.subdivision[0]}"
            elif self.subdivision:
                where += f" (a holiday in any of {', '.join(self.subdivision)})"
            public = f"{where}, from the holidays package {_holidays_version()}"

        def listed(values: tuple[date, ...]) -> str:
            return ", ".join(day.isoformat() for day in values) or "none"

        extra = listed(self.extra_working_days)
        usual = next(hours for hours in self._week if hours)
        if any(not self._week[day.weekday()] for day in self.extra_working_days):
            extra += (
                " (on a weekday without opening hours, open "
                f"{' and '.join(interval_text(interval) for interval in usual)})"
            )
        if self.always_open:
            opening = "  open around the clock, every day: working time is elapsed time"
        else:
            opening = f"  open {self.describe_hours()} (local time)"
        return "\n".join(
            (
                f"Working calendar in {self.timezone}",
                opening,
                f"  public holidays: {public}",
                f"  closures: {listed(self.closures)}",
                f"  extra working days: {extra}",
                f"  data covers {self._coverage()}",
            )
        )

    # -- opening hours as settings and words

    @property
    def hours(self) -> dict[str, list[str]]:
        """The opening hours by weekday, as the ``hours`` setting takes them (``{'Mon-Fri':
        ['08:00-12:30', '13:30-17:00'], 'Sat': ['09:00-12:00']}``)."""
        return week_settings(self._week)

    @property
    def always_open(self) -> bool:
        """Whether it is open around the clock every day of the year (24/7, no days closed)."""
        return (
            all(hours == ((0, 1440),) for hours in self._week)
            and self.country is None
            and not self.closures
        )

    def describe_hours(self) -> str:
        """The weekly opening hours in words: ``08:00-12:30 and 13:30-17:00 Mon-Fri, 09:00-12:00
        Sat``."""
        return describe_week(self._week)

    def describe_closing(self) -> str:
        """Closing time in words: ``17:00``, or ``17:00 Mon-Fri, 12:00 Sat`` if it differs."""
        return describe_closing(self._week)

    def opening_hours(self, day: date) -> tuple[tuple[str, str], ...]:
        """The opening intervals ``(opens, closes)`` of a working day (local times), else ()."""
        if not self.is_working_day(day):
            return ()
        if isinstance(day, datetime):
            day = wall_clock(day, self._zone).date()
        hours = self._week[day.weekday()] or next(hours for hours in self._week if hours)
        return tuple((_clock_text(start), _clock_text(end)) for start, end in hours)

    # -- holidays and days

    def public_holidays(self, year: int | None = None) -> dict[date, str]:
        """The public holidays used (all years, or one), by date, from the holidays package."""
        if self.country is None:
            return {}
        first, last = _coverage(self)
        if year is not None:
            self._check_year(year, "year")
            first = last = year
        by_day: dict[date, dict[str, list[str]]] = {}
        for code in self.subdivision or (None,):
            data = _holidays(self.country, code, self.first_year, self.last_year)
            for day, name in data.days:
                if first <= day.year <= last:
                    by_day.setdefault(day, {}).setdefault(name, []).append(code or "")
        result: dict[date, str] = {}
        for day, names in sorted(by_day.items()):
            parts = []
            for name, codes in names.items():
                partial = len(self.subdivision) > 1 and len(codes) < len(self.subdivision)
                parts.append(f"{name} ({', '.join(codes)})" if partial else name)
            result[day] = "; ".join(parts)
        return result

    @property
    def years(self) -> tuple[int, int]:
        """The years (local dates) it answers for: those asked, narrowed to the holiday data."""
        return self._data().years

    def is_working_day(self, day: date) -> bool:
        """Whether ``day`` (a date, or an aware datetime's local date) is a working day."""
        if isinstance(day, datetime):
            self._instant(day, "day")
            day = wall_clock(day, self._zone).date()
        elif not isinstance(day, date):
            raise CalendarError(f"day: expected a date, got {_shown(day)}")
        self._check_year(day.year, "day", shown=day.isoformat())
        ordinals = self._data().ordinals
        ordinal = day.toordinal()
        index = bisect_left(ordinals, ordinal)
        return index < len(ordinals) and ordinals[index] == ordinal

    def local(self, at: datetime) -> datetime:
        """``at`` on the lab's wall clock (in the calendar's time zone)."""
        self._aware(at, "at")
        return wall_clock(at, self._zone)

    def effective_receipt_day(
        self, received: datetime, *, after_closing: AfterClosing = "next_day"
    ) -> date:
        """The local day from which working days are counted for something received then."""
        mode = _after_closing(after_closing)
        tables = self._data()
        index = tables.effective_index(self._instant(received, "received"), mode)
        if index == len(tables.ordinals):
            raise self._past_data("the next working day")
        return date.fromordinal(tables.ordinals[index])

    def add_working_days(
        self, start: datetime, days: int, *, after_closing: AfterClosing = "next_day"
    ) -> datetime:
        """Closing time on the ``days``-th working day after the effective day of receipt (UTC)."""
        count = _count(days, "days")
        mode = _after_closing(after_closing)
        deadline = self._data().days_deadline(self._instant(start, "start"), count, mode)
        if deadline is None:
            raise self._past_data(f"the deadline {count} working days after {start.isoformat()}")
        return _utc(deadline)

    def next_working_day_at(self, start: datetime, time_of_day: str = "12:00") -> datetime:
        """``time_of_day`` (local) on the first working day after ``start``'s local date (UTC)."""
        minute = _minutes(_clock(time_of_day, "time_of_day"))
        self._instant(start, "start")
        ordinals = self._data().ordinals
        index = bisect_right(ordinals, wall_clock(start, self._zone).date().toordinal())
        if index == len(ordinals):
            raise self._past_data(f"the next working day after {start.isoformat()}")
        return _EPOCH + timedelta(seconds=_first_instant_s(self._zone, ordinals[index], minute))

    # -- opening hours

    def is_open(self, at: datetime) -> bool:
        """Whether ``at`` falls inside opening hours on a working day (closing time excluded)."""
        instant = self._instant(at, "at")
        tables = self._data()
        index = bisect_right(tables.hours_closes, instant)
        return index < len(tables.hours_opens) and tables.hours_opens[index] <= instant

    def next_opening(self, at: datetime) -> datetime:
        """``at`` itself if the lab is open then, otherwise the next opening time (UTC)."""
        return self.add_working_hours(at, 0)

    def add_working_hours(self, start: datetime, hours: float | timedelta) -> datetime:
        """The instant at which ``hours`` of working time after ``start`` have passed (UTC)."""
        amount = _duration_us(hours, "hours", unit_us=_US_PER_HOUR)
        deadline = self._data().hours_deadline(self._instant(start, "start"), amount)
        if deadline is None:
            what = f"the deadline {hours} working hours" if amount else "the next opening"
            raise self._past_data(f"{what} after {start.isoformat()}")
        return _utc(deadline)

    def working_time_between(self, start: datetime, end: datetime) -> timedelta:
        """Working time from ``start`` to ``end`` (negative when ``end`` is before ``start``)."""
        tables = self._data()
        begin, _ = tables.position(self._instant(start, "start"))
        finish, _ = tables.position(self._instant(end, "end"))
        return timedelta(microseconds=finish - begin)

    # -- batches of UTC epoch seconds

    @overload
    def add_working_days_batch(
        self,
        starts_epoch_seconds: NDArray[Any],
        days: int | Sequence[int] | NDArray[Any],
        *,
        after_closing: AfterClosing = ...,
    ) -> NDArray[Any]: ...

    @overload
    def add_working_days_batch(
        self,
        starts_epoch_seconds: Sequence[int],
        days: int | Sequence[int] | NDArray[Any],
        *,
        after_closing: AfterClosing = ...,
    ) -> list[int]: ...

    @overload
    def add_working_days_batch(
        self,
        starts_epoch_seconds: Sequence[float],
        days: int | Sequence[int] | NDArray[Any],
        *,
        after_closing: AfterClosing = ...,
    ) -> list[float]: ...

    def add_working_days_batch(
        self,
        starts_epoch_seconds: NDArray[Any] | Sequence[float],
        days: int | Sequence[int] | NDArray[Any],
        *,
        after_closing: AfterClosing = "next_day",
    ) -> NDArray[Any] | list[int] | list[float]:
        """``add_working_days`` over UTC epoch seconds; returns the same kind (ints stay ints)."""
        mode = _after_closing(after_closing)
        try:
            import numpy  # noqa: F401
        except ImportError:
            return self._days_batch_python(starts_epoch_seconds, days, mode)
        return self._days_batch_numpy(starts_epoch_seconds, days, mode)

    @overload
    def add_working_hours_batch(
        self,
        starts_epoch_seconds: NDArray[Any],
        seconds: float | Sequence[float] | NDArray[Any],
    ) -> NDArray[Any]: ...

    @overload
    def add_working_hours_batch(
        self,
        starts_epoch_seconds: Sequence[int],
        seconds: int | Sequence[int],
    ) -> list[int]: ...

    @overload
    def add_working_hours_batch(
        self,
        starts_epoch_seconds: Sequence[float],
        seconds: float | Sequence[float] | NDArray[Any],
    ) -> list[float]: ...

    def add_working_hours_batch(
        self,
        starts_epoch_seconds: NDArray[Any] | Sequence[float],
        seconds: float | Sequence[float] | NDArray[Any],
    ) -> NDArray[Any] | list[int] | list[float]:
        """``add_working_hours`` over UTC epoch seconds, with the working time in seconds."""
        try:
            import numpy  # noqa: F401
        except ImportError:
            return self._hours_batch_python(starts_epoch_seconds, seconds)
        return self._hours_batch_numpy(starts_epoch_seconds, seconds)

    def _days_batch_python(
        self, starts: object, days: object, mode: str
    ) -> list[int] | list[float]:
        values = self._sequence(starts, "starts_epoch_seconds")
        counts = self._broadcast(days, len(values), "days")
        tables = self._data()
        converted = [_seconds_value(value, "starts_epoch_seconds") for value in values]
        results: list[int] = []
        for k, ((instant, _), count) in enumerate(zip(converted, counts, strict=True)):
            self._check_instant(instant, f"starts_epoch_seconds[{k}]", values[k])
            deadline = tables.days_deadline(instant, _count(count, f"days[{k}]"), mode)
            if deadline is None:
                raise self._past_data(f"the deadline for starts_epoch_seconds[{k}]")
            results.append(deadline)
        if all(integral for _, integral in converted):
            return [deadline // _US for deadline in results]
        return [deadline / _US for deadline in results]

    def _hours_batch_python(self, starts: object, seconds: object) -> list[int] | list[float]:
        values = self._sequence(starts, "starts_epoch_seconds")
        amounts = self._broadcast(seconds, len(values), "seconds")
        tables = self._data()
        integral = True
        results: list[int] = []
        for k, (value, amount) in enumerate(zip(values, amounts, strict=True)):
            instant, whole = _seconds_value(value, "starts_epoch_seconds")
            self._check_instant(instant, f"starts_epoch_seconds[{k}]", value)
            if not isinstance(amount, numbers.Real):
                raise CalendarError(
                    f"seconds[{k}]: expected a number of seconds, got {_shown(amount)}"
                )
            integral = integral and whole and isinstance(amount, numbers.Integral)
            span = _duration_us(amount, f"seconds[{k}]", unit_us=_US)
            deadline = tables.hours_deadline(instant, span)
            if deadline is None:
                raise self._past_data(f"the deadline for starts_epoch_seconds[{k}]")
            results.append(deadline)
        if integral:
            return [deadline // _US for deadline in results]
        return [deadline / _US for deadline in results]

    def _days_batch_numpy(
        self, starts: object, days: object, mode: str
    ) -> NDArray[Any] | list[int] | list[float]:
        import numpy as np

        instants, integral = _numpy_us(starts, "starts_epoch_seconds")
        self._check_instants(instants, starts)
        counts = np.asarray(days)
        if counts.size == 0:  # an empty list has no integer dtype
            counts = counts.astype(np.int64)
        if counts.dtype.kind not in "iu" or counts.ndim > 1:
            raise CalendarError("days: expected whole numbers of working days")
        if counts.ndim == 1 and counts.shape != instants.shape:
            raise CalendarError(
                f"days: expected one count or {instants.size} of them, got {counts.size}"
            )
        if counts.size and counts.min() < 0:
            raise CalendarError("days: expected numbers of working days >= 0")
        tables = self._data()
        closes = tables.array("closes")
        if counts.size and counts.max() >= closes.size:  # more days than the data holds
            k = _first_true(np.broadcast_to(counts >= closes.size, instants.shape))
            raise self._past_data(f"the deadline for starts_epoch_seconds[{k}]")
        table = closes if mode == "next_day" else tables.array("day_ends")
        index = np.searchsorted(table, instants, side="right") + counts.astype(np.int64, copy=False)
        if index.size and index.max() >= closes.size:
            k = _first_true(index >= closes.size)
            raise self._past_data(f"the deadline for starts_epoch_seconds[{k}]")
        return self._out(closes[index], integral, starts)

    def _hours_batch_numpy(
        self, starts: object, seconds: object
    ) -> NDArray[Any] | list[int] | list[float]:
        import numpy as np

        instants, integral = _numpy_us(starts, "starts_epoch_seconds")
        self._check_instants(instants, starts)
        amounts = np.asarray(seconds)
        if amounts.ndim > 1 or (amounts.ndim == 1 and amounts.shape != instants.shape):
            raise CalendarError(f"seconds: expected one amount or {instants.size} of them")
        if amounts.dtype.kind in "iu":
            if amounts.size and amounts.max() > _EPOCH_LIMIT_S:
                raise CalendarRangeError("seconds: holds more working time than any calendar")
            spans = amounts.astype(np.int64) * _US
        elif amounts.dtype.kind == "f":
            if not np.isfinite(amounts).all():
                raise CalendarError("seconds: expected finite amounts of working time")
            if amounts.size and amounts.max() > _EPOCH_LIMIT_S:
                raise CalendarRangeError("seconds: holds more working time than any calendar")
            spans = np.rint(amounts.astype(np.float64) * _US).astype(np.int64)
            integral = False
        else:
            raise CalendarError(f"seconds: expected int or float seconds, got {amounts.dtype}")
        if spans.size and spans.min() < 0:
            raise CalendarError("seconds: expected amounts of working time >= 0")
        tables = self._data()
        opens, closes = tables.array("hours_opens"), tables.array("hours_closes")
        cum, ends = tables.array("hours_cum"), tables.array("hours_ends")
        if instants.size and (closes.size == 0 or spans.max() > tables.hours_total):
            too_long = np.broadcast_to(spans > tables.hours_total, instants.shape)
            k = _first_true(too_long) if too_long.any() else 0
            raise self._past_data(f"the deadline for starts_epoch_seconds[{k}]")
        last = closes.size - 1
        index = np.searchsorted(closes, instants, side="right")
        past = None
        if instants.size and instants.max() >= closes[last]:
            past = index > last
            index = np.minimum(index, last)
        opening = opens[index]
        position = cum[index] + np.maximum(instants - opening, 0)
        if past is not None:
            position = np.where(past, tables.hours_total, position)
        zero = spans == 0
        target = position + spans
        day = np.searchsorted(ends, target, side="left")
        beyond = (day > last) & ~zero
        if past is not None:
            beyond |= past & zero
        if beyond.any():
            k = _first_true(beyond)
            raise self._past_data(f"the deadline for starts_epoch_seconds[{k}]")
        day = np.minimum(day, last)
        deadlines = opens[day] + (target - cum[day])
        if zero.any():
            deadlines = np.where(zero, np.maximum(instants, opening), deadlines)
        return self._out(deadlines, integral, starts)

    @staticmethod
    def _out(
        deadlines: NDArray[np.int64], integral: bool, starts: object
    ) -> NDArray[Any] | list[int] | list[float]:
        import numpy as np

        result = deadlines // _US if integral else deadlines / _US
        if isinstance(starts, np.ndarray):
            return result
        listed: list[int] | list[float] = result.tolist()
        return listed

    @staticmethod
    def _sequence(values: object, field: str) -> Sequence[object]:
        if isinstance(values, str) or not isinstance(values, Iterable):
            raise CalendarError(f"{field}: expected a sequence of epoch seconds")
        return values if isinstance(values, Sequence) else list(values)

    @staticmethod
    def _broadcast(values: object, size: int, field: str) -> Sequence[object]:
        if isinstance(values, numbers.Real):
            return [values] * size
        if isinstance(values, str) or not isinstance(values, Iterable):
            raise CalendarError(f"{field}: expected a number or a sequence of them")
        listed = list(values)
        if len(listed) != size:
            raise CalendarError(f"{field}: expected one value or {size} of them, got {len(listed)}")
        return listed

    # -- internals

    def _data(self) -> _Tables:
        tables = self._tables
        if tables is None:
            tables = _shared_tables(self)
            object.__setattr__(self, "_tables", tables)  # a memo: equal calendars share it
        return tables

    def _aware(self, value: object, field: str) -> None:
        if not isinstance(value, datetime):
            raise CalendarError(f"{field}: expected a timezone-aware datetime, got {_shown(value)}")
        if value.tzinfo is None or value.utcoffset() is None:
            raise CalendarError(
                f"{field}: the datetime must be timezone-aware, got naive {value.isoformat()}; "
                f"attach a zone, e.g. tzinfo=ZoneInfo({self.timezone!r})"
            )

    def _instant(self, value: datetime, field: str) -> int:
        if not isinstance(value, datetime) or value.tzinfo is None:
            self._aware(value, field)
        try:
            # datetime.__sub__, not `-`: a subclass (pendulum) may return its own timedelta type.
            instant: int = datetime.__sub__(value, _EPOCH) // _MICROSECOND
        except TypeError:  # a tzinfo whose utcoffset() is None
            self._aware(value, field)
            raise
        tables = self._data()
        if not tables.range_start <= instant < tables.range_end:
            raise self._outside(field, value.isoformat())
        return instant

    def _check_instant(self, instant: int, field: str, shown: object) -> None:
        tables = self._data()
        if not tables.range_start <= instant < tables.range_end:
            raise self._outside(field, shown)

    def _check_instants(self, instants: NDArray[np.int64], starts: object) -> None:
        tables = self._data()
        if instants.size and (
            instants.min() < tables.range_start or instants.max() >= tables.range_end
        ):
            k = _first_true((instants < tables.range_start) | (instants >= tables.range_end))
            shown = instants[k] / _US
            self._check_instant(int(instants[k]), f"starts_epoch_seconds[{k}]", shown)

    def _check_year(self, year: int, field: str, shown: object = None) -> None:
        first, last = self.years
        if not first <= year <= last:
            raise self._outside(field, year if shown is None else shown)

    def _outside(self, field: str, shown: object) -> CalendarRangeError:
        return CalendarRangeError(
            f"{field}: {shown} is outside the years this calendar covers, {self._coverage()}"
            + ("" if self._narrowed() else "; build it with first_year/last_year that include it")
        )

    def _past_data(self, what: str) -> CalendarRangeError:
        return CalendarRangeError(
            f"{what} falls after {self.years[1]}, the last year this calendar covers, "
            + self._coverage()
            + ("" if self._narrowed() else "; build it with a later last_year")
        )

    def _narrowed(self) -> bool:
        return self.years != (self.first_year, self.last_year)

    def _coverage(self) -> str:
        first, last = self.years
        if not self._narrowed():
            return f"{first}-{last} (local dates in {self.timezone})"
        return (
            f"{first}-{last} (local dates in {self.timezone}; of the {self.first_year}-"
            f"{self.last_year} asked for, the holidays package has complete data for "
            f"{self.country} only in those years)"
        )
