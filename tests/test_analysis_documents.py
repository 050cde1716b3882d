"""Analysis results that are plain values dump through the library's one converter, in the
shape their hand-written ``to_dict`` gave (kept here as the reference)."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from qse_customer.analysis.complaint_trends import ChartPoint, ParetoRow
from qse_customer.analysis.survey_round import ResponseRate
from qse_customer.analysis.survey_statistics import Interval

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
