"""Complaint analytics: counts and rates, a Pareto of categories, recurrences, control charts.

Complaints are grouped only by what they are about and where they came from: period, category,
customer group, customer kind, channel, site and severity. Nothing here reads a submitter, so an
anonymous complaint stays anonymous in every result (source 000, "Managing Customer
Complaints": complaints tracked and analysed). A complaint belongs to the period in which it was
received (its first event), in the lab's time zone.

Control charts (Montgomery, *Introduction to Statistical Quality Control*, ch. 7): a **u-chart**
of complaints per ``per`` requests when request volumes are given, a **c-chart** of counts
otherwise, 3-sigma limits from the baseline periods, and three signal rules: a point beyond a
limit (Western Electric rule 1), a run of 8 points on one side of the centre line (Western
Electric rule 4), and 6 points in a row steadily rising or falling (Nelson rule 3).
"""

from __future__ import annotations

import bisect
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from enum import Enum
from typing import Any, overload
from zoneinfo import ZoneInfo

from attrs import frozen
from cattrs.gen import override

from ..core._documents import Document, field_dump, register
from ..core.complaint import Complaint
from ..core.errors import ValidationError
from ..core.timestamps import plain_timedelta, wall_clock
from ..core.translation import ENGLISH, Translator
from .periods import (
    Granularity,
    check_granularity,
    day_key,
    first_day,
    period_key,
    period_range,
    time_zone,
)

DIMENSIONS = (
    "period",
    "category",
    "customer_group",
    "customer_kind",
    "channel",
    "site",
    "severity",
)
"""What complaints may be grouped by. Never by submitter or the people involved."""

RUN_LENGTH = 8
"""Western Electric rule 4: this many successive points on one side of the centre line."""

TREND_LENGTH = 6
"""Nelson rule 3: this many successive points steadily increasing or decreasing."""

Key = tuple[str | None, ...]


# -- grouping -----------------------------------------------------------------------------------


def _value(complaint: Complaint, dimension: str, period: str, timezone: str) -> str | None:
    if dimension == "period":
        return period_key(complaint.opened_at, period, timezone)
    value: object = getattr(complaint, dimension)
    if isinstance(value, Enum):
        return str(value.value)
    return None if value is None else str(value)


def _check_dimensions(by: Sequence[str]) -> tuple[str, ...]:
    if isinstance(by, str):
        by = (by,)
    dimensions = tuple(by)
    for index, dimension in enumerate(dimensions):
        if dimension not in DIMENSIONS:
            raise ValidationError.single(
                f"$.by[{index}]",
                f"cannot group complaints by {dimension!r}; expected one of "
                f"{', '.join(DIMENSIONS)} (never by submitter: anonymous complaints stay "
                "anonymous)",
            )
    if len(set(dimensions)) != len(dimensions):
        raise ValidationError.single("$.by", f"a dimension is named twice in {list(dimensions)}")
    return dimensions


def _in_range(complaint: Complaint, start: datetime | None, end: datetime | None) -> bool:
    at = complaint.opened_at
    return (start is None or at >= start) and (end is None or at < end)


def _sort_key(key: Key) -> tuple[tuple[bool, str], ...]:
    return tuple((part is None, part or "") for part in key)


class Tallied(Sequence[Complaint]):
    """Complaints each standing for a number of alike ones (the same period, category, group,
    site, severity and anonymity): read as the sequence that lists each one that many times,
    and counted by this module's functions once per complaint, not once per listing. What a
    report over a year of complaints keeps, so that its memory does not grow with the year."""

    __slots__ = ("_ends", "_pairs")

    def __init__(self, pairs: Iterable[tuple[Complaint, int]]) -> None:
        checked: list[tuple[Complaint, int]] = []
        ends: list[int] = []
        total = 0
        for index, (complaint, count) in enumerate(pairs):
            if not isinstance(complaint, Complaint):
                raise ValidationError.single(
                    f"$[{index}][0]", f"expected a Complaint, got {type(complaint).__name__}"
                )
            if isinstance(count, bool) or not isinstance(count, int) or count < 1:
                raise ValidationError.single(
                    f"$[{index}][1]", f"expected a whole number of complaints >= 1, got {count!r}"
                )
            total += count
            checked.append((complaint, count))
            ends.append(total)
        self._pairs = tuple(checked)
        self._ends = ends

    @property
    def pairs(self) -> tuple[tuple[Complaint, int], ...]:
        """Each complaint with the number it stands for, in the order given."""
        return self._pairs

    def __len__(self) -> int:
        return self._ends[-1] if self._ends else 0

    def __iter__(self) -> Iterator[Complaint]:
        for complaint, count in self._pairs:
            for _ in range(count):
                yield complaint

    @overload
    def __getitem__(self, index: int) -> Complaint: ...

    @overload
    def __getitem__(self, index: slice) -> list[Complaint]: ...

    def __getitem__(self, index: int | slice) -> Complaint | list[Complaint]:
        if isinstance(index, slice):
            return list(self)[index]
        size = len(self)
        position = index + size if index < 0 else index
        if not 0 <= position < size:
            raise IndexError("Tallied index out of range")
        return self._pairs[bisect.bisect_right(self._ends, position)][0]


