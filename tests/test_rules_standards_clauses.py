"""The shipped standards without loopholes (issue 13): each case from the clause it comes from.

Sources: 000 (the QSE 2 process tables), 003 (the customer service policy, sections 3 and 8) and
the Freedom of Information Act 2000 (s.1(3), s.8, s.10) for T-6.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

import qse_customer as qse
from qse_customer.rules import Finding, Status, evaluate, load_ruleset

LONDON = ZoneInfo("Europe/London")
LAB = qse.WorkingCalendar(
    timezone="Europe/London", country="GB", subdivision="ENG", opens="08:00", closes="17:00"
)
AT = datetime(2027, 6, 1, tzinfo=UTC)
STANDARDS = "customer-service-standards"
DESK = qse.Actor("t-1", "Tara Tech", qse.Role.TECHNOLOGIST)


def actor(role: str) -> qse.Actor:
    return qse.Actor(f"{role}-1", role.replace("_", " ").title(), role)


def at(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    """A moment in 2026 on the lab's wall clock (March 2026 has no bank holiday)."""
    return datetime(2026, month, day, hour, minute, tzinfo=LONDON)


def enquiry(received: datetime, *later: tuple, **fields: object) -> qse.Enquiry:
    """An enquiry received at ``received`` by the desk; ``later`` are (kind, at[, data[, by]])."""
    record = qse.Enquiry.receive(
        id="E-1", at=received, by=DESK, channel=fields.pop("channel", "telephone"), **fields
    )
    for kind, when, *rest in later:
        data = rest[0] if rest else {}
        by = rest[1] if len(rest) > 1 else DESK
        record = record.add(kind, at=when, by=by, **data)
    return record


@cache
def compiled(ruleset: str) -> qse.CompiledRuleset:
    return qse.compile_ruleset(ruleset, calendar=LAB)


def finding(ruleset: str, rule_id: str, record: qse.Record, when: datetime = AT) -> Finding:
    findings = evaluate([record], compiled(ruleset), calendar=LAB, at=when)
    found = [f for f in findings if f.rule_id == rule_id]
    assert len(found) == 1, found
    return found[0]


def status(ruleset: str, rule_id: str, record: qse.Record, when: datetime = AT) -> Status:
    return finding(ruleset, rule_id, record, when).status


# -- R-N4 and R-S4 (000, "Process for Monitoring Customer Satisfaction") ---------------------------


def survey_referred_by(role: str) -> qse.Survey:
    director = actor("laboratory_director")
    return qse.Survey.create(
        id="S-1",
        at=at(2, 9),
        by=director,
        title="Clinicians",
        audience="external",
        instrument="csat",
    ).add("referred", at=at(3, 9), by=actor(role))


def test_r_n4_leaves_survey_referrals_to_r_s4_so_laboratory_management_may_refer_one():
    findings = {
        f.rule_id: f.status
        for f in evaluate(
            [survey_referred_by("laboratory_management")],
            "qse2-responsibility",
            calendar=LAB,
            at=AT,
        )
    }
    assert findings["R-S4"] is Status.MET
    assert "R-N4" not in findings  # no longer a breach of R-N4 while R-S4 allows it


ROLES = [role.value for role in qse.Role]


@given(st.sampled_from(ROLES), st.sampled_from(["survey", "complaint"]))
def test_r_n4_never_judges_a_referral_that_a_process_specific_row_judges(role, record_type):
    if record_type == "survey":
        record: qse.Record = survey_referred_by(role)
        specific, allowed = "R-S4", {"laboratory_management", "quality_manager"}
    else:
        record = qse.Complaint.receive(
            id="C-1", at=at(2, 9), by=DESK, channel="telephone", category="delay"
        ).add("referred", at=at(3, 9), by=actor(role))
        specific, allowed = "R-K5", {"laboratory_supervisor", "quality_manager"}
    findings = {
        f.rule_id: f.status for f in evaluate([record], "qse2-responsibility", calendar=LAB, at=AT)
    }
    assert "R-N4" not in findings
    assert findings[specific] is (Status.MET if role in allowed else Status.BREACHED)


