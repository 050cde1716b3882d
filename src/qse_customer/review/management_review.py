"""``management_review``: one period's performance, complaint trends, survey results and open
referrals, gathered from one pass over the records into a :class:`ReviewPacket`.

Sources: 000 ("Referral for Process Improvement"; "Results are submitted for management review
and referred for process improvement as needed") and 003 section 10 (monitor performance
against the standards and publish the results). The packet's shape is in ``docs/review.md``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from functools import partial
from typing import Any, Final, TypeVar, cast
from zoneinfo import ZoneInfo

from ..analysis.complaint_trends import (
    Tallied,
    control_chart,
    count_complaints_each,
    detect_recurrences,
    pareto_of,
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
from ..core.errors import QSEError, ValidationError
from ..core.record import Record, _copy_with_events
from ..core.record_types import RECORD_TYPES
from ..core.referral import Referral
from ..core.survey import Answer, Survey, SurveyResponse
from ..core.timestamps import plain_utc, utc, wall_clock
from ..core.translation import ENGLISH, Said, Translator
from ..rules.loader import RulesetSource
from ..rules.report import Report
from ..rules.ruleset import Ruleset
from ..rules.versions import RulesetVersions, compile_ruleset
from ._batches import BATCH, Batched
from .focus import CustomerFocus, summarise_complaints, summarise_referrals, summarise_surveys
from .packet import (
    ComplaintTrends,
    OpenReferral,
    PreviousPeriod,
    ReferralSection,
    ReviewPacket,
    ReviewPeriod,
    StandardsSection,
    SurveyResult,
)
from .small_cells import SMALL_CELL_THRESHOLD, check_small_cell_threshold
from .standards import StandardsCheck, check_standards, plan_rulesets
from .wording import (
    instrument_not_registered,
    no_packet,
    no_survey_record,
    other_instrument,
    unknown_invited,
)

COUNT_DIMENSIONS: Final = ("period", "category", "customer_group", "channel", "site")
"""The complaint dimensions the packet counts by, each as ``by_<dimension>``."""

RECURRENCE_BY: Final = ("category", "customer_group")
"""Recurrences are the same category from the same customer group (domain brief)."""

DEFAULT_RECURRENCE_THRESHOLD: Final = 2
DEFAULT_RECURRENCE_WINDOW: Final = timedelta(days=30)

_T = TypeVar("_T")


def _status_at(record: Record, at: datetime) -> str:
    """The record's status from the events that had happened by ``at``."""
    return record.LIFECYCLE.status([event.kind for event in record.events if event.at <= at])


def _opened(complaint: Complaint) -> Complaint:
    """The complaint with its first event only: all that its counts, charts and recurrences
    read (its id, its fields and when it was opened), in a fraction of the memory.

    The copy is the one ``complaint.evolve(events=complaint.events[:1])`` makes, without checking
    again what ``complaint`` was checked for when it was made (the first event of a valid
    history is a valid history; its facts are found when first asked for): evolving checked
    every field and the history of each complaint of the period again (six times this copy)."""
    events = complaint.events
    if len(events) == 1:
        return complaint
    return _copy_with_events(complaint, events[:1], None)


