"""Deadlines "the next working day at a time" judged in batches give the calendar's own answer.

``TimelineArrays.next_day_at`` (and ``TimelineLists``, without numpy, one start at a time)
finds each start's next working day with one search among the
first instants of the working days' local dates, and leaves to the scalar path every start that
search could get wrong (just after clocks go back across midnight, where the clock shows the day
before again) or that the calendar refuses (outside its years, past its last working day). These
properties hold it against ``Timeline.next_working_day_at`` on random calendars in zones with
awkward clock changes: changes at midnight (Santiago, Havana, Sao Paulo, Gaza), half an hour
(Lord Howe), two hours (Troll), Morocco's Ramadan changes, a whole skipped day (Apia, 30
December 2011) and a change at 00:01 that makes the previous date come back (St John's until
2011); starts near local midnights, clock changes and the ends of the tables; times of day that
fall in a gap or twice.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from hypothesis import example, given, settings
from hypothesis import strategies as st

import qse_customer as qse
from opening_hours_strategies import weeks
from qse_customer.core.calendar._instants import first_instant_s
from qse_customer.rules import compile_ruleset, load_ruleset
from qse_customer.rules._clock_batch import ClockBatch, TimelineArrays, TimelineLists
from qse_customer.rules._timeline import Timeline

ZONES = (
    "Europe/London",
    "America/New_York",
    "America/Santiago",
    "America/Havana",
    "America/Sao_Paulo",
    "Australia/Lord_Howe",
    "Pacific/Apia",
    "Asia/Kolkata",
    "Africa/Casablanca",
    "Asia/Gaza",
    "Antarctica/Troll",
    "America/St_Johns",
)
US = 1_000_000
HOUR_US = 3_600 * US
# Times of day at midnight, around it, at its end, and in the gaps and repeats of the zones'
# clock changes (00:00-01:00 in Santiago, Havana and Sao Paulo; 02:00-02:30 on Lord Howe;
# 01:00-03:00 at Troll; 02:00-03:00 in London and New York).
CLOCKS = ("00:00", "00:30", "00:01", "23:59", "23:30", "12:00", "01:00", "01:30", "02:00", "02:30")
times_of_day = st.sampled_from(CLOCKS) | st.integers(0, 1439).map(
    lambda m: f"{m // 60:02d}:{m % 60:02d}"
)


EVERY_DAY_ST_JOHNS = qse.WorkingCalendar(
    timezone="America/St_Johns",
    weekdays=range(7),
    opens="09:00",
    closes="17:00",
    first_year=2010,
    last_year=2010,
)


def minutes(clock: str) -> int:
    return int(clock[:2]) * 60 + int(clock[3:])


@cache
def changes(zone_name: str) -> tuple[int, ...]:
    """The instants (epoch µs) at which the zone's offset changes, 2004-2027, to the second."""
    zone = ZoneInfo(zone_name)

    def offset(second: int) -> Any:
        return (datetime.fromtimestamp(second, UTC)).astimezone(zone).utcoffset()

    found = []
    second = int(datetime(2004, 1, 1, tzinfo=UTC).timestamp())
    end = int(datetime(2027, 1, 1, tzinfo=UTC).timestamp())
    step = 6 * 3600
    while second < end:
        if offset(second) != offset(second + step):
            low, high = second, second + step  # the change is in (low, high]
            while high - low > 1:
                middle = (low + high) // 2
                low, high = (middle, high) if offset(middle) == offset(low) else (low, middle)
            found.append(high * US)
        second += step
    return tuple(found)


@st.composite
def calendars(draw: st.DrawFn) -> qse.WorkingCalendar:
    """Random calendars: a zone, one to four years, any opening hours, closures and extra
    working days."""
    zone = draw(st.sampled_from(ZONES))
    first = draw(st.integers(2005, 2023))
    last = first + draw(st.integers(0, 3))
    days = st.dates(date(first, 1, 1), date(last, 12, 31))
    closures = draw(st.lists(days, max_size=8))
    extra = [day for day in draw(st.lists(days, max_size=4)) if day not in closures]
    if draw(st.booleans()):
        opens = draw(st.integers(0, 1439))
        closes = draw(st.integers(opens + 1, 1440))
        hours: dict[str, Any] = {
            "opens": f"{opens // 60:02d}:{opens % 60:02d}",
            "closes": f"{closes // 60:02d}:{closes % 60:02d}",
            "weekdays": sorted(draw(st.sets(st.integers(0, 6), min_size=1))),
        }
    else:
        hours = {"hours": draw(weeks())}
    return qse.WorkingCalendar(
        timezone=zone,
        closures=closures,
        extra_working_days=extra,
        first_year=first,
        last_year=last,
        **hours,
    )


