"""The tables of a working calendar, built the fast way, are exactly those of the plain way.

The plain way is kept here as the reference: the build before it was made faster, converting
every working day's wall-clock times one by one with ``first_instant_s`` (the definition of a
wall time's instant) and filtering every date of the years. The fast build converts runs of days
with one offset and finds the days by weekday arithmetic; every list, every int and every
instant must come out the same, on random zones (those with odd clock changes among them),
opening hours, closures, extra working days and years.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterable
from datetime import date
from importlib import resources
from itertools import chain
from pathlib import Path
from typing import Any
from zoneinfo import TZPATH, ZoneInfo, available_timezones

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opening_hours_strategies import weeks
from qse_customer.core.calendar import WorkingCalendar, _instants, _tables
from qse_customer.core.calendar._instants import US, first_instant_s, wall_instants_s
from qse_customer.core.calendar._tables import Tables, build_tables, coverage
from qse_customer.core.errors import CalendarRangeError

ODD_ZONES = (
    "Europe/London",
    "America/New_York",
    "America/Sao_Paulo",
    "Australia/Lord_Howe",
    "Pacific/Apia",
    "Asia/Kolkata",
    "Africa/Casablanca",
    "America/St_Johns",
    "Antarctica/Troll",
    "Pacific/Chatham",
    "Asia/Tehran",
    "Asia/Kathmandu",
    "Europe/Dublin",
    "UTC",
)
ALL_ZONES = tuple(sorted(available_timezones()))
zones = st.sampled_from(ODD_ZONES) | st.sampled_from(ALL_ZONES)


# -- the reference: the build as it was, one day at a time -------------------------------------


def reference_instants_s(zone: ZoneInfo, ordinals: list[int], minute: int) -> list[int]:
    """``first_instant_s`` of each day at ``minute``: the definition, one day at a time."""
    return [first_instant_s(zone, ordinal, minute) for ordinal in ordinals]


def reference_tables(calendar: WorkingCalendar) -> dict[str, Any]:
    """Every table of ``calendar`` as the build made them before it was made faster."""
    zone = calendar._zone
    first_year, last_year = coverage(calendar)
    if first_year > last_year:
        raise CalendarRangeError("no complete holiday data")
    closed: set[int] = {day.toordinal() for day in calendar.public_holidays()}
    closed.update(day.toordinal() for day in calendar.closures)
    extra = {day.toordinal() for day in calendar.extra_working_days}
    week = calendar._week
    first = date(first_year, 1, 1).toordinal()
    last = date(last_year, 12, 31).toordinal()
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
        bounds = [reference_instants_s(zone, days, minute) for pair in shape for minute in pair]
        columns.append(zip(days, *bounds, strict=True))
    rows = columns[0] if len(columns) == 1 else sorted(chain.from_iterable(columns))
    ordinals: list[int] = []
    closes: list[int] = []
    opens_us: list[int] = []
    closes_us: list[int] = []
    for row in rows:
        ordinal, opening, closing = row[0], row[1], row[-1]
        if opening == closing and first_instant_s(zone, ordinal, 0) == first_instant_s(
            zone, ordinal + 1, 0
        ):
            continue
        ordinals.append(ordinal)
        closes.append(closing * US)
        for k in range(1, len(row), 2):
            if row[k + 1] > row[k]:
                opens_us.append(row[k] * US)
                closes_us.append(row[k + 1] * US)
    cum = [0]
    for start, end in zip(opens_us, closes_us, strict=True):
        cum.append(cum[-1] + end - start)
    return {
        "years": (first_year, last_year),
        "ordinals": ordinals,
        "closes": closes,
        "hours_opens": opens_us,
        "hours_closes": closes_us,
        "hours_cum": cum[:-1],
        "hours_ends": cum[1:],
        "hours_total": cum[-1],
        "range_start": first_instant_s(zone, first, 0) * US,
        "range_end": first_instant_s(zone, last + 1, 0) * US,
        "day_ends": [end * US for end in reference_instants_s(zone, ordinals, 1440)],
    }


def built(tables: Tables) -> dict[str, Any]:
    """The same tables, from the fast build."""
    found = {name: getattr(tables, name) for name in reference_fields if name != "day_ends"}
    found["day_ends"] = tables.day_ends()
    return found


reference_fields = (
    "years",
    "ordinals",
    "closes",
    "hours_opens",
    "hours_closes",
    "hours_cum",
    "hours_ends",
    "hours_total",
    "range_start",
    "range_end",
    "day_ends",
)


def assert_same_tables(calendar: WorkingCalendar) -> None:
    expected = reference_tables(calendar)
    found = built(build_tables(calendar))
    for name in reference_fields:
        assert found[name] == expected[name], name
        if isinstance(expected[name], list):  # ints, not floats or bools that compare equal
            assert all(type(value) is int for value in found[name]), name


# -- calendars ----------------------------------------------------------------------------------


def clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


@st.composite
def calendars(draw: st.DrawFn, countries: bool = False) -> WorkingCalendar:
    """Random calendars: any zone, any shape of hours (times near midnight, 24/7, several
    intervals, per weekday), closures and extra working days, 1 to 15 years in 1990-2100."""
    first = draw(st.integers(1990, 2100))
    last = draw(st.integers(first, min(first + 14, 2100)))
    some_days = st.lists(st.dates(date(first, 1, 1), date(last, 12, 31)), max_size=6)
    closures = draw(some_days)
    extra = [day for day in draw(some_days) if day not in closures]
    settings: dict[str, Any] = {
        "timezone": draw(zones),
        "closures": closures,
        "extra_working_days": extra,
        "first_year": first,
        "last_year": last,
    }
    if countries and draw(st.booleans()):
        settings["country"] = draw(st.sampled_from(("GB", "US", "DE", "NZ", "IN")))
    if draw(st.booleans()):
        near_midnight = st.integers(0, 90) | st.integers(1350, 1439) | st.integers(0, 1439)
        opens = draw(near_midnight)
        closes = draw(st.integers(opens + 1, min(opens + 600, 1440)) | st.just(1440))
        settings.update(
            opens=clock(opens),
            closes=clock(closes),
            weekdays=draw(st.sets(st.integers(0, 6), min_size=1)),
        )
    else:
        settings["hours"] = draw(weeks())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # India's incomplete lunar holidays warn
        return WorkingCalendar(**settings)


# -- the properties -----------------------------------------------------------------------------


@settings(max_examples=300)
@given(
    zone=zones,
    first=st.integers(1990, 2100),
    span=st.integers(0, 15 * 366),
    share=st.integers(1, 7),
    minute=st.integers(0, 1440) | st.sampled_from((0, 30, 60, 90, 120, 150, 180, 1439, 1440)),
    data=st.data(),
)
def test_wall_instants_are_first_instant_s_of_each_day(
    zone: str, first: int, span: int, share: int, minute: int, data: st.DataObject
) -> None:
    start = date(first, 1, 1).toordinal()
    every = list(range(start, start + span + 1))
    ordinals = every if share == 7 else [o for o in every if o % 7 < share]
    if data.draw(st.booleans()):  # a few days here and there, far apart
        ordinals = sorted(data.draw(st.sets(st.sampled_from(every), max_size=20)))
    tz = ZoneInfo(zone)
    expected = reference_instants_s(tz, ordinals, minute)
    assert wall_instants_s(tz, ordinals, minute) == expected
    assert wall_instants_s(tz, ordinals, minute, US) == [instant * US for instant in expected]


@settings(max_examples=50)
@given(zone=zones, minute=st.integers(0, 1440), data=st.data())
def test_wall_instants_of_days_out_of_order_or_of_an_uncached_zone(
    zone: str, minute: int, data: st.DataObject
) -> None:
    """Days not in ascending order, or a zone not from the cache (its file unknown): the days
    are converted one by one, with the same instants."""
    start = date(data.draw(st.integers(1990, 2090)), 1, 1).toordinal()
    ordinals = data.draw(st.lists(st.integers(start, start + 3660), max_size=40))
    for tz in (ZoneInfo(zone), ZoneInfo.no_cache(zone)):
        assert wall_instants_s(tz, ordinals, minute) == reference_instants_s(tz, ordinals, minute)


def test_wall_instants_of_a_zone_built_from_a_file_are_converted_day_by_day() -> None:
    """A zone read from a file (under any key) is not the cache's zone of its key: its own
    file is unknown, so each day is converted by itself."""
    files = [Path(root, "Europe", "London") for root in TZPATH]
    files = [file for file in files if file.is_file()]
    data = (
        files[0] if files else resources.files("tzdata") / "zoneinfo/Europe/London"
    ).read_bytes()
    days = list(range(date(2020, 1, 1).toordinal(), date(2021, 1, 1).toordinal()))
    for key in ("Europe/London", "America/New_York", "no such zone", None):
        tz = ZoneInfo.from_file(io.BytesIO(data), key=key)
        assert _instants._changes_s(tz, 0, 1) is None
        assert wall_instants_s(tz, days, 90) == reference_instants_s(tz, days, 90)


@pytest.mark.parametrize(
    ("zone", "years"),
    [
        ("Europe/London", (1900, 1905)),
        ("America/New_York", (9995, 9998)),
        ("Australia/Lord_Howe", (9997, 9998)),
        ("Pacific/Apia", (1900, 1901)),
    ],
)
def test_tables_at_the_ends_of_the_years_a_calendar_takes(
    zone: str, years: tuple[int, int]
) -> None:
    hours = {"Mon-Sat": ["00:00-01:30", "02:00-02:30", "23:00-24:00"]}
    calendar = WorkingCalendar(timezone=zone, hours=hours, first_year=years[0], last_year=years[1])
    assert_same_tables(calendar)


def test_wall_instants_without_the_zones_data_are_converted_day_by_day(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Where the pure-Python zoneinfo cannot be read, every day is converted by itself."""
    tz = ZoneInfo("Europe/London")
    days = list(range(date(2020, 1, 1).toordinal(), date(2022, 1, 1).toordinal()))
    expected = reference_instants_s(tz, days, 90)
    monkeypatch.setattr(_instants, "_zone_data", lambda key: None)
    assert _instants._changes_s(tz, 0, 1) is None
    assert wall_instants_s(tz, days, 90) == expected


