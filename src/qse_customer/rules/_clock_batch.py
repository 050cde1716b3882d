"""Clock rules judged many records at a time, with numpy (the ``fast`` extra).

A ``response_time`` rule's check walks a record's events and asks its calendar for a deadline,
the working time a stopped clock ran and, for a clock still running, the share of its budget
used: three or four binary searches in the calendar's tables per record. Most records are plain:
one start, then a stop or nothing, with no pause, extension or acknowledgement between them, at
most one update (``repeat``), and no stop made by the system where only a person may answer.
For those the engine only notes where the clock starts, stops and is updated while it walks the
records (:meth:`ClockBatch.shape`, found once per sequence of event kinds;
:meth:`ClockBatch.probe` for a single record), and :meth:`ClockBatch.settle_arrays` then
answers every clock of a batch with one ``numpy.searchsorted`` per question over the same
tables. Every other record, and every instant the vectorised tables cannot answer (outside the
calendar's years, a limit of zero working hours, a start whose local date a search cannot tell,
just after clocks go back across midnight), goes through the same scalar functions the rule's
own check uses, so the outcomes are the check's, value for value (the engine's equivalence
properties run both).

A deadline "the next working day at noon" needs the local date of each start, which the
calendar's tables do not hold. :meth:`TimelineArrays.next_day_at` searches instead the first
instant of each working day's local date (its midnight, or the jump over it) and reads the
answer from the instant of the time of day on every working day; both are worked out from the
time zone on first use, a chunk of working days at a time, only for the years the starts fall
in (all of 1990-2100 would take 0.1-0.2 s).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta
from functools import cache
from typing import TYPE_CHECKING, Any, Final
from zoneinfo import ZoneInfo

from ..core.calendar._instants import EPOCH_ORDINAL, US, first_instant_s, wall_instants_s
from ..core.calendar.opening_hours import clock_minutes, parse_clock
from ..core.events import Event
from ..core.timestamps import EPOCH, MICROSECOND
from ._timeline import Timeline
from .kind_protocol import Outcome
from .limits import _CALENDAR_US, CALENDAR, Limit
from .status import AT_RISK, BREACHED, MET, NOT_APPLICABLE, PENDING

if TYPE_CHECKING:
    import numpy
    from numpy.typing import NDArray

    Instants = NDArray[numpy.int64]
    Mask = NDArray[numpy.bool_]
    Floats = NDArray[numpy.float64]

Probe = tuple[int, int, int, int]
"""A plain clock: the start event's index, the stop event's (-1: still running), and their
instants in epoch microseconds (-1 for no stop)."""

Shape = tuple[int, int, bool, int, bool]
"""Where a clock starts and stops in a sequence of event kinds (see :meth:`ClockBatch.shape`)."""

Settled = tuple[int, int, float | None, float | None]
"""A plain clock's status code, deadline, seconds run (a stopped clock) and share of its
budget used (a running clock of a rule with ``warn_at``)."""


SettledLists = tuple[list[int], list[int], list["float | None"], list["float | None"]]
"""Plain clocks settled without numpy (see :meth:`ClockBatch.settle_flat`): status codes,
deadlines, seconds run and shares of the budget used."""

_Deadline = Callable[[int], "int | None"]
_Settler = tuple[_Deadline, "_Deadline | None", "TimelineLists"]
"""What :meth:`ClockBatch.settle_flat` asks: a start's deadline, an update's next deadline
(None: no update is settled), and the timeline's lists (positions in working time)."""


@cache
def numpy_module() -> Any:
    """numpy, or None when the ``fast`` extra is not installed."""
    try:
        import numpy
    except ImportError:  # pragma: no cover - the test environment has numpy
        return None
    return numpy


CHUNK: Final = 512
"""Working days (about two years) whose midnights or times of day are worked out at once."""

_DAY_S: Final = 86_400
_SECOND: Final = timedelta(seconds=1)


