"""WorkingCalendar properties, against numpy.busday_offset and a day-by-day reference model.

The reference model walks the calendar one local day at a time, with holidays taken straight
from the holidays package and each day's opening intervals (written out in ``WEEKS``, not read
from the calendar) converted with zoneinfo: slow, but obviously right for the zones and hours
used here (no opening or closing time is ever skipped or repeated). The calendars have every
shape of opening hours: one interval on weekdays, a lunch closure and a Saturday morning clinic,
split shifts that differ by weekday, and a core laboratory open around the clock.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import Literal
from zoneinfo import ZoneInfo

import holidays
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qse_customer.core.calendar import WorkingCalendar
from qse_customer.core.errors import CalendarError, CalendarRangeError

Hours = list[tuple[str, str]]
LUNCH: Hours = [("08:00", "12:30"), ("13:30", "17:00")]
SHIFTS: Hours = [("06:00", "14:00"), ("14:30", "22:30")]
WEEKS: dict[str, list[Hours]] = {
    "GB-split": [LUNCH] * 5 + [[("09:00", "12:00")], []],
    "US-shifts": [SHIFTS] * 4
    + [[("06:00", "14:00")], [], [("10:00", "12:00"), ("16:00", "18:00")]],
    "DE-clinic": [
        [("07:00", "12:00"), ("13:00", "18:00")],
        [],
        [("07:00", "15:30")],
        [("07:00", "15:30")],
        [("07:00", "12:00")],
        [],
        [],
    ],
    "core-lab": [[("00:00", "24:00")]] * 7,
}

CALENDARS = {
    "GB-ENG": WorkingCalendar(timezone="Europe/London", country="GB", subdivision="ENG"),
    "GB-any": WorkingCalendar(
        timezone="Europe/London", country="GB", subdivision=("ENG", "NIR", "SCT", "WLS")
    ),
    "US": WorkingCalendar(timezone="America/New_York", country="US", opens="08:30", closes="17:30"),
    "DE-BY": WorkingCalendar(
        timezone="Europe/Berlin",
        country="DE",
        subdivision="BY",
        opens="07:00",
        closes="15:30",
        weekdays=(0, 1, 2, 3, 4, 5),
        closures=[date(2030, 12, 23), date(2030, 12, 24)],
    ),
    "Lord_Howe": WorkingCalendar(
        timezone="Australia/Lord_Howe", weekdays=(0, 2, 3, 6), opens="08:00", closes="17:00"
    ),
    "Kolkata": WorkingCalendar(timezone="Asia/Kolkata", opens="10:00", closes="18:30"),
    "GB-split": WorkingCalendar(
        timezone="Europe/London",
        country="GB",
        subdivision="ENG",
        hours={"Mon-Fri": ["08:00-12:30", "13:30-17:00"], "Sat": "09:00-12:00"},
    ),
    "US-shifts": WorkingCalendar(
        timezone="America/New_York",
        country="US",
        hours={
            "Mon-Thu": ["06:00-14:00", "14:30-22:30"],
            "Fri": ["06:00-14:00"],
            "Sun": ["16:00-18:00", "10:00-12:00"],
        },
    ),
    "DE-clinic": WorkingCalendar(
        timezone="Europe/Berlin",
        country="DE",
        subdivision="BY",
        hours={
            "Mon": ["07:00-12:00", "13:00-18:00"],
            "Wed-Thu": ["07:00-11:00", "11:00-15:30"],  # touching: one interval
            "Fri": "07:00-12:00",
        },
        closures=[date(2030, 12, 23)],
        extra_working_days=[date(2031, 1, 4), date(2031, 1, 7)],  # a Saturday, a Tuesday
    ),
    "core-lab": WorkingCalendar.around_the_clock(timezone="Europe/London"),
}
NAMES = sorted(CALENDARS)
# Calendars numpy can express (a weekmask and holidays, no extra working days) with holidays.
ORACLE = ("GB-ENG", "GB-any", "US", "DE-BY", "GB-split", "US-shifts", "core-lab")

FIRST, LAST = date(1995, 1, 1), date(2095, 12, 31)
Mode = Literal["next_day", "same_day"]
modes: st.SearchStrategy[Mode] = st.sampled_from(("next_day", "same_day"))


# --- the reference model --------------------------------------------------------------------------


def week(name: str) -> list[Hours]:
    """Each weekday's opening intervals, Monday first."""
    if name in WEEKS:
        return WEEKS[name]
    calendar = CALENDARS[name]
    return [[(calendar.opens, calendar.closes)] if d in calendar.weekdays else [] for d in range(7)]


