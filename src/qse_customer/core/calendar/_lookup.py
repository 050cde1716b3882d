"""Counting a sorted table's entries at or before many values at once, by one gather each.

``numpy.searchsorted`` over a table of 1990-2100 takes about 16 dependent steps per value. A
lookup splits the table's range into buckets of ``2**shift`` seconds, no wider than the smallest
gap between two entries, so each bucket holds at most one entry. For each bucket it keeps one
int64 packing how many entries come before the bucket and where in the bucket its entry (if any)
lies, arranged so that for ``x`` seconds after the origin::

    count of entries <= origin + x  ==  (packed[x >> shift] + x) >> (shift + 1)

With ``base`` the entries before bucket ``i``, ``c`` the offset of its entry in the bucket
(``2**shift`` if none) and ``r`` the offset of ``x``, ``packed[i] + x`` is ``base * 2**(shift+1)
+ 2**(shift+1) - c + r``; the low part is in ``[2**shift, 2**(shift+2))`` and reaches
``2**(shift+1)`` exactly when ``r >= c``, so the shift adds one for the entry when ``x`` is at
or past it. The answers are exact integers: the same counts as ``searchsorted(side="right")``.

Tables whose entries come closer than ``2**MIN_SHIFT`` seconds, or whose range would need more
than ``MAX_BUCKETS`` buckets, get no lookup (``build_lookup`` returns None); they are searched.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

MAX_BUCKETS: Final = 1 << 19  # 4 MiB of int64: 2.3-hour buckets over 1990-2100
MAX_SHIFT: Final = 40  # keeps base * 2**(shift + 1) far inside int64


class Lookup:
    """Counts of a sorted table's entries at or before values in ``[origin, origin + span)``."""

    __slots__ = ("origin", "packed", "shift", "span")

    def __init__(self, origin: int, span: int, shift: int, packed: NDArray[np.int64]) -> None:
        self.origin = origin  # the first value answered for
        self.span = span  # values answered for: origin <= value < origin + span
        self.shift = shift  # buckets are 2**shift wide
        self.packed = packed  # one int64 per bucket, as the module describes

    @property
    def nbytes(self) -> int:
        """Memory held by the packed table."""
        return int(self.packed.nbytes)

    def count(self, offsets: NDArray[np.int64], out: NDArray[np.int64]) -> NDArray[np.int64]:
        """Entries <= ``origin + offsets`` (each offset in ``[0, span)``, unchecked), into
        ``out`` (the same length as ``offsets``, and not ``offsets`` itself)."""
        import numpy as np

        np.right_shift(offsets, self.shift, out=out)
        np.take(self.packed, out, out=out, mode="clip")
        out += offsets
        out >>= self.shift + 1
        return out

    def count_one(self, offset: int) -> int:
        """Entries <= ``origin + offset``, for one offset in ``[0, span)``."""
        return (int(self.packed[offset >> self.shift]) + offset) >> (self.shift + 1)


def build_lookup(entries: NDArray[np.int64], origin: int, span: int) -> Lookup | None:
    """A lookup over the ascending, distinct ``entries`` (whole seconds) for values in
    ``[origin, origin + span)``, or None where the table needs too many buckets."""
    import numpy as np

    shift = bucket_shift(entries, origin, span)
    buckets = ((span - 1) >> shift) + 1
    if span <= 0 or buckets > MAX_BUCKETS:
        return None
    starts = np.arange(buckets, dtype=np.int64) << shift
    base = np.searchsorted(entries, origin + starts, side="left").astype(np.int64)
    after = np.append(entries, np.iinfo(np.int64).max >> 2)[base]  # the first entry from each
    within = np.minimum(after - origin - starts, 1 << shift)  # its offset, 2**shift if none
    packed = (base << (shift + 1)) + (1 << (shift + 1)) - within - starts
    return Lookup(origin, span, shift, packed)


def bucket_shift(entries: NDArray[np.int64], origin: int, span: int) -> int:
    """The ``shift`` of a lookup over ``entries`` for ``[origin, origin + span)``: buckets as
    wide as a power of two allows without two entries in one."""
    import numpy as np

    inside = entries[(entries >= origin) & (entries < origin + span)]
    gap = int(np.diff(inside).min()) if inside.size > 1 else span
    return min(max(gap, 1).bit_length() - 1, MAX_SHIFT)
