"""Median and 90th percentile of elapsed times in bounded memory.

A sketch keeps the values themselves while there are at most ``EXACT_LIMIT`` (1,024) of them, and
its quantiles are then exact: linear interpolation between the two nearest ranks, the usual
definition (numpy's default, Hyndman and Fan type 7). Past that it moves every value into
logarithmic buckets, each 1% wider than the last, and keeps only a count per bucket; a quantile
is then the bucket's midpoint, within 0.5% of the exact value (relative error), whatever the number
of values. A sketch never holds more than 1,024 floats or one count per bucket in use (about 2,100
buckets span one second to a century), so memory does not grow with the number of records.
"""

from __future__ import annotations

import math
from array import array
from typing import Final

EXACT_LIMIT: Final = 1024
GAMMA: Final = 1.01
_LOG_GAMMA: Final = math.log(GAMMA)


def exact_quantile(ordered: list[float], q: float) -> float:
    """The ``q`` quantile of sorted values, interpolating linearly between ranks (type 7)."""
    position = (len(ordered) - 1) * q
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


class ElapsedSketch:
    """Elapsed times in seconds, for their median and 90th percentile (see the module doc)."""

    __slots__ = ("_buckets", "_values", "_zeros", "count")

    def __init__(self) -> None:
        self.count = 0
        self._values: array[float] | None = array("d")
        self._buckets: dict[int, int] = {}
        self._zeros = 0

    @property
    def exact(self) -> bool:
        """True while the quantiles are exact (at most ``EXACT_LIMIT`` values)."""
        return self._values is not None

    def add(self, seconds: float) -> None:
        """Record one elapsed time (negative values count as 0)."""
        self.count += 1
        values = self._values
        if values is not None:
            values.append(seconds if seconds > 0 else 0.0)
            if len(values) > EXACT_LIMIT:
                self._values = None
                for value in values:
                    self._bucket(value)
            return
        self._bucket(seconds)

    def add_many(self, seconds: list[float]) -> None:
        """Record several elapsed times: the same sketch as adding each in turn."""
        values = self._values
        if values is not None:
            if len(values) + len(seconds) <= EXACT_LIMIT:
                self.count += len(seconds)
                values.extend([value if value > 0 else 0.0 for value in seconds])
                return
            taken = EXACT_LIMIT + 1 - len(values)  # the value that moves them into buckets
            for value in seconds[:taken]:
                self.add(value)
            seconds = seconds[taken:]
        # Past the exact values: _bucket's arithmetic, inline (a call per value was most of it).
        buckets, log, ceil, zeros = self._buckets, math.log, math.ceil, 0
        for value in seconds:
            if value <= 0:
                zeros += 1
            else:
                index = ceil(log(value) / _LOG_GAMMA)
                buckets[index] = buckets.get(index, 0) + 1
        self._zeros += zeros
        self.count += len(seconds)

    def _bucket(self, seconds: float) -> None:
        if seconds <= 0:
            self._zeros += 1
            return
        index = math.ceil(math.log(seconds) / _LOG_GAMMA)
        self._buckets[index] = self._buckets.get(index, 0) + 1

    def quantile(self, q: float) -> float | None:
        """The ``q`` quantile (0 to 1) of the values, or None when there are none."""
        if self.count == 0:
            return None
        if self._values is not None:
            return exact_quantile(sorted(self._values), q)
        rank = q * (self.count - 1)
        seen = self._zeros
        if rank < seen:
            return 0.0
        for index in sorted(self._buckets):
            seen += self._buckets[index]
            if rank < seen:
                # The bucket holds (GAMMA**(index-1), GAMMA**index]; its midpoint in relative terms.
                return 2 * GAMMA**index / (GAMMA + 1)
        return 2 * GAMMA ** max(self._buckets) / (GAMMA + 1)
