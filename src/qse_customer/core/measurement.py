"""Measurements: one measured value, such as the rings before a telephone call was answered or
the minutes a website was down (source 003, sections 3.1.2 and 3.5; rules T-7 and T-8)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime
from typing import Any, ClassVar, Self

from attrs import field, frozen

from ._checks import nonempty_text, optional_text
from .errors import ValidationError
from .events import Event, frozen_mapping
from .lifecycle import Lifecycle
from .record import Record
from .roles import Actor
from .survey import Answer

MEASUREMENT_LIFECYCLE = Lifecycle(
    opening={"measured"},
    kinds={"measured", "note_added", "closed", "reopened"},
    status_after={"measured": "recorded", "closed": "closed", "reopened": "recorded"},
)


def _value(value: object) -> float:
    """``value`` as a float (stored as one, so it reads back the same); refuses non-numbers."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValidationError.single("$.value", f"expected a finite number, got {value!r}")
    return float(value)


def _attributes(value: Mapping[str, Answer] | None) -> Mapping[str, Answer]:
    attributes = frozen_mapping(value, "$.attributes")
    for key, item in attributes.items():
        if not isinstance(item, int | float | str | bool | type(None)):
            raise ValidationError.single(
                f"$.attributes.{key}", f"expected a number, text, true/false or null, got {item!r}"
            )
    return attributes


@frozen(kw_only=True, eq=True, hash=False)
class Measurement(Record):
    """One measured value of a named ``measure`` (``"telephone_rings"``, ``"website_downtime"``).

    The ``measured`` event says when the measure was taken (for a call, when it rang; for an
    outage, when it started). ``attributes`` holds the conditions a standard depends on, e.g.
    ``{"staff_available": True}`` for T-7 ("if they are available to take the call").
    """

    TYPE: ClassVar[str] = "measurement"
    LIFECYCLE: ClassVar[Lifecycle] = MEASUREMENT_LIFECYCLE

    measure: str = field(validator=nonempty_text)
    value: float = field(converter=_value)
    unit: str = field(validator=nonempty_text)
    subject: str | None = field(default=None, validator=optional_text)
    site: str | None = field(default=None, validator=optional_text)
    attributes: Mapping[str, Answer] = field(factory=dict, converter=_attributes)

    @classmethod
    def record(
        cls,
        *,
        id: str,
        at: datetime,
        by: Actor | None,
        measure: str,
        value: float,
        unit: str,
        note: str = "",
        **fields: Any,
    ) -> Self:
        """A measurement as taken at ``at`` (by ``by``, or None for an automatic monitor)."""
        event = Event("measured", at, by, {}, note)
        return cls(id=id, measure=measure, value=value, unit=unit, events=(event,), **fields)
