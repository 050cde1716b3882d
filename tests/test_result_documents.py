"""The result classes' documents (``to_dict()``, made by the library's one cattrs converter) are
exactly those the hand-written ``to_dict`` methods made before: the same keys, in the same order,
with the same values. The reference functions below are those methods as they were."""

from __future__ import annotations

import json
from typing import Any

import pytest

from qse_customer.core._frozen_json import thaw
from qse_customer.demo.lab import generate_lab
from qse_customer.demo.run import SHIPPED
from qse_customer.reports.content import records_of_sequence
from qse_customer.review.management_review import customer_focus
from qse_customer.review.packet import PACKET_VERSION, ReviewPacket
from qse_customer.review.small_cells import (
    GROUP_DIMENSIONS,
    fewer_than,
    is_small,
    suppress_survey,
    suppress_table,
)
from qse_customer.rules import load_ruleset
from qse_customer.rules.findings import Finding
from qse_customer.rules.report import Counts, Report, RuleSummary, VersionSummary
from qse_customer.rules.status import STATUSES


def counts_reference(counts: Counts) -> dict[str, Any]:
    return {
        "total": counts.total,
        "checked": counts.checked,
        **{status.value: counts.count(status) for status in STATUSES},
        "share_met": counts.share_met,
        "share_met_denominator": counts.decided,
        "elapsed_median_seconds": counts.elapsed_median_seconds,
        "elapsed_p90_seconds": counts.elapsed_p90_seconds,
        "elapsed_count": counts.elapsed_count,
        "elapsed_exact": counts.elapsed_exact,
    }


def period_reference(summary: Any) -> dict[str, Any]:
    return {"period": summary.period, **counts_reference(summary.counts)}


def version_line_reference(line: VersionSummary) -> dict[str, Any]:
    return {
        "version": line.version,
        "effective_from": line.effective_from.isoformat() if line.effective_from else None,
        "effective_until": line.effective_until.isoformat() if line.effective_until else None,
        "title": line.title,
        "source": line.source,
        **counts_reference(line.counts),
        "periods": [period_reference(summary) for summary in line.periods],
    }


def rule_reference(summary: RuleSummary) -> dict[str, Any]:
    return {
        "rule_id": summary.rule_id,
        "title": summary.title,
        "kind": summary.kind,
        "source": summary.source,
        "severity": summary.severity,
        "measure": summary.measure,
        **counts_reference(summary.counts),
        "periods": [period_reference(period) for period in summary.periods],
        "versions": [version_line_reference(line) for line in summary.versions],
    }


def finding_reference(finding: Finding) -> dict[str, Any]:
    return {
        "rule_id": finding.rule_id,
        "record_type": finding.record_type,
        "record_id": finding.record_id,
        "status": finding.status.value,
        "due_at": finding.due_at.isoformat() if finding.due_at is not None else None,
        "period": finding.period,
        "elapsed_seconds": (
            finding.elapsed.total_seconds() if finding.elapsed is not None else None
        ),
        "measure": finding.measure,
        "severity": finding.severity,
        "source": finding.source,
        "ruleset": finding.ruleset,
        "ruleset_version": finding.ruleset_version,
        "message": finding.message,
        "evidence": thaw(finding.evidence),
    }


def report_reference(report: Report) -> dict[str, Any]:
    return {
        "ruleset": report.ruleset,
        "ruleset_version": report.ruleset_version,
        "at": report.at.isoformat(),
        "period": report.period,
        "timezone": report.timezone,
        "calendar": report.calendar,
        "records": report.records,
        "rules": [rule_reference(summary) for summary in report.rules],
        "kept": [status.value for status in report.kept],
        "findings_omitted": report.findings_omitted,
        "versions": [
            {
                "version": version.version,
                "effective_from": (
                    version.effective_from.isoformat() if version.effective_from else None
                ),
                "effective_until": (
                    version.effective_until.isoformat() if version.effective_until else None
                ),
            }
            for version in report.versions
        ],
        "evidence": {
            "unstamped_records": report.unstamped_records,
            "backdated_events": report.backdated_events,
            "backdated_after": report.backdated_after,
        },
        "findings": [finding_reference(finding) for finding in report.findings],
    }


