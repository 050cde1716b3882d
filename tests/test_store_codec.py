"""How stores encode and read back records: byte for byte the JSON of to_dict, and the same
records from_dict gives, through the generated fast path."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qse_customer import Complaint, Event, from_dict, to_dict
from qse_customer.core.record import Record
from qse_customer.stores import StoredRecordError
from qse_customer.stores import _documents as record_codec
from qse_customer.stores._codegen import Inexact, Unsupported, _exact, generate, generate_checked
from qse_customer.testing.strategies import records, records_in_labs


def same_structure(one: Any, other: Any, path: str = "$") -> None:
    """Equal, and of the same types all the way down (a list is not a tuple)."""
    assert type(one) is type(other), f"{path}: {type(one)} != {type(other)}"
    if attrs.has(type(one)):
        for field in attrs.fields(type(one)):
            if not field.eq:  # a cache (a record's history facts), found when first asked
                continue
            same_structure(
                getattr(one, field.name), getattr(other, field.name), f"{path}.{field.name}"
            )
        if isinstance(one, Record):
            same_structure(one.history_facts, other.history_facts, f"{path}.history_facts")
    elif isinstance(one, Mapping):
        assert list(one) == list(other), path
        for key in one:
            same_structure(one[key], other[key], f"{path}.{key}")
    elif isinstance(one, tuple | list):
        assert len(one) == len(other), path
        for index, (a, b) in enumerate(zip(one, other, strict=True)):
            same_structure(a, b, f"{path}[{index}]")
    else:
        assert one == other, path


@settings(max_examples=300)
@given(records_in_labs())
def test_the_stored_document_is_the_json_of_to_dict(record: Record) -> None:
    assert record_codec.encode(record) == json.dumps(to_dict(record), separators=(",", ":"))


@settings(max_examples=300)
@given(records_in_labs())
def test_a_sealed_document_reads_back_as_from_dict_would_build_it(record: Record) -> None:
    document = record_codec.encode(record)
    fast = record_codec.decode(record.TYPE, record.id, document, record_codec.seal(document), "t")
    same_structure(fast, from_dict(json.loads(document)))
    same_structure(fast, record)


@settings(max_examples=50)
@given(records_in_labs())
def test_an_unsealed_document_is_validated_in_full(record: Record) -> None:
    document = record_codec.encode(record)
    assert record_codec.decode(record.TYPE, record.id, document, 0, "t") == record


def test_a_sealed_document_of_another_id_is_refused() -> None:
    complaint = Complaint.receive(
        id="c-1", at=datetime(2026, 1, 5, tzinfo=UTC), by=None, channel="web", category="x"
    )
    document = record_codec.encode(complaint)
    with pytest.raises(StoredRecordError, match="not the row's own"):
        record_codec.decode("complaint", "c-2", document, 0, "t")
    with pytest.raises(StoredRecordError, match="not a JSON document"):
        record_codec.decode("complaint", "c-1", "{", 0, "t")


def test_a_field_type_without_generated_code_is_reported() -> None:
    @attrs.frozen
    class Odd:
        ratio: float
        when: set[str]

    with pytest.raises(Unsupported):
        generate(Odd, "odd")


def test_every_record_type_has_generated_code() -> None:
    from qse_customer import RECORD_TYPES

    for tag, cls in RECORD_TYPES.items():
        generate(cls, tag)


@given(records())
def test_the_fast_reader_gives_the_standard_librarys_values(record: Record) -> None:
    """With the ``fast`` extra a sealed document is read by orjson: the same JSON types, so the
    same record, as through the standard library's scanner."""
    orjson = pytest.importorskip("orjson")
    document = record_codec.encode(record)
    same_structure(orjson.loads(document), record_codec.load_plain(document))
    row = (record.id, document, record_codec.seal(document))
    fast = list(record_codec.decode_rows(record.TYPE, [row], "test", None))
    plain = record_codec.load_plain
    build = record_codec._builder_for_tag(record.TYPE)
    assert build is not None
    same_structure(fast[0], build(plain(document)))


