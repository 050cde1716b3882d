"""Survey statistics: summaries with intervals, NPS margin of error, Cronbach's alpha, and the
comparison of two periods with a plain-words verdict.

Numerics come from the standard library (``statistics``, ``math``, ``statistics.NormalDist``)
wherever they are exact. Student's t quantiles (for the interval of a mean and Welch's interval of
a difference of means) come from scipy when it is installed (``pip install qse-customer[stats]``);
without scipy the normal quantile is used instead, and the result says so in its ``method`` and
in a warning. Every result is an immutable value with ``to_dict()`` and states its method.
"""

from __future__ import annotations

import importlib
import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from statistics import NormalDist
from types import MappingProxyType
from typing import Any

from attrs import field, frozen

from ..core.errors import FieldError, ValidationError
from ..core.survey import Answer, SurveyResponse
from .instrument import Instrument
from .scoring import (
    DETRACTOR_MAX,
    PROMOTER_MIN,
    NPSScore,
    Scores,
    csat,
    csat_method,
    net_promoter_score,
    score_numbers,
    top_codes,
)

DEFAULT_LEVEL = 0.95
"""Confidence level of every interval unless another is asked for."""

DEFAULT_MIN_N = 30
"""Below this many answers a result carries a small-sample warning (at n = 30 the 95% interval
of a share near 50% is still about +/-17 percentage points wide)."""

STATS_EXTRA_HINT = "install qse-customer[stats] (scipy) for Student's t"


def _scipy_special() -> Any | None:
    """scipy.special if it is installed, else None (scipy is the optional ``stats`` extra).

    Imported when a t quantile is first needed, not with the library: ``scipy.special`` holds
    ``stdtrit``, the function behind ``scipy.stats.t.ppf``, at about a third of the import time
    of ``scipy.stats``."""
    try:
        return importlib.import_module("scipy.special")
    except ImportError:
        return None


def _check_level(level: float) -> None:
    if not 0 < level < 1:
        raise ValidationError.single(
            "$.level", f"expected a confidence level in (0, 1), got {level}"
        )


def _z(level: float) -> float:
    return NormalDist().inv_cdf(0.5 + level / 2)


def _t_or_z(level: float, df: float) -> tuple[float, str | None]:
    """The two-sided quantile of Student's t with ``df`` degrees of freedom, or the normal
    quantile and a note saying so when scipy is not installed."""
    special = _scipy_special()
    if special is None:
        return _z(level), f"normal approximation used because scipy is missing; {STATS_EXTRA_HINT}"
    return float(special.stdtrit(df, 0.5 + level / 2)), None


def _small(n: int, min_n: int, what: str) -> list[str]:
    if n >= min_n:
        return []
    return [
        f"small sample: {n} {what} (fewer than {min_n}); treat the result as indicative, "
        "not as evidence"
    ]


def _pct(level: float) -> str:
    return f"{100 * level:g}%"


# -- intervals and proportions ----------------------------------------------------------------


@frozen
class Interval:
    """A two-sided confidence interval."""

    low: float
    high: float
    level: float
    method: str

    def contains(self, value: float) -> bool:
        """True if ``value`` lies in the closed interval."""
        return self.low <= value <= self.high

    def to_dict(self) -> dict[str, Any]:
        """The interval as JSON types."""
        return {"low": self.low, "high": self.high, "level": self.level, "method": self.method}


WILSON_METHOD = "Wilson score interval (Wilson 1927; Newcombe 1998), no continuity correction"


def wilson_interval(count: int, n: int, *, level: float = DEFAULT_LEVEL) -> Interval:
    """The Wilson score interval of ``count`` successes in ``n`` trials."""
    _check_level(level)
    if n <= 0 or not 0 <= count <= n:
        raise ValidationError.single(
            "$.count", f"expected 0 <= count <= n and n > 0, got {count}/{n}"
        )
    z = _z(level)
    p = count / n
    denominator = 2 * (n + z * z)
    centre = (2 * n * p + z * z) / denominator
    delta = z / denominator * math.sqrt(4 * n * p * (1 - p) + z * z)
    low = 0.0 if count == 0 else centre - delta
    high = 1.0 if count == n else centre + delta
    return Interval(low, high, level, WILSON_METHOD)