@cache
def holiday_dates(name: str) -> frozenset[date]:
    calendar = CALENDARS[name]
    if calendar.country is None:
        return frozenset()
    found: set[date] = set()
    for code in calendar.subdivision or (None,):
        found.update(
            holidays.country_holidays(calendar.country, subdiv=code, years=range(1990, 2101))
        )
    return frozenset(found)


def working(name: str, day: date) -> bool:
    calendar = CALENDARS[name]
    if day in calendar.extra_working_days:
        return True
    return (
        bool(week(name)[day.weekday()])
        and day not in holiday_dates(name)
        and day not in calendar.closures
    )


def day_hours(name: str, day: date) -> Hours:
    """The opening intervals of a working day: its weekday's, or (an extra working day on a
    weekday without hours) those of the first weekday with hours."""
    if not working(name, day):
        return []
    return week(name)[day.weekday()] or next(hours for hours in week(name) if hours)


def closing(name: str, day: date) -> str:
    return day_hours(name, day)[-1][1]


def before(local: datetime, clock: str) -> bool:
    """Whether a local time is before ``clock`` (``24:00`` is after every time of the day)."""
    return clock == "24:00" or local.time() < time.fromisoformat(clock)


def next_working(name: str, day: date) -> date:
    day += timedelta(days=1)
    while not working(name, day):
        day += timedelta(days=1)
    return day


def wall(name: str, day: date, clock: str) -> datetime:
    zone = ZoneInfo(CALENDARS[name].timezone)
    if clock == "24:00":
        day, clock = day + timedelta(days=1), "00:00"
    return datetime.combine(day, time.fromisoformat(clock), tzinfo=zone).astimezone(UTC)


def reference_days(name: str, start: datetime, days: int, mode: Mode) -> datetime:
    calendar = CALENDARS[name]
    local = start.astimezone(ZoneInfo(calendar.timezone))
    day = local.date()
    if not (working(name, day) and (mode == "same_day" or before(local, closing(name, day)))):
        day = next_working(name, day)
    for _ in range(days):
        day = next_working(name, day)
    return wall(name, day, closing(name, day))


def reference_hours(name: str, start: datetime, amount: timedelta) -> datetime:
    calendar = CALENDARS[name]
    day = start.astimezone(ZoneInfo(calendar.timezone)).date() - timedelta(days=1)
    now = start
    while True:
        for opening, closing_time in day_hours(name, day):
            opens, closes = wall(name, day, opening), wall(name, day, closing_time)
            if closes > now:
                begin = max(now, opens)
                if amount == timedelta(0) or amount <= closes - begin:
                    return begin + amount
                amount -= closes - begin
                now = closes
        day += timedelta(days=1)


def closing_instants(name: str, at: datetime) -> set[datetime]:
    """The closing instants of the intervals of the working days around ``at``."""
    local = at.astimezone(ZoneInfo(CALENDARS[name].timezone)).date()
    return {
        wall(name, day, closes)
        for day in (local - timedelta(days=1), local)
        for _, closes in day_hours(name, day)
    }


@cache
def busdaycalendar(name: str) -> np.busdaycalendar:
    calendar = CALENDARS[name]
    weekmask = [1 if hours else 0 for hours in week(name)]
    closed = sorted(holiday_dates(name) | set(calendar.closures))
    return np.busdaycalendar(weekmask=weekmask, holidays=np.array(closed, dtype="datetime64[D]"))


@contextmanager
def without_numpy() -> Iterator[None]:
    """Make ``import numpy`` fail, as on an install without the optional dependency."""
    saved = sys.modules.get("numpy")
    sys.modules["numpy"] = None  # type: ignore[assignment]
    try:
        yield
    finally:
        if saved is None:
            del sys.modules["numpy"]
        else:
            sys.modules["numpy"] = saved


# --- strategies -----------------------------------------------------------------------------------


