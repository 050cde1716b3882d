"""Timezone-aware timestamps: refused when naive, kept in UTC as plain ``datetime`` values; a
record's times and dates within the years the library can judge.

The engine and the reporting periods count time as integer microseconds since the Unix epoch
(:func:`to_us`, :func:`from_us`): comparing and subtracting integers is what makes one pass over
many records fast.

A subclass of ``datetime`` (pendulum's ``DateTime``) is accepted wherever a datetime is, and
converted to a plain ``datetime`` on the way in: its arithmetic returns its own duration types,
which the engine's integer-microsecond arithmetic cannot divide, and a record should not hold a
different class depending on who built it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo
from typing import Final

from .errors import ValidationError

EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND: Final = timedelta(microseconds=1)

FIRST_YEAR = 1990
"""The first year of a record's times and dates, and of a working calendar by default."""
LAST_YEAR = 2100
"""The last year of a record's times and dates, and of a working calendar by default.

A record's times and dates must fall in these years (of UTC, for a time): the years a working
calendar covers unless it is built for others, so every record can be judged, and a mistyped
year (2206 for 2026) is refused when the record is made rather than found at ``check``."""


def to_us(at: datetime) -> int:
    """An aware datetime as integer microseconds since the Unix epoch."""
    return (at - EPOCH) // MICROSECOND


def from_us(instant: int) -> datetime:
    """Integer epoch microseconds as a UTC datetime."""
    return EPOCH + timedelta(microseconds=instant)


def plain_utc(value: datetime) -> datetime:
    """An aware ``value`` as a plain ``datetime`` in UTC (the same instant)."""
    moment = value.astimezone(UTC)
    if type(moment) is datetime:
        return moment
    return datetime(
        moment.year,
        moment.month,
        moment.day,
        moment.hour,
        moment.minute,
        moment.second,
        moment.microsecond,
        tzinfo=UTC,
    )


def utc(value: datetime, path: str = "$.at") -> datetime:
    """``value`` in UTC; a naive datetime is refused with an error naming ``path``."""
    if not isinstance(value, datetime):
        raise ValidationError.single(path, f"expected a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValidationError.single(
            path, f"expected a timezone-aware datetime, got naive {value.isoformat()}"
        )
    return plain_utc(value)


def optional_utc(value: datetime | None) -> datetime | None:
    """Like :func:`utc`, passing ``None`` through."""
    return None if value is None else utc(value)


def wall_clock(value: datetime, zone: tzinfo) -> datetime:
    """The instant ``value`` on ``zone``'s wall clock.

    Goes through UTC because ``astimezone`` leaves a datetime already in ``zone`` untouched, so a
    wall time that does not exist there (skipped by a clock change) would come back as given.
    """
    return plain_utc(value).astimezone(zone)


def plain_timedelta(value: timedelta) -> timedelta:
    """``value`` as a plain ``timedelta`` (pendulum's ``Duration`` is a subclass)."""
    if type(value) is timedelta:
        return value
    return timedelta(days=value.days, seconds=value.seconds, microseconds=value.microseconds)


def judged_year(year: int, path: str, shown: str) -> None:
    """Refuse a year outside :data:`FIRST_YEAR`-:data:`LAST_YEAR`, naming ``path``."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValidationError.single(
            path,
            f"{shown} is outside the years qse-customer can judge ({FIRST_YEAR}-{LAST_YEAR}); "
            "check the year",
        )


def record_time(value: datetime, path: str = "$.at") -> datetime:
    """A record's time: :func:`utc`, and refused outside the years the library can judge."""
    try:
        moment = utc(value, path)
    except OverflowError:  # e.g. 0001-01-01T00:00+14:00 is before the first UTC datetime
        raise ValidationError.single(
            path,
            f"{value.isoformat()} is outside the years qse-customer can judge "
            f"({FIRST_YEAR}-{LAST_YEAR}); check the year",
        ) from None
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        judged_year(moment.year, path, moment.isoformat())
    return moment


def optional_record_time(value: datetime | None) -> datetime | None:
    """Like :func:`record_time`, passing ``None`` through."""
    return None if value is None else record_time(value)
