"""``management_review``: one period's performance, complaint trends, survey results and open
referrals, gathered from one pass over the records into a :class:`ReviewPacket`.

Sources: 000 ("Referral for Process Improvement"; "Results are submitted for management review
and referred for process improvement as needed") and 003 section 10 (monitor performance
against the standards and publish the results). The packet's shape is in ``docs/review.md``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Final
from zoneinfo import ZoneInfo

from ..analysis.complaint_trends import (
    control_chart,
    count_complaints,
    detect_recurrences,
    pareto,
)
from ..analysis.instrument_registry import (
    InstrumentRegistry,
    UnknownInstrumentError,
    default_registry,
)
from ..analysis.periods import GRANULARITIES, Granularity, period_key, period_range
from ..analysis.survey_analysis import analyse_survey, compare_periods
from ..analysis.survey_round import response_rate
from ..analysis.survey_statistics import DEFAULT_MIN_N
from ..core.calendar import WorkingCalendar
from ..core.complaint import Complaint
from ..core.errors import ValidationError
from ..core.record import Record
from ..core.referral import Referral
from ..core.survey import Answer, Survey, SurveyResponse
from ..core.timestamps import utc, wall_clock
from ..rules.loader import RulesetSource
from ..rules.versions import RulesetVersions
from .packet import (
    ComplaintTrends,
    OpenReferral,
    PreviousPeriod,
    ReferralSection,
    ReviewPacket,
    ReviewPeriod,
    SurveyResult,
)
from .small_cells import SMALL_CELL_THRESHOLD, check_small_cell_threshold
from .standards import check_standards, plan_rulesets

COUNT_DIMENSIONS: Final = ("period", "category", "customer_group", "channel", "site")
"""The complaint dimensions the packet counts by, each as ``by_<dimension>``."""

RECURRENCE_BY: Final = ("category", "customer_group")
"""Recurrences are the same category from the same customer group (domain brief)."""

DEFAULT_RECURRENCE_THRESHOLD: Final = 2
DEFAULT_RECURRENCE_WINDOW: Final = timedelta(days=30)


def _status_at(record: Record, at: datetime) -> str:
    """The record's status from the events that had happened by ``at``."""
    return record.LIFECYCLE.status([event.kind for event in record.events if event.at <= at])


class _Collector:
    """What the single pass keeps besides the engine's counters: the period's complaints,
    survey records and live responses, and the referrals open at ``at``."""

    def __init__(
        self,
        *,
        start: datetime,
        until: datetime,
        at: datetime,
        previous_start: datetime,
        chart_periods: frozenset[str],
        granularity: str,
        timezone: str,
        engine_types: frozenset[str],
    ) -> None:
        self.start = start
        self.until = until
        self.at = at
        self.previous_start = previous_start
        self.chart_periods = chart_periods
        self.granularity = granularity
        self.timezone = timezone
        self.engine_types = engine_types
        self.complaints: list[Complaint] = []
        self.chart_only: list[Complaint] = []
        self.surveys: dict[str, Survey] = {}
        self.responses: list[SurveyResponse] = []
        self.previous: list[SurveyResponse] = []
        self.referrals: list[Referral] = []
        self.opened_referrals = 0
        self.closed_referrals = 0
        self.counts: Counter[str] = Counter()

    def stream(self, records: Iterable[Record]) -> Iterator[Record]:
        """Sort each record into what it feeds; yield those the rules judge this period."""
        if not isinstance(records, Iterable):
            raise ValidationError.single(
                "$.records", f"expected an iterable of records, got {type(records).__name__}"
            )
        start, until = self.start, self.until
        for record in records:
            if not isinstance(record, Record):
                raise ValidationError.single(
                    "$.records", f"expected records, got a {type(record).__name__}"
                )
            # The analytics count what was known at ``at``; the rules judge the record itself
            # (the engine makes the same cut, and also sees corrections and erasures).
            then = record.as_known_at(self.at)
            if then is None:
                continue
            opened = then.events[0].at
            in_period = start <= opened < until
            if isinstance(then, Complaint):
                self._complaint(then, opened, in_period)
            elif isinstance(then, SurveyResponse):
                self._response(then, opened, in_period)
            elif isinstance(then, Survey):
                if opened <= self.at:
                    self.surveys[then.id] = then
            elif isinstance(then, Referral):
                self._referral(then)
            if in_period and record.TYPE in self.engine_types:
                self.counts[record.TYPE] += 1
                yield record

    def _complaint(self, complaint: Complaint, opened: datetime, in_period: bool) -> None:
        if in_period:
            self.complaints.append(complaint)
        elif (
            opened < self.until
            and period_key(opened, self.granularity, self.timezone) in self.chart_periods
        ):
            self.chart_only.append(complaint)

    def _response(self, response: SurveyResponse, opened: datetime, in_period: bool) -> None:
        if _status_at(response, self.at) == "closed":
            return  # withdrawn
        if in_period:
            self.responses.append(response)
        elif self.previous_start <= opened < self.start:
            self.previous.append(response)

    def _referral(self, referral: Referral) -> None:
        if referral.opened_at > self.at:
            return
        if self.start <= referral.opened_at < self.until:
            self.opened_referrals += 1
        if any(
            event.kind == "closed" and self.start <= event.at < self.until
            for event in referral.events
        ):
            self.closed_referrals += 1
        if _status_at(referral, self.at) != "closed":
            self.referrals.append(referral)


