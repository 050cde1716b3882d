"""The calendar's fast paths give exactly what its general paths give.

* ``Lookup`` counts as ``numpy.searchsorted(side="right")`` does, on any ascending table.
* The batch deadlines for integer epoch seconds (``_batch_fast``) equal the general batch path's
  answers, or its errors, on calendars of every shape of opening hours (several intervals a day,
  different by weekday, 24/7) in zones with clock changes (London, New York, Sao Paulo, Lord
  Howe's half hour, Apia's skipped day), for starts inside and just outside the calendar's years.
* ``add_working_days`` answers a plain UTC datetime as it answers the same instant in any other
  zone or as a pendulum DateTime (the general path).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pendulum
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from opening_hours_strategies import weeks
from qse_customer.core.calendar import WorkingCalendar, _batch, _batch_fast
from qse_customer.core.calendar._lookup import MAX_BUCKETS, build_lookup
from qse_customer.core.errors import CalendarError

ZONES = (
    "UTC",
    "Europe/London",
    "America/New_York",
    "America/Sao_Paulo",
    "Australia/Lord_Howe",
    "Pacific/Apia",
    "Asia/Kolkata",
)
DAY_S = 86_400


@st.composite
def calendars(draw: st.DrawFn) -> WorkingCalendar:
    """A calendar of a few years (its tables build quickly) with any opening hours."""
    first = draw(st.integers(2009, 2022))
    return WorkingCalendar(
        timezone=draw(st.sampled_from(ZONES)),
        country=draw(st.sampled_from((None, "US"))),
        hours=draw(weeks()),
        first_year=first,
        last_year=first + draw(st.integers(0, 2)),
    )


@st.composite
def starts(draw: st.DrawFn, calendar: WorkingCalendar, size: int) -> list[int]:
    """Epoch seconds in the calendar's years, with a few from the days just outside them."""
    tables = calendar._data()
    first, end = tables.range_start // 1_000_000, tables.range_end // 1_000_000
    inside = st.integers(first, end - 1)
    edges = st.integers(first - 2 * DAY_S, first + DAY_S) | st.integers(end - DAY_S, end + DAY_S)
    some = (inside | edges) if draw(st.integers(0, 3)) == 0 else inside
    return draw(st.lists(some, min_size=size, max_size=size))


@contextmanager
def general_path() -> Iterator[None]:
    """The batch APIs with their fast paths declining every call."""
    saved = _batch_fast.days_deadlines, _batch_fast.hours_deadlines
    _batch_fast.days_deadlines = _batch_fast.hours_deadlines = lambda *args: None  # type: ignore[assignment]
    try:
        yield
    finally:
        _batch_fast.days_deadlines, _batch_fast.hours_deadlines = saved


def answer(call: Callable[[], Any]) -> tuple[object, ...]:
    """What a call gives, or the error it raises, in a form to compare: the values with their
    types (an int and a float of the same value differ), and the array's dtype."""
    try:
        result = call()
    except CalendarError as error:
        return type(error).__name__, str(error)
    if isinstance(result, np.ndarray):
        return ("answer", result.dtype.str, result.tolist())
    if isinstance(result, list):
        return ("answer", result, [type(value) for value in result])
    return ("answer", result)


def _answered(calendar: WorkingCalendar, given_starts: object, fast: tuple[object, ...]) -> bool:
    """Whether the lookups exist for the calendar's tables and the call was answered: then the
    fast path gave it (it declines only outside the data, where the call raises)."""
    tables = calendar._data()
    names = ("closes", "day_ends", "hours_closes", "hours_ends")
    return fast[0] == "answer" and all(tables.lookup(name) for name in names)


