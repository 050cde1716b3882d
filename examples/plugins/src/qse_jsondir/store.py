"""A store of JSON files in a folder: ``<folder>/<record type>/<record id>.json``, each holding the
record's document and the evidence of its hash chain.

It subclasses qse-customer's ``StoreBase``, so it only implements the primitive operations (the
history rules, stamping, corrections, erasure and the hash chain come with the base). Every
operation holds an exclusive ``flock`` on ``<folder>/.lock`` (threads and processes alike), and
every file is written to a temporary name and renamed into place, so a reader never sees half a
file and two writers never lose each other's events.
"""

from __future__ import annotations

import fcntl
import json
import os
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from qse_customer import Record, ValidationError, from_dict
from qse_customer.core.evidence import Evidence
from qse_customer.notifiers import Notification
from qse_customer.stores import Delivery, OnInvalid, StoreBase, StoredRecordError
from qse_customer.stores.base import Change, Query, RawRecord, Stored, Writing, sort_key

SCHEME = "jsondir"
OUTBOX = "_outbox.json"


class JsonDirStore(StoreBase):
    """Records as JSON files under ``folder``."""

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        super().__init__()
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.url = f"{SCHEME}://{self.folder}"
        self.where = self.url
        self._threads = threading.Lock()

    @contextmanager
    def _locked(self) -> Iterator[None]:
        with self._threads, (self.folder / ".lock").open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _path(self, tag: str, id: str) -> Path:
        return self.folder / tag / f"{quote(id, safe='')}.json"

    def _write_file(self, path: Path, text: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)

    def _read_file(self, path: Path) -> dict[str, Any]:
        content: dict[str, Any] = json.loads(path.read_text("utf-8"))
        return content

    def _load_file(self, tag: str, path: Path) -> Record:
        record_id = unquote(path.stem)
        try:
            record: Record = from_dict(self._read_file(path)["document"])
        except ValidationError as error:
            raise StoredRecordError(tag, record_id, error.errors, where=self.where) from error
        except (ValueError, KeyError, TypeError) as error:
            raise StoredRecordError(tag, record_id, [], where=self.where) from error
        return record

    def _stored(self, tag: str, path: Path) -> Stored:
        evidence = self._read_file(path).get("evidence")
        return Stored(
            self._load_file(tag, path), None if evidence is None else Evidence.from_json(evidence)
        )

    # -- records ----------------------------------------------------------------------------

    def _apply(
        self, items: Iterable[Any], key: Callable[[Any], tuple[str, str]], change: Change
    ) -> None:
        with self._locked():
            # Everything is decided before any file is written: an error writes nothing.
            staged: dict[tuple[str, str], Writing] = {}
            for item in items:
                tag, record_id = key(item)
                path = self._path(tag, record_id)
                earlier = staged.get((tag, record_id))
                if earlier is not None:
                    stored: Stored | None = Stored(earlier.record, earlier.evidence)
                else:
                    stored = self._stored(tag, path) if path.exists() else None
                writing = change(item, stored)
                if writing is not None:
                    staged[(tag, record_id)] = writing
            for (tag, record_id), writing in staged.items():
                content = {"document": writing.document, "evidence": writing.evidence.to_json()}
                self._write_file(self._path(tag, record_id), json.dumps(content))

    def _read(self, tag: str, id: str) -> Record | None:
        path = self._path(tag, id)
        with self._locked():
            return self._load_file(tag, path) if path.exists() else None

    def _raw(self) -> Iterator[RawRecord]:
        with self._locked():
            paths = sorted(self.folder.glob("*/*.json"))
        for path in paths:
            content = self._read_file(path)
            evidence = content.get("evidence")
            yield RawRecord(
                path.parent.name,
                unquote(path.stem),
                json.dumps(content.get("document")),
                None if evidence is None else json.dumps(evidence),
            )

    def _delete(self, tag: str, id: str) -> bool:
        path = self._path(tag, id)
        with self._locked():
            if not path.exists():
                return False
            path.unlink()
            return True

    def _all(self, tag: str, on_invalid: OnInvalid | None) -> list[Record]:
        found: list[Record] = []
        with self._locked():
            for path in sorted((self.folder / tag).glob("*.json")):
                try:
                    found.append(self._load_file(tag, path))
                except StoredRecordError as error:
                    if on_invalid is None:
                        raise
                    on_invalid(error)
        return sorted(found, key=sort_key)

    def _page(self, query: Query, on_invalid: OnInvalid | None) -> list[Record]:
        return [r for r in self._all(query.tag, on_invalid) if query.matches(r)][: query.limit]

    def _iterate(self, tag: str, on_invalid: OnInvalid | None) -> Iterator[Record]:
        return iter(self._all(tag, on_invalid))

    def _count(self, tag: str, status: str | None) -> int:
        return sum(1 for r in self._all(tag, None) if status is None or r.status == status)

    # -- the notification outbox ------------------------------------------------------------

    def _outbox(self) -> dict[str, Any]:
        path = self.folder / OUTBOX
        if not path.exists():
            return {"notifications": [], "deliveries": []}
        outbox: dict[str, Any] = json.loads(path.read_text("utf-8"))
        return outbox

    def _add_notifications(
        self, notifications: list[Notification], notifiers: tuple[str, ...]
    ) -> list[Notification]:
        with self._locked():
            outbox = self._outbox()
            known = {n["key"] for n in outbox["notifications"]}
            new = [n for n in notifications if n.key not in known]
            for notification in new:
                outbox["notifications"].append(notification.to_dict())
                outbox["deliveries"].extend([notification.key, name, None] for name in notifiers)
            self._write_file(self.folder / OUTBOX, json.dumps(outbox))
        return new

    def _pending(self) -> list[Delivery]:
        with self._locked():
            outbox = self._outbox()
        by_key = {n["key"]: Notification.from_dict(n) for n in outbox["notifications"]}
        order = list(by_key)
        pending = [(key, name) for key, name, done in outbox["deliveries"] if done is None]
        pending.sort(key=lambda pair: (order.index(pair[0]), pair[1]))
        return [Delivery(by_key[key], name) for key, name in pending]

    def _mark_delivered(self, key: str, notifier: str, at: datetime) -> None:
        with self._locked():
            outbox = self._outbox()
            for delivery in outbox["deliveries"]:
                if delivery[0] == key and delivery[1] == notifier:
                    delivery[2] = at.isoformat()
                    break
            else:
                raise ValidationError.single(
                    "$.key", f"no notification {key!r} pending for notifier {notifier!r}"
                )
            self._write_file(self.folder / OUTBOX, json.dumps(outbox))

    def _has_notification(self, key: str) -> bool:
        with self._locked():
            return any(n["key"] == key for n in self._outbox()["notifications"])


def open_jsondir_store(url: str) -> JsonDirStore:
    """A :class:`JsonDirStore` from ``jsondir://<folder>``."""
    folder = url.split("://", 1)[1]
    if not folder:
        raise ValidationError.single("$.url", f"{url!r} names no folder: use jsondir://<folder>")
    return JsonDirStore(unquote(folder))