def packet_reference(packet: ReviewPacket) -> dict[str, Any]:
    period, standards, trends = packet.period, packet.standards, packet.complaints
    small = trends.small_cell_threshold

    def table(name: str, counts: Any) -> dict[str, Any]:
        document = counts.to_dict()
        return suppress_table(document, small) if name in GROUP_DIMENSIONS else document

    def recurrence(item: Any) -> dict[str, Any]:
        document = item.to_dict()
        grouped = any(name in GROUP_DIMENSIONS for name, _ in item.group)
        if grouped and is_small(item.peak, small):
            return document | {
                "peak": None,
                "peak_shown": fewer_than(small),
                "complaint_ids": [],
                "message": item.describe(fewer_than(small)),
            }
        return document | {"peak_shown": str(item.peak)}

    def survey(result: Any) -> dict[str, Any]:
        exact = {
            "survey_id": result.survey_id,
            "title": result.title,
            "audience": result.audience,
            "status": result.status,
            "approved": result.approved,
            "instrument": result.instrument,
            "instrument_version": result.instrument_version,
            "instrument_title": result.instrument_title,
            "responses": result.responses,
            "response_rate": result.response_rate.to_dict() if result.response_rate else None,
            "analysis": result.analysis.to_dict(),
            "previous": (
                {
                    "start": result.previous.start.isoformat(),
                    "end": result.previous.end.isoformat(),
                    "responses": result.previous.responses,
                }
                if result.previous
                else None
            ),
            "comparison": result.comparison.to_dict() if result.comparison else None,
            "warnings": list(result.warnings),
        }
        return suppress_survey(exact, result.small_cell_threshold, result.analysis.warnings)

    def open_referral(item: Any) -> dict[str, Any]:
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
            "source_records": [{"type": r.type, "id": r.id} for r in referral.source_records],
            "evidence": thaw(referral.evidence),
        }

    return {
        "version": PACKET_VERSION,
        "kind": "management_review",
        "small_cell_threshold": packet.small_cell_threshold,
        "period": {
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
            "at": period.at.isoformat(),
            "timezone": period.timezone,
            "granularity": period.granularity,
            "periods": list(period.periods),
        },
        "standards": {
            "rulesets": [
                {"name": r.name, "version": r.version, "records": r.records}
                for r in standards.rulesets
            ],
            "rules": [
                {
                    "ruleset": rule.ruleset,
                    "ruleset_version": rule.ruleset_version,
                    **rule_reference(rule.summary),
                }
                for rule in standards.rules
            ],
            "findings_omitted": standards.findings_omitted,
        },
        "finding_totals": standards.finding_totals(),
        "breaches": [finding_reference(finding) for finding in standards.breaches],
        "at_risk": [finding_reference(finding) for finding in standards.at_risk],
        "complaints": {
            "total": trends.total,
            "anonymous": trends.anonymous,
            "named": trends.total - trends.anonymous,
            **{f"by_{name}": table(name, counts) for name, counts in trends.counts.items()},
            "pareto": trends.pareto.to_dict(),
            "recurrences": {
                "threshold": trends.recurrence_threshold,
                "window_seconds": trends.recurrence_window_seconds,
                "by": list(trends.recurrence_by),
                "items": [recurrence(item) for item in trends.recurrences],
            },
            "control_chart": trends.control_chart.to_dict(),
        },
        "surveys": [survey(result) for result in packet.surveys],
        "referrals": {
            "counts": {
                "open": len(packet.referrals.open),
                "overdue": sum(1 for item in packet.referrals.open if item.overdue),
                "opened_in_period": packet.referrals.opened_in_period,
                "closed_in_period": packet.referrals.closed_in_period,
            },
            "open": [open_referral(item) for item in packet.referrals.open],
        },
        "warnings": list(packet.warnings),
    }


def same(document: dict[str, Any], reference: dict[str, Any]) -> None:
    """Equal, key order included (the JSON text is the same)."""
    assert json.dumps(document) == json.dumps(reference)


@pytest.fixture(scope="module")
def focus() -> Any:
    lab = generate_lab(2026)
    rulesets = [*(load_ruleset(name) for name in SHIPPED), lab.contract_ruleset()]
    return customer_focus(
        records_of_sequence(lab.records), rulesets, calendar=lab.calendar, at=lab.at
    )


def test_every_report_finding_and_rule_is_written_as_before(focus: Any) -> None:
    assert focus.reports
    for report in focus.reports:
        same(report.to_dict(), report_reference(report))
        assert json.loads(report.to_json()) == report_reference(report)
        for finding in report.findings:
            same(finding.to_dict(), finding_reference(finding))
    assert any(report.findings for report in focus.reports)


def test_the_review_packet_is_written_as_before(focus: Any) -> None:
    packet = focus.review
    assert packet is not None
    assert packet.standards.breaches and packet.complaints.total and packet.surveys
    same(packet.to_dict(), packet_reference(packet))
    assert json.loads(packet.to_json()) == packet_reference(packet)


def test_versions_of_a_ruleset_are_written_as_before() -> None:
    from qse_customer.rules.versions import check

    lab = generate_lab(2026)
    older = load_ruleset("customer-service-standards").to_dict() | {
        "version": "1",
        "effective_until": "2025-08-31",
    }
    newer = load_ruleset("customer-service-standards").to_dict() | {
        "version": "2",
        "effective_from": "2025-09-01",
    }
    report = check(
        lab.records,
        [load_ruleset(older), load_ruleset(newer)],
        calendar=lab.calendar,
        at=lab.at,
    )
    assert report.versions and any(rule.versions for rule in report.rules)
    same(report.to_dict(), report_reference(report))