@frozen
class ProportionEstimate:
    """A share (``count`` of ``n``) with its Wilson interval (None when n = 0)."""

    count: int
    n: int
    share: float | None
    interval: Interval | None
    method: str
    warnings: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The estimate as JSON types."""
        return {
            "count": self.count,
            "n": self.n,
            "share": self.share,
            "interval": self.interval.to_dict() if self.interval else None,
            "method": self.method,
            "warnings": list(self.warnings),
        }


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
        f"{method}; {_pct(level)} {WILSON_METHOD}",
        tuple(_small(n, min_n, "answers")),
    )


# -- summaries of one item or subscale ----------------------------------------------------------


@frozen
class Summary:
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

    def to_dict(self) -> dict[str, Any]:
        """The summary as JSON types."""
        return {
            "n": self.n,
            "mean": self.mean,
            "sd": self.sd,
            "mean_interval": self.mean_interval.to_dict() if self.mean_interval else None,
            "top_box": self.top_box.to_dict(),
            "scale": [self.low, self.high],
            "method": self.method,
            "warnings": list(self.warnings),
        }


def mean_interval(values: Sequence[float], *, level: float = DEFAULT_LEVEL) -> Interval | None:
    """The interval of the mean: Student's t with n - 1 df (normal without scipy); None if n < 2."""
    _check_level(level)
    n = len(values)
    if n < 2:
        return None
    mean = statistics.fmean(values)
    sem = statistics.stdev(values) / math.sqrt(n)
    quantile, note = _t_or_z(level, n - 1)
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
    warnings = _small(n, min_n, "answers")
    if interval is not None and interval.method.startswith("normal"):
        warnings.append(f"the interval of the mean uses the normal quantile; {STATS_EXTRA_HINT}")
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
class NPSEstimate:
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

    def to_dict(self) -> dict[str, Any]:
        """The estimate as JSON types."""
        return {
            **self.nps.to_dict(),
            "margin": self.margin,
            "interval": self.interval.to_dict() if self.interval else None,
            "method": self.method,
            "warnings": list(self.warnings),
        }


def _nps_variance(score: NPSScore) -> float:
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
    _check_level(level)
    score = net_promoter_score(answers)
    method = f"{score.method}; {_pct(level)} {NPS_MARGIN_METHOD}"
    if not score.n or score.score is None:
        return NPSEstimate(score, None, None, method, ("no answers",))
    margin = _z(level) * math.sqrt(_nps_variance(score) / score.n) * 100
    interval = Interval(
        max(-100.0, score.score - margin), min(100.0, score.score + margin), level, method
    )
    return NPSEstimate(score, margin, interval, method, tuple(_small(score.n, min_n, "answers")))


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
class Reliability:
    """Cronbach's alpha of a set of items (None with the reason when it cannot be computed)."""

    alpha: float | None
    items: int
    n: int
    excluded: int
    method: str
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The estimate as JSON types."""
        return {
            "alpha": self.alpha,
            "items": self.items,
            "n": self.n,
            "excluded": self.excluded,
            "method": self.method,
            "reason": self.reason,
        }


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


# -- comparing two periods ----------------------------------------------------------------------


@frozen
class Comparison:
    """A measure in two periods: the change, its interval and whether it is a real change."""

    measure: str
    before: float | None
    after: float | None
    n_before: int
    n_after: int
    difference: float | None
    interval: Interval | None
    real_change: bool | None
    verdict: str
    method: str
    warnings: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The comparison as JSON types."""
        return {
            "measure": self.measure,
            "before": self.before,
            "after": self.after,
            "n_before": self.n_before,
            "n_after": self.n_after,
            "difference": self.difference,
            "interval": self.interval.to_dict() if self.interval else None,
            "real_change": self.real_change,
            "verdict": self.verdict,
            "method": self.method,
            "warnings": list(self.warnings),
        }


