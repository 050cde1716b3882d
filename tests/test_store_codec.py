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

from qse_customer import Complaint, from_dict, to_dict
from qse_customer.core.record import Record
from qse_customer.stores import StoredRecordError
from qse_customer.stores import _documents as record_codec
from qse_customer.stores._codegen import Unsupported, generate
from qse_customer.testing.strategies import records


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
@given(records())
def test_the_stored_document_is_the_json_of_to_dict(record: Record) -> None:
    assert record_codec.encode(record) == json.dumps(to_dict(record), separators=(",", ":"))


@settings(max_examples=300)
@given(records())
def test_a_sealed_document_reads_back_as_from_dict_would_build_it(record: Record) -> None:
    document = record_codec.encode(record)
    fast = record_codec.decode(record.TYPE, record.id, document, record_codec.seal(document), "t")
    same_structure(fast, from_dict(json.loads(document)))
    same_structure(fast, record)


@settings(max_examples=50)
@given(records())
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
