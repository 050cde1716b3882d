"""The ``memory://`` store: records in a dictionary, for tests, examples and short-lived jobs.

Records are immutable, so the store keeps the objects themselves. Every operation holds one lock,
so threads may share a store; nothing survives the process. It is the model the stateful contract
test checks every other store against.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import Any

from ..core.errors import ValidationError
from ..core.evidence import Evidence
from ..core.record import Record
from ..core.redaction import redact_url
from ..notifiers.notification import Notification
from ._documents import dumps, unstructure
from .base import Change, Query, RawRecord, StoreBase, Stored, lab_clash, sort_key
from .protocol import Delivery, OnInvalid

SCHEME = "memory"


class _Data:
    """What the store objects of one memory store share: the records of every lab (by lab,
    as :attr:`StoreBase.lab_key` names it), the outbox, the home lab, and one lock."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.records: dict[str, dict[str, dict[str, Record]]] = {}
        self.evidence: dict[tuple[str, str, str], Evidence] = {}
        self.notifications: dict[str, dict[str, Notification]] = {}
        self.deliveries: dict[str, dict[tuple[str, str], datetime | None]] = {}
        self.home_lab: str | None = None


class MemoryStore(StoreBase):
    """A store in memory (``memory://``); each one starts empty. ``lab``: see
    :attr:`StoreBase.lab`; :meth:`for_lab` opens another store object on the same records."""

    where = "memory://"

    def __init__(self, *, lab: str | None = None, _data: _Data | None = None) -> None:
        super().__init__(lab=lab)
        self._data = _Data() if _data is None else _data
        self._lock = self._data.lock

    def for_lab(self, lab: str | None) -> MemoryStore:
        """Another store object on the same records, for ``lab`` (None: the default lab)."""
        return MemoryStore(lab=lab, _data=self._data)

    @property
    def home_lab(self) -> str | None:
        """The lab a record with no ``lab`` of its own belongs to (None: the default lab)."""
        return self._data.home_lab

    @property
    def _notifications(self) -> dict[str, Notification]:
        """The outbox of this store object's lab: its notifications by key."""
        return self._data.notifications.setdefault(self.lab_key, {})

    @property
    def _deliveries(self) -> dict[tuple[str, str], datetime | None]:
        """The outbox of this store object's lab: each (key, notifier) and when delivered."""
        return self._data.deliveries.setdefault(self.lab_key, {})

    @property
    def _records(self) -> dict[str, dict[str, Record]]:
        """The records of this store object's lab, by type and id."""
        return self._data.records.setdefault(self.lab_key, {})

    def _set_home_lab(self, lab: str) -> int:
        """Name the home lab: the default lab's records become that lab's (see
        :func:`~qse_customer.stores.labs.migrate_to_lab`); how many moved."""
        with self._lock:
            data = self._data
            default = data.records.get("", {})
            target = data.records.get(lab, {})
            clashes = sorted(
                (tag, record_id)
                for tag, records in default.items()
                for record_id in records
                if record_id in target.get(tag, {})
            )
            if clashes:
                raise lab_clash(self.where, lab, clashes)
            default = data.records.pop("", {})
            target = data.records.setdefault(lab, {})
            for tag, records in default.items():
                target.setdefault(tag, {}).update(records)
            for key, tag, record_id in [k for k in data.evidence if k[0] == ""]:
                data.evidence[(lab, tag, record_id)] = data.evidence.pop((key, tag, record_id))
            # The outbox too; a notification the lab has recorded already stays as it is.
            notifications = data.notifications.setdefault(lab, {})
            deliveries = data.deliveries.setdefault(lab, {})
            moved = set()
            for key, notification in data.notifications.pop("", {}).items():
                if key not in notifications:
                    notifications[key] = notification
                    moved.add(key)
            for (key, notifier), done in data.deliveries.pop("", {}).items():
                if key in moved:
                    deliveries[(key, notifier)] = done
            data.home_lab = lab
            return sum(len(records) for records in default.values())

    def _apply(
        self, items: Iterable[Any], key: Callable[[Any], tuple[str, str]], change: Change
    ) -> None:
        with self._lock:
            lab = self.lab_key
            # Staged first, so an error in the middle of ``items`` writes nothing.
            staged: dict[tuple[str, str], Stored] = {}
            for item in items:
                tag, record_id = key(item)
                stored = staged.get((tag, record_id))
                if stored is None:
                    record = self._records.get(tag, {}).get(record_id)
                    if record is not None:
                        stored = Stored(record, self._data.evidence.get((lab, tag, record_id)))
                writing = change(item, stored)
                if writing is not None:
                    staged[(tag, record_id)] = Stored(writing.record, writing.evidence)
            for (tag, record_id), stored in staged.items():
                self._records.setdefault(tag, {})[record_id] = stored.record
                assert stored.evidence is not None
                self._data.evidence[(lab, tag, record_id)] = stored.evidence

    def _read(self, tag: str, id: str) -> Record | None:
        with self._lock:
            return self._records.get(tag, {}).get(id)

    def _raw(self) -> Iterator[RawRecord]:
        with self._lock:
            lab = self.lab_key
            snapshot = [
                (record, self._data.evidence.get((lab, tag, record_id)))
                for tag, records in self._records.items()
                for record_id, record in records.items()
            ]
        for record, evidence in snapshot:
            yield RawRecord(
                record.TYPE,
                record.id,
                dumps(unstructure(record)),
                None if evidence is None else json.dumps(evidence.to_json()),
            )

    def _delete(self, tag: str, id: str) -> bool:
        with self._lock:
            self._data.evidence.pop((self.lab_key, tag, id), None)
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


def open_memory_store(url: str, *, lab: str | None = None) -> MemoryStore:
    """A new, empty memory store (for ``lab``); ``url`` must be ``memory://`` (no path)."""
    if url.rstrip("/") != "memory:":
        raise ValidationError.single(
            "$.url",
            f"a memory store takes no path or options: use 'memory://', not {redact_url(url)!r}",
        )
    return MemoryStore(lab=lab)