@st.composite
def starts(draw: st.DrawFn, calendar: qse.WorkingCalendar) -> int:
    """An instant (epoch µs) near a local midnight, a clock change or an end of the tables, or
    anywhere in (and a little beyond) the calendar's years."""
    timeline = Timeline(calendar)
    low, high = timeline._range_start, timeline._range_end
    near = st.integers(-3 * HOUR_US, 3 * HOUR_US)
    where = draw(st.sampled_from(["midnight", "change", "end", "anywhere"]))
    if where == "midnight":
        first, last = calendar.years
        ordinal = draw(st.integers(date(first, 1, 1).toordinal(), date(last, 12, 31).toordinal()))
        return first_instant_s(ZoneInfo(calendar.timezone), ordinal, 0) * US + draw(near)
    inside = [change for change in changes(calendar.timezone) if low <= change < high]
    if where == "change" and inside:
        return draw(st.sampled_from(inside)) + draw(near)
    if where == "end":
        return draw(st.sampled_from([low, high])) + draw(st.integers(-50 * HOUR_US, 50 * HOUR_US))
    return draw(st.integers(low - 30 * HOUR_US, high + 30 * HOUR_US))


def scalar(timeline: Timeline, start: int, clock: str) -> int | type[Exception]:
    """The scalar answer, or the type of the calendar's error."""
    try:
        return timeline.next_working_day_at(start, clock)
    except qse.QSEError as error:
        return type(error)


def far_from_changes(zone: str, start: int) -> bool:
    """Whether the zone's offset is the same from 26 hours before ``start`` to 26 hours after."""
    before = start - 26 * HOUR_US
    after = start + 26 * HOUR_US
    return not any(before <= change <= after for change in changes(zone))


@settings(max_examples=300, deadline=None)
@given(st.data(), calendars(), times_of_day)
@example(None, EVERY_DAY_ST_JOHNS, "00:00")
def test_next_working_day_at_in_batches_as_the_timeline_answers(data, calendar, clock):
    """Every start the arrays answer is answered as the scalar timeline does (which never
    raises for it); a start a day's width from any clock change, inside the calendar's years
    with a working day after it, is always answered."""
    if data is None:  # the example: the minutes around St John's 00:01 change of 2010
        change = int(datetime(2010, 11, 7, 2, 31, tzinfo=UTC).timestamp()) * US
        drawn = [change + step * 60 * US + 1 for step in range(-90, 90)]
    else:
        drawn = data.draw(st.lists(starts(calendar), min_size=1, max_size=30))
    timeline = Timeline(calendar)
    arrays = TimelineArrays(timeline)
    # Without numpy, the same searches in lists, one start at a time: the same answers.
    lists = TimelineLists(timeline).next_day_function(minutes(clock))
    # Twice over: the second time the working days' tables are those the first call built.
    for instants in (drawn, drawn[::-1]):
        answers, ok = arrays.next_day_at(np.asarray(instants, dtype=np.int64), minutes(clock))
        for start, answer, answered in zip(instants, answers.tolist(), ok.tolist(), strict=True):
            expected = scalar(timeline, start, clock)
            if answered:
                assert answer == expected
            elif isinstance(expected, int):
                assert not far_from_changes(calendar.timezone, start)
            assert lists(start) == (answer if answered else None)


@settings(max_examples=100, deadline=None)
@given(st.data(), calendars(), times_of_day, st.sampled_from([-30, -8, 8, 30]))
def test_a_wrong_first_guess_gives_no_wrong_answer(data, calendar, clock, hours):
    """The search starts from the closing times (a working day's date begins by its closing
    time and after the previous day's) and checks that guess: with the closing times shifted
    by some hours, as hours past midnight would put them, no answer is wrong (more starts are
    only left to the scalar path)."""
    timeline = Timeline(calendar)
    arrays = TimelineArrays(timeline)
    arrays.closes = arrays.closes + hours * HOUR_US
    instants = data.draw(st.lists(starts(calendar), min_size=1, max_size=30))
    answers, ok = arrays.next_day_at(np.asarray(instants, dtype=np.int64), minutes(clock))
    for start, answer, answered in zip(instants, answers.tolist(), ok.tolist(), strict=True):
        if answered:
            assert answer == scalar(timeline, start, clock)