def _tally(complaints: Iterable[Complaint]) -> Iterable[tuple[Complaint, int]]:
    """Each complaint of ``complaints`` once, with how often it is listed: a caller that lets
    one complaint stand for many alike (the report's year of counts) lists the same object many
    times, and each is then grouped once; a :class:`Tallied` says so itself."""
    if isinstance(complaints, Tallied):
        return complaints.pairs
    found: dict[int, list[Any]] = {}
    for complaint in _complaints(complaints):
        entry = found.get(id(complaint))
        if entry is None:
            found[id(complaint)] = [complaint, 1]
        else:
            entry[1] += 1
    return ((complaint, count) for complaint, count in found.values())


def _complaints(complaints: Iterable[Complaint]) -> Iterable[Complaint]:
    for index, complaint in enumerate(complaints):
        if not isinstance(complaint, Complaint):
            raise ValidationError.single(
                f"$[{index}]", f"expected a Complaint, got {type(complaint).__name__}"
            )
        yield complaint


# -- counts and rates ---------------------------------------------------------------------------


@frozen
class CountRow:
    """The complaints of one group: its count and, with request volumes, its rate."""

    key: Key
    count: int
    volume: int | None = None
    rate: float | None = None


@frozen
class ComplaintCounts(Document):
    """Complaint counts (and rates) per group of the chosen dimensions."""

    dimensions: tuple[str, ...]
    period: str
    timezone: str
    rows: tuple[CountRow, ...]
    total: int
    per: int | None
    method: str

    def count(self, **key: str | None) -> int:
        """The count of one group, e.g. ``count(category="delay")`` (0 if there is none)."""
        if set(key) != set(self.dimensions):
            raise ValidationError.single(
                "$", f"expected exactly the dimensions {list(self.dimensions)}, got {sorted(key)}"
            )
        wanted = tuple(key[d] for d in self.dimensions)
        return next((row.count for row in self.rows if row.key == wanted), 0)


# As a document the rows come after the total and ``per``, each one object keyed by the
# dimensions' names, then its count (and, with rates, its volume and rate).
_counts_head = field_dump(ComplaintCounts, omit=("rows", "method"))
_row_count = field_dump(CountRow, omit=("key", "volume", "rate"))
_row_rate = field_dump(CountRow, omit=("key",))


def _complaint_counts(counts: ComplaintCounts) -> dict[str, Any]:
    row_fields = _row_count if counts.per is None else _row_rate
    rows = [
        dict(zip(counts.dimensions, row.key, strict=True)) | row_fields(row) for row in counts.rows
    ]
    return {**_counts_head(counts), "rows": rows, "method": counts.method}


register(ComplaintCounts, _complaint_counts)


def _check_per(per: int) -> None:
    if isinstance(per, bool) or not isinstance(per, int) or per <= 0:
        raise ValidationError.single("$.per", f"expected a whole number above 0, got {per!r}")


def _volumes(volumes: Mapping[str, int], period: str) -> dict[str, int]:
    checked: dict[str, int] = {}
    for key, volume in volumes.items():
        first_day(key, period)
        if isinstance(volume, bool) or not isinstance(volume, int) or volume <= 0:
            raise ValidationError.single(
                f"$.volumes.{key}", f"expected a whole number of requests above 0, got {volume!r}"
            )
        checked[key] = volume
    return checked


