"""The engine's calendar arithmetic on epoch microseconds gives the calendar's own answers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import qse_customer as qse
from qse_customer.analysis.periods import PeriodIndex, day_key
from qse_customer.core.timestamps import from_us, to_us
from qse_customer.rules._timeline import Timeline
from qse_customer.testing.strategies import aware_datetimes

LAB = qse.WorkingCalendar(
    timezone="Europe/London", country="GB", subdivision="ENG", opens="08:00", closes="17:00"
)
NIGHT = qse.WorkingCalendar(
    timezone="America/New_York", country="US", opens="22:00", closes="24:00"
)
# A lunch closure and a Saturday morning clinic; a core laboratory open around the clock.
CLINIC = qse.WorkingCalendar(
    timezone="Europe/London",
    country="GB",
    subdivision="ENG",
    hours={"Mon-Fri": ["08:00-12:30", "13:30-17:00"], "Sat": ["09:00-12:00"]},
)
CORE_LAB = qse.WorkingCalendar.around_the_clock(timezone="Europe/London")
CALENDARS = st.sampled_from([LAB, NIGHT, CLINIC, CORE_LAB])
INSTANTS = aware_datetimes(datetime(1995, 1, 1), datetime(2094, 1, 1))


@given(CALENDARS, INSTANTS, st.integers(0, 40), st.sampled_from(["next_day", "same_day"]))
def test_working_days_deadline_is_the_calendars(calendar, start, days, mode):
    timeline = Timeline(calendar)
    expected = calendar.add_working_days(start, days, after_closing=mode)
    assert from_us(timeline.days_deadline(to_us(start), days, mode)) == expected


@given(CALENDARS, INSTANTS, st.integers(0, 500 * 3600 * 10**6))
def test_working_hours_deadline_is_the_calendars(calendar, start, amount):
    timeline = Timeline(calendar)
    expected = calendar.add_working_hours(start, timedelta(microseconds=amount))
    assert from_us(timeline.hours_deadline(to_us(start), amount)) == expected


@given(CALENDARS, INSTANTS, INSTANTS)
def test_working_time_between_is_the_calendars(calendar, start, end):
    timeline = Timeline(calendar)
    expected = calendar.working_time_between(start, end)
    assert timeline.working_between(to_us(start), to_us(end)) == expected // timedelta(
        microseconds=1
    )


@given(CALENDARS, INSTANTS)
def test_is_open_is_the_calendars(calendar, at):
    assert Timeline(calendar).is_open(to_us(at)) == calendar.is_open(at)


def test_outside_the_data_the_calendar_says_so():
    timeline = Timeline(LAB)
    with pytest.raises(qse.CalendarRangeError):
        timeline.days_deadline(to_us(datetime(2100, 12, 30, tzinfo=UTC)), 5, "next_day")
    with pytest.raises(qse.CalendarRangeError):
        timeline.position(to_us(datetime(1980, 1, 1, tzinfo=UTC)))


@settings(max_examples=50)
@given(INSTANTS, st.sampled_from(["week", "month", "quarter", "year"]))
def test_period_keys_are_read_on_the_labs_wall_clock(at, granularity):
    zone = ZoneInfo(LAB.timezone)
    index = PeriodIndex(zone, granularity, 1990, 2100)
    local = at.astimezone(zone).date()
    assert index.key(to_us(at)) == day_key(local, granularity)
    key, low, high = index.locate(at)
    assert key == day_key(local, granularity)
    assert low <= at < high
