"""A lab's working calendar: time zone, working days, opening hours and public holidays.

Deadlines in working days and working hours are answered from tables built once per calendar
(and shared by equal calendars): for every working day in the calendar's years, its local date
and the UTC instants at which it opens and closes, plus the working time before each day opens.
Every question is then a binary search, so its cost does not grow with the distance between
dates. All instants are handled as integer microseconds since the Unix epoch, so results are
exact. The semantics are documented in ``docs/calendar.md``.

The calendar is an attrs frozen class; its constructor takes the settings in the forms a user
writes them (opening hours as ``hours`` or as ``opens``/``closes``/``weekdays``, subdivisions as
one code or several) and stores them in one canonical form, so that equal settings however
written make equal calendars.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal, overload
from zoneinfo import ZoneInfo

from attrs import field, frozen

from ..errors import CalendarError, CalendarRangeError
from ..timestamps import FIRST_YEAR, LAST_YEAR, wall_clock
from . import _batch as batch
from ._arguments import after_closing_mode, day_count, duration_us
from ._holiday_data import holiday_data, holidays_version
from ._instants import EPOCH, MICROSECOND, US_PER_HOUR, first_instant_s, utc
from ._settings import (
    SETTINGS,
    check_days,
    check_holiday_years,
    check_holidays,
    check_hours,
    check_years,
    check_zone,
    parse_days,
)
from ._tables import Tables, coverage, shared_tables
from .opening_hours import (
    AROUND_THE_CLOCK,
    Week,
    describe_closing,
    describe_week,
    interval_text,
    uniform_hours,
    week_settings,
)
from .opening_hours import clock as _clock_text
from .opening_hours import clock_minutes as _minutes
from .opening_hours import parse_clock as _clock
from .opening_hours import shown as _shown

if TYPE_CHECKING:
    from numpy.typing import NDArray

__all__ = ["AfterClosing", "WorkingCalendar"]

AfterClosing = Literal["next_day", "same_day"]
"""What a receipt on a working day after closing time counts as (see ``effective_receipt_day``)."""


@frozen(init=False, repr=False)
class WorkingCalendar:
    """A lab's working days, opening hours and public holidays, in its own time zone.

    Opening hours are either ``opens``/``closes`` on ``weekdays`` (one interval, the same on each
    working weekday) or ``hours``: several intervals a day, different on each weekday, or
    ``"24/7"``. Immutable and hashable; equal opening hours and settings give equal calendars
    (however the hours were written), which share their tables.
    """

    # The calendar's value: equality and the hash are over these, in the canonical form.
    timezone: str
    country: str | None
    subdivision: tuple[str, ...]
    _week: Week
    closures: tuple[date, ...]
    extra_working_days: tuple[date, ...]
    first_year: int
    last_year: int
    # Derived from the week (the one-interval view of it) and from the time zone's name.
    opens: str = field(eq=False)
    closes: str = field(eq=False)
    weekdays: tuple[int, ...] = field(eq=False)
    _zone: ZoneInfo = field(eq=False)
    # A memo, not part of the value: the tables, set on first use (see `_data`).
    _tables: Tables | None = field(init=False, default=None, eq=False)

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
        zone = check_zone(timezone)
        first_year, last_year = check_years(first_year, last_year)
        subdivisions = check_holidays(country, subdivision)
        check_holiday_years(country, first_year, last_year)
        week = check_hours(opens, closes, weekdays, hours)
        closed = check_days(closures, "closures")
        extra = check_days(extra_working_days, "extra_working_days")
        both = sorted(set(closed) & set(extra))
        if both:
            raise CalendarError(
                f"extra_working_days: {both[0].isoformat()} is also in closures; "
                "a day is either closed or a working day"
            )
        for name, listed in (("closures", closed), ("extra_working_days", extra)):
            outside = [day for day in listed if not first_year <= day.year <= last_year]
            if outside:
                raise CalendarRangeError(
                    f"{name}: {outside[0].isoformat()} is outside the years this calendar "
                    f"covers ({first_year}-{last_year})"
                )
        working = [hours for hours in week if hours]
        self.__attrs_init__(
            timezone=timezone,
            country=country,
            subdivision=subdivisions,
            week=week,
            closures=closed,
            extra_working_days=extra,
            first_year=first_year,
            last_year=last_year,
            opens=_clock_text(min(hours[0][0] for hours in working)),
            closes=_clock_text(max(hours[-1][1] for hours in working)),
            weekdays=tuple(day for day, hours in enumerate(week) if hours),
            zone=zone,
        )

    @classmethod
    def around_the_clock(
        cls, *, timezone: str = "UTC", first_year: int = 1990, last_year: int = 2100
    ) -> WorkingCalendar:
        """A service open 24 hours a day, 7 days a week, with no holidays (a core laboratory)."""
        return cls(
            timezone=timezone, hours=AROUND_THE_CLOCK, first_year=first_year, last_year=last_year
        )

    # -- value behaviour (attrs writes __eq__ and __hash__; see also the end of this module)

    def __repr__(self) -> str:
        settings = self.to_dict()
        for name in ("closures", "extra_working_days"):
            settings[name] = getattr(self, name)
        settings["subdivision"] = self.subdivision
        if "weekdays" in settings:
            settings["weekdays"] = self.weekdays
        shown = ", ".join(f"{name}={value!r}" for name, value in settings.items())
        return f"WorkingCalendar({shown})"

    def __reduce__(self) -> tuple[Callable[[Mapping[str, Any]], WorkingCalendar], tuple[Any]]:
        # Pickled as its settings: small, and rebuilt through the constructor's checks.
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
        unknown = sorted(str(key) for key in data if key not in SETTINGS)
        if unknown:
            raise CalendarError(
                f"{unknown[0]}: not a calendar setting; expected one of {', '.join(SETTINGS)}"
            )
        settings = dict(data)
        for name in ("closures", "extra_working_days"):
            if name in settings:
                settings[name] = parse_days(settings[name], name)
        return cls(**settings)

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
            public = f"{where}, from the holidays package {holidays_version()}"

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
                f"  data covers {self._coverage_text()}",
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
        first, last = coverage(self)
        if year is not None:
            self._check_year(year, "year")
            first = last = year
        by_day: dict[date, dict[str, list[str]]] = {}
        for code in self.subdivision or (None,):
            days = holiday_data(self.country, code, self.first_year, self.last_year).days
            if year is not None:  # the days are sorted: one year's are a slice
                low = bisect_left(days, (date(year, 1, 1),))
                days = days[low : bisect_left(days, (date(year + 1, 1, 1),), low)]
            for day, name in days:
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

    def working_days_after(self, first: date, last: date) -> int:
        """How many working days fall after the day ``first`` up to and including ``last``
        (0 when ``last`` is not after ``first``): one search in the calendar's table, however
        far apart the days are."""
        for name, day in (("first", first), ("last", last)):
            if not isinstance(day, date) or isinstance(day, datetime):
                raise CalendarError(f"{name}: expected a date, got {_shown(day)}")
            self._check_year(day.year, name, shown=day.isoformat())
        if last <= first:
            return 0
        ordinals = self._data().ordinals
        return bisect_right(ordinals, last.toordinal()) - bisect_right(ordinals, first.toordinal())

    def local(self, at: datetime) -> datetime:
        """``at`` on the lab's wall clock (in the calendar's time zone)."""
        self._aware(at, "at")
        return wall_clock(at, self._zone)

    def effective_receipt_day(
        self, received: datetime, *, after_closing: AfterClosing = "next_day"
    ) -> date:
        """The local day from which working days are counted for something received then."""
        mode = after_closing_mode(after_closing)
        tables = self._data()
        index = tables.effective_index(self._instant(received, "received"), mode)
        if index == len(tables.ordinals):
            raise self._past_data("the next working day")
        return date.fromordinal(tables.ordinals[index])

    def add_working_days(
        self, start: datetime, days: int, *, after_closing: AfterClosing = "next_day"
    ) -> datetime:
        """Closing time on the ``days``-th working day after the effective day of receipt (UTC)."""
        tables = self._tables
        if tables is not None and type(days) is int and days >= 0 and after_closing == "next_day":
            found = tables.utc_days_deadline(start, days)  # the common case, searched as is
            if found is not None:
                return found
        count = day_count(days, "days")
        mode = after_closing_mode(after_closing)
        tables = self._data()
        index = tables.effective_index(self._instant(start, "start"), mode) + count
        closes = tables.closes_utc()
        if index >= len(closes):
            raise self._past_data(f"the deadline {count} working days after {start.isoformat()}")
        return closes[index]

    def next_working_day_at(self, start: datetime, time_of_day: str = "12:00") -> datetime:
        """``time_of_day`` (local) on the first working day after ``start``'s local date (UTC)."""
        minute = _minutes(_clock(time_of_day, "time_of_day"))
        self._instant(start, "start")
        ordinals = self._data().ordinals
        index = bisect_right(ordinals, wall_clock(start, self._zone).date().toordinal())
        if index == len(ordinals):
            raise self._past_data(f"the next working day after {start.isoformat()}")
        return EPOCH + timedelta(seconds=first_instant_s(self._zone, ordinals[index], minute))

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
        amount = duration_us(hours, "hours", unit_us=US_PER_HOUR)
        deadline = self._data().hours_deadline(self._instant(start, "start"), amount)
        if deadline is None:
            what = f"the deadline {hours} working hours" if amount else "the next opening"
            raise self._past_data(f"{what} after {start.isoformat()}")
        return utc(deadline)

    def working_time_between(self, start: datetime, end: datetime) -> timedelta:
        """Working time from ``start`` to ``end`` (negative when ``end`` is before ``start``)."""
        tables = self._data()
        begin, _ = tables.position(self._instant(start, "start"))
        finish, _ = tables.position(self._instant(end, "end"))
        return timedelta(microseconds=finish - begin)

    # -- batches of UTC epoch seconds

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
        mode = after_closing_mode(after_closing)
        return batch.add_working_days(self, starts_epoch_seconds, days, mode)

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
        return batch.add_working_hours(self, starts_epoch_seconds, seconds)

    # -- internals

    def _data(self) -> Tables:
        """The calendar's tables: looked up (or built) on first use, then kept in `_tables`."""
        tables = self._tables
        if tables is None:
            tables = shared_tables(self)
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
            instant: int = datetime.__sub__(value, EPOCH) // MICROSECOND
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

    def _check_year(self, year: int, field: str, shown: object = None) -> None:
        first, last = self.years
        if not first <= year <= last:
            raise self._outside(field, year if shown is None else shown)

    def _outside(self, field: str, shown: object) -> CalendarRangeError:
        return CalendarRangeError(
            f"{field}: {shown} is outside the years this calendar covers, {self._coverage_text()}"
            + ("" if self._narrowed() else "; build it with first_year/last_year that include it")
        )

    def _past_data(self, what: str) -> CalendarRangeError:
        return CalendarRangeError(
            f"{what} falls after {self.years[1]}, the last year this calendar covers, "
            + self._coverage_text()
            + ("" if self._narrowed() else "; build it with a later last_year")
        )

    def _narrowed(self) -> bool:
        return self.years != (self.first_year, self.last_year)

    def _coverage_text(self) -> str:
        first, last = self.years
        if not self._narrowed():
            return f"{first}-{last} (local dates in {self.timezone})"
        return (
            f"{first}-{last} (local dates in {self.timezone}; of the {self.first_year}-"
            f"{self.last_year} asked for, the holidays package has complete data for "
            f"{self.country} only in those years)"
        )


def _refuse_change(self: WorkingCalendar, name: str, value: object) -> None:
    raise AttributeError(f"WorkingCalendar is immutable; build a new one to change {name}")


def _refuse_delete(self: WorkingCalendar, name: str) -> None:
    raise AttributeError(f"WorkingCalendar is immutable; cannot delete {name}")


# attrs freezes the class with a __setattr__ whose error says only "can't set attribute" (and it
# refuses a class that writes its own), so the class gets these after it is made: the same
# AttributeError, saying what to do instead. attrs sets the fields with object.__setattr__, so
# nothing else changes.
WorkingCalendar.__setattr__ = _refuse_change  # type: ignore[method-assign,assignment]
WorkingCalendar.__delattr__ = _refuse_delete  # type: ignore[method-assign,assignment]
