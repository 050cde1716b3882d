"""What every survey statistic shares: the confidence level, the quantile of an interval, and the
warning on a small sample.

Numerics come from the standard library (``statistics.NormalDist``) wherever they are exact.
Student's t quantiles (for the interval of a mean and Welch's interval of a difference of means)
come from scipy when it is installed (``pip install qse-customer[stats]``); without scipy the
normal quantile is used instead, and the result says so in its ``method`` and in a warning.
"""

from __future__ import annotations

import importlib
from statistics import NormalDist
from typing import Any

from ..core.errors import ValidationError

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
    return [
        f"small sample: {n} {what} (fewer than {min_n}); treat the result as indicative, "
        "not as evidence"
    ]


def percent(level: float) -> str:
    """A confidence level as a percentage (``95%``)."""
    return f"{100 * level:g}%"
