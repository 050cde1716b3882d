"""What every survey statistic shares: the confidence level, the quantile of an interval, and the
warning on a small sample.

Numerics come from the standard library (``statistics.NormalDist``) wherever they are exact.
Student's t quantiles (for the interval of a mean and Welch's interval of a difference of means)
come from scipy when it is installed (``pip install qse-customer[stats]``); without scipy the
normal quantile is used instead, and the result says so in its ``method`` and in a warning.
"""

from __future__ import annotations

import importlib
import re
from statistics import NormalDist
from typing import Any

from ..core.errors import ValidationError
from ..core.translation import ENGLISH, Translator

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


def check_level(level: float) -> None:
    """Refuse a confidence level outside (0, 1)."""
    if not 0 < level < 1:
        raise ValidationError.single(
            "$.level", f"expected a confidence level in (0, 1), got {level}"
        )


def z_quantile(level: float) -> float:
    """The two-sided quantile of the standard normal distribution at confidence ``level``."""
    return NormalDist().inv_cdf(0.5 + level / 2)


def t_or_z_quantile(level: float, df: float) -> tuple[float, str | None]:
    """The two-sided quantile of Student's t with ``df`` degrees of freedom, or the normal
    quantile and a note saying so when scipy is not installed."""
    special = _scipy_special()
    if special is None:
        return (
            z_quantile(level),
            f"normal approximation used because scipy is missing; {STATS_EXTRA_HINT}",
        )
    return float(special.stdtrit(df, 0.5 + level / 2)), None


def small_sample(n: int, min_n: int, what: str) -> list[str]:
    """A small-sample warning when ``n`` is below ``min_n`` (none otherwise)."""
    if n >= min_n:
        return []
    return [small_sample_warning(n, min_n, what)]


SAMPLES = ("answers", "answers before", "answers after", "responses")
"""What a small sample may count (``what`` of :func:`small_sample_warning`)."""


def small_sample_warning(n: int, min_n: int, what: str, t: Translator = ENGLISH) -> str:
    """The warning on a sample of ``n`` ``what`` (one of :data:`SAMPLES`), fewer than ``min_n``,
    in ``t``'s language (the English is the warning the analysis writes)."""
    if what == "answers":
        text = t.ngettext(
            "small sample: {n} answers (fewer than {min_n}); treat the result as indicative, "
            "not as evidence",
            "small sample: {n} answers (fewer than {min_n}); treat the result as indicative, "
            "not as evidence",
            n,
        )
    elif what == "answers before":
        text = t.ngettext(
            "small sample: {n} answers before (fewer than {min_n}); treat the result as "
            "indicative, not as evidence",
            "small sample: {n} answers before (fewer than {min_n}); treat the result as "
            "indicative, not as evidence",
            n,
        )
    elif what == "answers after":
        text = t.ngettext(
            "small sample: {n} answers after (fewer than {min_n}); treat the result as "
            "indicative, not as evidence",
            "small sample: {n} answers after (fewer than {min_n}); treat the result as "
            "indicative, not as evidence",
            n,
        )
    elif what == "responses":
        text = t.ngettext(
            "small sample: {n} responses (fewer than {min_n}); treat the result as indicative, "
            "not as evidence",
            "small sample: {n} responses (fewer than {min_n}); treat the result as indicative, "
            "not as evidence",
            n,
        )
    else:
        raise ValueError(f"what: expected one of {', '.join(SAMPLES)}, got {what!r}")
    return text.format(n=n, min_n=min_n)


_SMALL_SAMPLE = re.compile(r"^small sample: (\d+) (.+) \(fewer than (\d+)\);")


def fixed_warning(warning: str, t: Translator) -> str:
    """A fixed-form warning the analysis wrote in English (a small sample, an interval of
    zero width, the normal quantile used for lack of scipy), worded again in ``t``'s language
    from the numbers it carries; any other warning, or English, as it is."""
    if t.is_source:
        return warning
    found = _SMALL_SAMPLE.match(warning)
    if found and found[2] in SAMPLES:
        n, what, min_n = int(found[1]), found[2], int(found[3])
        if small_sample_warning(n, min_n, what) == warning:
            return small_sample_warning(n, min_n, what, t)
    for fixed in (no_variation_warning, normal_quantile_warning, normal_mean_warning):
        if fixed() == warning:
            return fixed(t)
    return warning


def no_variation_warning(t: Translator = ENGLISH) -> str:
    """The warning on a difference of means with no variation in either period."""
    return t.gettext("no variation within either period: the interval has zero width")


def normal_quantile_warning(t: Translator = ENGLISH) -> str:
    """The warning on an interval of a difference that used the normal quantile."""
    return t.gettext("the interval uses the normal quantile; {hint}").format(
        hint=stats_extra_hint(t)
    )


def normal_mean_warning(t: Translator = ENGLISH) -> str:
    """The warning on an interval of a mean that used the normal quantile."""
    return t.gettext("the interval of the mean uses the normal quantile; {hint}").format(
        hint=stats_extra_hint(t)
    )


def stats_extra_hint(t: Translator = ENGLISH) -> str:
    """How to get Student's t (:data:`STATS_EXTRA_HINT` in ``t``'s language)."""
    return t.gettext("install qse-customer[stats] (scipy) for Student's t")


def percent(level: float) -> str:
    """A confidence level as a percentage (``95%``)."""
    return f"{100 * level:g}%"
