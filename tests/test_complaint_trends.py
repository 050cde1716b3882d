"""Complaint analytics on generated complaints, with hand-computed control-chart limits."""

from __future__ import annotations

import json
import math
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qse_customer.analysis.complaint_trends import (
    DIMENSIONS,
    Tallied,
    control_chart,
    count_complaints,
    count_complaints_each,
    detect_recurrences,
    pareto,
    pareto_of,
)
from qse_customer.analysis.periods import period_key, period_range
from qse_customer.core.complaint import Complaint
from qse_customer.core.errors import ValidationError
from qse_customer.core.parties import Submitter
from qse_customer.testing.strategies import complaints

START = datetime(2026, 1, 1, tzinfo=UTC)
CATEGORIES = ("delay", "lost specimen", "billing", "rudeness")
GROUPS = (None, "ward 4", "GP surgeries")


@st.composite
def clustered(draw: st.DrawFn) -> Complaint:
    """A generated complaint moved into 2026 Q1 with a category and group from small sets."""
    complaint = draw(complaints())
    target = START + timedelta(minutes=draw(st.integers(0, 90 * 24 * 60)))
    shift = target - complaint.opened_at
    events = tuple(attrs.evolve(event, at=event.at + shift) for event in complaint.events)
    # A correction's replacement moves with the rest of the history.
    events = tuple(
        attrs.evolve(
            event,
            data={
                **event.data,
                "replacement": {
                    **event.data["replacement"],
                    "at": (
                        datetime.fromisoformat(event.data["replacement"]["at"]) + shift
                    ).isoformat(),
                },
            },
        )
        if event.kind == "corrected"
        else event
        for event in events
    )
    return complaint.evolve(
        events=events,
        category=draw(st.sampled_from(CATEGORIES)),
        customer_group=draw(st.sampled_from(GROUPS)),
        site=draw(st.sampled_from((None, "north", "south"))),
    )


def received(
    id: str, at: datetime, category: str = "delay", group: str | None = "ward 4", **fields: Any
) -> Complaint:
    return Complaint.receive(
        id=id,
        at=at,
        by=None,
        channel="telephone",
        category=category,
        customer_group=group,
        **fields,
    )


