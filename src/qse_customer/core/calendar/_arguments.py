"""Checks of the questions' arguments: a count of working days, an amount of working time, and
what a receipt after closing time counts as. Each error names the argument.

The common case (a plain non-negative int) is tested first and returned at once: a deadline rule
asks these questions for every record.
"""

from __future__ import annotations

import math
import numbers
from datetime import timedelta
from typing import Final

from ..errors import CalendarError
from ._instants import MICROSECOND
from .opening_hours import shown as _shown

_AFTER_CLOSING: Final = ("next_day", "same_day")


def after_closing_mode(value: object) -> str:
    """``after_closing`` checked: ``'next_day'`` or ``'same_day'``."""
    if value in _AFTER_CLOSING:
        return str(value)
    raise CalendarError(f"after_closing: expected 'next_day' or 'same_day', got {_shown(value)}")


def day_count(value: object, field: str) -> int:
    """A whole number of working days >= 0."""
    if type(value) is int and value >= 0:
        return value
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise CalendarError(
            f"{field}: expected a whole number of working days, got {_shown(value)}"
        )
    if value < 0:
        raise CalendarError(f"{field}: expected a number of working days >= 0, got {value}")
    return int(value)


def duration_us(value: object, field: str, *, unit_us: int) -> int:
    """An amount of working time (a number of ``unit_us``, or a timedelta) in µs, >= 0."""
    if type(value) is int and value >= 0:
        return value * unit_us
    if isinstance(value, timedelta):
        amount = value // MICROSECOND
    elif isinstance(value, numbers.Integral) and not isinstance(value, bool):
        amount = int(value) * unit_us
    elif isinstance(value, numbers.Real) and not isinstance(value, bool):
        number = float(value)
        if not math.isfinite(number):
            raise CalendarError(f"{field}: expected a finite amount of working time, got {value}")
        amount = round(number * unit_us)
    else:
        raise CalendarError(f"{field}: expected a number or a timedelta, got {_shown(value)}")
    if amount < 0:
        raise CalendarError(
            f"{field}: expected an amount of working time >= 0, got {_shown(value)}"
        )
    return amount
