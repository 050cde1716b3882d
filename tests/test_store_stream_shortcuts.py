"""The shortcuts of the streaming path give exactly the records the plain path gives.

The generated builders keep the last optional time they parsed (a store stamps every event it
writes at once with one instant) and find a shared actor by its id, checking its other fields;
they fill each object as a shell class and then make it its own class; a SQLite stream hands its
pages to one generator. Each is held here against the plain reading: ``datetime.fromisoformat``
of the stored text, a new ``Actor``, ``from_dict``'s objects, every row decoded on its own.
"""

from __future__ import annotations

import copy
import json
import sqlite3
import weakref
from collections.abc import Mapping
from contextlib import closing
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qse_customer import Actor, Complaint, Event, Role, from_dict
from qse_customer.core.record import Record
from qse_customer.stores import SQLiteStore, StoredRecordError
from qse_customer.stores import _documents as record_codec
from qse_customer.stores._codegen import _shell, generate, generate_checked, generate_encoder
from qse_customer.testing.strategies import aware_datetimes, records

_encode_event = generate_encoder(Event)
_builders = {
    "plain": generate(Event, "event")[0],
    "checked": generate_checked(Event, "event"),
}

_INSTANT = datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
# Texts of the same instant in other offsets, and of other instants: a time kept for one text
# must never be given for another, even one equal as a datetime.
_STAMPS = (
    _INSTANT,
    _INSTANT.astimezone(timezone(timedelta(hours=2))),
    _INSTANT.astimezone(timezone(timedelta(hours=-5, minutes=-30))),
    _INSTANT + timedelta(microseconds=1),
    _INSTANT.replace(tzinfo=timezone(timedelta(hours=1))),
)
stamps = st.sampled_from(_STAMPS) | aware_datetimes() | st.none()

# Few ids, names and roles: actors sharing an id but not a name or a role come up often.
pooled_actors = st.builds(
    Actor,
    id=st.sampled_from(("a-1", "a-2")),
    name=st.sampled_from(("Ann", "Bo")),
    role=st.sampled_from((Role.TECHNOLOGIST, Role.QUALITY_MANAGER, Role.CUSTOMER)),
)


def same_time(built: datetime | None, text: str | None) -> None:
    """``built`` is what ``datetime.fromisoformat`` reads from ``text``: equal, of the same
    type, in the same offset and zone (an equal instant in another offset is not the same)."""
    if text is None:
        assert built is None
        return
    plain = datetime.fromisoformat(text)
    assert type(built) is type(plain)
    assert built == plain
    assert built.isoformat() == plain.isoformat() == text
    assert built.tzinfo == plain.tzinfo
    assert built.utcoffset() == plain.utcoffset()


def same_actor(built: Actor | None, plain: dict[str, Any] | None) -> None:
    if plain is None:
        assert built is None
        return
    assert type(built) is Actor
    assert (built.id, built.name) == (plain["id"], plain["name"])
    assert built.role is Role(plain["role"])


@settings(max_examples=200)
@given(
    st.lists(
        st.builds(
            Event,
            kind=st.sampled_from(("received", "closed")),
            at=aware_datetimes(),
            actor=pooled_actors | st.none(),
            recorded_at=stamps,
        ),
        min_size=1,
        max_size=12,
    ),
    st.sampled_from(sorted(_builders)),
)
def test_events_built_in_turn_are_the_plain_readings_of_their_documents(
    events: list[Event], builder: str
) -> None:
    """One event after another, as a stream builds them: each one's optional time and actor
    are what its own document says, whatever the event before held."""
    build = _builders[builder]
    for event in events:
        document = json.loads(json.dumps(_encode_event(event)))
        built = build(document)
        assert type(built) is Event
        assert built == event
        same_time(built.at, document["at"])
        same_time(built.recorded_at, document["recorded_at"])
        same_actor(built.actor, document["actor"])


