"""Reports: findings aggregated per rule and per period, as numbers a lab can publish.

For each rule and each period: how many records it concerned (``total``), how many it could judge
(``checked`` = met + breached + at risk + pending), the count of each status, the share met over
its denominator (met + breached: the decided findings; running clocks are not counted either
way), and the median and 90th percentile elapsed time of the clocks that stopped, in the rule's
measure (working or calendar time; see :mod:`qse_customer.rules.quantiles` for how they are kept
in bounded memory). A record belongs to the period of its first event; a threshold's finding to
the period it judges.

A ruleset checked as several versions (:mod:`~qse_customer.rules.versions`) gives one
:class:`RuleSummary` per standard (rule id), whose counts add up the versions, with one
:class:`VersionSummary` line per version that judged something.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from attrs import field, frozen

from ..core.errors import ValidationError
from ..core.timestamps import utc
from .findings import Finding
from .quantiles import ElapsedSketch
from .status import STATUSES, Status


@frozen
class Counts:
    """How many findings of each status, with the share met and elapsed-time percentiles."""

    met: int = 0
    breached: int = 0
    at_risk: int = 0
    pending: int = 0
    not_applicable: int = 0
    elapsed_median_seconds: float | None = None
    elapsed_p90_seconds: float | None = None
    elapsed_count: int = 0
    elapsed_exact: bool = True

    @classmethod
    def of(cls, codes: list[int], sketch: ElapsedSketch | None) -> Counts:
        """From five counts in status-code order and a sketch of elapsed times."""
        met, breached, at_risk, pending, not_applicable = codes
        if sketch is None or sketch.count == 0:
            return cls(met, breached, at_risk, pending, not_applicable)
        return cls(
            met,
            breached,
            at_risk,
            pending,
            not_applicable,
            elapsed_median_seconds=sketch.quantile(0.5),
            elapsed_p90_seconds=sketch.quantile(0.9),
            elapsed_count=sketch.count,
            elapsed_exact=sketch.exact,
        )

    @property
    def total(self) -> int:
        """Every finding, including not applicable."""
        return self.checked + self.not_applicable

    @property
    def checked(self) -> int:
        """Findings the rule could judge: met, breached, at risk and pending."""
        return self.met + self.breached + self.at_risk + self.pending

    @property
    def decided(self) -> int:
        """The denominator of the share met: met + breached."""
        return self.met + self.breached

    @property
    def share_met(self) -> float | None:
        """met / (met + breached), or None when nothing is decided."""
        return self.met / self.decided if self.decided else None

    def count(self, status: Status) -> int:
        """The number of findings with ``status``."""
        return int(getattr(self, status.value))

    def to_dict(self) -> dict[str, Any]:
        """As JSON types."""
        return {
            "total": self.total,
            "checked": self.checked,
            **{status.value: self.count(status) for status in STATUSES},
            "share_met": self.share_met,
            "share_met_denominator": self.decided,
            "elapsed_median_seconds": self.elapsed_median_seconds,
            "elapsed_p90_seconds": self.elapsed_p90_seconds,
            "elapsed_count": self.elapsed_count,
            "elapsed_exact": self.elapsed_exact,
        }


@frozen
class PeriodSummary:
    """One rule in one period."""

    period: str
    counts: Counts

    def to_dict(self) -> dict[str, Any]:
        """As JSON types."""
        return {"period": self.period, **self.counts.to_dict()}


@frozen
class VersionSummary:
    """What one version of a ruleset judged under one standard: its wording, dates and counts."""

    version: str
    effective_from: date | None
    effective_until: date | None
    title: str
    source: str
    counts: Counts
    periods: tuple[PeriodSummary, ...]

    def to_dict(self) -> dict[str, Any]:
        """As JSON types."""
        return {
            "version": self.version,
            "effective_from": self.effective_from.isoformat() if self.effective_from else None,
            "effective_until": self.effective_until.isoformat() if self.effective_until else None,
            "title": self.title,
            "source": self.source,
            **self.counts.to_dict(),
            "periods": [summary.to_dict() for summary in self.periods],
        }


@frozen
class VersionInForce:
    """One version of the ruleset a report checked, and the local dates it was in force."""

    version: str
    effective_from: date | None
    effective_until: date | None

    def to_dict(self) -> dict[str, Any]:
        """As JSON types."""
        return {
            "version": self.version,
            "effective_from": self.effective_from.isoformat() if self.effective_from else None,
            "effective_until": self.effective_until.isoformat() if self.effective_until else None,
        }


@frozen
class RuleSummary:
    """One rule over the whole run, and per period; ``versions``: a line per version of the
    ruleset that judged something (empty unless the ruleset was checked as several versions)."""

    rule_id: str
    title: str
    kind: str
    source: str
    severity: str
    measure: str | None
    counts: Counts
    periods: tuple[PeriodSummary, ...]
    versions: tuple[VersionSummary, ...] = ()

    def period(self, key: str) -> Counts:
        """The counts of one period (all zero if the rule saw nothing then)."""
        for summary in self.periods:
            if summary.period == key:
                return summary.counts
        return Counts()

    def to_dict(self) -> dict[str, Any]:
        """As JSON types."""
        return {
            "rule_id": self.rule_id,
            "title": self.title,
            "kind": self.kind,
            "source": self.source,
            "severity": self.severity,
            "measure": self.measure,
            **self.counts.to_dict(),
            "periods": [summary.to_dict() for summary in self.periods],
            "versions": [line.to_dict() for line in self.versions],
        }


@frozen
class Report:
    """What :func:`~qse_customer.rules.check` found: counts per rule and period, and the findings
    it kept (by default those ``breached`` or ``at_risk``, at most ``max_findings`` of them;
    ``findings_omitted`` counts the rest of those statuses). ``versions`` lists the versions of
    the ruleset when it was checked as several (``ruleset_version`` then names them all).

    ``unstamped_records`` counts records with events recorded before stores stamped them
    (``recorded_at`` null: their times are as entered); ``backdated_events`` counts events
    recorded later than ``backdated_after`` after they happened (back-dated entries, each also
    shown in its record's findings)."""

    ruleset: str
    ruleset_version: str
    at: datetime = field(converter=utc)
    period: str
    timezone: str
    calendar: dict[str, Any]
    records: int
    rules: tuple[RuleSummary, ...]
    findings: tuple[Finding, ...]
    kept: tuple[Status, ...]
    findings_omitted: int = 0
    versions: tuple[VersionInForce, ...] = ()
    unstamped_records: int = 0
    backdated_events: int = 0
    backdated_after: dict[str, Any] = field(factory=dict)

    def rule(self, rule_id: str) -> RuleSummary:
        """The summary of one rule; an unknown id lists the known ones."""
        for summary in self.rules:
            if summary.rule_id == rule_id:
                return summary
        known = ", ".join(summary.rule_id for summary in self.rules)
        raise ValidationError.single(
            "$.rules", f"no rule {rule_id!r} in this report; it has {known}"
        )

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON types."""
        return {
            "ruleset": self.ruleset,
            "ruleset_version": self.ruleset_version,
            "at": self.at.isoformat(),
            "period": self.period,
            "timezone": self.timezone,
            "calendar": self.calendar,
            "records": self.records,
            "rules": [summary.to_dict() for summary in self.rules],
            "kept": [status.value for status in self.kept],
            "findings_omitted": self.findings_omitted,
            "versions": [version.to_dict() for version in self.versions],
            "evidence": {
                "unstamped_records": self.unstamped_records,
                "backdated_events": self.backdated_events,
                "backdated_after": self.backdated_after,
            },
            "findings": [finding.to_dict() for finding in self.findings],
        }

    def to_json(self, *, indent: int | None = None) -> str:
        """The report as a JSON document."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)