def monthly(counts: list[int], year: int = 2026) -> list[Complaint]:
    made: list[Complaint] = []
    for month, count in enumerate(counts, start=1):
        for n in range(count):
            at = datetime(year + (month - 1) // 12, (month - 1) % 12 + 1, 10, 9, tzinfo=UTC)
            made.append(received(f"m{month}-{n}", at))
    return made


# -- periods --------------------------------------------------------------------------------------


def test_period_of_receipt_is_taken_in_the_labs_time_zone() -> None:
    late = datetime(2026, 1, 31, 23, 30, tzinfo=UTC)
    assert period_key(late, "month", "Europe/London") == "2026-01"
    assert period_key(late, "month", "Asia/Kolkata") == "2026-02"
    assert period_key(datetime(2027, 1, 1, 12, tzinfo=UTC), "week") == "2026-W53"
    assert period_key(datetime(2026, 5, 1, tzinfo=UTC), "quarter") == "2026-Q2"
    assert period_key(datetime(2026, 5, 1, tzinfo=UTC), "year") == "2026"


def test_period_ranges() -> None:
    assert period_range("2025-11", "2026-02") == ("2025-11", "2025-12", "2026-01", "2026-02")
    assert period_range("2025-Q4", "2026-Q1", "quarter") == ("2025-Q4", "2026-Q1")
    assert period_range("2026-W52", "2027-W01", "week") == ("2026-W52", "2026-W53", "2027-W01")
    assert period_range("2026-03", "2026-01") == ()
    with pytest.raises(ValidationError, match="expected a month like 2026-01"):
        period_range("2026-13", "2027-01")


# -- counts, rates and Pareto on generated complaints ---------------------------------------------


@settings(max_examples=40)
@given(
    st.lists(complaints(), max_size=25),
    st.lists(st.sampled_from(DIMENSIONS), unique=True, max_size=3),
)
def test_counts_add_up_to_the_total(generated: list[Complaint], by: list[str]) -> None:
    by = by or ["category"]
    counts = count_complaints(generated, by=by)
    assert counts.total == len(generated) == sum(row.count for row in counts.rows)
    assert all(row.count > 0 for row in counts.rows)
    assert len({row.key for row in counts.rows}) == len(counts.rows)
    per_category = count_complaints(generated, by=["category"])
    assert {row.key[0]: row.count for row in per_category.rows} == Counter(
        c.category for c in generated
    )
    json.dumps(counts.to_dict())


@settings(max_examples=40)
@given(st.lists(complaints(), max_size=25))
def test_pareto_is_sorted_and_its_shares_sum_to_one(generated: list[Complaint]) -> None:
    chart = pareto(generated)
    counts = [row.count for row in chart.rows]
    assert counts == sorted(counts, reverse=True)
    assert sum(counts) == chart.total == len(generated)
    if generated:
        assert math.isclose(math.fsum(row.share for row in chart.rows), 1.0, abs_tol=1e-12)
        assert chart.rows[-1].cumulative_share == 1.0
        cumulative = [row.cumulative_share for row in chart.rows]
        assert cumulative == sorted(cumulative)
        few = chart.vital_few
        reached = sum(row.count for row in chart.rows[: len(few)]) / chart.total
        before = sum(row.count for row in chart.rows[: len(few) - 1]) / chart.total
        assert reached >= chart.cutoff > before
    else:
        assert chart.rows == () and chart.vital_few == ()


def test_pareto_hand_computed() -> None:
    made = [received(f"c{n}", START, category) for n, category in enumerate("aaaaabbbcd")]
    chart = pareto(made)
    assert [(r.value, r.count, r.share, r.cumulative_share) for r in chart.rows] == [
        ("a", 5, 0.5, 0.5),
        ("b", 3, 0.3, 0.8),
        ("c", 1, 0.1, 0.9),
        ("d", 1, 0.1, 1.0),
    ]
    assert chart.vital_few == ("a", "b")


def test_rates_per_thousand_requests() -> None:
    made = [*monthly([3, 1]), received("x", datetime(2026, 2, 3, tzinfo=UTC), "billing")]
    counts = count_complaints(
        made, by=["period", "category"], volumes={"2026-01": 1500, "2026-02": 2000}
    )
    rows = {row.key: (row.count, row.volume, row.rate) for row in counts.rows}
    assert rows == {
        ("2026-01", "delay"): (3, 1500, 2.0),
        ("2026-02", "billing"): (1, 2000, 0.5),
        ("2026-02", "delay"): (1, 2000, 0.5),
    }
    assert counts.count(period="2026-02", category="delay") == 1
    assert counts.count(period="2026-03", category="delay") == 0
    assert "x 1000" in counts.method


def test_count_errors_name_the_field() -> None:
    made = monthly([1, 1])
    with pytest.raises(ValidationError, match="never by submitter"):
        count_complaints(made, by=["submitter"])
    with pytest.raises(ValidationError, match="no volume is given"):
        count_complaints(made, by=["period"], volumes={"2026-01": 10})
    with pytest.raises(ValidationError, match="need 'period' in by"):
        count_complaints(made, by=["category"], volumes={"2026-01": 10})
    with pytest.raises(ValidationError, match=r"\$\.volumes\.2026-01"):
        count_complaints(made, by=["period"], volumes={"2026-01": 0, "2026-02": 5})
    with pytest.raises(ValidationError, match="unknown time zone"):
        count_complaints(made, timezone="Mars/Olympus")
    with pytest.raises(ValidationError, match=r"\$\[0\]"):
        count_complaints(["not a complaint"])  # type: ignore[list-item]


def test_start_and_end_select_the_period_received() -> None:
    made = monthly([2, 3, 4])
    counts = count_complaints(
        made,
        by=["period"],
        start=datetime(2026, 2, 1, tzinfo=UTC),
        end=datetime(2026, 3, 1, tzinfo=UTC),
    )
    assert [(row.key, row.count) for row in counts.rows] == [(("2026-02",), 3)]


# -- recurrence ---------------------------------------------------------------------------------


def brute_force(group: list[Complaint], threshold: int, window: timedelta) -> tuple[set[str], int]:
    """The ids in some firing window, and the peak count, straight from the definition."""
    ids: set[str] = set()
    peak = 0
    for complaint in group:
        t = complaint.opened_at
        inside = [c for c in group if t - window < c.opened_at <= t]
        if len(inside) > threshold:
            ids |= {c.id for c in inside}
            peak = max(peak, len(inside))
    return ids, peak


@settings(max_examples=60)
@given(
    st.lists(clustered(), max_size=30, unique_by=lambda c: c.id),
    st.integers(0, 4),
    st.integers(1, 40).map(lambda days: timedelta(days=days)),
)
def test_recurrence_fires_exactly_when_the_window_count_exceeds_the_threshold(
    generated: list[Complaint], threshold: int, window: timedelta
) -> None:
    found = detect_recurrences(generated, threshold=threshold, window=window)
    by_group: dict[tuple[str, str | None], list[Complaint]] = {}
    for complaint in generated:
        by_group.setdefault((complaint.category, complaint.customer_group), []).append(complaint)
    for key, group in by_group.items():
        ids, peak = brute_force(group, threshold, window)
        mine = [
            r for r in found if (dict(r.group)["category"], dict(r.group)["customer_group"]) == key
        ]
        assert bool(mine) == bool(ids)
        assert {i for r in mine for i in r.complaint_ids} == ids
        if mine:
            assert max(r.peak for r in mine) == peak
            assert all(r.peak > threshold for r in mine)
    assert all(len(set(r.complaint_ids)) == len(r.complaint_ids) for r in found)


def test_recurrence_hand_picked() -> None:
    day = timedelta(days=1)
    made = [
        received("a1", START),
        received("a2", START + 3 * day),
        received("a3", START + 6 * day),
        received("a4", START + 40 * day),
        received("b1", START + day, group="GP surgeries"),
        received("b2", START + 2 * day, group="GP surgeries"),
    ]
    found = detect_recurrences(made, threshold=2, window=timedelta(days=7))
    assert len(found) == 1
    recurrence = found[0]
    assert recurrence.group == (("category", "delay"), ("customer_group", "ward 4"))
    assert (recurrence.peak, recurrence.complaint_ids) == (3, ("a1", "a2", "a3"))
    assert "3 complaints (category 'delay', customer_group 'ward 4') within 7 days" in (
        recurrence.message
    )
    assert detect_recurrences(made, threshold=3, window=timedelta(days=7)) == ()
    # The window is (t - window, t]: a1 is exactly 6 days before a3, so a 6-day window drops it.
    assert detect_recurrences(made, threshold=2, window=timedelta(days=6)) == ()
    with pytest.raises(ValidationError, match="threshold"):
        detect_recurrences(made, threshold=-1, window=timedelta(days=1))
    with pytest.raises(ValidationError, match="positive timedelta"):
        detect_recurrences(made, threshold=1, window=timedelta(0))


# -- control charts -------------------------------------------------------------------------------


def test_c_chart_limits_by_hand() -> None:
    # Counts 2, 3, 1, 2, 2, 2, 14: centre 26 / 7 = 3.714..., sigma sqrt(26 / 7) = 1.927...,
    # upper limit 3.714 + 5.782 = 9.496, lower limit 3.714 - 5.782 < 0, so 0.
    chart = control_chart(monthly([2, 3, 1, 2, 2, 2, 14]))
    assert chart.chart == "c" and len(chart.points) == 7
    assert chart.centre == pytest.approx(26 / 7, abs=1e-12)
    upper = chart.points[0].upper
    assert upper == pytest.approx(26 / 7 + 3 * math.sqrt(26 / 7), abs=1e-12)
    assert round(upper, 4) == 9.4960
    assert {point.lower for point in chart.points} == {0.0}
    assert chart.signals == (("2026-07", "above_upper_limit"),)
    assert chart.out_of_control


def test_c_chart_with_a_baseline_and_empty_months() -> None:
    made = monthly([2, 3, 1, 2, 2, 2]) + monthly([0, 0, 0, 0, 0, 0, 0, 0, 9])
    chart = control_chart(made, baseline=6)
    # Baseline Jan-Jun 2026: centre 2, upper limit 2 + 3 sqrt(2) = 6.243; July and August
    # have no complaints and are still charted; September's 9 is above the limit.
    assert [p.period for p in chart.points] == list(period_range("2026-01", "2026-09"))
    assert chart.baseline == period_range("2026-01", "2026-06")
    assert chart.centre == 2.0
    assert chart.points[0].upper == pytest.approx(2 + 3 * math.sqrt(2), abs=1e-12)
    assert [p.count for p in chart.points[6:]] == [0, 0, 9]
    assert ("2026-09", "above_upper_limit") in chart.signals


def test_u_chart_limits_by_hand() -> None:
    # 10, 8 and 30 complaints on 10,000, 8,000 and 12,000 requests: u = 48 / 30,000 = 0.0016,
    # 1.6 per 1,000. January: sigma = sqrt(0.0016 / 10,000) = 0.0004, limits 0.4 and 2.8.
    made = monthly([10, 8, 30])
    chart = control_chart(made, volumes={"2026-01": 10_000, "2026-02": 8_000, "2026-03": 12_000})
    assert chart.chart == "u" and chart.per == 1000
    assert chart.centre == pytest.approx(1.6, abs=1e-12)
    january, february, march = chart.points
    assert (january.lower, january.upper) == pytest.approx((0.4, 2.8), abs=1e-12)
    assert february.upper == pytest.approx(
        (0.0016 + 3 * math.sqrt(0.0016 / 8000)) * 1000, abs=1e-12
    )
    assert march.value == 2.5 and march.upper == pytest.approx(2.6954451150103324, abs=1e-12)
    assert not chart.out_of_control
    high = control_chart(
        monthly([10, 8, 40]), volumes={"2026-01": 10_000, "2026-02": 8_000, "2026-03": 12_000}
    )
    assert high.signals == (("2026-03", "above_upper_limit"),)


def test_u_chart_charts_only_months_with_a_volume() -> None:
    chart = control_chart(monthly([1, 1, 1]), volumes={"2026-02": 100})
    assert [(p.period, p.count) for p in chart.points] == [("2026-02", 1)]


def test_run_and_trend_rules() -> None:
    run = control_chart(monthly([2, 2, 2, 2] + [3] * 8), baseline=4)
    assert [s for s in run.signals if s[1] == "run_above_centre"] == [
        ("2026-12", "run_above_centre")
    ]
    trend = control_chart(monthly([1, 2, 3, 4, 5, 6]))
    assert trend.signals == (("2026-06", "trend_up"),)
    falling = control_chart(monthly([6, 5, 4, 3, 2, 1, 1]))
    assert falling.signals == (("2026-06", "trend_down"),)


def test_chart_errors_and_empty_input() -> None:
    assert control_chart([]).points == ()
    with pytest.raises(ValidationError, match="baseline"):
        control_chart(monthly([1, 2]), baseline=3)
    with pytest.raises(ValidationError, match="listed twice"):
        control_chart([], periods=["2026-01", "2026-01"])
    chart = control_chart([], periods=["2026-02", "2026-01"])
    assert [p.period for p in chart.points] == ["2026-01", "2026-02"]
    json.dumps(chart.to_dict())


# -- privacy --------------------------------------------------------------------------------------


@settings(max_examples=30)
@given(st.lists(clustered(), max_size=20, unique_by=lambda c: c.id))
def test_no_analytic_output_reveals_a_submitter(generated: list[Complaint]) -> None:
    marked = [
        c
        if c.anonymous
        else c.evolve(
            submitter=Submitter(
                name=f"secret-name-{n}", contact=f"secret-contact-{n}", customer_id=f"secret-id-{n}"
            )
        )
        for n, c in enumerate(generated)
    ]
    outputs: list[dict[str, Any]] = [count_complaints(marked, by=list(DIMENSIONS)).to_dict()]
    outputs += [pareto(marked, dimension=d).to_dict() for d in DIMENSIONS]
    outputs += [
        r.to_dict() for r in detect_recurrences(marked, threshold=0, window=timedelta(days=30))
    ]
    outputs.append(control_chart(marked).to_dict())
    text = json.dumps(outputs)
    assert "secret-" not in text


@settings(max_examples=40)
@given(
    st.lists(st.tuples(complaints(), st.integers(1, 4)), min_size=1, max_size=12),
    st.sampled_from(["category", "period", "site", "severity"]),
)
def test_one_complaint_listed_many_times_counts_as_its_copies(
    listed: list[tuple[Complaint, int]], dimension: str
) -> None:
    """The report lets one complaint stand for many alike (the same object listed again):
    counts, Paretos and control charts are those of as many distinct copies."""
    repeated = [complaint for complaint, times in listed for _ in range(times)]
    copies = [attrs.evolve(complaint) for complaint in repeated]
    assert all(a is not b for a, b in zip(repeated, copies, strict=True))
    for made in (
        lambda given: count_complaints(given, by=(dimension,), timezone="Europe/London"),
        lambda given: pareto(given, dimension=dimension, timezone="Europe/London"),
        lambda given: control_chart(given, timezone="Europe/London"),
    ):
        assert made(repeated) == made(copies)


@given(
    st.lists(st.tuples(complaints(), st.integers(1, 4)), max_size=10),
    st.sampled_from(["category", "period", "site", "severity"]),
    st.data(),
)
def test_a_tallied_sequence_reads_and_counts_as_the_list_it_stands_for(
    listed: list[tuple[Complaint, int]], dimension: str, data: st.DataObject
) -> None:
    """A :class:`Tallied` (what the report keeps: one complaint per group alike, with how many
    it stands for) is the sequence listing each complaint that many times, and every analytic
    counts it as that list (it reads the pairs instead of listing them)."""
    tallied = Tallied(listed)
    repeated = [complaint for complaint, times in listed for _ in range(times)]
    assert len(tallied) == len(repeated)
    assert list(tallied) == repeated
    assert tallied[:] == repeated[:]
    assert tallied[1::2] == repeated[1::2]
    if repeated:
        index = data.draw(st.integers(-len(repeated), len(repeated) - 1))
        assert tallied[index] is repeated[index]
    for outside in (len(repeated), -len(repeated) - 1):
        with pytest.raises(IndexError):
            tallied[outside]
    if not repeated:
        return
    for made in (
        lambda given: count_complaints(given, by=(dimension,), timezone="Europe/London"),
        lambda given: pareto(given, dimension=dimension, timezone="Europe/London"),
        lambda given: control_chart(given, timezone="Europe/London"),
    ):
        assert made(tallied) == made(repeated)


def test_a_tallied_sequence_refuses_what_is_not_a_complaint_and_count() -> None:
    complaint = monthly([1])[0]
    with pytest.raises(ValidationError) as raised:
        Tallied([(complaint, 2), ("C-1", 1)])  # type: ignore[list-item]
    assert raised.value.errors[0].path == "$[1][0]"
    for count in (0, -1, True, 1.5):
        with pytest.raises(ValidationError) as raised:
            Tallied([(complaint, count)])  # type: ignore[list-item]
        assert raised.value.errors[0].path == "$[0][1]"


@settings(max_examples=40)
@given(
    st.lists(clustered(), max_size=20),
    st.lists(st.sampled_from(DIMENSIONS), min_size=1, unique=True),
    st.sampled_from(["week", "month", "quarter"]),
    st.sampled_from(["UTC", "Europe/London", "Asia/Kathmandu"]),
    st.booleans(),
)
def test_counting_each_dimension_at_once_is_counting_each_alone(
    generated: list[Complaint], by: list[str], period: str, timezone: str, tallied: bool
) -> None:
    listed: Any = Tallied((c, 2) for c in generated) if tallied else generated
    volumes = None
    if "period" in by:
        keys = {period_key(c.opened_at, period, timezone) for c in generated}
        volumes = {key: 1000 + index for index, key in enumerate(sorted(keys))}
    each = count_complaints_each(
        listed, by, period=period, timezone=timezone, period_volumes=volumes
    )
    assert list(each) == by
    for dimension in by:
        alone = count_complaints(
            listed,
            by=(dimension,),
            period=period,
            timezone=timezone,
            volumes=volumes if dimension == "period" else None,
        )
        assert each[dimension] == alone
    if "category" in by:
        assert pareto_of(each["category"]) == pareto(listed, period=period, timezone=timezone)


def test_counting_each_refuses_what_counting_refuses() -> None:
    with pytest.raises(ValidationError, match="submitter"):
        count_complaints_each([], ["submitter"])
    with pytest.raises(ValidationError, match="named twice"):
        count_complaints_each([], ["site", "site"])
    with pytest.raises(ValidationError, match=r"\$\.volumes\.2026-01"):
        count_complaints_each(monthly([1]), ["period"], period_volumes={"2026-02": 10})
    assert list(count_complaints_each(monthly([2]), "site")) == ["site"]
    with pytest.raises(ValidationError, match="one dimension"):
        pareto_of(count_complaints([], by=("site", "category")))
