"""The batch deadlines for whole epoch seconds, by table lookups instead of binary searches.

Every instant in a calendar's tables is a whole second, so for integer starts (and, for working
hours, integer amounts) the questions can be answered in seconds throughout: the working day or
opening interval of each start is counted by a ``Lookup`` (one gather, see ``_lookup``), the
deadline's interval likewise on the working-time axis, and the answer gathered from a table of
seconds. The work goes in chunks small enough for every temporary to stay in the CPU's cache.

Each function returns None whenever it does not answer: a start outside the calendar's years, a
deadline past its data, a table with no lookup, an amount of zero. The caller then takes the
general path, which gives the answer or the error it always gave. When they answer, they give
exactly what the general path does (``tests/test_calendar_fast_batch.py`` proves it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from ._instants import US

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

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
    tables: Tables, starts: NDArray[np.int64], seconds: int | NDArray[np.int64]
) -> NDArray[np.int64] | None:
    """Deadlines in epoch seconds ``seconds`` of working time after ``starts`` (whole seconds,
    int64); ``seconds`` is one amount >= 1 or one per start (each >= 1)."""
    import numpy as np

    closes, ends = tables.lookup("hours_closes"), tables.lookup("hours_ends")
    if closes is None or ends is None:
        return None
    total = ends.span  # working time in the data, in seconds
    if isinstance(seconds, int) and seconds > total:
        return None
    # For the k-th interval (and, past the last, a sentinel): working time before it opens, and
    # that less its opening instant; then each interval's opening less the time before it, + 1.
    before = tables.derived(
        "hours_cum_s", lambda: np.append(tables.array("hours_cum") // US, total)
    )
    less = tables.derived(
        "hours_cum_less_opens_s",
        lambda: np.append((tables.array("hours_cum") - tables.array("hours_opens")) // US, -_FAR),
    )
    shifted = tables.derived(
        "hours_opens_less_cum_s",
        lambda: (tables.array("hours_opens") - tables.array("hours_cum")) // US + 1,
    )
    out = np.empty(starts.size, dtype=np.int64)
    size = min(starts.size, CHUNK)
    offsets, index, work, spare = (np.empty(size, dtype=np.int64) for _ in range(4))
    for low in range(0, starts.size, CHUNK):
        high = min(low + CHUNK, starts.size)
        offset, at = offsets[: high - low], index[: high - low]
        moment, opened = work[: high - low], spare[: high - low]
        np.subtract(starts[low:high], closes.origin, out=offset)
        if int(offset.view(np.uint64).max()) >= closes.span:
            return None
        closes.count(offset, at)  # the interval open at the start, or the next to open
        # Working time at the start: max(start - opening, 0) + time before the interval.
        np.take(less, at, out=moment, mode="clip")
        moment += starts[low:high]
        np.maximum(moment, np.take(before, at, out=opened, mode="clip"), out=moment)
        # Less one: the deadline's interval is the first to end at or after the target.
        if isinstance(seconds, int):
            moment += seconds - 1
        else:
            moment += seconds[low:high]
            moment -= 1
        if int(moment.max()) >= total:
            return None
        ends.count(moment, at)
        np.take(shifted, at, out=out[low:high], mode="clip")
        out[low:high] += moment
    return out