@given(st.sampled_from(ROLES), st.sampled_from(["customer", "enquiry"]))
def test_r_n4_still_judges_customer_and_enquiry_referrals(role, record_type):
    director = actor("laboratory_director")
    if record_type == "customer":
        record: qse.Record = qse.Customer.identify(
            id="U-1", at=at(2, 9), by=director, name="Ward 7", kind="internal", category="ward"
        )
    else:
        record = enquiry(at(2, 9))
    record = record.add("referred", at=at(3, 9), by=actor(role))
    allowed = {"laboratory_director", "laboratory_supervisor", "quality_manager"}
    expected = Status.MET if role in allowed else Status.BREACHED
    assert status("qse2-responsibility", "R-N4", record) is expected


# -- T-6 on every written channel (FOIA 2000 s.8, s.10; 003 3.4) ---------------------------------

WRITTEN = ["email", "letter", "web", "form"]


def foi(channel: str, *later: tuple) -> qse.Enquiry:
    return enquiry(at(2, 10), *later, channel=channel, freedom_of_information=True)


@pytest.mark.parametrize("channel", WRITTEN)
def test_a_foi_request_on_any_written_channel_falls_under_t6_and_not_t4_or_t5(channel):
    answered = foi(channel, ("acknowledged", at(3, 10)), ("responded", at(27, 12)))
    assert status(STANDARDS, "T-6a", answered) is Status.MET
    assert status(STANDARDS, "T-6b", answered) is Status.MET
    for rule_id in ("T-4", "T-5"):
        assert status(STANDARDS, rule_id, answered) is Status.NOT_APPLICABLE
    late = foi(channel, ("acknowledged", at(3, 10)), ("responded", at(1, 12, month=4)))
    assert status(STANDARDS, "T-6b", late) is Status.BREACHED


def test_a_foi_request_by_letter_answered_late_is_a_breach():
    """The bug: a request by letter or web form fell under no rule (T-6 was e-mail only)."""
    for channel in ("letter", "web"):
        record = foi(channel, ("responded", at(20, 9, month=4)))
        assert status(STANDARDS, "T-6a", record) is Status.BREACHED
        assert status(STANDARDS, "T-6b", record) is Status.BREACHED


def test_an_oral_foi_request_is_not_a_request_under_the_act():
    record = foi("telephone", ("responded", at(20, 9, month=4)))
    assert status(STANDARDS, "T-6b", record) is Status.NOT_APPLICABLE


def test_a_foi_clarification_restarts_the_20_working_days():
    """s.1(3) and s.10(6): a request the lab must clarify counts as received when the
    clarification arrives. Received Mon 2 March, clarification asked for on Tue 3 March and
    received on Fri 13 March: the 20 working days following it end with Wed 15 April (St
    Patrick's Day, Good Friday and Easter Monday are bank holidays in some part of the UK). A
    plain pause would have ended earlier, on Wed 15 April at 05:00."""
    asked = ("awaiting_customer", at(3, 10))
    clarified = ("customer_replied", at(13, 15), {}, None)
    in_time = foi("email", asked, clarified, ("responded", at(15, 12, month=4)))
    found = finding(STANDARDS, "T-6b", in_time)
    assert found.status is Status.MET, found.message
    assert found.due_at == datetime(2026, 4, 15, 23, tzinfo=UTC)  # midnight, London summer time
    assert "counts again in full" in found.message
    late = foi("email", asked, clarified, ("responded", at(16, 9, month=4)))
    assert status(STANDARDS, "T-6b", late) is Status.BREACHED
    unclarified = foi("email", ("responded", at(15, 12, month=4)))
    assert status(STANDARDS, "T-6b", unclarified) is Status.BREACHED


# -- T-2c: voicemail answered after retrieval (003 3.1.4) ----------------------------------------


def voicemail(*later: tuple) -> qse.Enquiry:
    return enquiry(at(2, 9), *later, channel="voicemail")


def test_an_in_hours_voicemail_answered_a_week_late_is_a_breach():
    """The bug: an in-hours voicemail answered a week late gave no breach."""
    record = voicemail(("retrieved", at(2, 11)), ("responded", at(9, 11)))
    found = finding(STANDARDS, "T-2c", record)
    assert found.status is Status.BREACHED
    assert found.due_at == at(2, 17)


def test_a_voicemail_retrieved_after_closing_is_due_at_closing_the_next_working_day():
    record = voicemail(("retrieved", at(2, 18)), ("responded", at(3, 16)))
    found = finding(STANDARDS, "T-2c", record)
    assert found.status is Status.MET
    assert found.due_at == at(3, 17)


