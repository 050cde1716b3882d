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

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from itertools import chain
from typing import Any
from zoneinfo import ZoneInfo

from .._version import __version__
from ..analysis.complaint_trends import control_chart, count_complaints, pareto
from ..analysis.instrument_registry import UnknownInstrumentError, load_instrument
from ..analysis.periods import period_keys
from ..analysis.survey_analysis import analyse_survey, compare_periods
from ..analysis.survey_round import response_rate
from ..core.calendar import WorkingCalendar
from ..core.complaint import Complaint
from ..core.errors import QSEError, ValidationError
from ..core.record import Record
from ..core.record_types import RECORD_TYPES
from ..core.redaction import redact_url
from ..core.referral import Referral
from ..core.survey import Survey, SurveyResponse
from ..core.timestamps import wall_clock
from ..review import management_review
from ..review.small_cells import (
    GROUP_DIMENSIONS,
    SMALL_CELL_THRESHOLD,
    check_small_cell_threshold,
    suppress_survey,
    suppress_table,
)
from ..rules.report import Report
from ..rules.ruleset import Ruleset
from ..rules.status import Status
from ..rules.versions import CompiledVersions, RulesetVersions, compile_ruleset

REPORT_VERSION = 2
"""Raised when a key is removed or renamed, or a value may now be null; new keys may be added
within a version (version 2: small counts by group, and small surveys' results, are hidden)."""
REPORT_KIND = "qse_customer_report"

RecordsOf = Callable[[str], Iterable[Record]]
"""Every record of one type, by its ``"type"`` tag (``store.stream`` fits)."""
Progress = Callable[[str], None]


def known_at(records_of: RecordsOf, at: datetime) -> RecordsOf:
    """``records_of`` with every record as it was known at ``at``
    (:meth:`~qse_customer.Record.as_known_at`): a report for a past moment counts what was
    recorded by then, and later entries never change it."""

    def known(tag: str) -> Iterable[Record]:
        for record in records_of(tag):
            then = record.as_known_at(at)
            if then is not None:
                yield then

    return known


def records_of_sequence(records: Sequence[Record]) -> RecordsOf:
    """A :data:`RecordsOf` over records held in memory."""

    def of(tag: str) -> Iterator[Record]:
        return (record for record in records if tag == record.TYPE)

    return of


