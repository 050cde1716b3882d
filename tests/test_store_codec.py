"""How stores encode and read back records: byte for byte the JSON of to_dict, and the same
records from_dict gives, through the generated fast path."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qse_customer import Complaint, from_dict, to_dict
from qse_customer.core.record import Record
from qse_customer.stores import StoredRecordError
from qse_customer.stores import _documents as record_codec
from qse_customer.stores._codegen import Unsupported, generate
from qse_customer.testing.strategies import records, records_in_labs


def same_structure(one: Any, other: Any, path: str = "$") -> None:
    """Equal, and of the same types all the way down (a list is not a tuple)."""
    assert type(one) is type(other), f"{path}: {type(one)} != {type(other)}"
    if attrs.has(type(one)):
        for field in attrs.fields(type(one)):
            same_structure(
                getattr(one, field.name), getattr(other, field.name), f"{path}.{field.name}"
            )
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
    row = (record.id, record.TYPE, document, record_codec.seal(document))
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
    row = (record.id, record.TYPE, document, record_codec.seal(document))
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