def test_t2c_says_its_limit_in_its_text():
    rule = load_ruleset(STANDARDS).rule("T-2c")
    assert rule.params["limit"] == {"working_days": 0}
    assert "same working day" in rule.title
    assert "limit.working_days 0" in rule.description


# -- T-1b and T-1c: complex queries and named people (003 3.1.3) ---------------------------------


def test_a_complex_telephone_query_left_without_progress_updates_is_a_breach():
    """The bug: complex telephone queries were never checked."""
    record = enquiry(at(2, 10), ("responded", at(12, 10)), complex=True)
    assert status(STANDARDS, "T-1b", record) is Status.BREACHED
    assert status(STANDARDS, "T-1", record) is Status.NOT_APPLICABLE


def test_a_complex_query_kept_informed_every_two_working_days_is_met():
    record = enquiry(
        at(2, 10),
        ("progress_update", at(4, 12)),
        ("progress_update", at(6, 9)),
        ("progress_update", at(10, 9)),
        ("responded", at(12, 9)),
        complex=True,
    )
    found = finding(STANDARDS, "T-1b", record)
    assert found.status is Status.MET, found.message
    assert "kept informed" in found.message


def test_a_query_for_a_named_person_away_needs_the_caller_told_the_timeframe():
    away = ("named_person_unavailable", at(2, 11))
    answered = enquiry(at(2, 10), away, ("responded", at(2, 16)))
    assert status(STANDARDS, "T-1c", answered) is Status.MET  # an answer that day will do
    told_late = enquiry(at(2, 10), away, ("timeframe_advised", at(3, 9)))
    assert status(STANDARDS, "T-1c", told_late) is Status.BREACHED
    silent = enquiry(at(2, 10), away)
    assert status(STANDARDS, "T-1c", silent) is Status.BREACHED
    told = enquiry(at(2, 10), away, ("timeframe_advised", at(2, 11, 5)))
    assert status(STANDARDS, "T-1c", told) is Status.MET
    assert status(STANDARDS, "T-1c", enquiry(at(2, 10))) is Status.NOT_APPLICABLE


# -- automatic replies (domain brief, "Complaint handling"; 003 3.3, 3.4) ------------------------


def test_automatic_progress_updates_do_not_keep_t5_met_for_ever():
    """The bug: a progress update by nobody kept T-5 met for ever."""
    daily = [("progress_update", at(day, 10), {}, None) for day in range(3, 32)]
    moment = at(31, 12)
    automatic = enquiry(at(2, 9), *daily, channel="email")
    found = finding(STANDARDS, "T-5", automatic, moment)
    assert found.status is Status.BREACHED
    assert "no one did them (automatic)" in found.message
    assert len(found.evidence["ignored_automatic"]) == len(daily)
    by_people = enquiry(
        at(2, 9), *[(kind, when, data) for kind, when, data, _ in daily], channel="email"
    )
    assert status(STANDARDS, "T-5", by_people, moment) is Status.PENDING


def test_an_automatic_acknowledgement_meets_t4s_first_clock_but_the_reply_is_still_owed():
    """The bug: an acknowledgement by nobody satisfied T-4 for ever."""
    ack = ("acknowledged", at(3, 9), {}, None)
    unanswered = enquiry(at(2, 9), ack, channel="letter")
    found = finding(STANDARDS, "T-4", unanswered)
    assert found.status is Status.BREACHED
    assert found.due_at == at(10, 17)  # 5 working days after the acknowledgement
    assert "the reply is still owed" in found.message
    assert "automatically" in found.message
    answered = enquiry(at(2, 9), ack, ("responded", at(10, 15)), channel="letter")
    assert status(STANDARDS, "T-4", answered) is Status.MET
    pending = finding(STANDARDS, "T-4", unanswered, at(6, 12))
    assert pending.status is Status.PENDING


def test_only_the_first_automatic_acknowledgement_counts():
    acks = [("acknowledged", at(day, 9), {}, None) for day in (3, 6, 9, 12, 16, 19)]
    record = enquiry(at(2, 9), *acks, channel="letter")
    found = finding(STANDARDS, "T-4", record)
    assert found.status is Status.BREACHED
    assert found.due_at == at(10, 17)


def test_an_acknowledgement_after_the_deadline_does_not_mend_it():
    record = enquiry(
        at(2, 9), ("acknowledged", at(12, 9)), ("responded", at(13, 9)), channel="letter"
    )
    assert status(STANDARDS, "T-4", record) is Status.BREACHED


