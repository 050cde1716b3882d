"""The management review packet: its numbers are those of the underlying functions, its shape is
stable JSON, and no anonymous submitter appears anywhere in it."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import qse_customer as qse
from qse_customer.review import PACKET_VERSION, ReviewPacket, management_review
from qse_customer.review.small_cells import (
    GROUP_DIMENSIONS,
    SMALL_CELL_THRESHOLD,
    is_small,
    suppress_table,
)
from qse_customer.rules import check

LAB = qse.WorkingCalendar(timezone="UTC", opens="08:00", closes="17:00")
START, END = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC)
AT = datetime(2026, 4, 7, tzinfo=UTC)
TECH = qse.Actor("t-1", "Tess Tech", "technologist")
QM = qse.Actor("q-1", "Quinn Manager", "quality_manager")
SECRET = "Zebedee-Secret-Submitter"
RULESETS = ["customer-service-standards", "qse2-responsibility", "improvement-referrals"]

moments = st.datetimes(datetime(2025, 10, 1), datetime(2026, 5, 1), timezones=st.just(UTC))


@st.composite
def record_sets(draw):
    records: list[qse.Record] = []
    for k in range(draw(st.integers(0, 12))):
        at = draw(moments)
        anonymous = draw(st.booleans())
        complaint = qse.Complaint.receive(
            id=f"C-{k}",
            at=at,
            by=TECH,
            channel=draw(st.sampled_from(["telephone", "email", "form"])),
            category=draw(st.sampled_from(["delay", "courtesy", "lost sample"])),
            anonymous=anonymous,
            submitter=None if anonymous else qse.Submitter(name=f"Named Person {k}"),
            customer_group=draw(st.sampled_from(["ward 7", "GP", None])),
            site=draw(st.sampled_from(["main", "north"])),
            summary=f"{SECRET} wrote this" if anonymous else "named complaint",
            note=f"{SECRET} called" if anonymous else "",
        )
        if draw(st.booleans()):
            complaint = complaint.add(
                "corrective_action_initiated", at=at + timedelta(days=1), by=QM
            )
        records.append(complaint)
    for k in range(draw(st.integers(0, 8))):
        at = draw(moments)
        enquiry = qse.Enquiry.receive(id=f"E-{k}", at=at, by=TECH, channel="telephone")
        if draw(st.booleans()):
            enquiry = enquiry.add("responded", at=at + timedelta(hours=draw(st.integers(1, 90))))
        records.append(enquiry)
    records.append(
        qse.Survey.create(
            id="S-1",
            at=datetime(2025, 12, 1, tzinfo=UTC),
            by=QM,
            title="Clinicians",
            audience="external",
            instrument="csat",
        )
        .add("approved", at=datetime(2025, 12, 2, tzinfo=UTC), by=QM)
        .add("conducted", at=datetime(2025, 12, 3, tzinfo=UTC), by=QM, invited=200)
    )
    for k in range(draw(st.integers(0, 15))):
        records.append(
            qse.analysis.anonymous_response(
                id=f"R-{k}",
                at=draw(moments),
                survey_id="S-1",
                instrument="csat",
                answers={"satisfaction": draw(st.integers(1, 5))},
            )
        )
    for k in range(draw(st.integers(0, 4))):
        at = draw(moments)
        referral = qse.Referral.open(
            id=f"F-{k}", at=at, by=QM, title="fix delays", due_at=at + timedelta(days=20)
        )
        if draw(st.booleans()):
            referral = referral.add("closed", at=at + timedelta(days=3), by=QM)
        records.append(referral)
    draw(st.randoms()).shuffle(records)
    return records


def review(records, **options):
    return management_review(
        iter(records),
        rulesets=options.pop("rulesets", RULESETS),
        calendar=LAB,
        start=START,
        end=END,
        at=AT,
        **options,
    )


def in_period(record):
    return START <= record.opened_at < END


@settings(max_examples=25, suppress_health_check=[HealthCheck.too_slow])
@given(record_sets())
def test_the_packet_counts_are_those_of_the_underlying_functions(records):
    packet = review(records)
    document = packet.to_dict()
    json.loads(packet.to_json())
    # Standards: the same counts as checking each ruleset alone on the period's records.
    mine = [r for r in records if in_period(r)]
    rules = {(rule["ruleset"], rule["rule_id"]): rule for rule in document["standards"]["rules"]}
    breaches = 0
    for name in RULESETS:
        report = check(mine, name, calendar=LAB, at=AT)
        for summary in report.rules:
            got = rules[(name, summary.rule_id)]
            want = summary.to_dict()
            assert {k: got[k] for k in want} == want
        breaches += sum(1 for f in report.findings if f.status.value == "breached")
    assert len(document["breaches"]) == breaches
    # Complaints: the core functions on the period's complaints.
    complaints = [r for r in mine if isinstance(r, qse.Complaint)]
    section = document["complaints"]
    assert section["total"] == len(complaints)
    assert section["anonymous"] == sum(c.anonymous for c in complaints)
    for dimension in ("period", "category", "customer_group", "channel", "site"):
        exact = qse.analysis.count_complaints(complaints, by=(dimension,))
        assert packet.complaints.counts[dimension] == exact  # the object keeps exact counts
        shown = exact.to_dict()
        if dimension in GROUP_DIMENSIONS:  # the document hides small ones
            shown = suppress_table(shown, SMALL_CELL_THRESHOLD)
        assert section[f"by_{dimension}"] == shown
    assert section["pareto"] == qse.analysis.pareto(complaints).to_dict()
    recurrences = qse.analysis.detect_recurrences(
        complaints, threshold=2, window=timedelta(days=30)
    )
    assert packet.complaints.recurrences == recurrences
    for item, recurrence in zip(section["recurrences"]["items"], recurrences, strict=True):
        if is_small(recurrence.peak, SMALL_CELL_THRESHOLD):
            assert item["peak"] is None and item["complaint_ids"] == []
            assert item["message"].startswith(f"fewer than {SMALL_CELL_THRESHOLD} complaints")
        else:
            assert item == recurrence.to_dict() | {"peak_shown": str(recurrence.peak)}
    # Referrals: open at `at`, whenever opened (a referral closed after `at` was still open then).
    open_ids = {
        r.id
        for r in records
        if isinstance(r, qse.Referral)
        and r.opened_at <= AT
        and not any(e.kind == "closed" and e.at <= AT for e in r.events)
    }
    assert {item["id"] for item in document["referrals"]["open"]} == open_ids
    # Privacy: nothing an anonymous complaint carries beyond its category reaches the packet.
    assert SECRET not in packet.to_json()
    assert "Named Person" not in packet.to_json()
    # Surveys: the analysis of the period's responses.
    responses = [r for r in mine if isinstance(r, qse.SurveyResponse)]
    if not responses:  # created before the period, nothing collected in it: not reviewed
        assert document["surveys"] == []
        return
    (survey,) = document["surveys"]
    instrument = qse.analysis.load_instrument("csat")
    assert packet.surveys[0].analysis == qse.analysis.analyse_survey(instrument, responses)
    if is_small(len(responses), SMALL_CELL_THRESHOLD):  # too few to show
        assert survey["analysis"] is None and survey["response_rate"] is None
        assert survey["responses"] is None and survey["responses_shown"] == "fewer than 5"
        return
    assert survey["analysis"] == qse.analysis.analyse_survey(instrument, responses).to_dict()
    assert survey["response_rate"]["responded"] == len(responses)
    assert survey["response_rate"]["invited"] == 200
    before = [
        r
        for r in records
        if isinstance(r, qse.SurveyResponse) and START - (END - START) <= r.opened_at < START
    ]
    assert (packet.surveys[0].comparison is None) == (not before)
    if before and is_small(len(before), SMALL_CELL_THRESHOLD):  # too few before to compare
        assert survey["comparison"] is None and survey["previous"]["responses"] is None
    else:
        assert (survey["comparison"] is None) == (not before)


def test_merged_and_one_by_one_checks_agree():
    rng = random.Random(5)
    records = [
        qse.Enquiry.receive(
            id=f"E-{k}",
            at=START + timedelta(hours=rng.randint(0, 2000)),
            by=TECH,
            channel="telephone",
        )
        for k in range(30)
    ]
    merged = review(records).to_dict()
    # An effective date after the review's start forces the one-by-one path.
    later = qse.load_ruleset("customer-service-standards").to_dict()
    later["effective_from"] = "2026-02-01"
    later["name"] = "css-later"
    apart = review(records, rulesets=[later, "qse2-responsibility"]).to_dict()
    alone = check(records, later, calendar=LAB, at=AT)
    got = {r["rule_id"]: r for r in apart["standards"]["rules"] if r["ruleset"] == "css-later"}
    assert got["T-1"]["not_applicable"] == alone.rule("T-1").counts.not_applicable
    assert got["T-1"]["total"] == merged["standards"]["rules"][0]["total"]


def test_shape_version_and_immutability():
    packet = review([])
    document = packet.to_dict()
    assert document["version"] == PACKET_VERSION == 2
    assert list(document) == [
        "version",
        "kind",
        "small_cell_threshold",
        "period",
        "standards",
        "finding_totals",
        "breaches",
        "at_risk",
        "complaints",
        "surveys",
        "referrals",
        "warnings",
    ]
    assert document["period"]["periods"] == ["2026-01", "2026-02", "2026-03"]
    assert document["complaints"]["control_chart"]["chart"] == "c"
    assert isinstance(packet, ReviewPacket)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        packet.warnings = ("x",)  # type: ignore[misc]


def test_request_volumes_give_rates_and_a_u_chart_with_an_earlier_baseline():
    complaints = [
        qse.Complaint.receive(
            id=f"C-{k}",
            at=datetime(2025, 10 + k % 6, 3, tzinfo=UTC)
            if k % 6 < 3
            else datetime(2026, k % 6 - 2, 3, tzinfo=UTC),
            by=TECH,
            channel="email",
            category="delay",
        )
        for k in range(18)
    ]
    volumes = {
        "2025-10": 1000,
        "2025-11": 1000,
        "2025-12": 1000,
        "2026-01": 1000,
        "2026-02": 2000,
        "2026-03": 1000,
    }
    document = review(complaints, request_volumes=volumes).to_dict()
    chart = document["complaints"]["control_chart"]
    assert chart["chart"] == "u" and len(chart["points"]) == 6
    assert chart == qse.analysis.control_chart(complaints, volumes=volumes).to_dict()
    rows = document["complaints"]["by_period"]["rows"]
    assert [row["rate"] for row in rows] == [3.0, 1.5, 3.0]


def test_an_unknown_instrument_is_a_warning_not_a_failure():
    survey = qse.Survey.create(
        id="S-9",
        at=START + timedelta(days=1),
        by=QM,
        title="Ward staff",
        audience="internal",
        instrument="not-registered",
    )
    document = review([survey]).to_dict()
    assert document["surveys"] == []
    assert "'not-registered' is not registered" in document["warnings"][0]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"start": datetime(2026, 1, 1)}, "naive"),
        ({"end": START}, "expected an end after the start"),
        ({"granularity": "fortnight"}, "expected one of week"),
        ({"rulesets": ["qse2-responsibility", "qse2-responsibility"]}, "rule ids must be unique"),
        ({"calendar": "UTC"}, "expected a WorkingCalendar"),
    ],
)
def test_bad_arguments_are_refused_by_name(change, message):
    arguments = {"rulesets": RULESETS, "calendar": LAB, "start": START, "end": END, "at": AT}
    arguments.update(change)
    with pytest.raises(qse.ValidationError, match=message):
        management_review([], **arguments)


def test_not_records_are_refused():
    with pytest.raises(qse.ValidationError, match="expected records"):
        review(["C-1"])
