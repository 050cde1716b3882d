"""The JSON Schemas shipped in the package, and validation against them."""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from importlib.resources import files
from typing import Any

import jsonschema

from ._checks import unstorable
from ._schema_compiler import Check, Unsupported, compile_schema
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


# The valid case is judged first by a predicate, and jsonschema asked for errors only when it
# says no: the ``jsonschema-rs`` validator with the ``fast`` extra, else the record type's
# schema compiled to Python (:mod:`._schema_compiler`). Both accept exactly what jsonschema
# accepts for the documents they are given (tests/test_validation_paths.py).
jsonschema_rs: Any
try:
    import jsonschema_rs
except ImportError:  # pragma: no cover - the fast extra is not installed
    jsonschema_rs = None

BACKENDS = ("jsonschema-rs", "compiled", "jsonschema")
"""How a valid record is recognised: the ``fast`` extra's Rust validator, the schema compiled
to Python, or ``jsonschema`` alone (the slowest; each gives the same verdicts and errors)."""

_backend = "jsonschema-rs" if jsonschema_rs is not None else "compiled"


def validation_backend(name: str | None = None) -> str:
    """The backend that judges valid records (one of :data:`BACKENDS`); with ``name``, use that
    one from now on (``jsonschema-rs`` needs the ``fast`` extra). Returns the one in use."""
    global _backend
    if name is not None:
        if name not in BACKENDS:
            raise ValueError(f"unknown validation backend {name!r}; expected one of {BACKENDS}")
        if name == "jsonschema-rs" and jsonschema_rs is None:
            raise ValueError("the jsonschema-rs backend needs the fast extra: jsonschema-rs")
        _backend = name
    return _backend


# jsonschema-rs reads a pattern as ECMA 262 does: its \s leaves out U+001C-U+001F and U+0085,
# which Python's counts, and takes in U+FEFF, which Python's does not. Its copy of the schema
# names Python's whitespace one character at a time, and reads \d as [0-9] (stricter than
# Python's Unicode digits, and the format check refuses other digits anyway). Stricter is safe:
# a document it refuses goes to jsonschema, which decides.
_PYTHON_SPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680"
    + "".join(chr(point) for point in range(0x2000, 0x200B))
    + "\u2028\u2029\u202f\u205f\u3000"
)
_RUST_PATTERNS = ((r"\S", f"[^{_PYTHON_SPACE}]"), (r"\d", "[0-9]"))


def _rust_schema(schema: Any) -> Any:
    if isinstance(schema, dict):
        return {
            key: _rust_pattern(value) if key == "pattern" else _rust_schema(value)
            for key, value in schema.items()
        }
    if isinstance(schema, list):
        return [_rust_schema(value) for value in schema]
    return schema


def _rust_pattern(pattern: str) -> str:
    for python, rust in _RUST_PATTERNS:
        pattern = pattern.replace(python, rust)
    return pattern


@cache
def _predicate(record_type_tag: str, backend: str) -> Check:
    schema = schema_for(record_type_tag)
    if backend == "jsonschema-rs" and jsonschema_rs is not None:
        rust = jsonschema_rs.validator_for(_rust_schema(schema), validate_formats=True)
        rust_valid: Check = rust.is_valid
        return rust_valid
    if backend == "compiled":
        try:
            return compile_schema(schema, jsonschema.Draft202012Validator.FORMAT_CHECKER)
        except Unsupported:  # pragma: no cover - every shipped schema compiles (a test holds it)
            pass
    valid: Check = _validator(record_type_tag).is_valid
    return valid


_JSON_LEAVES = frozenset({int, bool, type(None)})


def _utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _plain_json(document: Any) -> bool:
    """Whether ``document`` holds only what JSON text gives (dicts with text keys, lists,
    text, numbers, true/false, null: no subclasses, tuples or infinities) and no lone
    surrogate: the documents a fast verdict is trusted for, and that :func:`unstorable` passes."""
    if type(document) is not dict:
        return False
    pending: list[Any] = [document]
    push = pending.append
    while pending:
        container = pending.pop()
        if type(container) is dict:
            for key in container:
                if type(key) is not str or not (key.isascii() or _utf8(key)):
                    return False
            items = container.values()
        else:
            items = container
        for item in items:
            kind = type(item)
            if kind is str:
                if not (item.isascii() or _utf8(item)):
                    return False
            elif kind is dict or kind is list:
                push(item)
            elif kind is float:
                if item - item != 0.0:  # an infinity or NaN
                    return False
            elif kind not in _JSON_LEAVES:
                return False
    return True


def quick_valid(document: Any, record_type_tag: str) -> bool:
    """Whether ``document`` is a valid ``record_type_tag`` document that JSON could hold, judged
    by the backend in use; False means "ask jsonschema", which explains (or, for what only
    Python holds, such as a tuple, decides)."""
    return _plain_json(document) and _predicate(record_type_tag, _backend)(document)


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
    if quick_valid(document, tag):
        return tag
    errors = sorted(
        [*schema_errors(document, tag), *unstorable(document)],
        key=lambda error: error.path,
    )
    if errors:
        raise ValidationError(errors, what=f"{tag} {document.get('id', '(no id)')!r}")
    return tag
