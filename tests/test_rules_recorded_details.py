"""The recorded_details rule kind: an event of some kinds must carry some details."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

import qse_customer as qse
from qse_customer.rules import Status, evaluate, load_ruleset

LAB = qse.WorkingCalendar(timezone="UTC", opens="08:00", closes="17:00")
T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
AT = datetime(2026, 6, 1, tzinfo=UTC)
DESK = qse.Actor("t-1", "Tara Tech", qse.Role.TECHNOLOGIST)
REQUIRES = [["data.caller_name", "enquirer.name"], "data.details"]


def ruleset(requires=REQUIRES, events=("message_taken",), record_type="enquiry"):
    rule = {
        "id": "DETAILS",
        "title": "details",
        "kind": "recorded_details",
        "source": {"document": "test.txt"},
        "applies_to": {"record_type": record_type},
        "params": {"events": list(events), "requires": requires},
    }
    return load_ruleset({"name": "test", "version": "1", "rules": [rule]})


RULES = ruleset()


def finding(record):
    (result,) = evaluate([record], RULES, calendar=LAB, at=AT)
    return result


values = st.none() | st.just("") | st.just("   ") | st.just([]) | st.text(min_size=1, max_size=8)
secret = st.text(alphabet="QXZJ", min_size=6, max_size=10)


def filled(value):
    if value is None or value == []:
        return False
    return not isinstance(value, str) or bool(value.strip())


@given(
    st.lists(st.fixed_dictionaries({}, optional={"caller_name": values, "details": values})),
    st.none() | st.text(min_size=1, max_size=8),
)
def test_met_exactly_when_every_message_carries_every_detail(messages, enquirer_name):
    enquirer = qse.Submitter(name=enquirer_name) if enquirer_name is not None else None
    record = qse.Enquiry.receive(id="E-1", at=T0, by=DESK, channel="telephone", enquirer=enquirer)
    for n, data in enumerate(messages):
        record = record.add("message_taken", at=T0 + timedelta(minutes=n), by=DESK, **data)
    named = enquirer_name is not None and bool(enquirer_name.strip())
    complete = all(
        (filled(data.get("caller_name")) or named) and filled(data.get("details"))
        for data in messages
    )
    expected = (
        Status.NOT_APPLICABLE if not messages else Status.MET if complete else Status.BREACHED
    )
    assert finding(record).status is expected


@given(secret, secret)
def test_a_finding_names_the_missing_detail_never_what_the_others_hold(name, details):
    record = qse.Enquiry.receive(id="E-1", at=T0, by=DESK, channel="telephone").add(
        "message_taken", at=T0, by=DESK, caller_name=name, note=details
    )
    result = finding(record)
    assert result.status is Status.BREACHED
    assert "lacks data.details" in result.message
    assert name not in result.message and name not in str(result.evidence)


def test_nested_data_and_record_fields_are_read():
    rules = ruleset(requires=["data.caller.phone", "enquirer.contact"])
    record = qse.Enquiry.receive(
        id="E-1",
        at=T0,
        by=DESK,
        channel="telephone",
        enquirer=qse.Submitter(name="Pat", contact="01632"),
    ).add("message_taken", at=T0, by=DESK, caller={"phone": "01632"})
    (result,) = evaluate([record], rules, calendar=LAB, at=AT)
    assert result.status is Status.MET, result.message


@pytest.mark.parametrize(
    ("requires", "path", "words"),
    [
        (["colour"], "$.rules[0].params.requires[0]", "has no field 'colour'"),
        ([["data.x", "colour"]], "$.rules[0].params.requires[0][1]", "has no field 'colour'"),
        (["data"], "$.rules[0].params.requires[0]", "data.<key>"),
        ([], "$.rules[0].params.requires", "should be non-empty"),
    ],
)
def test_unknown_places_are_refused_at_their_path(requires, path, words):
    with pytest.raises(qse.ValidationError) as raised:
        ruleset(requires=requires)
    found = {problem.path: problem.message for problem in raised.value.errors}
    assert words in found.get(path, ""), found
