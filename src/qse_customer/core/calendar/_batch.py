"""The calendar's deadlines over many starts at once, given and returned as UTC epoch seconds.

With numpy installed, integer starts (and, for working hours, float64 starts and float amounts
that are whole seconds) are answered by table lookups (``_batch_fast``) and any others are
searched in the tables' numpy arrays in one call each; without numpy, one at a time in the
tables' lists. Both paths give the same results and the same errors as
the scalar methods (tests/test_calendar_properties.py proves it on random input). Results keep
the kind of the starts: an array for an array, a list otherwise, ints for integer seconds.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from ..errors import CalendarError, CalendarRangeError
from . import _batch_fast as fast
from ._arguments import day_count, duration_us
from ._instants import EPOCH_LIMIT_S, US
from .opening_hours import shown as _shown

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from .model import WorkingCalendar


def add_working_days(
    calendar: WorkingCalendar, starts: object, days: object, mode: str
) -> NDArray[Any] | list[int] | list[float]:
    """``WorkingCalendar.add_working_days_batch``, with ``after_closing`` already checked."""
    try:
        import numpy  # noqa: F401
    except ImportError:
        return _days_python(calendar, starts, days, mode)
    return _days_numpy(calendar, starts, days, mode)


def add_working_hours(
    calendar: WorkingCalendar, starts: object, seconds: object
) -> NDArray[Any] | list[int] | list[float]:
    """``WorkingCalendar.add_working_hours_batch``."""
    try:
        import numpy  # noqa: F401
    except ImportError:
        return _hours_python(calendar, starts, seconds)
    return _hours_numpy(calendar, starts, seconds)


def _days_python(
    calendar: WorkingCalendar, starts: object, days: object, mode: str
) -> list[int] | list[float]:
    values = _sequence(starts, "starts_epoch_seconds")
    counts = _broadcast(days, len(values), "days")
    tables = calendar._data()
    converted = [_seconds_value(value, "starts_epoch_seconds") for value in values]
    results: list[int] = []
    for k, ((instant, _), count) in enumerate(zip(converted, counts, strict=True)):
        calendar._check_instant(instant, f"starts_epoch_seconds[{k}]", values[k])
        deadline = tables.days_deadline(instant, day_count(count, f"days[{k}]"), mode)
        if deadline is None:
            raise calendar._past_data(f"the deadline for starts_epoch_seconds[{k}]")
        results.append(deadline)
    if all(integral for _, integral in converted):
        return [deadline // US for deadline in results]
    return [deadline / US for deadline in results]


def _hours_python(
    calendar: WorkingCalendar, starts: object, seconds: object
) -> list[int] | list[float]:
    values = _sequence(starts, "starts_epoch_seconds")
    amounts = _broadcast(seconds, len(values), "seconds")
    tables = calendar._data()
    integral = True
    results: list[int] = []
    for k, (value, amount) in enumerate(zip(values, amounts, strict=True)):
        instant, whole = _seconds_value(value, "starts_epoch_seconds")
        calendar._check_instant(instant, f"starts_epoch_seconds[{k}]", value)
        if not isinstance(amount, numbers.Real):
            raise CalendarError(f"seconds[{k}]: expected a number of seconds, got {_shown(amount)}")
        integral = integral and whole and isinstance(amount, numbers.Integral)
        span = duration_us(amount, f"seconds[{k}]", unit_us=US)
        deadline = tables.hours_deadline(instant, span)
        if deadline is None:
            raise calendar._past_data(f"the deadline for starts_epoch_seconds[{k}]")
        results.append(deadline)
    if integral:
        return [deadline // US for deadline in results]
    return [deadline / US for deadline in results]


def _days_numpy(
    calendar: WorkingCalendar, starts: object, days: object, mode: str
) -> NDArray[Any] | list[int] | list[float]:
    import numpy as np

    found = _days_fast(calendar, starts, days, mode)
    if found is not None:
        return found
    instants, integral = _numpy_us(starts, "starts_epoch_seconds")
    _check_instants(calendar, instants, starts)
    counts = np.asarray(days)
    if counts.size == 0:  # an empty list has no integer dtype
        counts = counts.astype(np.int64)
    if counts.dtype.kind not in "iu" or counts.ndim > 1:
        raise CalendarError("days: expected whole numbers of working days")
    if counts.ndim == 1 and counts.shape != instants.shape:
        raise CalendarError(
            f"days: expected one count or {instants.size} of them, got {counts.size}"
        )
    if counts.size and counts.min() < 0:
        raise CalendarError("days: expected numbers of working days >= 0")
    tables = calendar._data()
    closes = tables.array("closes")
    if counts.size and counts.max() >= closes.size:  # more days than the data holds
        k = _first_true(np.broadcast_to(counts >= closes.size, instants.shape))
        raise calendar._past_data(f"the deadline for starts_epoch_seconds[{k}]")
    table = closes if mode == "next_day" else tables.array("day_ends")
    index = np.searchsorted(table, instants, side="right") + counts.astype(np.int64, copy=False)
    if index.size and index.max() >= closes.size:
        k = _first_true(index >= closes.size)
        raise calendar._past_data(f"the deadline for starts_epoch_seconds[{k}]")
    return _out(closes[index], integral, starts)


def _hours_numpy(
    calendar: WorkingCalendar, starts: object, seconds: object
) -> NDArray[Any] | list[int] | list[float]:
    import numpy as np

    found = _hours_fast(calendar, starts, seconds)
    if found is not None:
        return found
    instants, integral = _numpy_us(starts, "starts_epoch_seconds")
    _check_instants(calendar, instants, starts)
    amounts = np.asarray(seconds)
    if amounts.ndim > 1 or (amounts.ndim == 1 and amounts.shape != instants.shape):
        raise CalendarError(f"seconds: expected one amount or {instants.size} of them")
    if amounts.dtype.kind in "iu":
        if amounts.size and amounts.max() > EPOCH_LIMIT_S:
            raise CalendarRangeError("seconds: holds more working time than any calendar")
        spans = amounts.astype(np.int64) * US
    elif amounts.dtype.kind == "f":
        if not np.isfinite(amounts).all():
            raise CalendarError("seconds: expected finite amounts of working time")
        if amounts.size and amounts.max() > EPOCH_LIMIT_S:
            raise CalendarRangeError("seconds: holds more working time than any calendar")
        spans = np.rint(amounts.astype(np.float64) * US).astype(np.int64)
        integral = False
    else:
        raise CalendarError(f"seconds: expected int or float seconds, got {amounts.dtype}")
    if spans.size and spans.min() < 0:
        raise CalendarError("seconds: expected amounts of working time >= 0")
    tables = calendar._data()
    opens, closes = tables.array("hours_opens"), tables.array("hours_closes")
    cum, ends = tables.array("hours_cum"), tables.array("hours_ends")
    if instants.size and (closes.size == 0 or spans.max() > tables.hours_total):
        too_long = np.broadcast_to(spans > tables.hours_total, instants.shape)
        k = _first_true(too_long) if too_long.any() else 0
        raise calendar._past_data(f"the deadline for starts_epoch_seconds[{k}]")
    last = closes.size - 1
    index = np.searchsorted(closes, instants, side="right")
    past = None
    if instants.size and instants.max() >= closes[last]:
        past = index > last
        index = np.minimum(index, last)
    opening = opens[index]
    position = cum[index] + np.maximum(instants - opening, 0)
    if past is not None:
        position = np.where(past, tables.hours_total, position)
    zero = spans == 0
    target = position + spans
    day = np.searchsorted(ends, target, side="left")
    beyond = (day > last) & ~zero
    if past is not None:
        beyond |= past & zero
    if beyond.any():
        k = _first_true(beyond)
        raise calendar._past_data(f"the deadline for starts_epoch_seconds[{k}]")
    day = np.minimum(day, last)
    deadlines = opens[day] + (target - cum[day])
    if zero.any():
        deadlines = np.where(zero, np.maximum(instants, opening), deadlines)
    return _out(deadlines, integral, starts)


def _days_fast(
    calendar: WorkingCalendar, starts: object, days: object, mode: str
) -> NDArray[Any] | list[int] | None:
    """The days deadlines by table lookups for integer starts and valid counts (``_batch_fast``),
    or None for the general path."""
    import numpy as np

    whole = _whole_seconds(starts)
    if whole is None:
        return None
    counts = _whole_amounts(days, whole.shape, least=0)
    if counts is None:
        return None
    found = fast.days_deadlines(calendar._data(), whole, counts[0], mode)
    if found is None or isinstance(starts, np.ndarray):
        return found
    listed: list[int] = found.tolist()
    return listed


def _hours_fast(
    calendar: WorkingCalendar, starts: object, seconds: object
) -> NDArray[Any] | list[int] | list[float] | None:
    """The hours deadlines by table lookups for whole seconds (int starts, or float64 starts
    that are whole numbers) and whole amounts >= 1 (ints, or floats that are whole numbers)
    (``_batch_fast``), or None for the general path. Floats anywhere give floats, as there."""
    import numpy as np

    whole = _hours_starts(starts)
    if whole is None:
        return None
    amounts = _whole_amounts(seconds, whole.shape, least=1, floats=True)
    if amounts is None:
        return None
    # Floats give floats: a deadline of whole seconds D as a float, which is exactly the
    # general path's D * 10**6 / 10**6.
    as_floats = whole.dtype.kind == "f" or not amounts[1]
    found = fast.hours_deadlines(calendar._data(), whole, amounts[0], as_floats)
    if found is None or isinstance(starts, np.ndarray):
        return found
    listed: list[int] | list[float] = found.tolist()
    return listed


def _whole_seconds(starts: object) -> NDArray[np.int64] | None:
    """Starts as a one-dimensional int64 array if they are whole seconds of an integer dtype."""
    import numpy as np

    array = _one_dimensional(starts)
    if array is None or array.dtype.kind != "i":
        return None
    return array.astype(np.int64, copy=False)


def _hours_starts(starts: object) -> NDArray[np.int64] | NDArray[np.float64] | None:
    """Starts as ``_whole_seconds`` gives them, or as they are if float64 (whole numbers or
    not: the fast path checks)."""
    import numpy as np

    array = _one_dimensional(starts)
    if array is None or array.dtype != np.float64:
        return _whole_seconds(array)
    return array


def _one_dimensional(starts: object) -> NDArray[Any] | None:
    """An array, list or tuple as a one-dimensional numpy array, or None."""
    import numpy as np

    if not isinstance(starts, np.ndarray | list | tuple):
        return None
    array = np.asarray(starts)
    return array if array.ndim == 1 else None


def _whole_amounts(
    values: object, shape: tuple[int, ...], least: int, floats: bool = False
) -> tuple[int | NDArray[np.int64], bool] | None:
    """A count or amount: one int, or an int64 array of ``shape``; each >= ``least`` and at most
    ``EPOCH_LIMIT_S``; and whether it was given as integers. With ``floats``, floats that are
    whole numbers count too. None for anything else (bools, fractions, out of range)."""
    import numpy as np

    if isinstance(values, bool | np.bool_):
        return None
    if isinstance(values, int | np.integer):
        value = int(values)
        return (value, True) if least <= value <= EPOCH_LIMIT_S else None
    if floats and isinstance(values, float | np.floating):
        number = float(values)  # NaN fails the comparisons
        if least <= number <= EPOCH_LIMIT_S and number.is_integer():
            return int(number), False
        return None
    if not isinstance(values, np.ndarray | list | tuple):
        return None
    array = np.asarray(values)
    if array.shape != shape or array.dtype.kind not in ("if" if floats else "i"):
        return None
    if array.size and not (least <= array.min() and array.max() <= EPOCH_LIMIT_S):
        return None  # also for NaN, which fails both comparisons
    if array.dtype.kind == "i":
        return array.astype(np.int64, copy=False), True
    whole = array.astype(np.int64)  # in range, so exact for whole numbers
    return (whole, False) if bool((whole == array).all()) else None


def _out(
    deadlines: NDArray[np.int64], integral: bool, starts: object
) -> NDArray[Any] | list[int] | list[float]:
    import numpy as np

    result = deadlines // US if integral else deadlines / US
    if isinstance(starts, np.ndarray):
        return result
    listed: list[int] | list[float] = result.tolist()
    return listed


def _sequence(values: object, field: str) -> Sequence[object]:
    if isinstance(values, str) or not isinstance(values, Iterable):
        raise CalendarError(f"{field}: expected a sequence of epoch seconds")
    return values if isinstance(values, Sequence) else list(values)


def _broadcast(values: object, size: int, field: str) -> Sequence[object]:
    if isinstance(values, numbers.Real):
        return [values] * size
    if isinstance(values, str) or not isinstance(values, Iterable):
        raise CalendarError(f"{field}: expected a number or a sequence of them")
    listed = list(values)
    if len(listed) != size:
        raise CalendarError(f"{field}: expected one value or {size} of them, got {len(listed)}")
    return listed


def _check_instants(calendar: WorkingCalendar, instants: NDArray[np.int64], starts: object) -> None:
    tables = calendar._data()
    if instants.size and (
        instants.min() < tables.range_start or instants.max() >= tables.range_end
    ):
        k = _first_true((instants < tables.range_start) | (instants >= tables.range_end))
        shown = instants[k] / US
        calendar._check_instant(int(instants[k]), f"starts_epoch_seconds[{k}]", shown)


def _seconds_value(value: object, field: str) -> tuple[int, bool]:
    """A start in epoch seconds as microseconds, and whether it was an integer."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        seconds = int(value)
        if abs(seconds) > EPOCH_LIMIT_S:
            raise CalendarRangeError(
                f"{field}: {seconds} is not an epoch time this calendar covers"
            )
        return seconds * US, True
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        number = float(value)
        if not math.isfinite(number) or abs(number) > EPOCH_LIMIT_S:
            raise CalendarRangeError(f"{field}: {value} is not an epoch time this calendar covers")
        return round(number * US), False
    raise CalendarError(f"{field}: expected epoch seconds (int or float), got {_shown(value)}")


