"""The management review packet: immutable sections, each with a JSON-safe ``to_dict()``.

The shape of :meth:`ReviewPacket.to_dict` is documented key by key in ``docs/review.md`` and is
versioned (``PACKET_VERSION``): renderers may rely on every key being present.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any, Final

from attrs import field, frozen

from ..analysis.complaint_trends import ComplaintCounts, ControlChart, Pareto, Recurrence
from ..analysis.survey_analysis import PeriodComparison, SurveyAnalysis
from ..analysis.survey_round import ResponseRate
from ..core.frozen_json import thaw
from ..core.referral import Referral
from ..rules.findings import Finding
from ..rules.report import RuleSummary
from .small_cells import (
    GROUP_DIMENSIONS,
    SMALL_CELL_THRESHOLD,
    fewer_than,
    is_small,
    suppress_survey,
    suppress_table,
)

PACKET_VERSION: Final = 2
"""The version of the packet's JSON shape; raised when a key is removed or renamed, or a value may
now be null (version 2: small counts by group, and small surveys' results, are hidden)."""


def _frozen_dict(value: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(value))


@frozen
class ReviewPeriod:
    """The period under review, ``[start, end)``, as seen at ``at`` in the lab's time zone."""

    start: datetime
    end: datetime
    at: datetime
    timezone: str
    granularity: str
    periods: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """As JSON types."""
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "at": self.at.isoformat(),
            "timezone": self.timezone,
            "granularity": self.granularity,
            "periods": list(self.periods),
        }


@frozen
class RulesetChecked:
    """One ruleset the review checked, and how many records of its types it saw."""

    name: str
    version: str
    records: int

    def to_dict(self) -> dict[str, Any]:
        """As JSON types."""
        return {"name": self.name, "version": self.version, "records": self.records}


@frozen
class StandardResult:
    """Performance against one rule (standard) over the period, and per sub-period."""

    ruleset: str
    ruleset_version: str
    summary: RuleSummary

    def to_dict(self) -> dict[str, Any]:
        """As JSON types: the ruleset, then the rule's summary."""
        return {
            "ruleset": self.ruleset,
            "ruleset_version": self.ruleset_version,
            **self.summary.to_dict(),
        }


@frozen
class StandardsSection:
    """Every rule's counts, and the breached and at-risk findings (the breach register)."""

    rulesets: tuple[RulesetChecked, ...]
    rules: tuple[StandardResult, ...]
    breaches: tuple[Finding, ...]
    at_risk: tuple[Finding, ...]
    findings_omitted: int = 0

    def to_dict(self) -> dict[str, Any]:
        """As JSON types (the breach register is laid out at the packet's top level)."""
        return {
            "rulesets": [ruleset.to_dict() for ruleset in self.rulesets],
            "rules": [rule.to_dict() for rule in self.rules],
            "findings_omitted": self.findings_omitted,
        }

    def finding_totals(self) -> dict[str, dict[str, int]]:
        """How many breached and at-risk findings there are in truth (from every rule's counts),
        and how many of them the packet lists."""
        return {
            "breached": {
                "total": sum(rule.summary.counts.breached for rule in self.rules),
                "listed": len(self.breaches),
            },
            "at_risk": {
                "total": sum(rule.summary.counts.at_risk for rule in self.rules),
                "listed": len(self.at_risk),
            },
        }


@frozen(eq=True, hash=False)
class ComplaintTrends:
    """Complaint counts per dimension, Pareto, recurrences and control chart for the period."""

    total: int
    anonymous: int
    counts: Mapping[str, ComplaintCounts] = field(converter=_frozen_dict)
    pareto: Pareto
    recurrence_threshold: int
    recurrence_window_seconds: float
    recurrence_by: tuple[str, ...]
    recurrences: tuple[Recurrence, ...]
    control_chart: ControlChart
    small_cell_threshold: int = SMALL_CELL_THRESHOLD

    def to_dict(self) -> dict[str, Any]:
        """As JSON types (counts, ids and methods only: never a submitter). Counts by customer
        group or site below the small-cell threshold are hidden (``docs/review.md``)."""
        return {
            "total": self.total,
            "anonymous": self.anonymous,
            "named": self.total - self.anonymous,
            **{f"by_{name}": self._table(name, counts) for name, counts in self.counts.items()},
            "pareto": self.pareto.to_dict(),
            "recurrences": {
                "threshold": self.recurrence_threshold,
                "window_seconds": self.recurrence_window_seconds,
                "by": list(self.recurrence_by),
                "items": [self._recurrence(recurrence) for recurrence in self.recurrences],
            },
            "control_chart": self.control_chart.to_dict(),
        }

    def _table(self, name: str, counts: ComplaintCounts) -> dict[str, Any]:
        table = counts.to_dict()
        if name in GROUP_DIMENSIONS:
            return suppress_table(table, self.small_cell_threshold)
        return table

    def _recurrence(self, recurrence: Recurrence) -> dict[str, Any]:
        """A recurrence of a group of people with a small peak: the peak and the complaint ids
        (whose number would give it back) are hidden."""
        document = recurrence.to_dict()
        threshold = self.small_cell_threshold
        grouped = any(name in GROUP_DIMENSIONS for name, _ in recurrence.group)
        if grouped and is_small(recurrence.peak, threshold):
            return document | {
                "peak": None,
                "peak_shown": fewer_than(threshold),
                "complaint_ids": [],
                "message": recurrence.describe(fewer_than(threshold)),
            }
        return document | {"peak_shown": str(recurrence.peak)}