@settings(max_examples=300, deadline=None)
@given(origin=st.integers(-(10**7), 10**7), span=st.integers(1, 400_000), data=st.data())
def test_a_lookup_counts_as_searchsorted(origin: int, span: int, data: st.DataObject) -> None:
    # Fewer than MAX_BUCKETS values in the span, so there is always a lookup.
    around = st.integers(origin - 1000, origin + span + 1000)
    entries = sorted(data.draw(st.sets(around | st.integers(origin, origin + 50))))
    table = np.array(entries, dtype=np.int64)
    lookup = build_lookup(table, origin, span)
    assert lookup is not None
    near = [v - origin + d for v in entries for d in (-1, 0, 1) if 0 <= v - origin + d < span]
    anywhere = st.integers(0, span - 1)
    offsets = data.draw(st.lists(st.sampled_from(near) | anywhere if near else anywhere))
    values = np.array([*offsets, 0, span - 1], dtype=np.int64)
    counted = lookup.count(values, np.empty_like(values))
    assert counted.tolist() == np.searchsorted(table, values + origin, side="right").tolist()
    assert [lookup.count_one(int(x)) for x in values] == counted.tolist()


def test_a_table_too_dense_for_its_span_has_no_lookup() -> None:
    entries = np.arange(0, 4 * MAX_BUCKETS, 2, dtype=np.int64)  # 2 s apart: 2**21 buckets
    assert build_lookup(entries, 0, 4 * MAX_BUCKETS) is None
    assert build_lookup(entries, 0, MAX_BUCKETS) is not None


@settings(max_examples=150, deadline=None)
@given(data=st.data(), calendar=calendars(), size=st.integers(1, 40))
def test_fast_days_batches_equal_the_general_path(
    data: st.DataObject, calendar: WorkingCalendar, size: int
) -> None:
    seconds = data.draw(starts(calendar, size))
    days = data.draw(
        st.integers(0, 300) | st.lists(st.integers(0, 300), min_size=size, max_size=size)
    )
    mode = data.draw(st.sampled_from(("next_day", "same_day")))
    for given_starts in (np.array(seconds, dtype=np.int64), seconds):

        def call(given_starts: object = given_starts) -> object:
            return calendar.add_working_days_batch(given_starts, days, after_closing=mode)  # type: ignore[call-overload]

        fast = answer(call)
        event(f"fast path answered: {_answered(calendar, given_starts, fast)}")
        with general_path():
            assert fast == answer(call)


@settings(max_examples=150, deadline=None)
@given(data=st.data(), calendar=calendars(), size=st.integers(1, 40))
def test_fast_hours_batches_equal_the_general_path(
    data: st.DataObject, calendar: WorkingCalendar, size: int
) -> None:
    seconds = data.draw(starts(calendar, size))
    amount = st.integers(0, 400 * 3600) | st.integers(0, 60)
    spans = data.draw(amount | st.lists(amount, min_size=size, max_size=size))
    for given_starts in (np.array(seconds, dtype=np.int64), seconds):

        def call(given_starts: object = given_starts) -> object:
            return calendar.add_working_hours_batch(given_starts, spans)  # type: ignore[call-overload]

        fast = answer(call)
        event(f"fast path answered: {_answered(calendar, given_starts, fast)}")
        with general_path():
            assert fast == answer(call)


def _hours_shape(calendar: WorkingCalendar) -> str:
    """Which way the fast path counts working hours for the calendar's tables."""
    tables = calendar._data()
    first, _, length, _ = tables.derived("hours_shape_s", _batch_fast._shape(tables)).tolist()
    return "no closed time" if first >= 0 else "equal intervals" if length else "lookups"


