"""One stream of records, several readers: each reader (a rule engine's ``check``, which pulls its
records) runs in its own thread and is handed the records meant for it in small batches, so the
records are read and decoded once and never held beyond a few batches.

The readers only take turns with the thread that reads the store (the interpreter runs one at a
time): this saves reading the store again, not time on other cores. Each reader sees exactly the
records sent to it, in order, so its result is the one it would give over a list of them.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Final, Generic, TypeVar

from ..core.record import Record

T = TypeVar("T")

BATCH: Final = 512
"""Records handed to a reader at a time."""

_DEPTH: Final = 4
"""Batches that may wait for a reader before the stream waits for it."""

_END: Final = object()
_ABORT: Final = object()


class _Aborted(Exception):
    """The stream stopped with an error: a reader stops without a result."""


class Reader(Generic[T]):
    """One reader of the shared stream, in its own thread: ``read(records)`` returns its result."""

    def __init__(self, read: Callable[[Iterable[Record]], T], name: str) -> None:
        self._read = read
        self._queue: queue.Queue[Any] = queue.Queue(_DEPTH)
        self._batch: list[Record] = []
        self._result: T | None = None
        self._error: BaseException | None = None
        self._ended = False
        self._done = False
        self._thread = threading.Thread(target=self._run, name=f"qse-reader-{name}", daemon=True)
        self._thread.start()

    def _records(self) -> Iterator[Record]:
        while True:
            batch = self._queue.get()
            if batch is _END or batch is _ABORT:
                self._ended = True
                if batch is _ABORT:
                    raise _Aborted
                return
            yield from batch

    def _run(self) -> None:
        try:
            self._result = self._read(self._records())
        except _Aborted:
            return
        except BaseException as error:
            self._error = error
        # A reader that stopped early (an error, or it needed no more) drains the stream, so
        # the thread reading the store is never left waiting for it.
        while not self._ended:
            batch = self._queue.get()
            self._ended = batch is _END or batch is _ABORT

    def send(self, record: Record) -> None:
        """Hand ``record`` to the reader (in a batch)."""
        batch = self._batch
        batch.append(record)
        if len(batch) >= BATCH:
            self._queue.put(batch)
            self._batch = []

    def finish(self) -> T:
        """Tell the reader the stream has ended and return its result (or raise its error)."""
        if self._batch:
            self._queue.put(self._batch)
            self._batch = []
        self._queue.put(_END)
        self._thread.join()
        self._done = True
        if self._error is not None:
            raise self._error
        assert self._thread.is_alive() is False
        return self._result  # type: ignore[return-value]

    def abort(self) -> None:
        """Stop the reader without a result (the stream failed); nothing once it has finished."""
        if self._done:
            return
        self._batch = []
        self._queue.put(_ABORT)
        self._thread.join()
        self._done = True


class Readers:
    """The readers of one stream: on leaving the ``with`` block with an error, every reader that
    has not finished is stopped, so no thread is left waiting for records."""

    def __init__(self) -> None:
        self.started: list[Reader[Any]] = []

    def start(self, read: Callable[[Iterable[Record]], T], name: str) -> Reader[T]:
        """A new reader running ``read`` over the records sent to it."""
        reader = Reader(read, name)
        self.started.append(reader)
        return reader

    def __enter__(self) -> Readers:
        return self

    def __exit__(self, kind: object, error: BaseException | None, trace: object) -> None:
        if error is not None:
            for reader in self.started:
                reader.abort()
