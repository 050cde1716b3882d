"""The impartiality rule kind's params (its behaviour is tested through H-3 in
tests/test_rules_complaints_handling.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

import qse_customer as qse
from qse_customer.rules import Status, evaluate, load_ruleset

LAB = qse.WorkingCalendar(timezone="UTC", opens="08:00", closes="17:00")
T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)


def ruleset(**params):
    rule = {
        "id": "FAIR",
        "title": "impartial",
        "kind": "impartiality",
        "source": {"document": "test.txt"},
        "applies_to": {"record_type": "complaint"},
        "params": {"events": ["outcome_decided"], **params},
    }
    return load_ruleset({"name": "test", "version": "1", "rules": [rule]})


@pytest.mark.parametrize(
    ("involved", "words"),
    [("colour", "has no field 'colour'"), ("category", "is not a list of people")],
)
def test_the_involved_field_must_be_a_list_the_record_type_has(involved, words):
    with pytest.raises(qse.ValidationError) as raised:
        ruleset(involved=involved)
    (problem,) = raised.value.errors
    assert problem.path == "$.rules[0].params.involved"
    assert words in problem.message


def test_without_actor_required_a_step_by_no_one_is_not_a_breach():
    record = qse.Complaint.receive(
        id="C-1", at=T0, by=None, channel="email", category="x", people_involved=("s-1",)
    ).add("outcome_decided", at=T0, by=None)
    (strict,) = evaluate([record], ruleset(), calendar=LAB, at=T0)
    assert strict.status is Status.BREACHED
    (lenient,) = evaluate([record], ruleset(actor_required=False), calendar=LAB, at=T0)
    assert lenient.status is Status.MET