@st.composite
def instants(draw: st.DrawFn, name: str) -> datetime:
    """Aware instants 1995-2095, often exactly at (or a microsecond around) an opening or a
    closing time of the calendar's week."""
    calendar = CALENDARS[name]
    zone = ZoneInfo(calendar.timezone)
    day = draw(st.dates(FIRST, LAST))
    edges = sorted({clock for hours in week(name) for interval in hours for clock in interval})
    near = draw(st.sampled_from((None, *edges)))
    if near is None:
        local = datetime.combine(day, draw(st.times()), tzinfo=zone)
    else:
        nudge = draw(st.sampled_from((0, 0, 1, -1, 1_000_000, -1_000_000)))
        local = wall(name, day, near).astimezone(zone) + timedelta(microseconds=nudge)
    return local.astimezone(draw(st.sampled_from((UTC, zone))))


@st.composite
def open_instants(draw: st.DrawFn, name: str) -> datetime:
    """Instants strictly inside an opening interval of a working day."""
    day = draw(st.dates(FIRST, LAST).filter(lambda d: working(name, d)))
    opening, closing_time = draw(st.sampled_from(day_hours(name, day)))
    opens, closes = wall(name, day, opening), wall(name, day, closing_time)
    span = (closes - opens) // timedelta(microseconds=1)
    return opens + timedelta(microseconds=draw(st.integers(1, span - 1)))


working_time = st.integers(0, 120 * 3_600_000_000).map(lambda us: timedelta(microseconds=us))
calendar_names = st.sampled_from(NAMES)


# --- working days ---------------------------------------------------------------------------------


@settings(max_examples=200)
@given(data=st.data(), name=st.sampled_from(ORACLE), days=st.integers(0, 400), mode=modes)
def test_working_days_agree_with_numpy_busday_offset(
    data: st.DataObject, name: str, days: int, mode: Mode
) -> None:
    calendar = CALENDARS[name]
    start = data.draw(instants(name))
    local = start.astimezone(ZoneInfo(calendar.timezone))
    day = local.date()
    hours = week(name)[day.weekday()]
    if mode == "next_day" and hours and not before(local, hours[-1][1]):
        day += timedelta(days=1)
    expected = np.busday_offset(
        np.datetime64(day, "D"), days, roll="forward", busdaycal=busdaycalendar(name)
    )
    due = calendar.add_working_days(start, days, after_closing=mode)
    # The deadline ends its working day (a closing time of 24:00 is the next day's midnight).
    deadline_day = (due - timedelta(microseconds=1)).astimezone(ZoneInfo(calendar.timezone)).date()
    assert np.datetime64(deadline_day, "D") == expected
    effective = calendar.effective_receipt_day(start, after_closing=mode)
    assert np.datetime64(effective, "D") == np.busday_offset(
        np.datetime64(day, "D"), 0, roll="forward", busdaycal=busdaycalendar(name)
    )


@settings(max_examples=200)
@given(data=st.data(), name=calendar_names, days=st.integers(0, 60), mode=modes)
def test_a_working_days_deadline_is_closing_time_on_a_working_day(
    data: st.DataObject, name: str, days: int, mode: Mode
) -> None:
    calendar = CALENDARS[name]
    start = data.draw(instants(name))
    due = calendar.add_working_days(start, days, after_closing=mode)
    assert due == reference_days(name, start, days, mode)
    assert due.tzinfo is UTC
    local = due.astimezone(ZoneInfo(calendar.timezone))
    # Closing time (the end of the last interval) on a working day: on it, or the midnight after.
    day = local.date() if local.time() != time(0) else local.date() - timedelta(days=1)
    assert calendar.is_working_day(day)
    assert due == wall(name, day, closing(name, day))
    assert calendar.opening_hours(day)[-1][1] == closing(name, day)
    if mode == "next_day" or days > 0:
        assert due > start
    else:  # same_day counts a receipt after closing as that day: zero days may already be past
        assert due.date() >= start.astimezone(ZoneInfo(calendar.timezone)).date()
    if days > 0:
        assert calendar.add_working_days(start, days - 1, after_closing=mode) < due