@given(st.integers(-(10**30), 10**30), st.integers(0, 25))
def test_a_number_beyond_64_bits_keeps_its_value(value: int, digits: int) -> None:
    """orjson would read an integer beyond 64 bits as a float: such documents are read by the
    standard library, so every value stays what was stored."""
    number = value * 10**digits
    document = json.dumps({"n": number, "text": "0" * digits}, separators=(",", ":"))
    loaded = record_codec.load_document(document)
    assert loaded == {"n": number, "text": "0" * digits}
    assert type(loaded["n"]) is int


def test_a_measurement_with_a_huge_whole_number_reads_back_exactly() -> None:
    from qse_customer import Actor, Measurement, Role

    record = Measurement.record(
        id="M-1",
        at=datetime(2026, 1, 5, 9, tzinfo=UTC),
        by=Actor("s-1", "Sam", Role.TECHNOLOGIST),
        measure="rings",
        value=2,
        unit="rings",
        attributes={"serial": 123456789012345678901234567890},
    )
    document = record_codec.encode(record)
    row = (record.id, document, record_codec.seal(document))
    (back,) = record_codec.decode_rows(record.TYPE, [row], "test", None)
    assert back == record
    assert back.attributes["serial"] == 123456789012345678901234567890


@given(records())
def test_the_fast_writer_gives_the_standard_librarys_bytes(record: Record) -> None:
    """With the ``fast`` extra a document is written by orjson when that gives exactly the
    standard library's bytes, by the standard library otherwise: the stored rows (and their
    seals and chain) never depend on the extra."""
    pytest.importorskip("orjson")
    assert record_codec.dumps is not record_codec.dump_plain
    document = record_codec.unstructure(record)
    assert record_codec.dumps(document) == record_codec.dump_plain(document)


@given(
    st.one_of(
        st.floats(allow_nan=False, allow_infinity=False),
        st.integers(-(10**30), 10**30),
        st.text(max_size=8),
        st.none(),
        st.booleans(),
    )
)
def test_the_fast_writer_spells_every_value_as_the_standard_library(value: Any) -> None:
    pytest.importorskip("orjson")
    for document in ({"v": value, "list": [value, {"k": value}]}, {"é": value}):
        assert record_codec.dumps(document) == json.dumps(document, separators=(",", ":"))


# -- orjson and integers beyond 64 bits: the checked builder -------------------------------

WIDE = [2**63 - 1, 2**63, 2**64 - 1, 2**64, -(2**63), -(2**63) - 1, 10**18, 10**19, -(10**19)]
numbers = st.one_of(
    st.integers(),
    st.integers(-(10**40), 10**40),
    st.sampled_from(WIDE),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([1.2345678901234567e-05, 0.00012345678901234567, 1e16, 1e22, -0.0, 2.0**64]),
)
json_values = st.recursive(
    st.none()
    | st.booleans()
    | numbers
    | st.from_regex(r"[0-9]{15,25}", fullmatch=True)  # digits in a text
    | st.text(max_size=4),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner),
    max_leaves=8,
)
event_data = st.dictionaries(st.text("abcdefgh", min_size=1, max_size=6), json_values, max_size=4)
MONDAY = datetime(2026, 1, 5, 9, tzinfo=UTC)


@st.composite
def records_with_numbers(draw: st.DrawFn) -> Record:
    """A complaint whose events' data, or a measurement whose value and attributes, hold any
    JSON numbers: integers beyond 64 bits, floats, and texts of digits."""
    from qse_customer import Actor, Measurement, Role

    staff = Actor("s-1", "Sam", Role.TECHNOLOGIST)
    if draw(st.booleans()):
        record: Record = Measurement.record(
            id="M-1",
            at=MONDAY,
            by=staff,
            measure="rings",
            value=draw(numbers),
            unit="rings",
            attributes=draw(
                st.dictionaries(st.text("xyz", min_size=1, max_size=3), numbers | st.text())
            ),
        )
        return record
    complaint = Complaint.receive(id="c-1", at=MONDAY, by=staff, channel="web", category="x")
    for hours in range(1, draw(st.integers(1, 3)) + 1):
        complaint = complaint.with_event(
            Event("note_added", MONDAY + timedelta(hours=hours), staff, draw(event_data))
        )
    return complaint


