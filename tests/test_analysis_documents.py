"""Analysis results, and survey instruments, dump through the library's one converter in the
shape their hand-written ``to_dict`` gave (kept here as the reference)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from qse_customer.analysis.comparisons import Comparison, compare_means, compare_nps, compare_shares
from qse_customer.analysis.complaint_trends import (
    DIMENSIONS,
    SIGNAL_TEXT,
    ChartPoint,
    ComplaintCounts,
    ControlChart,
    Pareto,
    ParetoRow,
    Recurrence,
    control_chart,
    count_complaints,
    detect_recurrences,
    pareto,
)
from qse_customer.analysis.instrument import (
    Coding,
    Instrument,
    Item,
    Keyed,
    Measure,
    MissingDataRule,
    Scale,
    ScaleKind,
    Subscale,
)
from qse_customer.analysis.instrument_registry import load_instrument, shipped_instruments
from qse_customer.analysis.periods import period_range
from qse_customer.analysis.scoring import (
    CSATScore,
    NPSScore,
    ResponseScore,
    SubscaleScore,
    csat,
    net_promoter_score,
    score_psq18,
)
from qse_customer.analysis.survey_analysis import (
    ItemAnalysis,
    PeriodComparison,
    SubscaleAnalysis,
    SurveyAnalysis,
    analyse_survey,
    compare_periods,
)
from qse_customer.analysis.survey_round import ResponseRate
from qse_customer.analysis.survey_statistics import (
    Interval,
    NPSEstimate,
    ProportionEstimate,
    Reliability,
    Summary,
    cronbach_alpha,
    csat_estimate,
    nps_estimate,
    summarise,
)
from qse_customer.core.complaint import Complaint
from qse_customer.core.vocabulary import Channel, CustomerKind, Severity

numbers = st.floats(allow_nan=False, allow_infinity=False)
texts = st.text(max_size=10)
intervals = st.builds(Interval, low=numbers, high=numbers, level=numbers, method=texts)


def interval_reference(interval: Interval) -> dict[str, Any]:
    return {
        "low": interval.low,
        "high": interval.high,
        "level": interval.level,
        "method": interval.method,
    }


@given(intervals)
def test_an_interval(interval: Interval) -> None:
    assert interval.to_dict() == interval_reference(interval)
    assert list(interval.to_dict()) == ["low", "high", "level", "method"]


@given(
    st.builds(
        ResponseRate,
        survey_id=texts,
        invited=st.integers(0, 10**6),
        responded=st.integers(0, 10**6),
        rate=numbers,
        interval=intervals,
        method=texts,
    )
)
def test_a_response_rate(rate: ResponseRate) -> None:
    assert rate.to_dict() == {
        "survey_id": rate.survey_id,
        "invited": rate.invited,
        "responded": rate.responded,
        "rate": rate.rate,
        "interval": interval_reference(rate.interval),
        "method": rate.method,
    }


@given(st.builds(ParetoRow, value=st.none() | texts, count=st.integers(0), share=numbers,
                 cumulative_share=numbers))  # fmt: skip
def test_a_pareto_row(row: ParetoRow) -> None:
    assert row.to_dict() == {
        "value": row.value,
        "count": row.count,
        "share": row.share,
        "cumulative_share": row.cumulative_share,
    }


@given(
    st.builds(
        ChartPoint,
        period=texts,
        count=st.integers(0),
        volume=st.none() | st.integers(0),
        value=numbers,
        centre=numbers,
        lower=numbers,
        upper=numbers,
        signals=st.lists(texts, max_size=3).map(tuple),
    )
)
def test_a_chart_point(point: ChartPoint) -> None:
    document = point.to_dict()
    assert document == {
        "period": point.period,
        "count": point.count,
        "volume": point.volume,
        "value": point.value,
        "centre": point.centre,
        "lower": point.lower,
        "upper": point.upper,
        "signals": list(point.signals),
    }
    assert type(document["signals"]) is list


# -- survey statistics, scoring and comparisons --------------------------------------------------
# The references below are the hand-written ``to_dict`` methods as they were; a nested value is
# written by its own reference, as the method called the nested value's ``to_dict``.


def assert_same(document: Any, reference: Any) -> None:
    """Equal, with the same keys in the same order and the same types all the way down (a float
    stays a float, None stays None, a tuple became a list)."""
    assert type(document) is type(reference), (document, reference)
    if isinstance(reference, dict):
        assert list(document) == list(reference)
        for key, value in reference.items():
            assert_same(document[key], value)
    elif isinstance(reference, list):
        assert len(document) == len(reference)
        for got, wanted in zip(document, reference, strict=True):
            assert_same(got, wanted)
    else:
        assert document == reference


def proportion_reference(estimate: ProportionEstimate) -> dict[str, Any]:
    return {
        "count": estimate.count,
        "n": estimate.n,
        "share": estimate.share,
        "interval": interval_reference(estimate.interval) if estimate.interval else None,
        "method": estimate.method,
        "warnings": list(estimate.warnings),
    }


def summary_reference(summary: Summary) -> dict[str, Any]:
    return {
        "n": summary.n,
        "mean": summary.mean,
        "sd": summary.sd,
        "mean_interval": (
            interval_reference(summary.mean_interval) if summary.mean_interval else None
        ),
        "top_box": proportion_reference(summary.top_box),
        "scale": [summary.low, summary.high],
        "method": summary.method,
        "warnings": list(summary.warnings),
    }


def nps_score_reference(score: NPSScore) -> dict[str, Any]:
    return {
        "measure": "nps",
        "n": score.n,
        "promoters": score.promoters,
        "passives": score.passives,
        "detractors": score.detractors,
        "score": score.score,
        "method": score.method,
    }


def nps_estimate_reference(estimate: NPSEstimate) -> dict[str, Any]:
    return {
        **nps_score_reference(estimate.nps),
        "margin": estimate.margin,
        "interval": interval_reference(estimate.interval) if estimate.interval else None,
        "method": estimate.method,
        "warnings": list(estimate.warnings),
    }


def reliability_reference(reliability: Reliability) -> dict[str, Any]:
    return {
        "alpha": reliability.alpha,
        "items": reliability.items,
        "n": reliability.n,
        "excluded": reliability.excluded,
        "method": reliability.method,
        "reason": reliability.reason,
    }


def csat_score_reference(score: CSATScore) -> dict[str, Any]:
    return {
        "measure": "csat",
        "n": score.n,
        "satisfied": score.satisfied,
        "share": score.share,
        "top_codes": list(score.top_codes),
        "method": score.method,
    }


def subscale_score_reference(score: SubscaleScore) -> dict[str, Any]:
    document: dict[str, Any] = {
        "id": score.id,
        "title": score.title,
        "score": score.score,
        "answered": score.answered,
        "items": score.items,
        "needed": score.needed,
        "method": score.method,
    }
    if score.score is None:
        document["reason"] = score.reason
    return document


def response_score_reference(score: ResponseScore) -> dict[str, Any]:
    return {
        "instrument": score.instrument,
        "version": score.version,
        "items": dict(score.items),
        "subscales": {key: subscale_score_reference(v) for key, v in score.subscales.items()},
        "method": score.method,
    }


def comparison_reference(comparison: Comparison) -> dict[str, Any]:
    return {
        "measure": comparison.measure,
        "before": comparison.before,
        "after": comparison.after,
        "n_before": comparison.n_before,
        "n_after": comparison.n_after,
        "difference": comparison.difference,
        "interval": interval_reference(comparison.interval) if comparison.interval else None,
        "real_change": comparison.real_change,
        "verdict": comparison.verdict,
        "method": comparison.method,
        "warnings": list(comparison.warnings),
    }


def item_analysis_reference(item: ItemAnalysis) -> dict[str, Any]:
    return {
        "id": item.id,
        "text": item.text,
        "summary": summary_reference(item.summary),
        "not_applicable": item.not_applicable,
        "unanswered": item.unanswered,
    }


def subscale_analysis_reference(subscale: SubscaleAnalysis) -> dict[str, Any]:
    return {
        "id": subscale.id,
        "title": subscale.title,
        "summary": summary_reference(subscale.summary),
        "reliability": reliability_reference(subscale.reliability),
        "unscored": subscale.unscored,
        "rule": subscale.rule,
    }


def survey_analysis_reference(analysis: SurveyAnalysis) -> dict[str, Any]:
    return {
        "instrument": analysis.instrument,
        "version": analysis.version,
        "responses": analysis.responses,
        "items": {key: item_analysis_reference(value) for key, value in analysis.items.items()},
        "subscales": {
            key: subscale_analysis_reference(value) for key, value in analysis.subscales.items()
        },
        "nps": {key: nps_estimate_reference(value) for key, value in analysis.nps.items()},
        "csat": {key: proportion_reference(value) for key, value in analysis.csat.items()},
        "method": analysis.method,
        "warnings": list(analysis.warnings),
    }


def period_comparison_reference(comparison: PeriodComparison) -> dict[str, Any]:
    return {
        "instrument": comparison.instrument,
        "method": comparison.method,
        **{
            name: {
                key: comparison_reference(value) for key, value in getattr(comparison, name).items()
            }
            for name in ("items", "subscales", "top_box", "nps", "csat")
        },
    }


# Realistic values: shares in [0, 1], scores on small scales, a few short warnings.
shares = st.floats(0, 1)
counts = st.integers(0, 500)
warnings = st.lists(st.sampled_from(["no answers", "small sample: 3 answers"]), max_size=2)
proportions = st.builds(
    ProportionEstimate,
    count=counts,
    n=counts,
    share=st.none() | shares,
    interval=st.none() | intervals,
    method=texts,
    warnings=warnings.map(tuple),
)
summaries = st.builds(
    Summary,
    n=counts,
    mean=st.none() | numbers,
    sd=st.none() | st.floats(0, 10),
    mean_interval=st.none() | intervals,
    top_box=proportions,
    low=st.sampled_from([0, 1, 0.0, 1.0]),
    high=st.sampled_from([1, 5, 10, 5.0]),
    method=texts,
    warnings=warnings.map(tuple),
)
nps_scores = st.builds(
    NPSScore,
    n=counts,
    promoters=counts,
    passives=counts,
    detractors=counts,
    score=st.none() | st.floats(-100, 100),
    method=texts,
)
reliabilities = st.builds(
    Reliability,
    alpha=st.none() | st.floats(-5, 1),
    items=st.integers(0, 20),
    n=counts,
    excluded=counts,
    method=texts,
    reason=texts,
)
nps_answers = st.lists(st.none() | st.integers(0, 10) | st.just("not_applicable"), max_size=40)
five_point = st.lists(st.none() | st.integers(1, 5), max_size=40)


@given(proportions)
def test_a_proportion_estimate(estimate: ProportionEstimate) -> None:
    assert_same(estimate.to_dict(), proportion_reference(estimate))


@given(st.lists(st.floats(1, 5) | st.none(), max_size=40), st.integers(1, 3))
def test_a_summary_of_scores(values: list[float | None], top: int) -> None:
    summary = summarise(values, low=1, high=5, top=top)
    assert_same(summary.to_dict(), summary_reference(summary))
    assert list(summary.to_dict()) == [
        "n", "mean", "sd", "mean_interval", "top_box", "scale", "method", "warnings",
    ]  # fmt: skip


@given(summaries)
def test_a_summary(summary: Summary) -> None:
    assert_same(summary.to_dict(), summary_reference(summary))


@given(nps_scores)
def test_an_nps_score(score: NPSScore) -> None:
    assert_same(score.to_dict(), nps_score_reference(score))


@given(nps_answers)
def test_an_nps_estimate_of_answers(answers: list[int | str | None]) -> None:
    score = net_promoter_score(answers)
    assert_same(score.to_dict(), nps_score_reference(score))
    estimate = nps_estimate(answers, min_n=5)
    assert_same(estimate.to_dict(), nps_estimate_reference(estimate))
    # the estimate's method takes the place of the score's, before the margin
    assert list(estimate.to_dict()) == [
        "measure", "n", "promoters", "passives", "detractors", "score", "method", "margin",
        "interval", "warnings",
    ]  # fmt: skip
    assert estimate.to_dict()["method"] == estimate.method


@given(
    st.builds(
        NPSEstimate,
        nps=nps_scores,
        margin=st.none() | st.floats(0, 200),
        interval=st.none() | intervals,
        method=texts,
        warnings=warnings.map(tuple),
    )
)
def test_an_nps_estimate(estimate: NPSEstimate) -> None:
    assert_same(estimate.to_dict(), nps_estimate_reference(estimate))


@given(five_point, st.integers(1, 4))
def test_a_csat(answers: list[int | None], top: int) -> None:
    score = csat(answers, top=top)
    assert_same(score.to_dict(), csat_score_reference(score))
    estimate = csat_estimate(answers, top=top)
    assert_same(estimate.to_dict(), proportion_reference(estimate))


@given(
    st.builds(
        CSATScore,
        n=counts,
        satisfied=counts,
        share=st.none() | shares,
        top_codes=st.lists(st.integers(0, 10), max_size=3).map(tuple),
        method=texts,
    )
)
def test_a_csat_score(score: CSATScore) -> None:
    assert_same(score.to_dict(), csat_score_reference(score))


@given(st.integers(2, 4).flatmap(lambda k: st.lists(st.lists(
    st.none() | st.integers(1, 5), min_size=k, max_size=k), max_size=12)))  # fmt: skip
def test_a_reliability_of_rows(rows: list[list[int | None]]) -> None:
    reliability = cronbach_alpha(rows)
    assert_same(reliability.to_dict(), reliability_reference(reliability))


@given(reliabilities)
def test_a_reliability(reliability: Reliability) -> None:
    assert_same(reliability.to_dict(), reliability_reference(reliability))


psq18_answers = st.fixed_dictionaries(
    {}, optional={f"q{number}": st.none() | st.integers(1, 5) for number in range(1, 19)}
)


@given(psq18_answers)
def test_a_response_score(answers: dict[str, int | None]) -> None:
    score = score_psq18(answers)
    assert_same(score.to_dict(), response_score_reference(score))
    for subscale in score.subscales.values():
        assert_same(subscale.to_dict(), subscale_score_reference(subscale))


@given(
    st.builds(
        SubscaleScore,
        id=texts,
        title=texts,
        score=st.none() | st.floats(1, 5),
        answered=st.integers(0, 10),
        items=st.integers(1, 10),
        needed=st.integers(1, 10),
        method=texts,
    )
)
def test_a_subscale_score(score: SubscaleScore) -> None:
    assert_same(score.to_dict(), subscale_score_reference(score))


@given(five_point, five_point)
def test_comparisons_of_two_periods(before: list[int | None], after: list[int | None]) -> None:
    kept = [[v for v in values if v is not None] for values in (before, after)]
    made = [
        compare_means(before, after, min_n=5),
        compare_shares(
            sum(1 for v in kept[0] if v >= 4),
            len(kept[0]),
            sum(1 for v in kept[1] if v >= 4),
            len(kept[1]),
        ),
        compare_nps([None if v is None else 2 * v for v in before], after),
    ]
    for comparison in made:
        assert_same(comparison.to_dict(), comparison_reference(comparison))


@given(
    st.builds(
        Comparison,
        measure=texts,
        before=st.none() | numbers,
        after=st.none() | numbers,
        n_before=counts,
        n_after=counts,
        difference=st.none() | numbers,
        interval=st.none() | intervals,
        real_change=st.none() | st.booleans(),
        verdict=texts,
        method=texts,
        warnings=warnings.map(tuple),
    )
)
def test_a_comparison(comparison: Comparison) -> None:
    assert_same(comparison.to_dict(), comparison_reference(comparison))


def clinician_answers(instrument: Instrument) -> st.SearchStrategy[dict[str, Any]]:
    """One respondent's answers to ``instrument``: any scored item answered on its scale, left
    blank unless it is required, or not applicable where the scale allows."""
    required: dict[str, st.SearchStrategy[Any]] = {}
    options: dict[str, st.SearchStrategy[Any]] = {}
    for item in instrument.items:
        scale = instrument.scales[item.scale]
        if not scale.scored:
            continue
        answer: st.SearchStrategy[Any] = st.integers(scale.min, scale.max)
        if scale.not_applicable:
            answer |= st.just("not_applicable")
        if item.required:
            required[item.id] = answer
        else:
            options[item.id] = st.none() | answer
    return st.fixed_dictionaries(required, optional=options)


CLINICIAN = load_instrument("lab-services-clinician")
clinician_responses = st.lists(clinician_answers(CLINICIAN), max_size=12)


@settings(max_examples=30)
@given(clinician_responses, clinician_responses)
def test_a_survey_analysed_and_compared(
    before: list[dict[str, Any]], after: list[dict[str, Any]]
) -> None:
    analysis = analyse_survey(CLINICIAN, after, min_n=5)
    for item in analysis.items.values():
        assert_same(item.to_dict(), item_analysis_reference(item))
    for subscale in analysis.subscales.values():
        assert_same(subscale.to_dict(), subscale_analysis_reference(subscale))
    for estimate in analysis.nps.values():
        assert_same(estimate.to_dict(), nps_estimate_reference(estimate))
    for share in analysis.csat.values():
        assert_same(share.to_dict(), proportion_reference(share))
    assert_same(analysis.to_dict(), survey_analysis_reference(analysis))
    compared = compare_periods(CLINICIAN, before, after, min_n=5)
    for name in ("items", "subscales", "top_box", "nps", "csat"):
        for comparison in getattr(compared, name).values():
            assert_same(comparison.to_dict(), comparison_reference(comparison))
    assert_same(compared.to_dict(), period_comparison_reference(compared))


@given(
    st.builds(
        ItemAnalysis,
        id=texts,
        text=texts,
        summary=summaries,
        not_applicable=counts,
        unanswered=counts,
    ),
    st.builds(
        SubscaleAnalysis,
        id=texts,
        title=texts,
        summary=summaries,
        reliability=reliabilities,
        unscored=counts,
        rule=texts,
    ),
)
def test_an_item_and_a_subscale_analysis(item: ItemAnalysis, subscale: SubscaleAnalysis) -> None:
    assert_same(item.to_dict(), item_analysis_reference(item))
    assert_same(subscale.to_dict(), subscale_analysis_reference(subscale))


# -- complaint trends -----------------------------------------------------------------------------
# The references are the hand-written ``to_dict`` methods as they were.


def pareto_row_reference(row: ParetoRow) -> dict[str, Any]:
    return {
        "value": row.value,
        "count": row.count,
        "share": row.share,
        "cumulative_share": row.cumulative_share,
    }


def chart_point_reference(point: ChartPoint) -> dict[str, Any]:
    return {
        "period": point.period,
        "count": point.count,
        "volume": point.volume,
        "value": point.value,
        "centre": point.centre,
        "lower": point.lower,
        "upper": point.upper,
        "signals": list(point.signals),
    }


def complaint_counts_reference(counts: ComplaintCounts) -> dict[str, Any]:
    rows = []
    for row in counts.rows:
        entry: dict[str, Any] = dict(zip(counts.dimensions, row.key, strict=True))
        entry["count"] = row.count
        if counts.per is not None:
            entry["volume"] = row.volume
            entry["rate"] = row.rate
        rows.append(entry)
    return {
        "dimensions": list(counts.dimensions),
        "period": counts.period,
        "timezone": counts.timezone,
        "total": counts.total,
        "per": counts.per,
        "rows": rows,
        "method": counts.method,
    }


def pareto_reference(made: Pareto) -> dict[str, Any]:
    return {
        "dimension": made.dimension,
        "total": made.total,
        "rows": [pareto_row_reference(row) for row in made.rows],
        "cutoff": made.cutoff,
        "vital_few": list(made.vital_few),
        "method": made.method,
    }


def recurrence_reference(recurrence: Recurrence) -> dict[str, Any]:
    return {
        "group": dict(recurrence.group),
        "first_at": recurrence.first_at.isoformat(),
        "last_at": recurrence.last_at.isoformat(),
        "peak": recurrence.peak,
        "threshold": recurrence.threshold,
        "window_seconds": recurrence.window.total_seconds(),
        "complaint_ids": list(recurrence.complaint_ids),
        "message": recurrence.message,
        "method": recurrence.method,
    }


def control_chart_reference(chart: ControlChart) -> dict[str, Any]:
    return {
        "chart": chart.chart,
        "period": chart.period,
        "timezone": chart.timezone,
        "per": chart.per,
        "centre": chart.centre,
        "baseline": list(chart.baseline),
        "points": [chart_point_reference(point) for point in chart.points],
        "signals": [
            {"period": period, "signal": signal, "meaning": SIGNAL_TEXT[signal]}
            for period, signal in chart.signals
        ],
        "method": chart.method,
    }


START = datetime(2026, 1, 1, tzinfo=UTC)
MONTHS = period_range("2025-12", "2026-07")
"""Every month a complaint received in the first half of 2026 falls in, in any time zone."""
zones = st.sampled_from(["UTC", "Europe/London", "Asia/Kolkata", "America/New_York"])


@st.composite
def received_complaints(draw: st.DrawFn) -> list[Complaint]:
    """Complaints received in the first half of 2026, from small sets of categories, groups and
    sites (so groups repeat and recurrences happen)."""
    made: list[Complaint] = []
    for number in range(draw(st.integers(0, 30))):
        made.append(
            Complaint.receive(
                id=f"c{number}",
                at=START + timedelta(minutes=draw(st.integers(0, 180 * 24 * 60))),
                by=None,
                channel=draw(st.sampled_from(Channel)),
                category=draw(st.sampled_from(["delay", "billing", "lost specimen"])),
                customer_group=draw(st.none() | st.sampled_from(["ward 4", "GP surgeries"])),
                customer_kind=draw(st.sampled_from(CustomerKind)),
                severity=draw(st.sampled_from(Severity)),
                site=draw(st.none() | st.sampled_from(["north", "south"])),
            )
        )
    return made


@settings(max_examples=40)
@given(
    received_complaints(),
    st.lists(st.sampled_from(DIMENSIONS), min_size=1, max_size=3, unique=True),
    zones,
    st.sampled_from(["month", "quarter", "week"]),
)
def test_complaint_counts(
    complaints: list[Complaint], by: list[str], timezone: str, period: str
) -> None:
    counts = count_complaints(complaints, by=by, period=period, timezone=timezone)
    assert_same(counts.to_dict(), complaint_counts_reference(counts))


@settings(max_examples=40)
@given(
    received_complaints(),
    st.lists(st.sampled_from(DIMENSIONS), max_size=2, unique=True),
    st.lists(st.integers(1, 10**5), min_size=len(MONTHS), max_size=len(MONTHS)),
    st.integers(1, 10**4),
    zones,
)
def test_complaint_rates(
    complaints: list[Complaint], by: list[str], volumes: list[int], per: int, timezone: str
) -> None:
    counts = count_complaints(
        complaints,
        by=["period", *(d for d in by if d != "period")],
        timezone=timezone,
        volumes=dict(zip(MONTHS, volumes, strict=True)),
        per=per,
    )
    document = counts.to_dict()
    assert_same(document, complaint_counts_reference(counts))
    assert all(list(row)[-3:] == ["count", "volume", "rate"] for row in document["rows"])


@settings(max_examples=40)
@given(received_complaints(), st.sampled_from(DIMENSIONS), st.floats(0.01, 1.0), zones)
def test_a_pareto(
    complaints: list[Complaint], dimension: str, cutoff: float, timezone: str
) -> None:
    made = pareto(complaints, dimension=dimension, cutoff=cutoff, timezone=timezone)
    assert_same(made.to_dict(), pareto_reference(made))


@settings(max_examples=40)
@given(
    received_complaints(),
    st.integers(0, 3),
    st.timedeltas(min_value=timedelta(minutes=1), max_value=timedelta(days=60))
    | st.integers(1, 60).map(lambda days: timedelta(days=days)),
    st.lists(st.sampled_from(DIMENSIONS), min_size=1, max_size=2, unique=True),
)
def test_recurrences(
    complaints: list[Complaint], threshold: int, window: timedelta, by: list[str]
) -> None:
    for recurrence in detect_recurrences(complaints, threshold=threshold, window=window, by=by):
        assert_same(recurrence.to_dict(), recurrence_reference(recurrence))


@st.composite
def monthly_complaints(draw: st.DrawFn) -> tuple[list[str], list[Complaint]]:
    """A run of months from January 2026 and a number of complaints received in each."""
    months = period_range("2026-01", "2027-06")[: draw(st.integers(1, 18))]
    made: list[Complaint] = []
    for month in months:
        year, number = int(month[:4]), int(month[5:])
        for n in range(draw(st.integers(0, 12))):
            made.append(
                Complaint.receive(
                    id=f"{month}-{n}",
                    at=datetime(year, number, 10, 9, tzinfo=UTC),
                    by=None,
                    channel="telephone",
                    category="delay",
                )
            )
    return list(months), made


@settings(max_examples=60)
@given(monthly_complaints(), st.booleans(), st.data())
def test_a_control_chart(
    monthly: tuple[list[str], list[Complaint]], rated: bool, data: st.DataObject
) -> None:
    months, complaints = monthly
    baseline = data.draw(st.none() | st.integers(1, len(months)))
    if rated:
        volumes = data.draw(
            st.lists(st.integers(20, 400), min_size=len(months), max_size=len(months))
        )
        chart = control_chart(
            complaints,
            volumes=dict(zip(months, volumes, strict=True)),
            per=data.draw(st.integers(1, 1000)),
            baseline=baseline,
        )
    else:
        chart = control_chart(complaints, periods=months, baseline=baseline)
    assert_same(chart.to_dict(), control_chart_reference(chart))


# -- instruments ----------------------------------------------------------------------------------
# An instrument's parts as in its document (``Instrument.from_dict`` reads them back).


def scale_reference(scale: Scale) -> dict[str, Any]:
    document: dict[str, Any] = {"kind": scale.kind.value}
    if scale.kind is ScaleKind.ORDINAL:
        document |= {"min": scale.min, "max": scale.max}
    if scale.kind is ScaleKind.ORDINAL or scale.coding is not Coding.ASCENDING:
        document["coding"] = scale.coding.value
    if scale.labels:
        document["labels"] = {str(code): text for code, text in sorted(scale.labels.items())}
    if scale.not_applicable:
        document["not_applicable"] = True
    return document


def item_reference(item: Item) -> dict[str, Any]:
    document: dict[str, Any] = {"id": item.id, "text": item.text, "scale": item.scale}
    if item.short is not None:
        document["short"] = item.short
    document["keyed"] = item.keyed.value
    if item.required:
        document["required"] = True
    return document


def missing_data_reference(rule: MissingDataRule) -> dict[str, Any]:
    if rule.min_answered is not None:
        return {"min_answered": rule.min_answered}
    return {"min_share": rule.min_share}


def subscale_reference(subscale: Subscale) -> dict[str, Any]:
    document: dict[str, Any] = {
        "id": subscale.id,
        "title": subscale.title,
        "items": list(subscale.items),
    }
    if subscale.missing_data is not None:
        document["missing_data"] = missing_data_reference(subscale.missing_data)
    return document


def measure_reference(measure: Measure) -> dict[str, Any]:
    document: dict[str, Any] = {"kind": measure.kind, "item": measure.item}
    if measure.kind == "csat":
        document["top"] = measure.top
    return document


def instrument_reference(instrument: Instrument) -> dict[str, Any]:
    document: dict[str, Any] = {
        "id": instrument.id,
        "version": instrument.version,
        "title": instrument.title,
        "source": instrument.source,
    }
    for name in ("url", "licence"):
        if getattr(instrument, name) is not None:
            document[name] = getattr(instrument, name)
    document["audience"] = instrument.audience
    if instrument.instructions:
        document["instructions"] = instrument.instructions
    if instrument.notes:
        document["notes"] = instrument.notes
    document["scales"] = {name: scale_reference(scale) for name, scale in instrument.scales.items()}
    document["items"] = [item_reference(item) for item in instrument.items]
    if instrument.declared_reverse is not None:
        document["reverse_scored"] = list(instrument.declared_reverse)
    document["subscales"] = [subscale_reference(subscale) for subscale in instrument.subscales]
    document["missing_data"] = missing_data_reference(instrument.missing_data)
    if instrument.measures:
        document["measures"] = [measure_reference(measure) for measure in instrument.measures]
    return document


rules = st.builds(MissingDataRule, min_answered=st.integers(1, 10)) | st.builds(
    MissingDataRule, min_share=st.floats(0.01, 1.0)
)


@st.composite
def generated_instruments(draw: st.DrawFn) -> Instrument:
    """Valid instruments: agreement items with or without a short wording, required or not, of
    either keying; subscales with or without their own rule; an NPS and a CSAT measure or not;
    with or without each optional text and the publisher's reverse-scored items."""
    ids = [f"i{n}" for n in range(draw(st.integers(1, 6)))]
    items: list[dict[str, Any]] = []
    for item_id in ids:
        item: dict[str, Any] = {"id": item_id, "text": f"Item {item_id}", "scale": "agreement"}
        if draw(st.booleans()):
            item["short"] = draw(st.text(min_size=1, max_size=10))
        item["keyed"] = draw(st.sampled_from(["positive", "negative"]))
        if draw(st.booleans()):
            item["required"] = draw(st.booleans())
        items.append(item)
    items.append({"id": "recommend", "text": "Would you recommend us?", "scale": "recommend"})
    subscales = []
    for n in range(draw(st.integers(0, 3))):
        members = draw(st.lists(st.sampled_from(ids), min_size=1, unique=True))
        subscale: dict[str, Any] = {"id": f"sub{n}", "title": f"Sub {n}", "items": members}
        if draw(st.booleans()):
            subscale["missing_data"] = draw(
                st.integers(1, len(members)).map(lambda k: {"min_answered": k})
                | st.floats(0.01, 1.0).map(lambda f: {"min_share": f})
            )
        subscales.append(subscale)
    measures: list[dict[str, Any]] = []
    if draw(st.booleans()):
        measures.append({"kind": "nps", "item": "recommend"})
    if draw(st.booleans()):
        measures.append({"kind": "csat", "item": ids[0], "top": draw(st.integers(1, 3))})
    document: dict[str, Any] = {
        "id": "generated",
        "version": "1",
        "title": "Generated",
        "source": "hypothesis",
        "scales": {
            "agreement": {
                "kind": "ordinal",
                "min": 1,
                "max": 5,
                "coding": draw(st.sampled_from(["ascending", "descending"])),
                "not_applicable": draw(st.booleans()),
            },
            "recommend": {"kind": "ordinal", "min": 0, "max": 10, "coding": "ascending"},
        },
        "items": items,
        "subscales": subscales,
        "missing_data": draw(
            st.just({"min_answered": 1}) | st.floats(0.01, 1.0).map(lambda f: {"min_share": f})
        ),
        "measures": measures,
    }
    for name, values in (("url", ["https://example.org"]), ("licence", ["CC BY 4.0"])):
        if draw(st.booleans()):
            document[name] = draw(st.sampled_from(values))
    for name in ("instructions", "notes"):
        if draw(st.booleans()):
            document[name] = draw(st.sampled_from(["", "Tick one box per line."]))
    if draw(st.booleans()):
        document["audience"] = draw(st.sampled_from(["internal", "external", "any"]))
    instrument = Instrument.from_dict(document)
    if draw(st.booleans()):
        document["reverse_scored"] = list(instrument.reversed_items)
        instrument = Instrument.from_dict(document)
    return instrument


