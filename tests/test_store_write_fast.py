"""The shortcuts of a store's write path give exactly what the plain code gave.

A store stamps, copies, encodes and seals every record it writes; the shortcuts here (generated
copies, the evidence's text written directly) are held to the code they replace, value for value
and byte for byte, on every record type hypothesis can draw."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st

from qse_customer import Event, to_dict
from qse_customer.core.record import Record, _copy_with_events
from qse_customer.stores import base as store_base
from qse_customer.stores._documents import unstructure
from qse_customer.testing.strategies import records, records_in_labs

_WHEN = datetime(2026, 5, 6, 7, 8, 9, 123456, tzinfo=UTC)


def attributes(value: Any) -> list[tuple[str, Any]]:
    """Every attribute of an attrs object (``init=False`` and ``eq=False`` ones too)."""
    return [(field.name, getattr(value, field.name)) for field in attrs.fields(type(value))]


def plain_stamped(event: Event, when: datetime | None) -> Event:
    """How a store stamped an event before the generated copy (each attribute in a loop)."""
    new = object.__new__(Event)
    for attribute in Event.__attrs_attrs__:
        object.__setattr__(new, attribute.name, getattr(event, attribute.name))
    object.__setattr__(new, "recorded_at", when)
    return new


@settings(max_examples=200)
@given(records_in_labs(), st.sampled_from([None, _WHEN]))
def test_a_stamped_copy_is_the_plain_one(record: Record, when: datetime | None) -> None:
    for event in record.events:
        fast = store_base._stamped(event, when)
        plain = plain_stamped(event, when)
        assert type(fast) is Event
        found, expected = attributes(fast), attributes(plain)
        assert [name for name, _ in found] == [name for name, _ in expected]
        assert all(a is b for (_, a), (_, b) in zip(found, expected, strict=True))


@settings(max_examples=200)
@given(records_in_labs())
def test_a_restamped_record_is_the_plain_copy(record: Record) -> None:
    events = tuple(store_base._stamped(event, _WHEN) for event in record.events)
    fast = store_base._with_events(record, events)
    plain = _copy_with_events(record, events, None)
    assert type(fast) is type(plain)
    found, expected = attributes(fast), attributes(plain)
    assert [name for name, _ in found] == [name for name, _ in expected]
    assert all(a is b for (_, a), (_, b) in zip(found, expected, strict=True)), found
    assert fast == plain and fast.history_facts == plain.history_facts


@given(records())
def test_every_record_type_has_a_generated_copy(record: Record) -> None:
    assert store_base._record_copier(type(record)) is not _copy_with_events


_STAMPS = [_WHEN, datetime(2026, 5, 6, 7, 8, 9, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)]


@settings(max_examples=200)
@given(records_in_labs(), st.lists(st.sampled_from([None, *_STAMPS]), min_size=1), st.data())
def test_the_encoded_stamps_are_those_of_to_dict(
    record: Record, stamps: list[datetime | None], data: st.DataObject
) -> None:
    """The encoder keeps the text of the last stamp it wrote: events stamped alike, apart, or
    not at all, in any order, and records encoded one after another, all read as to_dict."""
    events = tuple(
        store_base._stamped(event, stamps[index % len(stamps)])
        for index, event in enumerate(record.events)
    )
    restamped = store_base._with_events(record, events)
    for one in data.draw(st.permutations([record, restamped])):
        assert unstructure(one) == to_dict(one)
