"""A rule's calendar: one named calendar, or one chosen per record by the service it concerns.

A lab's services keep different hours: the switchboard, the phlebotomy clinic, the laboratory
itself (around the clock). A ruleset names a calendar for each in ``calendars``, and a rule's
``params.calendar`` is either one name or a choice by a field of the record::

    "calendar": {
        "by": "site",
        "calendars": {"phlebotomy": "phlebotomy", "core-lab": "laboratory"},
        "otherwise": "switchboard"
    }

A record whose field holds one of the listed values is judged on that calendar; any other value
(or a record type without the field) on ``otherwise``, or on the caller's calendar when there is
no ``otherwise``. The rule is compiled once per calendar it can use, and each record runs the
form compiled for its own calendar: one field read and one lookup more per record.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

from ..core.errors import FieldError
from ..core.events import Event
from ..core.record import Record
from ..core.record_types import RECORD_TYPES
from ._applies_to import field_getter
from .kind_protocol import (
    Check,
    CompiledRule,
    Env,
    Explain,
    Explanation,
    Outcome,
    ValidationContext,
)
from .validation import _fields, _message, _value_validator, jsonschema_errors

SCHEMA: Final[dict[str, Any]] = {
    "oneOf": [
        {"type": "string", "description": "the name of a calendar in the ruleset's calendars"},
        {
            "type": "object",
            "additionalProperties": False,
            "required": ["by", "calendars"],
            "properties": {
                "by": {"type": "string", "pattern": "^[a-z_][a-z0-9_]*(\\.[A-Za-z0-9_-]+)?$"},
                "calendars": {
                    "type": "object",
                    "minProperties": 1,
                    "additionalProperties": {"type": "string"},
                },
                "otherwise": {"type": "string"},
            },
        },
    ]
}
"""The JSON Schema of ``params.calendar``."""

_NAME: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _key(at: str, key: str) -> str:
    """``at.key``, or ``at['key']`` for a key that is not a plain name (as jsonschema writes)."""
    return f"{at}.{key}" if _NAME.fullmatch(key) else f"{at}['{key}']"


def _a(tag: str) -> str:
    """``a complaint``, ``an enquiry``."""
    return f"an {tag}" if tag[0] in "aeiou" else f"a {tag}"


def _unknown(name: str, at: str, context: ValidationContext) -> list[FieldError]:
    if name in context.calendars:
        return []
    known = ", ".join(sorted(context.calendars)) or "none"
    return [FieldError(at, f"no calendar {name!r} in the ruleset's calendars (it has {known})")]


def calendar_errors(choice: Any, context: ValidationContext) -> list[FieldError]:
    """Calendars the ruleset does not name; a ``by`` field the record types do not have, or
    values it cannot hold. Paths are those of ``params.calendar`` under ``context.path``."""
    at = f"{context.path}.calendar"
    if choice is None:
        return []
    if isinstance(choice, str):
        return _unknown(choice, at, context)
    errors: list[FieldError] = []
    for value, name in choice["calendars"].items():
        errors += _unknown(name, _key(f"{at}.calendars", value), context)
    if "otherwise" in choice:
        errors += _unknown(choice["otherwise"], f"{at}.otherwise", context)
    base, _, key = choice["by"].partition(".")
    for tag in context.record_types:
        fields = _fields(RECORD_TYPES[tag])
        if base not in fields:
            errors.append(
                FieldError(
                    f"{at}.by",
                    f"{_a(tag)} has no field {base!r} to choose a calendar by; expected one of "
                    f"{', '.join(fields)}",
                )
            )
        elif key and fields[base].get("type") != "object":
            errors.append(
                FieldError(f"{at}.by", f"{tag}.{base} is not a mapping, so it has no key {key!r}")
            )
        elif not key:
            validator = _value_validator(tag, base)
            for value in choice["calendars"]:
                for error in jsonschema_errors(validator, value):
                    errors.append(
                        FieldError(
                            _key(f"{at}.calendars", value),
                            f"{value!r} cannot be {_a(tag)}'s {base}: {_message(error)}",
                        )
                    )
    return errors


def compile_per_calendar(
    params: Mapping[str, Any], build: Callable[[Mapping[str, Any]], CompiledRule]
) -> CompiledRule:
    """``build(params)``, or for a choice of calendars, one rule that runs on each record the
    form ``build`` compiled with ``params.calendar`` set to that record's calendar's name."""
    choice = params.get("calendar")
    if not isinstance(choice, Mapping):
        return build(params)
    compiled: dict[str | None, CompiledRule] = {}

    def on(name: str | None) -> CompiledRule:
        if name not in compiled:
            named = {key: value for key, value in params.items() if key != "calendar"}
            compiled[name] = build(named if name is None else {**named, "calendar": name})
        return compiled[name]

    fallback = on(choice.get("otherwise"))
    chosen = {value: on(name) for value, name in choice["calendars"].items()}
    read = field_getter(choice["by"])
    checks: dict[str, Check] = {}
    explains: dict[str, Explain] = {}
    for value, rule in (*chosen.items(), (None, fallback)):
        if rule.check is None or rule.explain is None:
            raise TypeError("a calendar chosen per record needs a kind that judges each record")
        if value is not None:
            checks[value], explains[value] = rule.check, rule.explain
    fallback_check, fallback_explain = fallback.check, fallback.explain
    assert fallback_check is not None and fallback_explain is not None

    def check(record: Record, events: Sequence[Event], env: Env) -> Outcome:
        value = read(record)
        run = checks.get(value, fallback_check) if isinstance(value, str) else fallback_check
        return run(record, events, env)

    def explain(record: Record, events: Sequence[Event], outcome: Outcome, env: Env) -> Explanation:
        value = read(record)
        say = explains.get(value, fallback_explain) if isinstance(value, str) else fallback_explain
        return say(record, events, outcome, env)

    return CompiledRule(check=check, explain=explain, measure=fallback.measure)