@settings(max_examples=100)
@given(data=st.data(), name=calendar_names, days=st.integers(0, 60))
def test_working_days_are_monotonic_in_the_start(data: st.DataObject, name: str, days: int) -> None:
    calendar = CALENDARS[name]
    first, second = sorted((data.draw(instants(name)), data.draw(instants(name))))
    assert calendar.add_working_days(first, days) <= calendar.add_working_days(second, days)


@settings(max_examples=150)
@given(name=st.sampled_from(ORACLE), first=st.dates(date(1995, 1, 1), date(2090, 12, 31)),
       span=st.integers(-30, 40_000))  # fmt: skip
def test_working_days_after_agrees_with_numpy_busday_count(
    name: str, first: date, span: int
) -> None:
    calendar = CALENDARS[name]
    last = min(first + timedelta(days=span), date(2099, 12, 31))
    counted = calendar.working_days_after(first, last)
    if last <= first:
        assert counted == 0
        return
    one = timedelta(days=1)
    expected = np.busday_count(
        np.datetime64(first + one, "D"), np.datetime64(last + one, "D"),
        busdaycal=busdaycalendar(name),
    )  # fmt: skip
    assert counted == expected
    assert calendar.working_days_after(first, first) == 0
    assert counted == calendar.working_days_after(first, last - one) + calendar.is_working_day(last)


def test_working_days_after_refuses_what_is_not_a_date_or_outside_the_years() -> None:
    calendar = CALENDARS["GB-ENG"]
    with pytest.raises(CalendarError, match="last: expected a date"):
        calendar.working_days_after(date(2026, 1, 1), datetime(2026, 2, 1, tzinfo=UTC))  # type: ignore[arg-type]
    with pytest.raises(CalendarRangeError, match="first: 1980-01-01 is outside"):
        calendar.working_days_after(date(1980, 1, 1), date(2026, 1, 1))


@settings(max_examples=150)
@given(data=st.data(), name=calendar_names)
def test_next_working_day_at_is_that_time_on_the_next_working_day(
    data: st.DataObject, name: str
) -> None:
    calendar = CALENDARS[name]
    start = data.draw(instants(name))
    local_day = start.astimezone(ZoneInfo(calendar.timezone)).date()
    assert calendar.next_working_day_at(start, "11:45") == wall(
        name, next_working(name, local_day), "11:45"
    )


# --- working hours --------------------------------------------------------------------------------


@settings(max_examples=200)
@given(data=st.data(), name=calendar_names, amount=working_time)
def test_working_hours_agree_with_the_reference_model(
    data: st.DataObject, name: str, amount: timedelta
) -> None:
    calendar = CALENDARS[name]
    start = data.draw(instants(name))
    due = calendar.add_working_hours(start, amount)
    assert due == reference_hours(name, start, amount)
    assert due >= start and due.tzinfo is UTC
    if amount == timedelta(0):
        assert calendar.is_open(due)
        assert due == calendar.next_opening(start)
    else:  # inside opening hours, or exactly at the closing time of an interval
        assert calendar.is_open(due) or due in closing_instants(name, due)


@settings(max_examples=150)
@given(data=st.data(), name=calendar_names, amount=working_time, more=working_time)
def test_working_hours_are_monotonic_in_start_and_hours(
    data: st.DataObject, name: str, amount: timedelta, more: timedelta
) -> None:
    calendar = CALENDARS[name]
    first, second = sorted((data.draw(instants(name)), data.draw(instants(name))))
    assert calendar.add_working_hours(first, amount) <= calendar.add_working_hours(second, amount)
    assert calendar.add_working_hours(first, amount) <= calendar.add_working_hours(
        first, amount + more
    )


@settings(max_examples=200)
@given(data=st.data(), name=calendar_names, amount=working_time)
def test_working_time_between_inverts_add_working_hours(
    data: st.DataObject, name: str, amount: timedelta
) -> None:
    calendar = CALENDARS[name]
    start = data.draw(instants(name))  # any start, open or closed
    assert calendar.working_time_between(start, calendar.add_working_hours(start, amount)) == amount


@settings(max_examples=200)
@given(data=st.data(), name=calendar_names)
def test_add_working_hours_inverts_working_time_between(data: st.DataObject, name: str) -> None:
    calendar = CALENDARS[name]
    end = data.draw(open_instants(name))
    start = data.draw(instants(name).filter(lambda s: s <= end))
    assert calendar.add_working_hours(start, calendar.working_time_between(start, end)) == end
    # The interval's closing time is reached too: a deadline that lands on it stays on it.
    closes = min(instant for instant in closing_instants(name, end) if instant > end)
    assert calendar.add_working_hours(start, calendar.working_time_between(start, closes)) == closes


