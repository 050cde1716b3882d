"""The batched path's shortcuts give the report each rule's own check gives.

The engine finds a script once per combination of rule conditions and sequence of event kinds
(which rules have a fixed outcome, which clocks are plain, which rules run their own check),
settles a clock with one update by a person in a batch (``repeat.every``), skips a
``recorded_details`` rule for a record with no event of its kinds, and feeds the settled
elapsed times to the sketches as arrays. These properties hold each shortcut to the rule's own
check: many records sharing one sequence of kinds (so a remembered script meets records whose
actors, times, fields and details differ), one clock with an update settled against the check
itself, and a sketch fed an array against the same values added one by one.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

import qse_customer as qse
from qse_customer.core.enquiry import Enquiry
from qse_customer.core.events import Event
from qse_customer.core.roles import Actor, Role
from qse_customer.core.timestamps import from_us, to_us
from qse_customer.core.vocabulary import Channel
from qse_customer.rules import Status, compile_ruleset, load_ruleset
from qse_customer.rules._clock_batch import ClockBatch
from qse_customer.rules._quantiles import EXACT_LIMIT, GAMMA, ElapsedSketch
from test_rules_clock_batch import (
    HAVANA,
    LAB,
    MODES,
    SPLIT,
    STANDARDS,
    batching,
    limits,
    reports,
    same,
    sketch_states,
)

PERSON = Actor(id="S-1", name="Sam", role=Role.TECHNOLOGIST)
KEEP_ALL_BUT_NOT_APPLICABLE = (Status.MET, Status.BREACHED, Status.AT_RISK, Status.PENDING)
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
DETAILS = ("details", "message_for", "caller_name", "contact_number", "contact_name")
# Times on the half hour (deadlines are closing times: a stop or an update falls on one now and
# then), from 2020 and from the last weeks of the calendar's years (left to the scalar path).
half_hours = st.integers(0, 48 * 400).map(lambda n: n * 1800)
firsts = st.one_of(
    st.integers(0, 7 * 365 * 48).map(
        lambda n: datetime(2020, 1, 1, tzinfo=UTC) + timedelta(minutes=30 * n)
    ),
    st.integers(0, 20 * 48).map(
        lambda n: datetime(2100, 12, 10, tzinfo=UTC) + timedelta(minutes=30 * n)
    ),
)
LAST = datetime(2100, 12, 31, 23, tzinfo=UTC)
MONDAY = datetime(2026, 3, 2, 9, tzinfo=UTC)
recent = st.integers(0, 7 * 365 * 48).map(
    lambda n: datetime(2020, 1, 1, tzinfo=UTC) + timedelta(minutes=30 * n)
)


@st.composite
def alike(draw: st.DrawFn) -> list[Enquiry]:
    """Enquiries whose events have one sequence of kinds (a few have another), each with its
    own times, actors, fields and details."""
    sequences = [
        ["received", *draw(st.lists(st.sampled_from(KINDS), max_size=4))] for _ in range(2)
    ]
    made = []
    for number in range(draw(st.integers(1, 14))):
        kinds = sequences[0] if draw(st.integers(0, 4)) else sequences[1]
        at = draw(firsts)
        events = []
        for position, kind in enumerate(kinds):
            if position:
                at = min(at + timedelta(seconds=draw(half_hours)), LAST)
            data: dict[str, Any] = {
                name: draw(st.sampled_from(["", " ", "x"]))
                for name in draw(st.lists(st.sampled_from(DETAILS), max_size=5, unique=True))
            }
            if kind == "extension_agreed":
                data["until"] = (at + timedelta(days=3)).isoformat()
            actor = None if position and draw(st.booleans()) else PERSON
            events.append(Event(kind, at, actor, data))
        fields = {
            "channel": draw(st.sampled_from(Channel)),
            "subject": "test",
            "clinical": draw(st.booleans()),
            "complex": draw(st.booleans()),
            "freedom_of_information": draw(st.booleans()),
        }
        # A step the lifecycle does not allow there cuts the history short.
        while events:
            try:
                made.append(Enquiry(id=f"E-{number}", events=tuple(events), **fields))
                break
            except qse.QSEError:
                events.pop()
    return made


moments = st.one_of(
    st.integers(0, 8 * 365 * 48).map(
        lambda n: datetime(2020, 1, 1, tzinfo=UTC) + timedelta(minutes=30 * n)
    ),
    st.datetimes(datetime(2019, 1, 1), datetime(2028, 1, 1), timezones=st.just(UTC)),
)


@settings(max_examples=80, deadline=None)
@given(alike(), moments)
def test_records_of_one_sequence_of_kinds_judged_as_each_rule_would(batch, at):
    """The standards over enquiries that share a script: every report alike, batched,
    unbatched and plain (every status kept but not applicable, and few, and none)."""
    assert same(reports(STANDARDS, batch, at, keep=KEEP_ALL_BUT_NOT_APPLICABLE))
    assert same(reports(STANDARDS, batch, at, keep=KEEP_ALL_BUT_NOT_APPLICABLE, max_findings=2))
    assert same(reports(STANDARDS, batch, at, keep=()))
    assert same(reports(STANDARDS, batch, at))


def updated_clock(
    limit: dict[str, Any], every: dict[str, Any], warn_at: float | None, automatic: bool
) -> Any:
    params: dict[str, Any] = {
        "start": ["received"],
        "stop": ["responded"],
        "limit": limit,
        "repeat": {"events": ["progress_update"], "every": every},
    }
    if warn_at is not None:
        params["warn_at"] = warn_at
    if automatic:
        params["automatic"] = []
    rule = {
        "id": "C-1",
        "title": "one clock with updates",
        "kind": "response_time",
        "applies_to": {"record_type": "enquiry"},
        "params": params,
        "source": {"document": "test", "section": "1"},
    }
    return load_ruleset({"name": "clock", "version": "1", "rules": [rule]})


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from([LAB, SPLIT, HAVANA]),
    limits,
    limits,
    st.sampled_from([None, 0.5, 0.75]),
    # Mostly clocks the arrays answer; now and then a few at the calendar's end as well.
    st.lists(
        st.tuples(recent, half_hours, half_hours, st.booleans(), st.booleans()),
        min_size=1,
        max_size=12,
    )
    | st.lists(
        st.tuples(firsts, half_hours, half_hours, st.booleans(), st.booleans()),
        min_size=1,
        max_size=3,
    ),
    half_hours,
)
@example(  # an update on the deadline (Wed 17:00) is in time, and moves it to Fri 17:00
    LAB,
    {"working_days": 2},
    {"working_days": 2},
    0.75,
    [(MONDAY, 56 * 3600, 3600, True, True)],
    7200,
)
@example(  # no working hours: the scalar path, an update on the deadline in time
    LAB,
    {"working_hours": 0},
    {"working_days": 2},
    0.5,
    [(MONDAY, 0, 3600, True, True), (MONDAY, 3600, 0, True, False)],
    3600,
)
@example(  # a running clock's share counts from the update that moved its deadline
    LAB,
    {"working_days": 2},
    {"working_days": 2},
    0.5,
    [(MONDAY, 25 * 3600, 0, True, False)],
    3600,
)
def test_a_clock_with_one_update_settles_as_its_check_judges(
    calendar, limit, every, warn_at, clocks, lapse
):
    """A clock with one update by a person, settled in a batch (the update late, in time,
    moving the deadline or not; the clock stopped or running; at the calendar's end), has the
    status, deadline, elapsed time and share the rule's check gives it."""
    import numpy as np

    compiled = compile_ruleset(updated_clock(limit, every, warn_at, False), calendar=calendar)
    slot = compiled.slots[0]
    batch, check = slot.compiled.batch, slot.compiled.check
    assert isinstance(batch, ClockBatch) and check is not None
    latest = min(first + timedelta(seconds=a + b) for first, a, b, _, _ in clocks)
    at = to_us(min(latest + timedelta(seconds=lapse), LAST))
    env = compiled._env(from_us(at))
    records, starts, stops, repeats = [], [], [], []
    for first, to_update, to_stop, updates, stops_ in clocks:
        update = min(first + timedelta(seconds=to_update), LAST)
        stop = min(update + timedelta(seconds=to_stop), LAST)
        events = [Event("received", first, PERSON)]
        if updates:
            events.append(Event("progress_update", update, PERSON))
        if stops_:
            events.append(Event("responded", stop, PERSON))
        records.append(tuple(events))
        starts.append(to_us(first))
        stops.append(to_us(stop) if stops_ else -1)
        repeats.append(to_us(update) if updates else -1)
        assert batch.shape([event.kind for event in events]) is not None
    expected: list[Any] = []
    for events in records:
        try:
            outcome = check(None, events, env)  # type: ignore[arg-type]
        except qse.QSEError as error:  # outside the calendar: the batch refuses it too
            expected.append(type(error))
        else:
            expected.append((outcome.code, outcome.due, outcome.elapsed, outcome.facts[7]))
    # The scalar path (a clock the arrays cannot answer) judges each clock as the check does.
    for start, stop, repeat, wanted in zip(starts, stops, repeats, expected, strict=True):
        if not isinstance(wanted, type):
            assert batch._one((0, 0, start, stop), at, repeat) == wanted
    arrays = [np.asarray(values, dtype=np.int64) for values in (starts, stops, repeats)]
    flat = [value for clock in zip(starts, stops, repeats, strict=True) for value in clock]
    if any(isinstance(item, type) for item in expected):
        for settle in (
            lambda: batch.settle_arrays(arrays[0], arrays[1], at, arrays[2]),
            lambda: batch.settle_flat(flat, at),
        ):
            try:
                settle()
            except qse.QSEError as error:
                assert type(error) in expected
            else:
                raise AssertionError("the batch settled what the check refused")
        return
    assert [tuple(values) for values in zip(*batch.settle_flat(flat, at), strict=True)] == expected
    codes, due, seconds, shares = batch.settle_arrays(arrays[0], arrays[1], at, arrays[2])
    got = [
        (code, when, None if spent != spent else spent, None if share != share else share)
        for code, when, spent, share in zip(
            codes.tolist(), due.tolist(), seconds.tolist(), shares.tolist(), strict=True
        )
    ]
    assert got == expected


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(firsts, half_hours, half_hours, st.booleans(), st.booleans()), max_size=8),
    st.booleans(),
    moments,
)
def test_an_update_by_no_one_is_ignored_where_only_a_person_counts(clocks, automatic, at):
    """An update made by no one (ignored where only a person's counts) in the batch: the
    report the plain path gives, its finding's facts from the check."""
    ruleset = updated_clock({"working_days": 2}, {"working_days": 2}, 0.5, automatic)
    compiled = compile_ruleset(ruleset, calendar=LAB)
    batch = []
    for number, (first, to_update, to_stop, by_person, stops) in enumerate(clocks):
        update = min(first + timedelta(seconds=to_update), LAST)
        events = [
            Event("received", first, PERSON),
            Event("progress_update", update, PERSON if by_person else None),
        ]
        if stops:
            events.append(
                Event("responded", min(update + timedelta(seconds=to_stop), LAST), PERSON)
            )
        batch.append(
            Enquiry(
                id=f"E-{number}",
                events=tuple(events),
                channel=Channel.EMAIL,
                subject="test",
                clinical=False,
                complex=False,
                freedom_of_information=False,
            )
        )
    try:
        compiled.check(batch, at=at, engine="plain")
    except qse.QSEError:
        return  # the calendar's end: the other properties hold the batch to the same error
    assert same(reports(compiled, batch, at, keep=KEEP_ALL_BUT_NOT_APPLICABLE))


