"""One stream of records, several consumers: each is handed the records meant for it in
batches, in order, so the store is read and decoded once and no record is held beyond a batch
(the rule engine's :meth:`~qse_customer.rules.CompiledRuleset.checking` takes them this way)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from ..core.record import Record

BATCH: Final = 512
"""Records handed to a consumer at a time."""


class Batched:
    """Records sent one by one, handed to ``feed`` :data:`BATCH` at a time."""

    __slots__ = ("_batch", "_feed")

    def __init__(self, feed: Callable[[list[Record]], None]) -> None:
        self._feed = feed
        self._batch: list[Record] = []

    def send(self, record: Record) -> None:
        """Hand ``record`` on (with the next full batch)."""
        batch = self._batch
        batch.append(record)
        if len(batch) >= BATCH:
            self._batch = []
            self._feed(batch)

    def flush(self) -> None:
        """Hand on the records still waiting (the stream has ended)."""
        if self._batch:
            batch, self._batch = self._batch, []
            self._feed(batch)
