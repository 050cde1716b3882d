"""Checks of the settings a working calendar is built from, each error naming the setting.

``WorkingCalendar(...)`` and ``WorkingCalendar.from_dict`` take the settings; these functions
check them and give them their one canonical form (sorted, deduplicated tuples; a week of opening
hours), so that equal settings however written make equal calendars.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from functools import cache
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

from ..errors import CalendarError, CalendarRangeError
from .opening_hours import Week, parse_week, simple_week
from .opening_hours import clock_minutes as _minutes
from .opening_hours import parse_clock as _clock
from .opening_hours import shown as _shown

SETTINGS: Final = (
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
"""The settings, as the constructor, ``to_dict`` and ``from_dict`` name them."""
_MIN_YEAR: Final = 1900
_MAX_YEAR: Final = 9998


def check_zone(timezone: object) -> ZoneInfo:
    """The time zone named by ``timezone`` (an IANA name; not ``localtime``)."""
    expected = "expected an IANA time zone name such as 'Europe/London'"
    if not isinstance(timezone, str) or timezone == "localtime":
        raise CalendarError(f"timezone: {expected}, got {_shown(timezone)}")
    try:
        return ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a name too long for a file
        raise CalendarError(f"timezone: {expected}, got {_shown(timezone)}") from None


def check_years(first_year: object, last_year: object) -> tuple[int, int]:
    """``first_year`` and ``last_year``, checked to be years in order."""
    first, last = _year(first_year, "first_year"), _year(last_year, "last_year")
    if last < first:
        raise CalendarError(f"last_year: expected a year from first_year ({first}) on, got {last}")
    return first, last


@cache
def supported_countries() -> frozenset[str]:
    """The country codes the holidays package supports (aliases such as ``UK`` and ``GBR``
    included): the keys of ``holidays.list_supported_countries()``, read from its registry.

    ``list_supported_countries`` imports every country's module to list its subdivisions
    (about 0.08 s, once a process); the codes alone are in the registry, which imports none.
    A holidays release without that registry gets the codes the documented way."""
    try:
        from holidays.registry import EntityLoader

        return frozenset(EntityLoader.get_country_codes(include_aliases=True))
    except (ImportError, AttributeError, TypeError):  # pragma: no cover - another holidays
        return frozenset(holidays.list_supported_countries())


def check_holidays(country: object, subdivision: object) -> tuple[str, ...]:
    """The subdivision codes (sorted, deduplicated), checked against ``country``."""
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
    if not isinstance(country, str) or country not in supported_countries():
        raise CalendarError(
            "country: expected an ISO 3166-1 alpha-2 code that the holidays package "
            f"supports, such as 'GB', 'US' or 'DE', got {_shown(country)}"
        )
    for code in subdivisions:
        try:
            holidays.country_holidays(country, subdiv=code, years=())
        except NotImplementedError as error:
            known = ", ".join(holidays.list_supported_countries()[country]) or "none"
            raise CalendarError(
                f"subdivision: expected a subdivision of {country} ({known}), got {_shown(code)}"
            ) from error
    return subdivisions


def check_holiday_years(country: str | None, first_year: int, last_year: int) -> None:
    """Refuse years in which the holidays package has no data for ``country``."""
    if country is None:
        return
    entity = holidays.country_holidays(country, years=())
    if first_year > entity.end_year or last_year < entity.start_year:
        raise CalendarRangeError(
            f"first_year: the holidays package has data for {country} from "
            f"{entity.start_year} to {entity.end_year}, none in {first_year}-{last_year}"
        )


def check_hours(opens: object, closes: object, weekdays: object, hours: object) -> Week:
    """The week of opening hours, from ``hours`` or from ``opens``/``closes``/``weekdays``."""
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
        raise CalendarError(f"closes: expected a time after opens ({opens}), got {_shown(closes)}")
    days = check_weekdays((0, 1, 2, 3, 4) if weekdays is None else weekdays)
    return simple_week(_minutes(opens), _minutes(closes), days)


def check_weekdays(weekdays: object) -> tuple[int, ...]:
    """Weekday numbers (Monday=0), sorted and deduplicated."""
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


def _year(value: object, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise CalendarError(f"{field}: expected a year as an int, got {_shown(value)}")
    if not _MIN_YEAR <= value <= _MAX_YEAR:
        raise CalendarError(
            f"{field}: expected a year from {_MIN_YEAR} to {_MAX_YEAR}, got {value}"
        )
    return value


def check_days(values: Iterable[date], field: str) -> tuple[date, ...]:
    """Dates (not datetimes), sorted and deduplicated."""
    if not isinstance(values, Iterable) or isinstance(values, str | bytes):
        raise CalendarError(f"{field}: expected a list of dates, got {_shown(values)}")
    found: set[date] = set()
    for k, value in enumerate(values):
        if isinstance(value, datetime) or not isinstance(value, date):
            raise CalendarError(f"{field}[{k}]: expected a date, got {_shown(value)}")
        found.add(value)
    return tuple(sorted(found))


def parse_days(values: object, field: str) -> list[date]:
    """Dates from ISO strings (or dates), as ``from_dict`` reads ``closures``."""
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
