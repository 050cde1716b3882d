"""Threshold rules that refer: survey means, recurrences, and the referrals they raise."""

from __future__ import annotations

import statistics
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import qse_customer as qse
from qse_customer.analysis.complaint_trends import detect_recurrences
from qse_customer.review.referrals import referral_id, referrals_from
from qse_customer.rules import Status, check, evaluate, load_ruleset

LAB = qse.WorkingCalendar(timezone="UTC", opens="08:00", closes="17:00")
AT = datetime(2027, 1, 1, tzinfo=UTC)
TECH = qse.Actor("t-1", "Tech", "technologist")
SOURCE = {"document": "000_ad609cf394a71cac.txt", "section": "Referral for Process Improvement"}
REFER = {"owner": "quality_manager", "due_in_working_days": 10, "category": "complaints"}


def ruleset(*rules):
    return load_ruleset(
        {
            "name": "lab",
            "version": "1",
            "rules": [{"title": "a threshold", "source": SOURCE, **rule} for rule in rules],
        }
    )


def recurrence_rule(threshold=2, window_days=30, at_most=0, period="month", **extra):
    return {
        "id": "K-REC",
        "kind": "threshold",
        "applies_to": {"record_type": "complaint"},
        "params": {
            "period": period,
            "aggregate": "recurrence",
            "recurrence": {"threshold": threshold, "window_days": window_days},
            "at_most": at_most,
            "refer": REFER,
            **extra,
        },
    }


def complaint(number, at, category="delay", group="ward 7"):
    return qse.Complaint.receive(
        id=f"C-{number:03d}",
        at=at,
        by=TECH,
        channel="telephone",
        category=category,
        customer_group=group,
    )


complaint_times = st.lists(
    st.tuples(
        st.datetimes(datetime(2026, 1, 1), datetime(2026, 6, 30), timezones=st.just(UTC)),
        st.sampled_from(["delay", "lost sample"]),
        st.sampled_from(["ward 7", "GP"]),
    ),
    max_size=25,
)


@settings(max_examples=60)
@given(complaint_times, st.integers(1, 3), st.integers(1, 40))
def test_a_recurrence_breaches_exactly_the_months_the_detector_fires_in(data, threshold, days):
    complaints = [complaint(k, *row) for k, row in enumerate(data)]
    rules = ruleset(recurrence_rule(threshold, days))
    found = detect_recurrences(complaints, threshold=threshold, window=timedelta(days=days))
    # A window ending at complaint t fires when more than `threshold` of its group lie in it.
    firing_months = set()
    for c in complaints:
        same = [
            o
            for o in complaints
            if (o.category, o.customer_group) == (c.category, c.customer_group)
            and c.opened_at - timedelta(days=days) < o.opened_at <= c.opened_at
        ]
        if len(same) > threshold:
            firing_months.add(f"{c.opened_at:%Y-%m}")
    findings = {f.period: f for f in evaluate(complaints, rules, calendar=LAB, at=AT)}
    assert set(findings) == {f"{c.opened_at:%Y-%m}" for c in complaints}
    for period, finding in findings.items():
        expected = Status.BREACHED if period in firing_months else Status.MET
        assert finding.status is expected, finding.message
    assert bool(found) == bool(firing_months)


@settings(max_examples=60)
@given(complaint_times, st.integers(1, 3))
def test_a_referral_is_raised_exactly_for_each_breached_period_and_only_once(data, threshold):
    complaints = [complaint(k, *row) for k, row in enumerate(data)]
    rules = ruleset(recurrence_rule(threshold, 30))
    report = check(complaints, rules, calendar=LAB, at=AT)
    breached = {f.period for f in report.findings if f.status is Status.BREACHED}
    made = referrals_from(report, rules, calendar=LAB, at=AT)
    assert {r.id for r in made} == {referral_id("lab", "K-REC", p) for p in breached}
    assert len({r.id for r in made}) == len(made)
    for referral in made:
        assert referral.owner_role.value == "quality_manager"
        assert referral.due_at == LAB.add_working_days(AT, 10)
        assert referral.source_rule == "K-REC"
        assert referral.source_records
        assert {ref.id for ref in referral.source_records} <= {c.id for c in complaints}
    again = referrals_from(report, rules, calendar=LAB, at=AT, existing=made)
    assert again == []
    assert referrals_from(report, rules, calendar=LAB, at=AT, existing=[r.id for r in made]) == []


def test_the_source_example_repeated_delays_from_one_ward_are_referred():
    # 000, "Referral for Process Improvement": "Information from customer complaints ... are
    # analyzed and identified problems are referred for process improvement". Three delay
    # complaints from Ward 7 within a fortnight, above a lab threshold of 2 within 30 days.
    days = [datetime(2026, 3, d, 10, tzinfo=UTC) for d in (2, 9, 13)]
    complaints = [complaint(k, at) for k, at in enumerate(days)]
    complaints.append(complaint(9, datetime(2026, 3, 20, tzinfo=UTC), category="courtesy"))
    rules = ruleset(recurrence_rule(2, 30))
    report = check(complaints, rules, calendar=LAB, at=datetime(2026, 4, 1, 9, tzinfo=UTC))
    (finding,) = report.findings
    assert finding.status is Status.BREACHED and finding.period == "2026-03"
    assert "3 complaints (category 'delay', customer_group 'ward 7')" in finding.message
    (referral,) = referrals_from(
        report, rules, calendar=LAB, at=datetime(2026, 4, 1, 9, tzinfo=UTC)
    )
    assert referral.id == "REF-lab-K-REC-2026-03"
    assert [ref.id for ref in referral.source_records] == ["C-000", "C-001", "C-002"]
    # Wed 1 April 09:00 + 10 working days (Mon-Fri, no holidays on this calendar): 15 April.
    assert referral.due_at == datetime(2026, 4, 15, 17, tzinfo=UTC)
    assert referral.evidence["category"] == "complaints"
    assert [e.kind for e in referral.events] == ["opened", "assigned"]
    assert referral.events[1].data["due"] == referral.due_at.isoformat()


