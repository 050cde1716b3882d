"""The threshold and value_limit rule kinds: a period's aggregate, and a value per record."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

import qse_customer as qse
from qse_customer.core.measurement import Measurement
from qse_customer.rules import Status, check, evaluate, load_ruleset

LAB = qse.WorkingCalendar(timezone="UTC", opens="08:00", closes="17:00")
AT = datetime(2031, 1, 1, tzinfo=UTC)


def measurement(number, at, value, **attributes):
    return Measurement.record(
        id=f"M-{number}",
        at=at,
        by=None,
        measure="telephone_rings",
        value=value,
        unit="rings",
        attributes=attributes,
    )


def ruleset(*rules):
    base = {
        "title": "a rule",
        "source": {"document": "test.txt"},
        "applies_to": {"record_type": "measurement"},
    }
    return load_ruleset(
        {"name": "r", "version": "1", "rules": [{**base, **rule} for rule in rules]}
    )


times = st.datetimes(datetime(2029, 1, 1), datetime(2030, 12, 31), timezones=st.just(UTC))
samples = st.lists(st.tuples(times, st.integers(0, 8)), min_size=1, max_size=30)


@given(samples, st.integers(0, 8))
def test_value_limit_is_met_exactly_when_the_value_is_within_the_limit(values, limit):
    records = [measurement(k, at, value) for k, (at, value) in enumerate(values)]
    rules = ruleset(
        {"id": "V", "kind": "value_limit", "params": {"field": "value", "at_most": limit}}
    )
    for record, finding in zip(records, evaluate(records, rules, calendar=LAB, at=AT), strict=True):
        assert finding.status is (Status.MET if record.value <= limit else Status.BREACHED)


@settings(max_examples=50)
@given(samples, st.integers(1, 5), st.sampled_from(["month", "quarter", "year"]))
def test_a_count_threshold_judges_each_ended_period(values, limit, period):
    records = [measurement(k, at, value) for k, (at, value) in enumerate(values)]
    rules = ruleset(
        {
            "id": "COUNT",
            "kind": "threshold",
            "params": {"period": period, "aggregate": "count", "at_most": limit},
        }
    )
    findings = list(evaluate(records, rules, calendar=LAB, at=AT))
    counts = Counter(f.evidence["period"] for f in findings)
    assert set(counts.values()) == {1}  # one finding per period
    for finding in findings:
        assert finding.record_id is None
        expected = Status.MET if finding.evidence["records"] <= limit else Status.BREACHED
        assert finding.status is expected
    assert sum(f.evidence["records"] for f in findings) == len(records)


@settings(max_examples=50)
@given(samples, st.floats(0, 1), st.sampled_from(["month", "year"]))
def test_share_met_of_another_rule_matches_the_report(values, least, period):
    records = [measurement(k, at, value) for k, (at, value) in enumerate(values)]
    rules = ruleset(
        {"id": "V", "kind": "value_limit", "params": {"field": "value", "at_most": 3}},
        {
            "id": "SHARE",
            "kind": "threshold",
            "params": {"period": period, "aggregate": "share_met", "rule": "V", "at_least": least},
        },
    )
    report = check(records, rules, calendar=LAB, at=AT, period="month", keep=())
    shares = {
        f.period: f.evidence["value"]
        for f in evaluate(records, rules, calendar=LAB, at=AT)
        if f.rule_id == "SHARE"
    }
    whole = report.rule("V").counts
    assert report.rule("SHARE").counts.total == len(shares)
    if period == "year":
        by_year = Counter()
        met = Counter()
        for record in records:
            year = str(record.opened_at.year)
            by_year[year] += 1
            met[year] += record.value <= 3
        assert shares == {year: met[year] / by_year[year] for year in by_year}
    assert whole.met + whole.breached == len(records)


def test_too_few_records_to_judge_is_not_applicable():
    records = [measurement(1, datetime(2029, 1, 5, tzinfo=UTC), 2)]
    rules = ruleset(
        {
            "id": "MEAN",
            "kind": "threshold",
            "params": {
                "period": "month",
                "aggregate": "mean",
                "field": "value",
                "at_most": 3,
                "min_count": 5,
            },
        }
    )
    (finding,) = evaluate(records, rules, calendar=LAB, at=AT)
    assert finding.status is Status.NOT_APPLICABLE
    assert "too few to judge" in finding.message


def test_a_mean_over_the_limit_in_a_running_period_is_at_risk():
    records = [measurement(k, datetime(2030, 12, 1 + k, tzinfo=UTC), 5) for k in range(3)]
    rules = ruleset(
        {
            "id": "MEAN",
            "kind": "threshold",
            "params": {"period": "month", "aggregate": "mean", "field": "value", "at_most": 3},
        }
    )
    at = datetime(2030, 12, 10, tzinfo=UTC)
    (finding,) = evaluate(records, rules, calendar=LAB, at=at)
    assert finding.status is Status.AT_RISK
    assert finding.due_at == datetime(2031, 1, 1, tzinfo=UTC)