def wide(value: Any) -> bool:
    """Whether JSON types hold a float or an integer orjson cannot (beyond 64 bits)."""
    if type(value) is float:
        return True
    if type(value) is int:
        return not -(2**63) <= value < 2**64
    if isinstance(value, dict):
        return any(wide(item) for item in value.values())
    if isinstance(value, list):
        return any(wide(item) for item in value)
    return False


@settings(max_examples=300)
@given(records_with_numbers())
def test_the_checked_builder_trusts_orjson_exactly_where_it_reads_as_the_standard_library(
    record: Record,
) -> None:
    """The builder for orjson's reading refuses (Inexact) exactly the documents with a float or
    an integer beyond 64 bits where a number is read, and builds the others as the standard
    library's reading builds them."""
    orjson = pytest.importorskip("orjson")
    document = record_codec.encode(record)
    plain = record_codec.load_plain(document)
    checked = generate_checked(type(record), record.TYPE)
    build = record_codec._builder_for_tag(record.TYPE)
    assert build is not None
    try:
        built = checked(orjson.loads(document))
    except Inexact:
        assert wide(plain)
    else:
        assert not wide(plain)
        same_structure(built, build(plain))
        same_structure(built, record)


@settings(max_examples=300)
@given(json_values)
def test_orjson_is_trusted_only_where_the_old_long_number_test_was_not_needed(value: Any) -> None:
    """The float test that replaces the scan for a run of 19 digits: whatever orjson reads
    without a float is the standard library's reading, and every document orjson reads
    otherwise than the standard library holds a float (and had a run of 19 digits)."""
    orjson = pytest.importorskip("orjson")
    document = json.dumps(value, separators=(",", ":"))
    fast, plain = orjson.loads(document), json.loads(document)
    try:
        _exact(fast)
    except Inexact:
        assert wide(plain)
    else:
        same_structure(fast, plain)
        return
    try:
        same_structure(fast, plain)
    except AssertionError:
        assert b"0" * 19 in document.encode().translate(bytes.maketrans(b"123456789", b"0" * 9))


def too_wide_to_chain(value: Any) -> bool:
    """Whether JSON types hold an integer the hash chain's canonical JSON (RFC 8785) refuses,
    beyond 2**53: a store does not save such a record."""
    if type(value) is int:
        return not -(2**53) < value < 2**53
    if isinstance(value, dict):
        return any(too_wide_to_chain(item) for item in value.values())
    if isinstance(value, list):
        return any(too_wide_to_chain(item) for item in value)
    return False


@settings(max_examples=30, deadline=None)
@given(st.lists(records_with_numbers(), min_size=1, max_size=3))
def test_streamed_and_paged_records_are_the_saved_ones(saved: list[Record]) -> None:
    """Whatever numbers they hold, records streamed back from a SQLite store (which reads the
    documents as bytes), and rows decoded as text (as PostgreSQL reads them), are the saved
    records, of the same types all the way down."""
    from qse_customer.stores import SQLiteStore

    by_type: dict[str, list[Record]] = {}
    for index, record in enumerate(saved):
        record = attrs.evolve(record, id=f"r-{index}")
        by_type.setdefault(record.TYPE, []).append(record)
    with SQLiteStore(":memory:") as store:
        assert store.document_bytes is not None
        for tag, records_of_type in by_type.items():
            storable = [r for r in records_of_type if not too_wide_to_chain(to_dict(r))]
            store.save_many(storable)
            for streamed, listed, record in zip(
                store.stream(tag), store.list(tag), storable, strict=True
            ):
                assert streamed == record  # the store stamped the events: read back each
                same_structure(streamed, store.load(tag, record.id))
                same_structure(listed, streamed)
    for tag, records_of_type in by_type.items():
        documents = [record_codec.encode(record) for record in records_of_type]
        rows = [
            (r.id, d, record_codec.seal(d)) for r, d in zip(records_of_type, documents, strict=True)
        ]
        as_bytes = [(i, d.encode(), s) for i, d, s in rows]
        for decoded in (
            list(record_codec.decode_rows(tag, rows, "t", None)),
            list(record_codec.decode_rows(tag, as_bytes, "t", None, bytes.decode)),
        ):
            for one, record in zip(decoded, records_of_type, strict=True):
                same_structure(one, record)
