"""Timezone-aware timestamps: refused when naive, kept in UTC as plain ``datetime`` values.

A subclass of ``datetime`` (pendulum's ``DateTime``) is accepted wherever a datetime is, and
converted to a plain ``datetime`` on the way in: its arithmetic returns its own duration types,
which the engine's integer-microsecond arithmetic cannot divide, and a record should not hold a
different class depending on who built it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo

from .errors import ValidationError


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
