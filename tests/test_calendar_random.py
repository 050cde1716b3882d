"""WorkingCalendar properties on random calendars, in zones with awkward clock changes.

Opening hours are drawn freely, in every shape (one interval, several a day, different on each
weekday, around the clock), so they often fall on a skipped or repeated local time (clocks
changing at midnight in Sao Paulo, half an hour on Lord Howe, Morocco's Ramadan changes, a whole
skipped day in Samoa). No reference model is needed for these properties.
"""

from __future__ import annotations

import itertools
import json
import pickle
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from opening_hours_strategies import weeks
from qse_customer.core.calendar import WorkingCalendar
from qse_customer.core.errors import CalendarError

ZONES = (
    "Europe/London",
    "America/Sao_Paulo",
    "Australia/Lord_Howe",
    "Africa/Casablanca",
    "Pacific/Apia",
    "Pacific/Chatham",
    "Asia/Tehran",
    "America/St_Johns",
)
MICROSECOND = timedelta(microseconds=1)


@st.composite
def calendars(draw: st.DrawFn) -> WorkingCalendar:
    """Random calendars: opening hours as opens/closes/weekdays, or any shape of ``hours``."""
    first = draw(st.integers(2005, 2016))
    zone = draw(st.sampled_from(ZONES))
    if draw(st.booleans()):
        opens = draw(st.integers(0, 23 * 60 + 58))
        closes = draw(st.integers(opens + 1, 24 * 60))
        return WorkingCalendar(
            timezone=zone,
            opens=f"{opens // 60:02d}:{opens % 60:02d}",
            closes=f"{closes // 60:02d}:{closes % 60:02d}",
            weekdays=draw(st.sets(st.integers(0, 6), min_size=1)),
            first_year=first,
            last_year=first + 3,
        )
    # An extra working day may fall on a weekday without hours (it opens the first weekday's).
    extra = draw(st.lists(st.dates(date(first, 1, 1), date(first + 3, 12, 31)), max_size=3))
    return WorkingCalendar(
        timezone=zone,
        hours=draw(weeks()),
        extra_working_days=extra,
        first_year=first,
        last_year=first + 3,
    )