@settings(max_examples=20)
@given(generated_instruments(), st.data())
def test_a_survey_of_a_generated_instrument(instrument: Instrument, data: st.DataObject) -> None:
    responses = st.lists(clinician_answers(instrument), max_size=12)
    before, after = data.draw(responses), data.draw(responses)
    analysis = analyse_survey(instrument, after, min_n=5, top=data.draw(st.integers(1, 3)))
    assert_same(analysis.to_dict(), survey_analysis_reference(analysis))
    compared = compare_periods(instrument, before, after, min_n=5)
    assert_same(compared.to_dict(), period_comparison_reference(compared))


@given(
    generated_instruments() | st.sampled_from(sorted(shipped_instruments())).map(load_instrument)
)
def test_an_instrument_and_its_parts(instrument: Instrument) -> None:
    document = instrument.to_dict()
    assert_same(document, instrument_reference(instrument))
    assert Instrument.from_dict(json.loads(json.dumps(document))) == instrument
    for scale in instrument.scales.values():
        assert_same(scale.to_dict(), scale_reference(scale))
    for item in instrument.items:
        assert_same(item.to_dict(), item_reference(item))
    for subscale in instrument.subscales:
        assert_same(subscale.to_dict(), subscale_reference(subscale))
    for measure in instrument.measures:
        assert_same(measure.to_dict(), measure_reference(measure))