def _aware(value: datetime, name: str) -> datetime:
    return utc(value, f"$.{name}")


def _sub_periods(start: datetime, until: datetime, granularity: str, timezone: str) -> list[str]:
    if until <= start:
        return []
    last = period_key(until - timedelta(microseconds=1), granularity, timezone)
    return list(period_range(period_key(start, granularity, timezone), last, granularity))


def management_review(
    records: Iterable[Record],
    *,
    rulesets: Sequence[RulesetSource | RulesetVersions],
    calendar: WorkingCalendar,
    start: datetime,
    end: datetime,
    at: datetime,
    granularity: Granularity = "month",
    instruments: InstrumentRegistry | None = None,
    request_volumes: Mapping[str, int] | None = None,
    invited: Mapping[str, int] | None = None,
    previous_start: datetime | None = None,
    recurrence_threshold: int = DEFAULT_RECURRENCE_THRESHOLD,
    recurrence_window: timedelta = DEFAULT_RECURRENCE_WINDOW,
    min_n: int = DEFAULT_MIN_N,
    max_findings: int = 10_000,
    kinds: Mapping[str, Any] | None = None,
    small_cell_threshold: int = SMALL_CELL_THRESHOLD,
) -> ReviewPacket:
    """The management review packet for ``[start, end)`` as of ``at``, from one pass over
    ``records`` (any mix of record types); see ``docs/review.md`` for what counts and the shape.
    """
    small = check_small_cell_threshold(small_cell_threshold)
    if not isinstance(calendar, WorkingCalendar):
        raise ValidationError.single(
            "$.calendar", f"expected a WorkingCalendar, got {type(calendar).__name__}"
        )
    start, end, at = _aware(start, "start"), _aware(end, "end"), _aware(at, "at")
    if end <= start:
        raise ValidationError.single("$.end", "expected an end after the start of the period")
    if granularity not in GRANULARITIES:
        raise ValidationError.single(
            "$.granularity", f"expected one of {', '.join(GRANULARITIES)}, got {granularity!r}"
        )
    if previous_start is None:
        previous_start = start - (end - start)
    previous_start = _aware(previous_start, "previous_start")
    if previous_start >= start:
        raise ValidationError.single(
            "$.previous_start", "expected a start of the comparison period before the review's"
        )
    registry = instruments if instruments is not None else default_registry()
    timezone = calendar.timezone
    until = min(end, at)
    first_day = wall_clock(start, ZoneInfo(timezone)).date()
    plan = plan_rulesets(rulesets, first_day, kinds)
    periods = _sub_periods(start, end, granularity, timezone)
    volumes = dict(request_volumes) if request_volumes is not None else None
    collector = _Collector(
        start=start,
        until=until,
        at=at,
        previous_start=previous_start,
        chart_periods=frozenset(volumes or ()),
        granularity=granularity,
        timezone=timezone,
        engine_types=plan.record_types,
    )
    standards = check_standards(
        plan,
        collector.stream(records),
        calendar=calendar,
        at=at,
        granularity=granularity,
        max_findings=max_findings,
        counts=collector.counts,
    )
    warnings: list[str] = []
    complaints = _complaint_trends(
        collector,
        periods=periods,
        volumes=volumes,
        threshold=recurrence_threshold,
        window=recurrence_window,
        small=small,
    )
    surveys = _survey_results(
        collector,
        registry=registry,
        invited=invited or {},
        min_n=min_n,
        warnings=warnings,
        small=small,
    )
    referrals = _referral_section(collector)
    return ReviewPacket(
        period=ReviewPeriod(start, end, at, timezone, granularity, tuple(periods)),
        standards=standards,
        complaints=complaints,
        surveys=surveys,
        referrals=referrals,
        warnings=tuple(warnings),
        small_cell_threshold=small,
    )


def _complaint_trends(
    collector: _Collector,
    *,
    periods: list[str],
    volumes: dict[str, int] | None,
    threshold: int,
    window: timedelta,
    small: int,
) -> ComplaintTrends:
    complaints = collector.complaints
    timezone, granularity = collector.timezone, collector.granularity
    counts = {}
    for dimension in COUNT_DIMENSIONS:
        own = None
        if dimension == "period" and volumes is not None:
            own = {key: value for key, value in volumes.items() if key in periods}
        counts[dimension] = count_complaints(
            complaints, by=(dimension,), period=granularity, timezone=timezone, volumes=own
        )
    if volumes is not None:
        chart = control_chart(
            complaints + collector.chart_only,
            volumes=volumes,
            period=granularity,
            timezone=timezone,
        )
    else:
        chart = control_chart(complaints, periods=periods, period=granularity, timezone=timezone)
    return ComplaintTrends(
        total=len(complaints),
        anonymous=sum(1 for complaint in complaints if complaint.anonymous),
        counts=counts,
        pareto=pareto(complaints, timezone=timezone, period=granularity),
        recurrence_threshold=threshold,
        recurrence_window_seconds=window.total_seconds() if isinstance(window, timedelta) else 0,
        recurrence_by=RECURRENCE_BY,
        recurrences=detect_recurrences(
            complaints, threshold=threshold, window=window, by=RECURRENCE_BY, timezone=timezone
        ),
        control_chart=chart,
        small_cell_threshold=small,
    )


