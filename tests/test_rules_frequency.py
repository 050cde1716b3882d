"""The frequency rule kind: an event at least so often, period after period, gaps included."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

import qse_customer as qse
from qse_customer.rules import Status, evaluate, load_ruleset

LAB = qse.WorkingCalendar(timezone="UTC", opens="08:00", closes="17:00")
QM = qse.Actor("q-1", "Quinn Manager", qse.Role.QUALITY_MANAGER)


def ruleset(**params):
    rule = {
        "id": "OFTEN",
        "title": "surveys every period",
        "kind": "frequency",
        "source": {"document": "test.txt"},
        "applies_to": {"record_type": "survey"},
        "params": {"events": ["conducted"], "period": "quarter", **params},
    }
    return load_ruleset({"name": "test", "version": "1", "rules": [rule]})


def survey(number: int, audience: str, conducted: datetime) -> qse.Survey:
    return qse.Survey.create(
        id=f"S-{number}",
        at=conducted - timedelta(days=1),
        by=QM,
        title="survey",
        audience=audience,
        instrument="csat",
    ).add("conducted", at=conducted, by=QM)


def quarter(moment: datetime) -> str:
    return f"{moment.year}-Q{(moment.month - 1) // 3 + 1}"


moments = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2026, 12, 31)).map(
    lambda moment: moment.replace(tzinfo=UTC)
)


@given(
    st.lists(st.tuples(st.sampled_from(["internal", "external"]), moments), max_size=8),
    moments,
    st.integers(1, 2),
)
def test_one_finding_per_quarter_and_audience_from_the_first_survey_to_at(surveys, at, least):
    rules = ruleset(at_least=least, per={"field": "audience", "values": ["internal", "external"]})
    records = [survey(n, audience, when) for n, (audience, when) in enumerate(surveys)]
    findings = list(evaluate(records, rules, calendar=LAB, at=at))
    seen = [(audience, when) for audience, when in surveys if when <= at]
    if not seen:
        assert findings == []
        return
    counts = Counter((audience, quarter(when)) for audience, when in seen)
    first = min(when for _, when in seen)
    expected = {}
    day = date(first.year, (first.month - 1) // 3 * 3 + 1, 1)
    while day <= at.date():
        key = f"{day.year}-Q{(day.month - 1) // 3 + 1}"
        month = day.month + 3
        end = date(day.year + (month > 12), (month - 1) % 12 + 1, 1)
        for audience in ("internal", "external"):
            if counts[(audience, key)] >= least:
                expected[(key, audience)] = Status.MET
            elif datetime(end.year, end.month, 1, tzinfo=UTC) <= at:
                expected[(key, audience)] = Status.BREACHED
            else:
                expected[(key, audience)] = Status.PENDING
        day = end
    found = {(f.period, f.evidence["group"]["value"]): f.status for f in findings}
    assert found == expected
    assert all(f.record_id is None for f in findings)


def test_since_judges_the_quarters_before_the_first_survey():
    records = [survey(1, "external", datetime(2026, 5, 1, tzinfo=UTC))]
    at = datetime(2026, 6, 1, tzinfo=UTC)
    plain = {f.period: f.status for f in evaluate(records, ruleset(), calendar=LAB, at=at)}
    assert plain == {"2026-Q2": Status.MET}
    since = ruleset(since="2025-10-01")
    found = {f.period: f for f in evaluate(records, since, calendar=LAB, at=at)}
    assert {key: f.status for key, f in found.items()} == {
        "2025-Q4": Status.BREACHED,
        "2026-Q1": Status.BREACHED,
        "2026-Q2": Status.MET,
    }
    assert "no conducted event on a record" in found["2026-Q1"].message
    assert "S-1 on Fri 01 May 2026" in found["2026-Q2"].message


def test_no_survey_at_all_and_no_since_gives_no_finding():
    assert list(evaluate([], ruleset(), calendar=LAB, at=datetime(2026, 6, 1, tzinfo=UTC))) == []


@pytest.mark.parametrize(
    ("params", "path", "words"),
    [
        ({"since": "2026-02-30"}, "$.rules[0].params.since", "not a date"),
        (
            {"per": {"field": "colour", "values": ["x"]}},
            "$.rules[0].params.per.field",
            "has no field 'colour'",
        ),
        ({"at_least": 0}, "$.rules[0].params.at_least", "minimum"),
    ],
)
def test_bad_params_are_refused_at_their_path(params, path, words):
    with pytest.raises(qse.ValidationError) as raised:
        ruleset(**params)
    found = {problem.path: problem.message for problem in raised.value.errors}
    assert words in found.get(path, ""), found