# Elapsed times on the edges of the sketch's buckets (GAMMA to a whole power, and the floats
# either side), where a logarithm a bit off would move a value to the next bucket.
edges = st.integers(-200, 2300).flatmap(
    lambda k: st.sampled_from(
        [GAMMA**k, math.nextafter(GAMMA**k, 0.0), math.nextafter(GAMMA**k, math.inf)]
    )
)
seconds = st.one_of(
    edges,
    st.floats(min_value=-10.0, max_value=3e9, allow_nan=False),
    st.sampled_from([0.0, -0.0, 1.0]),
)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(seconds, max_size=EXACT_LIMIT + 20),
    st.lists(st.lists(seconds, max_size=EXACT_LIMIT + 100) | st.lists(edges, max_size=50)),
)
def test_a_sketch_fed_arrays_is_the_sketch_fed_each_value(before, batches):
    import numpy as np

    each, arrays = ElapsedSketch(), ElapsedSketch()
    each.add_many(before)
    arrays.add_many(before)
    for values in batches:
        for value in values:
            each.add(value)
        arrays.add_array(np.asarray(values, dtype=np.float64))
        assert arrays.count == each.count
        assert arrays._zeros == each._zeros
        assert arrays.buckets() == each.buckets()
        assert (None if arrays._values is None else list(arrays._values)) == (
            None if each._values is None else list(each._values)
        )
    for q in (0.0, 0.5, 0.9, 1.0):
        assert arrays.quantile(q) == each.quantile(q)