@st.composite
def instants(draw: st.DrawFn, calendar: WorkingCalendar) -> datetime:
    first, last = calendar.years
    low = datetime(first, 1, 3, tzinfo=UTC)
    high = datetime(last - 1, 12, 31, tzinfo=UTC)
    micros = draw(st.integers(0, (high - low) // MICROSECOND))
    return low + timedelta(microseconds=micros)


fractions = st.integers(0, 1_000_000)


@settings(max_examples=150)
@given(data=st.data(), calendar=calendars(), share=fractions, extra=fractions)
def test_working_hours_on_random_calendars(
    data: st.DataObject, calendar: WorkingCalendar, share: int, extra: int
) -> None:
    start, other = sorted((data.draw(instants(calendar)), data.draw(instants(calendar))))
    # Working time that fits before the calendar's data ends (some calendars open a minute a week).
    horizon = datetime(calendar.years[1], 12, 30, tzinfo=UTC)
    available = calendar.working_time_between(other, horizon) // MICROSECOND // 2
    amount = timedelta(microseconds=available * share // 1_000_000)
    more = timedelta(microseconds=available * extra // 1_000_000)
    due = calendar.add_working_hours(start, amount)
    assert due >= start
    assert calendar.working_time_between(start, due) == amount
    assert calendar.add_working_hours(start, amount + more) >= due
    assert calendar.add_working_hours(other, amount) >= due
    if amount:
        # Inside opening hours, or exactly at closing time (the end of an open stretch).
        assert calendar.is_open(due) or calendar.is_open(due - MICROSECOND)
    else:
        assert calendar.is_open(due) and due == calendar.next_opening(start)
    if calendar.is_open(other) and calendar.is_open(other - MICROSECOND):
        assert calendar.add_working_hours(start, calendar.working_time_between(start, other)) == (
            other
        )
    seconds, whole = int(start.timestamp()), amount // timedelta(seconds=1)
    scalar = calendar.add_working_hours(
        datetime.fromtimestamp(seconds, UTC), timedelta(seconds=whole)
    )
    assert calendar.add_working_hours_batch([seconds], [whole]) == [int(scalar.timestamp())]


@settings(max_examples=150)
@given(data=st.data(), calendar=calendars(), days=st.integers(0, 30))
def test_working_days_on_random_calendars(
    data: st.DataObject, calendar: WorkingCalendar, days: int
) -> None:
    start = data.draw(instants(calendar))
    zone = ZoneInfo(calendar.timezone)
    for mode in ("next_day", "same_day"):
        due = calendar.add_working_days(start, days, after_closing=mode)
        effective = calendar.effective_receipt_day(start, after_closing=mode)
        assert calendar.is_working_day(effective)
        assert effective >= start.astimezone(zone).date()
        # The deadline is a closing instant: counting zero days from just before it gives it.
        assert calendar.add_working_days(due - MICROSECOND, 0) == due
        assert calendar.effective_receipt_day(due - MICROSECOND) <= due.astimezone(zone).date()
        if days:
            assert due > start
            assert calendar.add_working_days(start, days - 1, after_closing=mode) < due
        seconds = int(start.timestamp())
        batch = calendar.add_working_days_batch([seconds], days, after_closing=mode)
        scalar = calendar.add_working_days(
            datetime.fromtimestamp(seconds, UTC), days, after_closing=mode
        )
        assert batch == [int(scalar.timestamp())]


@settings(max_examples=150)
@given(calendar=calendars())
def test_settings_round_trip_for_every_shape_of_opening_hours(calendar: WorkingCalendar) -> None:
    data = json.loads(json.dumps(calendar.to_dict()))
    assert WorkingCalendar.from_dict(data) == calendar
    assert hash(WorkingCalendar.from_dict(data)) == hash(calendar)
    assert pickle.loads(pickle.dumps(calendar)) == calendar
    namespace = {"WorkingCalendar": WorkingCalendar, "datetime": __import__("datetime")}
    assert eval(repr(calendar), namespace) == calendar
    # However the hours were written, the canonical hours rebuild the same calendar.
    rebuilt = {**calendar.to_dict(), "hours": calendar.hours}
    for field in ("opens", "closes", "weekdays"):
        rebuilt.pop(field, None)
    assert WorkingCalendar.from_dict(rebuilt) == calendar
    assert calendar.weekdays == tuple(
        day for day in range(7) if any(key_days(key, day) for key in calendar.hours)
    )


def key_days(key: str, day: int) -> bool:
    names = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    first, _, last = key.partition("-")
    return names.index(first) <= day <= names.index(last or first)


@settings(max_examples=100)
@given(data=st.data(), calendar=calendars())
def test_open_inside_a_working_days_intervals_and_closed_between_them(
    data: st.DataObject, calendar: WorkingCalendar
) -> None:
    first, last = calendar.years
    day = data.draw(st.dates(date(first, 1, 2), date(last, 12, 30)))
    zone = ZoneInfo(calendar.timezone)
    midnight = datetime.combine(day, datetime.min.time(), tzinfo=zone)
    next_midnight = datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=zone)
    assume(midnight.utcoffset() == next_midnight.utcoffset())  # no clock change that day
    hours = calendar.opening_hours(day)
    assert bool(hours) == calendar.is_working_day(day)
    edges = [(midnight + minutes(opens), midnight + minutes(closes)) for opens, closes in hours]
    for opens, closes in edges:
        assert calendar.is_open(opens) and calendar.is_open(closes - MICROSECOND)
        assert calendar.next_opening(opens) == opens
    for (_, closed), (reopens, _) in itertools.pairwise(edges):
        assert not calendar.is_open(closed) and not calendar.is_open(reopens - MICROSECOND)
        assert calendar.next_opening(closed) == reopens
    if not hours:
        assert not any(calendar.is_open(midnight + k * DAY / 24) for k in range(1, 24))


DAY = timedelta(days=1)


def minutes(clock: str) -> timedelta:
    return timedelta(hours=int(clock[:2]), minutes=int(clock[3:]))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=12,
)
hour_like = st.sampled_from(
    ["Mon", "Mon-Fri", "Fri-Mon", "Sun", "mon", "Sat-Sun", "08:00-12:00", "12:00-08:00", "24/7"]
)


@settings(max_examples=300)
@given(
    hours=json_values
    | st.dictionaries(hour_like, json_values | hour_like | st.lists(hour_like, max_size=3))
)
def test_any_json_as_hours_builds_a_calendar_or_is_refused_with_a_calendar_error(
    hours: object,
) -> None:
    try:
        calendar = WorkingCalendar.from_dict(
            {"hours": hours, "first_year": 2024, "last_year": 2024}
        )
    except CalendarError as error:
        assert str(error).startswith("hours")
    else:
        assert WorkingCalendar.from_dict(calendar.to_dict()) == calendar
