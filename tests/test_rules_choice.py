"""The engine's choice of the rules that apply to a record, found once per combination of the
values (and types) of the fields the rules' conditions read, is each rule's condition tested."""

from __future__ import annotations

import enum
from types import SimpleNamespace
from typing import Any

from hypothesis import given
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
