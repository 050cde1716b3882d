"""Events: what happened to a record, when, and who did it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any

from attrs import field, frozen

from .errors import ValidationError
from .roles import Actor
from .timestamps import utc


def _kind(instance: object, attribute: object, value: str) -> None:
    if not isinstance(value, str) or not value.isidentifier() or not value.islower():
        raise ValidationError.single(
            "$.kind", f"expected an event kind in snake_case (e.g. 'received'), got {value!r}"
        )


def frozen_mapping(value: Mapping[str, Any] | None) -> Mapping[str, Any]:
    """A read-only copy of ``value`` (an event's data must not change after the fact)."""
    if value is None:
        return MappingProxyType({})
    if not isinstance(value, Mapping):
        raise ValidationError.single("$.data", f"expected a mapping, got {type(value).__name__}")
    return MappingProxyType(dict(value))


@frozen(eq=True, hash=False)
class Event:
    """One step in a record's history: ``kind`` at ``at`` by ``actor`` (None if anonymous)."""

    kind: str = field(validator=_kind)
    at: datetime = field(converter=utc)
    actor: Actor | None = None
    data: Mapping[str, Any] = field(factory=dict, converter=frozen_mapping)
    note: str = ""

    def __repr__(self) -> str:
        who = (
            f"{self.actor.name} ({self.actor.role.value})" if self.actor else "anonymous/automatic"
        )
        return f"Event({self.kind!r}, {self.at.isoformat()}, {who})"
