"""The ``memory://`` store: records in a dictionary, for tests, examples and short-lived jobs.

Records are immutable, so the store keeps the objects themselves. Every operation holds one lock,
so threads may share a store; nothing survives the process. It is the model the stateful contract
test checks every other store against.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime

from ..core.errors import ValidationError
from ..core.record import Record
from ..core.redaction import redact_url
from .errors import RecordNotFoundError
from .markers import hookimpl
from .notification import Notification
from .store import Delivery, OnInvalid, StoreFactory
from .store_base import Query, StoreBase, sort_key

SCHEME = "memory"


class MemoryStore(StoreBase):
    """A store in memory (``memory://``); each one starts empty."""

    where = "memory://"

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.RLock()
        self._records: dict[str, dict[str, Record]] = {}
        self._notifications: dict[str, Notification] = {}
        self._deliveries: dict[tuple[str, str], datetime | None] = {}

    def _write(self, records: Iterable[Record]) -> int:
        with self._lock:
            # Staged first, so an error in the middle of ``records`` writes nothing.
            staged = list(records)
            for record in staged:
                self._records.setdefault(record.TYPE, {})[record.id] = record
            return len(staged)

    def _read(self, tag: str, id: str) -> Record | None:
        with self._lock:
            return self._records.get(tag, {}).get(id)

    def _update(self, tag: str, id: str, change: Callable[[Record], Record]) -> Record:
        with self._lock:
            current = self._records.get(tag, {}).get(id)
            if current is None:
                raise RecordNotFoundError(tag, id)
            new = change(current)
            self._records[tag][id] = new
            return new

    def _delete(self, tag: str, id: str) -> bool:
        with self._lock:
            return self._records.get(tag, {}).pop(id, None) is not None

    def _sorted(self, tag: str) -> list[Record]:
        with self._lock:
            return sorted(self._records.get(tag, {}).values(), key=sort_key)

    def _page(self, query: Query, on_invalid: OnInvalid | None) -> list[Record]:
        found = [record for record in self._sorted(query.tag) if query.matches(record)]
        return found[: query.limit]

    def _iterate(self, tag: str, on_invalid: OnInvalid | None) -> Iterator[Record]:
        # A snapshot of references: the records themselves are shared, not copied.
        return iter(self._sorted(tag))

    def _count(self, tag: str, status: str | None) -> int:
        with self._lock:
            records = self._records.get(tag, {}).values()
            if status is None:
                return len(records)
            return sum(1 for record in records if record.status == status)

    def _add_notifications(
        self, notifications: list[Notification], notifiers: tuple[str, ...]
    ) -> list[Notification]:
        with self._lock:
            new = [n for n in notifications if n.key not in self._notifications]
            for notification in new:
                self._notifications[notification.key] = notification
                for notifier in notifiers:
                    self._deliveries[(notification.key, notifier)] = None
            return new

    def _pending(self) -> list[Delivery]:
        with self._lock:
            return [
                Delivery(self._notifications[key], notifier)
                for (key, notifier), done in self._deliveries.items()
                if done is None
            ]

    def _mark_delivered(self, key: str, notifier: str, at: datetime) -> None:
        with self._lock:
            if (key, notifier) not in self._deliveries:
                raise ValidationError.single(
                    "$.key", f"no notification {key!r} pending for notifier {notifier!r}"
                )
            self._deliveries[(key, notifier)] = at

    def _has_notification(self, key: str) -> bool:
        with self._lock:
            return key in self._notifications


def open_memory_store(url: str) -> MemoryStore:
    """A new, empty memory store; ``url`` must be ``memory://`` (it takes no path)."""
    if url.rstrip("/") != "memory:":
        raise ValidationError.single(
            "$.url",
            f"a memory store takes no path or options: use 'memory://', not {redact_url(url)!r}",
        )
    return MemoryStore()


@hookimpl(trylast=True)
def qse_storage_backends() -> Mapping[str, StoreFactory]:
    """The built-in ``memory://`` store (an installed plugin claiming ``memory`` wins)."""
    return {SCHEME: open_memory_store}