def count_complaints(
    complaints: Iterable[Complaint],
    *,
    by: Sequence[str] = ("category",),
    period: str = "month",
    timezone: str = "UTC",
    start: datetime | None = None,
    end: datetime | None = None,
    volumes: Mapping[str, int] | None = None,
    per: int = 1000,
) -> ComplaintCounts:
    """Count complaints received in ``[start, end)`` per group of the ``by`` dimensions.

    With ``volumes`` (requests per period, e.g. ``{"2026-01": 41250}``), ``by`` must include
    ``"period"`` and every row also gets its rate per ``per`` requests.
    """
    dimensions = _check_dimensions(by)
    check_granularity(period)
    time_zone(timezone)
    _check_per(per)
    checked = _volumes(volumes, period) if volumes is not None else None
    if checked is not None and "period" not in dimensions:
        raise ValidationError.single("$.by", "rates per request volume need 'period' in by")
    counter: Counter[Key] = Counter()
    for complaint, count in _tally(complaints):
        if _in_range(complaint, start, end):
            counter[tuple(_value(complaint, d, period, timezone) for d in dimensions)] += count
    return _counted(counter, dimensions, period, timezone, checked, per)


def count_complaints_each(
    complaints: Iterable[Complaint],
    dimensions: Sequence[str],
    *,
    period: str = "month",
    timezone: str = "UTC",
    period_volumes: Mapping[str, int] | None = None,
    per: int = 1000,
) -> dict[str, ComplaintCounts]:
    """``count_complaints(complaints, by=(dimension,), period=period, timezone=timezone)`` for
    each of ``dimensions`` (``period_volumes`` are the ``volumes`` of the count by period), by
    dimension, from one walk over the complaints: each complaint's values are found once, and
    complaints alike in all of them counted together."""
    if isinstance(dimensions, str):
        dimensions = (dimensions,)
    each = [_check_dimensions((dimension,))[0] for dimension in dimensions]
    if len(set(each)) != len(each):
        raise ValidationError.single("$.dimensions", f"a dimension is named twice in {each}")
    granularity = check_granularity(period)
    zone = time_zone(timezone)
    _check_per(per)
    checked = _volumes(period_volumes, period) if period_volumes is not None else None
    if checked is not None and "period" not in each:
        raise ValidationError.single("$.dimensions", "rates per request volume need 'period'")
    alike: Counter[Key] = Counter()
    for complaint, count in _tally(complaints):
        alike[
            tuple(
                _period_value(complaint, granularity, zone)
                if dimension == "period"
                else _value(complaint, dimension, period, timezone)
                for dimension in each
            )
        ] += count
    found: dict[str, ComplaintCounts] = {}
    for index, dimension in enumerate(each):
        counter: Counter[Key] = Counter()
        for key, count in alike.items():
            counter[(key[index],)] += count
        volumes = checked if dimension == "period" else None
        found[dimension] = _counted(counter, (dimension,), period, timezone, volumes, per)
    return found


def _period_value(complaint: Complaint, granularity: Granularity, zone: ZoneInfo) -> str:
    """:func:`_value` of the period (what :func:`.period_key` gives, its settings checked once)."""
    return day_key(wall_clock(complaint.opened_at, zone).date(), granularity)


def _counted(
    counter: Counter[Key],
    dimensions: tuple[str, ...],
    period: str,
    timezone: str,
    checked: dict[str, int] | None,
    per: int,
) -> ComplaintCounts:
    """The counts of ``counter`` (complaints by key) as :func:`count_complaints` gives them."""
    rows: list[CountRow] = []
    for key in sorted(counter, key=_sort_key):
        if checked is None:
            rows.append(CountRow(key, counter[key]))
            continue
        month = key[dimensions.index("period")]
        assert month is not None
        if month not in checked:
            raise ValidationError.single(
                f"$.volumes.{month}", f"complaints were received in {month} but no volume is given"
            )
        rows.append(
            CountRow(key, counter[key], checked[month], counter[key] / checked[month] * per)
        )
    method = f"complaints counted by {', '.join(dimensions)}; period of receipt in {timezone}"
    if checked is not None:
        method += f"; rate = complaints / requests in the period x {per}"
    return ComplaintCounts(
        dimensions=dimensions,
        period=period,
        timezone=timezone,
        rows=tuple(rows),
        total=sum(counter.values()),
        per=per if checked is not None else None,
        method=method,
    )


