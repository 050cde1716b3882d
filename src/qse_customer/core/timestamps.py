"""Timezone-aware timestamps: refused when naive, kept in UTC; a record's times and dates within
the years the library can judge."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo

from .errors import ValidationError

FIRST_YEAR = 1990
"""The first year of a record's times and dates, and of a working calendar by default."""
LAST_YEAR = 2100
"""The last year of a record's times and dates, and of a working calendar by default.

A record's times and dates must fall in these years (of UTC, for a time): the years a working
calendar covers unless it is built for others, so every record can be judged, and a mistyped
year (2206 for 2026) is refused when the record is made rather than found at ``check``."""


def utc(value: datetime, path: str = "$.at") -> datetime:
    """``value`` in UTC; a naive datetime is refused with an error naming ``path``."""
    if not isinstance(value, datetime):
        raise ValidationError.single(path, f"expected a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValidationError.single(
            path, f"expected a timezone-aware datetime, got naive {value.isoformat()}"
        )
    return value.astimezone(UTC)


def optional_utc(value: datetime | None) -> datetime | None:
    """Like :func:`utc`, passing ``None`` through."""
    return None if value is None else utc(value)


def wall_clock(value: datetime, zone: tzinfo) -> datetime:
    """The instant ``value`` on ``zone``'s wall clock.

    Goes through UTC because ``astimezone`` leaves a datetime already in ``zone`` untouched, so a
    wall time that does not exist there (skipped by a clock change) would come back as given.
    """
    return value.astimezone(UTC).astimezone(zone)


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