@given(
    st.builds(
        Scale,
        kind=st.sampled_from(ScaleKind),
        min=st.integers(-3, 3),
        max=st.integers(1, 10),
        coding=st.sampled_from(Coding),
        labels=st.dictionaries(st.integers(-3, 10), texts, max_size=4),
        not_applicable=st.booleans(),
    ),
    st.builds(
        Item,
        id=texts,
        text=texts,
        scale=texts,
        keyed=st.sampled_from(Keyed),
        required=st.booleans(),
        short=st.none() | texts,
    ),
    st.builds(
        Subscale,
        id=texts,
        title=texts,
        items=st.lists(texts, max_size=4).map(tuple),
        missing_data=st.none() | rules,
    ),
    st.builds(Measure, kind=st.sampled_from(["nps", "csat"]), item=texts, top=st.integers(1, 4)),
)
def test_a_scale_an_item_a_subscale_and_a_measure(
    scale: Scale, item: Item, subscale: Subscale, measure: Measure
) -> None:
    assert_same(scale.to_dict(), scale_reference(scale))
    assert_same(item.to_dict(), item_reference(item))
    assert_same(subscale.to_dict(), subscale_reference(subscale))
    assert_same(measure.to_dict(), measure_reference(measure))
    assert list(item.to_dict())[:3] == ["id", "text", "scale"]