# -- Pareto -------------------------------------------------------------------------------------


@frozen
class ParetoRow(Document):
    """One category of the Pareto: its count, share and cumulative share."""

    value: str | None
    count: int
    share: float
    cumulative_share: float


@frozen
class Pareto(Document):
    """Categories from most to fewest complaints with their cumulative share."""

    dimension: str
    total: int
    rows: tuple[ParetoRow, ...]
    cutoff: float
    method: str

    @property
    def vital_few(self) -> tuple[str | None, ...]:
        """The leading categories that together reach the cutoff share (80% by default)."""
        chosen: list[str | None] = []
        for row in self.rows:
            chosen.append(row.value)
            if row.cumulative_share >= self.cutoff:
                break
        return tuple(chosen)


# As a document the vital few come before the method.
_pareto_head = field_dump(Pareto, omit=("method",))


def _pareto(made: Pareto) -> dict[str, Any]:
    return {**_pareto_head(made), "vital_few": list(made.vital_few), "method": made.method}


register(Pareto, _pareto)


def pareto(
    complaints: Iterable[Complaint],
    *,
    dimension: str = "category",
    cutoff: float = 0.8,
    start: datetime | None = None,
    end: datetime | None = None,
    timezone: str = "UTC",
    period: str = "month",
) -> Pareto:
    """A Pareto of complaints by ``dimension`` (most frequent first; ties by name)."""
    if not 0 < cutoff <= 1:
        raise ValidationError.single("$.cutoff", f"expected a share in (0, 1], got {cutoff}")
    counts = count_complaints(
        complaints, by=(dimension,), start=start, end=end, timezone=timezone, period=period
    )
    return pareto_of(counts, cutoff=cutoff)


def pareto_of(counts: ComplaintCounts, *, cutoff: float = 0.8) -> Pareto:
    """The Pareto of complaints already counted by one dimension (what :func:`pareto` makes of
    the same complaints, counted by that dimension alone and without request volumes)."""
    if not 0 < cutoff <= 1:
        raise ValidationError.single("$.cutoff", f"expected a share in (0, 1], got {cutoff}")
    if len(counts.dimensions) != 1:
        raise ValidationError.single(
            "$.counts", f"expected counts by one dimension, got {list(counts.dimensions)}"
        )
    dimension = counts.dimensions[0]
    ordered = sorted(counts.rows, key=lambda row: (-row.count, _sort_key(row.key)))
    rows: list[ParetoRow] = []
    running = 0
    for row in ordered:
        running += row.count
        rows.append(
            ParetoRow(row.key[0], row.count, row.count / counts.total, running / counts.total)
        )
    return Pareto(
        dimension=dimension,
        total=counts.total,
        rows=tuple(rows),
        cutoff=cutoff,
        method=(
            f"complaints counted by {dimension}, sorted from most to fewest (ties by name); "
            f"vital few = leading values up to a cumulative share of {cutoff:g}"
        ),
    )


# -- recurrence ---------------------------------------------------------------------------------


@frozen
class Recurrence(Document):
    """Complaints of one group recurring above the lab's threshold within the window."""

    group: tuple[tuple[str, str | None], ...]
    first_at: datetime
    last_at: datetime
    peak: int
    threshold: int
    window: timedelta
    complaint_ids: tuple[str, ...]

    @property
    def message(self) -> str:
        """The recurrence in plain words."""
        return self.describe(str(self.peak))

    def describe(self, peak: str) -> str:
        """The recurrence in plain words, its peak count written as ``peak`` (``fewer than 5``
        where a small count must not be shown)."""
        return recurrence_message(
            self.group,
            peak,
            self.window,
            self.threshold,
            self.first_at.isoformat(),
            self.last_at.isoformat(),
        )

    @property
    def method(self) -> str:
        """How the recurrence was detected, in words."""
        names = " and ".join(name for name, _ in self.group)
        return (
            f"complaints grouped by {names}; the window ending at each complaint holds the "
            f"group's complaints received in the preceding {_duration(self.window)} (start "
            f"excluded, end included); it fires when that count exceeds {self.threshold}; "
            "overlapping firing windows are merged"
        )


