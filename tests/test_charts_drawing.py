"""How the charts are drawn (issue 15): the short cuts taken for speed draw the same SVG, byte
for byte, as matplotlib working everything out again each time it is asked."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qse_customer.reports import charts

pytestmark = pytest.mark.skipif(not charts.charts_available(), reason="needs matplotlib")

LABELS = st.text(st.characters(codec="ascii", categories=("L", "N", "P")), min_size=1, max_size=14)


@contextlib.contextmanager
def _as_matplotlib_does_it() -> Iterator[None]:
    """Every axis works its ticks and their labels' boxes out each time it is asked, and the
    compliance chart's title is placed by matplotlib's search instead of pinned at the top."""
    import matplotlib.axes

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(charts, "_ticks_worked_out_once", lambda figure: contextlib.nullcontext())
        set_title = matplotlib.axes.Axes.set_title

        def searched_title(self: Any, *arguments: Any, y: Any = None, **options: Any) -> Any:
            return set_title(self, *arguments, **options)

        patch.setattr(matplotlib.axes.Axes, "set_title", searched_title)
        yield


def _same(draw: Callable[[], str | None]) -> None:
    drawn = draw()
    with _as_matplotlib_does_it():
        reference = draw()
    assert drawn is not None and drawn.startswith("<svg")
    assert drawn == reference


@settings(max_examples=12, deadline=None)
@given(
    shares=st.lists(
        st.tuples(LABELS, st.integers(0, 40), st.integers(1, 40)), min_size=1, max_size=30
    ),
    title=LABELS,
)
def test_a_compliance_chart_is_what_matplotlib_draws(
    shares: list[tuple[str, int, int]], title: str
) -> None:
    rules = [
        {
            "rule_id": name,
            "met": min(met, decided),
            "share_met_denominator": decided,
            "share_met": min(met, decided) / decided,
        }
        for name, met, decided in shares
    ]
    _same(lambda: charts.compliance_chart(rules, title))


@settings(max_examples=8, deadline=None)
@given(
    counts=st.lists(st.integers(0, 500), min_size=1, max_size=24),
    limits=st.booleans(),
)
def test_a_trend_chart_is_what_matplotlib_draws(counts: list[int], limits: bool) -> None:
    centre = sum(counts) / len(counts)
    points = [
        {
            "period": f"{2024 + month // 12}-{month % 12 + 1:02d}",
            "count": count,
            "signals": ["above"] if count > 2 * centre else [],
            **({"centre": centre, "upper": centre + 3 * centre**0.5} if limits else {}),
        }
        for month, count in enumerate(counts)
    ]
    _same(lambda: charts.trend_chart(points))


@settings(max_examples=8, deadline=None)
@given(
    counts=st.lists(st.tuples(LABELS, st.integers(1, 300)), min_size=1, max_size=12),
    cutoff=st.floats(0.5, 0.95),
)
def test_a_pareto_chart_is_what_matplotlib_draws(
    counts: list[tuple[str, int]], cutoff: float
) -> None:
    ordered = sorted(counts, key=lambda row: -row[1])
    total = sum(count for _, count in ordered)
    rows, running = [], 0
    for value, count in ordered:
        running += count
        rows.append({"value": value, "count": count, "cumulative_share": running / total})
    _same(lambda: charts.pareto_chart(rows, cutoff))


@settings(max_examples=8, deadline=None)
@given(
    means=st.lists(
        st.tuples(LABELS, st.floats(1.2, 4.8), st.one_of(st.none(), st.floats(0.01, 0.2))),
        min_size=1,
        max_size=9,
    )
)
def test_a_subscale_chart_is_what_matplotlib_draws(
    means: list[tuple[str, float, float | None]],
) -> None:
    subscales = [
        {
            "title": title,
            "summary": {
                "mean": mean,
                "scale": [1, 5],
                "mean_interval": None
                if half is None
                else {"low": mean - half, "high": mean + half},
            },
        }
        for title, mean, half in means
    ]
    _same(lambda: charts.subscale_chart(subscales))


def test_an_axis_without_the_methods_the_short_cut_stands_in_for_is_drawn_as_before(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    points = [{"period": f"2026-{month:02d}", "count": month} for month in range(1, 13)]
    drawn = charts.trend_chart(points)
    monkeypatch.setattr(charts, "_AXIS_WORK", ("_update_ticks", "_not_in_this_matplotlib"))
    assert charts.trend_chart(points) == drawn
