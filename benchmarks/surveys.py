"""Throughput and memory of survey scoring and analysis and of complaint analytics, with scipy and
a bare ``collections.Counter`` as references measured in the same run.

Run from the repository root:

    PYTHONPATH=src python benchmarks/surveys.py                      # 20,000 of each
    PYTHONPATH=src python benchmarks/surveys.py --n 5000 --repeats 3

Times are the median of ``--repeats`` runs. The references:

1. scipy: the per-item n, mean, sample SD and Student's t interval of the mean of the PSQ-18's 18
   items, computed with numpy and ``scipy.stats.t.interval`` on the same scored values; the
   library's ``analyse_survey`` must agree to 1e-9, and its time is shown as a ratio to scipy's
   (the library also scores, reverse-codes, applies the missing-data rule, computes top-box
   shares with Wilson intervals, subscale scores and Cronbach's alpha, which scipy does not);
2. ``Counter(c.category for c in complaints)`` for ``count_complaints(by=["category"])``.

Peak memory is the peak traced by ``tracemalloc`` during one analysis of all the responses.
scipy is the optional ``stats`` extra (``pip install qse-customer[stats]``).
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from scipy import stats

from qse_customer import Complaint
from qse_customer.analysis.complaint_trends import (
    control_chart,
    count_complaints,
    detect_recurrences,
    pareto,
)
from qse_customer.analysis.instrument_registry import load_instrument
from qse_customer.analysis.scoring import score_numbers, score_response
from qse_customer.analysis.survey_analysis import analyse_survey

CATEGORIES = ("delay", "lost specimen", "billing", "rudeness", "haemolysed", "wrong patient")
GROUPS = ("ward 1", "ward 2", "GP", None)


def timed(function: Callable[[], Any], repeats: int) -> float:
    """The median wall time of ``repeats`` calls, in seconds."""
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        function()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def scipy_items(
    columns: dict[str, list[float]],
) -> dict[str, tuple[int, float, float, float, float]]:
    """Per item: n, mean, sample SD and the 95% t interval, by numpy and scipy."""
    result = {}
    for item, values in columns.items():
        data = np.asarray(values, dtype=float)
        n = data.size
        mean = float(data.mean())
        sd = float(data.std(ddof=1))
        low, high = stats.t.interval(0.95, n - 1, loc=mean, scale=sd / math.sqrt(n))
        result[item] = (n, mean, sd, float(low), float(high))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=20_000, help="responses and complaints")
    parser.add_argument("--repeats", type=int, default=3)
    options = parser.parse_args()
    n, repeats = options.n, options.repeats
    rng = random.Random(7)
    psq = load_instrument("psq-18")
    answers = [{f"q{i}": rng.choice([1, 2, 3, 4, 5, None]) for i in range(1, 19)} for _ in range(n)]

    seconds = timed(lambda: [score_response(psq, a) for a in answers], repeats)
    print(f"score_response PSQ-18: {n / seconds:,.0f} responses/s")
    ours = timed(lambda: analyse_survey(psq, answers), repeats)
    print(f"analyse_survey PSQ-18, {n:,} responses: {ours:.2f} s, {n / ours:,.0f} responses/s")
    tracemalloc.start()
    analysis = analyse_survey(psq, answers)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"  peak traced memory during one analysis: {peak / 1e6:.1f} MB")

    scores = [score_numbers(psq, a) for a in answers]
    columns = {
        item: [v for v in (s.items[item] for s in scores) if v is not None]
        for item in analysis.items
    }
    reference = timed(lambda: scipy_items(columns), repeats)
    worst = 0.0
    for item, (count, mean, sd, low, high) in scipy_items(columns).items():
        summary = analysis.items[item].summary
        assert summary.n == count and summary.mean is not None and summary.sd is not None
        assert summary.mean_interval is not None
        got = (summary.mean, summary.sd, summary.mean_interval.low, summary.mean_interval.high)
        worst = max(worst, *(abs(a - b) for a, b in zip(got, (mean, sd, low, high), strict=True)))
    assert worst <= 1e-9, worst
    print(
        f"  per-item n/mean/SD/t interval agree with numpy+scipy (largest difference "
        f"{worst:.1e}); scipy on the pre-scored columns: {reference * 1000:.1f} ms, "
        f"analyse_survey {ours / reference:.0f}x that (it also scores every response)"
    )
    scoring = timed(lambda: [score_numbers(psq, a) for a in answers], repeats)
    print(f"  analyse_survey / scoring alone on the same responses: {ours / scoring:.2f}x")

    start = datetime(2024, 1, 1, tzinfo=UTC)
    complaints = [
        Complaint.receive(
            id=f"c{k}",
            at=start + timedelta(minutes=rng.randrange(2 * 365 * 24 * 60)),
            by=None,
            channel="telephone",
            category=rng.choice(CATEGORIES),
            customer_group=rng.choice(GROUPS),
            site=rng.choice(["north", "south"]),
        )
        for k in range(n)
    ]
    runs: list[tuple[str, Callable[[], Any]]] = [
        (
            "count_complaints by period, category, site",
            lambda: count_complaints(
                complaints, by=["period", "category", "site"], timezone="Europe/London"
            ),
        ),
        ("pareto by category", lambda: pareto(complaints)),
        (
            "detect_recurrences (> 40 within 30 days)",
            lambda: detect_recurrences(complaints, threshold=40, window=timedelta(days=30)),
        ),
        ("control_chart (c-chart, monthly)", lambda: control_chart(complaints)),
    ]
    for name, function in runs:
        seconds = timed(function, repeats)
        print(f"{name}: {n / seconds:,.0f} complaints/s")
    base = timed(lambda: Counter(c.category for c in complaints), repeats)
    ours = timed(lambda: count_complaints(complaints, by=["category"]), repeats)
    print(
        f"count_complaints by category / a bare Counter on the same complaints: {ours / base:.1f}x"
    )


if __name__ == "__main__":
    main()
