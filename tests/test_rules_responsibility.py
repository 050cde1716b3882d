"""The responsibility rule kind: met exactly when every actor of the step holds an allowed role."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

import qse_customer as qse
from qse_customer.core import history
from qse_customer.core.complaint import COMPLAINT_LIFECYCLE
from qse_customer.rules import Status, check, evaluate, load_ruleset
from qse_customer.testing.strategies import actors, aware_datetimes, complaints

LAB = qse.WorkingCalendar(timezone="Europe/London", opens="08:00", closes="17:00")
AT = datetime(2100, 1, 1, tzinfo=UTC)
STEPS = sorted(COMPLAINT_LIFECYCLE.kinds)
roles = st.sets(st.sampled_from(list(qse.Role)), min_size=1)
kinds = st.sets(st.sampled_from(STEPS), min_size=1)


def rule(rule_id, events, allowed, required=True):
    return {
        "id": rule_id,
        "title": "who may do it",
        "kind": "responsibility",
        "source": {"document": "test.txt"},
        "applies_to": {"record_type": "complaint"},
        "params": {
            "events": sorted(events),
            "roles": sorted(role.value for role in allowed),
            "actor_required": required,
        },
    }


def expected(record, events, allowed, required):
    # Corrections applied; corrections and erasures themselves are steps too.
    judged = history.judged(record.events, AT, administrative=True)
    steps = [event for event in judged if event.kind in events]
    if not steps:
        return Status.NOT_APPLICABLE
    for event in steps:
        if event.actor is None and required:
            return Status.BREACHED
        if event.actor is not None and event.actor.role not in allowed:
            return Status.BREACHED
    return Status.MET


@given(aware_datetimes(), actors(), roles)
def test_a_step_is_met_exactly_when_its_actor_role_is_allowed(at, who, allowed):
    record = qse.Complaint.receive(id="C", at=at, by=who, channel="email", category="x")
    ruleset = load_ruleset(
        {"name": "r", "version": "1", "rules": [rule("R", {"received"}, allowed)]}
    )
    (finding,) = evaluate([record], ruleset, calendar=LAB, at=AT)
    assert (finding.status is Status.MET) == (who.role in allowed)
    assert finding.status in {Status.MET, Status.BREACHED}
    assert who.name in finding.message and who.role.value in finding.message


@given(complaints(), kinds, roles, st.booleans(), kinds, roles)
def test_fused_and_single_checks_agree_with_the_definition(
    record, events, allowed, required, other_events, other_allowed
):
    ruleset = load_ruleset(
        {
            "name": "r",
            "version": "1",
            "rules": [
                rule("ONE", events, allowed, required),
                rule("TWO", other_events, other_allowed),
            ],
        }
    )
    by_rule = {f.rule_id: f.status for f in evaluate([record], ruleset, calendar=LAB, at=AT)}
    assert by_rule["ONE"] is expected(record, events, allowed, required)
    assert by_rule["TWO"] is expected(record, other_events, other_allowed, True)
    report = check([record], ruleset, calendar=LAB, at=AT)  # the fused pass
    for rule_id, status in by_rule.items():
        assert report.rule(rule_id).counts.count(status) == 1


def test_no_actor_where_none_is_required_is_met():
    record = qse.Complaint.receive(
        id="C", at=datetime(2026, 1, 5, tzinfo=UTC), by=None, channel="form", category="x"
    )
    ruleset = load_ruleset(
        {
            "name": "r",
            "version": "1",
            "rules": [rule("R", {"received"}, {qse.Role.TECHNOLOGIST}, required=False)],
        }
    )
    (finding,) = evaluate([record], ruleset, calendar=LAB, at=AT)
    assert finding.status is Status.MET
    assert finding.evidence["steps"][0]["actor"] is None
