"""Events: what happened to a record, when, and who did it."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any, cast

from attrs import field, frozen

from ._checks import refuse_lone_surrogates
from ._frozen_json import freeze
from .errors import ValidationError
from .roles import Actor
from .timestamps import record_time


def _kind(instance: object, attribute: object, value: str) -> None:
    if not isinstance(value, str) or not value.isidentifier() or not value.islower():
        raise ValidationError.single(
            "$.kind", f"expected an event kind in snake_case (e.g. 'received'), got {value!r}"
        )


MAX_DATA_DEPTH = 32
"""How deeply an event's data may nest lists and objects."""

_JSON_SCALARS = (str, int, bool, type(None))


def _check_json(value: Mapping[str, Any], path: str) -> None:
    """Refuse what JSON cannot hold (and a record must be storable as JSON): keys that are not
    strings, values that are not JSON types, infinite numbers, nesting deeper than the limit."""
    pending: list[tuple[object, str, int]] = [(value, path, 0)]
    while pending:
        item, where, depth = pending.pop()
        if isinstance(item, str) and not item.isascii():
            refuse_lone_surrogates(item, where)
        if isinstance(item, _JSON_SCALARS):
            continue
        if isinstance(item, float):
            if not math.isfinite(item):
                raise ValidationError.single(where, f"expected a finite number, got {item!r}")
            continue
        if depth >= MAX_DATA_DEPTH:
            raise ValidationError.single(
                where, f"nested more than {MAX_DATA_DEPTH} levels deep; flatten the data"
            )
        if isinstance(item, Mapping):
            for key, inner in item.items():
                if not isinstance(key, str):
                    raise ValidationError.single(where, f"expected text keys, got {key!r}")
                if not key.isascii():
                    refuse_lone_surrogates(key, f"{where}[{key!a}]")
                pending.append((inner, f"{where}.{key}", depth + 1))
        elif isinstance(item, list | tuple):
            pending.extend((inner, f"{where}[{i}]", depth + 1) for i, inner in enumerate(item))
        else:
            raise ValidationError.single(
                where,
                f"expected a JSON value (text, number, true/false, null, list or object), "
                f"got {type(item).__name__}",
            )


def frozen_mapping(value: Mapping[str, Any] | None, path: str = "$.data") -> Mapping[str, Any]:
    """A read-only copy of ``value`` (an event's data must not change after the fact), which
    must hold JSON values only; ``path`` names the field in errors."""
    if value is None or (type(value) is dict and not value):
        return MappingProxyType({})
    if not isinstance(value, Mapping):
        raise ValidationError.single(path, f"expected a mapping, got {type(value).__name__}")
    _check_json(value, path)
    return cast(Mapping[str, Any], freeze(value))


def _actor(instance: object, attribute: object, value: Any) -> None:
    if value is not None and not isinstance(value, Actor):
        raise ValidationError.single(
            "$.actor", f"expected an Actor or None, got {type(value).__name__}"
        )


def _note(instance: object, attribute: object, value: Any) -> None:
    if not isinstance(value, str):
        raise ValidationError.single("$.note", f"expected a string, got {type(value).__name__}")
    if not value.isascii():
        refuse_lone_surrogates(value, "$.note")


def _recorded_at(value: datetime | None) -> datetime | None:
    return None if value is None else record_time(value, "$.recorded_at")


@frozen(eq=True, hash=False)
class Event:
    """One step in a record's history: ``kind`` at ``at`` by ``actor`` (None if anonymous).

    ``at`` is when it happened, as the caller says. ``recorded_at`` is when a store wrote it,
    stamped by the store (a caller's value is replaced); it is ``None`` for an event not yet
    stored, and for an event stored before stores stamped them. Two events are equal when they
    say the same thing: ``recorded_at`` is not compared.
    """

    kind: str = field(validator=_kind)
    at: datetime = field(converter=record_time)
    actor: Actor | None = field(default=None, validator=_actor)
    data: Mapping[str, Any] = field(factory=dict, converter=frozen_mapping)
    note: str = field(default="", validator=_note)
    recorded_at: datetime | None = field(default=None, converter=_recorded_at, eq=False)

    def __repr__(self) -> str:
        who = (
            f"{self.actor.name} ({self.actor.role.value})" if self.actor else "anonymous/automatic"
        )
        return f"Event({self.kind!r}, {self.at.isoformat()}, {who})"
