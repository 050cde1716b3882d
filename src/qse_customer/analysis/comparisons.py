"""Comparing a measure in two periods: the change, its interval, and a plain-words verdict on
whether it is a real change (the interval excludes 0) or could be chance.

Means with Welch's t interval, shares (top-box, CSAT) with Newcombe's hybrid score interval, NPS
with a normal interval of the difference.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping
from typing import Any

from attrs import frozen

from ..core._documents import Document
from ..core.survey import Answer
from ..core.translation import ENGLISH, Translator
from ._confidence import (
    check_level,
    no_variation_warning,
    normal_quantile_warning,
    percent,
    small_sample,
    t_or_z_quantile,
    z_quantile,
)
from .scoring import net_promoter_score
from .survey_statistics import DEFAULT_LEVEL, DEFAULT_MIN_N, Interval, nps_variance, wilson_interval


@frozen
class Comparison(Document):
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
    text = change_verdict(
        measure,
        before,
        after,
        interval.low,
        interval.high,
        interval.level,
        n_before,
        n_after,
        share=share,
        digits=digits,
    )
    return interval.low > 0 or interval.high < 0, text


def change_verdict(
    measure: str,
    before: float,
    after: float,
    low: float,
    high: float,
    level: float,
    n_before: int,
    n_after: int,
    *,
    share: bool = False,
    digits: int = 2,
    t: Translator = ENGLISH,
) -> str:
    """The plain-words verdict on a change of ``measure`` (already in ``t``'s language) from
    ``before`` to ``after``, its interval ``[low, high]`` at ``level`` and the two sizes, in
    ``t``'s language (the English is a :class:`Comparison`'s ``verdict``). ``share``: the values
    are shares, written as percentages, the change in percentage points."""
    difference = after - before
    if share:
        before, after, difference = 100 * before, 100 * after, 100 * difference
        low, high = 100 * low, 100 * high

    def value(number: float) -> str:
        text = f"{number:.{digits}f}"
        if t.is_source:
            return f"{text}%" if share else text
        # Rounded as the English is, then written the locale's way.
        said = t.number(float(text), digits)
        return f"{said}\u00a0%" if share else said

    def signed(number: float) -> str:
        text = f"{number:+.{digits}f}"
        return text if t.is_source else text[0] + t.number(abs(float(text)), digits)

    change = (
        t.gettext("{change} percentage points").format(change=signed(difference))
        if share
        else signed(difference)
    )
    numbers = {
        "measure": measure[0].upper() + measure[1:],
        "before": value(before),
        "after": value(after),
        "change": change,
        "level": _level(level, t),
        "low": signed(low),
        "high": signed(high),
    }
    if difference > 0:
        said = t.gettext(
            "{measure} rose from {before} to {after} (change {change}; {level} CI {low} to {high})."
        )
    elif difference < 0:
        said = t.gettext(
            "{measure} fell from {before} to {after} (change {change}; {level} CI {low} to {high})."
        )
    else:
        said = t.gettext(
            "{measure} stayed at {after} (change {change}; {level} CI {low} to {high})."
        )
    sizes = {"n_before": _count(n_before, t), "n_after": _count(n_after, t)}
    if low > 0 or high < 0:
        then = t.gettext(
            "The interval does not include 0: a real change (n = {n_before} before and "
            "{n_after} after)."
        )
    else:
        then = t.gettext(
            "The interval includes 0: with n = {n_before} before and {n_after} after this "
            "difference could be chance, so it is not evidence of a real change."
        )
    return f"{said.format(**numbers)} {then.format(**sizes)}"


def _count(count: int, t: Translator) -> str:
    """A count as the analysis writes it in English (``1234``), as ``t`` writes it otherwise."""
    return str(count) if t.is_source else t.number(count)


def _level(level: float, t: Translator) -> str:
    """A confidence level as a percentage in ``t``'s way (``95%``, ``95 %``)."""
    if t.is_source:
        return percent(level)
    return t.number(100 * level) + "\u00a0%"