def test_a_missed_change_of_offset_is_caught_at_the_end_of_its_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Should the zone's data miss one change of offset, the run it falls in has different
    offsets at its ends, and is converted one day at a time: still the same instants."""
    tz = ZoneInfo("America/New_York")
    days = list(range(date(2020, 1, 1).toordinal(), date(2020, 7, 1).toordinal()))
    expected = reference_instants_s(tz, days, 120)
    monkeypatch.setattr(_instants, "_changes_s", lambda zone, low, high: [])
    assert wall_instants_s(tz, days, 120) == expected


@settings(max_examples=150)
@given(calendar=calendars())
def test_tables_are_those_of_the_plain_build(calendar: WorkingCalendar) -> None:
    assert_same_tables(calendar)


@settings(max_examples=30)
@given(calendar=calendars(countries=True))
def test_tables_with_public_holidays_are_those_of_the_plain_build(
    calendar: WorkingCalendar,
) -> None:
    try:
        expected = reference_tables(calendar)
    except CalendarRangeError:
        with pytest.raises(CalendarRangeError, match="country: the holidays package"):
            build_tables(calendar)
        return
    found = built(build_tables(calendar))
    assert found == expected


@pytest.mark.parametrize(
    ("zone", "hours", "years"),
    [
        # Samoa skipped 30 December 2011 whole: no working day, whatever its hours.
        ("Pacific/Apia", "24/7", (2011, 2012)),
        ("Pacific/Apia", {"Mon-Sun": ["00:00-00:30", "23:30-24:00"]}, (2011, 2011)),
        # Clocks change at midnight (Sao Paulo until 2019), at 02:00 (London), by 30 minutes
        # (Lord Howe), to +02 and back at 01:00 UTC (Troll), for Ramadan (Casablanca).
        ("America/Sao_Paulo", {"Mon-Sun": ["00:00-00:30", "12:00-24:00"]}, (2010, 2019)),
        ("Europe/London", {"Mon-Sun": ["01:00-01:30", "02:00-02:30"]}, (1995, 2005)),
        ("Europe/London", {"Sun": ["01:00-02:00"], "Mon": ["00:00-24:00"]}, (2090, 2100)),
        ("Australia/Lord_Howe", {"Mon-Sun": ["01:45-02:00", "02:00-02:15"]}, (2000, 2010)),
        ("Antarctica/Troll", {"Mon-Sun": ["00:59-01:01", "02:59-03:01"]}, (2005, 2015)),
        ("Africa/Casablanca", {"Mon-Sun": ["01:59-02:01", "02:59-03:01"]}, (2010, 2024)),
        ("America/St_Johns", {"Mon-Fri": ["00:01-00:02", "23:59-24:00"]}, (2005, 2015)),
    ],
)
def test_tables_on_days_of_clock_changes(zone: str, hours: Any, years: tuple[int, int]) -> None:
    calendar = WorkingCalendar(timezone=zone, hours=hours, first_year=years[0], last_year=years[1])
    assert_same_tables(calendar)


def test_a_day_skipped_whole_is_no_working_day() -> None:
    calendar = WorkingCalendar(
        timezone="Pacific/Apia", hours="24/7", first_year=2011, last_year=2011
    )
    tables = build_tables(calendar)
    assert date(2011, 12, 30).toordinal() not in tables.ordinals
    assert date(2011, 12, 29).toordinal() + 2 in tables.ordinals
    assert_same_tables(calendar)


def test_uk_statutory_tables_over_1990_2100_are_those_of_the_plain_build() -> None:
    """The customer-service-standards ruleset's calendar, over its full years (under a second:
    in the fast lane too)."""
    calendar = WorkingCalendar(
        timezone="Europe/London",
        country="GB",
        subdivision=["ENG", "NIR", "SCT", "WLS"],
        opens="09:00",
        closes="17:00",
    )
    assert calendar.first_year == 1990 and calendar.last_year == 2100
    assert_same_tables(calendar)


def test_the_closing_instant_is_one_int_object_in_both_tables() -> None:
    """Each day's closing instant is shared by ``closes`` and ``hours_closes`` (they are large)."""
    calendar = WorkingCalendar(timezone="Europe/London", first_year=2020, last_year=2021)
    tables = build_tables(calendar)
    assert all(a is b for a, b in zip(tables.closes, tables.hours_closes, strict=True))
    split = WorkingCalendar(
        timezone="Europe/London", hours={"Mon-Fri": ["09:00-12:00", "13:00-17:00"]}
    )
    tables = build_tables(split)
    assert all(a is b for a, b in zip(tables.closes, tables.hours_closes[1::2], strict=True))


def test_tables_refuse_unequal_interval_lists() -> None:
    with pytest.raises(ValueError, match="differ in length"):
        Tables(ZoneInfo("UTC"), (2020, 2020), [], [], [1], [], 0, 1)


def test_the_day_by_day_rows_are_those_of_the_joined_columns() -> None:
    """The two ways the build assembles its tables agree where both apply."""
    calendar = WorkingCalendar(
        timezone="America/New_York",
        hours={"Mon-Thu": ["08:00-12:00", "13:00-17:30"], "Fri": ["08:00-15:00"]},
        first_year=2015,
        last_year=2020,
    )
    zone = calendar._zone
    days = [list(range(735599, 737790, 3)), list(range(735600, 737790, 3))]
    columns = [
        (days[0], [wall_instants_s(zone, days[0], m, US) for m in (480, 720, 780, 1050)]),
        (days[1], [wall_instants_s(zone, days[1], m, US) for m in (480, 900)]),
    ]
    assert _tables._joined(columns) == _tables._rows(zone, columns)
