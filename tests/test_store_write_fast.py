"""The shortcuts of a store's write path give exactly what the plain code gave.

A store stamps, copies, encodes and seals every record it writes; the shortcuts here (generated
copies, the evidence's text written directly) are held to the code they replace, value for value
and byte for byte, on every record type hypothesis can draw."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qse_customer import Complaint, Event, ValidationError, to_dict
from qse_customer.core.history import corrected, has_administrative
from qse_customer.core.record import Record, _copy_with_events
from qse_customer.stores import HistoryRewriteError, SQLiteStore
from qse_customer.stores import base as store_base
from qse_customer.stores._codegen import generate_encoder, generate_replacer
from qse_customer.stores._documents import unstructure
from qse_customer.testing.store_contract import MANAGER, T0, complaint
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


def test_a_record_repeated_in_a_batch_extends_its_earlier_self() -> None:
    """Each writing of a record saved twice in one save_many chains from the one before: the
    events it had keep their first stamp, and a second copy that rewrites them is refused."""
    readings = iter(range(1000))
    store = SQLiteStore(":memory:")
    store.clock = lambda: _WHEN + timedelta(minutes=next(readings))  # type: ignore[method-assign]
    first = complaint(1)
    later = first.add("acknowledged", at=T0 + timedelta(hours=2), by=MANAGER)
    assert store.save_many([complaint(2), first, later]) == 3
    stamps = [event.recorded_at for event in store.load(Complaint, first.id).events]
    assert stamps == [_WHEN + timedelta(minutes=1), _WHEN + timedelta(minutes=2)]
    assert store.verify() == []
    rewritten = complaint(3).add("acknowledged", at=T0 + timedelta(hours=1), by=MANAGER)
    other = complaint(3).add("closed", at=T0 + timedelta(hours=1), by=MANAGER)
    with pytest.raises(HistoryRewriteError):
        store.save_many([rewritten, other])


class _Spelled(Enum):
    """An enum whose value is read through a property of its own."""

    PLAIN = "plain"

    @property
    def value(self) -> str:  # type: ignore[override]
        return f"spelled {self._value_}"


@attrs.frozen
class _Holder:
    kind: _Spelled
    kinds: tuple[_Spelled, ...]


def test_an_enum_with_a_value_of_its_own_is_encoded_through_it() -> None:
    encoded = generate_encoder(_Holder)(_Holder(_Spelled.PLAIN, (_Spelled.PLAIN,)))
    assert encoded == {"kind": "spelled plain", "kinds": ["spelled plain"]}


def test_a_copy_of_a_class_that_cannot_be_a_shell_is_made_by_its_setters() -> None:
    """Generated copies are filled as shells of their class where every attribute is a slot;
    a class keeping its attributes in a ``__dict__`` is copied through its setters, alike."""

    @attrs.frozen(slots=False)
    class Loose:
        name: str
        count: int

    @attrs.frozen
    class Slotted:
        name: str
        count: int

    for kind in (Loose, Slotted):
        replace = generate_replacer(kind, "count")
        original = kind("a", 1)
        copy = replace(original, 2)
        assert type(copy) is kind
        assert attributes(copy) == [("name", "a"), ("count", 2)]
        assert attributes(original) == [("name", "a"), ("count", 1)]
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            copy.count = 3  # type: ignore[misc]


def reference_status(record: Record) -> str:
    """A record's status as it was derived before the shortcut (every history through the test
    for administrative events)."""
    events = record.events
    if has_administrative(events):
        return record.LIFECYCLE.status([event.kind for _, event in corrected(events)])
    return record.LIFECYCLE.status([event.kind for event in events])


@settings(max_examples=300)
@given(records())
def test_a_status_is_the_one_derived_through_the_corrections(record: Record) -> None:
    """Every row holds its record's status: the shortcut for histories without a correction or
    an erasure gives what the general derivation gives (hypothesis draws corrections)."""
    assert record.status == reference_status(record)
    corrected_once = any(event.kind == "corrected" for event in record.events)
    if corrected_once:
        assert record.status == record.LIFECYCLE.status(
            [event.kind for _, event in corrected(record.events)]
        )


_LABS = [None, "LAB-A", "LAB-B"]


@pytest.mark.parametrize("opened_for", _LABS)
@pytest.mark.parametrize("home", [None, "LAB-A"])
def test_a_store_refuses_exactly_the_records_its_lab_check_refuses(
    tmp_path: Any, opened_for: str | None, home: str | None
) -> None:
    """A store skips its lab check for a record of its own ``lab`` (both None included): every
    record it writes or refuses is the one the full check writes or refuses, home lab or not."""
    store = SQLiteStore(str(tmp_path / "labs.db"), lab=opened_for)
    store._home_lab = home  # as a migration names one (the check reads nothing else)
    try:
        for number, lab in enumerate(_LABS):
            record = complaint(number).evolve(lab=lab)
            refusal = store.lab_refusal(record)
            if refusal is None:
                assert store._extend(None, record).record.lab == lab
            else:
                with pytest.raises(ValidationError, match=r"\$\.lab"):
                    store._extend(None, record)
    finally:
        store.close()
