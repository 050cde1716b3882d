"""Survey statistics: summaries with intervals, proportions with Wilson intervals, NPS and CSAT
with their margin of error, and Cronbach's alpha.

Numerics come from the standard library (``statistics``, ``math``) wherever they are exact; the
quantiles of intervals from :mod:`._confidence` (Student's t from scipy when it is installed, the
normal quantile otherwise, and the result says which). Every result is an immutable value with
``to_dict()`` and states its method. Comparing two periods is :mod:`.comparisons`; a whole
survey, :mod:`.survey_analysis`.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Sequence
from typing import Any

from attrs import frozen

from ..core._documents import Document, converter, field_dump, register
from ..core.errors import ValidationError
from ..core.survey import Answer
from ._confidence import (
    check_level,
    normal_mean_warning,
    percent,
    small_sample,
    t_or_z_quantile,
    z_quantile,
)
from .scoring import NPSScore, csat, net_promoter_score

DEFAULT_LEVEL = 0.95
"""Confidence level of every interval unless another is asked for."""

DEFAULT_MIN_N = 30
"""Below this many answers a result carries a small-sample warning (at n = 30 the 95% interval
of a share near 50% is still about +/-17 percentage points wide)."""


# -- intervals and proportions ----------------------------------------------------------------


@frozen
class Interval(Document):
    """A two-sided confidence interval."""

    low: float
    high: float
    level: float
    method: str

    def contains(self, value: float) -> bool:
        """True if ``value`` lies in the closed interval."""
        return self.low <= value <= self.high


WILSON_METHOD = "Wilson score interval (Wilson 1927; Newcombe 1998), no continuity correction"


def wilson_interval(count: int, n: int, *, level: float = DEFAULT_LEVEL) -> Interval:
    """The Wilson score interval of ``count`` successes in ``n`` trials."""
    check_level(level)
    if n <= 0 or not 0 <= count <= n:
        raise ValidationError.single(
            "$.count", f"expected 0 <= count <= n and n > 0, got {count}/{n}"
        )
    z = z_quantile(level)
    p = count / n
    denominator = 2 * (n + z * z)
    centre = (2 * n * p + z * z) / denominator
    delta = z / denominator * math.sqrt(4 * n * p * (1 - p) + z * z)
    low = 0.0 if count == 0 else centre - delta
    high = 1.0 if count == n else centre + delta
    return Interval(low, high, level, WILSON_METHOD)


@frozen
class ProportionEstimate(Document):
    """A share (``count`` of ``n``) with its Wilson interval (None when n = 0)."""

    count: int
    n: int
    share: float | None
    interval: Interval | None
    method: str
    warnings: tuple[str, ...] = ()


def proportion_estimate(
    count: int,
    n: int,
    *,
    level: float = DEFAULT_LEVEL,
    min_n: int = DEFAULT_MIN_N,
    method: str = "share of answers",
) -> ProportionEstimate:
    """``count`` of ``n`` as a share with its Wilson interval and a small-sample warning."""
    if n == 0:
        return ProportionEstimate(0, 0, None, None, method, ("no answers",))
    interval = wilson_interval(count, n, level=level)
    return ProportionEstimate(
        count,
        n,
        count / n,
        interval,
        f"{method}; {percent(level)} {WILSON_METHOD}",
        tuple(small_sample(n, min_n, "answers")),
    )


# -- summaries of one item or subscale ----------------------------------------------------------


@frozen
class Summary(Document):
    """n, mean, SD, the interval of the mean, and the top-box share of a set of scores."""

    n: int
    mean: float | None
    sd: float | None
    mean_interval: Interval | None
    top_box: ProportionEstimate
    low: float
    high: float
    method: str
    warnings: tuple[str, ...] = ()


# As a document the scale's ends are one key, ``scale``, between the top box and the method.
_summary_head = field_dump(Summary, omit=("low", "high", "method", "warnings"))
_summary_tail = field_dump(
    Summary, omit=("n", "mean", "sd", "mean_interval", "top_box", "low", "high")
)


def _summary(summary: Summary) -> dict[str, Any]:
    return {
        **_summary_head(summary),
        "scale": [summary.low, summary.high],
        **_summary_tail(summary),
    }


register(Summary, _summary)


def mean_interval(values: Sequence[float], *, level: float = DEFAULT_LEVEL) -> Interval | None:
    """The interval of the mean: Student's t with n - 1 df (normal without scipy); None if n < 2."""
    check_level(level)
    n = len(values)
    if n < 2:
        return None
    mean = statistics.fmean(values)
    sem = statistics.stdev(values) / math.sqrt(n)
    quantile, note = t_or_z_quantile(level, n - 1)
    method = "Student's t interval of the mean (n - 1 df, sample SD)"
    if note:
        method = f"normal interval of the mean ({note})"
    return Interval(mean - quantile * sem, mean + quantile * sem, level, method)


