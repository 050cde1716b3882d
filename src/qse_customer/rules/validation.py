"""Ruleset documents checked against the shipped JSON Schema and against the model.

Every problem is reported, each with the JSON path of the bad value in the document the user
wrote: the shape of the document (``ruleset.schema.json``), each rule's params (the JSON Schema
its kind declares), then what a schema cannot see: an event kind the record type does not know,
a role that does not exist, a field the record type does not have, a rule id used twice, a
calendar that cannot be built, a reference to a missing rule, a response target longer than the
resolution target for the same records.

Most documents are valid, and ``jsonschema`` pays to explain failures even when there are none.
So each schema (the ruleset document's, each kind's ``params_schema``, a record field's for a
``where`` value) is also compiled once, when its validator is first used, to one Python predicate
(:mod:`qse_customer.core._schema_compiler`, with ``jsonschema``'s draft 2020-12 semantics
exactly); :func:`jsonschema_errors` asks ``jsonschema`` for the errors only when that predicate
says no, so the errors, their paths and their order are ``jsonschema``'s, as they always were. A
schema the compiler cannot judge exactly (another draft, a keyword it does not know, a ``$ref``
out of the document) is left to ``jsonschema`` alone (tests/test_ruleset_validation_paths.py).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from functools import cache
from importlib.resources import files
from typing import Any

import jsonschema
from attrs import frozen

from ..core._checks import lone_surrogate
from ..core._schema_compiler import Check, Unsupported, compile_schema
from ..core.calendar import WorkingCalendar
from ..core.errors import CalendarError, FieldError
from ..core.record import Record
from ..core.record_types import RECORD_TYPES
from ..core.roles import Role
from ..core.schema import schema_for
from .kind_protocol import RuleKind, ValidationContext

ANY = "any"
ROLES = frozenset(role.value for role in Role)


@cache
def ruleset_schema() -> dict[str, Any]:
    """The shipped JSON Schema of a ruleset document."""
    text = files("qse_customer.rules").joinpath("schemas/ruleset.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def _document_validator() -> jsonschema.protocols.Validator:
    schema = ruleset_schema()
    cls = jsonschema.validators.validator_for(schema)
    validator: jsonschema.protocols.Validator = cls(schema, format_checker=cls.FORMAT_CHECKER)
    return validator


_PARAM_VALIDATORS: dict[int, tuple[Any, jsonschema.protocols.Validator]] = {}


def _params_validator(kind: RuleKind) -> jsonschema.protocols.Validator:
    found = _PARAM_VALIDATORS.get(id(kind))
    if found is not None and found[0] is kind:
        return found[1]
    schema = dict(kind.params_schema)
    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    validator: jsonschema.protocols.Validator = cls(schema)
    _PARAM_VALIDATORS[id(kind)] = (kind, validator)
    return validator


_BOUNDS = frozenset({"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"})


def allowed_range(schema: Mapping[str, Any]) -> str:
    """The numbers a JSON Schema allows, in words (``a whole number from 0 to 2610``)."""
    what = "a whole number" if schema.get("type") == "integer" else "a number"
    low = (
        f"from {schema['minimum']:g}"
        if "minimum" in schema
        else f"above {schema['exclusiveMinimum']:g}"
        if "exclusiveMinimum" in schema
        else ""
    )
    high = (
        f"to {schema['maximum']:g}"
        if "maximum" in schema and low.startswith("from")
        else f"at most {schema['maximum']:g}"
        if "maximum" in schema
        else f"below {schema['exclusiveMaximum']:g}"
        if "exclusiveMaximum" in schema
        else ""
    )
    if low and high.startswith("at most"):
        high = f"and {high}"
    return " ".join(part for part in (what, low, high) if part)


def _message(error: jsonschema.ValidationError) -> str:
    if error.validator in _BOUNDS and isinstance(error.schema, Mapping):
        return f"{error.message}; expected {allowed_range(error.schema)}"
    if error.validator == "additionalProperties":
        return f"unexpected field: {error.message}"
    if error.validator in {"oneOf", "anyOf"} and error.context:
        best = jsonschema.exceptions.best_match(error.context)
        return str(best.message)
    if error.validator in {"pattern", "format"} and "description" in error.schema:
        return f"{error.instance!r} is not {error.schema['description']}"
    return str(error.message)


def _join(prefix: str, json_path: str) -> str:
    """``prefix`` (a JSON path) followed by a path relative to it (``$.x`` or ``$[0]``)."""
    return prefix + json_path[1:]


_PREDICATES: dict[int, tuple[jsonschema.protocols.Validator, Check | None]] = {}
_MOST_PREDICATES = 512  # the validators here are cached; a caller's throwaway ones must not pile up


def _predicate(validator: jsonschema.protocols.Validator) -> Check | None:
    """``validator``'s schema compiled to a predicate (once per validator), or None when only
    ``jsonschema`` can judge it: a draft other than 2020-12, or what the compiler does not
    handle."""
    found = _PREDICATES.get(id(validator))
    if found is not None and found[0] is validator:
        return found[1]
    check: Check | None = None
    if type(validator) is jsonschema.Draft202012Validator:
        try:
            check = compile_schema(validator.schema, validator.format_checker)
        except Unsupported:
            check = None
        except Exception:  # a schema it cannot read (a bad pattern, a type that is no type):
            check = None  # jsonschema alone, which fails only where it meets the fault
    if len(_PREDICATES) >= _MOST_PREDICATES:
        _PREDICATES.clear()
    _PREDICATES[id(validator)] = (validator, check)
    return check


def jsonschema_errors(
    validator: jsonschema.protocols.Validator, instance: Any
) -> list[jsonschema.ValidationError]:
    """``validator.iter_errors(instance)``, as a list, in its order; a valid ``instance`` is
    recognised by the compiled schema first, and jsonschema is asked only about the others."""
    check = _predicate(validator)
    if check is not None:
        try:
            if check(instance):
                return []
        except Exception:  # a value Python cannot compare, say: jsonschema decides
            pass
    return list(validator.iter_errors(instance))


def schema_errors(
    validator: jsonschema.protocols.Validator, instance: Any, prefix: str = "$"
) -> list[FieldError]:
    """Every way ``instance`` fails ``validator``, each with its JSON path under ``prefix``."""
    errors = sorted(jsonschema_errors(validator, instance), key=lambda e: [str(p) for p in e.path])
    return [FieldError(_join(prefix, error.json_path), _message(error)) for error in errors]


LARGEST_NUMBER = 10**15
"""The largest magnitude of a number in a ruleset: any real limit is far smaller, and a larger
one (``1e30``) would overflow the calendar arithmetic it feeds."""


def _magnitude(value: int | float) -> str:
    if isinstance(value, float):
        return f"{value:.3g}"
    digits = len(str(abs(value))) if abs(value) < 10**4000 else 4000
    return f"a number of {digits} digits" if digits > 20 else str(value)


def _kind_of_value(value: object) -> str:
    if isinstance(value, datetime):
        return "a date and time"
    return "a date" if isinstance(value, date) else type(value).__name__


def value_errors(document: Any, prefix: str = "$", *, large: bool = False) -> list[FieldError]:
    """What no ruleset may hold anywhere, whatever its schema says: numbers that are not finite
    (``NaN``, ``Infinity``), mapping keys that are not text (YAML's ``1: true``), text with a
    lone surrogate, and values JSON does not have (YAML's unquoted dates); with ``large``, also
    numbers larger than :data:`LARGEST_NUMBER` (checked after the schema, whose own ranges say
    more where it has them)."""
    errors: list[FieldError] = []
    pending: list[tuple[object, str]] = [(document, prefix)]
    while pending:
        value, path = pending.pop()
        if isinstance(value, bool) or value is None:
            continue
        if isinstance(value, str):
            problem = lone_surrogate(value, path)
            if problem is not None:
                errors.append(problem)
        elif isinstance(value, int | float):
            if isinstance(value, float) and not math.isfinite(value):
                shown = "NaN" if math.isnan(value) else ("-" if value < 0 else "") + "Infinity"
                errors.append(FieldError(path, f"expected a finite number, got {shown}"))
            elif large and abs(value) > LARGEST_NUMBER:
                errors.append(
                    FieldError(
                        path,
                        f"expected a number from -10^15 to 10^15, got {_magnitude(value)}; no "
                        "limit of a rule is that large",
                    )
                )
        elif isinstance(value, Mapping):
            for key, inner in value.items():
                if not isinstance(key, str):
                    errors.append(
                        FieldError(
                            path,
                            f"expected text keys, got {_kind_of_value(key)} {key!r}; in YAML, "
                            f"quote it: '{key}'",
                        )
                    )
                    continue
                problem = lone_surrogate(key, path)
                if problem is not None:
                    errors.append(FieldError(path, f"the key {key!r} {problem.message}"))
                    continue
                pending.append((inner, f"{path}.{key}"))
        elif isinstance(value, list | tuple):
            pending.extend((inner, f"{path}[{index}]") for index, inner in enumerate(value))
        else:
            errors.append(
                FieldError(
                    path,
                    "expected a JSON value (text, number, true/false, null, list or mapping), "
                    f"got {_kind_of_value(value)}; in YAML, quote it",
                )
            )
    return sorted(errors, key=lambda error: error.path)


@frozen
class RuleEntry:
    """One rule document and where it is: ``path`` in the document being loaded, or None for a
    rule inherited through ``extends`` (already checked when its own ruleset was loaded)."""

    document: Mapping[str, Any]
    path: str | None


def record_types_of(
    entry: RuleEntry, kind: RuleKind | None, errors: list[FieldError]
) -> tuple[tuple[str, ...], bool]:
    """The record types a rule applies to (``"any"`` resolved by its event kinds), and whether it
    was written as ``"any"``; unknown types and event kinds are added to ``errors``."""
    path = entry.path or "$"
    applies = entry.document.get("applies_to", {})
    written = applies.get("record_type")
    params = entry.document.get("params", {})
    named = list(kind.event_kinds(params)) if kind is not None else []
    if written == ANY:
        types = tuple(
            tag
            for tag, cls in RECORD_TYPES.items()
            if all(event in cls.LIFECYCLE.kinds for _, event in named)
        )
        if not types:
            errors.append(
                FieldError(
                    f"{path}.applies_to.record_type",
                    "no record type knows all the event kinds this rule names "
                    f"({', '.join(sorted({event for _, event in named}))})",
                )
            )
        return types, True
    listed = [written] if isinstance(written, str) else list(written or [])
    types_found: list[str] = []
    for index, tag in enumerate(listed):
        where = f"{path}.applies_to.record_type" + (
            "" if isinstance(written, str) else f"[{index}]"
        )
        if tag not in RECORD_TYPES:
            known = ", ".join(sorted(RECORD_TYPES))
            errors.append(
                FieldError(where, f"unknown record type {tag!r}; expected 'any' or one of {known}")
            )
            continue
        types_found.append(tag)
        kinds = RECORD_TYPES[tag].LIFECYCLE.kinds
        for relative, event in named:
            if event not in kinds:
                errors.append(
                    FieldError(
                        f"{path}.params{relative}",
                        f"unknown event kind {event!r} for a {tag}; expected one of "
                        f"{', '.join(sorted(kinds))}",
                    )
                )
    return tuple(types_found), False


def _role_errors(entry: RuleEntry, kind: RuleKind) -> list[FieldError]:
    path = entry.path or "$"
    errors = []
    for relative, role in kind.roles(entry.document.get("params", {})):
        if role not in ROLES:
            errors.append(
                FieldError(
                    f"{path}.params{relative}",
                    f"unknown role {role!r}; expected one of {', '.join(sorted(ROLES))}",
                )
            )
    return errors


def _fields(cls: type[Record]) -> dict[str, Any]:
    """The record's fields and their JSON Schema (from the shipped records schema)."""
    schema = schema_for(cls.TYPE)
    properties: dict[str, Any] = schema["$defs"][cls.TYPE]["properties"]
    return {name: value for name, value in properties.items() if name not in {"type", "events"}}


@cache
def _value_validator(tag: str, name: str) -> jsonschema.protocols.Validator:
    schema = schema_for(tag)
    field_schema = {"$defs": schema["$defs"], **_fields(RECORD_TYPES[tag])[name]}
    return jsonschema.Draft202012Validator(field_schema)


def _condition_values(condition: Any) -> list[tuple[str, Any]]:
    if isinstance(condition, Mapping):
        (operator, value), *_ = condition.items()
        if operator in {"in", "not_in"}:
            return [(f".{operator}[{k}]", item) for k, item in enumerate(value)]
        return [(f".{operator}", value)]
    return [("", condition)]


def where_errors(entry: RuleEntry, types: Sequence[str]) -> list[FieldError]:
    """Conditions on fields the record types do not have, or with values they cannot hold."""
    path = entry.path or "$"
    errors: list[FieldError] = []
    where = entry.document.get("applies_to", {}).get("where", {})
    for name, condition in where.items():
        if not isinstance(name, str):
            continue  # reported by value_errors
        base, _, key = name.partition(".")
        at = f"{path}.applies_to.where.{name}"
        for tag in types:
            fields = _fields(RECORD_TYPES[tag])
            if base not in fields:
                errors.append(
                    FieldError(
                        at,
                        f"a {tag} has no field {base!r}; expected one of {', '.join(fields)}",
                    )
                )
                continue
            if key:
                if fields[base].get("type") != "object":
                    errors.append(
                        FieldError(at, f"{tag}.{base} is not a mapping, so it has no key {key!r}")
                    )
                continue
            validator = _value_validator(tag, base)
            for relative, value in _condition_values(condition):
                for error in jsonschema_errors(validator, value):
                    errors.append(
                        FieldError(
                            at + relative,
                            f"{value!r} cannot be a {tag}'s {base}: {_message(error)}",
                        )
                    )
    return errors


# The setting a CalendarError names: ``timezone``, ``closures[2]``, ``hours['Mon-Fri'][1]``.
_CALENDAR_FIELD = re.compile(r"^([a-z_]+(?:\[\d+\]|\.[A-Za-z_][A-Za-z0-9_]*|\['[^']*'\])*): ")
_PLAIN_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def calendar_errors(calendars: Mapping[str, Any]) -> list[FieldError]:
    """Named calendars that cannot be built, with the setting at fault."""
    errors = []
    for name, settings in calendars.items():
        try:
            WorkingCalendar.from_dict(dict(settings))
        except CalendarError as error:
            text = str(error)
            at = f"$.calendars.{name}" if _PLAIN_NAME.fullmatch(name) else f"$.calendars['{name}']"
            match = _CALENDAR_FIELD.match(text)
            if match:
                at = f"{at}.{match.group(1)}"
                text = text[match.end() :]
            errors.append(FieldError(at, text))
    return errors


def _allowed_values(condition: Any) -> frozenset[Any] | None:
    """The values a condition allows, when it is an equality or a membership (else None)."""
    if isinstance(condition, Mapping):
        if "in" in condition:
            return frozenset(condition["in"])
        return None
    return frozenset([condition])


def may_overlap(one: Mapping[str, Any], other: Mapping[str, Any]) -> bool:
    """Whether some record could match both ``where`` conditions (False only when provably not)."""
    for name in set(one) & set(other):
        first, second = _allowed_values(one[name]), _allowed_values(other[name])
        if first is not None and second is not None and not first & second:
            return False
    return True


def target_errors(
    entries: Sequence[RuleEntry], types: Mapping[int, tuple[str, ...]], kinds: Mapping[str, Any]
) -> list[FieldError]:
    """A response target longer than a resolution target for the same records.

    A kind takes part by having ``target(params) -> (target, unit, amount) | None``; targets in
    different units (working days against working hours) are not compared.
    """
    found: list[tuple[int, str, str, float]] = []
    for index, entry in enumerate(entries):
        kind = kinds.get(entry.document.get("kind", ""))
        target = getattr(kind, "target", None)
        if target is None or index not in types:
            continue
        value = target(entry.document.get("params", {}))
        if value is not None:
            found.append((index, *value))
    errors = []
    for response, r_target, r_unit, r_amount in found:
        if r_target != "response":
            continue
        for resolution, s_target, s_unit, s_amount in found:
            if s_target != "resolution" or s_unit != r_unit or r_amount <= s_amount:
                continue
            first, second = entries[response], entries[resolution]
            if not set(types[response]) & set(types[resolution]):
                continue
            where_one = first.document.get("applies_to", {}).get("where", {})
            where_two = second.document.get("applies_to", {}).get("where", {})
            if not may_overlap(where_one, where_two):
                continue
            path = first.path or second.path
            if path is None:
                continue
            errors.append(
                FieldError(
                    f"{path}.params.limit",
                    f"the response target of {first.document['id']} ({r_amount:g} {r_unit}) is "
                    f"longer than the resolution target of {second.document['id']} "
                    f"({s_amount:g} {s_unit}) for the same records; a response cannot be due "
                    "after the resolution",
                )
            )
    return errors


def check_rules(
    entries: Sequence[RuleEntry],
    kinds: Mapping[str, Any],
    calendars: Iterable[str],
) -> tuple[list[FieldError], dict[int, tuple[tuple[str, ...], bool]]]:
    """Every problem with the rules, and the record types of each rule that could be resolved."""
    errors: list[FieldError] = []
    resolved: dict[int, tuple[tuple[str, ...], bool]] = {}
    first_path: dict[str, str] = {}
    rule_kinds = {
        str(entry.document.get("id")): str(entry.document.get("kind")) for entry in entries
    }
    for entry in entries:
        rule_id = entry.document.get("id")
        if not isinstance(rule_id, str) or entry.path is None:
            continue
        if rule_id in first_path:
            errors.append(
                FieldError(
                    f"{entry.path}.id",
                    f"duplicate rule id {rule_id!r}: {first_path[rule_id]} has it too; "
                    "each rule needs its own id",
                )
            )
        else:
            first_path[rule_id] = entry.path
    known_calendars = frozenset(calendars)
    for index, entry in enumerate(entries):
        path = entry.path
        kind_name = entry.document.get("kind")
        kind = kinds.get(kind_name) if isinstance(kind_name, str) else None
        own: list[FieldError] = []
        if kind is None:
            own.append(
                FieldError(
                    f"{path}.kind",
                    f"unknown rule kind {kind_name!r}; expected one of {', '.join(sorted(kinds))}",
                )
            )
            types, any_type = record_types_of(entry, None, own)
        else:
            params = entry.document.get("params", {})
            params_bad = schema_errors(_params_validator(kind), params, f"{path}.params")
            own.extend(params_bad)
            if params_bad:
                types, any_type = record_types_of(entry, None, own)
            else:
                types, any_type = record_types_of(entry, kind, own)
                own.extend(_role_errors(entry, kind))
                context = ValidationContext(
                    path=f"{path}.params",
                    record_types=types,
                    rule_ids=frozenset(rule_kinds),
                    rule_kinds=rule_kinds,
                    calendars=known_calendars,
                )
                own.extend(kind.check_params(params, context))
        own.extend(where_errors(entry, types))
        if path is not None:
            errors.extend(own)
        if not own:
            resolved[index] = (types, any_type)
    errors.extend(target_errors(entries, {k: v[0] for k, v in resolved.items()}, kinds))
    return errors, resolved
