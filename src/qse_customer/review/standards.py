"""Performance against every standard: several rulesets checked over one stream of records.

Rulesets are merged into one ruleset and checked in one pass, so the records are read once and
never held, when that changes no result: their calendars do not clash, and either every
``effective`` date is on or before the first day of the review (the engine only sees records
opened in the period, so no record predates any ruleset) or the dates are all the same. Each rule
and finding is then credited back to the ruleset it came from. Otherwise the records the rulesets
concern are held in a list and each ruleset is checked in turn; so are the versions of a ruleset
(:class:`~qse_customer.rules.RulesetVersions`), each finding keeping the version that made it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from attrs import frozen

from ..analysis.periods import Granularity
from ..core.calendar import WorkingCalendar
from ..core.errors import FieldError, ValidationError
from ..core.record import Record
from ..rules.findings import Finding
from ..rules.loader import RulesetSource, load_ruleset
from ..rules.report import Report
from ..rules.ruleset import Ruleset
from ..rules.status import Status
from ..rules.versions import RulesetVersions, check, compile_ruleset, load_ruleset_versions
from .packet import RulesetChecked, StandardResult, StandardsSection

_KEEP = (Status.BREACHED, Status.AT_RISK)


@frozen
class RulesetPlan:
    """The loaded rulesets and how they will be checked: merged into one, or one by one."""

    rulesets: tuple[Ruleset | RulesetVersions, ...]
    merged: Ruleset | None

    @property
    def record_types(self) -> frozenset[str]:
        """Every record type a rule of these rulesets is about."""
        return frozenset(
            tag
            for ruleset in self.rulesets
            for rule in ruleset.rules
            for tag in rule.applies_to.record_types
        )


def plan_rulesets(
    sources: Sequence[RulesetSource | RulesetVersions],
    first_day: date,
    kinds: Mapping[str, Any] | None = None,
) -> RulesetPlan:
    """Load the rulesets, refuse clashing rule ids, and merge them when that is exact."""
    if isinstance(sources, str | bytes) or not isinstance(sources, Sequence):
        raise ValidationError.single(
            "$.rulesets", "expected a list of rulesets (shipped names, paths, mappings)"
        )
    rulesets = tuple(
        load_ruleset_versions(source, kinds=kinds)
        if isinstance(source, RulesetVersions)
        else load_ruleset(source, kinds=kinds)
        for source in sources
    )
    owner: dict[str, str] = {}
    errors: list[FieldError] = []
    for index, ruleset in enumerate(rulesets):
        for rule in ruleset.rules:
            if rule.id in owner:
                errors.append(
                    FieldError(
                        f"$.rulesets[{index}]",
                        f"rule id {rule.id!r} is in both {owner[rule.id]!r} and "
                        f"{ruleset.name!r}; rule ids must be unique across the review's rulesets",
                    )
                )
            owner[rule.id] = ruleset.name
    names = [ruleset.name for ruleset in rulesets]
    if len(set(names)) != len(names):
        errors.append(FieldError("$.rulesets", "a ruleset is listed twice"))
    if errors:
        raise ValidationError(errors, what="review rulesets")
    return RulesetPlan(rulesets, _merged(rulesets, first_day))


def _merged(rulesets: tuple[Ruleset | RulesetVersions, ...], first_day: date) -> Ruleset | None:
    """One ruleset with every rule, or None when merging would change a result (versions of a
    ruleset, or a ruleset with an end date, are never merged: each judges its own time)."""
    plain = [r for r in rulesets if isinstance(r, Ruleset) and r.effective_until is None]
    if len(plain) != len(rulesets):
        return None
    if len(plain) == 1:
        return plain[0]
    dates = {ruleset.effective for ruleset in plain}
    if all(day is None or day <= first_day for day in dates):
        effective = None
    elif len(dates) == 1:
        effective = plain[0].effective
    else:
        return None
    calendars: dict[str, Any] = {}
    for ruleset in plain:
        for name, settings in ruleset.to_dict().get("calendars", {}).items():
            if calendars.setdefault(name, settings) != settings:
                return None
    document: dict[str, Any] = {
        "name": "management-review",
        "version": "1",
        "calendars": calendars,
        "rules": [rule.to_dict() for ruleset in plain for rule in ruleset.rules],
    }
    if effective is not None:
        document["effective"] = effective.isoformat()
    kinds = {key: kind for ruleset in plain for key, kind in ruleset.kinds.items()}
    return load_ruleset(document, kinds=kinds or None)


def check_standards(
    plan: RulesetPlan,
    records: Iterable[Record],
    *,
    calendar: WorkingCalendar,
    at: datetime,
    granularity: Granularity,
    max_findings: int,
    counts: Mapping[str, int],
) -> StandardsSection:
    """Check ``records`` (read once) against every ruleset of ``plan``.

    ``counts`` (records per type) must be complete once ``records`` is exhausted: it is read only
    after the check, to say how many records each ruleset saw.
    """
    checking = StandardsCheck(
        plan, calendar=calendar, at=at, granularity=granularity, max_findings=max_findings
    )
    checking.feed(records)
    return checking.section(counts)


class StandardsCheck:
    """:func:`check_standards` fed its records in steps: :meth:`feed` them in order, then
    :meth:`section`. A merged plan is checked as the records pass; otherwise the records the
    rulesets concern are held and each ruleset checked in turn at the end."""

    def __init__(
        self,
        plan: RulesetPlan,
        *,
        calendar: WorkingCalendar,
        at: datetime,
        granularity: Granularity,
        max_findings: int,
    ) -> None:
        self.plan = plan
        self.calendar, self.at = calendar, at
        self.granularity, self.max_findings = granularity, max_findings
        self._checking = (
            None
            if plan.merged is None
            else compile_ruleset(plan.merged, calendar=calendar).checking(
                at=at, period=granularity, keep=_KEEP, max_findings=max_findings
            )
        )
        self._wanted = plan.record_types
        self._held: list[Record] = []

    def feed(self, records: Iterable[Record]) -> None:
        """Check (or hold) the next ``records``."""
        if self._checking is not None:
            self._checking.feed(records)
        else:
            wanted = self._wanted
            self._held.extend(record for record in records if record.TYPE in wanted)

    def section(self, counts: Mapping[str, int]) -> StandardsSection:
        """The section, once every record has been fed (``counts``: records per type)."""
        if self._checking is not None:
            report = self._checking.report()
            reports = [(ruleset, report) for ruleset in self.plan.rulesets]
            omitted = report.findings_omitted
        else:
            reports = [
                (
                    ruleset,
                    check(
                        self._held,
                        ruleset,
                        calendar=self.calendar,
                        at=self.at,
                        period=self.granularity,
                        keep=_KEEP,
                        max_findings=self.max_findings,
                    ),
                )
                for ruleset in self.plan.rulesets
            ]
            omitted = sum(report.findings_omitted for _, report in reports)
        return _section(reports, counts, omitted)


def _credited(finding: Finding, ruleset: str, version: str) -> Finding:
    """``evolve(finding, ruleset=ruleset, ruleset_version=version)``, equal and read the same,
    without making its evidence and message now: they are the finding's own, made when first
    read (evolving made them for every finding of the register, and checked them again)."""
    if finding.ruleset == ruleset and finding.ruleset_version == version:
        return finding
    return Finding.explained_later(
        lambda: (finding.evidence, finding.message),
        rule_id=finding.rule_id,
        record_id=finding.record_id,
        status=finding.status,
        due_at=finding.due_at,
        source=finding.source,
        record_type=finding.record_type,
        ruleset=ruleset,
        ruleset_version=version,
        severity=finding.severity,
        period=finding.period,
        elapsed=finding.elapsed,
        measure=finding.measure,
    )


def _section(
    reports: list[tuple[Ruleset | RulesetVersions, Report]],
    counts: Mapping[str, int],
    omitted: int,
) -> StandardsSection:
    rules: list[StandardResult] = []
    breaches: list[Finding] = []
    at_risk: list[Finding] = []
    checked = []
    for ruleset, report in reports:
        mine = {rule.id for rule in ruleset.rules}
        types = {tag for rule in ruleset.rules for tag in rule.applies_to.record_types}
        checked.append(
            RulesetChecked(ruleset.name, ruleset.version, sum(counts.get(t, 0) for t in types))
        )
        order = {rule.id: index for index, rule in enumerate(ruleset.rules)}
        rules.extend(
            StandardResult(ruleset.name, ruleset.version, summary)
            for summary in sorted(
                (summary for summary in report.rules if summary.rule_id in mine),
                key=lambda summary: order[summary.rule_id],
            )
        )
        for finding in report.findings:
            if finding.rule_id not in mine:
                continue
            version = (
                finding.ruleset_version if isinstance(ruleset, RulesetVersions) else ruleset.version
            )
            credited = _credited(finding, ruleset.name, version)
            (breaches if finding.status is Status.BREACHED else at_risk).append(credited)
    position = {
        (result.ruleset, result.summary.rule_id): index for index, result in enumerate(rules)
    }

    def register_order(finding: Finding) -> tuple[int, str, str]:
        return (
            position[(finding.ruleset, finding.rule_id)],
            finding.period or "",
            finding.record_id or "",
        )

    return StandardsSection(
        rulesets=tuple(checked),
        rules=tuple(rules),
        breaches=tuple(sorted(breaches, key=register_order)),
        at_risk=tuple(sorted(at_risk, key=register_order)),
        findings_omitted=omitted,
    )