def _dispatch(kind: type[Record], *handlers: tuple[type[Record], _T]) -> _T | None:
    """The handler of the first class of ``handlers`` that ``kind`` is (a subclass of): what an
    ``isinstance`` chain in that order picks for a record of class ``kind``."""
    for cls, handler in handlers:
        if issubclass(kind, cls):
            return handler
    return None


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
        self._sorters: dict[type[Record], Callable[[Record], bool] | None] = {}

    def stream(self, records: Iterable[Record]) -> Iterator[Record]:
        """Sort each record into what it feeds; yield those the rules judge this period."""
        if not isinstance(records, Iterable):
            raise ValidationError.single(
                "$.records", f"expected an iterable of records, got {type(records).__name__}"
            )
        at = self.at
        for record in records:
            if not isinstance(record, Record):
                raise ValidationError.single(
                    "$.records", f"expected records, got a {type(record).__name__}"
                )
            if self.take(record, record.as_known_at(at)):
                yield record

    def take(self, record: Record, then: Record | None) -> bool:
        """Sort ``then`` (``record`` as known at ``at``) into what it feeds; True when the rules
        judge ``record`` this period (it is then counted)."""
        # The analytics count what was known at ``at``; the rules judge the record itself
        # (the engine makes the same cut, and also sees corrections and erasures).
        if then is None:
            return False
        kind = type(then)
        sort = self._sorters.get(kind, _UNSEEN)
        if sort is _UNSEEN:
            sort = self._sorters[kind] = self.sorter(kind)
        return sort is not None and sort(then)

    def sorter(self, kind: type[Record]) -> Callable[[Record], bool] | None:
        """:meth:`take` for records of class ``kind``, given ``then`` alone (never None; the
        record is of the same class); None for a class nothing here keeps or counts."""
        tag = kind.TYPE
        judged = tag in self.engine_types
        if issubclass(kind, Complaint):
            return self._complaint_sorter(tag, judged)
        keep = _dispatch(
            kind,
            (SurveyResponse, self._response),
            (Survey, self._survey),
            (Referral, self._referral),
        )
        if keep is None and not judged:
            return None
        start, until, counts = self.start, self.until, self.counts

        def sort(then: Record) -> bool:
            opened = then.events[0].at
            in_period = start <= opened < until
            if keep is not None:
                keep(then, opened, in_period)
            if in_period and judged:
                counts[tag] += 1
                return True
            return False

        return sort

    def _complaint_sorter(self, tag: str, judged: bool) -> Callable[[Record], bool]:
        """The sorter of complaints: those opened in the period kept (their first event only),
        and those of the control chart's other periods, when it has any."""
        start, until = self.start, self.until
        counts, keep, chart_only = self.counts, self.complaints.append, self.chart_only.append
        chart_periods, granularity, timezone = self.chart_periods, self.granularity, self.timezone

        def sort(then: Record) -> bool:
            opened = then.events[0].at
            if start <= opened < until:
                keep(_opened(cast(Complaint, then)))
                if judged:
                    counts[tag] += 1
                    return True
                return False
            if (
                chart_periods
                and opened < until
                and period_key(opened, granularity, timezone) in chart_periods
            ):
                chart_only(_opened(cast(Complaint, then)))
            return False

        return sort

    def _survey(self, survey: Record, opened: datetime, in_period: bool) -> None:
        if opened <= self.at:
            self.surveys[survey.id] = cast(Survey, survey)

    def _response(self, response: Record, opened: datetime, in_period: bool) -> None:
        if _status_at(response, self.at) == "closed":
            return  # withdrawn
        if in_period:
            self.responses.append(cast(SurveyResponse, response))
        elif self.previous_start <= opened < self.start:
            self.previous.append(cast(SurveyResponse, response))

    def _referral(self, referral: Record, opened: datetime, in_period: bool) -> None:
        if opened > self.at:
            return
        if in_period:
            self.opened_referrals += 1
        if any(
            event.kind == "closed" and self.start <= event.at < self.until
            for event in referral.events
        ):
            self.closed_referrals += 1
        if _status_at(referral, self.at) != "closed":
            self.referrals.append(cast(Referral, referral))


_UNSEEN: Final[Any] = object()
"""What a class not looked up yet maps to."""


def _aware(value: datetime, name: str) -> datetime:
    return utc(value, f"$.{name}")


def _sub_periods(start: datetime, until: datetime, granularity: str, timezone: str) -> list[str]:
    if until <= start:
        return []
    last = period_key(until - timedelta(microseconds=1), granularity, timezone)
    return list(period_range(period_key(start, granularity, timezone), last, granularity))


