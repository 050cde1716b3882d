"""The shipped ``complaints-handling`` ruleset (H-1 to H-5 of the domain brief), met and breached,
each case from the clause it comes from: NHS Complaints Regulations 2009 reg. 13 (H-1), ISO
15189:2022 7.7 (H-2, H-3), ISO/IEC 17025:2017 7.9.6 (H-3), 42 CFR 493.1291(k) (H-4) and ISO
15189:2022 8.7 (H-5)."""

from __future__ import annotations

from collections import defaultdict
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
NAME = "complaints-handling"
QM = qse.Actor("s-hughes", "Sian Hughes", qse.Role.QUALITY_MANAGER)
LEAD = qse.Actor("s-nowak", "Marta Nowak", qse.Role.LEAD_TECHNOLOGIST)
TECH = qse.Actor("s-brown", "Tom Brown", qse.Role.TECHNOLOGIST)


def at(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    """A moment in 2026 on the lab's wall clock (Good Friday 3 and Easter Monday 6 April)."""
    return datetime(2026, month, day, hour, minute, tzinfo=LONDON)


def complaint(*later: tuple, received: datetime | None = None, **fields: object) -> qse.Complaint:
    """A complaint received Mon 2 March 09:00; ``later`` are (kind, at[, data[, by]])."""
    record = qse.Complaint.receive(
        id="C-1",
        at=received or at(2, 9),
        by=TECH,
        channel=fields.pop("channel", "telephone"),
        category=fields.pop("category", "delay"),
        **fields,
    )
    for kind, when, *rest in later:
        data = rest[0] if rest else {}
        by = rest[1] if len(rest) > 1 else QM
        record = record.add(kind, at=when, by=by, **data)
    return record


@cache
def compiled() -> qse.CompiledRuleset:
    return qse.compile_ruleset(NAME, calendar=LAB)


def finding(rule_id: str, record: qse.Record, when: datetime = AT) -> Finding:
    found = [
        f for f in evaluate([record], compiled(), calendar=LAB, at=when) if f.rule_id == rule_id
    ]
    assert len(found) == 1, found
    return found[0]


NAMED = {"submitter": qse.Submitter(name="Dr Ward")}
LINKED = ("test_request_linked", at(3, 9), {"test_request": "REQ-1"})
CONFIRMED = ("result_error_confirmed", at(4, 10))

CASES: list[tuple[str, str, qse.Complaint, Status]] = [
    # H-1 (reg. 13): acknowledged not later than 3 working days after the day of receipt.
    (
        "H-1",
        "acknowledged on the 3rd working day",
        complaint(("acknowledged", at(5, 16))),
        Status.MET,
    ),
    ("H-1", "acknowledged on the 4th", complaint(("acknowledged", at(6, 9))), Status.BREACHED),
    # H-2 (ISO 15189 7.7): the outcome within 25 working days (Wed 8 April), or kept informed.
    ("H-2", "outcome in time", complaint(("feedback_given", at(8, 16, month=4))), Status.MET),
    ("H-2", "outcome late", complaint(("feedback_given", at(9, 9, month=4))), Status.BREACHED),
    # H-3 (ISO 15189 7.7; ISO/IEC 17025 7.9.6): investigated and decided by people not involved.
    (
        "H-3",
        "investigated and decided by others",
        complaint(
            ("investigation_started", at(3, 9), {}, LEAD),
            ("outcome_decided", at(9, 9)),
            people_involved=("s-brown",),
        ),
        Status.MET,
    ),
    (
        "H-3",
        "investigated by the technologist complained about",
        complaint(("investigation_started", at(3, 9), {}, TECH), people_involved=("s-brown",)),
        Status.BREACHED,
    ),
    (
        "H-3-recorded",
        "told after an investigation and a decision",
        complaint(
            ("investigation_started", at(3, 9), {}, LEAD),
            ("outcome_decided", at(9, 9)),
            ("feedback_given", at(9, 10)),
        ),
        Status.MET,
    ),
    (
        "H-3-recorded",
        "told with no decision on record",
        complaint(("investigation_started", at(3, 9), {}, LEAD), ("feedback_given", at(9, 10))),
        Status.BREACHED,
    ),
    # H-4 (42 CFR 493.1291(k)): a wrong result linked, corrected and its requester told promptly.
    (
        "H-4a",
        "linked before the decision",
        complaint(LINKED, ("outcome_decided", at(9, 9)), wrong_result=True),
        Status.MET,
    ),
    (
        "H-4a",
        "decided with no link",
        complaint(("outcome_decided", at(9, 9)), wrong_result=True),
        Status.BREACHED,
    ),
    ("H-4b", "the link names the request", complaint(LINKED), Status.MET),
    ("H-4b", "a link to nothing", complaint(("test_request_linked", at(3, 9))), Status.BREACHED),
    (
        "H-4c",
        "corrected the next working day",
        complaint(CONFIRMED, ("corrected_report_issued", at(5, 16), {"test_request": "REQ-1"})),
        Status.MET,
    ),
    (
        "H-4c",
        "corrected two days later",
        complaint(CONFIRMED, ("corrected_report_issued", at(6, 9), {"test_request": "REQ-1"})),
        Status.BREACHED,
    ),
    (
        "H-4d",
        "requester told at once",
        complaint(CONFIRMED, ("requester_notified", at(4, 11))),
        Status.MET,
    ),
    (
        "H-4d",
        "requester told late",
        complaint(CONFIRMED, ("requester_notified", at(9, 9))),
        Status.BREACHED,
    ),
    # H-5 (ISO 15189 8.7): effectiveness of corrective action reviewed before closure.
    (
        "H-5",
        "reviewed, then closed",
        complaint(
            ("corrective_action_documented", at(5, 9), {}, LEAD),
            ("effectiveness_reviewed", at(20, 9)),
            ("closed", at(20, 10)),
        ),
        Status.MET,
    ),
    (
        "H-5",
        "closed unreviewed",
        complaint(("corrective_action_documented", at(5, 9), {}, LEAD), ("closed", at(20, 10))),
        Status.BREACHED,
    ),
    (
        "H-5-order",
        "reviewed after the action",
        complaint(
            ("corrective_action_documented", at(5, 9), {}, LEAD),
            ("effectiveness_reviewed", at(20, 9)),
        ),
        Status.MET,
    ),
    (
        "H-5-order",
        "reviewed before any action",
        complaint(("effectiveness_reviewed", at(5, 9))),
        Status.BREACHED,
    ),
    (
        "H-5-who",
        "by the quality manager",
        complaint(("effectiveness_reviewed", at(5, 9))),
        Status.MET,
    ),
    (
        "H-5-who",
        "by a technologist",
        complaint(("effectiveness_reviewed", at(5, 9), {}, TECH)),
        Status.BREACHED,
    ),
]


@pytest.mark.parametrize(
    ("rule_id", "record", "expected"),
    [(rule_id, record, expected) for rule_id, _, record, expected in CASES],
    ids=[f"{rule_id}: {label}" for rule_id, label, _, _ in CASES],
)
def test_complaints_handling(rule_id, record, expected):
    found = finding(rule_id, record)
    assert found.status is expected, found.message
    assert found.ruleset == NAME


def test_every_rule_has_a_met_and_a_breached_case():
    seen: dict[str, set[Status]] = defaultdict(set)
    for rule_id, _, _, expected in CASES:
        seen[rule_id].add(expected)
    for rule in load_ruleset(NAME).rules:
        assert {Status.MET, Status.BREACHED} <= seen[rule.id], rule.id


def test_each_number_is_a_param_with_the_issues_default_and_a_lab_sets_its_own():
    ruleset = load_ruleset(NAME)
    assert ruleset.rule("H-1").params["limit"]["working_days"] == 3
    assert ruleset.rule("H-2").params["limit"] == {"working_days": 25}
    twenty = ruleset.rule("H-2").to_dict()
    twenty["params"]["limit"] = {"working_days": 20}
    mine = load_ruleset(
        {"name": "my-complaints", "version": "1", "extends": NAME, "rules": [twenty]}
    )
    record = complaint(("feedback_given", at(1, 9, month=4)))
    assert finding("H-2", record).status is Status.MET
    (own,) = [f for f in evaluate([record], mine, calendar=LAB, at=AT) if f.rule_id == "H-2"]
    assert own.status is Status.BREACHED


# -- H-1: the acknowledgement ----------------------------------------------------------------


def test_h1_the_day_of_receipt_is_the_day_a_complaint_arrives_at_any_hour():
    """reg. 13: 3 working days after the day on which it is received, so a complaint that
    arrives on Monday evening is received on Monday and is due on Thursday."""
    evening = at(2, 20)
    found = finding("H-1", complaint(("acknowledged", at(6, 9)), received=evening))
    assert found.status is Status.BREACHED
    assert found.due_at == at(5, 17)


def test_h1_an_automatic_acknowledgement_counts_and_an_automatic_outcome_does_not():
    auto_ack = complaint(("acknowledged", at(2, 9, 1), {}, None))
    assert finding("H-1", auto_ack).status is Status.MET
    auto_outcome = complaint(("feedback_given", at(2, 9, 1), {}, None))
    found = finding("H-1", auto_outcome)
    assert found.status is Status.BREACHED
    assert "automatic" in found.message


def test_h1_and_h2_are_about_named_complainants():
    anonymous = qse.Complaint.receive(
        id="C-2", at=at(2, 9), by=TECH, channel="form", category="delay", anonymous=True
    )
    for rule_id in ("H-1", "H-2"):
        assert finding(rule_id, anonymous).status is Status.NOT_APPLICABLE


# -- H-2: the outcome, and keeping the complainant informed ------------------------------------


def test_h2_kept_informed_by_a_person_when_the_outcome_takes_longer():
    update = ("progress_update", at(7, 11, month=4))
    kept = complaint(update, ("feedback_given", at(20, 16, month=4)))
    found = finding("H-2", kept)
    assert found.status is Status.MET, found.message
    assert found.due_at == at(21, 17, month=4)  # 10 working days after the update


def test_h2_an_automatic_progress_update_does_not_keep_the_complainant_informed():
    automatic = complaint(
        ("progress_update", at(7, 11, month=4), {}, None), ("feedback_given", at(20, 16, month=4))
    )
    found = finding("H-2", automatic)
    assert found.status is Status.BREACHED
    assert "no one did them (automatic)" in found.message


def test_h2_an_early_progress_update_never_shortens_the_target():
    early = complaint(("progress_update", at(4, 9)), ("feedback_given", at(8, 16, month=4)))
    found = finding("H-2", early)
    assert found.status is Status.MET, found.message
    assert found.due_at == at(8, 17, month=4)


def test_h2_waiting_for_the_complainant_pauses_the_clock():
    waited = complaint(
        ("awaiting_customer", at(2, 10)),
        ("customer_replied", at(9, 10), {}, None),
        ("feedback_given", at(14, 16, month=4)),
        **NAMED,
    )
    found = finding("H-2", waited)
    assert found.status is Status.MET, found.message
    assert found.due_at == at(15, 17, month=4)  # 45 working hours (5 days) later


# -- H-3: impartiality -------------------------------------------------------------------------


def test_h3_an_involved_person_is_matched_by_name_ignoring_case_and_spacing():
    record = complaint(
        ("outcome_decided", at(9, 9), {}, TECH), people_involved=("  tom   BROWN ", "Zed Secret")
    )
    found = finding("H-3", record)
    assert found.status is Status.BREACHED
    assert "Tom Brown (technologist), who is among the people involved" in found.message
    assert "Zed" not in found.message and "Zed" not in str(found.evidence)
    assert found.evidence["people_involved_count"] == 2


def test_h3_a_decision_with_no_one_recorded_cannot_show_impartiality():
    record = complaint(("outcome_decided", at(9, 9), {}, None), people_involved=("s-brown",))
    found = finding("H-3", record)
    assert found.status is Status.BREACHED
    assert "has no actor recorded" in found.message


STAFF = st.builds(
    qse.Actor,
    id=st.sampled_from(["s-1", "s-2", "s-3"]),
    name=st.sampled_from(["Ann Lee", "Bo Chan", "Cy Diaz"]),
    role=st.sampled_from([qse.Role.QUALITY_MANAGER, qse.Role.LEAD_TECHNOLOGIST]),
)


@given(
    st.lists(st.tuples(st.sampled_from(["investigation_started", "outcome_decided"]), STAFF)),
    st.lists(st.sampled_from(["s-1", "S-2 ", "ann lee", "Cy  Diaz", "someone else"]), max_size=3),
)
def test_h3_breached_exactly_when_an_investigator_or_decider_is_involved(steps, involved):
    record = complaint(
        *[(kind, at(3, 9) + timedelta(hours=n), {}, who) for n, (kind, who) in enumerate(steps)],
        people_involved=tuple(involved),
    )
    listed = {" ".join(person.split()).casefold() for person in involved}
    partial = any(who.id.casefold() in listed or who.name.casefold() in listed for _, who in steps)
    expected = Status.NOT_APPLICABLE if not steps else Status.BREACHED if partial else Status.MET
    assert finding("H-3", record).status is expected


# -- H-4: wrong results (42 CFR 493.1291(k)) ----------------------------------------------------


def test_h4_a_complaint_not_about_a_result_needs_no_link():
    record = complaint(("outcome_decided", at(9, 9)))
    assert finding("H-4a", record).status is Status.NOT_APPLICABLE


def test_h4_a_corrected_report_from_the_lis_counts():
    record = complaint(
        CONFIRMED,
        ("corrected_report_issued", at(4, 10, 5), {"test_request": "REQ-1"}, None),
        ("requester_notified", at(4, 10, 6), {}, None),
    )
    assert finding("H-4c", record).status is Status.MET
    assert finding("H-4d", record).status is Status.MET


def test_h4_a_wrong_result_not_yet_corrected_is_at_risk_then_breached():
    record = complaint(CONFIRMED)
    assert finding("H-4c", record, at(5, 14)).status is Status.AT_RISK
    assert finding("H-4c", record, at(5, 18)).status is Status.BREACHED


# -- H-5: effectiveness of corrective action ----------------------------------------------------


def test_h5_an_automatic_effectiveness_review_is_none():
    record = complaint(
        ("corrective_action_documented", at(5, 9), {}, LEAD),
        ("effectiveness_reviewed", at(20, 9), {}, None),
    )
    found = finding("H-5-who", record)
    assert found.status is Status.BREACHED
    assert "has no actor recorded" in found.message