@settings(max_examples=40, deadline=None)
@given(
    st.lists(records(), min_size=1, max_size=6),
    st.lists(stamps, min_size=6, max_size=6),
    st.integers(1, 4),
)
def test_a_stream_gives_each_record_with_its_own_stamps(
    saved: list[Record], stamps_drawn: list[datetime | None], chunk_size: int
) -> None:
    """Records whose events carry different stamps, streamed in pages of any size: each event's
    stamp is the one its document holds (``recorded_at`` is not compared by ``==``)."""
    by_type: dict[str, list[Record]] = {}
    for index, record in enumerate(saved):
        stamp = stamps_drawn[index]
        events = tuple(attrs.evolve(event, recorded_at=stamp) for event in record.events)
        record = attrs.evolve(record, id=f"r-{index}", events=events)
        by_type.setdefault(record.TYPE, []).append(record)
    for tag, of_type in by_type.items():
        documents = [record_codec.encode(record) for record in of_type]
        rows = [
            (r.id, d.encode(), record_codec.seal(d))
            for r, d in zip(of_type, documents, strict=True)
        ]
        pages = [rows[start : start + chunk_size] for start in range(0, len(rows), chunk_size)]
        decoded = list(record_codec.decode_pages(tag, pages, "t", None, bytes.decode))
        assert len(decoded) == len(of_type)
        for built, record, document in zip(decoded, of_type, documents, strict=True):
            assert built == record
            stored = json.loads(document)["events"]
            for event, plain in zip(built.events, stored, strict=True):
                same_time(event.recorded_at, plain["recorded_at"])
                same_actor(event.actor, plain["actor"])
    with SQLiteStore(":memory:") as store:
        store.chunk_size = chunk_size
        for record in saved:
            store.save(attrs.evolve(record, id=f"s-{saved.index(record)}"))
        for tag in by_type:
            streamed = list(store.stream(tag))
            assert [r.id for r in streamed] == [r.id for r in store.list(tag, limit=100)]
            for record in streamed:
                loaded = store.load(tag, record.id)
                assert loaded == record
                for one, other in zip(record.events, loaded.events, strict=True):
                    assert one.recorded_at is not None
                    same_time(one.recorded_at, other.recorded_at.isoformat())  # type: ignore[union-attr]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(records(), min_size=2, max_size=6),
    st.data(),
)
def test_pages_decode_as_their_rows_do_one_by_one(saved: list[Record], data: st.DataObject) -> None:
    """A page's rows, across pages of any size, some unsealed or broken: the records, and the
    rows named as invalid, are those of decoding each row on its own."""
    tag, kind_of_record = saved[0].TYPE, type(saved[0])
    of_type = [
        attrs.evolve(r, id=f"r-{i}") for i, r in enumerate(saved) if type(r) is kind_of_record
    ]
    rows: list[tuple[str, bytes, int]] = []
    for record in of_type:
        document = record_codec.encode(record)
        kind = data.draw(st.sampled_from(("sealed", "unsealed", "broken")))
        if kind == "broken":
            document = document.replace('"events"', '"evts"', 1)
        seal = record_codec.seal(document) if kind != "unsealed" else 0
        rows.append((record.id, document.encode(), seal))
    sizes = data.draw(st.lists(st.integers(1, 3), min_size=len(rows), max_size=len(rows)))
    pages: list[list[tuple[str, bytes, int]]] = []
    at = 0
    for size in sizes:
        if at < len(rows):
            pages.append(rows[at : at + size])
            at += size
    invalid: list[StoredRecordError] = []
    streamed = list(
        record_codec.decode_pages(tag, pages, "t", lambda e: invalid.append(e), bytes.decode)
    )
    one_by_one: list[Record] = []
    refused: list[StoredRecordError] = []
    for row in rows:
        one_by_one.extend(
            record_codec.decode_rows(tag, [row], "t", lambda e: refused.append(e), bytes.decode)
        )
    assert streamed == one_by_one
    assert [(e.record_type, e.record_id) for e in invalid] == [
        (e.record_type, e.record_id) for e in refused
    ]