# As a document (complaint ids only: never a submitter) the group is one object keyed by the
# dimensions' names, the window is in seconds, and the message and method follow.
_recurrence_fields = field_dump(
    Recurrence,
    group=override(unstruct_hook=dict),
    window=override(rename="window_seconds", unstruct_hook=timedelta.total_seconds),
)


def _recurrence_document(recurrence: Recurrence) -> dict[str, Any]:
    return {
        **_recurrence_fields(recurrence),
        "message": recurrence.message,
        "method": recurrence.method,
    }


register(Recurrence, _recurrence_document)


def _duration(window: timedelta, t: Translator = ENGLISH) -> str:
    if window % timedelta(days=1) == timedelta(0):
        days = window // timedelta(days=1)
        return t.ngettext("{count} day", "{count} days", days).format(count=days)
    return str(window)


def recurrence_message(
    group: Iterable[tuple[str, str | None]],
    peak: str,
    window: timedelta,
    threshold: int,
    first_at: str,
    last_at: str,
    t: Translator = ENGLISH,
) -> str:
    """A recurrence in plain words, in ``t``'s language (the English is the recurrence's
    ``message``): its ``peak`` as shown (``7``, ``fewer than 5``), the ``group``'s dimensions
    and values (data, quoted as they are), the ``window``, the ``threshold`` and the ISO times
    of its first and last complaints (quoted as they are)."""
    named = ", ".join(f"{name} {value!r}" for name, value in group)
    return t.gettext(
        "{peak} complaints ({group}) within {window}, above the threshold of {threshold}, "
        "between {first} and {last}"
    ).format(
        peak=peak,
        group=named,
        window=_duration(window, t),
        threshold=threshold,
        first=first_at,
        last=last_at,
    )


def detect_recurrences(
    complaints: Iterable[Complaint],
    *,
    threshold: int,
    window: timedelta,
    by: Sequence[str] = ("category", "customer_group"),
    timezone: str = "UTC",
) -> tuple[Recurrence, ...]:
    """Groups (the same category from the same customer group, by default) with more than
    ``threshold`` complaints received within a trailing ``window`` of calendar time.

    The window ending at each complaint holds the group's complaints received in
    ``(t - window, t]``; the detector fires there when that count exceeds ``threshold``.
    Overlapping firing windows merge into one recurrence listing every complaint in them, with
    the peak count.
    """
    if isinstance(threshold, bool) or not isinstance(threshold, int) or threshold < 0:
        raise ValidationError.single(
            "$.threshold", f"expected a whole number of complaints >= 0, got {threshold!r}"
        )
    if not isinstance(window, timedelta) or window <= timedelta(0):
        raise ValidationError.single("$.window", f"expected a positive timedelta, got {window!r}")
    window = plain_timedelta(window)
    dimensions = _check_dimensions(by)
    groups: defaultdict[Key, list[Complaint]] = defaultdict(list)
    for complaint in _complaints(complaints):
        key = tuple(_value(complaint, d, "month", timezone) for d in dimensions)
        groups[key].append(complaint)
    found: list[Recurrence] = []
    for key in sorted(groups, key=_sort_key):
        members = sorted(groups[key], key=lambda c: (c.opened_at, c.id))
        times = [c.opened_at for c in members]
        episode: tuple[int, int, int] | None = None  # (first index, end index, peak)
        for at in times:
            end = bisect.bisect_right(times, at)
            begin = bisect.bisect_right(times, at - window)
            count = end - begin
            if count <= threshold:
                continue
            if episode is not None and begin < episode[1]:
                episode = (episode[0], max(episode[1], end), max(episode[2], count))
                continue
            if episode is not None:
                found.append(_recurrence(dimensions, key, members, episode, threshold, window))
            episode = (begin, end, count)
        if episode is not None:
            found.append(_recurrence(dimensions, key, members, episode, threshold, window))
    return tuple(found)


def _recurrence(
    dimensions: tuple[str, ...],
    key: Key,
    members: list[Complaint],
    episode: tuple[int, int, int],
    threshold: int,
    window: timedelta,
) -> Recurrence:
    first, end, peak = episode
    chosen = members[first:end]
    return Recurrence(
        group=tuple(zip(dimensions, key, strict=True)),
        first_at=chosen[0].opened_at,
        last_at=chosen[-1].opened_at,
        peak=peak,
        threshold=threshold,
        window=window,
        complaint_ids=tuple(c.id for c in chosen),
    )


