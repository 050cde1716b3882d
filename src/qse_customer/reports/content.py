"""What a report holds: the findings of each ruleset, complaint trends, survey results, open
referrals and the management review packet, as one document of plain JSON types.

The document's shape is stable and versioned (``REPORT_VERSION``); it is documented in
``docs/reports.md`` and checked by the schema in ``schemas/report.schema.json``. The text and HTML
renderers read only this document. Nothing in it names the submitter of a complaint, a survey
respondent, a complaint's summary or an event's note; counts of complaints by customer group or
site, and the results of surveys, below the small-cell threshold are hidden
(:mod:`qse_customer.review.small_cells`); and every total it states is the true total, however
many findings it lists.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from .._version import __version__
from ..analysis.periods import period_keys
from ..core._documents import converter
from ..core.calendar import WorkingCalendar
from ..core.record import Record
from ..core.redaction import redact_url
from ..review.focus import (
    ComplaintSummary,
    CustomerFocus,
    ReferralOverview,
    SurveySummary,
)
from ..review.management_review import (
    PROGRESS_EVERY,
    Progress,
    RecordsOf,
    customer_focus,
)
from ..review.management_review import check_rulesets as check_rulesets
from ..review.small_cells import (
    GROUP_DIMENSIONS,
    SMALL_CELL_THRESHOLD,
    suppress_survey,
    suppress_table,
)
from ..rules.report import Report
from ..rules.ruleset import Ruleset
from ..rules.status import Status
from ..rules.versions import RulesetVersions

REPORT_VERSION = 2
"""Raised when a key is removed or renamed, or a value may now be null; new keys may be added
within a version (version 2: small counts by group, and small surveys' results, are hidden)."""
REPORT_KIND = "qse_customer_report"


def records_of_sequence(records: Sequence[Record]) -> RecordsOf:
    """A :data:`RecordsOf` over records held in memory."""

    def of(tag: str) -> Iterator[Record]:
        return (record for record in records if tag == record.TYPE)

    return of


MAX_FINDINGS = 10_000
"""How many breached and at-risk findings a report lists per ruleset, by default."""


def _standards(reports: Sequence[Report]) -> dict[str, Any]:
    rules = []
    for report in reports:
        for summary in report.rules:
            rules.append(
                {"ruleset": report.ruleset, "ruleset_version": report.ruleset_version}
                | summary.to_dict()
            )
    return {
        "rulesets": [
            {
                "name": report.ruleset,
                "version": report.ruleset_version,
                "records": report.records,
                "findings_omitted": report.findings_omitted,
                "versions": [version.to_dict() for version in report.versions],
                "evidence": {
                    "unstamped_records": report.unstamped_records,
                    "backdated_events": report.backdated_events,
                    "backdated_after": report.backdated_after,
                },
            }
            for report in reports
        ],
        "rules": rules,
    }


def _due_key(finding: dict[str, Any]) -> tuple[str, str, str]:
    return (finding["due_at"] or "9999", finding["rule_id"], finding["record_id"] or "")


def _findings(reports: Sequence[Report], status: str) -> list[dict[str, Any]]:
    found = [f.to_dict() for report in reports for f in report.findings if f.status == status]
    return sorted(found, key=_due_key)


def _finding_totals(reports: Sequence[Report]) -> dict[str, dict[str, int]]:
    """The true number of breached and at-risk findings (from every rule's counts) and how many
    of them the report lists (at most ``max_findings`` a ruleset)."""
    totals = {}
    for status in ("breached", "at_risk"):
        totals[status] = {
            "total": sum(
                summary.counts.count(Status(status))
                for report in reports
                for summary in report.rules
            ),
            "listed": sum(
                1 for report in reports for finding in report.findings if finding.status == status
            ),
        }
    return totals


def _complaints(summary: ComplaintSummary, small: int) -> dict[str, Any]:
    def counted(dimension: str) -> dict[str, Any]:
        table = summary.counts[dimension].to_dict()
        return suppress_table(table, small) if dimension in GROUP_DIMENSIONS else table

    return {
        "total": summary.total,
        "anonymous": summary.anonymous,
        "named": summary.named,
        "by_period": counted("period"),
        "by_category": counted("category"),
        "by_customer_group": counted("customer_group"),
        "by_site": counted("site"),
        "by_severity": counted("severity"),
        "pareto": summary.pareto.to_dict() if summary.pareto is not None else None,
        "control_chart": (
            summary.control_chart.to_dict() if summary.control_chart is not None else None
        ),
    }


def _survey(summary: SurveySummary, small: int) -> dict[str, Any]:
    return suppress_survey(converter.unstructure(summary, SurveySummary), small)


def _referrals(overview: ReferralOverview) -> dict[str, Any]:
    rows = []
    for line in overview.open:
        referral = line.referral
        rows.append(
            {
                "id": referral.id,
                "title": referral.title,
                "reason": referral.reason,
                "status": referral.status,
                "owner_role": referral.owner_role.value,
                "opened_at": referral.opened_at.isoformat(),
                "due_at": referral.due_at.isoformat() if referral.due_at else None,
                "age_days": line.age_days,
                "overdue": line.overdue,
                "source_rule": referral.source_rule,
                "source_records": [{"type": r.type, "id": r.id} for r in referral.source_records],
            }
        )
    return {
        "counts": {
            "open": len(overview.open),
            "overdue": overview.overdue,
            "opened_in_period": overview.opened_in_period,
            "closed_in_period": overview.closed_in_period,
        },
        "open": rows,
    }


def build_report(
    records_of: RecordsOf,
    rulesets: Sequence[Ruleset | RulesetVersions],
    *,
    calendar: WorkingCalendar,
    at: datetime,
    title: str = "Customer focus report",
    source: str = "",
    months: int = 12,
    review_rulesets: Sequence[Ruleset | RulesetVersions] | None = None,
    progress: Progress | None = None,
    small_cell_threshold: int = SMALL_CELL_THRESHOLD,
    max_findings: int = MAX_FINDINGS,
) -> dict[str, Any]:
    """The full report as plain JSON types (shape in ``docs/reports.md``); ``source`` names the
    store, its password and secret parameters masked.

    Counts of complaints by customer group or site below ``small_cell_threshold`` are shown as
    "fewer than 5", as are surveys with fewer responses; at most ``max_findings`` breached and
    at-risk findings a ruleset are listed, and ``finding_totals`` says how many there are.
    """
    focus = customer_focus(
        records_of,
        rulesets,
        calendar=calendar,
        at=at,
        months=months,
        review_rulesets=review_rulesets,
        progress=progress,
        progress_every=PROGRESS_EVERY,
        small_cell_threshold=small_cell_threshold,
        max_findings=max_findings,
    )
    return render_focus(focus, title=title, source=source, months=months)


def render_focus(
    focus: CustomerFocus, *, title: str, source: str, months: int = 12
) -> dict[str, Any]:
    """The report document of ``focus`` (shape in ``docs/reports.md``)."""
    reports, small = focus.reports, focus.small_cell_threshold
    return {
        "version": REPORT_VERSION,
        "kind": REPORT_KIND,
        "title": title,
        "source": redact_url(source),
        "generator": f"qse-customer {__version__}",
        "at": focus.at.isoformat(),
        "timezone": focus.calendar.timezone,
        "calendar": focus.calendar.to_dict(),
        "small_cell_threshold": small,
        "period": {
            "start": focus.start.isoformat(),
            "end": focus.end.isoformat(),
            "granularity": "month",
            "periods": list(period_keys(focus.start.date(), months)),
        },
        "standards": _standards(reports),
        "finding_totals": _finding_totals(reports),
        "breaches": _findings(reports, "breached"),
        "at_risk": _findings(reports, "at_risk"),
        "complaints": _complaints(focus.complaints, small),
        "surveys": [_survey(summary, small) for summary in focus.surveys],
        "referrals": _referrals(focus.referrals),
        "review": focus.review.to_dict() if focus.review is not None else None,
        "warnings": list(focus.warnings),
    }


def breached(report: dict[str, Any]) -> bool:
    """True when any rule of the report has a breached finding."""
    return any(rule["breached"] for rule in report["standards"]["rules"])