def test_a_clock_outside_its_start_condition_is_not_settled_further() -> None:
    """A voicemail left in opening hours on the calendar's last working day: T-2a (messages
    left out of hours, answered by noon the next working day) does not apply to it, so no next
    working day is looked for (there is none in the calendar): the batch says so too."""
    received = datetime(2100, 12, 31, 10, tzinfo=UTC)
    voicemail = Enquiry(
        id="E-1",
        events=(Event("received", received, PERSON),),
        channel=Channel.VOICEMAIL,
        subject="test",
        clinical=False,
        complex=False,
        freedom_of_information=False,
    )
    at = received + timedelta(hours=1)
    made = reports(STANDARDS, [voicemail], at, keep=KEEP_ALL_BUT_NOT_APPLICABLE)
    assert same(made)
    t2a = next(rule for rule in made[0]["rules"] if rule["rule_id"] == "T-2a")
    assert t2a["not_applicable"] == 1


def test_each_event_of_a_details_rule_is_checked_not_only_the_first() -> None:
    """Two messages taken, the first with every detail and the second without: the batched
    path's recorded_details check looks at both, as the rule's own check does."""
    received = datetime(2026, 3, 2, 9, tzinfo=UTC)
    full = {"details": "x", "message_for": "x", "caller_name": "x", "contact_number": "x"}
    enquiry = Enquiry(
        id="E-1",
        events=(
            Event("received", received, PERSON),
            Event("message_taken", received + timedelta(minutes=5), PERSON, full),
            Event("message_taken", received + timedelta(minutes=9), PERSON, {"details": "x"}),
        ),
        channel=Channel.TELEPHONE,
        subject="test",
        clinical=False,
        complex=False,
        freedom_of_information=False,
    )
    made = reports(STANDARDS, [enquiry], received + timedelta(hours=1))
    assert same(made)
    taken = next(rule for rule in made[0]["rules"] if rule["rule_id"] == "CS-3.1.2")
    assert taken["breached"] == 1