def _numpy_us(values: object, field: str) -> tuple[NDArray[np.int64], bool]:
    """Epoch seconds (array-like) as an int64 array of microseconds, and whether they were ints."""
    import numpy as np

    array = np.asarray(values)
    if array.ndim != 1:
        raise CalendarError(f"{field}: expected a one-dimensional sequence of epoch seconds")
    if array.size == 0:
        return np.zeros(0, dtype=np.int64), array.dtype.kind in "iu"
    kind = array.dtype.kind
    if kind in "iu":
        if array.min() < -EPOCH_LIMIT_S or array.max() > EPOCH_LIMIT_S:
            raise CalendarRangeError(f"{field}: holds epoch seconds far outside any calendar")
        return array.astype(np.int64) * US, True
    if kind == "f":
        if not np.isfinite(array).all():
            raise CalendarError(f"{field}: expected finite epoch seconds, found NaN or infinity")
        if np.abs(array).max() > EPOCH_LIMIT_S:
            raise CalendarRangeError(f"{field}: holds epoch seconds far outside any calendar")
        return np.rint(array.astype(np.float64) * US).astype(np.int64), False
    raise CalendarError(f"{field}: expected int or float epoch seconds, got dtype {array.dtype}")


def _first_true(mask: NDArray[np.bool_]) -> int:
    import numpy as np

    return int(np.flatnonzero(mask)[0])