@settings(max_examples=150)
@given(data=st.data(), name=calendar_names)
def test_working_time_between_is_antisymmetric_and_additive(data: st.DataObject, name: str) -> None:
    calendar = CALENDARS[name]
    a, b, c = (data.draw(instants(name)) for _ in range(3))
    between = calendar.working_time_between
    assert between(a, b) == -between(b, a)
    assert between(a, b) + between(b, c) == between(a, c)
    if a <= b:
        assert timedelta(0) <= between(a, b) <= b.astimezone(UTC) - a.astimezone(UTC)


# --- around the clock -----------------------------------------------------------------------------


@settings(max_examples=150)
@given(data=st.data(), amount=working_time, days=st.integers(0, 400))
def test_around_the_clock_working_time_is_elapsed_time_and_every_day_counts(
    data: st.DataObject, amount: timedelta, days: int
) -> None:
    calendar = CALENDARS["core-lab"]
    start, other = data.draw(instants("core-lab")), data.draw(instants("core-lab"))
    assert calendar.is_open(start)
    assert calendar.add_working_hours(start, amount) == start.astimezone(UTC) + amount
    assert calendar.working_time_between(start, other) == other.astimezone(UTC) - start.astimezone(
        UTC
    )
    local = start.astimezone(ZoneInfo(calendar.timezone)).date()
    assert calendar.effective_receipt_day(start) == local
    assert calendar.add_working_days(start, days) == wall(
        "core-lab", local + timedelta(days), "24:00"
    )


# --- batches --------------------------------------------------------------------------------------


def epoch_seconds(moments: list[datetime]) -> list[int]:
    return [int(moment.timestamp()) for moment in moments]


@settings(max_examples=100)
@given(
    data=st.data(),
    name=calendar_names,
    mode=modes,
    size=st.integers(0, 30),
)
def test_days_batch_equals_scalar(data: st.DataObject, name: str, mode: Mode, size: int) -> None:
    calendar = CALENDARS[name]
    starts = epoch_seconds([data.draw(instants(name)) for _ in range(size)])
    days = data.draw(st.lists(st.integers(0, 500), min_size=size, max_size=size))
    expected = [
        int(
            calendar.add_working_days(
                datetime.fromtimestamp(s, UTC), n, after_closing=mode
            ).timestamp()
        )
        for s, n in zip(starts, days, strict=True)
    ]
    assert calendar.add_working_days_batch(starts, days, after_closing=mode) == expected
    as_array = calendar.add_working_days_batch(
        np.array(starts, dtype=np.int64), np.array(days), after_closing=mode
    )
    assert as_array.dtype.kind == "i" and as_array.tolist() == expected
    with without_numpy():
        assert calendar.add_working_days_batch(starts, days, after_closing=mode) == expected
    if size:
        one = calendar.add_working_days_batch(starts, days[0], after_closing=mode)
        assert one == [
            calendar.add_working_days_batch([s], [days[0]], after_closing=mode)[0] for s in starts
        ]


@settings(max_examples=100)
@given(data=st.data(), name=calendar_names, size=st.integers(0, 30))
def test_hours_batch_equals_scalar(data: st.DataObject, name: str, size: int) -> None:
    calendar = CALENDARS[name]
    starts = epoch_seconds([data.draw(instants(name)) for _ in range(size)])
    seconds = data.draw(st.lists(st.integers(0, 200 * 3600), min_size=size, max_size=size))
    expected = [
        int(
            calendar.add_working_hours(
                datetime.fromtimestamp(s, UTC), timedelta(seconds=h)
            ).timestamp()
        )
        for s, h in zip(starts, seconds, strict=True)
    ]
    assert calendar.add_working_hours_batch(starts, seconds) == expected
    as_array = calendar.add_working_hours_batch(
        np.array(starts, dtype=np.int64), np.array(seconds, dtype=np.int64)
    )
    assert as_array.dtype.kind == "i" and as_array.tolist() == expected
    with without_numpy():
        assert calendar.add_working_hours_batch(starts, seconds) == expected