class _Review:
    """One management review being made: its settings checked and its rulesets planned
    (:meth:`take` sorts the records as they pass, :meth:`standards` checks those it kept for the
    rules, :meth:`packet` puts the packet together)."""

    def __init__(
        self,
        *,
        rulesets: Sequence[RulesetSource | RulesetVersions],
        calendar: WorkingCalendar,
        start: datetime,
        end: datetime,
        at: datetime,
        granularity: Granularity,
        instruments: InstrumentRegistry | None,
        request_volumes: Mapping[str, int] | None,
        invited: Mapping[str, int] | None,
        previous_start: datetime | None,
        recurrence_threshold: int,
        recurrence_window: timedelta,
        min_n: int,
        max_findings: int,
        kinds: Mapping[str, Any] | None,
        small_cell_threshold: int,
    ) -> None:
        self.small = check_small_cell_threshold(small_cell_threshold)
        if not isinstance(calendar, WorkingCalendar):
            raise ValidationError.single(
                "$.calendar", f"expected a WorkingCalendar, got {type(calendar).__name__}"
            )
        start, end, at = _aware(start, "start"), _aware(end, "end"), _aware(at, "at")
        if end <= start:
            raise ValidationError.single("$.end", "expected an end after the start of the period")
        if granularity not in GRANULARITIES:
            raise ValidationError.single(
                "$.granularity",
                f"expected one of {', '.join(GRANULARITIES)}, got {granularity!r}",
            )
        if previous_start is None:
            previous_start = start - (end - start)
        previous_start = _aware(previous_start, "previous_start")
        if previous_start >= start:
            raise ValidationError.single(
                "$.previous_start", "expected a start of the comparison period before the review's"
            )
        self.registry = instruments if instruments is not None else default_registry()
        self.calendar = calendar
        self.start, self.end, self.at = start, end, at
        self.granularity = granularity
        self.invited = invited or {}
        self.recurrence_threshold = recurrence_threshold
        self.recurrence_window = recurrence_window
        self.min_n = min_n
        self.max_findings = max_findings
        timezone = calendar.timezone
        first_day = wall_clock(start, ZoneInfo(timezone)).date()
        self.plan = plan_rulesets(rulesets, first_day, kinds)
        self.periods = _sub_periods(start, end, granularity, timezone)
        self.volumes = dict(request_volumes) if request_volumes is not None else None
        self.collector = _Collector(
            start=start,
            until=min(end, at),
            at=at,
            previous_start=previous_start,
            chart_periods=frozenset(self.volumes or ()),
            granularity=granularity,
            timezone=timezone,
            engine_types=self.plan.record_types,
        )
        self.take = self.collector.take

    def standards(self, records: Iterable[Record]) -> StandardsSection:
        """Check ``records`` (those :meth:`take` kept, in order) against every ruleset."""
        return check_standards(
            self.plan,
            records,
            calendar=self.calendar,
            at=self.at,
            granularity=self.granularity,
            max_findings=self.max_findings,
            counts=self.collector.counts,
        )

    def standards_check(self) -> StandardsCheck:
        """:meth:`standards` fed the records in steps (those :meth:`take` kept, in order)."""
        return StandardsCheck(
            self.plan,
            calendar=self.calendar,
            at=self.at,
            granularity=self.granularity,
            max_findings=self.max_findings,
        )

    def packet(self, standards: StandardsSection) -> ReviewPacket:
        """The packet, once every record has passed :meth:`take`."""
        collector, small = self.collector, self.small
        warnings: list[str] = []
        complaints = _complaint_trends(
            collector,
            periods=self.periods,
            volumes=self.volumes,
            threshold=self.recurrence_threshold,
            window=self.recurrence_window,
            small=small,
        )
        surveys = _survey_results(
            collector,
            registry=self.registry,
            invited=self.invited,
            min_n=self.min_n,
            warnings=warnings,
            small=small,
        )
        referrals = _referral_section(collector)
        return ReviewPacket(
            period=ReviewPeriod(
                self.start,
                self.end,
                self.at,
                self.calendar.timezone,
                self.granularity,
                tuple(self.periods),
            ),
            standards=standards,
            complaints=complaints,
            surveys=surveys,
            referrals=referrals,
            warnings=tuple(warnings),
            small_cell_threshold=small,
        )


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
    review = _Review(
        rulesets=rulesets,
        calendar=calendar,
        start=start,
        end=end,
        at=at,
        granularity=granularity,
        instruments=instruments,
        request_volumes=request_volumes,
        invited=invited,
        previous_start=previous_start,
        recurrence_threshold=recurrence_threshold,
        recurrence_window=recurrence_window,
        min_n=min_n,
        max_findings=max_findings,
        kinds=kinds,
        small_cell_threshold=small_cell_threshold,
    )
    return review.packet(review.standards(review.collector.stream(records)))


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
    own = None
    if volumes is not None:
        own = {key: value for key, value in volumes.items() if key in periods}
    counts = count_complaints_each(
        complaints, COUNT_DIMENSIONS, period=granularity, timezone=timezone, period_volumes=own
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
        pareto=pareto_of(counts["category"]),
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
            warnings.append(instrument_not_registered(survey_id, instrument_id))
            continue
        own = [r for r in responses if r.instrument == instrument_id]
        if len(own) < len(responses):
            warnings.append(other_instrument(survey_id, len(responses) - len(own), instrument_id))
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
            notes.append(unknown_invited())
        if survey is None:
            notes.append(no_survey_record())
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


RecordsOf = Callable[[str], Iterable[Record]]
"""Every record of one type, by its ``"type"`` tag (``store.stream`` fits)."""
Progress = Callable[[str], None]
"""What is told each step of a long check: a line, in English, that is a
:class:`~qse_customer.core.translation.Said` (``in_locale(t)`` gives it in another language)."""


def checking_line(ruleset: str, t: Translator = ENGLISH) -> str:
    """The progress line of a ruleset's check starting."""
    return t.gettext("checking {ruleset}").format(ruleset=ruleset)


def checked_line(ruleset: str, count: int, t: Translator = ENGLISH) -> str:
    """The progress line of ``count`` records checked against a ruleset so far."""
    return t.ngettext(
        "{ruleset}: {count} records checked", "{ruleset}: {count} records checked", count
    ).format(ruleset=ruleset, count=t.number(count))


def analysing_line(t: Translator = ENGLISH) -> str:
    """The progress line of the analysis starting, once the records are checked."""
    return t.gettext("analysing complaints, surveys and referrals")


def preparing_line(t: Translator = ENGLISH) -> str:
    """The progress line of the management review packet being put together."""
    return t.gettext("preparing the management review packet")


ANALYSED_TYPES: Final = frozenset({"complaint", "survey", "survey_response", "referral"})
"""The record types the report's analytics read (besides those its rules are about)."""

PROGRESS_EVERY: Final = 100_000
"""How many records a long check reads between two progress lines, by default."""


def month_window(at: datetime, zone: ZoneInfo, months: int = 12) -> tuple[datetime, datetime]:
    """The ``months`` calendar months ending with the month of ``at`` (local), as [start, end)."""
    local = wall_clock(at, zone)
    end_month = local.year * 12 + local.month  # the month after at's month, counted from 0
    start_month = end_month - months
    start = datetime(start_month // 12, start_month % 12 + 1, 1, tzinfo=zone)
    end = datetime(end_month // 12, end_month % 12 + 1, 1, tzinfo=zone)
    return start, end


def record_types(ruleset: Ruleset | RulesetVersions) -> frozenset[str]:
    """The record types the rules of ``ruleset`` are about (every type for ``"any"``)."""
    tags = {tag for rule in ruleset.rules for tag in rule.applies_to.record_types}
    return frozenset(RECORD_TYPES) if "any" in tags else frozenset(tags)


class _RulesetCheck:
    """One ruleset checked over every record of its types as the stream passes them."""

    def __init__(
        self,
        ruleset: Ruleset | RulesetVersions,
        *,
        calendar: WorkingCalendar,
        at: datetime,
        max_findings: int,
        progress: Progress | None,
        every: int,
    ) -> None:
        self.name = ruleset.name
        self.types = record_types(ruleset)
        compiled = compile_ruleset(ruleset, calendar=calendar)
        self.checking = compiled.checking(at=at, max_findings=max_findings)
        self.progress, self.every, self.count = progress, every, 0

    @classmethod
    def each(
        cls,
        rulesets: Sequence[Ruleset | RulesetVersions],
        calendar: WorkingCalendar,
        at: datetime,
        max_findings: int,
        progress: Progress | None,
        every: int,
    ) -> list[_RulesetCheck]:
        """A check of each ruleset, saying to ``progress`` which it starts."""
        checks = []
        for ruleset in rulesets:
            if progress is not None:
                progress(Said(partial(checking_line, ruleset.name)))
            checks.append(
                cls(
                    ruleset,
                    calendar=calendar,
                    at=at,
                    max_findings=max_findings,
                    progress=progress,
                    every=every,
                )
            )
        return checks

    def feed(self, records: list[Record]) -> list[int]:
        """Check the next ``records``; the positions among them of the records after which a
        progress line is due (each ``every`` records, counted over the whole stream)."""
        self.checking.feed(records)
        if self.progress is None:
            return []
        before, self.count = self.count, self.count + len(records)
        every = self.every
        return [
            count - before - 1
            for count in range((before // every + 1) * every, self.count + 1, every)
        ]

    def finish(self) -> Report:
        """The ruleset's report, once the stream has ended."""
        return self.checking.report()


def _checked(records: Iterable[Record], checks: Sequence[_RulesetCheck]) -> Iterator[Record]:
    """Each of ``records``, handed to each of ``checks`` too: :data:`BATCH` records at a time,
    one list for them all (a call per batch and check, not per record and check)."""
    if not checks:
        yield from records
        return
    batch: list[Record] = []
    for record in records:
        batch.append(record)
        if len(batch) >= BATCH:
            _feed(checks, batch)
            batch = []
        yield record
    if batch:
        _feed(checks, batch)


def _feed(checks: Sequence[_RulesetCheck], batch: list[Record]) -> None:
    """Hand ``batch`` to each of ``checks``, then say the progress lines due, in the order a
    record at a time would have said them (by record, then by check)."""
    due = [
        (position, order) for order, check in enumerate(checks) for position in check.feed(batch)
    ]
    for position, order in sorted(due):
        check = checks[order]
        progress = check.progress
        if progress is not None:
            count = check.count - len(batch) + position + 1
            progress(Said(partial(checked_line, check.name, count)))


def check_rulesets(
    records_of: RecordsOf,
    rulesets: Sequence[Ruleset | RulesetVersions],
    *,
    calendar: WorkingCalendar,
    at: datetime,
    progress: Progress | None = None,
    max_findings: int = 10_000,
) -> list[Report]:
    """Check each ruleset (or the versions of one) against the records of the types its rules
    apply to, reading each type once for all of them; each report keeps at most
    ``max_findings`` breached and at-risk findings (every count stays complete)."""
    checks = _RulesetCheck.each(rulesets, calendar, at, max_findings, progress, PROGRESS_EVERY)
    for tag in sorted(frozenset().union(*(check.types for check in checks))):
        to_engines = [check for check in checks if tag in check.types]
        for _ in _checked(records_of(tag), to_engines):
            pass
    return [check.finish() for check in checks]


class _ReviewStandards:
    """The management review's standards checked as the stream passes its records. An error
    (bad input the engine refuses) is kept and raised by :meth:`finish`, so the review is left
    out with a warning and the rest of the report made."""

    def __init__(self, review: _Review) -> None:
        self.review = review
        self.check = review.standards_check()
        self.error: QSEError | None = None
        self.batches = Batched(self._feed)

    def _feed(self, records: list[Record]) -> None:
        if self.error is None:
            try:
                self.check.feed(records)
            except QSEError as error:
                self.error = error

    def take(self, record: Record, then: Record | None) -> None:
        """Sort ``record`` (``then``: as known at ``at``) into the review."""
        if self.review.take(record, then):
            self.batches.send(record)

    def taker(self, kind: type[Record]) -> Callable[[Record, Record], None] | None:
        """:meth:`take` for records of class ``kind`` known at ``at`` (``then`` not None); None
        when the review has nothing to do with them."""
        sort = self.review.collector.sorter(kind)
        if sort is None:
            return None
        send = self.batches.send

        def take(record: Record, then: Record) -> None:
            if sort(then):
                send(record)

        return take

    def packet(self) -> ReviewPacket:
        """The review's packet, once the stream has ended (a QSEError if it cannot be made)."""
        self.batches.flush()
        if self.error is not None:
            raise self.error
        return self.review.packet(self.check.section(self.review.collector.counts))


class _Analytics:
    """What the report's own analytics keep from the pass, every record as known at ``at``:
    every survey, response and referral, and of the complaints opened in its months only what
    their counts read (the month, category, customer group, site, severity and whether
    anonymous): one complaint stands for all those alike, so memory stays flat however many
    there are."""

    def __init__(self, start: datetime, end: datetime, timezone: str) -> None:
        # In UTC, as the events' times are: aware datetimes of one tzinfo compare as they are,
        # those of two each ask their zone for its offset (ten times slower).
        start, end = plain_utc(start), plain_utc(end)
        self.start, self.end, self.timezone = start, end, timezone
        self.zone = ZoneInfo(timezone)
        self.month = ("", end, end)  # the month last seen: its key, [first instant, next month)
        self.alike: dict[tuple[Any, ...], list[Any]] = {}
        self.surveys: list[Survey] = []
        self.responses: list[SurveyResponse] = []
        self.referrals: list[Referral] = []

    def take(self, then: Record) -> None:
        """Keep ``then`` (a record as known at ``at``) if the analytics need it."""
        keep = self.taker(type(then))
        if keep is not None:
            keep(then)

    def taker(self, kind: type[Record]) -> Callable[[Record], None] | None:
        """:meth:`take` for records of class ``kind``; None for those the analytics skip."""
        if issubclass(kind, Complaint):
            return self._complaint_taker()
        return _dispatch(
            kind,
            (SurveyResponse, cast(Callable[[Record], None], self.responses.append)),
            (Survey, cast(Callable[[Record], None], self.surveys.append)),
            (Referral, cast(Callable[[Record], None], self.referrals.append)),
        )

    def _complaint_taker(self) -> Callable[[Record], None]:
        """:meth:`take` of a complaint: counted with those alike if opened in the months."""
        start, end, alike = self.start, self.end, self.alike

        def take(then: Record) -> None:
            opened = then.events[0].at
            if not start <= opened < end:
                return
            key, first, following = self.month
            if not first <= opened < following:
                key = self._month_of(opened)
            complaint = cast(Complaint, then)
            same = (
                key,
                complaint.category,
                complaint.customer_group,
                complaint.site,
                complaint.severity,
                complaint.anonymous,
            )
            found = alike.get(same)
            if found is None:
                alike[same] = [complaint, 1]
            else:
                found[1] += 1

        return take

    def _month_of(self, opened: datetime) -> str:
        """The month (key) of ``opened``; the store streams complaints in the order they were
        opened, so the month found last is nearly always the one."""
        key, first, following = self.month
        if first <= opened < following:
            return key
        key = period_key(opened, "month", self.timezone)
        first, following = month_window(opened, self.zone, 1)
        self.month = (key, plain_utc(first), plain_utc(following))
        return key

    def complaints(self) -> Tallied:
        """The complaints of the report's months for counting (each kept one standing for the
        complaints alike; in the order first seen, as counting does not depend on it)."""
        return Tallied((complaint, count) for complaint, count in self.alike.values())


def customer_focus(
    records_of: RecordsOf,
    rulesets: Sequence[Ruleset | RulesetVersions],
    *,
    calendar: WorkingCalendar,
    at: datetime,
    months: int = 12,
    review_rulesets: Sequence[Ruleset | RulesetVersions] | None = None,
    progress: Progress | None = None,
    progress_every: int = PROGRESS_EVERY,
    small_cell_threshold: int = SMALL_CELL_THRESHOLD,
    max_findings: int = 10_000,
) -> CustomerFocus:
    """Everything the customer focus report shows as of ``at``, from one pass over the store:
    each record is read and decoded once, handed to the rule engine of every ruleset about its
    type and, as known at ``at`` (:meth:`~qse_customer.Record.as_known_at`), to the analytics of
    the last ``months`` months and to the management review of the three months before ``at``'s.

    A review that cannot be made (clashing rule ids, say) is left out with a warning.
    """
    at = utc(at, "$.at")  # a plain datetime kept in the result, whatever subclass was given
    small = check_small_cell_threshold(small_cell_threshold)
    if isinstance(max_findings, bool) or not isinstance(max_findings, int) or max_findings < 0:
        raise ValidationError.single(
            "$.max_findings", f"expected a whole number of findings >= 0, got {max_findings!r}"
        )
    zone = ZoneInfo(calendar.timezone)
    start, end = month_window(at, zone, months)
    periods = _sub_periods(start, end, "month", calendar.timezone)
    return _one_pass(
        records_of,
        rulesets,
        review_rulesets if review_rulesets is not None else rulesets,
        calendar=calendar,
        at=at,
        start=start,
        end=end,
        periods=periods,
        progress=progress,
        progress_every=progress_every,
        small=small,
        max_findings=max_findings,
    )


def _one_pass(
    records_of: RecordsOf,
    rulesets: Sequence[Ruleset | RulesetVersions],
    review_rulesets: Sequence[Ruleset | RulesetVersions],
    *,
    calendar: WorkingCalendar,
    at: datetime,
    start: datetime,
    end: datetime,
    periods: list[str],
    progress: Progress | None,
    progress_every: int,
    small: int,
    max_findings: int,
) -> CustomerFocus:
    """:func:`customer_focus` once its settings are checked."""
    checks = _RulesetCheck.each(rulesets, calendar, at, max_findings, progress, progress_every)
    warnings: list[str] = []
    review = _start_review(
        review_rulesets,
        calendar=calendar,
        at=at,
        small=small,
        max_findings=max_findings,
        warnings=warnings,
    )
    if progress is not None:
        progress(Said(analysing_line))
    analytics = _Analytics(start, end, calendar.timezone)
    wanted = frozenset().union(ANALYSED_TYPES, *(check.types for check in checks))
    for tag in sorted(RECORD_TYPES):
        to_engines = [check for check in checks if tag in check.types]
        if tag not in wanted:
            if review is not None and not _review_only(records_of, tag, review, warnings):
                review = None
            continue
        kind: type[Record] | None = None  # the class of the records last seen, and what
        analyse: Callable[[Record], None] | None = None  # the analytics and the review do
        sort: Callable[[Record, Record], None] | None = None  # with them (None: nothing)
        for record in _checked(records_of(tag), to_engines):
            then = record.as_known_at(at)
            if then is None:
                continue
            if type(then) is not kind:
                kind = type(then)
                analyse = analytics.taker(kind)
                sort = review.taker(kind) if review is not None else None
            if analyse is not None:
                analyse(then)
            if sort is not None:
                sort(record, then)
    reports = tuple(check.finish() for check in checks)
    if progress is not None:
        progress(Said(preparing_line))
    packet = None
    if review is not None:
        try:
            packet = review.packet()
        except QSEError as error:
            warnings.append(no_packet(str(error)))
    complaints = summarise_complaints(
        analytics.complaints(), timezone=calendar.timezone, months=periods
    )
    surveys = summarise_surveys(analytics.surveys, analytics.responses, warnings)
    return CustomerFocus(
        at=at,
        calendar=calendar,
        start=start,
        end=end,
        periods=tuple(periods),
        small_cell_threshold=small,
        reports=reports,
        complaints=complaints,
        surveys=surveys,
        referrals=summarise_referrals(analytics.referrals, at, start),
        review=packet,
        warnings=tuple(warnings),
    )


def _start_review(
    rulesets: Sequence[Ruleset | RulesetVersions],
    *,
    calendar: WorkingCalendar,
    at: datetime,
    small: int,
    max_findings: int,
    warnings: list[str],
) -> _ReviewStandards | None:
    """The management review of the three months before ``at``'s month, checked as the records
    pass; None with a warning when it cannot be made."""
    zone = ZoneInfo(calendar.timezone)
    start, _ = month_window(at, zone, 4)
    end = month_window(at, zone, 1)[0]
    try:
        review = _Review(
            rulesets=list(rulesets),
            calendar=calendar,
            start=start,
            end=end,
            at=at,
            granularity="month",
            instruments=None,
            request_volumes=None,
            invited=None,
            previous_start=None,
            recurrence_threshold=DEFAULT_RECURRENCE_THRESHOLD,
            recurrence_window=DEFAULT_RECURRENCE_WINDOW,
            min_n=DEFAULT_MIN_N,
            max_findings=max_findings,
            kinds=None,
            small_cell_threshold=small,
        )
        return _ReviewStandards(review)
    except QSEError as error:
        warnings.append(no_packet(str(error)))
        return None


def _review_only(
    records_of: RecordsOf, tag: str, review: _ReviewStandards, warnings: list[str]
) -> bool:
    """Pass the records of a type only the review reads; a record that cannot be read leaves
    the review out (with a warning, and False), not the report."""
    at = review.review.at
    try:
        for record in records_of(tag):
            review.take(record, record.as_known_at(at))
    except QSEError as error:
        warnings.append(no_packet(str(error)))
        return False
    return True