def _invited(survey: Survey | None, survey_id: str, invited: Mapping[str, int]) -> int | None:
    """How many were invited: the caller's number, else the latest ``conducted`` event's."""
    if survey_id in invited:
        return invited[survey_id]
    if survey is None:
        return None
    conducted = survey.last("conducted")
    number = conducted.data.get("invited") if conducted is not None else None
    if isinstance(number, bool) or not isinstance(number, int):
        return None
    return number


def _answers(responses: Iterable[SurveyResponse]) -> list[Mapping[str, Answer]]:
    return [response.answers for response in responses]


def _survey_results(
    collector: _Collector,
    *,
    registry: InstrumentRegistry,
    invited: Mapping[str, int],
    min_n: int,
    warnings: list[str],
    small: int,
) -> tuple[SurveyResult, ...]:
    groups: defaultdict[str, list[SurveyResponse]] = defaultdict(list)
    for response in collector.responses:
        groups[response.survey_id].append(response)
    for created in collector.surveys.values():
        if collector.start <= created.opened_at < collector.until:
            groups.setdefault(created.id, [])
    results = []
    for survey_id in sorted(groups):
        survey = collector.surveys.get(survey_id)
        responses = groups[survey_id]
        instrument_id = survey.instrument if survey is not None else responses[0].instrument
        try:
            instrument = registry.get(instrument_id)
        except UnknownInstrumentError:
            warnings.append(
                f"survey {survey_id!r}: instrument {instrument_id!r} is not registered, so its "
                "results are left out; register the instrument and run the review again"
            )
            continue
        own = [r for r in responses if r.instrument == instrument_id]
        if len(own) < len(responses):
            warnings.append(
                f"survey {survey_id!r}: {len(responses) - len(own)} responses answer another "
                f"instrument than {instrument_id!r} and are left out"
            )
        audience = survey.audience.value if survey is not None else None
        before = [
            r
            for r in collector.previous
            if r.instrument == instrument_id and _same_audience(r, audience, collector.surveys)
        ]
        number = _invited(survey, survey_id, invited)
        rate = None
        if number is not None:
            rate = response_rate(survey_id, own, invited=number)
        analysis = analyse_survey(instrument, _answers(own), min_n=min_n)
        comparison = None
        previous = None
        if before:
            previous = PreviousPeriod(collector.previous_start, collector.start, len(before))
            comparison = compare_periods(instrument, _answers(before), _answers(own), min_n=min_n)
        notes = list(analysis.warnings)
        if number is None:
            notes.append(
                "no response rate: the number invited is unknown (record it as 'invited' in the "
                "data of the survey's 'conducted' event, or pass invited=)"
            )
        if survey is None:
            notes.append("no survey record was among the records; title and audience unknown")
        results.append(
            SurveyResult(
                survey_id=survey_id,
                title=survey.title if survey is not None else None,
                audience=audience,
                status=_status_at(survey, collector.at) if survey is not None else None,
                approved=(
                    any(e.kind == "approved" and e.at <= collector.at for e in survey.events)
                    if survey is not None
                    else None
                ),
                instrument=instrument.id,
                instrument_version=instrument.version,
                instrument_title=instrument.title,
                responses=len(own),
                response_rate=rate,
                analysis=analysis,
                previous=previous,
                comparison=comparison,
                warnings=tuple(notes),
                small_cell_threshold=small,
            )
        )
    return tuple(results)


def _same_audience(
    response: SurveyResponse, audience: str | None, surveys: Mapping[str, Survey]
) -> bool:
    """A response from a survey of the same audience (any, when either audience is unknown)."""
    survey = surveys.get(response.survey_id)
    return audience is None or survey is None or survey.audience.value == audience


def _referral_section(collector: _Collector) -> ReferralSection:
    at = collector.at
    items = []
    for referral in collector.referrals:
        due = referral.due_at
        items.append(
            OpenReferral(
                referral=referral,
                status=_status_at(referral, at),
                age_days=(at - referral.opened_at) // timedelta(days=1),
                overdue=due is not None and due < at,
            )
        )
    far = datetime.max.replace(tzinfo=at.tzinfo)
    items.sort(key=lambda item: (item.referral.due_at or far, item.referral.id))
    return ReferralSection(
        open=tuple(items),
        opened_in_period=collector.opened_referrals,
        closed_in_period=collector.closed_referrals,
    )
