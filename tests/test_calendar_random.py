"""WorkingCalendar properties on random calendars, in zones with awkward clock changes.

Opening and closing times are drawn freely, so they often fall on a skipped or repeated local
time (clocks changing at midnight in Sao Paulo, half an hour on Lord Howe, Morocco's Ramadan
changes, a whole skipped day in Samoa). No reference model is needed for these properties.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from qse_customer.core.calendar import WorkingCalendar

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
    opens = draw(st.integers(0, 23 * 60 + 58))
    closes = draw(st.integers(opens + 1, 24 * 60))
    first = draw(st.integers(2005, 2016))
    return WorkingCalendar(
        timezone=draw(st.sampled_from(ZONES)),
        opens=f"{opens // 60:02d}:{opens % 60:02d}",
        closes=f"{closes // 60:02d}:{closes % 60:02d}",
        weekdays=draw(st.sets(st.integers(0, 6), min_size=1)),
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
