"""The rule engine's entry points as the package exports them: with the rule kinds plugins add.

``qse_customer.rules.load_ruleset`` and ``check`` take extra kinds explicitly; these read them from
the installed plugins (``qse_rule_kinds``) unless ``kinds`` is given, so a ruleset that uses a
plugin's kind loads with ``qse.load_ruleset(path)`` once the plugin is installed.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from .analysis.periods import Granularity
from .core.calendar import WorkingCalendar
from .core.record import Record
from .rules import loader, versions
from .rules.engine import CompiledRuleset
from .rules.loader import RulesetSource
from .rules.report import Report
from .rules.ruleset import Ruleset
from .rules.status import Status
from .rules.versions import Checkable, CompiledVersions, RulesetVersions


def _plugin_kinds(kinds: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    if kinds is not None:
        return kinds
    from .plugins.manager import get_plugin_manager

    return dict(get_plugin_manager().rule_kinds()) or None


def load_ruleset(
    source: RulesetSource,
    *,
    kinds: Mapping[str, Any] | None = None,
    extends_from: Iterable[str | os.PathLike[str]] = (),
) -> Ruleset:
    """A validated ruleset from a shipped name, a path or a mapping, with plugins' rule kinds;
    ``extends_from`` names folders besides the ruleset file's own that ``extends`` may read."""
    return loader.load_ruleset(source, kinds=_plugin_kinds(kinds), extends_from=extends_from)


def load_ruleset_versions(
    sources: Sequence[RulesetSource] | RulesetVersions, *, kinds: Mapping[str, Any] | None = None
) -> RulesetVersions:
    """The versions of one ruleset (shipped names, paths, mappings), with plugins' rule kinds."""
    return versions.load_ruleset_versions(sources, kinds=_plugin_kinds(kinds))


def compile_ruleset(
    ruleset: Checkable, *, calendar: WorkingCalendar, kinds: Mapping[str, Any] | None = None
) -> CompiledRuleset | CompiledVersions:
    """Compile a ruleset (or a list of versions of one) against ``calendar`` once, with
    plugins' rule kinds."""
    return versions.compile_ruleset(ruleset, calendar=calendar, kinds=_plugin_kinds(kinds))


def check(
    records: Iterable[Record],
    ruleset: Checkable | CompiledRuleset | CompiledVersions,
    *,
    calendar: WorkingCalendar,
    at: datetime,
    kinds: Mapping[str, Any] | None = None,
    period: Granularity = "month",
    keep: Iterable[Status | str] = (Status.BREACHED, Status.AT_RISK),
    max_findings: int = 10_000,
) -> Report:
    """Check ``records`` against ``ruleset`` (or a list of versions of one) as of ``at``; see
    :func:`qse_customer.rules.check`."""
    if not isinstance(ruleset, CompiledRuleset | CompiledVersions):
        ruleset = compile_ruleset(ruleset, calendar=calendar, kinds=kinds)
    return versions.check(
        records,
        ruleset,
        calendar=calendar,
        at=at,
        period=period,
        keep=keep,
        max_findings=max_findings,
    )
