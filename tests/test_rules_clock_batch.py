"""Clock rules judged in batches (numpy, or lists) give the report each rule's own check gives.

The engine probes plain clocks while it walks the records and settles them many at a time
(``qse_customer.rules._clock_batch``); a record with a pause, an update, an extension, an
acknowledgement or a stop the system may not make goes through the rule's check. These
properties run the same enquiries through the batched engine settling with numpy, the same
settling in lists (numpy hidden from the engine, as without the ``fast`` extra), the engine
with batching off and the plain path, on the shipped standards and on random clock rules
of every unit, at random moments, keeping every status but "not applicable" (the batched
case) and few findings (so the cut at ``max_findings`` falls among batched clocks).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

import qse_customer as qse
from qse_customer.core.enquiry import Enquiry
from qse_customer.core.events import Event
from qse_customer.core.roles import Actor, Role
from qse_customer.core.vocabulary import Channel
from qse_customer.rules import Status, compile_ruleset, load_ruleset
from qse_customer.rules import engine as engine_module
from qse_customer.rules._clock_batch import ClockBatch, TimelineArrays, TimelineLists
from qse_customer.rules._timeline import Timeline
from qse_customer.rules.ruleset import Ruleset

LAB = qse.WorkingCalendar(timezone="Europe/London", opens="08:00", closes="17:00")
SPLIT = qse.WorkingCalendar(
    timezone="America/New_York",
    hours={"Mon-Fri": ["08:00-12:30", "13:30-17:00"], "Sat": ["09:00-12:00"]},
)
# Clocks change at local midnight in Havana (forward to 01:00 in March, back from 01:00 to
# 00:00 in November), so a start's local date and a time of day just after midnight are awkward.
HAVANA = qse.WorkingCalendar(
    timezone="America/Havana",
    hours={"Mon-Fri": ["00:30-09:00", "10:00-18:00"], "Sat": ["08:00-13:00"]},
)
STANDARDS = compile_ruleset("customer-service-standards", calendar=LAB)
KINDS = (
    "responded",
    "progress_update",
    "timeframe_advised",
    "awaiting_customer",
    "customer_replied",
    "acknowledged",
    "posted",
    "retrieved",
    "extension_agreed",
    "named_person_unavailable",
    "message_taken",
)
LAST = datetime(2100, 12, 28, tzinfo=UTC)
PERSON = Actor(id="S-1", name="Sam", role=Role.TECHNOLOGIST)
KEEP_ALL_BUT_NOT_APPLICABLE = (Status.MET, Status.BREACHED, Status.AT_RISK, Status.PENDING)


MODES = ("arrays", "lists", "each")
"""How the engine settles plain clocks: with numpy, in lists (numpy hidden from the engine),
or not at all (each rule's own check on each record, the path without batches)."""


@contextmanager
def batching(mode: str) -> Iterator[None]:
    """The engine settling its batches with numpy, in lists as without numpy, or with its
    batches off."""
    original_numpy = engine_module.numpy_module
    original_batches = engine_module._CheckRun._batches
    original_in_lists = engine_module._IN_LISTS
    if mode == "arrays":  # from the first clock, numpy loaded or not
        engine_module._IN_LISTS = 0  # type: ignore[misc]
    if mode in ("lists", "each"):
        engine_module.numpy_module = lambda: None  # type: ignore[assignment]
    if mode == "each":
        engine_module._CheckRun._batches = lambda self, plan: False  # type: ignore[method-assign]
    try:
        yield
    finally:
        engine_module.numpy_module = original_numpy  # type: ignore[assignment]
        engine_module._CheckRun._batches = original_batches  # type: ignore[method-assign]
        engine_module._IN_LISTS = original_in_lists  # type: ignore[misc]


# Instants on the half hour, so that a stop falls exactly on a deadline (a closing time) and a
# running clock has used exactly its warning share, now and then.
half_hours = st.integers(0, 7 * 365 * 48).map(
    lambda n: datetime(2020, 1, 1, tzinfo=UTC) + timedelta(minutes=30 * n)
)


@st.composite
def enquiries(draw: st.DrawFn) -> Enquiry:
    """An enquiry received at a random moment (the calendar's edges included), then a few
    events of the kinds clock rules read, some made by the system."""
    received = draw(
        st.one_of(
            half_hours,
            st.datetimes(datetime(2020, 1, 1), datetime(2027, 1, 1), timezones=st.just(UTC)),
            st.datetimes(datetime(1990, 1, 1), datetime(1990, 1, 9), timezones=st.just(UTC)),
            st.datetimes(datetime(2100, 12, 20), datetime(2100, 12, 31), timezones=st.just(UTC)),
        )
    )
    fields = {
        "id": draw(st.from_regex(r"E-[0-9]{1,4}", fullmatch=True)),
        "channel": draw(st.sampled_from(Channel)),
        "subject": "test",
        "clinical": draw(st.booleans()),
        "complex": draw(st.booleans()),
        "freedom_of_information": draw(st.booleans()),
    }
    events = [Event("received", received, PERSON)]
    at = received
    for kind, seconds, automatic in draw(
        st.lists(
            st.tuples(
                st.sampled_from(KINDS),
                st.integers(0, 9 * 24 * 3600) | st.integers(0, 9 * 48).map(lambda n: n * 1800),
                st.booleans(),
            ),
            max_size=4,
        )
    ):
        at = min(at + timedelta(seconds=seconds), LAST)
        data = {"until": (at + timedelta(days=3)).isoformat()} if kind == "extension_agreed" else {}
        event = Event(kind, at, None if automatic else PERSON, data)
        try:  # a step the enquiry's lifecycle does not allow there is left out
            Enquiry(events=(*events, event), **fields)
        except qse.QSEError:
            continue
        events.append(event)
    return Enquiry(events=tuple(events), **fields)


moments = half_hours | st.datetimes(
    datetime(2019, 1, 1), datetime(2028, 1, 1), timezones=st.just(UTC)
)

limits = st.one_of(
    st.builds(lambda n: {"working_days": n}, st.integers(0, 25)),
    st.builds(lambda n: {"working_days": n, "after_closing": "same_day"}, st.integers(0, 25)),
    st.builds(lambda h: {"working_hours": h}, st.sampled_from([0, 0.5, 1, 4.5, 8, 37.5])),
    st.builds(lambda h: {"hours": h}, st.integers(1, 72)),
    st.builds(lambda d: {"days": d}, st.integers(1, 30)),
    st.builds(
        lambda t: {"next_working_day_at": t},
        st.sampled_from(["12:00", "00:00", "00:30", "23:59", "08:00", "17:30"]),
    ),
)


@st.composite
def clock_rulesets(draw: st.DrawFn) -> Ruleset:
    """A ruleset of a few random clock rules over enquiries."""
    rules = []
    for number in range(draw(st.integers(1, 4))):
        params: dict[str, Any] = {
            "start": [draw(st.sampled_from(["received", "retrieved"]))],
            "stop": draw(
                st.lists(
                    st.sampled_from(["responded", "posted", "acknowledged"]),
                    min_size=1,
                    max_size=2,
                    unique=True,
                )
            ),
            "limit": draw(limits),
        }
        if draw(st.booleans()):
            params["warn_at"] = draw(st.sampled_from([0.25, 0.5, 0.75, 1]))
        if draw(st.booleans()):
            params["automatic"] = draw(st.sampled_from([[], params["stop"][:1]]))
        if draw(st.booleans()):
            params["pause"], params["resume"] = ["awaiting_customer"], ["customer_replied"]
        if draw(st.booleans()):
            params["repeat"] = {"events": ["progress_update"], "every": {"working_days": 2}}
        if draw(st.booleans()):
            params["start_condition"] = draw(st.sampled_from(["in_hours", "out_of_hours"]))
        where = draw(st.sampled_from([{}, {"channel": "telephone"}, {"clinical": True}]))
        rules.append(
            {
                "id": f"C-{number}",
                "title": f"clock {number}",
                "kind": "response_time",
                "applies_to": {"record_type": "enquiry", **({"where": where} if where else {})},
                "params": params,
                "source": {"document": "test", "section": "1"},
            }
        )
    return load_ruleset({"name": "clocks", "version": "1", "rules": rules})


def reports(compiled: Any, batch: list[Enquiry], at: datetime, **options: Any) -> list[Any]:
    """The report with batches settled with numpy and in lists, without batches, and on the
    plain path (as dicts)."""
    made = []
    for mode in MODES:
        with batching(mode):
            made.append(compiled.check(batch, at=at, **options).to_dict())
    made.append(compiled.check(batch, at=at, engine="plain", **options).to_dict())
    return made


def same(made: list[Any]) -> bool:
    return all(report == made[-1] for report in made)


def sketch_states(run: Any) -> dict[Any, tuple[Any, ...]]:
    """What each elapsed-time sketch of a check's run holds (its exact values, while it keeps
    them, in order: a batch adds them rule by rule)."""
    return {
        key: (
            sketch.count,
            sketch._zeros,
            sketch.buckets(),
            None if sketch._values is None else sorted(sketch._values),
        )
        for key, sketch in [*run.sketches.items(), *run.period_sketches.items()]
    }


@settings(max_examples=60, deadline=None)
@given(st.lists(enquiries(), max_size=12), moments)
def test_the_standards_judged_in_batches_as_each_rule_would(batch, at):
    assert same(reports(STANDARDS, batch, at))
    assert same(reports(STANDARDS, batch, at, keep=KEEP_ALL_BUT_NOT_APPLICABLE, max_findings=3))
    assert same(reports(STANDARDS, batch, at, keep=()))


@settings(max_examples=80, deadline=None)
@given(
    clock_rulesets(),
    st.sampled_from([LAB, SPLIT, HAVANA]),
    st.lists(enquiries(), max_size=10),
    moments,
)
def test_random_clock_rules_judged_in_batches_as_each_rule_would(ruleset, calendar, batch, at):
    compiled = compile_ruleset(ruleset, calendar=calendar)
    try:
        expected = compiled.check(batch, at=at, engine="plain", keep=KEEP_ALL_BUT_NOT_APPLICABLE)
    except qse.QSEError as error:  # an instant outside the calendar's years: the same error
        for mode in ("arrays", "lists"):
            with batching(mode):
                try:
                    compiled.check(batch, at=at, keep=KEEP_ALL_BUT_NOT_APPLICABLE)
                except qse.QSEError as again:
                    assert type(again) is type(error)
                # A batch may settle another record's clock first; it must still refuse.
                else:
                    raise AssertionError("the batched engine accepted what the check refused")
        return
    for mode in ("arrays", "lists"):
        with batching(mode):
            got = compiled.check(batch, at=at, keep=KEEP_ALL_BUT_NOT_APPLICABLE)
        assert got.to_dict() == expected.to_dict()
    assert same(reports(compiled, batch, at, max_findings=2))


def _micros(low: datetime, high: datetime) -> st.SearchStrategy[int]:
    return st.integers(int(low.timestamp() * 1e6), int(high.timestamp() * 1e6))


# Instants near both ends of the calendar's years (where a table runs out) and in between.
edge_instants = st.one_of(
    _micros(datetime(1989, 12, 25, tzinfo=UTC), datetime(1990, 1, 20, tzinfo=UTC)),
    _micros(datetime(2100, 11, 20, tzinfo=UTC), datetime(2101, 1, 5, tzinfo=UTC)),
    _micros(datetime(1990, 1, 1, tzinfo=UTC), datetime(2100, 12, 31, tzinfo=UTC)),
)


def _scalar(answer: Any, *args: Any) -> Any:
    try:
        return answer(*args)
    except qse.QSEError as error:
        return error


@settings(max_examples=100, deadline=None)
@given(
    st.sampled_from([LAB, SPLIT, HAVANA]),
    st.lists(edge_instants, min_size=1, max_size=20),
    st.integers(0, 30),
    st.integers(0, 80 * 3_600_000_000),
    st.integers(0, 1439),
)
@example(
    LAB, [int(datetime(2100, 12, 29, tzinfo=UTC).timestamp() * 1e6)], 25, 80 * 3_600_000_000, 0
)
@example(SPLIT, [int(datetime(1989, 12, 31, tzinfo=UTC).timestamp() * 1e6)], 0, 0, 1439)
def test_the_arrays_answer_as_the_timeline_does(calendar, instants, days, amount, minute):
    """Every instant the arrays say they answer is answered as the scalar timeline does (which
    never raises for it); the others are left to the timeline."""
    import numpy as np

    timeline = Timeline(calendar)
    arrays = TimelineArrays(timeline)
    starts = np.asarray(instants, dtype=np.int64)
    questions = [
        (arrays.days_deadline(starts, days, mode), timeline.days_deadline, (days, mode))
        for mode in ("next_day", "same_day")
    ]
    questions.append((arrays.hours_deadline(starts, amount), timeline.hours_deadline, (amount,)))
    questions.append((arrays.position(starts), timeline.position, ()))
    questions.append((arrays.is_open(starts), timeline.is_open, ()))
    clock = f"{minute // 60:02d}:{minute % 60:02d}"
    questions.append((arrays.next_day_at(starts, minute), timeline.next_working_day_at, (clock,)))
    for (answers, ok), scalar, extra in questions:
        for start, answer, answered in zip(instants, answers.tolist(), ok.tolist(), strict=True):
            if answered:
                assert answer == _scalar(scalar, start, *extra)
        # A table that ran out is noticed: past the tables' end nothing is answered.
        assert not any(ok[starts >= timeline._range_end])
    # The lists (numpy not installed) answer what the arrays answer, and nothing else.
    lists = TimelineLists(timeline)
    functions = [
        lists.days_function(days, "next_day"),
        lists.days_function(days, "same_day"),
        lists.hours_function(amount),
        lists.position,
        None,
        lists.next_day_function(minute),
    ]
    for function, ((answers, ok), _, _) in zip(functions, questions, strict=True):
        if function is None:
            continue
        for start, answer, answered in zip(instants, answers.tolist(), ok.tolist(), strict=True):
            assert function(start) == (answer if answered else None)


def test_a_plain_clock_is_probed_and_any_other_is_left_to_the_check():
    """What the probe leaves to the rule's own check: an update, a pause, a system stop."""
    received = datetime(2026, 3, 2, 9, tzinfo=UTC)
    compiled = STANDARDS.slots[0].compiled  # T-1: a person must answer, with updates
    batch = compiled.batch
    assert isinstance(batch, ClockBatch)
    answered = (
        Event("received", received, PERSON),
        Event("responded", received + timedelta(hours=2), PERSON),
    )
    assert batch.probe(answered)[:2] == (0, 1)
    updated = (answered[0], Event("progress_update", received + timedelta(hours=1), PERSON))
    assert batch.probe(updated) is None
    by_system = (answered[0], Event("responded", received + timedelta(hours=1), None))
    assert batch.probe(by_system) is None
    assert batch.probe((Event("message_taken", received, PERSON),)).code == 4  # not started


def one_clock(limit: dict[str, Any], warn_at: float | None = None) -> Ruleset:
    params: dict[str, Any] = {"start": ["received"], "stop": ["responded"], "limit": limit}
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


def answered(received: datetime, *later: tuple[str, datetime]) -> Enquiry:
    events = (Event("received", received, PERSON), *(Event(k, t, PERSON) for k, t in later))
    return Enquiry(
        id="E-1",
        events=events,
        channel=Channel.EMAIL,
        subject="test",
        clinical=False,
        complex=False,
        freedom_of_information=False,
    )


@settings(max_examples=60, deadline=None)
@given(half_hours, limits, st.sampled_from([-1, 0, 1]))
def test_a_stop_on_the_deadline_to_the_microsecond(received, limit, offset):
    """A response one microsecond before, at, and after its deadline, judged alike."""
    from qse_customer.core.timestamps import from_us, to_us
    from qse_customer.rules.limits import Limit

    compiled = compile_ruleset(one_clock(limit), calendar=LAB)
    due = Limit.parse(limit).deadline_function(Timeline(LAB))(to_us(received))
    stop = from_us(max(due + offset, to_us(received)))
    batch = [answered(received, ("responded", stop))]
    assert same(reports(compiled, batch, stop + timedelta(days=1)))


@settings(max_examples=60, deadline=None)
@given(
    half_hours,
    st.sampled_from([{"hours": 8}, {"days": 2}, {"minutes": 40}]),
    st.sampled_from([0.25, 0.5, 0.75]),
    st.sampled_from([-1, 0, 1]),
)
def test_a_running_clock_on_its_warning_share_to_the_microsecond(received, limit, warn, offset):
    """A clock that has used just under, exactly and just over its warning share."""
    from qse_customer.core.timestamps import from_us, to_us

    compiled = compile_ruleset(one_clock(limit, warn), calendar=LAB)
    start = to_us(received)
    span = {"hours": 3_600_000_000, "days": 86_400_000_000, "minutes": 60_000_000}
    ((unit, amount),) = limit.items()
    at = from_us(start + round(amount * span[unit] * warn) + offset)
    made = reports(compiled, [answered(received)], at)
    assert same(made)
    wanted = "at_risk" if offset >= 0 else "pending"
    assert made[0]["rules"][0][wanted] == 1
