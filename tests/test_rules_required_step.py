"""The required_step rule kind: what must have happened before (or within a limit of) a step."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

import qse_customer as qse
from qse_customer.core.complaint import COMPLAINT_LIFECYCLE
from qse_customer.rules import Status, evaluate, load_ruleset
from qse_customer.testing.strategies import complaints

LAB = qse.WorkingCalendar(timezone="Europe/London", opens="08:00", closes="17:00")
AT = datetime(2100, 1, 1, tzinfo=UTC)
STEPS = sorted(COMPLAINT_LIFECYCLE.kinds - {"received"})
kinds = st.sets(st.sampled_from(STEPS), min_size=1)


def ruleset(when, requires, within=None, where=None):
    params = {"when": sorted(when), "requires": requires}
    if within is not None:
        params["within"] = within
    applies = {"record_type": "complaint"}
    if where:
        applies["where"] = where
    rule = {
        "id": "STEP",
        "title": "a required step",
        "kind": "required_step",
        "source": {"document": "test.txt"},
        "applies_to": applies,
        "params": params,
    }
    return load_ruleset({"name": "r", "version": "1", "rules": [rule]})


def run(record, rules, at=AT):
    (finding,) = evaluate([record], rules, calendar=LAB, at=at)
    return finding


@given(complaints(), kinds, st.lists(kinds, min_size=1, max_size=3))
def test_met_exactly_when_each_step_happened_before_the_trigger(record, when, requires):
    requires = [sorted(step) for step in requires]
    finding = run(record, ruleset(when, requires))
    first = next((k for k, event in enumerate(record.events) if event.kind in when), None)
    if first is None:
        assert finding.status is Status.NOT_APPLICABLE
        return
    before = {event.kind for event in record.events[:first]}
    done = all(before & set(step) for step in requires)
    assert finding.status is (Status.MET if done else Status.BREACHED)
    assert len(finding.evidence["missing"]) == sum(not before & set(step) for step in requires)


@given(complaints(), kinds, kinds, st.integers(0, 5), st.integers(0, 40 * 24))
def test_within_a_limit_breached_only_once_the_deadline_has_passed(
    record, when, required, days, hours_later
):
    rules = ruleset(when, [sorted(required)], within={"working_days": days})
    at = record.events[0].at + timedelta(hours=hours_later)
    finding = run(record, rules, at)
    if finding.status is Status.NOT_APPLICABLE:
        return
    trigger = next(event for event in record.events if event.kind in when and event.at <= at)
    due = LAB.add_working_days(trigger.at, days)
    assert finding.due_at == due
    happened = any(e.kind in required and e.at <= min(due, at) for e in record.events)
    if happened:
        assert finding.status is Status.MET
    else:
        assert finding.status is (Status.BREACHED if at > due else Status.PENDING)


def test_conditions_come_from_applies_to():
    named = qse.Complaint.receive(
        id="C", at=datetime(2026, 1, 5, tzinfo=UTC), by=None, channel="email", category="x"
    ).add("closed", at=datetime(2026, 1, 9, tzinfo=UTC), by=None)
    rules = ruleset({"closed"}, ["feedback_given"], where={"anonymous": False})
    finding = run(named, rules)
    assert finding.status is Status.BREACHED
    assert "closed on Fri 09 Jan 2026 00:00 GMT without feedback_given before it" in finding.message