def _verdict(
    measure: str,
    before: float,
    after: float,
    interval: Interval,
    n_before: int,
    n_after: int,
    *,
    share: bool = False,
    digits: int = 2,
) -> tuple[bool, str]:
    """Whether the change is real (the interval excludes 0) and a sentence that says so."""
    difference = after - before
    direction = "rose" if difference > 0 else "fell"
    if share:
        value = f"{{:.{digits}f}}%"
        change = f"{{:+.{digits}f}} percentage points"
        before, after, difference = 100 * before, 100 * after, 100 * difference
        low, high = 100 * interval.low, 100 * interval.high
    else:
        value, change = f"{{:.{digits}f}}", f"{{:+.{digits}f}}"
        low, high = interval.low, interval.high
    bound = f"{{:+.{digits}f}}"
    moved = (
        f"{direction} from {value.format(before)} to {value.format(after)}"
        if difference
        else f"stayed at {value.format(after)}"
    )
    text = (
        f"{measure[0].upper()}{measure[1:]} {moved} (change {change.format(difference)}; "
        f"{_pct(interval.level)} CI {bound.format(low)} to {bound.format(high)}). "
    )
    sizes = f"n = {n_before} before and {n_after} after"
    if interval.low > 0 or interval.high < 0:
        return True, text + f"The interval does not include 0: a real change ({sizes})."
    return False, text + (
        f"The interval includes 0: with {sizes} this difference could be chance, so it is not "
        "evidence of a real change."
    )


def _incomparable(measure: str, n_before: int, n_after: int, method: str, need: int) -> Comparison:
    return Comparison(
        measure,
        None,
        None,
        n_before,
        n_after,
        None,
        None,
        None,
        f"Cannot compare {measure}: each period needs at least {need} answers "
        f"(n = {n_before} before and {n_after} after).",
        method,
        ("too few answers to compare",),
    )


def compare_means(
    before: Iterable[float | None],
    after: Iterable[float | None],
    *,
    measure: str = "mean score",
    level: float = DEFAULT_LEVEL,
    min_n: int = DEFAULT_MIN_N,
) -> Comparison:
    """The change in a mean between two periods, with Welch's interval (unequal variances)."""
    _check_level(level)
    a = [float(v) for v in before if v is not None]
    b = [float(v) for v in after if v is not None]
    method = (
        f"difference of means (after - before) with Welch's {_pct(level)} t interval "
        "(Welch-Satterthwaite df)"
    )
    if len(a) < 2 or len(b) < 2:
        return _incomparable(measure, len(a), len(b), method, 2)
    va, vb = statistics.variance(a) / len(a), statistics.variance(b) / len(b)
    mean_a, mean_b = statistics.fmean(a), statistics.fmean(b)
    se = math.sqrt(va + vb)
    warnings = _small(len(a), min_n, "answers before") + _small(len(b), min_n, "answers after")
    if se == 0:
        interval = Interval(mean_b - mean_a, mean_b - mean_a, level, method)
        warnings.append("no variation within either period: the interval has zero width")
    else:
        df = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
        quantile, note = _t_or_z(level, df)
        if note:
            method = f"difference of means (after - before), {_pct(level)} normal interval ({note})"
            warnings.append(f"the interval uses the normal quantile; {STATS_EXTRA_HINT}")
        difference = mean_b - mean_a
        interval = Interval(difference - quantile * se, difference + quantile * se, level, method)
    real, verdict = _verdict(measure, mean_a, mean_b, interval, len(a), len(b))
    return Comparison(
        measure,
        mean_a,
        mean_b,
        len(a),
        len(b),
        mean_b - mean_a,
        interval,
        real,
        verdict,
        method,
        tuple(warnings),
    )


NEWCOMBE_METHOD = (
    "difference of shares (after - before) with Newcombe's hybrid score interval (Newcombe "
    "1998, method 10), built from the two Wilson intervals"
)


def compare_shares(
    count_before: int,
    n_before: int,
    count_after: int,
    n_after: int,
    *,
    measure: str = "share",
    level: float = DEFAULT_LEVEL,
    min_n: int = DEFAULT_MIN_N,
) -> Comparison:
    """The change in a share between two periods (e.g. top-two-box, CSAT), Newcombe's interval."""
    method = f"{NEWCOMBE_METHOD}; {_pct(level)}"
    if n_before < 1 or n_after < 1:
        return _incomparable(measure, n_before, n_after, method, 1)
    p1, p2 = count_before / n_before, count_after / n_after
    l1, u1 = _bounds(wilson_interval(count_before, n_before, level=level))
    l2, u2 = _bounds(wilson_interval(count_after, n_after, level=level))
    difference = p2 - p1
    interval = Interval(
        difference - math.sqrt((p2 - l2) ** 2 + (u1 - p1) ** 2),
        difference + math.sqrt((u2 - p2) ** 2 + (p1 - l1) ** 2),
        level,
        method,
    )
    real, verdict = _verdict(measure, p1, p2, interval, n_before, n_after, share=True, digits=1)
    warnings = _small(n_before, min_n, "answers before") + _small(n_after, min_n, "answers after")
    return Comparison(
        measure,
        p1,
        p2,
        n_before,
        n_after,
        difference,
        interval,
        real,
        verdict,
        method,
        tuple(warnings),
    )


