"""The engine's choice of the rules that apply to a record, found once per combination of the
values (and types) of the fields the rules' conditions read, is each rule's condition tested."""

from __future__ import annotations

import enum
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from qse_customer.rules.engine import _Choice


class Colour(enum.Enum):
    ONE = 1
    TRUE = True


# Values equal across types (True == 1 == 1.0 == Colour.ONE.value), a list (no key), None.
VALUES = st.sampled_from([True, False, 1, 0, 1.0, 0.0, "1", "", None, Colour.ONE, Colour.TRUE])
FIELDS = ("a", "b")


def _slot(index: int, names: tuple[str, ...], predicate: Any) -> Any:
    rule = SimpleNamespace(applies_to=SimpleNamespace(where=dict.fromkeys(names)))
    compiled = SimpleNamespace(batch=None, check=None)
    return SimpleNamespace(index=index, rule=rule, predicate=predicate, compiled=compiled)


def _predicates() -> list[Any]:
    return [
        lambda r: getattr(r, "a", None) is True,
        lambda r: type(getattr(r, "a", None)) is int and r.a == 1,
        lambda r: isinstance(getattr(r, "b", None), float),
        lambda r: getattr(r, "b", None) == 1 and not isinstance(r.b, bool),
        lambda r: isinstance(getattr(r, "a", None), Colour) or getattr(r, "b", 0) is None,
        lambda r: isinstance(getattr(r, "a", None), list) and len(r.a) > 1,
    ]


records = st.lists(
    st.dictionaries(
        st.sampled_from(FIELDS), VALUES | st.lists(st.integers(0, 2), max_size=3), max_size=2
    ),
    min_size=1,
    max_size=30,
)


@given(records)
def test_the_rules_chosen_are_those_whose_conditions_hold(fields):
    names = FIELDS  # what every condition reads, and nothing else
    slots = [_slot(k, names, p) for k, p in enumerate(_predicates())] + [_slot(9, names, None)]
    choice = _Choice(slots)
    for values in fields:  # the same choice object: later records hit the remembered ones
        record = SimpleNamespace(**values)
        chosen = choice.choose(record)
        wanted = [s for s in slots if s.predicate is None or s.predicate(record)]
        assert list(chosen[0]) == wanted
        assert set(chosen[1]) == {s.index * 5 + 4 for s in slots if s not in wanted}


# The batched path reads two to four plain fields' values and adds their types itself: a record
# holding 1 where another holds True (or a string where another holds the channel) is chosen
# for by its own values and types, as each rule's condition tested on it says. (The path only
# looks its key up; choices are remembered under the reader's key, so a key that wrongly equals
# a twin's fails here, one that matches nothing is only slower.)
CONDITION_FIELDS = ("channel", "clinical", "complex", "freedom_of_information")
# Pairs of equal values of different types: a record holds the first, its twin the second.
CHANNELS = ("email", "telephone", "letter", "voicemail")
TWINS = st.sampled_from([(True, 1), (False, 0), (True, 1.0), (False, None), ("email", "email")])


@settings(max_examples=40, deadline=None)
@given(
    width=st.integers(2, 4),
    twins=st.lists(
        st.tuples(st.sampled_from(CONDITION_FIELDS), TWINS, st.sampled_from(CHANNELS)),
        min_size=1,
        max_size=6,
    ),
)
def test_the_batched_path_keys_a_choice_by_each_fields_value_and_type(width, twins):
    import qse_customer as qse
    from qse_customer.rules import compile_ruleset, load_ruleset

    kept = CONDITION_FIELDS[:width]
    document = load_ruleset("customer-service-standards").to_dict()
    for rule in document["rules"]:
        where = rule["applies_to"].get("where")
        if where:
            rule["applies_to"]["where"] = {k: v for k, v in where.items() if k in kept}
    lab = qse.WorkingCalendar(timezone="Europe/London", opens="08:00", closes="17:00")
    compiled = compile_ruleset(document, calendar=lab)
    at = datetime(2026, 3, 2, 9, tzinfo=UTC)
    staff = qse.Actor("s-1", "Sam Staff", qse.Role.TECHNOLOGIST)
    batch = []
    for number, (name, pair, channel) in enumerate(twins):
        if name not in kept:
            name = kept[-1]
        for k, value in enumerate(pair):
            record = qse.Enquiry.receive(
                id=f"Q-{number}-{k}", at=at, by=staff, channel=channel, clinical=True
            )
            record = record.add("responded", at=at + timedelta(hours=number + 1), by=staff)
            if name == "channel" and k == 0 and isinstance(value, str):
                value = qse.Channel(value)  # the twin holds the plain string
            object.__setattr__(record, name, value)
            batch.append(record)
    when = datetime(2026, 4, 1, tzinfo=UTC)
    for keep in ((), ("breached", "at_risk", "met", "pending")):
        fast = compiled.check(batch, at=when, keep=keep)
        plain = compiled.check(batch, at=when, keep=keep, engine="plain")
        assert fast.to_dict() == plain.to_dict()
