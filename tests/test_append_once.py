"""Appending several events at once, and encoding only a record's new events: the same records,
refusals and stored documents as one event at a time and the whole record encoded again."""

from __future__ import annotations

import json
import sqlite3
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from qse_customer.core.errors import QSEError
from qse_customer.core.events import Event
from qse_customer.core.record import Record
from qse_customer.stores import open_store
from qse_customer.stores._documents import dumps, unstructure, unstructure_grown
from qse_customer.stores.base import StoreBase
from qse_customer.testing import strategies as qst


def _one_by_one(record: Record, events: list[Event]) -> Record | tuple[type, str, Any]:
    try:
        for event in events:
            record = record.with_event(event)
    except QSEError as error:
        return type(error), str(error), getattr(error, "path", None)
    return record


def _at_once(record: Record, events: list[Event]) -> Record | tuple[type, str, Any]:
    try:
        return record.with_events(events)
    except QSEError as error:
        return type(error), str(error), getattr(error, "path", None)


@st.composite
def _appended(
    draw: st.DrawFn, records: st.SearchStrategy[Record] | None = None, first: bool = False
) -> tuple[Record, list[Event]]:
    """A record (of any type, some with corrections) cut after some of its events (``first``:
    after its first), and events to append: the rest of its own (valid), with now and then
    drawn events among them (of any kind, some earlier than the last, some refused by the
    record's state)."""
    whole = draw(records if records is not None else qst.records())
    cut = 1 if first else draw(st.integers(1, len(whole.events)))
    base = whole.evolve(events=whole.events[:cut])
    events = list(whole.events[cut:])
    kinds = sorted(whole.LIFECYCLE.kinds | {"corrected", "erased", "no_such_kind"})
    extra = draw(
        st.lists(
            st.tuples(
                st.integers(0, len(events) + 1),
                st.sampled_from(kinds),
                st.integers(-3600, 30 * 24 * 3600),
                st.none() | qst.actors(),
                qst.event_data(),
            ),
            max_size=3,
        )
    )
    last = whole.last_event_at
    for position, kind, seconds, actor, data in extra:
        event = Event(kind, last + timedelta(seconds=seconds), actor, data)
        events.insert(min(position, len(events)), event)
    return base, events


@given(_appended())
def test_appending_events_at_once_is_appending_them_one_by_one(
    given_: tuple[Record, list[Event]],
) -> None:
    record, events = given_
    expected, got = _one_by_one(record, events), _at_once(record, events)
    if isinstance(expected, tuple):
        # The same refusal: the same error, naming the same event (or field of it).
        assert got == expected
        return
    assert isinstance(got, Record)
    assert type(got) is type(expected)
    assert got == expected
    assert got.events == expected.events
    assert got.history_facts == expected.history_facts
    assert got.status == expected.status
    assert record.events == got.events[: len(record.events)]  # the record itself unchanged


@given(_appended(qst.contracts(), first=True))
def test_a_contracts_amendments_appended_at_once_are_checked_as_one_by_one(
    given_: tuple[Record, list[Event]],
) -> None:
    """Each amendment is checked against the amendments before it, those appended with it
    included."""
    record, events = given_
    assert _at_once(record, events) == _one_by_one(record, events)
    # One more, refused, after the last amendment: the refusal counts the amendments appended
    # with it.
    after = max((i + 1 for i, event in enumerate(events) if event.kind == "amended"), default=0)
    last = events[after - 1].at if after else record.last_event_at
    wrong = Event("amended", last, None, {"review_interval_days": 0})
    refused = [*events[:after], wrong, *events[after:]]
    assert _at_once(record, refused) == _one_by_one(record, refused)


@given(qst.records(), st.data())
def test_a_grown_document_is_the_record_encoded_again(record: Record, data: st.DataObject) -> None:
    cut = data.draw(st.integers(1, len(record.events)))
    before = record.evolve(events=record.events[:cut])
    grown = unstructure_grown(unstructure(before), record, cut)
    whole = unstructure(record)
    assert grown == whole
    assert list(grown) == list(whole)  # the same order of fields
    assert dumps(grown) == dumps(whole)
    # A document of other events than the record's first is not grown from.
    assert unstructure_grown(unstructure(before), record, cut + 1) == whole


def _rows(path: Path) -> list[tuple[Any, ...]]:
    with sqlite3.connect(path) as db:
        return db.execute(
            "SELECT rowid, type, id, status, opened_at, last_event_at, document, seal "
            "FROM qse_records ORDER BY rowid"
        ).fetchall()


@settings(max_examples=25, deadline=None)
@given(
    st.lists(qst.records(), min_size=1, max_size=3, unique_by=lambda r: (r.TYPE, r.id)), st.data()
)
def test_states_saved_in_one_batch_store_what_saving_each_alone_did(
    records: list[Record], data: st.DataObject
) -> None:
    """A record saved several times in one transaction (each later state's document grown from
    the one before) is stored as saving each state in a transaction of its own stores it."""
    entries: list[tuple[datetime, Record]] = []
    for record in records:
        cuts = sorted(set(data.draw(st.lists(st.integers(1, len(record.events)), max_size=3))))
        for cut in [*cuts, len(record.events)]:
            state = (
                record if cut == len(record.events) else record.evolve(events=record.events[:cut])
            )
            entries.append((state.last_event_at.astimezone(UTC) + timedelta(days=1), state))
    with tempfile.TemporaryDirectory() as folder:
        paths = Path(folder) / "together.db", Path(folder) / "alone.db"
        with open_store(f"sqlite:///{paths[0]}") as together:
            assert isinstance(together, StoreBase)
            together.save_as_entered(entries)
            assert together.verify() == []
        with open_store(f"sqlite:///{paths[1]}") as alone:
            assert isinstance(alone, StoreBase)
            for entry in entries:
                alone.save_as_entered([entry])
            assert alone.verify() == []
        rows = _rows(paths[0]), _rows(paths[1])
        assert rows[0] == rows[1]
        for row in rows[0]:
            json.loads(row[6])  # each stored document is JSON
