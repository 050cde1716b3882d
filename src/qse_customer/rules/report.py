"""Reports: findings aggregated per rule and per period, as numbers a lab can publish.

For each rule and each period: how many records it concerned (``total``), how many it could judge
(``checked`` = met + breached + at risk + pending), the count of each status, the share met over
its denominator (met + breached: the decided findings; running clocks are not counted either
way), and the median and 90th percentile elapsed time of the clocks that stopped, in the rule's
measure (working or calendar time; see :mod:`qse_customer.rules._quantiles` for how they are kept
in bounded memory). A record belongs to the period of its first event; a threshold's finding to
the period it judges.

A ruleset checked as several versions (:mod:`~qse_customer.rules.versions`) gives one
:class:`RuleSummary` per standard (rule id), whose counts add up the versions, with one
:class:`VersionSummary` line per version that judged something.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from attrs import field, fields, frozen

from ..core._documents import Document, converter, field_dump, register
from ..core.errors import ValidationError
from ..core.timestamps import utc
from ._quantiles import ElapsedSketch
from .findings import Finding
from .status import STATUSES, Status


@frozen
class Counts(Document):
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


@frozen
class PeriodSummary(Document):
    """One rule in one period."""

    period: str
    counts: Counts


@frozen
class VersionSummary(Document):
    """What one version of a ruleset judged under one standard: its wording, dates and counts."""

    version: str
    effective_from: date | None
    effective_until: date | None
    title: str
    source: str
    counts: Counts
    periods: tuple[PeriodSummary, ...]


@frozen
class VersionInForce(Document):
    """One version of the ruleset a report checked, and the local dates it was in force."""

    version: str
    effective_from: date | None
    effective_until: date | None


@frozen
class RuleSummary(Document):
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


@frozen
class Report(Document):
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

    def to_json(self, *, indent: int | None = None) -> str:
        """The report as a JSON document."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)


# How the converter writes them (the shape ``docs/reports.md`` documents): a rule's counts, and
# those of each period and version, are laid out flat beside its name; a report's evidence
# counts are grouped under ``evidence``.
_STATUS_FIELDS = tuple(status.value for status in STATUSES)
_ELAPSED_FIELDS = (
    "elapsed_median_seconds",
    "elapsed_p90_seconds",
    "elapsed_count",
    "elapsed_exact",
)
_statuses = field_dump(Counts, omit=_ELAPSED_FIELDS)
_elapsed = field_dump(Counts, omit=_STATUS_FIELDS)


def _counts(counts: Counts) -> dict[str, Any]:
    return {
        "total": counts.total,
        "checked": counts.checked,
        **_statuses(counts),
        "share_met": counts.share_met,
        "share_met_denominator": counts.decided,
        **_elapsed(counts),
    }


def _flat(cls: type[Any]) -> Callable[[Any], dict[str, Any]]:
    """``cls``'s fields before ``counts``, then the counts laid out flat, then the rest."""
    names = [attribute.name for attribute in fields(cls)]
    cut = names.index("counts")
    head, tail = field_dump(cls, omit=names[cut:]), field_dump(cls, omit=names[: cut + 1])

    def flat(value: Any) -> dict[str, Any]:
        return {**head(value), **_counts(value.counts), **tail(value)}

    return flat


register(Counts, _counts)
register(PeriodSummary, lambda summary: {"period": summary.period, **_counts(summary.counts)})
register(VersionSummary, _flat(VersionSummary))
register(RuleSummary, _flat(RuleSummary))
_report_head = field_dump(
    Report, omit=("findings", "unstamped_records", "backdated_events", "backdated_after")
)


def _report(report: Report) -> dict[str, Any]:
    return {
        **_report_head(report),
        "evidence": {
            "unstamped_records": report.unstamped_records,
            "backdated_events": report.backdated_events,
            "backdated_after": report.backdated_after,
        },
        "findings": converter.unstructure(report.findings, tuple[Finding, ...]),
    }


register(Report, _report)
