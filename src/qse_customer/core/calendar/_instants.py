"""Instants as integer microseconds since the Unix epoch, and the UTC instants of local times.

A calendar's tables hold every instant as an int of microseconds, so deadlines are exact. A local
wall-clock time (a day and a minute from local midnight) becomes a UTC instant here, by the rule
the calendar documents for clock changes: a time that occurs twice is its first occurrence, a
time that is skipped is the instant of the jump.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo

EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
EPOCH_ORDINAL: Final = EPOCH.date().toordinal()
MICROSECOND: Final = timedelta(microseconds=1)
US: Final = 1_000_000
US_PER_HOUR: Final = 3_600 * US
# Epoch seconds beyond this cannot be a date in any calendar (and would overflow int64 µs).
EPOCH_LIMIT_S: Final = 300_000_000_000
_SECOND: Final = timedelta(seconds=1)
_DAY_S: Final = 86_400


def utc(instant: int) -> datetime:
    """A UTC datetime from epoch microseconds."""
    seconds, micros = divmod(instant, US)
    return EPOCH + timedelta(0, seconds, micros)


def _offset_s(zone: ZoneInfo, wall: datetime) -> int:
    offset = zone.utcoffset(wall)
    return 0 if offset is None else offset // _SECOND


def _offset_at_s(zone: ZoneInfo, instant_s: int) -> int:
    return _offset_s(zone, (EPOCH + timedelta(seconds=instant_s)).astimezone(zone))


def first_instant_s(zone: ZoneInfo, ordinal: int, minute: int) -> int:
    """UTC epoch seconds of the first instant at which the local clock shows that day and time.

    ``minute`` counts from local midnight (1440 is the next midnight). A time that occurs twice
    (clocks going back) resolves to its first occurrence (PEP 495 ``fold=0``); a time that is
    skipped (clocks going forward) resolves to the instant of the jump, the first instant at
    which the clock shows that time or later.
    """
    ordinal, minute = ordinal + minute // 1440, minute % 1440
    day, clock = date.fromordinal(ordinal), time(minute // 60, minute % 60)
    local_s = (ordinal - EPOCH_ORDINAL) * _DAY_S + minute * 60
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


def wall_instants_s(zone: ZoneInfo, ordinals: list[int], minute: int) -> list[int]:
    """``first_instant_s`` for many days at one time of day, fast where fold does not matter."""
    day_shift, minute = divmod(minute, 1440)
    clock = time(minute // 60, minute % 60)
    later = clock.replace(fold=1)
    from_ordinal, combine, utcoffset = date.fromordinal, datetime.combine, zone.utcoffset
    seconds: list[int] = []
    for ordinal in ordinals:
        day = from_ordinal(ordinal + day_shift)
        offset = utcoffset(combine(day, clock))
        if offset is not None and offset == utcoffset(combine(day, later)):
            local_s = (ordinal + day_shift - EPOCH_ORDINAL) * _DAY_S + minute * 60
            seconds.append(local_s - offset // _SECOND)
        else:  # skipped or repeated by a clock change
            seconds.append(first_instant_s(zone, ordinal + day_shift, minute))
    return seconds
