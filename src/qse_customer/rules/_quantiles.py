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
from collections import Counter
from typing import Any, Final

from ._clock_batch import numpy_module

EXACT_LIMIT: Final = 1024
GAMMA: Final = 1.01
_LOG_GAMMA: Final = math.log(GAMMA)
PENDING_LIMIT: Final = 1 << 16
"""Bucket indices a sketch fed arrays holds before it counts them (512 KiB)."""
_NEAR: Final = 1e-6
"""A bucket position this close to a whole number is worked out again with ``math.log`` (numpy's
logarithm is within a few units in the last place of it: about 1e-13 of a position)."""


def exact_quantile(ordered: list[float], q: float) -> float:
    """The ``q`` quantile of sorted values, interpolating linearly between ranks (type 7)."""
    position = (len(ordered) - 1) * q
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


BucketCounts = tuple[int, Counter[int]]
"""Elapsed times counted as a sketch counts them: how many are 0 or less, how many in each
bucket."""


def bucket_counts(seconds: list[float]) -> BucketCounts:
    """``seconds`` counted per bucket, with ``math.log`` as :meth:`ElapsedSketch.add` does."""
    log, ceil = math.log, math.ceil
    positive = [value for value in seconds if value > 0]
    indices = Counter([ceil(log(value) / _LOG_GAMMA) for value in positive])
    return len(seconds) - len(positive), indices


class ElapsedSketch:
    """Elapsed times in seconds, for their median and 90th percentile (see the module doc)."""

    __slots__ = ("_buckets", "_pending", "_pending_size", "_values", "_zeros", "count")

    def __init__(self) -> None:
        self.count = 0
        self._values: array[float] | None = array("d")
        self._buckets: dict[int, int] = {}
        self._zeros = 0
        # Bucket indices (numpy arrays) from add_array, counted into _buckets when the buckets
        # are read or when they hold PENDING_LIMIT indices (see buckets()).
        self._pending: list[Any] = []
        self._pending_size = 0

    def buckets(self) -> dict[int, int]:
        """The count of values in each bucket in use (bucket ``i`` holds the values in
        ``(GAMMA**(i-1), GAMMA**i]``; values of 0 or less are counted apart)."""
        if self._pending:
            self._count_pending()
        return self._buckets

    def _count_pending(self) -> None:
        np = numpy_module()
        pending = self._pending
        indices = pending[0] if len(pending) == 1 else np.concatenate(pending)
        self._pending = []
        self._pending_size = 0
        found, numbers = np.unique(indices, return_counts=True)
        buckets = self._buckets
        for index, number in zip(found.tolist(), numbers.tolist(), strict=True):
            buckets[index] = buckets.get(index, 0) + number

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

    def add_many(self, seconds: list[float], counted: BucketCounts | None = None) -> None:
        """Record several elapsed times: the same sketch as adding each in turn. ``counted``:
        their :func:`bucket_counts`, when the caller has them (several sketches fed the same
        values take the logarithms once)."""
        values = self._values
        if values is not None:
            if len(values) + len(seconds) <= EXACT_LIMIT:
                self.count += len(seconds)
                values.extend([value if value > 0 else 0.0 for value in seconds])
                return
            # One at a time, the value past the limit would move them all into buckets (a
            # value kept as 0.0 falls in the zeros, as a value of 0 or less does).
            self._values = None
            self.count -= len(values)
            seconds = [*values, *seconds]
            counted = None
        # _bucket's arithmetic over every value, the buckets counted at once.
        zeros, numbers = counted if counted is not None else bucket_counts(seconds)
        self._zeros += zeros
        self.count += len(seconds)
        buckets = self._buckets
        for index, number in numbers.items():
            buckets[index] = buckets.get(index, 0) + number

    def add_array(self, seconds: Any) -> None:
        """:meth:`add_many` of a numpy array of elapsed times (no NaN): the same sketch, with
        the buckets' logarithms taken by numpy. numpy's logarithm may differ from ``math.log``
        in the last bits, which moves a value to another bucket only when its bucket position
        is within that of a whole number: those few are placed with ``math.log`` as
        :meth:`add` places them."""
        np = numpy_module()
        n = len(seconds)
        if not n:
            return
        values = self._values
        if values is not None:
            kept = np.where(seconds > 0, seconds, 0.0).astype(np.float64)
            if len(values) + n <= EXACT_LIMIT:
                self.count += n
                values.frombytes(kept.tobytes())
                return
            # Past the limit every value moves into buckets (see add_many).
            self._values = None
            self.count -= len(values)
            seconds = np.concatenate((np.frombuffer(values, dtype=np.float64), kept))
            n = len(seconds)
        positive = seconds[seconds > 0]
        self._zeros += n - len(positive)
        self.count += n
        if not len(positive):
            return
        position = np.log(positive) / _LOG_GAMMA
        indices = np.ceil(position)
        near = np.flatnonzero(np.abs(position - np.rint(position)) < _NEAR)
        if len(near):
            log, ceil = math.log, math.ceil
            for at, value in zip(near.tolist(), positive[near].tolist(), strict=True):
                indices[at] = ceil(log(value) / _LOG_GAMMA)
        # Counted later, many batches at once (one np.unique and one loop over the buckets).
        self._pending.append(indices.astype(np.int64))
        self._pending_size += len(indices)
        if self._pending_size >= PENDING_LIMIT:
            self._count_pending()

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
        buckets = self.buckets()
        for index in sorted(buckets):
            seen += buckets[index]
            if rank < seen:
                # The bucket holds (GAMMA**(index-1), GAMMA**index]; its midpoint in relative terms.
                return 2 * GAMMA**index / (GAMMA + 1)
        return 2 * GAMMA ** max(buckets) / (GAMMA + 1)
