"""The management review packet: immutable sections, each a JSON document through the library's
one converter (``to_dict()``; the hooks at the end of this module give the shape).

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
from ..core._documents import Document, converter, field_dump, register
from ..core._frozen_json import thaw
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
class ReviewPeriod(Document):
    """The period under review, ``[start, end)``, as seen at ``at`` in the lab's time zone."""

    start: datetime
    end: datetime
    at: datetime
    timezone: str
    granularity: str
    periods: tuple[str, ...]


@frozen
class RulesetChecked(Document):
    """One ruleset the review checked, and how many records of its types it saw."""

    name: str
    version: str
    records: int


@frozen
class StandardResult(Document):
    """Performance against one rule (standard) over the period, and per sub-period."""

    ruleset: str
    ruleset_version: str
    summary: RuleSummary


@frozen
class StandardsSection(Document):
    """Every rule's counts, and the breached and at-risk findings (the breach register)."""

    rulesets: tuple[RulesetChecked, ...]
    rules: tuple[StandardResult, ...]
    breaches: tuple[Finding, ...]
    at_risk: tuple[Finding, ...]
    findings_omitted: int = 0

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
class ComplaintTrends(Document):
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


@frozen
class PreviousPeriod(Document):
    """The comparison period of a survey: ``[start, end)`` and how many responses it had."""

    start: datetime
    end: datetime
    responses: int


@frozen
class SurveyResult(Document):
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


@frozen
class OpenReferral(Document):
    """A referral still open at the review: the record as of ``at`` and its age."""

    referral: Referral
    status: str
    age_days: int
    overdue: bool


@frozen
class ReferralSection(Document):
    """Open referrals (by due date) and how many were opened and closed in the period."""

    open: tuple[OpenReferral, ...]
    opened_in_period: int
    closed_in_period: int


@frozen
class ReviewPacket(Document):
    """Everything a management review of customer focus needs for one period, ready to render."""

    period: ReviewPeriod
    standards: StandardsSection
    complaints: ComplaintTrends
    surveys: tuple[SurveyResult, ...]
    referrals: ReferralSection
    warnings: tuple[str, ...] = ()
    small_cell_threshold: int = SMALL_CELL_THRESHOLD

    def to_json(self, *, indent: int | None = None) -> str:
        """The packet as a JSON document (strict JSON: no NaN or infinity)."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False, allow_nan=False)


# -- as JSON documents ------------------------------------------------------------------------


def _standard(result: StandardResult) -> dict[str, Any]:
    """The ruleset, then the rule's summary."""
    return {
        "ruleset": result.ruleset,
        "ruleset_version": result.ruleset_version,
        **converter.unstructure(result.summary, RuleSummary),
    }


def _table(trends: ComplaintTrends, name: str, counts: ComplaintCounts) -> dict[str, Any]:
    table = counts.to_dict()
    if name in GROUP_DIMENSIONS:
        return suppress_table(table, trends.small_cell_threshold)
    return table


def _recurrence(trends: ComplaintTrends, recurrence: Recurrence) -> dict[str, Any]:
    """A recurrence of a group of people with a small peak: the peak and the complaint ids
    (whose number would give it back) are hidden."""
    document = recurrence.to_dict()
    threshold = trends.small_cell_threshold
    grouped = any(name in GROUP_DIMENSIONS for name, _ in recurrence.group)
    if grouped and is_small(recurrence.peak, threshold):
        return document | {
            "peak": None,
            "peak_shown": fewer_than(threshold),
            "complaint_ids": [],
            "message": recurrence.describe(fewer_than(threshold)),
        }
    return document | {"peak_shown": str(recurrence.peak)}


def _trends(trends: ComplaintTrends) -> dict[str, Any]:
    """Counts, ids and methods only: never a submitter. Counts by customer group or site below
    the small-cell threshold are hidden (``docs/review.md``)."""
    return {
        "total": trends.total,
        "anonymous": trends.anonymous,
        "named": trends.total - trends.anonymous,
        **{f"by_{name}": _table(trends, name, counts) for name, counts in trends.counts.items()},
        "pareto": trends.pareto.to_dict(),
        "recurrences": {
            "threshold": trends.recurrence_threshold,
            "window_seconds": trends.recurrence_window_seconds,
            "by": list(trends.recurrence_by),
            "items": [_recurrence(trends, recurrence) for recurrence in trends.recurrences],
        },
        "control_chart": trends.control_chart.to_dict(),
    }


_survey_fields = field_dump(SurveyResult, omit=("small_cell_threshold",))


def _survey(result: SurveyResult) -> dict[str, Any]:
    """Statistics only: no respondent, no comment; the results of fewer responses than the
    small-cell threshold are withheld."""
    return suppress_survey(
        _survey_fields(result), result.small_cell_threshold, result.analysis.warnings
    )


def _open_referral(item: OpenReferral) -> dict[str, Any]:
    """The referral's fields, never its events' notes."""
    referral = item.referral
    return {
        "id": referral.id,
        "title": referral.title,
        "reason": referral.reason,
        "status": item.status,
        "owner_role": referral.owner_role.value,
        "opened_at": referral.opened_at.isoformat(),
        "due_at": referral.due_at.isoformat() if referral.due_at is not None else None,
        "age_days": item.age_days,
        "overdue": item.overdue,
        "source_rule": referral.source_rule,
        "source_records": [{"type": ref.type, "id": ref.id} for ref in referral.source_records],
        "evidence": thaw(referral.evidence),
    }


def _referrals(section: ReferralSection) -> dict[str, Any]:
    return {
        "counts": {
            "open": len(section.open),
            "overdue": sum(1 for item in section.open if item.overdue),
            "opened_in_period": section.opened_in_period,
            "closed_in_period": section.closed_in_period,
        },
        "open": [_open_referral(item) for item in section.open],
    }


def _packet(packet: ReviewPacket) -> dict[str, Any]:
    """The shape ``docs/review.md`` documents (version 2); the breach register is laid out at
    the packet's top level."""
    unstructure = converter.unstructure
    standards = packet.standards
    return {
        "version": PACKET_VERSION,
        "kind": "management_review",
        "small_cell_threshold": packet.small_cell_threshold,
        "period": unstructure(packet.period, ReviewPeriod),
        "standards": unstructure(standards, StandardsSection),
        "finding_totals": standards.finding_totals(),
        "breaches": unstructure(standards.breaches, tuple[Finding, ...]),
        "at_risk": unstructure(standards.at_risk, tuple[Finding, ...]),
        "complaints": _trends(packet.complaints),
        "surveys": unstructure(packet.surveys, tuple[SurveyResult, ...]),
        "referrals": _referrals(packet.referrals),
        "warnings": list(packet.warnings),
    }


register(StandardResult, _standard)
register(StandardsSection, field_dump(StandardsSection, omit=("breaches", "at_risk")))
register(ComplaintTrends, _trends)
register(SurveyResult, _survey)
register(OpenReferral, _open_referral)
register(ReferralSection, _referrals)
register(ReviewPacket, _packet)
