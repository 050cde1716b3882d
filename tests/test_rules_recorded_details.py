"""The recorded_details rule kind: an event of some kinds must carry some details."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

import qse_customer as qse
from qse_customer.rules import Status, evaluate, load_ruleset
from qse_customer.rules.status import CODES

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


# The compiled check against the rule's meaning written out plainly: each place read step by
# step, the first event lacking a detail named by its index, on records mixing kinds.
_ABSENT = object()


def _plain_read(place, record, event):
    parts = place.split(".")
    in_data = parts[0] == "data"
    value = event.data if in_data else record
    for part in parts[1:] if in_data else parts:
        if isinstance(value, Mapping):
            value = value.get(part, _ABSENT)
        elif in_data or value is None:
            return _ABSENT
        else:
            value = getattr(value, part, _ABSENT)
        if value is _ABSENT:
            return _ABSENT
    return value


def _plain_present(value):
    if value is _ABSENT or value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, list | tuple | Mapping):
        return len(value) > 0
    return True


def _plain_check(kinds, requires, record, events):
    seen = False
    for index, event in enumerate(events):
        if event.kind not in kinds:
            continue
        seen = True
        for item in requires:
            places = [item] if isinstance(item, str) else item
            if not any(_plain_present(_plain_read(p, record, event)) for p in places):
                return CODES[Status.BREACHED], index
    return CODES[Status.MET if seen else Status.NOT_APPLICABLE], None


detail_values = (
    st.none()
    | st.sampled_from(["", "  ", "x", 0, 1.5, False, True])
    | st.lists(st.integers(), max_size=2)
    | st.dictionaries(st.sampled_from(["b", "c"]), st.none() | st.just("y"), max_size=2)
)
PLACES = st.sampled_from(
    ["data.a", "data.b", "data.a.b", "data.a.c", "enquirer.name", "enquirer.contact", "enquirer"]
)


@given(
    events=st.lists(
        st.tuples(
            st.sampled_from(["message_taken", "posted", "acknowledged", "responded"]),
            st.dictionaries(st.sampled_from(["a", "b"]), detail_values, max_size=2),
        ),
        max_size=5,
    ),
    kinds=st.sets(st.sampled_from(["message_taken", "posted"]), min_size=1),
    requires=st.lists(
        PLACES | st.lists(PLACES, min_size=1, max_size=3, unique=True), min_size=1, max_size=3
    ),
    enquirer=st.none()
    | st.builds(
        lambda name, contact: qse.Submitter(name=name, contact=contact, customer_id="C-1"),
        st.none() | st.just("Ann"),
        st.none() | st.just("0123"),
    ),
)
def test_the_compiled_check_is_the_rule_read_plainly(events, kinds, requires, enquirer):
    record = qse.Enquiry.receive(id="E-1", at=T0, by=DESK, channel="telephone", enquirer=enquirer)
    for n, (kind, data) in enumerate(events):
        record = record.add(kind, at=T0 + timedelta(minutes=n + 1), by=DESK, **data)
    compiled = qse.compile_ruleset(ruleset(requires, events=sorted(kinds)), calendar=LAB)
    outcome = compiled.slots[0].compiled.check(record, record.events, None)
    assert (outcome[0], outcome[3]) == _plain_check(kinds, requires, record, record.events)


@given(
    before=st.integers(min_value=0, max_value=24),
    missing=st.sampled_from(["data", "details", "none"]),
    first_in_data=st.booleans(),
)
def test_a_breach_far_into_a_long_history_names_its_event(before, missing, first_in_data):
    # The outcomes of a breach at the first 16 events are made once and shared; past them each
    # is made anew: the compiled check and the batched path's indexed check name the event.
    from qse_customer.rules.recorded_details import indexed_check

    requires = ["data.details"] if first_in_data else [["data.details", "enquirer.name"]]
    record = qse.Enquiry.receive(id="E-1", at=T0, by=DESK, channel="telephone")
    for n in range(before):
        record = record.add("message_taken", at=T0 + timedelta(minutes=n + 1), by=DESK, details="x")
    if missing != "none":
        data = {} if missing == "data" else {"details": ""}
        record = record.add("message_taken", at=T0 + timedelta(hours=1), by=DESK, **data)
    expected = _plain_check({"message_taken"}, requires, record, record.events)
    compiled = qse.compile_ruleset(ruleset(requires), calendar=LAB)
    outcome = compiled.slots[0].compiled.check(record, record.events, None)
    assert (outcome[0], outcome[3]) == expected
    params = {"events": ["message_taken"], "requires": requires}
    indices = [k for k, event in enumerate(record.events) if event.kind == "message_taken"]
    if indices:
        told = indexed_check(params)(record, record.events, indices)
        assert (told[0], told[3]) == expected