def _bounds(interval: Interval) -> tuple[float, float]:
    return interval.low, interval.high


def compare_nps(
    before: Iterable[Answer],
    after: Iterable[Answer],
    *,
    level: float = DEFAULT_LEVEL,
    min_n: int = DEFAULT_MIN_N,
) -> Comparison:
    """The change in NPS between two periods with a normal interval of the difference."""
    _check_level(level)
    a, b = net_promoter_score(before), net_promoter_score(after)
    method = (
        f"difference of Net Promoter Scores (after - before) with a {_pct(level)} normal "
        "interval, standard error sqrt(var_before / n_before + var_after / n_after) x 100 where "
        "var = p + d - (p - d)^2"
    )
    if a.score is None or b.score is None:
        return _incomparable("NPS", a.n, b.n, method, 1)
    se = math.sqrt(_nps_variance(a) / a.n + _nps_variance(b) / b.n) * 100
    difference = b.score - a.score
    margin = _z(level) * se
    interval = Interval(difference - margin, difference + margin, level, method)
    real, verdict = _verdict("NPS", a.score, b.score, interval, a.n, b.n, digits=1)
    warnings = _small(a.n, min_n, "answers before") + _small(b.n, min_n, "answers after")
    return Comparison(
        "NPS",
        a.score,
        b.score,
        a.n,
        b.n,
        difference,
        interval,
        real,
        verdict,
        method,
        tuple(warnings),
    )


# -- a whole survey -----------------------------------------------------------------------------


def _frozen_dict(value: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(value))


@frozen
class ItemAnalysis:
    """One item across respondents."""

    id: str
    text: str
    summary: Summary
    not_applicable: int
    unanswered: int

    def to_dict(self) -> dict[str, Any]:
        """The item's analysis as JSON types."""
        return {
            "id": self.id,
            "text": self.text,
            "summary": self.summary.to_dict(),
            "not_applicable": self.not_applicable,
            "unanswered": self.unanswered,
        }


@frozen
class SubscaleAnalysis:
    """One subscale across respondents: the summary of their scores and its reliability."""

    id: str
    title: str
    summary: Summary
    reliability: Reliability
    unscored: int
    rule: str

    def to_dict(self) -> dict[str, Any]:
        """The subscale's analysis as JSON types."""
        return {
            "id": self.id,
            "title": self.title,
            "summary": self.summary.to_dict(),
            "reliability": self.reliability.to_dict(),
            "unscored": self.unscored,
            "rule": self.rule,
        }


@frozen(eq=True, hash=False)
class SurveyAnalysis:
    """Per item and per subscale statistics of one instrument's responses, plus NPS and CSAT."""

    instrument: str
    version: str
    responses: int
    items: Mapping[str, ItemAnalysis] = field(converter=_frozen_dict)
    subscales: Mapping[str, SubscaleAnalysis] = field(converter=_frozen_dict)
    nps: Mapping[str, NPSEstimate] = field(converter=_frozen_dict)
    csat: Mapping[str, ProportionEstimate] = field(converter=_frozen_dict)
    method: str
    warnings: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The analysis as JSON types (no respondent ids, no free-text comments)."""
        return {
            "instrument": self.instrument,
            "version": self.version,
            "responses": self.responses,
            "items": {key: value.to_dict() for key, value in self.items.items()},
            "subscales": {key: value.to_dict() for key, value in self.subscales.items()},
            "nps": {key: value.to_dict() for key, value in self.nps.items()},
            "csat": {key: value.to_dict() for key, value in self.csat.items()},
            "method": self.method,
            "warnings": list(self.warnings),
        }


def _collect(
    instrument: Instrument, responses: Iterable[SurveyResponse | Mapping[str, Answer]]
) -> list[tuple[Mapping[str, Answer], Scores]]:
    """Each live response's answers and scores; every bad answer of every response is reported."""
    kept: list[tuple[Mapping[str, Answer], Scores]] = []
    errors: list[FieldError] = []
    for index, response in enumerate(responses):
        if isinstance(response, SurveyResponse) and response.is_closed:
            continue  # withdrawn
        try:
            kept.append((_answers(response), score_numbers(instrument, response)))
        except ValidationError as error:
            errors.extend(FieldError(f"$[{index}]{e.path[1:]}", e.message) for e in error.errors)
    if errors:
        raise ValidationError(errors, what=f"responses to instrument {instrument.id!r}")
    return kept


