"""Every shipped rule, met and breached, on cases built from its source document's wording."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

import qse_customer as qse
from qse_customer.core.measurement import Measurement
from qse_customer.rules import Finding, Status, evaluate, load_ruleset

LONDON = ZoneInfo("Europe/London")
LAB = qse.WorkingCalendar(
    timezone="Europe/London", country="GB", subdivision="ENG", opens="08:00", closes="17:00"
)
AT = datetime(2027, 6, 1, tzinfo=UTC)
DAY = datetime(2026, 3, 2, 9, tzinfo=LONDON)  # a Monday


def actor(role: str) -> qse.Actor:
    return qse.Actor(f"{role}-1", role.replace("_", " ").title(), role)


OPENERS = {
    "contract": lambda by: qse.Contract.enter(id="K-1", at=DAY, by=by, client="Ward 7"),
    "customer": lambda by: qse.Customer.identify(
        id="U-1", at=DAY, by=by, name="Ward 7", kind="internal", category="ward"
    ),
    "complaint": lambda by: qse.Complaint.receive(
        id="C-1", at=DAY, by=by, channel="telephone", category="delay"
    ),
    "survey": lambda by: qse.Survey.create(
        id="S-1", at=DAY, by=by, title="Clinicians 2026", audience="external", instrument="csat"
    ),
    "enquiry": lambda by: qse.Enquiry.receive(id="E-1", at=DAY, by=by, channel="telephone"),
}
OPENING = {
    "contract": "entered",
    "customer": "identified",
    "complaint": "received",
    "survey": "created",
    "enquiry": "received",
}
DIRECTOR = actor("laboratory_director")


def with_step(record_type: str, step: str, by: qse.Actor | None, before=()) -> qse.Record:
    """A record of ``record_type`` whose ``step`` was done by ``by`` (after ``before`` steps)."""
    if step == OPENING[record_type]:
        return OPENERS[record_type](by)
    record = OPENERS[record_type](DIRECTOR)
    at = DAY
    for kind in before:
        at += timedelta(hours=1)
        record = record.add(kind, at=at, by=DIRECTOR)
    return record.add(step, at=at + timedelta(hours=1), by=by)


# (rule, record type, step, a role the source allows, a role it does not)
MATRIX = [
    ("R-C1", "contract", "entered", "recipient_management", "quality_manager"),
    ("R-C2", "contract", "requirements_defined", "laboratory_director", "laboratory_supervisor"),
    ("R-C3", "contract", "capability_confirmed", "laboratory_supervisor", "recipient_management"),
    ("R-C4", "contract", "amended", "recipient_management", "quality_manager"),
    ("R-C5", "contract", "deviation_reported", "laboratory_director", "technologist"),
    ("R-N1", "customer", "identified", "laboratory_supervisor", "quality_manager"),
    ("R-N2", "customer", "needs_identified", "quality_manager", "technologist"),
    ("R-N3", "customer", "process_change_determined", "laboratory_director", "lead_technologist"),
    ("R-N4", "customer", "referred", "quality_manager", "technologist"),
    ("R-N4", "enquiry", "referred", "laboratory_director", "technologist"),
    ("R-K1", "complaint", "received", "technologist", "recipient_management"),
    ("R-K1", "complaint", "received", "lead_technologist", "customer"),
    ("R-K2", "complaint", "corrective_action_initiated", "technologist", "laboratory_director"),
    ("R-K2", "complaint", "corrective_action_documented", "quality_manager", "laboratory_director"),
    ("R-K3", "complaint", "feedback_given", "laboratory_supervisor", "laboratory_director"),
    ("R-K4", "complaint", "analysed", "quality_manager", "laboratory_supervisor"),
    ("R-K5", "complaint", "referred", "laboratory_supervisor", "laboratory_director"),
    ("R-S1", "survey", "approved", "laboratory_director", "technologist"),
    ("R-S1", "survey", "created", "quality_manager", "technologist"),
    ("R-S2", "survey", "collected", "customer", "laboratory_director"),
    ("R-S2", "survey", "conducted", "laboratory_supervisor", "technologist"),
    ("R-S3", "survey", "analysed", "laboratory_supervisor", "laboratory_director"),
    ("R-S4", "survey", "submitted_for_review", "laboratory_management", "laboratory_supervisor"),
    ("R-S4", "survey", "referred", "quality_manager", "laboratory_director"),
]


def status_of(ruleset: str, rule_id: str, record: qse.Record, at: datetime = AT) -> Finding:
    findings = [f for f in evaluate([record], ruleset, calendar=LAB, at=at) if f.rule_id == rule_id]
    assert len(findings) == 1, findings
    return findings[0]


CASES: list[tuple[str, str, str, object, Status]] = []
for rule_id, record_type, step, allowed, forbidden in MATRIX:
    CASES.append(
        (
            "qse2-responsibility",
            rule_id,
            f"{step} by {allowed}",
            (record_type, step, allowed),
            Status.MET,
        )
    )
    CASES.append(
        (
            "qse2-responsibility",
            rule_id,
            f"{step} by {forbidden}",
            (record_type, step, forbidden),
            Status.BREACHED,
        )
    )


@pytest.mark.parametrize(
    ("rule_id", "label", "case", "expected"),
    [case[1:] for case in CASES],
    ids=[f"{case[1]}-{case[2]}" for case in CASES],
)
def test_responsibility_matrix(rule_id, label, case, expected):
    record_type, step, role = case
    finding = status_of("qse2-responsibility", rule_id, with_step(record_type, step, actor(role)))
    assert finding.status is expected, finding.message
    assert f"({role})" in finding.message
    assert "the roles allowed are" in finding.message


def test_the_director_may_not_act_on_or_answer_or_refer_a_complaint():
    record = with_step("complaint", "corrective_action_initiated", DIRECTOR)
    record = record.add("feedback_given", at=DAY + timedelta(days=1), by=DIRECTOR)
    record = record.add("referred", at=DAY + timedelta(days=2), by=DIRECTOR)
    found = {
        f.rule_id: f.status
        for f in evaluate([record], "qse2-responsibility", calendar=LAB, at=AT)
        if f.rule_id.startswith("R-")
    }
    assert found["R-K2"] is Status.BREACHED
    assert found["R-K3"] is Status.BREACHED
    # A complaint's referral is R-K5's alone: the process-specific row decides (R-N4 is for
    # customers and enquiries), so the director's referral is a breach and only one rule says so.
    assert "R-N4" not in found
    assert found["R-K5"] is Status.BREACHED


def test_a_step_with_no_actor_is_a_breach_that_says_so():
    finding = status_of("qse2-responsibility", "R-K1", with_step("complaint", "received", None))
    assert finding.status is Status.BREACHED
    assert "has no actor recorded" in finding.message


# -- order of steps (required_step rules of qse2-responsibility) ---------------------------------

STEPS = [
    ("R-C3-before-start", "contract", "services_started", ["capability_confirmed"]),
    ("R-C-initial-review", "contract", "services_started", ["reviewed"]),
    (
        "R-K2-before-close",
        "complaint",
        "closed",
        ["corrective_action_initiated", "corrective_action_documented"],
    ),
    ("R-K3-before-close", "complaint", "closed", ["feedback_given"]),
    ("R-S1-before-conduct", "survey", "conducted", ["approved"]),
    ("R-S3-before-review", "survey", "submitted_for_review", ["analysed"]),
]
for rule_id, record_type, step, before in STEPS:
    CASES.append(
        ("qse2-responsibility", rule_id, "in order", (record_type, step, before), Status.MET)
    )
    CASES.append(
        ("qse2-responsibility", rule_id, "skipped", (record_type, step, []), Status.BREACHED)
    )


@pytest.mark.parametrize(
    ("rule_id", "record_type", "step", "before"), STEPS, ids=[step[0] for step in STEPS]
)
def test_steps_in_the_order_the_processes_require(rule_id, record_type, step, before):
    met = status_of("qse2-responsibility", rule_id, with_step(record_type, step, DIRECTOR, before))
    assert met.status is Status.MET, met.message
    breached = status_of("qse2-responsibility", rule_id, with_step(record_type, step, DIRECTOR))
    assert breached.status is Status.BREACHED
    assert "without" in breached.message


def test_an_anonymous_complaint_needs_no_feedback():
    record = qse.Complaint.receive(
        id="C-2", at=DAY, by=actor("technologist"), channel="form", category="x", anonymous=True
    ).add("closed", at=DAY + timedelta(days=3), by=actor("quality_manager"))
    finding = status_of("qse2-responsibility", "R-K3-before-close", record)
    assert finding.status is Status.NOT_APPLICABLE
    assert "anonymous must be false (it is true)" in finding.message


# -- customer-service-standards (source 003) ----------------------------------------------------

TECH = actor("technologist")


def enquiry(received, *later, **fields):
    record = qse.Enquiry.receive(
        id="E-1", at=received, by=TECH, channel=fields.pop("channel", "telephone"), **fields
    )
    for kind, at, *data in later:
        record = record.add(kind, at=at, by=TECH, **(data[0] if data else {}))
    return record


def at(day, hour, minute=0, month=3, year=2026):
    return datetime(year, month, day, hour, minute, tzinfo=LONDON)


STANDARDS = [
    # T-1 (3.1.3): "provide a response within two working days"; "kept informed of progress".
    ("T-1", enquiry(at(2, 10), ("responded", at(4, 16))), Status.MET),
    ("T-1", enquiry(at(2, 10), ("responded", at(5, 10))), Status.BREACHED),
    (
        "T-1",
        enquiry(at(2, 10), ("progress_update", at(4, 16)), ("responded", at(6, 12))),
        Status.MET,
    ),
    ("T-1", enquiry(at(2, 10), ("responded", at(9, 10)), complex=True), Status.NOT_APPLICABLE),
    # T-2a (3.1.4): "messages left out of hours ... on the morning of the next working day".
    ("T-2a", enquiry(at(6, 19), ("responded", at(9, 11, 30)), channel="voicemail"), Status.MET),
    (
        "T-2a",
        enquiry(at(6, 19), ("responded", at(9, 12, 30)), channel="voicemail"),
        Status.BREACHED,
    ),
    # T-2b (3.1.4): "retrieve any messages at least twice daily".
    ("T-2b", enquiry(at(2, 9), ("retrieved", at(2, 13)), channel="voicemail"), Status.MET),
    ("T-2b", enquiry(at(2, 9), ("retrieved", at(3, 9)), channel="voicemail"), Status.BREACHED),
    # T-3 (3.2): "transcribed, signed and posted out within 6 working days"; extensions agreed.
    ("T-3", enquiry(at(2, 9), ("posted", at(10, 16)), channel="letter", clinical=True), Status.MET),
    (
        "T-3",
        enquiry(at(2, 9), ("posted", at(11, 9)), channel="letter", clinical=True),
        Status.BREACHED,
    ),
    (
        "T-3",
        enquiry(
            at(2, 9),
            ("extension_agreed", at(5, 9), {"until": "2026-03-20"}),
            ("posted", at(19, 9)),
            channel="letter",
            clinical=True,
        ),
        Status.MET,
    ),
    # T-4 (3.3): "a reply ... within 5 days"; "if this is not possible an acknowledgment".
    ("T-4", enquiry(at(2, 9), ("responded", at(9, 16)), channel="letter"), Status.MET),
    (
        "T-4",
        enquiry(at(2, 9), ("acknowledged", at(6, 9)), ("responded", at(13, 16)), channel="letter"),
        Status.MET,
    ),
    # After an acknowledgement the reply is still owed (5 working days after it).
    ("T-4", enquiry(at(2, 9), ("acknowledged", at(6, 9)), channel="letter"), Status.BREACHED),
    ("T-4", enquiry(at(2, 9), ("responded", at(10, 9)), channel="letter"), Status.BREACHED),
    # T-5 (3.4): "responded to within two working days"; else "informed of progress".
    ("T-5", enquiry(at(2, 9), ("responded", at(3, 9)), channel="web"), Status.MET),
    ("T-5", enquiry(at(2, 9), ("responded", at(5, 9)), channel="email"), Status.BREACHED),
    # T-6 (3.4): FOI "acknowledged within two working days", "final response within 20".
    # Friday 27 November 2026 at 20:00 counts as received that Friday; Monday 30 November is
    # St Andrew's Day, a bank holiday in Scotland, so not a working day for the count.
    (
        "T-6a",
        enquiry(
            at(27, 20, month=11),
            ("acknowledged", at(2, 23, month=12)),
            channel="email",
            freedom_of_information=True,
        ),
        Status.MET,
    ),
    (
        "T-6a",
        enquiry(
            at(27, 20, month=11),
            ("acknowledged", at(3, 9, month=12)),
            channel="email",
            freedom_of_information=True,
        ),
        Status.BREACHED,
    ),
    (
        "T-6b",
        enquiry(
            at(27, 20, month=11),
            ("responded", at(30, 23, 59, month=12)),
            channel="email",
            freedom_of_information=True,
        ),
        Status.MET,
    ),
    (
        "T-6b",
        enquiry(
            at(27, 20, month=11),
            ("responded", at(31, 9, month=12)),
            channel="email",
            freedom_of_information=True,
        ),
        Status.BREACHED,
    ),
]


def rings(number: int, value: float, staff_available: bool) -> Measurement:
    return Measurement.record(
        id=f"M-{number}",
        at=at(2, 10) + timedelta(minutes=number),
        by=None,
        measure="telephone_rings",
        value=value,
        unit="rings",
        attributes={"staff_available": staff_available},
    )


# T-7 (3.1.2): "answer the telephone within three rings if they are available to take the call".
STANDARDS += [
    ("T-7", rings(1, 3, True), Status.MET),
    ("T-7", rings(2, 4, True), Status.BREACHED),
    ("T-7", rings(3, 6, False), Status.NOT_APPLICABLE),
]


def unstaffed(number: int, minutes: float) -> Measurement:
    return Measurement.record(
        id=f"R-{number}",
        at=at(2, 8) + timedelta(days=number),
        by=None,
        measure="reception_unstaffed",
        value=minutes,
        unit="minutes",
        subject="Main reception",
    )


MESSAGE = {"caller_name": "Pat Caller", "contact_number": "01632 960000", "details": "results?"}
STANDARDS += [
    # T-1b (3.1.3): a complex query: "the caller should be kept informed of progress".
    (
        "T-1b",
        enquiry(
            at(2, 10),
            ("progress_update", at(4, 16)),
            ("progress_update", at(6, 12)),
            ("responded", at(10, 9)),
            complex=True,
        ),
        Status.MET,
    ),
    ("T-1b", enquiry(at(2, 10), ("responded", at(9, 10)), complex=True), Status.BREACHED),
    # T-1c (3.1.3): "advised of the expected timeframe" when a named person is away.
    (
        "T-1c",
        enquiry(
            at(2, 10), ("named_person_unavailable", at(2, 11)), ("timeframe_advised", at(2, 15))
        ),
        Status.MET,
    ),
    (
        "T-1c",
        enquiry(
            at(2, 10), ("named_person_unavailable", at(2, 11)), ("timeframe_advised", at(3, 9))
        ),
        Status.BREACHED,
    ),
    # T-2c (3.1.4): "respond ... immediately after retrieving the message".
    (
        "T-2c",
        enquiry(at(2, 9), ("retrieved", at(2, 10)), ("responded", at(2, 16)), channel="voicemail"),
        Status.MET,
    ),
    (
        "T-2c",
        enquiry(at(2, 9), ("retrieved", at(2, 10)), ("responded", at(3, 9)), channel="voicemail"),
        Status.BREACHED,
    ),
    # CS-3.1.2: a message notes the caller's name and number, the details and who it is for.
    (
        "CS-3.1.2",
        enquiry(at(2, 10), ("message_taken", at(2, 10), {**MESSAGE, "message_for": "Dr Lee"})),
        Status.MET,
    ),
    ("CS-3.1.2", enquiry(at(2, 10), ("message_taken", at(2, 10), MESSAGE)), Status.BREACHED),
    # CS-3.2 (3.2, 3.3): "Contact names and telephone numbers ... in all correspondence".
    (
        "CS-3.2",
        enquiry(
            at(2, 9),
            ("posted", at(3, 9), {"contact_name": "Jo Clarke", "contact_number": "0161 496 0000"}),
            channel="letter",
        ),
        Status.MET,
    ),
    (
        "CS-3.2",
        enquiry(at(2, 9), ("posted", at(3, 9), {"contact_name": "Jo Clarke"}), channel="letter"),
        Status.BREACHED,
    ),
    # CS-3.6: "Receptions will be manned at all times during the normal working period".
    ("CS-3.6", unstaffed(1, 0), Status.MET),
    ("CS-3.6", unstaffed(2, 25), Status.BREACHED),
]
for rule_id, record, expected in STANDARDS:
    CASES.append(("customer-service-standards", rule_id, "", record, expected))


@pytest.mark.parametrize(
    ("rule_id", "record", "expected"),
    STANDARDS,
    ids=[f"{rule_id}-{n}" for n, (rule_id, *_) in enumerate(STANDARDS)],
)
def test_customer_service_standards(rule_id, record, expected):
    finding = status_of("customer-service-standards", rule_id, record)
    assert finding.status is expected, finding.message
    assert f"003_1901d489df2c6a2b.txt §{finding.source.split('§')[1]}" in finding.message


def downtime(year: int, minutes: list[float]) -> list[qse.Record]:
    return [
        Measurement.record(
            id=f"W-{year}-{k}",
            at=datetime(year, 1 + k, 3, tzinfo=UTC),
            by=None,
            measure="website_downtime",
            value=value,
            unit="minutes",
        )
        for k, value in enumerate(minutes)
    ]


# T-8 (3.5): "available 24 hours a day all year round with a downtime of no more than 1% each
# year". 2025 has 525,600 minutes: 1% is 5,256 minutes.
T8 = [("2025", [3000, 2000], Status.MET), ("2026", [4000, 2000], Status.BREACHED)]
CASES += [("customer-service-standards", "T-8", year, None, expected) for year, _, expected in T8]


def test_t8_website_down_no_more_than_one_percent_of_the_year():
    records = [record for year, minutes, _ in T8 for record in downtime(int(year), minutes)]
    findings = {
        f.period: f
        for f in evaluate(records, "customer-service-standards", calendar=LAB, at=AT)
        if f.rule_id == "T-8"
    }
    for year, _, expected in T8:
        assert findings[year].status is expected
    assert "1.142% of the period's 525,600 minutes" in findings["2026"].message


def test_t8_in_a_year_not_over_yet_an_excess_is_already_a_breach():
    records = downtime(2027, [6000])
    (finding,) = [
        f
        for f in evaluate(records, "customer-service-standards", calendar=LAB, at=AT)
        if f.rule_id == "T-8"
    ]
    assert finding.status is Status.BREACHED
    assert "still running" in finding.message


def survey(number: int, audience: str, conducted: datetime) -> qse.Record:
    director = actor("laboratory_director")
    return (
        qse.Survey.create(
            id=f"S-{number}",
            at=conducted - timedelta(days=7),
            by=director,
            title=f"Survey {number}",
            audience=audience,
            instrument="csat",
        )
        .add("approved", at=conducted - timedelta(days=6), by=director)
        .add("conducted", at=conducted, by=actor("quality_manager"))
    )


# CS-8.1 (8.1): "regular surveys of the needs and perceptions of customers": each audience at
# least once a year, from the first survey on record; 2025 has no survey of internal customers.
CS81 = [
    survey(1, "external", datetime(2024, 5, 1, 10, tzinfo=LONDON)),
    survey(2, "internal", datetime(2024, 9, 1, 10, tzinfo=LONDON)),
    survey(3, "external", datetime(2025, 5, 1, 10, tzinfo=LONDON)),
]
CASES += [
    ("customer-service-standards", "CS-8.1", "2024 internal", None, Status.MET),
    ("customer-service-standards", "CS-8.1", "2025 internal", None, Status.BREACHED),
]


def test_cs81_each_audience_surveyed_every_year_a_year_without_one_is_a_breach():
    found = {
        (f.period, f.evidence["group"]["value"]): f
        for f in evaluate(CS81, "customer-service-standards", calendar=LAB, at=AT)
        if f.rule_id == "CS-8.1"
    }
    assert {key: f.status for key, f in found.items()} == {
        ("2024", "internal"): Status.MET,
        ("2024", "external"): Status.MET,
        ("2025", "internal"): Status.BREACHED,
        ("2025", "external"): Status.MET,
        ("2026", "internal"): Status.BREACHED,
        ("2026", "external"): Status.BREACHED,
        ("2027", "internal"): Status.PENDING,
        ("2027", "external"): Status.PENDING,
    }
    assert (
        "no conducted event on a record with audience internal"
        in found[("2025", "internal")].message
    )


def test_every_shipped_rule_has_a_met_and_a_breached_case():
    seen: dict[tuple[str, str], set[Status]] = defaultdict(set)
    for ruleset, rule_id, _, _, expected in CASES:
        seen[(ruleset, rule_id)].add(expected)
    # improvement-referrals has its met and breached cases in tests/test_referrals_ruleset.py.
    for name in ("qse2-responsibility", "customer-service-standards"):
        for rule in load_ruleset(name).rules:
            assert {Status.MET, Status.BREACHED} <= seen[(name, rule.id)], rule.id
