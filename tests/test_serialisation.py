"""Serialisation: round trips, the "type" tag, ISO times, and validation errors by JSON path."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import qse_customer as qse
from qse_customer.testing import strategies as qst


@given(qst.records_in_labs())
def test_dict_round_trip_gives_an_equal_record(record):
    assert qse.from_dict(qse.to_dict(record)) == record


@given(qst.records_in_labs())
def test_json_round_trip_gives_an_equal_record(record):
    text = qse.to_json(record)
    assert qse.from_json(text) == record
    assert json.loads(text)["type"] == record.TYPE


@given(qst.records_in_labs())
def test_every_generated_record_passes_its_published_schema(record):
    import jsonschema

    schema = qse.schema_for(record.TYPE)
    jsonschema.Draft202012Validator(schema).validate(qse.to_dict(record))


def _complaint_document() -> dict:
    return {
        "type": "complaint",
        "id": "C-1",
        "channel": "email",
        "category": "turnaround",
        "events": [
            {
                "kind": "received",
                "at": "2026-01-05T09:00:00+00:00",
                "actor": {"id": "t1", "name": "Tara", "role": "technologist"},
            }
        ],
    }


def test_shape_of_a_complaint_document():
    record = qse.from_dict(_complaint_document())
    document = qse.to_dict(record)
    assert next(iter(document)) == "type"
    assert document["events"][0]["at"] == "2026-01-05T09:00:00+00:00"
    assert document["events"][0]["actor"]["role"] == "technologist"
    assert document["channel"] == "email" and document["severity"] == "medium"


def test_every_bad_field_is_listed_by_json_path():
    document = _complaint_document()
    document["channel"] = "fax"
    document["events"][0]["at"] = "2026-01-05T09:00:00"
    document["events"][0]["actor"]["role"] = "janitor"
    document["colour"] = "blue"
    with pytest.raises(qse.ValidationError) as caught:
        qse.from_dict(document)
    paths = {error.path for error in caught.value.errors}
    assert paths == {"$", "$.channel", "$.events[0].at", "$.events[0].actor"} or paths >= {
        "$.channel",
        "$.events[0].at",
    }
    message = str(caught.value)
    assert "'fax' is not one of" in message
    assert "UTC offset" in message
    assert "colour" in message


def test_unknown_type_names_the_known_types():
    with pytest.raises(
        qse.ValidationError, match=r"\$\.type: unknown record type 'memo'.*complaint"
    ):
        qse.from_dict({"type": "memo", "id": "x"})


def test_model_errors_come_back_as_validation_errors_with_a_path():
    document = _complaint_document()
    document["anonymous"] = True
    document["submitter"] = {"name": "Pat"}
    with pytest.raises(qse.ValidationError) as caught:
        qse.from_dict(document)
    assert caught.value.errors[0].path == "$.submitter"
    document = _complaint_document()
    document["events"].append({"kind": "closed", "at": "2026-01-04T09:00:00Z"})
    with pytest.raises(qse.ValidationError) as caught:
        qse.from_dict(document)
    assert caught.value.errors[0].path == "$.events[1]"
    assert "earlier than the last event" in caught.value.errors[0].message


def test_event_kind_must_belong_to_the_record_type():
    document = _complaint_document()
    document["events"].append({"kind": "approved", "at": "2026-01-06T09:00:00Z"})
    with pytest.raises(qse.ValidationError) as caught:
        qse.from_dict(document)
    assert caught.value.errors[0].path == "$.events[1].kind"


def test_from_json_refuses_non_json():
    with pytest.raises(qse.ValidationError, match="expected a JSON document"):
        qse.from_json("{not json")


def test_validation_error_is_a_qse_error():
    assert issubclass(qse.ValidationError, qse.QSEError)


def test_offsets_are_normalised_to_utc():
    document = _complaint_document()
    document["events"][0]["at"] = "2026-07-01T09:00:00+01:00"
    record = qse.from_dict(document)
    assert record.events[0].at == datetime(2026, 7, 1, 8, 0, tzinfo=UTC)


# -- the converter's shortcuts (remembered actors, direct optional and tuple hooks) -------------

_ACTOR_VALUES = st.one_of(
    st.sampled_from(["T-1", "Ada", "technologist", "quality_manager", "", "  ", "nobody"]),
    st.none(),
    st.integers(-2, 2),
    st.lists(st.just("x"), max_size=1),
)


@given(
    st.lists(
        st.dictionaries(st.sampled_from(["id", "name", "role", "extra"]), _ACTOR_VALUES),
        max_size=12,
    )
)
def test_remembered_actors_structure_as_cattrs_does(documents: list[dict[str, object]]) -> None:
    """Every actor document gives what cattrs' own generated hook gives, the same object value
    or the same error, however often it was seen before."""
    from qse_customer.core.roles import Actor
    from qse_customer.core.serialisation import _field_errors, converter

    plain = converter.gen_structure_attrs_fromdict(Actor)

    def outcome(structure: Any, document: dict[str, object]) -> object:
        try:
            return structure(dict(document))
        except Exception as error:
            return [(e.path, e.message) for e in _field_errors(error)]

    for document in documents * 2:
        remembered = outcome(lambda d: converter.structure(d, Actor), document)
        assert remembered == outcome(plain, document)


@given(
    qst.records(),
    st.integers(0, 5),
    st.sampled_from([("kind", "Not Snake"), ("at", "yesterday"), ("actor", 12)]),
)
def test_event_tuple_errors_name_the_index(
    record: Any, index: int, change: tuple[str, object]
) -> None:
    """A bad event is reported at its index, as cattrs' own tuple handler reports it."""
    document = qse.to_dict(record)
    events = document["events"]
    if not events:
        return
    index %= len(events)
    field, value = change
    events[index] = {**events[index], field: value}
    with pytest.raises(qse.ValidationError) as raised:
        qse.from_dict(document, validate=False)
    assert any(e.path.startswith(f"$.events[{index}]") for e in raised.value.errors)


@given(qst.records())
def test_a_record_of_the_default_lab_has_no_lab_in_its_json(record):
    """Byte for byte the JSON it had before labs existed: its hash chain is unchanged."""
    assert record.lab is None
    assert "lab" not in qse.to_dict(record)


@given(qst.records(), qst.lab_names())
def test_a_record_of_a_lab_names_it_last_in_its_json(record, lab):
    document = qse.to_dict(record.evolve(lab=lab))
    assert list(document)[-1] == "lab"
    assert document["lab"] == lab
    del document["lab"]
    assert document == qse.to_dict(record)


@pytest.mark.parametrize("bad", ["", " LAB", "-LAB", "LAB 7", "L" * 65, "LAB/7", 7])
def test_a_bad_lab_name_is_refused_naming_lab(bad):
    document = _complaint_document()
    document["lab"] = bad
    with pytest.raises(qse.ValidationError) as raised:
        qse.from_dict(document)
    assert "$.lab" in str(raised.value)
    record = qse.from_dict(_complaint_document())
    with pytest.raises(qse.ValidationError, match=r"\$\.lab"):
        record.evolve(lab=bad)
