"""``value_limit``: a value measured on each record against a limit (T-7, three rings).

Params::

    field       the numeric field to read (``value``, or ``attributes.key`` in a mapping field)
    at_most     the largest value that meets the standard, or
    at_least    the smallest

``met`` or ``breached`` per record; ``not_applicable`` when the record holds no number there or
its ``applies_to`` conditions do not match (T-7: staff were not available to take the call).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from ..core.errors import FieldError
from ..core.events import Event
from ..core.record import Record
from ..core.record_types import RECORD_TYPES
from ..core.schema import schema_for
from ._applies_to import field_getter
from .kind_protocol import (
    BaseRuleKind,
    CompileContext,
    CompiledRule,
    Env,
    Explanation,
    Outcome,
    ValidationContext,
)
from .status import BREACHED, MET, NOT_APPLICABLE

_NONE: Final = Outcome(NOT_APPLICABLE, None, None, None)

FIELD: Final[dict[str, Any]] = {
    "type": "string",
    "pattern": "^[a-z_][a-z0-9_]*(\\.[A-Za-z0-9_-]+)?$",
}

PARAMS_SCHEMA: Final[dict[str, Any]] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "additionalProperties": False,
    "required": ["field"],
    "properties": {
        "field": FIELD,
        "at_most": {"type": "number"},
        "at_least": {"type": "number"},
    },
}


def bound_errors(params: Mapping[str, Any], path: str) -> list[FieldError]:
    """Exactly one of ``at_most`` and ``at_least``."""
    given = [key for key in ("at_most", "at_least") if key in params]
    if len(given) == 1:
        return []
    return [FieldError(path, f"expected exactly one of at_most, at_least; got {len(given)}")]


def numeric_field_errors(name: str, types: Sequence[str], path: str) -> list[FieldError]:
    """A field that the record types do not have as a number (or as a mapping for ``a.b``)."""
    base, _, key = name.partition(".")
    errors = []
    for tag in types:
        properties = schema_for(tag)["$defs"][tag]["properties"]
        schema = properties.get(base)
        if schema is None or base in {"type", "events"}:
            fields = ", ".join(p for p in properties if p not in {"type", "events"})
            errors.append(FieldError(path, f"a {tag} has no field {base!r}; it has {fields}"))
        elif key and schema.get("type") != "object":
            errors.append(FieldError(path, f"{tag}.{base} is not a mapping; it has no {key!r}"))
        elif not key and schema.get("type") not in {"number", "integer"}:
            errors.append(FieldError(path, f"{tag}.{base} is not a number"))
    return errors


def number(value: Any) -> float | None:
    """``value`` if it is a number (not a boolean), else None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


class ValueLimit(BaseRuleKind):
    """The ``value_limit`` rule kind (see the module doc)."""

    name = "value_limit"
    params_schema: Mapping[str, Any] = PARAMS_SCHEMA

    def check_params(
        self, params: Mapping[str, Any], context: ValidationContext
    ) -> list[FieldError]:
        """One bound, and a numeric field the record types have."""
        types = [tag for tag in context.record_types if tag in RECORD_TYPES]
        return bound_errors(params, context.path) + numeric_field_errors(
            params["field"], types, f"{context.path}.field"
        )

    def compile(self, rule: Any, context: CompileContext) -> CompiledRule:
        """One closure reading the field and comparing it with the bound."""
        params = rule.params
        read = field_getter(params["field"])
        most = params.get("at_most")
        least = params.get("at_least")

        def check(record: Record, events: Sequence[Event], env: Env) -> Outcome:
            value = number(read(record))
            if value is None:
                return _NONE
            if most is not None:
                return Outcome(MET if value <= most else BREACHED, None, None, value)
            return Outcome(MET if value >= least else BREACHED, None, None, value)

        def explain(
            record: Record, events: Sequence[Event], outcome: Outcome, env: Env
        ) -> Explanation:
            value = outcome[3]
            unit = getattr(record, "unit", "")
            bound = f"at most {most:g}" if most is not None else f"at least {least:g}"
            evidence = {"field": params["field"], "value": value, "limit": bound, "unit": unit}
            t = env.t
            if value is None:
                return evidence, t.gettext(
                    "no number in {field}, so there is nothing to compare"
                ).format(field=params["field"])
            measure = getattr(record, "measure", params["field"])
            if t.is_source:
                return evidence, (
                    f"{measure} was {value:g} {unit} on {env.show_at(events[0])}; the standard is "
                    f"{bound} {unit}".rstrip()
                    + "."
                )
            if most is not None:
                shown = t.gettext("at most {limit}").format(limit=t.number(most))
            else:
                shown = t.gettext("at least {limit}").format(limit=t.number(least))
            return evidence, t.gettext(
                "{measure} was {value} {unit} on {when}; the standard is {limit} {unit}"
            ).format(
                measure=measure,
                value=t.number(value),
                unit=unit,
                when=env.show_at(events[0]),
                limit=shown,
            ).rstrip().replace("  ", " ") + "."

        return CompiledRule(check=check, explain=explain)