def _answers(response: SurveyResponse | Mapping[str, Answer]) -> Mapping[str, Answer]:
    return response.answers if isinstance(response, SurveyResponse) else response


def _top_for(low: float, high: float, top: int) -> int:
    return max(1, min(top, int(high - low)))


def analyse_survey(
    instrument: Instrument,
    responses: Iterable[SurveyResponse | Mapping[str, Answer]],
    *,
    top: int = 2,
    level: float = DEFAULT_LEVEL,
    min_n: int = DEFAULT_MIN_N,
) -> SurveyAnalysis:
    """Analyse one instrument's responses: per item and subscale n, mean, SD, interval, top-box
    share with its Wilson interval, Cronbach's alpha per subscale, and the instrument's NPS and
    CSAT measures. Withdrawn responses are left out; identities and comments are never read.

    ``top`` is the number of top boxes (2 by default; 1 on a yes/no scale, where it is "yes").
    """
    collected = _collect(instrument, responses)
    scores = [score for _, score in collected]
    items: dict[str, ItemAnalysis] = {}
    for item in instrument.items:
        scale = instrument.scales[item.scale]
        if not scale.scored:
            continue
        values = [score.items[item.id] for score in scores]
        answers = [answers.get(item.id) for answers, _ in collected]
        items[item.id] = ItemAnalysis(
            id=item.id,
            text=item.short or item.text,
            summary=summarise(
                values,
                low=scale.low,
                high=scale.high,
                top=_top_for(scale.low, scale.high, top),
                level=level,
                min_n=min_n,
            ),
            not_applicable=sum(1 for a in answers if a == "not_applicable"),
            unanswered=sum(1 for a in answers if a is None),
        )
    subscales: dict[str, SubscaleAnalysis] = {}
    for subscale in instrument.subscales:
        scale = instrument.scale_of(subscale.items[0])
        values = [score.subscales[subscale.id] for score in scores]
        subscales[subscale.id] = SubscaleAnalysis(
            id=subscale.id,
            title=subscale.title,
            summary=summarise(
                values,
                low=scale.low,
                high=scale.high,
                top=_top_for(scale.low, scale.high, top),
                level=level,
                min_n=min_n,
            ),
            reliability=cronbach_alpha(
                [score.items[item_id] for item_id in subscale.items] for score in scores
            ),
            unscored=sum(1 for v in values if v is None),
            rule=instrument.rule_for(subscale).describe(len(subscale.items)),
        )
    nps: dict[str, NPSEstimate] = {}
    shares: dict[str, ProportionEstimate] = {}
    for measure in instrument.measures:
        scale = instrument.scale_of(measure.item)
        scored = [_whole(score.items[measure.item]) for score in scores]
        if measure.kind == "nps":
            nps[measure.item] = nps_estimate(scored, level=level, min_n=min_n)
        else:
            codes = top_codes(scale.low, scale.high, measure.top)
            satisfied = sum(1 for v in scored if v is not None and v >= codes[0])
            shares[measure.item] = proportion_estimate(
                satisfied,
                sum(1 for v in scored if v is not None),
                level=level,
                min_n=min_n,
                method=csat_method(scale.low, scale.high, measure.top),
            )
    return SurveyAnalysis(
        instrument=instrument.id,
        version=instrument.version,
        responses=len(collected),
        items=items,
        subscales=subscales,
        nps=nps,
        csat=shares,
        method=(
            f"items and subscales scored as the instrument says ({instrument.source}); "
            f"{_pct(level)} intervals; top-{top}-box shares; Cronbach's alpha per subscale; "
            f"NPS from promoters ({PROMOTER_MIN}-10) and detractors (0-{DETRACTOR_MAX})"
        ),
        warnings=tuple(_small(len(collected), min_n, "responses")),
    )


