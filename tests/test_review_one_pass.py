"""The review's and the analytics' share of the one pass (``customer_focus``): what each keeps of
the records, sorted by their class once, is what the plain ``isinstance`` chains of before kept,
record for record (the chains are written out here as the reference)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

import attrs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qse_customer.analysis.periods import period_key
from qse_customer.core.calendar import WorkingCalendar
from qse_customer.core.complaint import Complaint
from qse_customer.core.record import Record
from qse_customer.core.referral import Referral
from qse_customer.core.serialisation import to_dict
from qse_customer.core.survey import Survey, SurveyResponse
from qse_customer.reports.content import records_of_sequence
from qse_customer.review._batches import BATCH
from qse_customer.review.management_review import (
    _Analytics,
    _checked,
    _Collector,
    _opened,
    _status_at,
    checked_line,
    customer_focus,
    month_window,
    record_types,
)
from qse_customer.rules.loader import load_ruleset
from qse_customer.testing import strategies

ZONES = ("UTC", "Europe/London", "America/New_York", "Asia/Kolkata")
FIRST, LAST = datetime(1995, 1, 1, tzinfo=UTC), datetime(2096, 1, 1, tzinfo=UTC)


def reference_opened(complaint: Complaint) -> Complaint:
    """The first-event-only complaint as it was made before: evolved, and so checked again."""
    if len(complaint.events) == 1:
        return complaint
    return complaint.evolve(events=complaint.events[:1])


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(strategies.complaints())
def test_a_complaint_cut_to_its_first_event_is_the_evolved_one(complaint: Complaint) -> None:
    want = reference_opened(complaint)
    got = _opened(complaint)
    assert type(got) is type(want)
    assert got == want
    assert got.events == complaint.events[:1]
    assert to_dict(got) == to_dict(want)
    assert got.history_facts == want.history_facts  # found when first asked for
    assert got.status == want.status
    assert (got is complaint) == (len(complaint.events) == 1)


class ReferenceCollector:
    """The collector's sorting as it was: one ``isinstance`` chain per record."""

    def __init__(self, collector: _Collector) -> None:
        self.c = collector
        self.complaints: list[Complaint] = []
        self.chart_only: list[Complaint] = []
        self.surveys: dict[str, Survey] = {}
        self.responses: list[SurveyResponse] = []
        self.previous: list[SurveyResponse] = []
        self.referrals: list[Referral] = []
        self.opened_referrals = 0
        self.closed_referrals = 0
        self.counts: Counter[str] = Counter()

    def take(self, record: Record, then: Record | None) -> bool:
        c = self.c
        if then is None:
            return False
        opened = then.events[0].at
        in_period = c.start <= opened < c.until
        if isinstance(then, Complaint):
            if in_period:
                self.complaints.append(reference_opened(then))
            elif (
                c.chart_periods
                and opened < c.until
                and period_key(opened, c.granularity, c.timezone) in c.chart_periods
            ):
                self.chart_only.append(reference_opened(then))
        elif isinstance(then, SurveyResponse):
            if _status_at(then, c.at) != "closed":
                if in_period:
                    self.responses.append(then)
                elif c.previous_start <= opened < c.start:
                    self.previous.append(then)
        elif isinstance(then, Survey):
            if opened <= c.at:
                self.surveys[then.id] = then
        elif isinstance(then, Referral):
            self._referral(then)
        if in_period and record.TYPE in c.engine_types:
            self.counts[record.TYPE] += 1
            return True
        return False

    def _referral(self, referral: Referral) -> None:
        c = self.c
        if referral.opened_at > c.at:
            return
        if c.start <= referral.opened_at < c.until:
            self.opened_referrals += 1
        if any(
            event.kind == "closed" and c.start <= event.at < c.until for event in referral.events
        ):
            self.closed_referrals += 1
        if _status_at(referral, c.at) != "closed":
            self.referrals.append(referral)


