"""Contracts that change over time: an amendment's terms apply from its effective date, every
request is judged by the terms in force when the lab received it, and findings name the version."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import qse_customer as qse
from qse_customer.core.schema import validate_record_document
from qse_customer.rules import Status, check, contract_rules, evaluate
from qse_customer.testing.strategies import contracts

LONDON = ZoneInfo("Europe/London")
LAB = qse.WorkingCalendar(
    timezone="Europe/London", country="GB", subdivision="ENG", opens="08:00", closes="17:00"
)
DIRECTOR = qse.Actor("d-1", "Dana Director", qse.Role.LABORATORY_DIRECTOR)
SIGNED = datetime(2026, 1, 5, 9, tzinfo=LONDON)
JULY = datetime(2026, 7, 1, tzinfo=LONDON)
AT = datetime(2026, 12, 1, tzinfo=UTC)
STAT_45 = [{"test": "CRP", "priority": "stat", "turnaround_minutes": 45}]


def ward(**fields) -> qse.Contract:
    return qse.Contract.enter(
        id="K-7",
        at=SIGNED,
        by=DIRECTOR,
        client="Ward 7",
        services=[
            {"test": "CRP", "priority": "stat", "turnaround_minutes": 60},
            {"test": "CRP", "priority": "routine", "turnaround_minutes": 24 * 60},
        ],
        review_interval_days=180,
        deviation_report_days=2,
        **fields,
    )


def request(number: int, received: datetime, minutes: float, priority: str = "stat"):
    return qse.TestRequest.receive(
        id=f"R-{number}", at=received, by=None, test="CRP", priority=priority, contract_id="K-7"
    ).add("result_reported", at=received + timedelta(minutes=minutes), by=None)


def judged(records, rules, at=AT) -> dict[str, list[qse.Finding]]:
    """Per record, the findings that judged it (not the rules for other terms or times)."""
    found: dict[str, list[qse.Finding]] = {}
    for finding in evaluate(records, rules, calendar=LAB, at=at):
        if finding.status is not Status.NOT_APPLICABLE and finding.record_id is not None:
            found.setdefault(finding.record_id, []).append(finding)
    return found


# -- the named case ---------------------------------------------------------------------------


def test_stat_60_to_45_from_1_july_leaves_a_march_request_of_50_minutes_met():
    contract = ward().amend(
        at=datetime(2026, 6, 10, 9, tzinfo=LONDON),
        by=DIRECTOR,
        effective_from=JULY,
        services=STAT_45,
        agreed_by=["Dana Director", "Ward 7 manager"],
    )
    march = request(1, datetime(2026, 3, 10, 10, tzinfo=LONDON), 50)
    july = request(2, datetime(2026, 7, 10, 10, tzinfo=LONDON), 50)

    found = judged([march, july, contract], contract_rules(contract))

    (in_march,) = found["R-1"]
    assert (in_march.rule_id, in_march.status) == ("contract:K-7:TAT-1", Status.MET)
    assert "original terms" in in_march.source
    (in_july,) = found["R-2"]
    assert (in_july.rule_id, in_july.status) == ("contract:K-7:TAT-1:a1", Status.BREACHED)
    assert in_july.source == "contract K-7 §terms of 1 Jul 2026 (amendment 1): services[0]"
    assert "terms of 1 Jul 2026 (amendment 1)" in in_july.message
    assert in_july.evidence["limit"] == {"minutes": 45}
    # The report names the version too: one row per period of the term.
    report = check([march, july], contract_rules(contract), calendar=LAB, at=AT)
    assert report.rule("contract:K-7:TAT-1").title.endswith("under the original terms")
    assert report.rule("contract:K-7:TAT-1:a1").title == (
        "CRP at stat priority reported within 45 minutes of receipt in the laboratory, under the "
        "terms of 1 Jul 2026 (amendment 1)"
    )
    assert report.rule("contract:K-7:TAT-1").counts.met == 1
    assert report.rule("contract:K-7:TAT-1:a1").counts.breached == 1


def test_an_unamended_contract_keeps_its_rules():
    plain = contract_rules(ward().add("amended", at=SIGNED + timedelta(days=1), by=DIRECTOR))
    assert [rule.id for rule in plain.rules] == [
        "contract:K-7:TAT-1",
        "contract:K-7:TAT-2",
        "contract:K-7:review",
        "contract:K-7:deviations",
    ]
    assert all("started_within" not in rule.params for rule in plain.rules)
    assert str(plain.rule("contract:K-7:TAT-1").source) == "contract K-7 §services[0]"


# -- the model: what an amendment may say -------------------------------------------------------


def test_terms_at_an_instant_layer_the_amendments_in_force():
    contract = (
        ward()
        .amend(at=SIGNED + timedelta(days=30), by=DIRECTOR, effective_from=JULY, services=STAT_45)
        .amend(
            at=SIGNED + timedelta(days=40),
            by=DIRECTOR,
            effective_from=datetime(2026, 8, 1, tzinfo=LONDON),
            effective_until=datetime(2026, 9, 1, tzinfo=LONDON),
            review_interval_days=90,
            withdrawn=[{"test": "CRP", "priority": "routine"}],
        )
    )
    march = contract.terms_at(datetime(2026, 3, 1, tzinfo=LONDON))
    assert march.term_for("CRP", "stat").turnaround_minutes == 60
    assert march.label == "original terms"
    august = contract.terms_at(datetime(2026, 8, 15, tzinfo=LONDON))
    assert august.term_for("CRP", "stat").turnaround_minutes == 45
    assert august.term_for("CRP", "routine") is None
    assert august.review_interval_days == 90
    assert august.label == "terms of 1 Aug 2026 (amendment 2)"
    assert august.set_by(("services", "CRP", "stat")).number == 1
    september = contract.terms_at(
        datetime(2026, 9, 15, tzinfo=LONDON)
    )  # the temporary change ended
    assert (september.review_interval_days, september.term_for("CRP", "routine") is None) == (
        180,
        False,
    )
    assert [a.number for a in contract.term_amendments] == [1, 2]


@pytest.mark.parametrize(
    ("changes", "path", "words"),
    [
        (
            {"effective_from": datetime(2026, 5, 1, tzinfo=LONDON), "services": STAT_45},
            "$.events[1].data.effective_from",
            "before the amendment was agreed",
        ),
        (
            {
                "effective_from": JULY,
                "retrospective": True,
                "services": STAT_45,
            },
            "$.events[1].data.retrospective",
            "it is not retrospective",
        ),
        (
            {"effective_from": JULY, "effective_until": JULY, "services": STAT_45},
            "$.events[1].data.effective_until",
            "expected an instant after effective_from",
        ),
        (
            {"effective_from": JULY, "withdrawn": [{"test": "TSH", "priority": "stat"}]},
            "$.events[1].data.withdrawn[0]",
            "no term for 'TSH' at 'stat' is in force",
        ),
        (
            {"effective_from": JULY, "services": [{"test": "CRP", "priority": "soon"}]},
            "$.events[1].data.services[0].priority",
            "expected one of stat, urgent, routine",
        ),
        (
            {"effective_from": JULY, "deviation_report_days": 0},
            "$.events[1].data.deviation_report_days",
            "greater than 0",
        ),
        ({"effective_from": JULY}, "$.events[1].data", "changes terms: give one of"),
    ],
)
def test_a_bad_amendment_is_refused_with_the_path_of_the_field(changes, path, words):
    with pytest.raises(qse.ValidationError) as caught:
        ward().amend(at=datetime(2026, 6, 10, 9, tzinfo=LONDON), by=DIRECTOR, **changes)
    assert path in {problem.path for problem in caught.value.errors}
    assert any(words in problem.message for problem in caught.value.errors)


def test_an_amendment_written_as_event_data_is_checked_the_same_way():
    with pytest.raises(qse.ValidationError, match="with a UTC offset") as caught:
        ward().add(
            "amended",
            at=datetime(2026, 6, 10, 9, tzinfo=LONDON),
            by=DIRECTOR,
            effective_from="2026-07-01",
            services=STAT_45,
        )
    assert caught.value.errors[0].path == "$.events[1].data.effective_from"
    amended = ward().add(
        "amended",
        at=datetime(2026, 6, 10, 9, tzinfo=LONDON),
        by=DIRECTOR,
        effective_from="2026-07-01T00:00:00+01:00",
        services=STAT_45,
    )
    document = qse.to_dict(amended)
    assert validate_record_document(document) == "contract"
    assert qse.from_dict(document) == amended
    document["events"][1]["data"]["services"][0]["turnaround_minutes"] = 0
    with pytest.raises(qse.ValidationError):
        validate_record_document(document)


# -- retrospective amendments: both verdicts ----------------------------------------------------


def test_a_retrospective_amendment_shows_both_verdicts_for_requests_received_before_it():
    agreed = datetime(2026, 7, 15, 9, tzinfo=LONDON)
    contract = ward().amend(
        at=agreed, by=DIRECTOR, effective_from=JULY, retrospective=True, services=STAT_45
    )
    before = request(1, datetime(2026, 7, 5, 10, tzinfo=LONDON), 50)
    after = request(2, datetime(2026, 7, 20, 10, tzinfo=LONDON), 50)
    rules = contract_rules(contract)
    found = judged([before, after], rules)
    assert {(f.rule_id, f.status) for f in found["R-1"]} == {
        ("contract:K-7:TAT-1:a1", Status.BREACHED),  # under the terms as amended
        ("contract:K-7:TAT-1:at-receipt", Status.MET),  # under the terms at receipt
    }
    assert {(f.rule_id, f.status) for f in found["R-2"]} == {
        ("contract:K-7:TAT-1:a1", Status.BREACHED)
    }
    title = rules.rule("contract:K-7:TAT-1:at-receipt").title
    assert title.endswith("as in force at receipt (amendment 1 applies retrospectively)")
    # A report as of before the amendment was agreed does not know it.
    early = judged([before], contract_rules(contract, at=agreed - timedelta(days=1)))
    assert {(f.rule_id, f.status) for f in early["R-1"]} == {("contract:K-7:TAT-1", Status.MET)}


# -- deviations and reviews follow the terms in force when their clock started --------------------


def test_each_deviation_is_judged_by_the_reporting_time_in_force_when_it_was_identified():
    contract = ward().amend(
        at=datetime(2026, 6, 1, 9, tzinfo=LONDON),
        by=DIRECTOR,
        effective_from=JULY,
        deviation_report_days=1,
    )
    for kind, day in (
        ("deviation_identified", datetime(2026, 6, 29, 10, tzinfo=LONDON)),  # Mon
        ("deviation_identified", datetime(2026, 7, 1, 10, tzinfo=LONDON)),  # Wed
        ("deviation_reported", datetime(2026, 7, 1, 11, tzinfo=LONDON)),  # the June one: in time
        ("deviation_reported", datetime(2026, 7, 3, 10, tzinfo=LONDON)),  # the July one: late
    ):
        contract = contract.add(kind, at=day, by=DIRECTOR)
    found = {f.rule_id: f for f in judged([contract], contract_rules(contract))["K-7"]}
    june = found["contract:K-7:deviations"]
    assert june.status is Status.MET
    assert [clock["started_at"][:10] for clock in june.evidence["clocks"]] == ["2026-06-29"]
    july = found["contract:K-7:deviations:a1"]
    assert july.status is Status.BREACHED
    # The July deviation is paired with the second report, as without the amendment.
    assert july.evidence["clocks"][0]["stopped_at"].startswith("2026-07-03")


def test_a_shorter_review_interval_applies_from_the_first_review_after_it_takes_effect():
    contract = (
        ward()
        .add("services_started", at=SIGNED + timedelta(days=1), by=DIRECTOR)
        .amend(
            at=datetime(2026, 3, 1, 9, tzinfo=LONDON),
            by=DIRECTOR,
            effective_from=datetime(2026, 4, 1, tzinfo=LONDON),
            review_interval_days=60,
        )
        .add("reviewed", at=datetime(2026, 6, 1, 9, tzinfo=LONDON), by=DIRECTOR)
    )
    at = datetime(2026, 9, 1, tzinfo=UTC)  # 92 days after the review: late under 60, not 180
    found = {f.rule_id: f for f in judged([contract], contract_rules(contract), at)["K-7"]}
    assert found["contract:K-7:review"].status is Status.MET  # handed over at the June review
    assert "the rule for the next period takes over" in found["contract:K-7:review"].message
    assert found["contract:K-7:review:a1"].status is Status.BREACHED


# -- the property ---------------------------------------------------------------------------------

minutes = st.integers(1, 600)
offsets = st.integers(0, 200 * 24 * 60)


@settings(max_examples=60)
@given(
    received=offsets,
    took=minutes,
    agreed=offsets,
    delay=offsets,
    new_minutes=minutes,
    deviation=st.none() | st.tuples(offsets, minutes),
    until=st.none() | offsets,
)
def test_an_amendment_never_changes_a_verdict_for_a_request_received_before_it_applies(
    received, took, agreed, delay, new_minutes, deviation, until
):
    """Received before effective_from (and the amendment not retrospective): the same verdicts,
    by the same rules, with or without the amendment."""
    start = datetime(2026, 1, 6, tzinfo=UTC)
    effective = start + timedelta(minutes=agreed + delay)
    when = start + timedelta(minutes=received)
    if when >= effective:
        when = effective - timedelta(minutes=1)
    if when < SIGNED:
        when = SIGNED
    contract = ward()
    records = [request(1, when, took), request(2, when, took, priority="routine")]
    if deviation is not None:
        spotted = max(when, SIGNED + timedelta(minutes=1))
        spotted = min(spotted, effective - timedelta(minutes=1))
        if spotted > SIGNED:
            contract = contract.add("deviation_identified", at=spotted, by=DIRECTOR)
            contract = contract.add(
                "deviation_reported", at=spotted + timedelta(minutes=deviation[1] * 10), by=DIRECTOR
            )
    agreed_at = max(start + timedelta(minutes=agreed), contract.last_event_at)
    if agreed_at > effective:
        return  # a non-retrospective amendment cannot apply before it was agreed
    amended = contract.amend(
        at=agreed_at,
        by=DIRECTOR,
        effective_from=effective,
        effective_until=effective + timedelta(minutes=until + 1) if until is not None else None,
        services=[{"test": "CRP", "priority": "stat", "turnaround_minutes": new_minutes}],
        deviation_report_days=1,
    )
    at = max(effective, when, amended.last_event_at) + timedelta(days=30)

    def verdicts(terms: qse.Contract, record: qse.Record) -> set[tuple[str, Status]]:
        """The rules that judged ``record`` under ``terms``, and their verdicts."""
        found = judged([record], contract_rules(terms), at)
        return {(f.rule_id, f.status) for f in found.get(record.id, [])}

    for record in records:
        assert verdicts(amended, record) == verdicts(contract, record)
    assert verdicts(amended, amended) == verdicts(contract, contract)  # deviations, reviews


def test_a_rule_for_a_period_needs_its_end_after_its_start():
    rule = contract_rules(ward()).rule("contract:K-7:TAT-1").to_dict()
    rule["params"]["started_within"] = {
        "from": "2026-07-01T00:00:00+01:00",
        "until": "2026-06-01T00:00:00+01:00",
    }
    with pytest.raises(qse.ValidationError) as caught:
        qse.load_ruleset({"name": "terms", "version": "1", "rules": [rule]})
    assert caught.value.errors[0].path == "$.rules[0].params.started_within.until"


@settings(max_examples=60)
@given(contracts(), st.data())
def test_each_request_is_judged_once_by_the_terms_in_force_when_the_lab_received_it(contract, data):
    """For any contract and amendments: a request of a service in force at receipt is judged by
    exactly one rule for the terms as amended (plus, before a retrospective amendment was agreed,
    one for the terms at receipt), with the turnaround ``terms_at`` gives."""
    keys = [t.key for t in contract.services] + [
        t.key for amendment in contract.term_amendments for t in amendment.services
    ]
    if not keys:
        return
    _, test, priority = data.draw(st.sampled_from(keys))
    first = contract.opened_at - timedelta(days=30)
    received = data.draw(
        st.datetimes(
            min_value=first.replace(tzinfo=None),
            max_value=(contract.last_event_at + timedelta(days=400)).replace(tzinfo=None),
            timezones=st.just(UTC),
        )
    )
    record = qse.TestRequest.receive(
        id="R-1", at=received, by=None, test=test, priority=priority, contract_id=contract.id
    )
    at = received + timedelta(days=1)
    found = judged([record], contract_rules(contract), at).get("R-1", [])
    amended = [f for f in found if ":at-receipt" not in f.rule_id]
    term = contract.terms_at(received).term_for(test, priority)
    if term is None:
        assert amended == []
    else:
        (finding,) = amended
        assert finding.evidence["limit"] == {"minutes": term.turnaround_minutes}
    receipt = [f for f in found if ":at-receipt" in f.rule_id]
    key = ("services", test, qse.Priority(priority).value)
    now, then = contract.terms_at(received), contract.terms_at(received, known_at=received)
    was = then.term_for(test, priority)
    if was is not None and (was, then.set_by(key)) != (term, now.set_by(key)):
        (finding,) = receipt  # a retrospective amendment replaced the terms at receipt
        assert finding.evidence["limit"] == {"minutes": was.turnaround_minutes}
    else:
        assert receipt == []
