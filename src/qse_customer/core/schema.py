"""The JSON Schemas shipped in the package, and validation against them."""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from importlib.resources import files
from typing import Any

import jsonschema

from ._checks import unstorable
from .errors import FieldError, ValidationError
from .record_types import RECORD_TYPES, record_type


@cache
def _document() -> dict[str, Any]:
    text = files("qse_customer.core").joinpath("schemas/records.schema.json").read_text("utf-8")
    document: dict[str, Any] = json.loads(text)
    return document


def schema_for(record_type_tag: str) -> dict[str, Any]:
    """A self-contained JSON Schema (draft 2020-12) for one record type, e.g. ``"complaint"``.

    Publish it to an LIS so it can validate payloads on its own side.
    """
    record_type(record_type_tag)  # an unknown tag raises ValidationError naming the known ones
    document = _document()
    return {
        "$schema": document["$schema"],
        "$id": f"https://qse-customer.invalid/schemas/{record_type_tag}.schema.json",
        "title": f"qse-customer {record_type_tag}",
        "$ref": f"#/$defs/{record_type_tag}",
        "$defs": document["$defs"],
    }


@cache
def _validator(record_type_tag: str) -> jsonschema.protocols.Validator:
    schema = schema_for(record_type_tag)
    cls = jsonschema.validators.validator_for(schema)
    validator: jsonschema.protocols.Validator = cls(schema, format_checker=cls.FORMAT_CHECKER)
    return validator


PERSONAL_FIELDS = frozenset(
    {
        "summary",
        "note",
        "data",
        "people_involved",
        "submitter",
        "enquirer",
        "comment",
        "respondent_id",
        "follow_up_digest",
    }
)
"""Fields whose values may be someone's words or identity: an error about one never quotes the
value, only what was expected and the type that was given."""

_JSON_TYPES = {
    str: "text",
    bool: "true/false",
    int: "a number",
    float: "a number",
    list: "a list",
    dict: "an object",
    type(None): "null",
}


def _personal(error: jsonschema.ValidationError) -> bool:
    return any(part in PERSONAL_FIELDS for part in error.absolute_path if isinstance(part, str))


def _value_free(error: jsonschema.ValidationError) -> str:
    given = _JSON_TYPES.get(type(error.instance), type(error.instance).__name__)
    if error.validator == "type":
        return f"expected {error.validator_value}, got {given}"
    if error.validator == "additionalProperties":
        return "unexpected fields"
    if "description" in error.schema:
        return f"expected {error.schema['description']}, got {given} that is not"
    return f"{given} does not satisfy {error.validator!r} {error.validator_value!r}"


def _message(error: jsonschema.ValidationError) -> str:
    if _personal(error):
        return _value_free(error)
    if error.validator == "additionalProperties":
        return f"unexpected field: {error.message}"
    if error.validator in {"oneOf", "anyOf"} and error.context:
        # A nullable field: report the non-null branch's complaint, not "is not valid under any".
        best = jsonschema.exceptions.best_match(error.context)
        return f"expected null or a valid value: {best.message}"
    if error.validator in {"pattern", "format"} and "description" in error.schema:
        return f"{error.instance!r} is not {error.schema['description']}"
    return str(error.message)


def _leaves(error: jsonschema.ValidationError) -> list[jsonschema.ValidationError]:
    """A nullable field given a non-null value: the errors inside its non-null branch, which name
    the deepest bad field (``$.events[0].actor.role``, not ``$.events[0].actor``)."""
    if error.validator not in {"oneOf", "anyOf"} or error.instance is None or not error.context:
        return [error]
    branches: dict[Any, list[jsonschema.ValidationError]] = {}
    for inner in error.context:
        branches.setdefault(inner.relative_schema_path[0], []).append(inner)
    real = [
        inner
        for inner in error.context
        if not (inner.validator == "type" and inner.validator_value == "null")
    ]
    if len(branches) != 2 or not real:
        return [error]
    return [leaf for inner in real for leaf in _leaves(inner)]


def schema_errors(document: Any, tag: str) -> list[FieldError]:
    """Every way ``document`` fails the schema of record type ``tag``, by JSON path."""
    errors = [leaf for error in _validator(tag).iter_errors(document) for leaf in _leaves(error)]
    errors.sort(key=lambda e: [str(part) for part in e.absolute_path])
    return [FieldError(error.json_path, _message(error)) for error in errors]


def validate_record_document(document: Any) -> str:
    """Check a record document against its schema; return its type tag or raise ValidationError."""
    if not isinstance(document, Mapping):
        raise ValidationError.single("$", f"expected an object, got {type(document).__name__}")
    tag = document.get("type")
    if not isinstance(tag, str) or tag not in RECORD_TYPES:
        raise ValidationError.single(
            "$.type", f"unknown record type {tag!r}; expected one of {', '.join(RECORD_TYPES)}"
        )
    errors = sorted(
        [*schema_errors(document, tag), *unstorable(document)],
        key=lambda error: error.path,
    )
    if errors:
        raise ValidationError(errors, what=f"{tag} {document.get('id', '(no id)')!r}")
    return tag