# -- control charts -----------------------------------------------------------------------------


@frozen
class ChartPoint(Document):
    """One period on a control chart, with its limits and the rules it triggers."""

    period: str
    count: int
    volume: int | None
    value: float
    centre: float
    lower: float
    upper: float
    signals: tuple[str, ...] = ()


def signal_meaning(signal: str, t: Translator = ENGLISH) -> str:
    """What a control chart's ``signal`` means, in ``t``'s language (the English is the
    report's ``meaning``); a signal this module does not know is a :class:`KeyError`."""
    if signal == "above_upper_limit":
        return t.gettext("above the upper control limit (Western Electric rule 1)")
    if signal == "below_lower_limit":
        return t.gettext("below the lower control limit (Western Electric rule 1)")
    if signal == "run_above_centre":
        text = t.gettext(
            "{run} or more periods in a row above the centre line (Western Electric rule 4)"
        )
        return text.format(run=t.number(RUN_LENGTH))
    if signal == "run_below_centre":
        text = t.gettext(
            "{run} or more periods in a row below the centre line (Western Electric rule 4)"
        )
        return text.format(run=t.number(RUN_LENGTH))
    if signal == "trend_up":
        text = t.gettext(
            "{trend} or more periods in a row each higher than the last (Nelson rule 3)"
        )
        return text.format(trend=t.number(TREND_LENGTH))
    if signal == "trend_down":
        text = t.gettext(
            "{trend} or more periods in a row each lower than the last (Nelson rule 3)"
        )
        return text.format(trend=t.number(TREND_LENGTH))
    raise KeyError(signal)


SIGNALS = (
    "above_upper_limit",
    "below_lower_limit",
    "run_above_centre",
    "run_below_centre",
    "trend_up",
    "trend_down",
)
"""Every signal a point can carry."""

SIGNAL_TEXT = {signal: signal_meaning(signal) for signal in SIGNALS}
"""Each signal a point can carry, in words."""


@frozen
class ControlChart(Document):
    """A c-chart (counts) or u-chart (complaints per ``per`` requests) of complaints."""

    chart: str
    period: str
    timezone: str
    per: int | None
    centre: float
    baseline: tuple[str, ...]
    points: tuple[ChartPoint, ...]
    method: str

    @property
    def signals(self) -> tuple[tuple[str, str], ...]:
        """Every (period, signal) on the chart, in period order."""
        return tuple((point.period, signal) for point in self.points for signal in point.signals)

    @property
    def out_of_control(self) -> bool:
        """True if any point carries a signal."""
        return any(point.signals for point in self.points)


# As a document every signal of the chart is also listed, with its meaning, before the method.
_chart_head = field_dump(ControlChart, omit=("method",))


def _control_chart(chart: ControlChart) -> dict[str, Any]:
    signals = [
        {"period": period, "signal": signal, "meaning": SIGNAL_TEXT[signal]}
        for period, signal in chart.signals
    ]
    return {**_chart_head(chart), "signals": signals, "method": chart.method}


register(ControlChart, _control_chart)