def same_everything(built: Any, plain: Any, path: str = "$") -> None:
    """Of the same class at every level and equal, with the attributes ``==`` leaves out (an
    event's ``recorded_at``) too, each time in the same offset; a record's history facts as
    found when asked."""
    assert type(built) is type(plain), f"{path}: {type(built)} != {type(plain)}"
    if attrs.has(type(plain)):
        for field in attrs.fields(type(plain)):
            if field.name == "_facts":
                continue
            same_everything(
                getattr(built, field.name), getattr(plain, field.name), f"{path}.{field.name}"
            )
        if isinstance(plain, Record):
            same_everything(built.history_facts, plain.history_facts, f"{path}.history_facts")
    elif isinstance(plain, datetime):
        assert built == plain, path
        assert built.isoformat() == plain.isoformat(), path
        assert built.tzinfo == plain.tzinfo, path
    elif isinstance(plain, Mapping):
        assert list(built) == list(plain), path
        for key in plain:
            same_everything(built[key], plain[key], f"{path}.{key}")
    elif isinstance(plain, tuple | list):
        assert len(built) == len(plain), path
        for index, (one, other) in enumerate(zip(built, plain, strict=True)):
            same_everything(one, other, f"{path}[{index}]")
    else:
        assert built == plain, path


def behaves_as_built_by_its_class(record: Record) -> None:
    """A record filled as a shell is a record of its class in every way: frozen, weakly
    referable, copied and shown as one."""
    assert copy.copy(record) == record
    assert weakref.ref(record)() is record
    assert attrs.evolve(record) == record
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        record.id = "changed"  # type: ignore[misc]
    for event in record.events:
        assert weakref.ref(event)() is event
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            event.note = "changed"  # type: ignore[misc]


@settings(max_examples=150, deadline=None)
@given(st.lists(records(), min_size=1, max_size=4), stamps)
def test_records_filled_as_shells_are_from_dicts_objects(
    saved: list[Record], stamp: datetime | None
) -> None:
    """Every record type, through both builders (the one over the standard library's reading
    and the checked one over orjson's, as a stream runs it): the objects ``from_dict`` builds
    from the same document, of the same classes at every level, every attribute alike."""
    for index, record in enumerate(saved):
        events = tuple(attrs.evolve(event, recorded_at=stamp) for event in record.events)
        record = attrs.evolve(record, id=f"r-{index}", events=events)
        document = record_codec.encode(record)
        plain = from_dict(json.loads(document))
        by_plain_builder = record_codec.decode(
            record.TYPE, record.id, document, record_codec.seal(document), "t"
        )
        (streamed,) = record_codec.decode_rows(
            record.TYPE,
            [(record.id, document.encode(), record_codec.seal(document))],
            "t",
            None,
            bytes.decode,
        )
        for built in (by_plain_builder, streamed):
            same_everything(built, plain)
            same_everything(built, record)
            assert repr(built) == repr(plain)
            behaves_as_built_by_its_class(built)


def test_only_classes_kept_in_slots_are_filled_as_shells() -> None:
    """A shell is made where every attribute is a slot; a class keeping its attributes in a
    ``__dict__`` is filled by ``object.__setattr__``, and reads back the same."""
    assert _shell(Complaint, ["id", "summary"]) is not None
    assert _shell(Event, ["kind", "note"]) is not None
    assert _shell(Complaint, ["not_a_slot"]) is None

    @attrs.frozen(slots=False)
    class Loose:
        name: str
        count: int

    assert _shell(Loose, ["name", "count"]) is None

    made: list[type] = []

    @attrs.frozen
    class Counting:
        name: str

        def __init_subclass__(cls) -> None:
            made.append(cls)

    @attrs.frozen
    class Counted(Counting):
        count: int

    before = list(made)
    assert _shell(Counted, ["name", "count"]) is None  # its base would see the shell
    assert made == before
    assert generate_checked(Counted, "counted")({"name": "a", "count": 1}) == Counted("a", 1)
    build = generate_checked(Loose, "loose")
    built = build({"name": "a", "count": 3})
    assert type(built) is Loose
    assert built == Loose(name="a", count=3)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 3), st.sampled_from("abcdef")), min_size=1, max_size=14),
    st.integers(1, 5),
)
def test_a_stream_pages_on_each_pages_last_row(
    keys: list[tuple[int, str]], chunk_size: int
) -> None:
    """Records sharing first-event times (ties broken by id), streamed in pages of any size:
    each once, in ``(opened_at, id)`` order, as pages of ``list`` give them (a page's position
    is its last row's, read apart from the page)."""
    saved = {
        f"{name}-{index % 3}": complaint_at(f"{name}-{index % 3}", hour)
        for index, (hour, name) in enumerate(keys)
    }
    with SQLiteStore(":memory:", chunk_size=chunk_size) as store:
        store.save_many(saved.values())
        streamed = [record.id for record in store.stream(Complaint)]
        listed: list[str] = []
        after = None
        while True:
            page = store.list(Complaint, limit=2, after=after)
            listed.extend(record.id for record in page.items)
            if (after := page.next_cursor) is None:
                break
    expected = sorted(saved, key=lambda key: (saved[key].opened_at, key))
    assert streamed == expected == listed