def test_a_kept_clock_finding_finds_its_outcome_only_when_its_words_are_read() -> None:
    """Clocks settled in a batch (one with an update, one without, one running) are kept as
    findings with the settled status, deadline and elapsed time, their words not made yet; read,
    they are the plain path's, facts and all."""
    import numpy  # noqa: F401 - the batched path needs numpy

    received = datetime(2026, 3, 2, 9, tzinfo=UTC)
    histories = [
        (Event("received", received, PERSON),),
        (
            Event("received", received, PERSON),
            Event("progress_update", received + timedelta(days=1), PERSON),
            Event("responded", received + timedelta(days=6), PERSON),
        ),
        (
            Event("received", received, PERSON),
            Event("responded", received + timedelta(days=5), PERSON),
        ),
    ]
    enquiries = [
        Enquiry(
            id=f"E-{number}",
            events=events,
            channel=Channel.EMAIL,
            subject="test",
            clinical=False,
            complex=False,
            freedom_of_information=False,
        )
        for number, events in enumerate(histories)
    ]
    ruleset = updated_clock({"working_days": 2}, {"working_days": 2}, 0.5, False)
    compiled = compile_ruleset(ruleset, calendar=LAB)
    at = received + timedelta(days=10)
    keep = KEEP_ALL_BUT_NOT_APPLICABLE
    fast = compiled.check(enquiries, at=at, keep=keep)
    plain = compiled.check(enquiries, at=at, keep=keep, engine="plain")
    assert len(fast.findings) == 3
    for finding in fast.findings:
        assert object.__getattribute__(finding, "_explain") is not None  # words not made yet
    assert [f.to_dict() for f in fast.findings] == [f.to_dict() for f in plain.findings]
    assert fast.to_dict() == plain.to_dict()