class _Chunked:
    """Values for each working day, worked out from the time zone a chunk at a time on first use
    (``fill(low, high)`` gives rows of values for the working days ``low`` to ``high - 1``)."""

    __slots__ = ("_count", "_done", "_fill", "values")

    def __init__(self, rows: int, count: int, fill: Callable[[int, int], Any]) -> None:
        np = numpy_module()
        self.values = np.zeros((rows, count), dtype=np.int64)
        self._done = np.zeros(-(-count // CHUNK), dtype=bool)
        self._count = count
        self._fill = fill

    def ensure_around(self, days: Instants) -> None:
        """Work out the values of the working days ``days`` (indices, at least one) and of the
        days either side of each, where not yet known: those of their chunks."""
        np = numpy_module()
        top = self._count - 1
        done = self._done
        low = max(int(days.min()) - 1, 0) // CHUNK
        high = min(int(days.max()) + 1, top) // CHUNK
        if done[low : high + 1].all():
            return
        around = np.clip(np.concatenate((days - 1, days, days + 1)), 0, top)
        for chunk in np.unique(around // CHUNK).tolist():
            if not done[chunk]:
                first = chunk * CHUNK
                last = min(first + CHUNK, self._count)
                self.values[:, first:last] = self._fill(first, last)
                done[chunk] = True


class TimelineArrays:
    """A :class:`Timeline`'s tables as numpy arrays: its questions for many instants at once.

    Each method returns the answers and a mask of the instants it could answer; the others are
    for the scalar :class:`Timeline` (which answers from the calendar or raises its error).
    """

    def __init__(self, timeline: Timeline) -> None:
        np = numpy_module()
        tables = timeline._tables
        self._np = np
        self._tables = tables
        self.closes = np.asarray(tables.closes, dtype=np.int64)
        self._day_ends: Instants | None = None
        self.opens = np.asarray(tables.hours_opens, dtype=np.int64)
        self.h_closes = np.asarray(tables.hours_closes, dtype=np.int64)
        self.cum = np.asarray(tables.hours_cum, dtype=np.int64)
        self.ends = np.asarray(tables.hours_ends, dtype=np.int64)
        self.total = int(tables.hours_total)
        self.low = int(tables.range_start)
        self.high = int(tables.range_end)
        self._days = _DayTables(timeline)
        self._midnights: _Chunked | None = None
        self._at_minute: dict[int, _Chunked] = {}

    def _inside(self, instants: Instants) -> Mask:
        return (instants >= self.low) & (instants < self.high)

    def days_deadline(
        self, starts: Instants, days: int, after_closing: str
    ) -> tuple[Instants, Mask]:
        """:meth:`Timeline.days_deadline` of each start."""
        np = self._np
        if after_closing == "next_day":
            table = self.closes
        else:
            if self._day_ends is None:
                self._day_ends = np.asarray(self._tables.day_ends(), dtype=np.int64)
            table = self._day_ends
        index = np.searchsorted(table, starts, side="right") + days
        ok = self._inside(starts) & (index < len(self.closes))
        return self.closes[np.minimum(index, len(self.closes) - 1)], ok

    def hours_deadline(self, starts: Instants, amount: int) -> tuple[Instants, Mask]:
        """:meth:`Timeline.hours_deadline` of each start (``amount`` in µs)."""
        np = self._np
        count = len(self.h_closes)
        index = np.searchsorted(self.h_closes, starts, side="right")
        ok = self._inside(starts) & (index < count) & (amount > 0)
        index = np.minimum(index, count - 1)
        target = self.cum[index] + np.maximum(0, starts - self.opens[index]) + amount
        day = np.searchsorted(self.ends, target, side="left")
        ok &= day < len(self.ends)
        day = np.minimum(day, len(self.ends) - 1)
        return self.opens[day] + (target - self.cum[day]), ok

    def next_day_at(self, starts: Instants, minute: int) -> tuple[Instants, Mask]:
        """:meth:`Timeline.next_working_day_at` of each start, at ``minute`` from local midnight.

        The first working day after a start's local date is the one after the last working
        day whose date the clock has shown by the start (a search among the first instants of
        the working days' dates). That is the start's own date except just after clocks go
        back across midnight, where the clock shows the day before again for a while: a start
        before the instant from which the clock shows that working day's date for good is left
        to the scalar path, as is any start outside the calendar's years or past its last
        working day.
        """
        np = self._np
        count = len(self.closes)
        inside = self._inside(starts)
        if count == 0 or not inside.any():
            return np.zeros(len(starts), dtype=np.int64), np.zeros(len(starts), dtype=bool)
        midnights = self._midnights
        if midnights is None:
            midnights = self._midnights = _Chunked(2, count, self._days.midnight_bounds)
        answers = self._at_minute.get(minute)
        if answers is None:
            answers = self._at_minute[minute] = _Chunked(
                1, count, lambda low, high: self._days.at_time(low, high, minute)
            )
        # A working day's date begins by its closing time and after the previous day's closing
        # time, so the days begun by a start are those closed by it and maybe the next one. The
        # checks below hold whatever the closing times, so a wrong guess would only leave a
        # start to the scalar path. Only the chunks of days around the starts are worked out.
        guess = np.searchsorted(self.closes, starts, side="right")
        near = guess[inside]
        midnights.ensure_around(near)
        answers.ensure_around(near)
        begins, lasts = midnights.values
        last_day = count - 1
        index = guess + ((guess < count) & (begins[np.minimum(guess, last_day)] <= starts))
        before = np.maximum(index - 1, 0)
        after = np.minimum(index, last_day)
        ok = inside & (index < count) & (begins[after] > starts)
        # The last day begun has begun for good (``lasts`` is never before ``begins``): the
        # start's date is not earlier than that day's.
        ok &= (index == 0) | (starts >= lasts[before])
        return answers.values[0][after], ok

    def is_open(self, instants: Instants) -> tuple[Mask, Mask]:
        """:meth:`Timeline.is_open` at each instant."""
        np = self._np
        count = len(self.h_closes)
        index = np.searchsorted(self.h_closes, instants, side="right")
        open_ = (index < count) & (self.opens[np.minimum(index, count - 1)] <= instants)
        return open_, self._inside(instants)

    def position(self, instants: Instants) -> tuple[Instants, Mask]:
        """:meth:`Timeline.position` of each instant."""
        np = self._np
        count = len(self.h_closes)
        index = np.searchsorted(self.h_closes, instants, side="right")
        last = index == count
        index = np.minimum(index, count - 1)
        inner = self.cum[index] + np.maximum(0, instants - self.opens[index])
        return np.where(last, self.total, inner), self._inside(instants)


class _DayValues:
    """Values for each working day, as lists, worked out a chunk at a time on first use (the
    pure-Python :class:`_Chunked`: ``fill(low, high)`` gives rows of values for the working days
    ``low`` to ``high - 1``)."""

    __slots__ = ("_count", "_done", "_fill", "rows")

    def __init__(self, rows: int, count: int, fill: Callable[[int, int], Any]) -> None:
        self.rows: list[list[int]] = [[0] * count for _ in range(rows)]
        self._done = [False] * -(-count // CHUNK)
        self._count = count
        self._fill = fill

    def ensure_around(self, day: int) -> None:
        """Work out the values of working day ``day`` and of the days either side of it, where
        not yet known: those of their chunks."""
        done = self._done
        top = self._count - 1
        low, high = max(day - 1, 0) // CHUNK, min(day + 1, top) // CHUNK
        if done[low] and done[high]:
            return
        for chunk in (low, high) if low != high else (low,):
            if not done[chunk]:
                first = chunk * CHUNK
                last = min(first + CHUNK, self._count)
                for row, values in zip(self.rows, self._fill(first, last), strict=True):
                    row[first:last] = values
                done[chunk] = True


class TimelineLists:
    """A :class:`Timeline`'s questions answered from its tables' lists with ``bisect``, as
    :class:`TimelineArrays` answers them from numpy arrays (the same arithmetic): each method
    gives the answer, or None for an instant the tables cannot answer (the scalar
    :class:`Timeline` answers it from the calendar or raises its error). The clocks of a batch
    are settled with them when numpy is not installed."""

    __slots__ = (
        "_arrays",
        "_at_minute",
        "_midnights",
        "closes",
        "cum",
        "day_ends",
        "ends",
        "h_closes",
        "high",
        "low",
        "opens",
        "total",
    )

    def __init__(self, timeline: Timeline) -> None:
        tables = timeline._tables
        self.closes: list[int] = tables.closes
        self.day_ends: list[int] | None = None
        self.opens: list[int] = tables.hours_opens
        self.h_closes: list[int] = tables.hours_closes
        self.cum: list[int] = tables.hours_cum
        self.ends: list[int] = tables.hours_ends
        self.total = int(tables.hours_total)
        self.low = int(tables.range_start)
        self.high = int(tables.range_end)
        # The midnights and times of day are worked out as TimelineArrays works them out.
        self._arrays = _DayTables(timeline)
        self._midnights: _DayValues | None = None
        self._at_minute: dict[int, _DayValues] = {}

    def days_function(self, days: int, after_closing: str) -> Callable[[int], int | None]:
        """:meth:`Timeline.days_deadline` of a start, ``days`` and ``after_closing`` bound."""
        closes, low, high = self.closes, self.low, self.high
        count = len(closes)
        if after_closing == "next_day":
            table = closes
        else:
            if self.day_ends is None:
                self.day_ends = self._arrays.tables.day_ends()
            table = self.day_ends

        def deadline(start: int) -> int | None:
            if low <= start < high:
                index = bisect_right(table, start) + days
                if index < count:
                    return closes[index]
            return None

        return deadline

    def hours_function(self, amount: int) -> Callable[[int], int | None]:
        """:meth:`Timeline.hours_deadline` of a start, ``amount`` (µs) bound."""
        h_closes, opens, cum, ends = self.h_closes, self.opens, self.cum, self.ends
        low, high = self.low, self.high
        count, days = len(h_closes), len(ends)

        def deadline(start: int) -> int | None:
            if low <= start < high and amount > 0:
                index = bisect_right(h_closes, start)
                if index < count:
                    target = cum[index] + max(0, start - opens[index]) + amount
                    day = bisect_left(ends, target)
                    if day < days:
                        return opens[day] + (target - cum[day])
            return None

        return deadline

    def next_day_function(self, minute: int) -> Callable[[int], int | None]:
        """:meth:`Timeline.next_working_day_at` of a start, at ``minute`` from local midnight
        (see :meth:`TimelineArrays.next_day_at`: the same searches, one start at a time)."""
        closes, low, high = self.closes, self.low, self.high
        count = len(closes)
        if count == 0:
            return lambda start: None
        midnights = self._midnights
        if midnights is None:
            midnights = self._midnights = _DayValues(2, count, self._arrays.midnight_bounds)
        answers = self._at_minute.get(minute)
        if answers is None:
            answers = self._at_minute[minute] = _DayValues(
                1, count, lambda first, last: self._arrays.at_time(first, last, minute)
            )
        begins, lasts = midnights.rows
        (at_minute,) = answers.rows
        last_day = count - 1
        around_midnights, around_answers = midnights.ensure_around, answers.ensure_around

        def deadline(start: int) -> int | None:
            if not low <= start < high:
                return None
            guess = bisect_right(closes, start)
            around_midnights(guess)
            around_answers(guess)
            index = guess + (guess < count and begins[min(guess, last_day)] <= start)
            if index >= count or begins[index] <= start:
                return None
            if index > 0 and start < lasts[index - 1]:
                return None
            return at_minute[index]

        return deadline

    def position(self, instant: int) -> int | None:
        """:meth:`Timeline.position` of an instant."""
        if not self.low <= instant < self.high:
            return None
        index = bisect_right(self.h_closes, instant)
        if index == len(self.h_closes):
            return self.total
        return self.cum[index] + max(0, instant - self.opens[index])


class _DayTables:
    """What the midnights and times of day of working days are worked out from (a timeline's
    zone and the ordinals of its working days), for :class:`TimelineArrays` and
    :class:`TimelineLists` alike."""

    __slots__ = ("_ordinals", "_zone", "tables")

    def __init__(self, timeline: Timeline) -> None:
        self.tables = timeline._tables
        self._zone: ZoneInfo = timeline.calendar._zone
        self._ordinals: list[int] = self.tables.ordinals

    def midnight_bounds(self, low: int, high: int) -> list[list[int]]:
        """For the working days ``low`` to ``high - 1``: the first instant the clock shows each
        one's date (``first_instant_s`` of its midnight), and the instant from which it never
        shows an earlier date again (the second time it shows midnight, where clocks go back
        across it)."""
        zone = self._zone
        utcoffset, combine, from_ordinal = zone.utcoffset, datetime.combine, date.fromordinal
        midnight, again = time(0), time(0, fold=1)
        begins: list[int] = []
        lasts: list[int] = []
        for ordinal in self._ordinals[low:high]:
            day = from_ordinal(ordinal)
            first = utcoffset(combine(day, midnight))
            second = utcoffset(combine(day, again))
            local = (ordinal - EPOCH_ORDINAL) * _DAY_S
            if first == second or first is None or second is None:
                begin = last = local - (first // _SECOND if first is not None else 0)
            elif first > second:  # clocks go back across midnight: shown twice
                begin, last = local - first // _SECOND, local - second // _SECOND
            else:  # clocks go forward across midnight: the date begins at the jump
                begin = last = first_instant_s(zone, ordinal, 0)
            begins.append(begin * US)
            lasts.append(last * US)
        return [begins, lasts]

    def at_time(self, low: int, high: int, minute: int) -> list[list[int]]:
        """``minute`` (local) on each of the working days ``low`` to ``high - 1``."""
        seconds = wall_instants_s(self._zone, self._ordinals[low:high], minute)
        return [[second * US for second in seconds]]


def arrays_of(timeline: Timeline) -> TimelineArrays:
    """The arrays of ``timeline``, made once and kept on it."""
    found: TimelineArrays | None = timeline.arrays
    if found is None:
        found = timeline.arrays = TimelineArrays(timeline)
    return found


class ClockBatch:
    """A ``response_time`` rule (one clock, the first) judged in batches; see the module doc."""

    __slots__ = (
        "_condition",
        "_deadline",
        "_elapsed",
        "_every",
        "_every_limit",
        "_is_open",
        "_limit",
        "_lists",
        "_out_of_hours",
        "_person",
        "_repeat",
        "_special",
        "_start",
        "_stop",
        "_timeline",
        "_warn_at",
    )

    def __init__(
        self,
        *,
        start: frozenset[str],
        stop: frozenset[str],
        special: frozenset[str],
        person: frozenset[str],
        condition: str | None,
        limit: Limit,
        timeline: Timeline,
        deadline: Callable[[int], int],
        elapsed: Callable[[int, int], int],
        warn_at: float | None,
    ) -> None:
        self._start = start
        self._stop = stop
        self._special = special
        self._person = person
        self._condition = condition
        self._out_of_hours = condition == "out_of_hours"
        self._is_open = timeline.is_open
        self._limit = limit
        self._timeline = timeline
        self._deadline = deadline
        self._elapsed = elapsed
        self._warn_at = warn_at
        self._repeat: frozenset[str] = frozenset()
        self._every: Callable[[int], int] | None = None
        self._every_limit: Limit | None = None
        self._lists: _Settler | None = None

    def repeat_plainly(self, kinds: frozenset[str], every: Limit) -> None:
        """Judge in batches a clock with one update of ``kinds`` (the rule's ``repeat.events``
        that are not also acknowledgements, pauses, resumptions or extensions) between its
        start and its stop, the next deadline ``every`` after it: what the rule's check does
        for such an update with no pause (see :meth:`settle_arrays`)."""
        self._repeat = kinds & self._special
        self._every_limit = every
        self._every = every.deadline_function(self._timeline)

    def probe(self, events: Sequence[Event]) -> Probe | Outcome | None:
        """Where a plain clock starts and stops; the outcome itself when the rule does not
        apply (no start event, or the start condition fails); None for a record the rule's
        own check must judge."""
        start_k = self._start
        i = 0
        for event in events:
            if event.kind in start_k:
                break
            i += 1
        else:
            return _NOT_STARTED
        start = (event.at - EPOCH) // MICROSECOND  # to_us, inline: this is the hot path
        if self._condition is not None and self._is_open(start) == self._out_of_hours:
            return Outcome(NOT_APPLICABLE, None, None, (CONDITION, i))
        stop_k = self._stop
        special = self._special
        j = i
        for event in events[i + 1 :]:
            j += 1
            kind = event.kind
            if kind in stop_k:
                if event.actor is None and kind in self._person:
                    return None
                return (i, j, start, (event.at - EPOCH) // MICROSECOND)
            if kind in special:
                return None
        return (i, -1, start, -1)

    def shape(self, kinds: Sequence[str]) -> Shape | None:
        """What the rule's check does with events of these kinds, found once per sequence of
        kinds: ``(i, j, person, r, r_person)``, the start's index (-1: not started), the stop's
        (-1: none), whether the stop's actor decides (a stop with no actor where only a person
        may answer is the check's), the index of the one update :meth:`repeat_plainly` allows
        (-1: none) and whether its actor decides (an update with no actor where only a person
        may keep the customer informed is ignored); None when the check must judge every such
        record (another event between the start and the stop that is not plain). A clock with
        a start condition is tested on its start when it is settled (:meth:`settle_arrays`)."""
        start_k = self._start
        i = 0
        for kind in kinds:
            if kind in start_k:
                break
            i += 1
        else:
            return (-1, -1, False, -1, False)
        stop_k = self._stop
        special = self._special
        repeat = self._repeat
        r = -1
        for j in range(i + 1, len(kinds)):
            kind = kinds[j]
            if kind in stop_k:
                return (i, j, kind in self._person, r, r >= 0 and kinds[r] in self._person)
            if kind in special:
                if r < 0 and kind in repeat:
                    r = j
                    continue
                return None
        return (i, -1, False, r, r >= 0 and kinds[r] in self._person)

    def settle(self, probes: Sequence[Probe], at: int) -> list[Settled]:
        """The outcome of each plain clock, judged at ``at`` (epoch µs), in order."""
        np = numpy_module()
        n = len(probes)
        starts = np.fromiter((probe[2] for probe in probes), np.int64, n)
        ends = np.fromiter((probe[3] for probe in probes), np.int64, n)
        codes, due, seconds, shares = self.settle_arrays(starts, ends, at)
        return [
            (code, when, None if spent != spent else spent, None if share != share else share)
            for code, when, spent, share in zip(
                codes.tolist(), due.tolist(), seconds.tolist(), shares.tolist(), strict=True
            )
        ]

    def settle_arrays(
        self, starts: Instants, ends: Instants, at: int, repeats: Instants | None = None
    ) -> tuple[Instants, Instants, Floats, Floats]:
        """:meth:`settle` of the clocks starting at ``starts`` and stopping at ``ends`` (-1: still
        running), as arrays: status codes, deadlines, seconds run (NaN for a running clock) and
        shares of the budget used (NaN where :meth:`settle` gives None). ``repeats``: the
        instant of each clock's one update (-1: none; see :meth:`repeat_plainly`). A clock that
        fails the rule's start condition is not applicable (its deadline is then meaningless).

        An update after the deadline makes the clock late (breached, however it stops). One
        in time moves the deadline to ``every`` after it when that is later, and the share of a
        running clock then counts from the update (the check's interval)."""
        np = numpy_module()
        n = len(starts)
        fails = None
        if self._condition is not None:
            # The start condition first, as the check tests it: a clock that fails it is not
            # applicable, whatever its deadline would be.
            open_, answered = arrays_of(self._timeline).is_open(starts)
            for index in np.flatnonzero(~answered).tolist():
                open_[index] = self._is_open(int(starts[index]))
            fails = open_ == self._out_of_hours
        due, ok = self._deadlines(starts)
        late = np.zeros(n, dtype=bool)
        interval = starts
        if repeats is not None and self._every_limit is not None:
            updated = repeats >= 0
            if updated.any():
                late = updated & (repeats > due)
                rows = np.flatnonzero(updated & ~late)  # the updates in time
                if len(rows):
                    following, ok_following = self._deadlines(repeats[rows], self._every_limit)
                    ok[rows] &= ok_following
                    moved = rows[following > due[rows]]
                    due = due.copy()
                    due[rows] = np.maximum(following, due[rows])
                    interval = starts.copy()
                    interval[moved] = repeats[moved]
        stopped = ends >= 0
        working = self._limit.measure != CALENDAR
        if working:
            arrays = arrays_of(self._timeline)
            from_start, ok_start = arrays.position(starts)
            to_end, ok_end = arrays.position(np.where(stopped, ends, starts))
            ok &= ok_start & ok_end
            spent = to_end - from_start
        else:
            spent = ends - starts
        codes = np.where(
            stopped,
            np.where((ends <= due) & ~late, MET, BREACHED),
            np.where(late | (at > due), BREACHED, PENDING),
        )
        shares = np.full(n, np.nan)
        warn_at = self._warn_at
        running = ~stopped & ~late & (at <= due)
        if warn_at is not None and running.any():
            rows = np.flatnonzero(running)  # only the running clocks have a share
            if working:
                to_due, ok_due = arrays.position(due[rows])
                at_position, ok_at = arrays.position(np.asarray([at], dtype=np.int64))
                ok_rows = ok_due & bool(ok_at[0])
                if interval is starts:
                    from_interval = from_start[rows]
                else:
                    from_interval, ok_interval = arrays.position(interval[rows])
                    ok_rows &= ok_interval
                ok[rows] &= ok_rows
                budget = to_due - from_interval
                used = at_position[0] - from_interval
            else:
                budget = due[rows] - interval[rows]
                used = at - interval[rows]
            positive = budget > 0
            share = np.where(positive, used.astype(np.float64) / np.where(positive, budget, 1), 1.0)
            codes[rows] = np.where(share >= warn_at, AT_RISK, codes[rows])
            shares[rows] = share
        # A running clock has run no time yet.
        seconds = np.where(stopped, spent.astype(np.float64) / 1_000_000, np.nan)
        if fails is not None and fails.any():
            codes[fails] = NOT_APPLICABLE
            seconds[fails] = np.nan
            shares[fails] = np.nan
            ok |= fails
        if not ok.all():
            for index in np.flatnonzero(~ok).tolist():
                start, end = int(starts[index]), int(ends[index])
                repeat = int(repeats[index]) if repeats is not None else -1
                code, when, spent_s, share_s = self._one((0, 0, start, end), at, repeat)
                codes[index] = code
                due[index] = when
                seconds[index] = np.nan if spent_s is None else spent_s
                shares[index] = np.nan if share_s is None else share_s
        return codes, due, seconds, shares

    def settle_flat(self, times: Sequence[int], at: int) -> SettledLists:
        """:meth:`settle_arrays` without numpy: the clocks of ``times`` (three ints a clock:
        start, stop and update instants, as :meth:`settle_arrays` takes them), answered from the
        timeline's lists (:class:`TimelineLists`, the same arithmetic as the arrays), as lists:
        status codes, deadlines, seconds run (None for a running clock) and shares (None where
        :meth:`settle` gives None). A clock whose instants the lists cannot answer goes through
        the rule's scalar functions (:meth:`_one`), as with numpy; a clock that fails the
        start condition is not applicable (its deadline then meaningless, -1)."""
        settler = self._lists
        if settler is None:
            settler = self._lists = self._settler()
        due_of, every_of, lists = settler
        position = lists.position
        # Timeline.position inline for a stopped clock (the hot path without numpy).
        h_closes, opens, cum, total = lists.h_closes, lists.opens, lists.cum, lists.total
        low, high, count = lists.low, lists.high, len(h_closes)
        one = self._one
        warn_at = self._warn_at
        working = self._limit.measure != CALENDAR
        condition = self._condition is not None
        is_open, out_of_hours = self._is_open, self._out_of_hours
        at_position = position(at) if working else at
        codes: list[int] = []
        dues: list[int] = []
        seconds: list[float | None] = []
        shares: list[float | None] = []
        for k in range(0, len(times), 3):
            start = times[k]
            end = times[k + 1]
            repeat = times[k + 2]
            if condition and is_open(start) == out_of_hours:
                codes.append(NOT_APPLICABLE)
                dues.append(-1)
                seconds.append(None)
                shares.append(None)
                continue
            due = due_of(start)
            late = False
            interval = start
            if due is not None and repeat >= 0 and every_of is not None:
                if repeat > due:
                    late = True
                else:
                    following = every_of(repeat)
                    if following is None:
                        due = None
                    elif following > due:
                        due, interval = following, repeat
            spent: float | None = None
            share: float | None = None
            code = PENDING
            if due is None:
                code = -1
            elif end >= 0:
                code = MET if end <= due and not late else BREACHED
                if working:
                    if low <= start < high and low <= end < high:
                        index = bisect_right(h_closes, start)
                        if index == count:
                            from_start = total
                        else:
                            opened = opens[index]
                            from_start = cum[index] + (start - opened if start > opened else 0)
                        index = bisect_right(h_closes, end)
                        if index == count:
                            to_end = total
                        else:
                            opened = opens[index]
                            to_end = cum[index] + (end - opened if end > opened else 0)
                        spent = (to_end - from_start) / 1_000_000
                    else:
                        code = -1
                else:
                    spent = (end - start) / 1_000_000
            elif late or at > due:
                code = BREACHED
            elif warn_at is not None:
                if working:
                    to_due = position(due)
                    from_interval = position(interval)
                    if to_due is None or from_interval is None or at_position is None:
                        code = -1
                    else:
                        budget = to_due - from_interval
                        used = at_position - from_interval
                else:
                    budget = due - interval
                    used = at - interval
                if code != -1:
                    share = used / budget if budget > 0 else 1.0
                    code = AT_RISK if share >= warn_at else PENDING
            if code == -1 or due is None:  # what the lists cannot answer: the scalar functions
                code, due, spent, share = one((0, 0, start, end), at, repeat)
            codes.append(code)
            dues.append(due)
            seconds.append(spent)
            shares.append(share)
        return codes, dues, seconds, shares

    def _settler(self) -> _Settler:
        """What :meth:`settle_flat` asks: the deadline of a start, the next deadline after an
        update (None: no update is settled), the timeline's lists."""
        lists = TimelineLists(self._timeline)
        every = self._every_limit
        return (
            self._deadline_of(lists, self._limit),
            self._deadline_of(lists, every) if every is not None else None,
            lists,
        )

    @staticmethod
    def _deadline_of(lists: TimelineLists, limit: Limit) -> Callable[[int], int | None]:
        """The deadline ``limit`` sets for a start, from ``lists`` (None where they cannot
        answer), as :meth:`_deadlines` finds it from the arrays."""
        if limit.unit == "working_days":
            return lists.days_function(int(limit.amount), limit.after_closing)
        if limit.unit == "working_hours":
            return lists.hours_function(round(limit.amount * 3_600_000_000))
        if limit.unit in _CALENDAR_US:
            span = round(limit.amount * _CALENDAR_US[limit.unit])
            return lambda start: start + span
        minute = clock_minutes(parse_clock(str(limit.amount), "time_of_day"))
        return lists.next_day_function(minute)

    def _deadlines(self, starts: Instants, limit: Limit | None = None) -> tuple[Instants, Mask]:
        """The deadline ``limit`` (the rule's by default) sets for each start."""
        np = numpy_module()
        if limit is None:
            limit = self._limit
        if limit.unit == "working_days":
            return arrays_of(self._timeline).days_deadline(
                starts, int(limit.amount), limit.after_closing
            )
        if limit.unit == "working_hours":
            amount = round(limit.amount * 3_600_000_000)
            return arrays_of(self._timeline).hours_deadline(starts, amount)
        if limit.unit in _CALENDAR_US:
            span = round(limit.amount * _CALENDAR_US[limit.unit])
            return starts + span, np.ones(len(starts), dtype=bool)
        minute = clock_minutes(parse_clock(str(limit.amount), "time_of_day"))
        return arrays_of(self._timeline).next_day_at(starts, minute)

    def _one(self, probe: Probe, at: int, repeat: int = -1) -> Settled:
        """One plain clock with the rule's scalar functions (what the check computes), with
        its one update at ``repeat`` (-1: none)."""
        _, _, start, end = probe
        elapsed = self._elapsed
        due = self._deadline(start)
        late = False
        interval = start
        if repeat >= 0 and self._every is not None:
            if repeat > due:
                late = True
            else:
                following = self._every(repeat)
                if following > due:
                    due, interval = following, repeat
        if end >= 0:
            spent = elapsed(start, end)
            return (MET if end <= due and not late else BREACHED, due, spent / 1_000_000, None)
        if late or at > due:
            return (BREACHED, due, None, None)
        share = None
        warn_at = self._warn_at
        if warn_at is not None:
            budget = elapsed(interval, due)
            used = elapsed(interval, at)
            share = used / budget if budget > 0 else 1.0
        status = AT_RISK if share is not None and share >= (warn_at or 1.0) else PENDING
        return (status, due, None, share)

    def outcome(self, probe: Probe, settled: Settled) -> Outcome:
        """The outcome the rule's check gives for the clock (its facts, for explaining it)."""
        code, due, seconds, share = settled
        # No pauses, updates, extensions or ignored events: empty tuples (only read), not four
        # fresh lists a clock.
        facts: tuple[Any, ...] = (probe[0], probe[1], due, (), (), (), -1, share, -1, ())
        return Outcome(code, due, seconds, facts)


NOT_STARTED: Final = "not_started"
CONDITION: Final = "condition"
_NOT_STARTED: Final = Outcome(NOT_APPLICABLE, None, None, NOT_STARTED)