def complaint_at(record_id: str, hour: int) -> Complaint:
    return Complaint.receive(
        id=record_id,
        at=_INSTANT + timedelta(hours=hour),
        by=Actor("tech-1", "Tara Tech", Role.TECHNOLOGIST),
        channel="telephone",
        category="turnaround",
        summary="late",
    )


@settings(max_examples=25, deadline=None)
@given(st.integers(2, 12), st.integers(1, 4), st.data())
def test_a_pages_position_is_read_with_the_page(
    tmp_path_factory: pytest.TempPathFactory, count: int, chunk_size: int, data: st.DataObject
) -> None:
    """A row's first-event time changed by another writer between a page's read and the
    next page's: the next page still starts after the page's last row as the page read it, so
    no record left as it was is skipped (the position is read in the page's transaction)."""
    path = tmp_path_factory.mktemp("moved") / "store.db"
    pages_read = data.draw(st.integers(1, max(1, count // chunk_size)))

    class Moved(SQLiteStore):
        """Another writer moves the last row of the ``pages_read``-th page far ahead, right
        after that page is read."""

        reads = 0

        def _select(self, *args: Any) -> list[tuple[str, str | bytes, int]]:
            rows = super()._select(*args)
            self.reads += 1
            if self.reads == pages_read and rows:
                with closing(sqlite3.connect(path, isolation_level=None)) as other:
                    other.execute(
                        "UPDATE qse_records SET opened_at = opened_at + 10000000000000 "
                        "WHERE id = ?",
                        (rows[-1][0],),
                    )
            return rows

    records_saved = [complaint_at(f"c-{index:02d}", index) for index in range(count)]
    with SQLiteStore(path) as store:
        store.save_many(records_saved)
    with Moved(path, chunk_size=chunk_size) as store:
        streamed = [record.id for record in store.stream(Complaint)]
    assert set(streamed) == {record.id for record in records_saved}
    kept = [i for i in streamed if streamed.count(i) == 1]
    assert kept == sorted(kept)


@settings(max_examples=20, deadline=None)
@given(st.integers(1, 12), st.integers(1, 4))
def test_a_stream_read_inside_the_stores_own_write(count: int, chunk_size: int) -> None:
    """A stream consumed by a write of the same store (``save_many`` fed by ``stream``, as a
    migration is written) reads its pages inside that write's transaction: every record once,
    no error for a transaction opened within another."""
    saved = [complaint_at(f"c-{index:02d}", index) for index in range(count)]
    with SQLiteStore(":memory:", chunk_size=chunk_size) as store:
        store.save_many(saved)
        store.save_many(record for record in store.stream(Complaint))
        assert [record.id for record in store.stream(Complaint)] == [r.id for r in saved]
        assert all(store.load(Complaint, r.id) == r for r in saved)
        assert store.verify() == []


def test_the_times_read_are_kept_within_bounds() -> None:
    """Each text's time is kept for the next reading of that text, and no more than
    ``_STAMPS_KEPT`` of them at once (a store of distinct stamps does not grow it)."""
    from qse_customer.stores import _codegen

    base = datetime(2026, 1, 1, tzinfo=UTC)
    texts = [(base + timedelta(seconds=n)).isoformat() for n in range(_codegen._STAMPS_KEPT + 10)]
    for text in texts:
        assert _codegen._read_stamp(text) == datetime.fromisoformat(text)
        assert len(_codegen._stamps_read) <= _codegen._STAMPS_KEPT
    assert _codegen._stamps_read[texts[-1]] == datetime.fromisoformat(texts[-1])