SHORT = qse.WorkingCalendar(
    timezone="Europe/London", opens="08:00", closes="17:00", first_year=2029, last_year=2030
)
"""A calendar whose years end before the events may: a clock can stop past its tables."""
SHORT_TO_MIDNIGHT = qse.WorkingCalendar(
    timezone="Europe/London", opens="08:00", closes="24:00", first_year=2029, last_year=2030
)
"""The same, open until midnight: its last deadline is the instant its tables end."""


@settings(max_examples=60, deadline=None)
@given(
    limits,
    st.sampled_from([None, 0.5]),
    st.integers(0, 30 * 48).map(
        lambda n: datetime(2030, 12, 15, tzinfo=UTC) + timedelta(minutes=30 * n)
    ),
    st.integers(0, 10 * 48).map(lambda n: timedelta(minutes=30 * n)),
    st.booleans(),
)
def test_a_clock_past_the_calendars_end_is_refused_or_judged_alike(
    limit, warn_at, received, lapse, stops
):
    """A clock started in the calendar's last weeks that stops (or is judged) past its end:
    the batch, settled with numpy or in lists, refuses it with the check's error or judges it
    as the check does (the lists answer nothing past the tables)."""
    from test_rules_clock_batch import MODES, batching, one_clock

    compiled = compile_ruleset(one_clock(limit, warn_at), calendar=SHORT)
    later = received + lapse
    enquiry = Enquiry(
        id="E-1",
        events=(
            Event("received", received, PERSON),
            *((Event("responded", later, PERSON),) if stops else ()),
        ),
        channel=Channel.EMAIL,
        subject="test",
        clinical=False,
        complex=False,
        freedom_of_information=False,
    )
    at = later + timedelta(hours=1)
    for keep in (KEEP_ALL_BUT_NOT_APPLICABLE, ()):
        outcomes: list[Any] = []
        for mode in (*MODES, "plain"):
            with batching("each" if mode == "plain" else mode):
                try:
                    outcomes.append(
                        compiled.check(
                            [enquiry],
                            at=at,
                            keep=keep,
                            engine="plain" if mode == "plain" else "fast",
                        ).to_dict()  # the words too: a finding explained past the tables refuses
                    )
                except qse.QSEError as error:
                    outcomes.append(type(error))
        assert all(outcome == outcomes[-1] for outcome in outcomes)