@st.composite
def edge_starts(draw: st.DrawFn, calendar: WorkingCalendar, amounts: list[int]) -> list[int]:
    """Starts at and next to the instants where the answer changes: openings, closings, the
    ends of the data, and the latest start from which each amount still ends in the data."""
    tables = calendar._data()
    first, end = tables.range_start // 1_000_000, tables.range_end // 1_000_000
    seconds = [*tables.hours_opens, *tables.hours_closes]
    pool = [first, end, *(_batch_fast._latest_start(tables, a) for a in amounts if a > 0)]
    chosen = draw(st.lists(st.sampled_from(seconds), max_size=8)) if seconds else []
    near = [*draw(st.lists(st.sampled_from(pool), max_size=3)), *(v // 10**6 for v in chosen)]
    return [point + draw(st.sampled_from((-1, 0, 1))) for point in near]


@st.composite
def edge_amounts(draw: st.DrawFn, calendar: WorkingCalendar) -> list[int]:
    """Amounts of working time that end exactly at an interval's end, or a second either side:
    the working time from an opening to a later closing."""
    tables = calendar._data()
    ends, cum = tables.hours_ends, tables.hours_cum
    if not ends:
        return []
    k = draw(st.integers(0, len(ends) - 1))
    later = draw(st.integers(k, min(k + 5, len(ends) - 1)))
    whole = (ends[later] - cum[k]) // 1_000_000
    return [max(0, whole + draw(st.sampled_from((-1, 0, 1)))) for _ in range(2)]


def _as(kind: str, values: list[int], fractions: list[float]) -> object:
    """``values`` given as an int64 or float64 array or a list of ints or floats; floats with
    ``fractions`` added (as many as there are values, or none)."""
    if kind.startswith("int"):
        return np.array(values, dtype=np.int64) if kind == "int64" else list(values)
    floats = [v + part for v, part in zip(values, fractions or [0.0] * len(values), strict=True)]
    return np.array(floats, dtype=np.float64) if kind == "float64" else floats


@settings(max_examples=200, deadline=None)
@given(data=st.data(), calendar=calendars(), size=st.integers(0, 30))
def test_fast_hours_batches_equal_the_general_path_at_the_edges(
    data: st.DataObject, calendar: WorkingCalendar, size: int
) -> None:
    # Starts on the boundaries of the intervals and of the data, amounts that end on a boundary,
    # int and float input (whole seconds, or not), one amount or one per start, empty batches.
    amounts = data.draw(edge_amounts(calendar))
    points = data.draw(edge_starts(calendar, amounts)) + data.draw(starts(calendar, size))
    points = data.draw(st.permutations(points))[: data.draw(st.integers(0, len(points)))]
    pool = st.sampled_from(amounts) | st.integers(0, 100 * 3600) if amounts else st.integers(0, 60)
    one = data.draw(pool)
    per_start = data.draw(st.lists(pool, min_size=len(points), max_size=len(points)))
    start_kind = data.draw(st.sampled_from(("int64", "int list", "float64", "float list")))
    amount_kind = data.draw(st.sampled_from(("int", "float", "int64", "float64", "float list")))
    # Some floats that are not whole seconds, on the starts or on the amounts.
    part = st.sampled_from((0.0, 0.0, 0.5, 0.25, 1e-6))
    start_parts = data.draw(
        st.just([]) | st.lists(part, min_size=len(points), max_size=len(points))
    )
    amount_parts = data.draw(
        st.just([]) | st.lists(part, min_size=len(points), max_size=len(points))
    )
    given_starts = _as(start_kind, points, start_parts)
    if amount_kind in ("int", "float"):
        spans: object = one if amount_kind == "int" else float(one) + data.draw(part)
    else:
        spans = _as(amount_kind, per_start, amount_parts)

    def call() -> object:
        return calendar.add_working_hours_batch(given_starts, spans)  # type: ignore[call-overload]

    fast = answer(call)
    event(f"hours counted by {_hours_shape(calendar)}")
    event(f"starts {start_kind}, amounts {amount_kind}, fast path answered: {fast[0] == 'answer'}")
    with general_path():
        assert fast == answer(call)


@pytest.mark.parametrize(
    "settings_",
    [
        {"timezone": "Europe/London", "country": "GB", "subdivision": "ENG"},
        {
            "timezone": "Europe/London",
            "country": "GB",
            "subdivision": "ENG",
            "hours": {"Mon-Fri": ["08:00-12:30", "13:30-17:00"], "Sat": "09:00-12:00"},
        },
        {"timezone": "Europe/London", "hours": "24/7"},
        {"timezone": "Australia/Lord_Howe", "opens": "08:00", "closes": "17:00"},
    ],
)
def test_the_fast_paths_answer_for_usual_calendars(settings_: dict[str, Any]) -> None:
    # Not a silent fall-back: lookups exist for these tables and the fast paths answer.
    calendar = WorkingCalendar(**settings_)
    week = np.arange(1_700_000_000, 1_700_000_000 + 7 * DAY_S, 997, dtype=np.int64)
    for name in ("closes", "day_ends", "hours_closes", "hours_ends"):
        assert calendar._data().lookup(name) is not None
    for mode in ("next_day", "same_day"):
        found = _batch._days_fast(calendar, week, 20, mode)
        with general_path():
            assert found is not None
            expected = calendar.add_working_days_batch(week, 20, after_closing=mode)  # type: ignore[call-overload]
            assert found.tolist() == expected.tolist()
    found = _batch._hours_fast(calendar, week, 8 * 3600)
    with general_path():
        assert found is not None
        assert found.tolist() == calendar.add_working_hours_batch(week, 8 * 3600).tolist()
    # Float epoch seconds that are whole numbers (and a whole float amount) are answered too,
    # as floats.
    floats = week.astype(np.float64)
    for amount in (8.0 * 3600, 8 * 3600, np.full(week.size, 8.0 * 3600)):
        found = _batch._hours_fast(calendar, floats, amount)
        with general_path():
            assert isinstance(found, np.ndarray) and found.dtype == np.float64
            assert found.tolist() == calendar.add_working_hours_batch(floats, amount).tolist()


def test_each_way_of_counting_hours_is_taken_where_it_applies() -> None:
    # 24/7 has no closed time; 09:00-17:00 on weekdays has intervals of one length (clock changes
    # at night); a lunch closure and a shorter Saturday need the lookups, counting the openings
    # (5.5 hours apart at least) rather than the closings (4.5 hours).
    london = {"timezone": "Europe/London"}
    assert _hours_shape(WorkingCalendar(**london, hours="24/7")) == "no closed time"
    assert _hours_shape(WorkingCalendar(**london, country="GB")) == "equal intervals"
    hours = {"Mon-Fri": ["08:00-12:30", "13:30-17:00"], "Sat": ["09:00-12:00"]}
    lunch = WorkingCalendar(**london, hours=hours)
    assert _hours_shape(lunch) == "lookups"
    lookup, *_, after_close = _batch_fast._position_tables(lunch._data()) or (None, False)
    assert not after_close and lookup is lunch._data().lookup("hours_opens")


@settings(max_examples=100, deadline=None)
@given(data=st.data(), calendar=calendars(), days=st.integers(0, 300))
def test_a_utc_start_is_answered_as_the_same_instant_elsewhere(
    data: st.DataObject, calendar: WorkingCalendar, days: int
) -> None:
    (second,) = data.draw(starts(calendar, 1))
    micro = data.draw(st.integers(0, 999_999))
    start = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=second, microseconds=micro)
    zone = ZoneInfo(data.draw(st.sampled_from(ZONES)))
    for mode in ("next_day", "same_day"):
        fast = answer(lambda: calendar.add_working_days(start, days, after_closing=mode))  # noqa: B023
        for other in (start.astimezone(zone), pendulum.instance(start)):
            general = answer(lambda: calendar.add_working_days(other, days, after_closing=mode))  # noqa: B023
            if fast[0] == "answer":
                assert general == fast
                result = fast[1]
                assert type(result) is datetime and result.tzinfo is UTC
            else:  # the same error, with the start as written
                assert general[0] == fast[0]


def test_a_calendar_without_working_time_gives_the_general_paths_error() -> None:
    # Every day of its one year closed: no interval at all, so no lookups; the fast path declines.
    closed = [date(2021, 1, 1) + timedelta(days=k) for k in range(365)]
    calendar = WorkingCalendar(timezone="UTC", first_year=2021, last_year=2021, closures=closed)
    for given_starts in (np.array([1_620_000_000]), np.array([1_620_000_000.0]), [1_620_000_000]):
        fast = answer(lambda: calendar.add_working_hours_batch(given_starts, 60))  # noqa: B023
        assert fast[0] == "CalendarRangeError"
        with general_path():
            assert fast == answer(lambda: calendar.add_working_hours_batch(given_starts, 60))  # noqa: B023