@pytest.mark.parametrize(
    ("rule_id", "fields", "received"),
    [
        ("T-1", {}, at(2, 10)),
        ("T-2a", {"channel": "voicemail"}, at(6, 19)),
        ("T-5", {"channel": "email"}, at(2, 10)),
        ("T-6b", {"channel": "letter", "freedom_of_information": True}, at(2, 10)),
    ],
)
def test_an_automatic_response_never_answers(rule_id, fields, received):
    record = enquiry(received, ("responded", received + timedelta(hours=1), {}, None), **fields)
    found = finding(STANDARDS, rule_id, record)
    assert found.status is Status.BREACHED
    assert "automatic" in found.message


def test_an_automatic_foi_acknowledgement_counts_and_an_automatic_answer_does_not():
    acknowledged = foi("email", ("acknowledged", at(2, 10, 1), {}, None))
    assert status(STANDARDS, "T-6a", acknowledged) is Status.MET
    answered = foi("email", ("responded", at(2, 10, 1), {}, None))
    assert status(STANDARDS, "T-6a", answered) is Status.BREACHED


AUTOMATIC_RULES = ("T-1", "T-1b", "T-1c", "T-2a", "T-2b", "T-2c", "T-5", "T-6b")
INSERTABLE = (
    "responded",
    "progress_update",
    "timeframe_advised",
    "awaiting_customer",
    "retrieved",
    "posted",
    "extension_agreed",
)
CHANNELS = ("telephone", "voicemail", "email", "web", "letter")


@given(
    st.sampled_from(CHANNELS),
    st.booleans(),
    st.booleans(),
    st.lists(
        st.tuples(st.sampled_from((*INSERTABLE, "customer_replied")), st.integers(1, 60)),
        max_size=6,
    ),
    st.lists(st.tuples(st.sampled_from(INSERTABLE), st.integers(0, 5000)), max_size=6),
)
def test_adding_automatic_events_never_changes_a_rule_that_wants_a_person(
    channel, complex_, foi_, steps, noise
):
    """For every rule that counts only a person's events, an automatic one is ignored (its start
    events count whoever did them: a message or an e-mail arrives with no one doing it)."""
    moments = []
    moment = at(2, 9)
    for kind, hours in steps:
        moment += timedelta(hours=hours)
        moments.append((kind, moment))
    fields = {"channel": channel, "complex": complex_, "freedom_of_information": foi_}
    plain = enquiry(at(2, 9), *moments, **fields)
    when = at(2, 9) + timedelta(days=40)
    ruleset = load_ruleset(STANDARDS)
    for rule_id in AUTOMATIC_RULES:
        starts = ruleset.rule(rule_id).params["start"]
        extra = [
            (kind, at(2, 9) + timedelta(minutes=minutes), {}, None)
            for kind, minutes in noise
            if kind not in starts
        ]
        merged = sorted([*((k, w, {}, DESK) for k, w in moments), *extra], key=lambda e: e[1])
        noisy = enquiry(at(2, 9), *merged, **fields)
        before = finding(STANDARDS, rule_id, plain, when)
        after = finding(STANDARDS, rule_id, noisy, when)
        assert (before.status, before.due_at) == (after.status, after.due_at), rule_id


# -- waiting for the customer (003 section 3: the lab's own speed) -------------------------------

ASK = ("awaiting_customer", at(2, 11))
REPLY = ("customer_replied", at(3, 11), {}, None)  # 9 working hours: one working day paused
PAUSING = [
    # (ruleset, rule id, opener fields, events before the stop, the stop)
    (STANDARDS, "T-1", {"received": at(2, 10)}, [ASK, REPLY], ("responded", at(5, 15))),
    (
        STANDARDS,
        "T-1b",
        {"received": at(2, 10), "complex": True},
        [ASK, REPLY],
        ("responded", at(5, 15)),
    ),
    (
        STANDARDS,
        "T-2a",
        {"received": at(6, 19), "channel": "voicemail"},
        [("awaiting_customer", at(9, 8, 30)), ("customer_replied", at(9, 14), {}, None)],
        ("responded", at(9, 16)),
    ),
    (
        STANDARDS,
        "T-2c",
        {"received": at(2, 9), "channel": "voicemail"},
        [("retrieved", at(2, 10)), ASK, REPLY],
        ("responded", at(3, 15)),
    ),
    (
        STANDARDS,
        "T-3",
        {"received": at(2, 9), "channel": "letter", "clinical": True},
        [ASK, REPLY],
        ("posted", at(11, 10)),
    ),
    (
        STANDARDS,
        "T-4",
        {"received": at(2, 9), "channel": "letter"},
        [ASK, REPLY],
        ("responded", at(10, 10)),
    ),
    (
        STANDARDS,
        "T-5",
        {"received": at(2, 9), "channel": "email"},
        [ASK, REPLY],
        ("responded", at(5, 10)),
    ),
]