def _settled(settle: Any) -> Any:
    """What a settle gives for its clocks, or the type of the calendar's error."""
    try:
        return settle()
    except qse.QSEError as error:
        return type(error)


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from([SHORT, SHORT_TO_MIDNIGHT]),
    limits,
    st.sampled_from([None, 0.25, 1]),
    st.lists(
        st.tuples(
            st.integers(0, 25 * 48).map(lambda n: n * 1800),  # the start, from 10 December
            st.integers(-1, 20 * 48).map(lambda n: n * 1800),  # the stop after it (< 0: none)
            st.integers(-2, 20 * 48).map(lambda n: n * 1800),  # the update (< 0: none, ignored)
        ),
        min_size=1,
        max_size=6,
    ),
    st.integers(0, 60 * 48).map(lambda n: n * 1800),
)
@example(  # a running clock judged at its deadline, the instant the tables end: refused
    SHORT_TO_MIDNIGHT, {"working_days": 0}, 0.25, [((21 * 48 + 18) * 1800, -1, -1)], 22 * 48 * 1800
)
def test_settling_in_lists_gives_the_scalar_answer_near_the_tables_end(
    calendar, limit, warn_at, clocks, at
):
    """Clocks settled in lists whose instants fall on either side of the tables' end (where a
    search cannot answer): each has the status, deadline, time run and share the rule's scalar
    functions give (``_one``), or the batch refuses them with the calendar's error."""
    ruleset = updated_clock(limit, {"working_days": 1}, warn_at, False)
    compiled = compile_ruleset(ruleset, calendar=calendar)
    batch = compiled.slots[0].compiled.batch
    assert isinstance(batch, ClockBatch)
    first = to_us(datetime(2030, 12, 10, tzinfo=UTC))
    moment = first + at * 1_000_000
    flat: list[int] = []
    for start, stop, update in clocks:
        begin = first + start * 1_000_000
        flat += [
            begin,
            begin + stop * 1_000_000 if stop >= 0 else -1,
            begin + update * 1_000_000 if update >= 0 else update,
        ]
    expected = _settled(
        lambda: [
            batch._one((0, 0, flat[k], flat[k + 1]), moment, flat[k + 2])
            for k in range(0, len(flat), 3)
        ]
    )
    got = _settled(lambda: batch.settle_flat(flat, moment))
    if isinstance(expected, type) or isinstance(got, type):
        assert got == expected
    else:
        assert [tuple(clock) for clock in zip(*got, strict=True)] == expected


def test_many_clocks_of_one_rule_settled_in_lists_or_arrays_as_each_rule_would() -> None:
    """Thousands of clocks of the shipped standards (past the sketches' exact limit, so their
    medians come from buckets, and past a batch): every report alike, numpy, lists, no batches
    and plain."""
    import random

    draw = random.Random(16)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    enquiries = []
    for number in range(6000):
        received = start + timedelta(minutes=draw.randrange(2 * 365 * 24 * 60))
        events = [Event("received", received, PERSON)]
        if draw.random() < 0.8:
            late = timedelta(minutes=draw.randrange(6 * 24 * 60))
            events.append(Event("responded", received + late, PERSON))
        enquiries.append(
            Enquiry(
                id=f"E-{number}",
                events=tuple(events),
                channel=draw.choice([Channel.EMAIL, Channel.TELEPHONE, Channel.WEB]),
                subject="test",
                clinical=False,
                complex=False,
                freedom_of_information=draw.random() < 0.3,
            )
        )
    at = datetime(2026, 3, 1, tzinfo=UTC)
    assert same(reports(STANDARDS, enquiries, at, keep=()))
    made = reports(STANDARDS, enquiries, at)
    assert same(made)
    assert any(not rule["elapsed_exact"] for rule in made[0]["rules"] if rule["checked"])
    # The sketches themselves, not only the quantiles a report shows: every value in its bucket
    # (while exact, the values in any order: a batch adds them rule by rule).
    states = []
    for mode in MODES:
        with batching(mode):
            # By year: a period's sketches past their exact limit too.
            checking = STANDARDS.checking(at=at, keep=(), period="year")
            for first in range(0, len(enquiries), 500):  # clocks wait across feeds
                checking.feed(enquiries[first : first + 500])
            checking.report()  # the clocks still waiting settled
            states.append(sketch_states(checking._run))
    assert states[0] == states[1] == states[2]