def test_the_day_that_comes_back_is_left_to_the_scalar_path():
    """St John's, 7 November 2010: at 00:01 the clock went back to 23:01 on the 6th. In that
    hour the local date is the 6th again, so the next working day is the 7th, not the 8th."""
    timeline = Timeline(EVERY_DAY_ST_JOHNS)
    arrays = TimelineArrays(timeline)
    back = int(datetime(2010, 11, 7, 2, 41, tzinfo=UTC).timestamp()) * US  # 23:11 on the 6th
    before = back - HOUR_US  # 22:41 on the 6th, before the change
    later = back + 2 * HOUR_US  # 00:41 on the 7th, for good
    seventh, eighth = (
        int(datetime(2010, 11, day, 15, 30, tzinfo=UTC).timestamp()) * US for day in (7, 8)
    )
    assert timeline.next_working_day_at(back, "12:00") == seventh
    answers, ok = arrays.next_day_at(np.asarray([before, back, later], dtype=np.int64), 720)
    assert ok.tolist() == [True, False, True]
    assert answers.tolist()[0] == seventh
    assert answers.tolist()[2] == eighth


def test_a_skipped_day_is_no_working_day():
    """Samoa skipped 30 December 2011: from the 29th, the next working day is the 31st."""
    calendar = qse.WorkingCalendar(
        timezone="Pacific/Apia", weekdays=range(7), first_year=2011, last_year=2012
    )
    timeline = Timeline(calendar)
    arrays = TimelineArrays(timeline)
    zone = ZoneInfo("Pacific/Apia")
    start = datetime(2011, 12, 29, 20, tzinfo=zone).astimezone(UTC)
    instant = int(start.timestamp()) * US
    answers, ok = arrays.next_day_at(np.asarray([instant], dtype=np.int64), 720)
    assert ok.tolist() == [True]
    due = datetime(2011, 12, 31, 12, tzinfo=zone).astimezone(UTC)
    assert answers.tolist() == [int(due.timestamp()) * US]
    assert answers.tolist() == [timeline.next_working_day_at(instant, "12:00")]


def one_clock(clock: str, warn_at: float | None) -> Any:
    params: dict[str, Any] = {
        "start": ["received"],
        "stop": ["responded"],
        "limit": {"next_working_day_at": clock},
    }
    if warn_at is not None:
        params["warn_at"] = warn_at
    rule = {
        "id": "C-1",
        "title": "one clock",
        "kind": "response_time",
        "applies_to": {"record_type": "enquiry"},
        "params": params,
        "source": {"document": "test", "section": "1"},
    }
    return load_ruleset({"name": "clock", "version": "1", "rules": [rule]})


@settings(max_examples=100, deadline=None)
@given(
    st.data(),
    calendars(),
    times_of_day,
    st.sampled_from([None, 0.5]),
    st.integers(0, 4 * 24 * HOUR_US),
)
def test_a_batch_of_clocks_settles_as_each_would_alone(data, calendar, clock, warn_at, lapse):
    """A batch's plain clocks (answered by the arrays, the rest by the scalar path) settle as
    each does alone with the rule's scalar functions; where one of them is outside the
    calendar, the batch refuses it with the same error."""
    compiled = compile_ruleset(one_clock(clock, warn_at), calendar=calendar)
    batch = compiled.slots[0].compiled.batch
    assert isinstance(batch, ClockBatch)
    instants = data.draw(st.lists(starts(calendar), min_size=1, max_size=20))
    stops = data.draw(st.lists(st.booleans(), min_size=len(instants), max_size=len(instants)))
    probes = [
        (0, 1 if stop else -1, start, start + lapse if stop else -1)
        for start, stop in zip(instants, stops, strict=True)
    ]
    at = min(instants) + lapse
    try:
        expected = [batch._one(probe, at) for probe in probes]
    except qse.QSEError as error:
        try:
            batch.settle(probes, at)
        except qse.QSEError as again:
            assert type(again) is type(error)
        else:
            raise AssertionError("the batch settled what the scalar path refused") from error
        return
    assert batch.settle(probes, at) == expected
