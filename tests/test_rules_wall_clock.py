"""A finding's instants from integer microseconds (rules/_wall_clock.py) read exactly as the
datetime path writes them: ``from_us(instant).astimezone(zone)`` formatted by hand, on random
instants in the test zones and on every hour around their clock changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from qse_customer.core.timestamps import from_us, to_us
from qse_customer.rules._wall_clock import US_PER_HOUR, WallClock, utc_iso, wall_clock
from qse_customer.rules.kind_protocol import _wall_clock
from qse_customer.testing.strategies import ZONES

NAMES = (*ZONES, "UTC", "Australia/Lord_Howe", "America/St_Johns", "Europe/Dublin")
FIRST = to_us(datetime(1900, 1, 1, tzinfo=UTC))
LAST = to_us(datetime(2101, 1, 1, tzinfo=UTC))


def reference(instant: int, zone: ZoneInfo) -> tuple[str, int]:
    """The text and local date ordinal, as the datetime path makes them."""
    local = from_us(instant).astimezone(zone)
    return _wall_clock(local), local.toordinal()


def assert_reads_alike(clock: WallClock, instant: int) -> None:
    text, ordinal = reference(instant, clock.zone)
    shown = clock.text(instant)
    assert shown is None or shown == text
    day = clock.local_day(instant)
    assert day is None or day == ordinal
    assert (shown is None) == (day is None) == (clock.offset(instant) is None)


@given(st.integers(FIRST, LAST), st.sampled_from(NAMES))
def test_an_instant_reads_as_the_datetime_path_writes_it(instant: int, name: str) -> None:
    clock = wall_clock(ZoneInfo(name))
    assert_reads_alike(clock, instant)
    # Learnt once, read again the same.
    assert_reads_alike(clock, instant)


@cache
def transitions(zone: ZoneInfo, year: int) -> list[int]:
    """The UTC hours (epoch µs at their start) during which, or at whose end, the zone's
    offset changes."""
    start = to_us(datetime(year, 1, 1, tzinfo=UTC))
    found = []
    for hour in range(366 * 24 + 1):
        first = start + hour * US_PER_HOUR
        if (
            from_us(first).astimezone(zone).utcoffset()
            != from_us(first + US_PER_HOUR).astimezone(zone).utcoffset()
        ):
            found.append(first)
            found.append(first + US_PER_HOUR)
    return found


@given(st.sampled_from(NAMES), st.sampled_from([1916, 1971, 2011, 2024, 2026, 2099]))
def test_every_minute_around_a_clock_change_reads_alike(name: str, year: int) -> None:
    zone = ZoneInfo(name)
    clock = WallClock(zone)
    for hour in transitions(zone, year):
        for minute in range(-61, 122):
            instant = hour + minute * 60_000_000
            for nudge in (-1, 0, 1, 29_999_999):
                assert_reads_alike(clock, instant + nudge)


def test_an_hour_with_a_clock_change_is_not_learnt() -> None:
    london = ZoneInfo("Europe/London")
    # 2026-03-29 01:00 UTC: 01:00 GMT becomes 02:00 BST; the hour before it is whole.
    change = to_us(datetime(2026, 3, 29, 1, tzinfo=UTC))
    clock = WallClock(london)
    assert clock.text(change - 1) == "Sun 29 Mar 2026 00:59 GMT"
    assert clock.text(change) == "Sun 29 Mar 2026 02:00 BST"
    # London changes on the hour: learnt. Lord Howe changes by half an hour at 02:00 local.
    howe = WallClock(ZoneInfo("Australia/Lord_Howe"))
    hours = [
        hour
        for hour in transitions(howe.zone, 2026)
        if from_us(hour).astimezone(howe.zone).utcoffset()
        != from_us(hour + US_PER_HOUR - 1).astimezone(howe.zone).utcoffset()
    ]
    assert hours
    assert all(howe.offset(hour + 1) is None for hour in hours)
    assert all(howe.text(hour) is None for hour in hours)


def test_years_outside_four_digits_take_the_datetime_path() -> None:
    clock = WallClock(ZoneInfo("UTC"))
    early = to_us(datetime(999, 12, 31, 23, 0, tzinfo=UTC))
    assert clock.text(early) is None
    assert clock.local_day(early) == date(999, 12, 31).toordinal()
    assert clock.text(early + US_PER_HOUR) == reference(early + US_PER_HOUR, clock.zone)[0]
    assert clock.text(early + US_PER_HOUR) == "Wed 01 Jan 1000 00:00 UTC"
    late = to_us(datetime(9999, 12, 31, 23, 30, tzinfo=UTC))
    assert clock.text(late) == reference(late, clock.zone)[0] == "Fri 31 Dec 9999 23:30 UTC"


def test_a_full_memo_starts_again() -> None:
    clock = WallClock(ZoneInfo("Europe/Paris"))
    start = to_us(datetime(2000, 1, 1, tzinfo=UTC))
    for hour in range(40_000):
        assert clock.text(start + hour * US_PER_HOUR) is not None
    instant = start + 12_345 * US_PER_HOUR + 17
    assert clock.text(instant) == reference(instant, clock.zone)[0]
    assert len(clock._hours) <= 1 << 15
    assert from_us(instant) - from_us(start) == timedelta(hours=12_345, microseconds=17)


def test_one_wall_clock_a_zone() -> None:
    assert wall_clock(ZoneInfo("Europe/London")) is wall_clock(ZoneInfo("Europe/London"))


def test_no_zone_changes_its_offset_twice_within_an_hour() -> None:
    # A WallClock learns an hour from its first and last microsecond: that is exact only if no
    # two changes of offset fall less than an hour apart (two an hour apart cannot both fall
    # inside one hour's span). Checked on the zone data installed: every transition of every
    # zone, and its daylight-saving rule after the last one (whose dates are local times, so
    # checked among themselves), so a tz release that broke it would fail here first.
    import zoneinfo
    from itertools import pairwise

    from qse_customer.core.calendar._instants import _zone_data

    def closest(instants: list[int]) -> int:
        ordered = sorted(set(instants))
        return min((b - a for a, b in pairwise(ordered)), default=10**12)

    nearest = 10**12
    for name in sorted(zoneinfo.available_timezones()):
        data = _zone_data(name)
        if data is None:
            continue
        transitions, rule = data
        nearest = min(nearest, closest(transitions))
        if rule is not None:
            nearest = min(nearest, closest([t for year in range(1970, 2101) for t in rule(year)]))
    assert nearest >= 3600


class _Moment(datetime):
    """A datetime subclass (its own ``isoformat`` is asked)."""


@given(
    st.datetimes(timezones=st.just(UTC))
    | st.datetimes(timezones=st.sampled_from([ZoneInfo(name) for name in NAMES]))
    | st.datetimes(timezones=st.just(UTC)).map(
        lambda at: _Moment.fromtimestamp(at.timestamp(), UTC) if 2 <= at.year <= 9998 else at
    )
)
def test_an_events_iso_text_is_its_datetimes(at: datetime) -> None:
    # Made from the integer for a plain datetime in UTC (the day's text remembered), every
    # other datetime's own; read twice, the second from the memo.
    assert utc_iso(at, to_us(at)) == at.isoformat()
    assert utc_iso(at, to_us(at)) == at.isoformat()
