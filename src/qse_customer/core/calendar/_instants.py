"""Instants as integer microseconds since the Unix epoch, and the UTC instants of local times.

A calendar's tables hold every instant as an int of microseconds, so deadlines are exact. A local
wall-clock time (a day and a minute from local midnight) becomes a UTC instant here, by the rule
the calendar documents for clock changes: a time that occurs twice is its first occurrence, a
time that is skipped is the instant of the jump.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from importlib import import_module
from typing import Any, Final
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
# Beyond this from every possible change of offset, a wall time's offset is that of its run of
# days: more than the most an offset (under a day) and a change of one (under two) can shift it.
_NEAR_S: Final = 2 * _DAY_S


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


def wall_instants_s(zone: ZoneInfo, ordinals: list[int], minute: int, unit: int = 1) -> list[int]:
    """``first_instant_s`` for many days at one time of day, times ``unit`` (``US`` for epoch
    microseconds).

    Days far from every instant near which the zone's offset may change (``_changes_s``) are
    converted in runs with one offset each, checked at both ends of the run; the days near one,
    and every day when those instants are unknown or ``ordinals`` is not ascending, one by one.
    """
    day_shift, minute = divmod(minute, 1440)
    if not ordinals:
        return []
    # Wall time of a day: local epoch seconds, ``ordinal * _DAY_S + wall``.
    wall = (day_shift - EPOCH_ORDINAL) * _DAY_S + minute * 60
    first, last = ordinals[0], ordinals[-1]
    changes = _changes_s(zone, first * _DAY_S + wall, last * _DAY_S + wall)
    if changes is None or ordinals != sorted(ordinals):
        return _scaled(_exact_instants_s(zone, ordinals, day_shift, minute), unit)
    seconds: list[int] = []
    done = 0  # ordinals[:done] are converted
    for change in changes:
        # The days whose wall time is within _NEAR_S of the change, converted one by one.
        low = -((wall - change + _NEAR_S) // _DAY_S)  # ceil((change - _NEAR_S - wall) / _DAY_S)
        high = (change + _NEAR_S - wall) // _DAY_S
        near = bisect_left(ordinals, low, done)
        seconds += _steady_instants(zone, ordinals[done:near], day_shift, minute, wall, unit)
        done = bisect_right(ordinals, high, near)
        seconds += _scaled(_exact_instants_s(zone, ordinals[near:done], day_shift, minute), unit)
    seconds += _steady_instants(zone, ordinals[done:], day_shift, minute, wall, unit)
    return seconds


def _scaled(seconds: list[int], unit: int) -> list[int]:
    return seconds if unit == 1 else [instant * unit for instant in seconds]


def _steady_instants(
    zone: ZoneInfo, ordinals: list[int], day_shift: int, minute: int, wall: int, unit: int
) -> list[int]:
    """``wall_instants_s`` for days with no change of offset near their wall times: those of
    the first and last day, if they agree, for all (else one by one, in case)."""
    if not ordinals:
        return []
    ends = _exact_offsets_s(zone, ordinals[0] + day_shift, minute)
    if len(ordinals) > 1:
        ends += _exact_offsets_s(zone, ordinals[-1] + day_shift, minute)
    if len(set(ends)) != 1 or ends[0] is None:
        return _scaled(_exact_instants_s(zone, ordinals, day_shift, minute), unit)
    step, base = _DAY_S * unit, (wall - ends[0]) * unit
    return [ordinal * step + base for ordinal in ordinals]


def _exact_offsets_s(zone: ZoneInfo, ordinal: int, minute: int) -> list[int | None]:
    """The zone's offsets (seconds) at that wall time, with fold 0 and 1."""
    clock = datetime.combine(date.fromordinal(ordinal), time(minute // 60, minute % 60))
    found: list[int | None] = []
    for wall in (clock, clock.replace(fold=1)):
        offset = zone.utcoffset(wall)
        found.append(None if offset is None else offset // _SECOND)
    return found


def _exact_instants_s(
    zone: ZoneInfo, ordinals: list[int], day_shift: int, minute: int
) -> list[int]:
    """``first_instant_s`` for each day at ``minute`` (under 1440) of the day ``day_shift`` later:
    two ``utcoffset`` calls a day, and the search where fold matters."""
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


def _changes_s(zone: ZoneInfo, low: int, high: int) -> list[int] | None:
    """Instants (epoch seconds, UTC or local: within a day of the instant) near which the zone's
    offset may change, for wall times from ``low`` to ``high`` (local epoch seconds), ascending;
    None where the zone's data cannot be read.

    A change of offset happens only at a transition of the zone's file, or after its last one
    by the rule of its TZ string: at that rule's start or end in some year, or (for a rule that
    reaches across New Year) at the start of a year. ``utcoffset`` of a wall time depends only
    on where it stands among the local times of those (within two days of them, since offsets
    are under a day), so it is the same for every wall time farther than ``_NEAR_S`` from all.
    The file is read by the pure-Python ``zoneinfo``, as the C one reads it: only for a zone of
    the cache (``ZoneInfo(key)`` is it), and None if that fails.
    """
    key = zone.key if type(zone) is ZoneInfo else None
    data = None if key is None else _zone_data(key)
    if key is None or data is None or ZoneInfo(key) is not zone:  # the key names it, not a file
        return None
    transitions, rule = data
    low, high = low - 2 * _NEAR_S, high + 2 * _NEAR_S
    changes = transitions[bisect_left(transitions, low) : bisect_right(transitions, high)]
    if rule is not None:
        after = transitions[-1] if transitions else low  # the rule holds after the last one
        first_year = max(_year_of(max(low, after)) - 1, 1)
        for year in range(first_year, min(_year_of(high) + 2, 10_000)):
            start, end = rule(year)
            new_year = (date(year, 1, 1).toordinal() - EPOCH_ORDINAL) * _DAY_S
            changes += (start, end, new_year)
        changes.sort()
    return changes


def _year_of(seconds: int) -> int:
    days = seconds // _DAY_S + EPOCH_ORDINAL
    return date.fromordinal(min(max(days, 1), date.max.toordinal())).year


@lru_cache(maxsize=64)
def _zone_data(key: str) -> tuple[list[int], Callable[[int], tuple[int, int]] | None] | None:
    """A zone's transitions (UTC epoch seconds, ascending) and the start and end (local epoch
    seconds) of its TZ string's daylight saving time in a year, if it has one; None if unread."""
    try:
        ZoneInfo(key)  # the key names a zone (not one built from a file under any name)
        _zoneinfo: Any = import_module("zoneinfo._zoneinfo")  # the pure-Python zoneinfo
        pure = _zoneinfo.ZoneInfo.no_cache(key)
        transitions = [int(instant) for instant in pure._trans_utc]
        after = pure._tz_after
        rule = after.transitions if isinstance(after, _zoneinfo._TZStr) else None
        if rule is not None:
            start, end = rule(2000)
            if not (isinstance(start, int) and isinstance(end, int)):
                return None
    except Exception:  # another Python's zoneinfo: convert day by day
        return None
    if transitions != sorted(transitions):
        return None
    return transitions, rule
