"""The response_time rule kind: properties of its clocks, and the documented decisions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import qse_customer as qse
from qse_customer.rules import Status, evaluate, load_ruleset

LONDON = ZoneInfo("Europe/London")
LAB = qse.WorkingCalendar(
    timezone="Europe/London", country="GB", subdivision="ENG", opens="08:00", closes="17:00"
)
TECH = qse.Actor("t-1", "Tara Tech", qse.Role.TECHNOLOGIST)


def ruleset(params, where=None):
    applies = {"record_type": "enquiry"}
    if where:
        applies["where"] = where
    rule = {
        "id": "CLOCK",
        "title": "a clock",
        "kind": "response_time",
        "source": {"document": "test.txt", "section": "1"},
        "applies_to": applies,
        "params": params,
    }
    return load_ruleset({"name": "test", "version": "1", "rules": [rule]})


def enquiry(received, later=(), **fields):
    """An enquiry received at ``received``, then ``later`` events (kind, at[, data]) in order."""
    record = qse.Enquiry.receive(
        id="E-1", at=received, by=TECH, channel=fields.pop("channel", "telephone"), **fields
    )
    for kind, at, *data in sorted(later, key=lambda item: item[1]):
        record = record.add(kind, at=at, by=TECH, **(data[0] if data else {}))
    return record


def finding(record, params, at, calendar=LAB, **ruleset_args):
    (result,) = evaluate([record], ruleset(params, **ruleset_args), calendar=calendar, at=at)
    return result


# -- strategies ---------------------------------------------------------------------------------

limits = st.one_of(
    st.builds(
        lambda n, mode: {"working_days": n, "after_closing": mode},
        st.integers(0, 10),
        st.sampled_from(["next_day", "same_day"]),
    ),
    st.builds(lambda h: {"working_hours": h}, st.integers(0, 40) | st.sampled_from([0.5, 4.5])),
    st.builds(lambda m: {"minutes": m}, st.integers(0, 600)),
    st.builds(lambda d: {"days": d}, st.integers(0, 10)),
    st.builds(lambda t: {"next_working_day_at": t}, st.sampled_from(["09:00", "12:00"])),
)
# Read on London's wall clock, then kept in UTC so that adding seconds adds elapsed time.
starts = st.datetimes(
    min_value=datetime(2015, 1, 1), max_value=datetime(2090, 1, 1), timezones=st.just(LONDON)
).map(lambda moment: moment.astimezone(UTC))
offsets = st.integers(0, 30 * 24 * 3600)  # seconds after receipt
pause_pairs = st.lists(st.tuples(offsets, st.integers(0, 10 * 24 * 3600)), max_size=2)
updates = st.lists(offsets, max_size=3)

CLOCK = {"start": ["received"], "stop": ["responded"]}
PAUSED = {**CLOCK, "pause": ["awaiting_customer"], "resume": ["customer_replied"]}


def history(start, pauses=(), progress=(), stop=None):
    events = []
    for begin, length in pauses:
        events.append(("awaiting_customer", start + timedelta(seconds=begin)))
        events.append(("customer_replied", start + timedelta(seconds=begin + length)))
    for offset in progress:
        events.append(("progress_update", start + timedelta(seconds=offset)))
    if stop is not None:
        events.append(("responded", start + timedelta(seconds=stop)))
    return events


# -- properties ---------------------------------------------------------------------------------


@settings(max_examples=150)
@given(starts, limits, pause_pairs, updates, offsets, st.data())
def test_moving_the_stop_earlier_never_turns_met_into_breached(
    start, limit, pauses, progress, stop, data
):
    earlier = data.draw(st.integers(0, stop), label="earlier stop")
    params = {**PAUSED, "limit": limit, "repeat": {"events": ["progress_update"], "every": limit}}
    at = start + timedelta(days=60)
    before = finding(enquiry(start, history(start, pauses, progress, stop)), params, at)
    after = finding(enquiry(start, history(start, pauses, progress, earlier)), params, at)
    if before.status is Status.MET:
        assert after.status is not Status.BREACHED, (before.message, after.message)


@settings(max_examples=150)
@given(starts, limits, pause_pairs, updates, st.none() | offsets, st.tuples(offsets, offsets))
def test_adding_a_pause_never_makes_the_deadline_earlier(
    start, limit, pauses, progress, stop, extra
):
    # Pause and resume events pair in order, so the added pause begins after the others end.
    params = {**PAUSED, "limit": limit, "repeat": {"events": ["progress_update"], "every": limit}}
    at = start + timedelta(days=45)
    without = finding(enquiry(start, history(start, pauses, progress, stop)), params, at)
    after_the_others = max((begin + length for begin, length in pauses), default=-1) + 1
    extra_pause = [*pauses, (after_the_others + extra[0], extra[1])]
    with_pause = finding(enquiry(start, history(start, extra_pause, progress, stop)), params, at)
    assert with_pause.due_at >= without.due_at, (without.message, with_pause.message)


@settings(max_examples=100)
@given(starts, limits, offsets, st.floats(0.05, 1.0))
def test_a_running_clock_is_at_risk_exactly_when_the_warning_share_is_used(
    start, limit, elapsed, warn_at
):
    params = {**CLOCK, "limit": limit, "warn_at": warn_at}
    at = start + timedelta(seconds=elapsed)
    result = finding(enquiry(start), params, at)
    if at > result.due_at:
        assert result.status is Status.BREACHED
    else:
        share = result.evidence["share_used"]
        expected = Status.AT_RISK if share >= warn_at else Status.PENDING
        assert result.status is expected
        assert 0 <= share <= 1


@given(starts, limits, offsets)
def test_a_stopped_clock_is_met_exactly_when_it_stops_by_the_deadline(start, limit, stop):
    params = {**CLOCK, "limit": limit}
    stopped = start + timedelta(seconds=stop)
    result = finding(enquiry(start, [("responded", stopped)]), params, stopped)
    assert result.status is (Status.MET if stopped <= result.due_at else Status.BREACHED)
    assert result.elapsed is not None and result.elapsed >= timedelta(0)


@given(starts, limits, offsets)
def test_events_after_at_are_not_seen(start, limit, stop):
    params = {**CLOCK, "limit": limit}
    record = enquiry(start, [("responded", start + timedelta(seconds=stop + 1))])
    result = finding(record, params, start + timedelta(seconds=stop))
    assert result.status in {Status.PENDING, Status.AT_RISK, Status.BREACHED}
    assert result.evidence["stopped_at"] is None


# -- the documented decisions ---------------------------------------------------------------------

ENGLAND = qse.WorkingCalendar(timezone="Europe/London", country="GB", subdivision="ENG")


def test_received_friday_with_a_monday_bank_holiday_is_due_wednesday_at_closing():
    # docs/calendar.md: Friday 3 May 2024 10:00, 2 working days, Monday 6 May a bank holiday.
    received = datetime(2024, 5, 3, 10, tzinfo=LONDON)
    params = {**CLOCK, "limit": {"working_days": 2}}
    result = finding(enquiry(received), params, received, calendar=ENGLAND)
    assert result.due_at == datetime(2024, 5, 8, 17, tzinfo=LONDON)
    assert result.status is Status.PENDING


def test_a_saturday_receipt_says_why_the_count_starts_on_monday():
    received = datetime(2024, 5, 11, 10, tzinfo=LONDON)
    params = {**CLOCK, "limit": {"working_days": 2}}
    answered = datetime(2024, 5, 16, 9, tzinfo=LONDON)
    result = finding(enquiry(received, [("responded", answered)]), params, answered, ENGLAND)
    assert result.status is Status.BREACHED
    assert "not a working day: a Saturday" in result.message
    assert "the day of receipt is the next working day, Mon 13 May 2024" in result.message
    assert "Wed 15 May 2024 17:00 BST" in result.message
    assert "16 h 00 min (0 s of working time) after the deadline" in result.message
    assert result.message.startswith("CLOCK breached (test.txt §1): ")


def test_working_hours_start_at_the_next_opening_and_say_so():
    received = datetime(2024, 5, 10, 18, tzinfo=LONDON)  # Friday after closing
    params = {**CLOCK, "limit": {"working_hours": 2}}
    result = finding(enquiry(received), params, received, ENGLAND)
    assert result.due_at == datetime(2024, 5, 13, 11, tzinfo=LONDON)
    assert "started at the next opening, Mon 13 May 2024 09:00 BST" in result.message


def test_a_pause_moves_a_working_days_deadline_by_the_working_time_paused():
    received = datetime(2026, 1, 5, 9, tzinfo=LONDON)  # Monday
    params = {**PAUSED, "limit": {"working_days": 2}}
    pause = [
        ("awaiting_customer", datetime(2026, 1, 5, 10, tzinfo=LONDON)),
        ("customer_replied", datetime(2026, 1, 6, 10, tzinfo=LONDON)),  # one whole working day
    ]
    result = finding(enquiry(received, pause), params, received + timedelta(hours=30), LAB)
    assert result.due_at == datetime(2026, 1, 8, 17, tzinfo=LONDON)  # Wed 17:00 + 9 h
    assert "9 h 00 min of working time not counted" in result.message


def test_a_pause_after_the_deadline_does_not_excuse_the_breach():
    received = datetime(2026, 1, 5, 9, tzinfo=LONDON)
    params = {**PAUSED, "limit": {"working_days": 1}}
    late = [
        ("awaiting_customer", datetime(2026, 1, 7, 9, tzinfo=LONDON)),
        ("customer_replied", datetime(2026, 1, 9, 9, tzinfo=LONDON)),
        ("responded", datetime(2026, 1, 9, 10, tzinfo=LONDON)),
    ]
    result = finding(enquiry(received, late), params, datetime(2026, 2, 1, tzinfo=UTC), LAB)
    assert result.status is Status.BREACHED
    assert result.due_at == datetime(2026, 1, 6, 17, tzinfo=LONDON)


def test_a_paused_clock_is_pending():
    received = datetime(2026, 1, 5, 9, tzinfo=LONDON)
    params = {**PAUSED, "limit": {"working_days": 1}, "warn_at": 0.5}
    waiting = [("awaiting_customer", datetime(2026, 1, 5, 10, tzinfo=LONDON))]
    result = finding(enquiry(received, waiting), params, datetime(2026, 3, 1, tzinfo=UTC), LAB)
    assert result.status is Status.PENDING
    assert "still paused" in result.message


def test_progress_updates_keep_the_clock_met_until_the_response():
    received = datetime(2026, 1, 5, 9, tzinfo=LONDON)  # Monday: first update due Wed 17:00
    params = {
        **CLOCK,
        "limit": {"working_days": 2},
        "repeat": {"events": ["progress_update"], "every": {"working_days": 2}},
    }
    kept_informed = [
        ("progress_update", datetime(2026, 1, 7, 16, tzinfo=LONDON)),  # next due Fri 17:00
        ("progress_update", datetime(2026, 1, 9, 12, tzinfo=LONDON)),  # next due Tue 17:00
        ("responded", datetime(2026, 1, 13, 15, tzinfo=LONDON)),
    ]
    result = finding(enquiry(received, kept_informed), params, datetime(2026, 2, 1, tzinfo=UTC))
    assert result.status is Status.MET
    assert result.due_at == datetime(2026, 1, 13, 17, tzinfo=LONDON)
    assert len(result.evidence["updates"]) == 2


def test_an_update_after_the_deadline_does_not_mend_the_chain():
    received = datetime(2026, 1, 5, 9, tzinfo=LONDON)
    params = {
        **CLOCK,
        "limit": {"working_days": 2},
        "repeat": {"events": ["progress_update"], "every": {"working_days": 2}},
    }
    late = [
        ("progress_update", datetime(2026, 1, 8, 9, tzinfo=LONDON)),  # after Wed 17:00
        ("responded", datetime(2026, 1, 8, 10, tzinfo=LONDON)),
    ]
    result = finding(enquiry(received, late), params, datetime(2026, 2, 1, tzinfo=UTC))
    assert result.status is Status.BREACHED
    assert "came after the deadline had already passed" in result.message


def test_an_extension_with_a_date_moves_the_deadline_and_one_without_waives_it():
    received = datetime(2026, 1, 5, 9, tzinfo=LONDON)
    params = {
        "start": ["received"],
        "stop": ["posted"],
        "limit": {"working_days": 6},
        "extension": {"events": ["extension_agreed"], "until": "until"},
    }
    agreed = ("extension_agreed", datetime(2026, 1, 8, 9, tzinfo=LONDON), {"until": "2026-01-30"})
    posted = ("posted", datetime(2026, 1, 29, 9, tzinfo=LONDON))
    result = finding(enquiry(received, [agreed, posted]), params, datetime(2026, 2, 2, tzinfo=UTC))
    assert result.status is Status.MET
    assert result.due_at == datetime(2026, 1, 31, tzinfo=LONDON)  # the end of 30 January
    waived = ("extension_agreed", datetime(2026, 1, 8, 9, tzinfo=LONDON))
    result = finding(enquiry(received, [waived, posted]), params, datetime(2026, 2, 2, tzinfo=UTC))
    assert result.status is Status.NOT_APPLICABLE
    assert "no longer applies" in result.message


def test_a_start_condition_limits_the_rule_to_out_of_hours_receipts():
    params = {
        **CLOCK,
        "limit": {"next_working_day_at": "12:00"},
        "start_condition": "out_of_hours",
    }
    in_hours = datetime(2026, 1, 5, 10, tzinfo=LONDON)
    result = finding(enquiry(in_hours), params, in_hours)
    assert result.status is Status.NOT_APPLICABLE
    assert "during opening hours" in result.message
    friday_night = datetime(2026, 1, 9, 19, tzinfo=LONDON)
    result = finding(enquiry(friday_night), params, friday_night)
    assert result.due_at == datetime(2026, 1, 12, 12, tzinfo=LONDON)


def test_no_start_event_is_not_applicable_and_says_so():
    params = {"start": ["acknowledged"], "stop": ["responded"], "limit": {"days": 1}}
    received = datetime(2026, 1, 5, 9, tzinfo=LONDON)
    result = finding(enquiry(received), params, received)
    assert result.status is Status.NOT_APPLICABLE
    assert "has not started" in result.message


def test_each_start_event_can_run_its_own_clock():
    contract = qse.Contract.enter(
        id="K-1", at=datetime(2026, 1, 5, 9, tzinfo=LONDON), by=None, client="Ward 4"
    )
    for kind, day in (
        ("deviation_identified", 6),
        ("deviation_reported", 7),
        ("deviation_identified", 12),
        ("deviation_reported", 20),
    ):
        contract = contract.add(kind, at=datetime(2026, 1, day, 10, tzinfo=LONDON), by=None)
    rules = load_ruleset(
        {
            "name": "deviations",
            "version": "1",
            "rules": [
                {
                    "id": "DEV",
                    "title": "deviations reported",
                    "kind": "response_time",
                    "source": {"document": "contract"},
                    "applies_to": {"record_type": "contract"},
                    "params": {
                        "start": ["deviation_identified"],
                        "stop": ["deviation_reported"],
                        "limit": {"working_days": 2},
                        "clocks": "each",
                    },
                }
            ],
        }
    )
    (result,) = evaluate([contract], rules, calendar=LAB, at=datetime(2026, 2, 1, tzinfo=UTC))
    assert result.status is Status.BREACHED
    assert [clock["status"] for clock in result.evidence["clocks"]] == ["met", "breached"]
    assert "clock 1 (met): the clock started with deviation_identified" in result.message
    assert "clock 2 (breached)" in result.message


@pytest.mark.parametrize(
    ("limit", "expected"),
    [
        ({"minutes": 60}, datetime(2026, 1, 10, 11, tzinfo=LONDON)),
        ({"hours": 24}, datetime(2026, 1, 11, 10, tzinfo=LONDON)),
        ({"days": 5}, datetime(2026, 1, 15, 10, tzinfo=LONDON)),
    ],
)
def test_calendar_time_runs_around_the_clock(limit, expected):
    saturday = datetime(2026, 1, 10, 10, tzinfo=LONDON)
    result = finding(enquiry(saturday), {**CLOCK, "limit": limit}, saturday)
    assert result.due_at == expected
    assert result.measure == "calendar time"


# -- acknowledgements, automatic events, restarts -------------------------------------------------


@settings(max_examples=150)
@given(starts, limits, limits, pause_pairs, updates, st.none() | offsets, offsets)
def test_adding_a_progress_update_never_makes_the_deadline_earlier(
    start, limit, every, pauses, progress, stop, extra
):
    """An early update never shortens the time the limit allows, paused or not."""
    params = {**PAUSED, "limit": limit, "repeat": {"events": ["progress_update"], "every": every}}
    at = start + timedelta(days=45)
    without = finding(enquiry(start, history(start, pauses, progress, stop)), params, at)
    more = [*progress, extra]
    with_update = finding(enquiry(start, history(start, pauses, more, stop)), params, at)
    assert with_update.due_at >= without.due_at, (without.message, with_update.message)


ACKNOWLEDGED = {
    **CLOCK,
    "limit": {"working_days": 5},
    "acknowledge": ["acknowledged"],
    "repeat": {"events": ["progress_update"], "every": {"working_days": 5}},
    "automatic": [],
}


@given(starts, st.lists(offsets, min_size=1, max_size=5), st.none() | offsets)
def test_only_the_first_acknowledgement_counts(start, acks, stop):
    first, *rest = sorted(acks)
    later = [("acknowledged", start + timedelta(seconds=first))]
    if stop is not None:
        later.append(("responded", start + timedelta(seconds=stop)))
    at = start + timedelta(days=60)
    once = finding(enquiry(start, later), ACKNOWLEDGED, at)
    again = [*later, *(("acknowledged", start + timedelta(seconds=s)) for s in rest)]
    many = finding(enquiry(start, again), ACKNOWLEDGED, at)
    assert (once.status, once.due_at) == (many.status, many.due_at)


def test_an_acknowledgement_meets_the_first_deadline_and_the_reply_is_still_owed():
    monday = datetime(2026, 3, 2, 9, tzinfo=LONDON)
    acked = enquiry(monday, [("acknowledged", monday + timedelta(days=1))])
    result = finding(acked, ACKNOWLEDGED, datetime(2026, 3, 9, 9, tzinfo=LONDON))
    assert result.status is Status.PENDING
    assert result.due_at == datetime(2026, 3, 10, 17, tzinfo=LONDON)
    assert result.evidence["acknowledged"]["automatic"] is False
    assert "the reply is still owed" in result.message
    late = finding(acked, ACKNOWLEDGED, datetime(2026, 3, 11, 9, tzinfo=LONDON))
    assert late.status is Status.BREACHED


def test_an_automatic_stop_is_ignored_only_when_the_rule_says_so():
    monday = datetime(2026, 3, 2, 9, tzinfo=LONDON)
    record = qse.Enquiry.receive(id="E-1", at=monday, by=TECH, channel="telephone").add(
        "responded", at=monday + timedelta(hours=1), by=None
    )
    limit = {"working_days": 2}
    at = monday + timedelta(days=30)
    assert finding(record, {**CLOCK, "limit": limit}, at).status is Status.MET  # an LIS may stop
    person = finding(record, {**CLOCK, "limit": limit, "automatic": []}, at)
    assert person.status is Status.BREACHED
    assert [dict(item) for item in person.evidence["ignored_automatic"]] == [
        {"event": "responded", "at": "2026-03-02T10:00:00+00:00"}
    ]
    allowed = finding(record, {**CLOCK, "limit": limit, "automatic": ["responded"]}, at)
    assert allowed.status is Status.MET


def test_a_restart_counts_the_limit_again_in_full_from_the_resume():
    monday = datetime(2026, 3, 2, 9, tzinfo=LONDON)
    params = {**PAUSED, "limit": {"working_days": 2}, "on_resume": "restart"}
    record = enquiry(
        monday,
        [
            ("awaiting_customer", monday + timedelta(hours=1)),
            ("customer_replied", datetime(2026, 3, 11, 15, tzinfo=LONDON)),
        ],
    )
    result = finding(record, params, datetime(2026, 3, 12, 9, tzinfo=LONDON))
    assert result.due_at == datetime(2026, 3, 13, 17, tzinfo=LONDON)
    assert "counts again in full" in result.message


@pytest.mark.parametrize(
    ("params", "path", "words"),
    [
        ({**CLOCK, "acknowledge": ["acknowledged"]}, "$.rules[0].params.acknowledge", "repeat"),
        (
            {**ACKNOWLEDGED, "stop": ["responded", "acknowledged"]},
            "$.rules[0].params.acknowledge",
            "cannot both stop",
        ),
        ({**CLOCK, "on_resume": "restart"}, "$.rules[0].params.on_resume", "pause and resume"),
        ({**CLOCK, "automatic": ["posted"]}, "$.rules[0].params.automatic[0]", "changes nothing"),
    ],
)
def test_acknowledge_automatic_and_restart_are_checked(params, path, words):
    document = {
        "name": "test",
        "version": "1",
        "rules": [
            {
                "id": "CLOCK",
                "title": "a clock",
                "kind": "response_time",
                "source": {"document": "test.txt"},
                "applies_to": {"record_type": "enquiry"},
                "params": {"limit": {"working_days": 2}, **params},
            }
        ],
    }
    with pytest.raises(qse.ValidationError) as raised:
        load_ruleset(document)
    found = {problem.path: problem.message for problem in raised.value.errors}
    assert words in found[path], found
