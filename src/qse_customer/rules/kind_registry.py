"""The rule kinds by name: the built-in ones, and the ones plugins add.

The built-in kinds are registered by name exactly as a plugin's ``qse_rule_kinds()`` returns its
own. This module is the one place the rule engine learns of plugins' kinds: :func:`kinds_named`
asks the process's plugin manager only when a ruleset names a kind that is not built in (and the
caller gave no ``kinds`` of its own), so a ruleset of built-in kinds never loads a plugin.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
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


def plugin_kinds() -> Mapping[str, RuleKind]:
    """The rule kinds the process's plugins add (``qse_rule_kinds``), as they are now."""
    # Imported here, not at the top: the rules layer sits below the plugin system, and only a
    # ruleset that names a kind no built-in has needs it.
    from ..plugins.manager import get_plugin_manager

    return get_plugin_manager().rule_kinds()


def kinds_named(names: Iterable[object], extra: Mapping[str, Any] | None) -> Mapping[str, RuleKind]:
    """The kinds a ruleset naming ``names`` is validated against: the built-in ones plus
    ``extra`` when the caller gives them; else the built-in ones, and the plugins' ones too when
    a name is not built in (an unknown name is then refused with every kind listed)."""
    if extra is not None:
        return all_kinds(extra)
    if all(name in BUILTIN_KINDS for name in names if isinstance(name, str)):
        return BUILTIN_KINDS
    return all_kinds(plugin_kinds())
