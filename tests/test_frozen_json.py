"""``freeze``: a read-only deep copy of JSON data, the same as the plain recursive definition."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from qse_customer.core._frozen_json import FrozenValues, freeze, thaw


class Text(str):
    """A str subclass (as a finding's Message is)."""


def reference(value: Any) -> Any:
    """The definition: mappings read-only, lists and tuples tuples, all the way down."""
    if isinstance(value, Mapping):
        return MappingProxyType({key: reference(item) for key, item in value.items()})
    if isinstance(value, list | tuple):
        return tuple(reference(item) for item in value)
    return value


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=5),
    st.text(max_size=5).map(Text),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.lists(inner, max_size=4).map(tuple),
        st.dictionaries(st.text(max_size=4), inner, max_size=4),
        st.dictionaries(st.text(max_size=4), inner, max_size=4).map(MappingProxyType),
        st.dictionaries(st.text(max_size=4), inner, max_size=4).map(OrderedDict),
    ),
    max_leaves=25,
)


def shape(value: Any) -> Any:
    """Types and values, all the way down (``==`` alone says 1 == True and () != [])."""
    if isinstance(value, Mapping):
        return (type(value), [(key, shape(item)) for key, item in value.items()])
    if isinstance(value, tuple | list):
        return (type(value), [shape(item) for item in value])
    return (type(value), value)


@settings(max_examples=200)
@given(values)
def test_freeze_is_the_recursive_definition(value: Any) -> None:
    frozen = freeze(value)
    assert shape(frozen) == shape(reference(value))
    assert thaw(frozen) == thaw(reference(value))


@settings(max_examples=50)
@given(st.dictionaries(st.text(max_size=4), values, min_size=1, max_size=4))
def test_a_frozen_mapping_is_read_only_and_apart_from_its_source(value: dict[str, Any]) -> None:
    frozen = freeze(value)
    expected = shape(reference(value))
    key = next(iter(value))
    try:
        frozen[key] = 1  # type: ignore[index]
    except TypeError:
        pass
    else:  # pragma: no cover - the assertion says what went wrong
        raise AssertionError("a frozen mapping accepted an assignment")
    value[key] = ["changed"]
    assert shape(frozen) == expected


@settings(max_examples=100)
@given(st.dictionaries(st.text(max_size=4), values, max_size=5))
def test_frozen_values_are_wrapped_as_they_are(value: dict[str, Any]) -> None:
    # A FrozenValues holds values frozen already: freeze wraps it without copying them, and the
    # result reads exactly as freezing the plain dict does.
    parts = FrozenValues({key: freeze(item) for key, item in value.items()})
    frozen = freeze(parts)
    assert type(frozen) is MappingProxyType
    assert shape(frozen) == shape(reference(value))
    assert repr(frozen) == repr(freeze(value))
    assert all(frozen[key] is parts[key] for key in value)
    assert shape(freeze({"outer": parts})) == shape(reference({"outer": value}))