def _kept(holder: Any) -> dict[str, Any]:
    return {
        "complaints": holder.complaints,
        "facts": [complaint.history_facts for complaint in holder.complaints],
        "chart_only": holder.chart_only,
        "surveys": holder.surveys,
        "responses": holder.responses,
        "previous": holder.previous,
        "referrals": holder.referrals,
        "opened_referrals": holder.opened_referrals,
        "closed_referrals": holder.closed_referrals,
        "counts": dict(holder.counts),
    }


@st.composite
def passes(draw: st.DrawFn) -> tuple[list[Record], list[datetime]]:
    """Records of every type, and moments to bound a review by: mostly their own events'
    times, so that records fall on each side of each bound (and on it)."""
    records = draw(st.lists(strategies.complaints() | strategies.records(), max_size=12))
    times = [event.at for record in records for event in record.events]
    moment = strategies.aware_datetimes()
    if times:
        moment = st.sampled_from(times) | moment
    moments = draw(st.lists(moment, min_size=4, max_size=4))
    return records, moments


@settings(max_examples=50, suppress_health_check=[HealthCheck.too_slow])
@given(
    passes(),
    st.sampled_from(ZONES),
    st.sampled_from(["month", "quarter", "week"]),
    st.frozensets(st.sampled_from(["complaint", "enquiry", "survey_response", "referral"])),
    st.booleans(),
)
def test_the_collector_keeps_what_the_isinstance_chain_kept(
    drawn: tuple[list[Record], list[datetime]],
    zone: str,
    granularity: str,
    engine_types: frozenset[str],
    charted: bool,
) -> None:
    records, moments = drawn
    previous_start, start, until, at = sorted(moment.astimezone(UTC) for moment in moments)
    chart_periods = frozenset()
    if charted:  # the periods of the records' openings: the control chart's own periods
        chart_periods = frozenset(
            period_key(record.events[0].at, granularity, zone) for record in records[::2]
        )
    collector = _Collector(
        start=start,
        until=until,
        at=at,
        previous_start=previous_start,
        chart_periods=chart_periods,
        granularity=granularity,
        timezone=zone,
        engine_types=engine_types,
    )
    reference = ReferenceCollector(collector)
    for record in records:
        then = record.as_known_at(at)
        assert collector.take(record, then) == reference.take(record, then)
    assert _kept(collector) == _kept(reference)


class ReferenceAnalytics:
    """The analytics' sorting as it was: one ``isinstance`` chain per record, the bounds in the
    calendar's zone."""

    def __init__(self, start: datetime, end: datetime, timezone: str) -> None:
        self.start, self.end, self.timezone = start, end, timezone
        self.alike: dict[tuple[Any, ...], list[Any]] = {}
        self.surveys: list[Survey] = []
        self.responses: list[SurveyResponse] = []
        self.referrals: list[Referral] = []

    def take(self, then: Record) -> None:
        if isinstance(then, Complaint):
            if self.start <= then.opened_at < self.end:
                key = (
                    period_key(then.opened_at, "month", self.timezone),
                    then.category,
                    then.customer_group,
                    then.site,
                    then.severity,
                    then.anonymous,
                )
                found = self.alike.get(key)
                if found is None:
                    self.alike[key] = [then, 1]
                else:
                    found[1] += 1
        elif isinstance(then, SurveyResponse):
            self.responses.append(then)
        elif isinstance(then, Survey):
            self.surveys.append(then)
        elif isinstance(then, Referral):
            self.referrals.append(then)


@st.composite
def complaint_streams(draw: st.DrawFn) -> tuple[list[Record], str]:
    """Complaints opened near one another (mostly in order, as the store streams them, with
    some out of order, some at the very first instant of a month in the calendar's zone), mixed
    with records of other types; and the calendar's zone."""
    zone = draw(st.sampled_from(ZONES))
    opened = draw(strategies.aware_datetimes(datetime(2020, 1, 1), datetime(2030, 1, 1)))
    records: list[Record] = []
    for _ in range(draw(st.integers(0, 15))):
        if draw(st.integers(0, 3)) == 0:
            records.append(draw(strategies.records()))
            continue
        complaint = draw(strategies.complaints())
        opened += timedelta(hours=draw(st.integers(-400, 2000)))
        if draw(st.booleans()):
            opened = month_window(opened, ZoneInfo(zone), 1)[draw(st.integers(0, 1))]
        first = attrs.evolve(complaint.events[0], at=opened, recorded_at=None)
        records.append(complaint.evolve(events=[first]))
    return records, zone