@pytest.mark.parametrize(
    ("ruleset", "rule_id", "opener", "before", "stop"), PAUSING, ids=[p[1] for p in PAUSING]
)
def test_waiting_for_the_customer_pauses_every_clock_about_the_labs_own_speed(
    ruleset, rule_id, opener, before, stop
):
    fields = dict(opener)
    received = fields.pop("received")
    waited = enquiry(received, *before, stop, **fields)
    found = finding(ruleset, rule_id, waited)
    assert found.status is Status.MET, found.message
    assert "paused from awaiting_customer" in found.message
    others = [
        event for event in before if event[0] not in {"awaiting_customer", "customer_replied"}
    ]
    hurried = enquiry(received, *others, stop, **fields)
    assert status(ruleset, rule_id, hurried) is Status.BREACHED
    assert "pauses the clock" in load_ruleset(ruleset).rule(rule_id).description


def test_every_answer_clock_pauses_and_every_other_clock_says_why_not():
    """Each response clock of the shipped standards about the customer either pauses while the
    lab waits on the customer, or says in its text why nothing the customer does holds it up."""
    for name in (STANDARDS, "complaints-handling"):
        for rule in load_ruleset(name).rules:
            if rule.kind != "response_time":
                continue
            if "pause" in rule.params:
                assert rule.params["pause"] == ("awaiting_customer",), rule.id
                assert rule.params["resume"] == ("customer_replied",), rule.id
                assert "pauses the clock" in rule.description, rule.id
            else:
                assert "does not pause it" in rule.description, rule.id


# -- what records can show: messages, letters, reception (003 3.1.2, 3.2, 3.3, 3.6) -------------


def test_a_telephone_message_missing_the_callers_number_names_the_gap_not_the_caller():
    data = {
        "caller_name": "Pat Zebedee-Caller",
        "details": "call about INR",
        "message_for": "Dr Lee",
    }
    record = enquiry(at(2, 10), ("message_taken", at(2, 10), data))
    found = finding(STANDARDS, "CS-3.1.2", record)
    assert found.status is Status.BREACHED
    assert "lacks data.contact_number or enquirer.contact" in found.message
    assert "Zebedee" not in found.message and "Zebedee" not in str(found.evidence)
    assert "INR" not in found.message


def test_the_callers_name_and_number_on_the_enquirer_count():
    record = enquiry(
        at(2, 10),
        ("message_taken", at(2, 10), {"details": "call back", "message_for": "Dr Lee"}),
        enquirer=qse.Submitter(name="Pat Caller", contact="01632 960000"),
    )
    assert status(STANDARDS, "CS-3.1.2", record) is Status.MET
    blank = enquiry(
        at(2, 10),
        ("message_taken", at(2, 10), {"details": "  ", "message_for": "Dr Lee"}),
        enquirer=qse.Submitter(name="Pat Caller", contact="01632 960000"),
    )
    assert status(STANDARDS, "CS-3.1.2", blank) is Status.BREACHED


def test_a_letter_posted_without_a_contact_name_is_a_breach():
    record = enquiry(
        at(2, 9),
        ("posted", at(4, 9), {"contact_number": "0161 496 0000"}),
        channel="letter",
        clinical=True,
    )
    found = finding(STANDARDS, "CS-3.2", record)
    assert found.status is Status.BREACHED
    assert "lacks data.contact_name" in found.message


def test_a_reception_left_unstaffed_in_its_working_period_is_a_breach():
    record = qse.Measurement.record(
        id="M-1",
        at=at(2, 8),
        by=None,
        measure="reception_unstaffed",
        value=40,
        unit="minutes",
        subject="Phlebotomy reception",
    )
    assert status(STANDARDS, "CS-3.6", record) is Status.BREACHED