def test_only_breached_findings_of_referring_rules_raise_referrals():
    complaints = [complaint(k, datetime(2026, 3, 2 + k, tzinfo=UTC)) for k in range(4)]
    plain = recurrence_rule(2, 30)
    del plain["params"]["refer"]
    rules = ruleset(plain)
    report = check(complaints, rules, calendar=LAB, at=AT)
    assert report.findings and referrals_from(report, rules, calendar=LAB, at=AT) == []
    quiet = ruleset(recurrence_rule(10, 30))
    report = check(complaints, quiet, calendar=LAB, at=AT, keep=list(Status))
    assert referrals_from(report.findings, quiet, calendar=LAB, at=AT) == []


def survey_rule(at_least=3.5, **extra):
    return {
        "id": "S-GS",
        "kind": "threshold",
        "applies_to": {"record_type": "survey_response"},
        "params": {
            "period": "quarter",
            "aggregate": "survey_mean",
            "instrument": "psq-18",
            "subscale": "general_satisfaction",
            "at_least": at_least,
            "refer": {"owner": "laboratory_supervisor", "due_in_working_days": 5},
            **extra,
        },
    }


answer = st.one_of(st.none(), st.integers(1, 5))


@settings(max_examples=40)
@given(st.lists(st.tuples(answer, answer, st.booleans()), min_size=1, max_size=20))
def test_a_survey_mean_is_the_mean_of_the_scored_subscale(rows):
    responses = []
    for k, (q3, q17, withdrawn) in enumerate(rows):
        response = qse.analysis.anonymous_response(
            id=f"R-{k}",
            at=datetime(2026, 2, 1, tzinfo=UTC) + timedelta(hours=k),
            survey_id="S-1",
            instrument="psq-18",
            answers={key: value for key, value in (("q3", q3), ("q17", q17)) if value is not None},
        )
        if withdrawn:
            response = response.add("withdrawn", at=response.opened_at + timedelta(minutes=5))
        responses.append(response)
    live = [r for r in responses if not r.is_closed]
    scores = [qse.analysis.score_psq18(r).subscales["general_satisfaction"].score for r in live]
    scored = [s for s in scores if s is not None]
    rules = ruleset(survey_rule())
    (finding,) = evaluate(responses, rules, calendar=LAB, at=AT)
    assert finding.evidence["basis"] == len(scored)
    if not scored:
        assert finding.status is Status.NOT_APPLICABLE
        return
    assert finding.evidence["value"] == pytest.approx(statistics.fmean(scored), abs=1e-12)
    expected = Status.MET if statistics.fmean(scored) >= 3.5 else Status.BREACHED
    assert finding.status is expected
    made = referrals_from([finding], rules, calendar=LAB, at=AT)
    assert len(made) == (finding.status is Status.BREACHED)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"instrument": "no-such-instrument"}, "no instrument named"),
        ({"subscale": "nope"}, "has no scored subscale 'nope'"),
        ({"item": "q3"}, "expected exactly one of subscale, item"),
        ({"refer": {"owner": "janitor", "due_in_working_days": 5}}, "unknown role 'janitor'"),
        ({"refer": {"owner": "quality_manager"}}, "due_in_working_days"),
    ],
)
def test_bad_survey_and_referral_params_are_refused_by_path(change, message):
    rule = survey_rule()
    rule["params"].update(change)
    with pytest.raises(qse.ValidationError) as caught:
        ruleset(rule)
    assert message in str(caught.value)
    assert "$.rules[0].params" in str(caught.value)


def test_a_recurrence_needs_its_settings_complaints_and_an_upper_limit():
    rule = recurrence_rule()
    del rule["params"]["recurrence"]
    with pytest.raises(qse.ValidationError, match="a recurrence needs"):
        ruleset(rule)
    rule = recurrence_rule()
    rule["applies_to"] = {"record_type": "enquiry"}
    with pytest.raises(qse.ValidationError, match="applies to complaint records only"):
        ruleset(rule)
    rule = recurrence_rule()
    del rule["params"]["at_most"]
    rule["params"]["at_least"] = 1
    with pytest.raises(qse.ValidationError, match="a recurrence takes at_most"):
        ruleset(rule)


def test_referrals_from_refuses_what_is_not_findings():
    rules = ruleset(recurrence_rule())
    with pytest.raises(qse.ValidationError, match="expected a Report or an iterable"):
        referrals_from(42, rules, calendar=LAB, at=AT)  # type: ignore[arg-type]
    with pytest.raises(qse.ValidationError, match="expected findings"):
        referrals_from(["x"], rules, calendar=LAB, at=AT)  # type: ignore[list-item]
    with pytest.raises(qse.ValidationError, match="naive"):
        referrals_from([], rules, calendar=LAB, at=datetime(2026, 1, 1))