def control_chart(
    complaints: Iterable[Complaint],
    *,
    volumes: Mapping[str, int] | None = None,
    per: int = 1000,
    periods: Sequence[str] | None = None,
    baseline: int | None = None,
    period: str = "month",
    timezone: str = "UTC",
) -> ControlChart:
    """A control chart of complaints per period, with its signals.

    With ``volumes`` (requests per period) it is a u-chart of complaints per ``per`` requests
    over the periods that have a volume; without, a c-chart of counts over ``periods`` (or every
    period from the first complaint to the last). Complaints outside the charted periods are not
    counted. Limits come from the first ``baseline`` periods (all of them by default):

    - c-chart: centre c = mean count; limits c +/- 3 sqrt(c), the lower one floored at 0;
    - u-chart: centre u = total complaints / total requests; for a period with n requests the
      limits are u +/- 3 sqrt(u / n), the lower one floored at 0; all shown per ``per`` requests.
    """
    check_granularity(period)
    time_zone(timezone)
    _check_per(per)
    counts: Counter[str] = Counter()
    for complaint, count in _tally(complaints):
        counts[period_key(complaint.opened_at, period, timezone)] += count
    checked = _volumes(volumes, period) if volumes is not None else None
    if checked is not None:
        keys = tuple(sorted(checked, key=lambda k: first_day(k, period)))
    elif periods is not None:
        keys = tuple(sorted(periods, key=lambda k: first_day(k, period)))
    elif counts:
        ordered = sorted(counts, key=lambda k: first_day(k, period))
        keys = period_range(ordered[0], ordered[-1], period)
    else:
        keys = ()
    if len(set(keys)) != len(keys):
        raise ValidationError.single("$.periods", "a period is listed twice")
    if baseline is None:
        baseline = len(keys)
    if keys and not 1 <= baseline <= len(keys):
        raise ValidationError.single(
            "$.baseline", f"expected from 1 to {len(keys)} baseline periods, got {baseline}"
        )
    base = keys[:baseline]
    points: list[ChartPoint] = []
    if checked is None:
        centre = sum(counts[k] for k in base) / len(base) if base else 0.0
        spread = 3 * math.sqrt(centre)
        for key in keys:
            points.append(
                ChartPoint(
                    key,
                    counts[key],
                    None,
                    float(counts[key]),
                    centre,
                    max(0.0, centre - spread),
                    centre + spread,
                )
            )
        chart = "c"
    else:
        rate = sum(counts[k] for k in base) / sum(checked[k] for k in base) if base else 0.0
        centre = rate * per
        for key in keys:
            spread = 3 * math.sqrt(rate / checked[key])
            points.append(
                ChartPoint(
                    key,
                    counts[key],
                    checked[key],
                    counts[key] / checked[key] * per,
                    centre,
                    max(0.0, rate - spread) * per,
                    (rate + spread) * per,
                )
            )
        chart = "u"
    method = control_chart_method(chart, per)
    return ControlChart(
        chart=chart,
        period=period,
        timezone=timezone,
        per=per if checked is not None else None,
        centre=centre,
        baseline=base,
        points=tuple(_with_signals(points)),
        method=method,
    )


def control_chart_method(chart: str, per: int | None, t: Translator = ENGLISH) -> str:
    """How a control chart is drawn, in ``t``'s language: ``chart`` is ``"c"`` (counts) or
    ``"u"`` (complaints per ``per`` requests). The English is the chart's ``method``; a report
    in another language words it again from the chart's ``chart`` and ``per``."""
    if chart == "c":
        method = t.gettext(
            "c-chart of complaint counts per period: centre = mean count over the baseline "
            "periods, limits = centre +/- 3 x sqrt(centre), lower limit floored at 0"
        )
    elif chart == "u":
        method = t.gettext(
            "u-chart of complaints per {per} requests: centre u = complaints / requests over "
            "the baseline periods; limits for a period with n requests = u +/- 3 x sqrt(u / n), "
            "lower limit floored at 0"
        ).format(per=per)
    else:
        raise ValueError(f"chart: expected 'c' or 'u', got {chart!r}")
    signals = t.gettext(
        "; signals: a point beyond a limit, {run} in a row on one side of the centre, "
        "{trend} in a row steadily rising or falling"
    )
    return method + signals.format(run=t.number(RUN_LENGTH), trend=t.number(TREND_LENGTH))


def _with_signals(points: list[ChartPoint]) -> list[ChartPoint]:
    """The points with the signal rules applied."""
    marked: list[ChartPoint] = []
    above = below = rising = falling = 0
    previous: float | None = None
    for point in points:
        signals: list[str] = []
        if point.value > point.upper:
            signals.append("above_upper_limit")
        if point.value < point.lower:
            signals.append("below_lower_limit")
        above = above + 1 if point.value > point.centre else 0
        below = below + 1 if point.value < point.centre else 0
        if above >= RUN_LENGTH:
            signals.append("run_above_centre")
        if below >= RUN_LENGTH:
            signals.append("run_below_centre")
        rising = rising + 1 if previous is not None and point.value > previous else 1
        falling = falling + 1 if previous is not None and point.value < previous else 1
        if rising >= TREND_LENGTH:
            signals.append("trend_up")
        if falling >= TREND_LENGTH:
            signals.append("trend_down")
        previous = point.value
        marked.append(
            ChartPoint(
                point.period,
                point.count,
                point.volume,
                point.value,
                point.centre,
                point.lower,
                point.upper,
                tuple(signals),
            )
        )
    return marked