def incomparable_verdict(
    measure: str, n_before: int, n_after: int, need: int, t: Translator = ENGLISH
) -> str:
    """The verdict when a period has fewer than ``need`` answers, in ``t``'s language."""
    return t.ngettext(
        "Cannot compare {measure}: each period needs at least {need} answers (n = {n_before} "
        "before and {n_after} after).",
        "Cannot compare {measure}: each period needs at least {need} answers (n = {n_before} "
        "before and {n_after} after).",
        need,
    ).format(
        measure=measure,
        need=_count(need, t),
        n_before=_count(n_before, t),
        n_after=_count(n_after, t),
    )


def verdict_in(comparison: Mapping[str, Any], measure: str, t: Translator) -> str:
    """A comparison's ``verdict`` (as a report carries it) in ``t``'s language, with ``measure``
    already in that language: worded again from its numbers when they give back exactly the
    English it carries, else as written."""
    written = str(comparison["verdict"])
    if t.is_source:
        return written
    english = str(comparison["measure"])
    n_before, n_after = comparison["n_before"], comparison["n_after"]
    interval = comparison.get("interval")
    before, after = comparison.get("before"), comparison.get("after")
    if interval is None or before is None or after is None:
        for need in (1, 2):
            if incomparable_verdict(english, n_before, n_after, need) == written:
                return incomparable_verdict(measure, n_before, n_after, need, t)
        return written
    # Means to two decimals, shares as percentages to one, NPS to one.
    for share, digits in ((False, 2), (True, 1), (False, 1)):
        numbers = (before, after, interval["low"], interval["high"], interval["level"])
        if change_verdict(english, *numbers, n_before, n_after, share=share, digits=digits) == (
            written
        ):
            return change_verdict(
                measure, *numbers, n_before, n_after, share=share, digits=digits, t=t
            )
    return written


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
        incomparable_verdict(measure, n_before, n_after, need),
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
    check_level(level)
    a = [float(v) for v in before if v is not None]
    b = [float(v) for v in after if v is not None]
    method = (
        f"difference of means (after - before) with Welch's {percent(level)} t interval "
        "(Welch-Satterthwaite df)"
    )
    if len(a) < 2 or len(b) < 2:
        return _incomparable(measure, len(a), len(b), method, 2)
    va, vb = statistics.variance(a) / len(a), statistics.variance(b) / len(b)
    mean_a, mean_b = statistics.fmean(a), statistics.fmean(b)
    se = math.sqrt(va + vb)
    warnings = small_sample(len(a), min_n, "answers before") + small_sample(
        len(b), min_n, "answers after"
    )
    if se == 0:
        interval = Interval(mean_b - mean_a, mean_b - mean_a, level, method)
        warnings.append(no_variation_warning())
    else:
        df = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
        quantile, note = t_or_z_quantile(level, df)
        if note:
            method = (
                f"difference of means (after - before), {percent(level)} normal interval ({note})"
            )
            warnings.append(normal_quantile_warning())
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
    method = f"{NEWCOMBE_METHOD}; {percent(level)}"
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
    warnings = small_sample(n_before, min_n, "answers before") + small_sample(
        n_after, min_n, "answers after"
    )
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


def nps_measure(t: Translator = ENGLISH) -> str:
    """The measure an NPS comparison speaks of."""
    return t.gettext("NPS")


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
    check_level(level)
    a, b = net_promoter_score(before), net_promoter_score(after)
    method = (
        f"difference of Net Promoter Scores (after - before) with a {percent(level)} normal "
        "interval, standard error sqrt(var_before / n_before + var_after / n_after) x 100 where "
        "var = p + d - (p - d)^2"
    )
    if a.score is None or b.score is None:
        return _incomparable(nps_measure(), a.n, b.n, method, 1)
    se = math.sqrt(nps_variance(a) / a.n + nps_variance(b) / b.n) * 100
    difference = b.score - a.score
    margin = z_quantile(level) * se
    interval = Interval(difference - margin, difference + margin, level, method)
    real, verdict = _verdict(nps_measure(), a.score, b.score, interval, a.n, b.n, digits=1)
    warnings = small_sample(a.n, min_n, "answers before") + small_sample(
        b.n, min_n, "answers after"
    )
    return Comparison(
        nps_measure(),
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