def month_window(at: datetime, zone: ZoneInfo, months: int = 12) -> tuple[datetime, datetime]:
    """The ``months`` calendar months ending with the month of ``at`` (local), as [start, end)."""
    local = wall_clock(at, zone)
    end_month = local.year * 12 + local.month  # the month after at's month, counted from 0
    start_month = end_month - months
    start = datetime(start_month // 12, start_month % 12 + 1, 1, tzinfo=zone)
    end = datetime(end_month // 12, end_month % 12 + 1, 1, tzinfo=zone)
    return start, end


MAX_FINDINGS = 10_000
"""How many breached and at-risk findings a report lists per ruleset, by default."""

PROGRESS_EVERY = 100_000
"""How many records a long check reads between two progress lines."""


def _counted(records: Iterable[Record], progress: Progress, name: str) -> Iterator[Record]:
    """``records``, saying every :data:`PROGRESS_EVERY` records how many have been checked."""
    for count, record in enumerate(records, start=1):
        if count % PROGRESS_EVERY == 0:
            progress(f"{name}: {count:,} records checked")
        yield record


def check_rulesets(
    records_of: RecordsOf,
    rulesets: Sequence[Ruleset | RulesetVersions],
    *,
    calendar: WorkingCalendar,
    at: datetime,
    progress: Progress | None = None,
    max_findings: int = MAX_FINDINGS,
) -> list[Report]:
    """Check each ruleset (or the versions of one, each streaming the records again) against
    the records of the types its rules apply to, keeping at most ``max_findings`` breached and
    at-risk findings of each (every count stays complete)."""
    reports = []
    for ruleset in rulesets:
        if progress is not None:
            progress(f"checking {ruleset.name}")
        compiled = compile_ruleset(ruleset, calendar=calendar)
        tags = sorted({tag for rule in ruleset.rules for tag in rule.applies_to.record_types})
        if "any" in tags:
            tags = sorted(RECORD_TYPES)

        def records(name: str = ruleset.name, tags: list[str] = tags) -> Iterable[Record]:
            """The records of the ruleset's types, read afresh."""
            found: Iterable[Record] = chain.from_iterable(records_of(tag) for tag in tags)
            return _counted(found, progress, name) if progress is not None else found

        if isinstance(compiled, CompiledVersions):
            reports.append(compiled.check_from(records, at=at, max_findings=max_findings))
        else:
            reports.append(compiled.check(records(), at=at, max_findings=max_findings))
    return reports


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


def _complaints(
    complaints: list[Complaint],
    *,
    zone: str,
    start: datetime,
    end: datetime,
    months: list[str],
    small: int,
) -> dict[str, Any]:
    window = [c for c in complaints if start <= c.opened_at < end]

    def counted(dimension: str) -> dict[str, Any]:
        table = count_complaints(window, by=(dimension,), timezone=zone).to_dict()
        return suppress_table(table, small) if dimension in GROUP_DIMENSIONS else table

    return {
        "total": len(window),
        "anonymous": sum(1 for c in window if c.anonymous),
        "named": sum(1 for c in window if not c.anonymous),
        "by_period": counted("period"),
        "by_category": counted("category"),
        "by_customer_group": counted("customer_group"),
        "by_site": counted("site"),
        "by_severity": counted("severity"),
        "pareto": pareto(window, timezone=zone).to_dict() if window else None,
        "control_chart": (
            control_chart(window, periods=months, timezone=zone).to_dict() if window else None
        ),
    }


def _invited(survey: Survey) -> int | None:
    event = survey.last("conducted")
    value = event.data.get("invited") if event is not None else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _surveys(
    surveys: list[Survey], responses: list[SurveyResponse], warnings: list[str], small: int
) -> list[dict[str, Any]]:
    by_survey: dict[str, list[SurveyResponse]] = {}
    for response in responses:
        by_survey.setdefault(response.survey_id, []).append(response)
    known = {survey.id: survey for survey in surveys}
    documents = []
    for survey_id in sorted(set(known) | set(by_survey)):
        survey = known.get(survey_id)
        answers = by_survey.get(survey_id, [])
        instrument_id = survey.instrument if survey else answers[0].instrument
        try:
            instrument = load_instrument(instrument_id)
        except (UnknownInstrumentError, QSEError) as error:
            warnings.append(f"survey {survey_id!r}: {error}")
            continue
        invited = _invited(survey) if survey else None
        rate = None
        if invited is not None and len(answers) <= invited and answers:
            rate = response_rate(survey_id, answers, invited=invited).to_dict()
        previous = _previous(survey, surveys) if survey else None
        comparison = None
        if previous is not None and by_survey.get(previous.id) and answers:
            comparison = compare_periods(instrument, by_survey[previous.id], answers).to_dict()
        document = {
            "survey_id": survey_id,
            "title": survey.title if survey else None,
            "audience": survey.audience.value if survey else None,
            "status": survey.status if survey else None,
            "approved": survey.approved if survey else None,
            "instrument": instrument.id,
            "instrument_version": instrument.version,
            "instrument_title": instrument.title,
            "responses": len([r for r in answers if not r.is_closed]),
            "response_rate": rate,
            "analysis": analyse_survey(instrument, answers).to_dict(),
            "previous": (
                {"survey_id": previous.id, "responses": len(by_survey.get(previous.id, []))}
                if previous is not None
                else None
            ),
            "comparison": comparison,
        }
        documents.append(suppress_survey(document, small))
    return documents


def _previous(survey: Survey, surveys: list[Survey]) -> Survey | None:
    earlier = [
        other
        for other in surveys
        if other.instrument == survey.instrument
        and other.audience is survey.audience
        and other.opened_at < survey.opened_at
    ]
    return max(earlier, key=lambda other: other.opened_at) if earlier else None


def _referrals(referrals: list[Referral], at: datetime, start: datetime) -> dict[str, Any]:
    live = [r for r in referrals if r.opened_at <= at]
    open_ = [r for r in live if not r.is_closed]
    rows = []
    for referral in open_:
        overdue = referral.due_at is not None and referral.due_at < at
        rows.append(
            {
                "id": referral.id,
                "title": referral.title,
                "reason": referral.reason,
                "status": referral.status,
                "owner_role": referral.owner_role.value,
                "opened_at": referral.opened_at.isoformat(),
                "due_at": referral.due_at.isoformat() if referral.due_at else None,
                "age_days": (at - referral.opened_at).days,
                "overdue": overdue,
                "source_rule": referral.source_rule,
                "source_records": [{"type": r.type, "id": r.id} for r in referral.source_records],
            }
        )
    rows.sort(key=lambda row: (row["due_at"] is None, row["due_at"] or "", row["id"]))
    return {
        "counts": {
            "open": len(open_),
            "overdue": sum(1 for row in rows if row["overdue"]),
            "opened_in_period": sum(1 for r in live if r.opened_at >= start),
            "closed_in_period": sum(1 for r in live if r.is_closed and r.last_event_at >= start),
        },
        "open": rows,
    }


def _review(
    records_of: RecordsOf,
    rulesets: Sequence[Ruleset | RulesetVersions],
    *,
    calendar: WorkingCalendar,
    at: datetime,
    start: datetime,
    end: datetime,
    warnings: list[str],
    small: int,
    max_findings: int,
) -> dict[str, Any] | None:
    """The management review packet for [start, end); a packet that cannot be made is left out
    with a warning saying why, so the rest of the report still renders."""
    records = chain.from_iterable(records_of(tag) for tag in sorted(RECORD_TYPES))
    try:
        packet = management_review(
            records,
            rulesets=list(rulesets),
            calendar=calendar,
            start=start,
            end=end,
            at=at,
            small_cell_threshold=small,
            max_findings=max_findings,
        )
    except QSEError as error:
        warnings.append(f"the management review packet could not be made: {error}")
        return None
    document: dict[str, Any] = packet.to_dict()
    return document


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
    small = check_small_cell_threshold(small_cell_threshold)
    if isinstance(max_findings, bool) or not isinstance(max_findings, int) or max_findings < 0:
        raise ValidationError.single(
            "$.max_findings", f"expected a whole number of findings >= 0, got {max_findings!r}"
        )
    zone = ZoneInfo(calendar.timezone)
    start, end = month_window(at, zone, months)
    periods = list(period_keys(start.date(), months))
    reports = check_rulesets(
        records_of,
        rulesets,
        calendar=calendar,
        at=at,
        progress=progress,
        max_findings=max_findings,
    )
    warnings: list[str] = []
    if progress is not None:
        progress("analysing complaints, surveys and referrals")
    # The analytics count what was known at ``at``, as the rule engine judges it.
    then = known_at(records_of, at)
    complaints = [c for c in then("complaint") if isinstance(c, Complaint)]
    surveys = [s for s in then("survey") if isinstance(s, Survey)]
    responses = [r for r in then("survey_response") if isinstance(r, SurveyResponse)]
    referrals = [r for r in then("referral") if isinstance(r, Referral)]
    review_start, _ = month_window(at, zone, 4)
    review_end = month_window(at, zone, 1)[0]
    if progress is not None:
        progress("preparing the management review packet")
    review = _review(
        records_of,
        review_rulesets if review_rulesets is not None else rulesets,
        calendar=calendar,
        at=at,
        start=review_start,
        end=review_end,
        warnings=warnings,
        small=small,
        max_findings=max_findings,
    )
    return {
        "version": REPORT_VERSION,
        "kind": REPORT_KIND,
        "title": title,
        "source": redact_url(source),
        "generator": f"qse-customer {__version__}",
        "at": at.isoformat(),
        "timezone": calendar.timezone,
        "calendar": calendar.to_dict(),
        "small_cell_threshold": small,
        "period": {
            "start": start.isoformat(),
            "end": end.isoformat(),
            "granularity": "month",
            "periods": periods,
        },
        "standards": _standards(reports),
        "finding_totals": _finding_totals(reports),
        "breaches": _findings(reports, "breached"),
        "at_risk": _findings(reports, "at_risk"),
        "complaints": _complaints(
            complaints, zone=calendar.timezone, start=start, end=end, months=periods, small=small
        ),
        "surveys": _surveys(surveys, responses, warnings, small),
        "referrals": _referrals(referrals, at, start),
        "review": review,
        "warnings": warnings,
    }


def breached(report: dict[str, Any]) -> bool:
    """True when any rule of the report has a breached finding."""
    return any(rule["breached"] for rule in report["standards"]["rules"])
