"""What the customer focus report holds besides the management review packet, as typed results:
the findings of each ruleset, the year's complaint trends, every survey's results and the open
referrals, all as known at the report's moment (:func:`~.management_review.customer_focus` gathers
them in one pass over the store; ``qse_customer.reports`` renders them).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from types import MappingProxyType
from typing import Any, Final

from attrs import field, frozen

from ..analysis.complaint_trends import (
    ComplaintCounts,
    ControlChart,
    Pareto,
    control_chart,
    count_complaints,
    pareto,
)
from ..analysis.instrument import Instrument
from ..analysis.instrument_registry import UnknownInstrumentError, load_instrument
from ..analysis.survey_analysis import (
    PeriodComparison,
    SurveyAnalysis,
    analyse_survey,
    compare_periods,
)
from ..analysis.survey_round import ResponseRate, response_rate
from ..core.calendar import WorkingCalendar
from ..core.complaint import Complaint
from ..core.errors import QSEError
from ..core.referral import Referral
from ..core.survey import Survey, SurveyResponse
from ..rules.report import Report
from .packet import ReviewPacket
from .wording import survey_left_out

REPORT_DIMENSIONS: Final = ("period", "category", "customer_group", "site", "severity")
"""The complaint dimensions the report counts by, each as ``by_<dimension>``."""


def _frozen_dict(value: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(value))


@frozen(eq=True, hash=False)
class ComplaintSummary:
    """The complaints opened in the report's months: counts by dimension, Pareto and control
    chart (both None when there were none)."""

    total: int
    anonymous: int
    counts: Mapping[str, ComplaintCounts] = field(converter=_frozen_dict)
    pareto: Pareto | None
    control_chart: ControlChart | None

    @property
    def named(self) -> int:
        """Complaints whose submitter gave a name."""
        return self.total - self.anonymous


def summarise_complaints(
    window: Sequence[Complaint], *, timezone: str, months: Sequence[str]
) -> ComplaintSummary:
    """The summary of ``window`` (the complaints opened in the report's months)."""
    return ComplaintSummary(
        total=len(window),
        anonymous=sum(1 for complaint in window if complaint.anonymous),
        counts={
            dimension: count_complaints(window, by=(dimension,), timezone=timezone)
            for dimension in REPORT_DIMENSIONS
        },
        pareto=pareto(window, timezone=timezone) if window else None,
        control_chart=(
            control_chart(window, periods=list(months), timezone=timezone) if window else None
        ),
    )


@frozen
class PreviousSurvey:
    """The survey before one (same instrument and audience) and how many responses it had."""

    survey_id: str
    responses: int


@frozen
class SurveySummary:
    """One survey's results as known at the report's moment."""

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
    previous: PreviousSurvey | None
    comparison: PeriodComparison | None


def _invited(survey: Survey) -> int | None:
    event = survey.last("conducted")
    value = event.data.get("invited") if event is not None else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _previous(survey: Survey, surveys: Sequence[Survey]) -> Survey | None:
    earlier = [
        other
        for other in surveys
        if other.instrument == survey.instrument
        and other.audience is survey.audience
        and other.opened_at < survey.opened_at
    ]
    return max(earlier, key=lambda other: other.opened_at) if earlier else None


def summarise_surveys(
    surveys: Sequence[Survey], responses: Sequence[SurveyResponse], warnings: list[str]
) -> tuple[SurveySummary, ...]:
    """Every survey's results (by id); a survey whose instrument cannot be loaded is left out
    with a warning appended to ``warnings``."""
    by_survey: dict[str, list[SurveyResponse]] = {}
    for response in responses:
        by_survey.setdefault(response.survey_id, []).append(response)
    known = {survey.id: survey for survey in surveys}
    results = []
    for survey_id in sorted(set(known) | set(by_survey)):
        survey = known.get(survey_id)
        answers = by_survey.get(survey_id, [])
        instrument_id = survey.instrument if survey else answers[0].instrument
        try:
            instrument: Instrument = load_instrument(instrument_id)
        except (UnknownInstrumentError, QSEError) as error:
            warnings.append(survey_left_out(survey_id, str(error)))
            continue
        invited = _invited(survey) if survey else None
        rate = None
        if invited is not None and len(answers) <= invited and answers:
            rate = response_rate(survey_id, answers, invited=invited)
        previous = _previous(survey, surveys) if survey else None
        comparison = None
        if previous is not None and by_survey.get(previous.id) and answers:
            comparison = compare_periods(instrument, by_survey[previous.id], answers)
        results.append(
            SurveySummary(
                survey_id=survey_id,
                title=survey.title if survey else None,
                audience=survey.audience.value if survey else None,
                status=survey.status if survey else None,
                approved=survey.approved if survey else None,
                instrument=instrument.id,
                instrument_version=instrument.version,
                instrument_title=instrument.title,
                responses=len([r for r in answers if not r.is_closed]),
                response_rate=rate,
                analysis=analyse_survey(instrument, answers),
                previous=(
                    PreviousSurvey(previous.id, len(by_survey.get(previous.id, [])))
                    if previous is not None
                    else None
                ),
                comparison=comparison,
            )
        )
    return tuple(results)


@frozen
class ReferralLine:
    """A referral open at the report's moment, its age in whole days and whether it is late."""

    referral: Referral
    age_days: int
    overdue: bool


@frozen
class ReferralOverview:
    """The open referrals (by due date, undated last) and the period's counts."""

    open: tuple[ReferralLine, ...]
    opened_in_period: int
    closed_in_period: int

    @property
    def overdue(self) -> int:
        """How many open referrals are past their due date."""
        return sum(1 for line in self.open if line.overdue)


def summarise_referrals(
    referrals: Sequence[Referral], at: datetime, start: datetime
) -> ReferralOverview:
    """The referrals known at ``at``, with those opened and closed since ``start``."""
    live = [r for r in referrals if r.opened_at <= at]
    lines = [
        ReferralLine(
            referral,
            (at - referral.opened_at).days,
            referral.due_at is not None and referral.due_at < at,
        )
        for referral in live
        if not referral.is_closed
    ]
    lines.sort(
        key=lambda line: (
            line.referral.due_at is None,
            line.referral.due_at.isoformat() if line.referral.due_at else "",
            line.referral.id,
        )
    )
    return ReferralOverview(
        open=tuple(lines),
        opened_in_period=sum(1 for r in live if r.opened_at >= start),
        closed_in_period=sum(1 for r in live if r.is_closed and r.last_event_at >= start),
    )


@frozen
class CustomerFocus:
    """Everything the customer focus report shows, as of ``at``: each ruleset's report over
    every record, and for the months ``[start, end)`` (``periods``) the complaint trends, every
    survey's results, the open referrals and the management review packet (None, with a
    warning, when it could not be made)."""

    at: datetime
    calendar: WorkingCalendar
    start: datetime
    end: datetime
    periods: tuple[str, ...]
    small_cell_threshold: int
    reports: tuple[Report, ...]
    complaints: ComplaintSummary
    surveys: tuple[SurveySummary, ...]
    referrals: ReferralOverview
    review: ReviewPacket | None
    warnings: tuple[str, ...] = ()