def _whole(value: float | None) -> int | None:
    return None if value is None else round(value)


@frozen(eq=True, hash=False)
class PeriodComparison:
    """Two periods of one instrument compared per item, per subscale and per measure."""

    instrument: str
    items: Mapping[str, Comparison] = field(converter=_frozen_dict)
    subscales: Mapping[str, Comparison] = field(converter=_frozen_dict)
    top_box: Mapping[str, Comparison] = field(converter=_frozen_dict)
    nps: Mapping[str, Comparison] = field(converter=_frozen_dict)
    csat: Mapping[str, Comparison] = field(converter=_frozen_dict)
    method: str = (
        "item and subscale means compared with Welch's t interval; subscale top-box shares and "
        "CSAT with Newcombe's hybrid score interval; NPS with a normal interval; a change is "
        "called real when its interval does not include 0"
    )

    def to_dict(self) -> dict[str, Any]:
        """The comparison as JSON types."""
        return {
            "instrument": self.instrument,
            "method": self.method,
            **{
                name: {key: value.to_dict() for key, value in getattr(self, name).items()}
                for name in ("items", "subscales", "top_box", "nps", "csat")
            },
        }


def compare_periods(
    instrument: Instrument,
    before: Iterable[SurveyResponse | Mapping[str, Answer]],
    after: Iterable[SurveyResponse | Mapping[str, Answer]],
    *,
    top: int = 2,
    level: float = DEFAULT_LEVEL,
    min_n: int = DEFAULT_MIN_N,
) -> PeriodComparison:
    """Compare two periods' responses to one instrument: item and subscale means (Welch),
    subscale top-box shares and CSAT (Newcombe), and NPS (normal interval)."""
    first = [score for _, score in _collect(instrument, before)]
    second = [score for _, score in _collect(instrument, after)]

    def item_values(scores: list[Scores], item_id: str) -> list[float | None]:
        return [score.items[item_id] for score in scores]

    def subscale_values(scores: list[Scores], subscale_id: str) -> list[float | None]:
        return [score.subscales[subscale_id] for score in scores]

    items = {
        item.id: compare_means(
            item_values(first, item.id),
            item_values(second, item.id),
            measure=f"mean of item {item.id!r}",
            level=level,
            min_n=min_n,
        )
        for item in instrument.items
        if instrument.scales[item.scale].scored
    }
    subscales: dict[str, Comparison] = {}
    top_box: dict[str, Comparison] = {}
    for subscale in instrument.subscales:
        scale = instrument.scale_of(subscale.items[0])
        a = [v for v in subscale_values(first, subscale.id) if v is not None]
        b = [v for v in subscale_values(second, subscale.id) if v is not None]
        subscales[subscale.id] = compare_means(
            a, b, measure=f"mean {subscale.title} score", level=level, min_n=min_n
        )
        threshold = scale.high - _top_for(scale.low, scale.high, top) + 1
        top_box[subscale.id] = compare_shares(
            sum(1 for v in a if v >= threshold),
            len(a),
            sum(1 for v in b if v >= threshold),
            len(b),
            measure=f"top-box share of {subscale.title}",
            level=level,
            min_n=min_n,
        )
    nps: dict[str, Comparison] = {}
    csat_changes: dict[str, Comparison] = {}
    for measure in instrument.measures:
        a_codes = [_whole(v) for v in item_values(first, measure.item)]
        b_codes = [_whole(v) for v in item_values(second, measure.item)]
        if measure.kind == "nps":
            nps[measure.item] = compare_nps(a_codes, b_codes, level=level, min_n=min_n)
            continue
        scale = instrument.scale_of(measure.item)
        cut = top_codes(scale.low, scale.high, measure.top)[0]
        a_kept = [v for v in a_codes if v is not None]
        b_kept = [v for v in b_codes if v is not None]
        csat_changes[measure.item] = compare_shares(
            sum(1 for v in a_kept if v >= cut),
            len(a_kept),
            sum(1 for v in b_kept if v >= cut),
            len(b_kept),
            measure="CSAT",
            level=level,
            min_n=min_n,
        )
    return PeriodComparison(instrument.id, items, subscales, top_box, nps, csat_changes)