@frozen
class PreviousPeriod:
    """The comparison period of a survey: ``[start, end)`` and how many responses it had."""

    start: datetime
    end: datetime
    responses: int

    def to_dict(self) -> dict[str, Any]:
        """As JSON types."""
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "responses": self.responses,
        }


@frozen
class SurveyResult:
    """One survey's results in the period: response rate, analysis and change since before."""

    survey_id: str
    title: str | None
    audience: str | None
    status: str | None
    approved: bool | None
    instrument: str
    instrument_version: str
    instrument_title: str
    responses: int
    response_rate: ResponseRate | None
    analysis: SurveyAnalysis
    previous: PreviousPeriod | None
    comparison: PeriodComparison | None
    warnings: tuple[str, ...] = ()
    small_cell_threshold: int = SMALL_CELL_THRESHOLD

    def to_dict(self) -> dict[str, Any]:
        """As JSON types (statistics only: no respondent, no comment); the results of fewer
        responses than the small-cell threshold are withheld."""
        return suppress_survey(self._exact(), self.small_cell_threshold, self.analysis.warnings)

    def _exact(self) -> dict[str, Any]:
        return {
            "survey_id": self.survey_id,
            "title": self.title,
            "audience": self.audience,
            "status": self.status,
            "approved": self.approved,
            "instrument": self.instrument,
            "instrument_version": self.instrument_version,
            "instrument_title": self.instrument_title,
            "responses": self.responses,
            "response_rate": self.response_rate.to_dict() if self.response_rate else None,
            "analysis": self.analysis.to_dict(),
            "previous": self.previous.to_dict() if self.previous else None,
            "comparison": self.comparison.to_dict() if self.comparison else None,
            "warnings": list(self.warnings),
        }


@frozen
class OpenReferral:
    """A referral still open at the review: the record as of ``at`` and its age."""

    referral: Referral
    status: str
    age_days: int
    overdue: bool

    def to_dict(self) -> dict[str, Any]:
        """As JSON types (the referral's fields, never its events' notes)."""
        referral = self.referral
        return {
            "id": referral.id,
            "title": referral.title,
            "reason": referral.reason,
            "status": self.status,
            "owner_role": referral.owner_role.value,
            "opened_at": referral.opened_at.isoformat(),
            "due_at": referral.due_at.isoformat() if referral.due_at is not None else None,
            "age_days": self.age_days,
            "overdue": self.overdue,
            "source_rule": referral.source_rule,
            "source_records": [{"type": ref.type, "id": ref.id} for ref in referral.source_records],
            "evidence": thaw(referral.evidence),
        }


@frozen
class ReferralSection:
    """Open referrals (by due date) and how many were opened and closed in the period."""

    open: tuple[OpenReferral, ...]
    opened_in_period: int
    closed_in_period: int

    def to_dict(self) -> dict[str, Any]:
        """As JSON types."""
        return {
            "counts": {
                "open": len(self.open),
                "overdue": sum(1 for item in self.open if item.overdue),
                "opened_in_period": self.opened_in_period,
                "closed_in_period": self.closed_in_period,
            },
            "open": [item.to_dict() for item in self.open],
        }


@frozen
class ReviewPacket:
    """Everything a management review of customer focus needs for one period, ready to render."""

    period: ReviewPeriod
    standards: StandardsSection
    complaints: ComplaintTrends
    surveys: tuple[SurveyResult, ...]
    referrals: ReferralSection
    warnings: tuple[str, ...] = ()
    small_cell_threshold: int = SMALL_CELL_THRESHOLD

    def to_dict(self) -> dict[str, Any]:
        """The packet as JSON types, in the shape ``docs/review.md`` documents (version 2)."""
        return {
            "version": PACKET_VERSION,
            "kind": "management_review",
            "small_cell_threshold": self.small_cell_threshold,
            "period": self.period.to_dict(),
            "standards": self.standards.to_dict(),
            "finding_totals": self.standards.finding_totals(),
            "breaches": [finding.to_dict() for finding in self.standards.breaches],
            "at_risk": [finding.to_dict() for finding in self.standards.at_risk],
            "complaints": self.complaints.to_dict(),
            "surveys": [survey.to_dict() for survey in self.surveys],
            "referrals": self.referrals.to_dict(),
            "warnings": list(self.warnings),
        }

    def to_json(self, *, indent: int | None = None) -> str:
        """The packet as a JSON document (strict JSON: no NaN or infinity)."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False, allow_nan=False)