@settings(max_examples=100)
@given(data=st.data(), name=calendar_names, size=st.integers(1, 20))
def test_batches_of_float_seconds_agree_to_the_microsecond(
    data: st.DataObject, name: str, size: int
) -> None:
    calendar = CALENDARS[name]
    moments = [data.draw(instants(name)) for _ in range(size)]
    micros = [
        (moment - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)
        for moment in moments
    ]
    starts = [us / 1e6 for us in micros]
    seconds = data.draw(st.lists(st.integers(0, 10**11), min_size=size, max_size=size))
    amounts = [us / 1e6 for us in seconds]
    expected_hours = [
        calendar.add_working_hours(moment, timedelta(microseconds=us)).timestamp()
        for moment, us in zip(moments, seconds, strict=True)
    ]
    expected_days = [calendar.add_working_days(moment, 3).timestamp() for moment in moments]
    assert calendar.add_working_hours_batch(starts, amounts) == expected_hours
    assert calendar.add_working_hours_batch(np.array(starts), np.array(amounts)).tolist() == (
        expected_hours
    )
    assert calendar.add_working_days_batch(starts, 3) == expected_days
    with without_numpy():
        assert calendar.add_working_hours_batch(starts, amounts) == expected_hours
        assert calendar.add_working_days_batch(starts, 3) == expected_days
    # Whole starts with fractional working time give floats.
    whole = [int(s) for s in starts]
    assert all(isinstance(v, float) for v in calendar.add_working_hours_batch(whole, amounts))


def test_batch_errors_name_the_element() -> None:
    from qse_customer.core.errors import CalendarError, CalendarRangeError

    calendar = CALENDARS["GB-ENG"]
    good = int(datetime(2024, 5, 13, 10, tzinfo=UTC).timestamp())
    late = int(datetime(2100, 12, 30, 10, tzinfo=UTC).timestamp())
    for patch in (False, True):
        with without_numpy() if patch else nullcontext():
            with pytest.raises(CalendarRangeError, match=r"starts_epoch_seconds\[1\]"):
                calendar.add_working_days_batch([good, 10**10], 1)
            with pytest.raises(CalendarRangeError, match=r"starts_epoch_seconds\[2\]"):
                calendar.add_working_days_batch([good, good, late], 10)
            with pytest.raises(CalendarRangeError, match=r"starts_epoch_seconds\[1\]"):
                calendar.add_working_hours_batch([good, late], 3600 * 100)
            with pytest.raises(CalendarRangeError, match=r"starts_epoch_seconds\[1\]"):
                calendar.add_working_days_batch([good, good], [1, 2**62])
            with pytest.raises(CalendarRangeError, match="later last_year"):
                calendar.add_working_hours_batch([good, good], [1, 2**30])
            with pytest.raises(CalendarError, match="days"):
                calendar.add_working_days_batch([good], [-1])
            with pytest.raises(CalendarError, match="seconds"):
                calendar.add_working_hours_batch([good], [-1])
            with pytest.raises(CalendarError, match="days"):
                calendar.add_working_days_batch([good, good], [1, 2, 3])
            with pytest.raises(CalendarError, match="starts_epoch_seconds"):
                calendar.add_working_days_batch([float("nan")], 1)
            with pytest.raises(CalendarError, match="after_closing"):
                calendar.add_working_days_batch([good], 1, after_closing="never")  # type: ignore[call-overload]
    assert calendar.add_working_days_batch([], 1) == []
    assert calendar.add_working_hours_batch(np.array([], dtype=np.int64), 5).size == 0


def test_long_horizons_cost_no_more_than_short_ones() -> None:
    import timeit

    calendar = CALENDARS["GB-any"]
    start = datetime(1995, 1, 2, 10, tzinfo=UTC)
    calendar.add_working_days(start, 1)  # build the tables
    short = min(timeit.repeat(lambda: calendar.add_working_days(start, 1), number=2000, repeat=5))
    long = min(
        timeit.repeat(lambda: calendar.add_working_days(start, 25_000), number=2000, repeat=5)
    )
    assert long < short * 3
    assert (
        calendar.working_time_between(start, datetime(2095, 12, 1, tzinfo=UTC))
        > timedelta(days=8000) / 3
    )
