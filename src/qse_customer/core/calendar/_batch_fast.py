"""The batch deadlines for whole epoch seconds, by table lookups instead of binary searches.

Every instant in a calendar's tables is a whole second, so for starts in whole seconds (int64,
or for working hours float64 holding whole numbers) and whole amounts the questions can be
answered in seconds throughout. The working day of each start is counted by a ``Lookup`` (one
gather, see ``_lookup``) and its deadline gathered from a table of seconds. For working hours,
the working time at each start comes from one lookup and two gathers, and the deadline from a
count on the working-time axis: another lookup, or a division where every opening interval is
as long (one interval a day, the same hours every working day); where no interval closes before
the next opens (24/7), the deadline is the start plus the amount. The work goes in chunks small
enough for every temporary to stay in the CPU's cache.

Each function returns None whenever it does not answer: a start outside the calendar's years, a
deadline past its data, a table with no lookup, an amount of zero, a float start that is not a
whole second. The caller then takes the general path, which gives the answer or the error it
always gave. When they answer, they give exactly what the general path does
(``tests/test_calendar_fast_batch.py`` proves it).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from typing import TYPE_CHECKING, Final

from ._instants import US

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from ._lookup import Lookup
    from ._tables import Tables

CHUNK: Final = 1 << 15  # starts per step: 256 KiB per temporary, kept in cache
_FAR: Final = 1 << 62  # sorts after every instant; its sums stay inside int64


def days_deadlines(
    tables: Tables, starts: NDArray[np.int64], days: int | NDArray[np.int64], mode: str
) -> NDArray[np.int64] | None:
    """Deadlines in epoch seconds ``days`` working days after ``starts`` (whole seconds, int64),
    with ``after_closing`` ``mode``; ``days`` is one count >= 0 or one per start (each >= 0)."""
    import numpy as np

    lookup = tables.lookup("closes" if mode == "next_day" else "day_ends")
    if lookup is None:
        return None
    closes = tables.derived("closes_s", lambda: tables.array("closes") // US)
    one = isinstance(days, int)
    if one and days >= closes.size:
        return None
    table = closes[days:] if isinstance(days, int) else closes
    out = np.empty(starts.size, dtype=np.int64)
    offsets = np.empty(min(starts.size, CHUNK), dtype=np.int64)
    index = np.empty_like(offsets)
    for low in range(0, starts.size, CHUNK):
        high = min(low + CHUNK, starts.size)
        offset, at = offsets[: high - low], index[: high - low]
        np.subtract(starts[low:high], lookup.origin, out=offset)
        top = int(offset.view(np.uint64).max())  # a start before the origin wraps to the top
        if top >= lookup.span:
            return None
        lookup.count(offset, at)
        if isinstance(days, int):
            if lookup.count_one(top) >= table.size:  # the latest start's deadline
                return None
        else:
            at += days[low:high]
            if int(at.max()) >= table.size:
                return None
        np.take(table, at, out=out[low:high], mode="clip")
    return out


def hours_deadlines(
    tables: Tables,
    starts: NDArray[np.int64] | NDArray[np.float64],
    seconds: int | NDArray[np.int64],
    as_floats: bool = False,
) -> NDArray[np.int64] | NDArray[np.float64] | None:
    """Deadlines in epoch seconds ``seconds`` of working time after ``starts`` (whole seconds:
    int64, or float64 holding whole numbers); ``seconds`` is one amount >= 1 or one per start
    (each >= 1). None also for a float start that is not a whole number of seconds. The
    deadlines are int64, or with ``as_floats`` float64 (exact: they are below 2**53)."""
    import numpy as np

    ends = tables.lookup("hours_ends")  # None also without any working time
    found = None if ends is None else _position_tables(tables)
    if found is None or ends is None:
        return None
    lookup, add, bound, after_close = found
    total = ends.span  # working time in the data, in seconds
    one = isinstance(seconds, int)
    # With one amount, the latest start whose deadline is in the data bounds the starts too.
    limit = lookup.span
    if isinstance(seconds, int):
        limit = min(limit, _latest_start(tables, seconds) - lookup.origin + 1)
    first, last, length, _ = tables.derived("hours_shape_s", _shape(tables)).tolist()
    # Each interval's opening less the working time before it, + 1: the deadline less the
    # working time at it, less one, in the interval where it falls.
    shifted = tables.derived(
        "hours_opens_less_cum_s",
        lambda: (tables.array("hours_opens") - tables.array("hours_cum")) // US + 1,
    )
    if length:  # every interval as long: the bound is the interval's count times its length
        add = tables.derived("hours_position_plus_one_" + str(after_close), lambda: add + 1)
    # What is still to add to the working time less one found from the tables: the amount (less
    # one more for equal intervals). One amount for a large batch goes into the tables instead:
    # a sum per interval, not per start.
    step = (seconds if isinstance(seconds, int) else 0) - (1 if length else 0)
    if isinstance(seconds, int) and not length and starts.size >= 4 * add.size:
        add, bound, step = add + step, bound + step, 0
    clamp = np.maximum if after_close else np.minimum
    floats = starts.dtype.kind == "f"
    out: NDArray[np.int64] | NDArray[np.float64] = (
        np.empty(starts.size, dtype=np.float64) if as_floats else np.empty(starts.size, np.int64)
    )
    size = min(starts.size, CHUNK)
    offsets, index, work, spare = (np.empty(size, dtype=np.int64) for _ in range(4))
    whole = np.empty(size if floats else 0, dtype=np.bool_)
    for low in range(0, starts.size, CHUNK):
        high = min(low + CHUNK, starts.size)
        offset, at = offsets[: high - low], index[: high - low]
        moment, other = work[: high - low], spare[: high - low]
        if floats:
            # Toward zero, exact for whole numbers. NaN, infinities and values beyond int64
            # come out as some int64 that differs from them or lies outside the data.
            given = starts[low:high]
            with np.errstate(invalid="ignore"):
                offset[...] = given
            if not np.equal(offset, given, out=whole[: high - low]).all():
                return None
            offset -= lookup.origin
        else:
            np.subtract(starts[low:high], lookup.origin, out=offset)
        top = int(offset.view(np.uint64).max())  # a start before the origin wraps to the top
        if top >= limit:
            return None
        if first >= 0:  # no closed time from the first opening to the last closing
            deadline = np.maximum(offset, first, out=moment)
            deadline += seconds if isinstance(seconds, int) else seconds[low:high]
            if not one and int(deadline.max()) > last:
                return None
            np.add(deadline, lookup.origin, out=out[low:high])
            continue
        lookup.count(offset, at)
        # Working time at the start, less one (see _position_tables), then the target less one.
        np.take(add, at, out=moment, mode="clip")
        moment += offset
        if length:
            clamp(moment, np.multiply(at, length, out=other), out=moment)
        else:
            clamp(moment, np.take(bound, at, out=other, mode="clip"), out=moment)
        if not isinstance(seconds, int):
            moment += seconds[low:high]
        if step:
            moment += step
        # The deadline's interval is the first to end at or after the target.
        if not one and int(moment.max()) >= total:
            return None
        if length:  # the count is a division
            np.floor_divide(moment, length, out=at)
        else:
            ends.count(moment, at)
        np.add(np.take(shifted, at, out=at, mode="clip"), moment, out=out[low:high])
    return out


def _latest_start(tables: Tables, seconds: int) -> int:
    """The latest instant (epoch seconds) from which ``seconds`` of working time end within the
    data: the working time there is the total less ``seconds``. Before the origin if none."""
    target = tables.hours_total - seconds * US
    if target < 0:
        return tables.range_start // US - 1
    k = bisect_right(tables.hours_cum, target) - 1  # the interval where that working time is
    return (tables.hours_opens[k] + target - tables.hours_cum[k]) // US


def _shape(tables: Tables) -> Callable[[], NDArray[np.int64]]:
    """What makes the working time simple to count, as four int64 (built once per tables):
    the first opening and the last closing (seconds after the lookups' origin) when no interval
    closes before the next opens, else -1 and -1; the length in seconds every interval has,
    else 0; 1 to count the closings (at least as far apart as the openings), 0 the openings."""

    def build() -> NDArray[np.int64]:
        import numpy as np

        from ._lookup import bucket_shift

        opens, closes = tables.array("hours_opens") // US, tables.array("hours_closes") // US
        origin = tables.range_start // US
        span = (tables.range_end - tables.range_start) // US
        contiguous = opens.size > 0 and bool((opens[1:] == closes[:-1]).all())
        lengths = closes - opens
        uniform = opens.size > 0 and bool((lengths == lengths[0]).all())
        by_closes = bucket_shift(closes, origin, span) >= bucket_shift(opens, origin, span)
        return np.array(
            [
                opens[0] - origin if contiguous else -1,
                closes[-1] - origin if contiguous else -1,
                lengths[0] if uniform else 0,
                1 if by_closes else 0,
            ],
            dtype=np.int64,
        )

    return build


def _position_tables(
    tables: Tables,
) -> tuple[Lookup, NDArray[np.int64], NDArray[np.int64], bool] | None:
    """How to find the working time at many starts: a lookup, two tables and a flag, or None.

    With ``i`` the count of intervals closed at or before a start ``s`` (seconds), the working
    time there is ``max(s + cum[i] - opens[i], cum[i])``, and past the last interval the total.
    With ``i`` the count of intervals opened at or before it, it is ``min(s + cum[i-1] -
    opens[i-1], ends[i-1])``, and before the first interval zero. Either count is a lookup, and
    the one with the wider buckets is taken: fewer of them, so its gathers stay in cache (for a
    lunch closure, the gap between two openings is wider than the one between two closings).
    The tables hold, for each ``i``, the term to add to ``s - origin`` and the bound, both less
    one; the flag says whether the bound is a floor (max) or a ceiling (min)."""
    import numpy as np

    after_close = bool(tables.derived("hours_shape_s", _shape(tables))[3])
    lookup = tables.lookup("hours_closes" if after_close else "hours_opens")
    if lookup is None:
        return None

    def build() -> NDArray[np.int64]:
        cum, ends = tables.array("hours_cum") // US, tables.array("hours_ends") // US
        add = cum - tables.array("hours_opens") // US + (lookup.origin - 1)
        if after_close:
            return np.stack((np.append(add, -_FAR), np.append(cum, ends[-1:]) - 1))
        return np.stack((np.insert(add, 0, _FAR), np.insert(ends, 0, 0) - 1))

    pair = tables.derived("hours_position_" + ("closes" if after_close else "opens"), build)
    return lookup, pair[0], pair[1], after_close
