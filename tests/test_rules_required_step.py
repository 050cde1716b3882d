"""The required_step rule kind: what must have happened before (or within a limit of) a step."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import assume, given
from hypothesis import strategies as st

import qse_customer as qse
from qse_customer.core import history
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
    # Each cycle of a reopened record is judged on its own; the worst cycle stands.
    judged = history.judged(record.events, datetime(2100, 1, 1, tzinfo=UTC))
    outcomes = []
    for events in history.cycles(judged, record.LIFECYCLE.reopening):
        first = next((k for k, event in enumerate(events) if event.kind in when), None)
        if first is None:
            outcomes.append((Status.NOT_APPLICABLE, 0))
            continue
        before = {event.kind for event in events[:first]}
        missing = sum(not before & set(step) for step in requires)
        outcomes.append((Status.BREACHED if missing else Status.MET, missing))
    order = [Status.BREACHED, Status.MET, Status.NOT_APPLICABLE]
    status, missing = min(outcomes, key=lambda o: order.index(o[0]))
    assert finding.status is status
    if status is not Status.NOT_APPLICABLE:
        assert len(finding.evidence["missing"]) == missing


@given(complaints(), kinds, kinds, st.integers(0, 5), st.integers(0, 40 * 24))
def test_within_a_limit_breached_only_once_the_deadline_has_passed(
    record, when, required, days, hours_later
):
    rules = ruleset(when, [sorted(required)], within={"working_days": days})
    at = record.events[0].at + timedelta(hours=hours_later)
    judged = history.judged(record.events, at)
    assume(len(history.cycles(judged, record.LIFECYCLE.reopening)) == 1)  # cycles: tested apart
    finding = run(record, rules, at)
    if finding.status is Status.NOT_APPLICABLE:
        return
    trigger = next(event for event in judged if event.kind in when and event.at <= at)
    due = LAB.add_working_days(trigger.at, days)
    assert finding.due_at == due
    happened = any(e.kind in required and e.at <= min(due, at) for e in judged)
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