@settings(max_examples=50, suppress_health_check=[HealthCheck.too_slow])
@given(complaint_streams(), st.integers(1, 24), strategies.aware_datetimes())
def test_the_analytics_keep_what_the_isinstance_chain_kept(
    drawn: tuple[list[Record], str], months: int, at: datetime
) -> None:
    records, zone = drawn
    if records and isinstance(records[-1], Complaint):
        at = records[-1].opened_at + timedelta(days=months * 15)
    start, end = month_window(at, ZoneInfo(zone), months)  # in the zone, as customer_focus's
    analytics = _Analytics(start, end, zone)
    reference = ReferenceAnalytics(start, end, zone)
    for record in records:
        analytics.take(record)
        reference.take(record)
    assert analytics.alike == reference.alike
    assert list(analytics.alike) == list(reference.alike)
    kept = zip(analytics.alike.values(), reference.alike.values(), strict=True)
    assert all(ours[0] is theirs[0] for ours, theirs in kept)
    assert analytics.surveys == reference.surveys
    assert analytics.responses == reference.responses
    assert analytics.referrals == reference.referrals


# -- the rule engines fed in batches ----------------------------------------------------------


class _Fed:
    """A check that keeps the batches it is fed."""

    def __init__(self) -> None:
        self.batches: list[list[int]] = []
        self.progress = None

    def feed(self, records: list[int]) -> list[int]:
        self.batches.append(list(records))
        return []


@given(st.integers(0, 3 * BATCH + 2), st.integers(0, 3))
def test_each_check_is_fed_every_record_once_in_order(count: int, checks: int) -> None:
    fed = [_Fed() for _ in range(checks)]
    records = list(range(count))
    assert list(_checked(cast(Any, records), cast(Any, fed))) == records
    for check in fed:
        assert [record for batch in check.batches for record in batch] == records
        assert all(0 < len(batch) <= BATCH for batch in check.batches)
        assert check.batches == fed[0].batches


RULESETS = ("qse2-responsibility", "customer-service-standards")
CALENDAR = WorkingCalendar(timezone="Europe/London", opens="09:00", closes="17:00")


@settings(max_examples=12, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    strategies.complaints(),
    strategies.enquiries(),
    st.integers(0, BATCH + 40),
    st.integers(0, 30),
    st.integers(1, 600),
)
def test_progress_lines_are_those_a_record_at_a_time_says(
    complaint: Complaint, enquiry: Record, complaints: int, enquiries: int, every: int
) -> None:
    # What batching says against the per-record count: for each record in stream order, each
    # ruleset about its type counts it, and says so at each multiple of ``every``.
    records: list[Record] = [complaint] * complaints + [enquiry] * enquiries
    rulesets = [load_ruleset(name) for name in RULESETS]
    said: list[str] = []
    at = datetime(2030, 1, 1, tzinfo=UTC)
    customer_focus(
        records_of_sequence(records),
        rulesets,
        calendar=CALENDAR,
        at=at,
        progress=said.append,
        progress_every=every,
    )
    expected = []
    counted = Counter[str]()
    for tag in ("complaint", "enquiry"):
        for record in records:
            if tag != record.TYPE:
                continue
            for ruleset in rulesets:
                if tag in record_types(ruleset):
                    counted[ruleset.name] += 1
                    if counted[ruleset.name] % every == 0:
                        expected.append(checked_line(ruleset.name, counted[ruleset.name]))
    assert [line for line in said if "records checked" in line] == expected
