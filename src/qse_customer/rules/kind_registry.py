"""The built-in rule kinds, registered by name exactly as a plugin registers its own."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from ..core.errors import ValidationError
from .frequency import Frequency
from .impartiality import Impartiality
from .kind_protocol import RuleKind
from .recorded_details import RecordedDetails
from .required_step import RequiredStep
from .response_time import ResponseTime
from .responsibility import Responsibility
from .threshold import Threshold
from .value_limit import ValueLimit

BUILTIN_KINDS: Mapping[str, RuleKind] = MappingProxyType(
    {
        kind.name: kind
        for kind in (
            ResponseTime(),
            Responsibility(),
            RequiredStep(),
            Threshold(),
            ValueLimit(),
            RecordedDetails(),
            Impartiality(),
            Frequency(),
        )
    }
)
"""Every built-in rule kind by name: ``qse_rule_kinds()`` returns a mapping of this shape."""


def all_kinds(extra: Mapping[str, Any] | None) -> Mapping[str, RuleKind]:
    """The built-in kinds plus ``extra`` ones (from plugins); a clash or a bad kind is refused."""
    if not extra:
        return BUILTIN_KINDS
    problems = []
    for name, kind in extra.items():
        if name in BUILTIN_KINDS and kind is not BUILTIN_KINDS[name]:
            problems.append((name, f"{name!r} is a built-in rule kind; choose another name"))
        elif not isinstance(kind, RuleKind):
            problems.append(
                (
                    name,
                    "expected a rule kind (name, params_schema, event_kinds, roles, "
                    f"check_params, compile), got {type(kind).__name__}",
                )
            )
        elif kind.name != name:
            problems.append((name, f"registered as {name!r} but its name is {kind.name!r}"))
    if problems:
        from ..core.errors import FieldError

        raise ValidationError(
            [FieldError(f"$.kinds.{name}", message) for name, message in problems],
            what="extra rule kinds",
        )
    return MappingProxyType({**BUILTIN_KINDS, **extra})
