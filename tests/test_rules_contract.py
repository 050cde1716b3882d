"""A contract's terms compiled into rules: turnaround, review interval, deviation reporting."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

import qse_customer as qse
from qse_customer.rules import Status, check, contract_rules, evaluate, load_ruleset, merge_rulesets
from qse_customer.testing.strategies import contracts

LONDON = ZoneInfo("Europe/London")
LAB = qse.WorkingCalendar(
    timezone="Europe/London", country="GB", subdivision="ENG", opens="08:00", closes="17:00"
)
DIRECTOR = qse.Actor("d-1", "Dana Director", qse.Role.LABORATORY_DIRECTOR)
SIGNED = datetime(2026, 1, 5, 9, tzinfo=LONDON)
AT = datetime(2027, 6, 1, tzinfo=UTC)


def ward_contract(**fields):
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


def request(number, priority, received, reported=None, contract_id="K-7", test="CRP"):
    record = qse.TestRequest.receive(
        id=f"R-{number}",
        at=received,
        by=None,
        test=test,
        priority=priority,
        contract_id=contract_id,
    )
    if reported is not None:
        record = record.add("result_reported", at=reported, by=None)
    return record


def statuses(records, rules, at=AT):
    return {(f.rule_id, f.record_id): f for f in evaluate(records, rules, calendar=LAB, at=at)}


def test_turnaround_per_test_and_priority_in_calendar_minutes():
    rules = contract_rules(ward_contract())
    night = datetime(2026, 1, 10, 2, 0, tzinfo=LONDON)  # a Saturday night: STAT still counts
    found = statuses(
        [
            request(1, "stat", night, night + timedelta(minutes=45)),
            request(2, "stat", night, night + timedelta(minutes=75)),
            request(3, "routine", night, night + timedelta(hours=20)),
            request(4, "stat", night, night + timedelta(minutes=30), contract_id="K-8"),
            request(5, "urgent", night, night + timedelta(minutes=30)),
        ],
        rules,
    )
    assert found[("contract:K-7:TAT-1", "R-1")].status is Status.MET
    breached = found[("contract:K-7:TAT-1", "R-2")]
    assert breached.status is Status.BREACHED
    assert "15 min after the deadline" in breached.message
    assert breached.source == "contract K-7 §services[0]"
    assert found[("contract:K-7:TAT-2", "R-3")].status is Status.MET
    assert found[("contract:K-7:TAT-1", "R-4")].status is Status.NOT_APPLICABLE
    assert found[("contract:K-7:TAT-1", "R-5")].status is Status.NOT_APPLICABLE


def test_reviews_are_due_at_the_agreed_interval():
    started = ward_contract().add("reviewed", at=SIGNED + timedelta(days=1), by=DIRECTOR)
    started = started.add("services_started", at=SIGNED + timedelta(days=2), by=DIRECTOR)
    reviewed = started.add("reviewed", at=SIGNED + timedelta(days=170), by=DIRECTOR)
    rules = contract_rules(ward_contract())
    at = SIGNED + timedelta(days=300)
    assert statuses([reviewed], rules, at)[("contract:K-7:review", "K-7")].status is Status.PENDING
    late = statuses([started], rules, at)[("contract:K-7:review", "K-7")]
    assert late.status is Status.BREACHED
    assert "no terminated or closed" in late.message


def test_every_deviation_is_reported_within_the_agreed_working_days():
    contract = ward_contract()
    for kind, day in (
        ("deviation_identified", 6),
        ("deviation_reported", 8),
        ("deviation_identified", 12),
        ("deviation_reported", 19),
    ):
        contract = contract.add(kind, at=datetime(2026, 1, day, 10, tzinfo=LONDON), by=DIRECTOR)
    finding = statuses([contract], contract_rules(contract))[("contract:K-7:deviations", "K-7")]
    assert finding.status is Status.BREACHED
    assert [clock["status"] for clock in finding.evidence["clocks"]] == ["met", "breached"]


@settings(max_examples=25)
@given(contracts())
def test_every_contract_compiles_and_checks_its_own_history(contract):
    rules = contract_rules(contract)
    if not contract.term_amendments:
        assert len(rules.rules) == len(contract.services) + 2
    else:  # a rule per period of each term: at least one for every term there has been
        names = {rule.id.split(":")[2] for rule in rules.rules}
        services = {t.key for t in contract.services} | {
            t.key for amendment in contract.term_amendments for t in amendment.services
        }
        assert {f"TAT-{n}" for n in range(1, len(services) + 1)} | {"deviations"} <= names
    report = check([contract], rules, calendar=LAB, at=datetime(2099, 1, 1, tzinfo=UTC))
    assert report.records == 1
    merged = merge_rulesets("lab", "1", [load_ruleset("qse2-responsibility"), rules])
    assert len(merged.rules) == len(rules.rules) + len(load_ruleset("qse2-responsibility").rules)


@given(st.sampled_from(["K 7/a", "ward:7", "7"]))
def test_any_contract_id_makes_valid_rule_ids(identifier):
    contract = qse.Contract.enter(id=identifier, at=SIGNED, by=None, client="Ward")
    assert contract_rules(contract).rules[0].id.startswith("contract:")