def summarise(
    values: Iterable[float | None],
    *,
    low: float,
    high: float,
    top: int = 2,
    level: float = DEFAULT_LEVEL,
    min_n: int = DEFAULT_MIN_N,
) -> Summary:
    """Summarise scores on a ``low..high`` scale (None = missing, left out).

    A score counts as top-box when it is at least the lowest of the ``top`` highest codes (4 on
    a 1-5 scale with ``top=2``), so a subscale mean of 4.5 counts and one of 3.5 does not.
    """
    kept = [float(v) for v in values if v is not None]
    for value in kept:
        if not low <= value <= high:
            raise ValidationError.single("$", f"expected scores from {low} to {high}, got {value}")
    threshold = high - top + 1
    if top < 1 or threshold <= low:
        raise ValidationError.single(
            "$.top", f"expected 1 to {int(high - low)} top boxes on a {low:g}-{high:g} scale"
        )
    n = len(kept)
    interval = mean_interval(kept, level=level)
    warnings = small_sample(n, min_n, "answers")
    if interval is not None and interval.method.startswith("normal"):
        warnings.append(normal_mean_warning())
    box = proportion_estimate(
        sum(1 for v in kept if v >= threshold),
        n,
        level=level,
        min_n=min_n,
        method=f"top-{top}-box share: scores of at least {threshold:g} on the {low:g}-{high:g} "
        "scale",
    )
    return Summary(
        n=n,
        mean=statistics.fmean(kept) if kept else None,
        sd=statistics.stdev(kept) if n >= 2 else None,
        mean_interval=interval,
        top_box=box,
        low=low,
        high=high,
        method="n answered; arithmetic mean; sample standard deviation (n - 1)",
        warnings=tuple(warnings),
    )


# -- NPS and CSAT with their uncertainty --------------------------------------------------------


@frozen
class NPSEstimate(Document):
    """A Net Promoter Score with its margin of error and interval."""

    nps: NPSScore
    margin: float | None
    interval: Interval | None
    method: str
    warnings: tuple[str, ...] = ()

    @property
    def score(self) -> float | None:
        """The NPS (-100 to +100), None when no one answered."""
        return self.nps.score


# As a document the score's keys come first, the estimate's after (its method in the place of
# the score's).
_nps_estimate_fields = field_dump(NPSEstimate, omit=("nps",))


def _nps_estimate(estimate: NPSEstimate) -> dict[str, Any]:
    return {**converter.unstructure(estimate.nps, NPSScore), **_nps_estimate_fields(estimate)}


register(NPSEstimate, _nps_estimate)


def nps_variance(score: NPSScore) -> float:
    """Variance of one respondent's +1 / 0 / -1 score (divisor n), the NPS on a -1..1 scale."""
    p = score.promoters / score.n
    d = score.detractors / score.n
    return p + d - (p - d) ** 2


NPS_MARGIN_METHOD = (
    "margin of error: z times the standard error of the difference of the promoter and "
    "detractor shares, sqrt((p + d - (p - d)^2) / n) x 100 (normal approximation); interval "
    "clipped to [-100, 100]"
)


def nps_estimate(
    answers: Iterable[Answer], *, level: float = DEFAULT_LEVEL, min_n: int = DEFAULT_MIN_N
) -> NPSEstimate:
    """The NPS of 0-10 answers with its margin of error (see ``NPS_MARGIN_METHOD``)."""
    check_level(level)
    score = net_promoter_score(answers)
    method = f"{score.method}; {percent(level)} {NPS_MARGIN_METHOD}"
    if not score.n or score.score is None:
        return NPSEstimate(score, None, None, method, ("no answers",))
    margin = z_quantile(level) * math.sqrt(nps_variance(score) / score.n) * 100
    interval = Interval(
        max(-100.0, score.score - margin), min(100.0, score.score + margin), level, method
    )
    return NPSEstimate(
        score, margin, interval, method, tuple(small_sample(score.n, min_n, "answers"))
    )


def csat_estimate(
    answers: Iterable[Answer],
    *,
    scale_min: int = 1,
    scale_max: int = 5,
    top: int = 2,
    level: float = DEFAULT_LEVEL,
    min_n: int = DEFAULT_MIN_N,
) -> ProportionEstimate:
    """CSAT (share of top-box answers) with its Wilson interval."""
    score = csat(answers, scale_min=scale_min, scale_max=scale_max, top=top)
    return proportion_estimate(
        score.satisfied, score.n, level=level, min_n=min_n, method=score.method
    )


# -- reliability --------------------------------------------------------------------------------


@frozen
class Reliability(Document):
    """Cronbach's alpha of a set of items (None with the reason when it cannot be computed)."""

    alpha: float | None
    items: int
    n: int
    excluded: int
    method: str
    reason: str = ""


ALPHA_METHOD = (
    "Cronbach's alpha = k / (k - 1) x (1 - sum of item variances / variance of the total), "
    "sample variances (n - 1), respondents with every item answered (listwise)"
)


def cronbach_alpha(rows: Iterable[Sequence[float | None]]) -> Reliability:
    """Cronbach's alpha of respondents' item scores (one row per respondent, one column per item).

    Rows with a missing item are left out (listwise); alpha needs 2 or more items, 2 or more
    complete rows and some variation in the total.
    """
    all_rows = [tuple(row) for row in rows]
    widths = {len(row) for row in all_rows}
    if len(widths) > 1:
        raise ValidationError.single("$", f"every row needs the same number of items, got {widths}")
    k = widths.pop() if widths else 0
    complete: list[list[float]] = []
    for row in all_rows:
        answered = [float(v) for v in row if v is not None]
        if len(answered) == k:
            complete.append(answered)
    n, excluded = len(complete), len(all_rows) - len(complete)

    def without(reason: str) -> Reliability:
        return Reliability(None, k, n, excluded, ALPHA_METHOD, reason)

    if k < 2:
        return without("alpha needs at least 2 items")
    if n < 2:
        return without(f"alpha needs at least 2 respondents with every item answered, got {n}")
    totals = [math.fsum(row) for row in complete]
    total_variance = statistics.variance(totals)
    if total_variance == 0:
        return without("the total score does not vary between respondents")
    item_variances = math.fsum(
        statistics.variance(column) for column in zip(*complete, strict=True)
    )
    alpha = k / (k - 1) * (1 - item_variances / total_variance)
    return Reliability(alpha, k, n, excluded, ALPHA_METHOD)
