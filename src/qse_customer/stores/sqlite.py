"""The ``sqlite:///path`` store: the embedded default, on the standard library's sqlite3.

- One row a record: the JSON of :func:`qse_customer.to_dict` with indexed columns for type, id,
  status and first-event time, plus the time of the last event (kept for queries of your own,
  not indexed: no query of the store filters on it).
- WAL mode: readers never block the writer or each other. Every write is one transaction;
  :meth:`SQLiteStore.append_event` reads, checks and writes inside ``BEGIN IMMEDIATE``, so two
  processes appending to one record both land, in turn, and neither event is lost.
- Writers take turns in the order they asked (:class:`WriterQueue`): SQLite's own wait for its
  write lock sleeps and retries, so a writer that has just committed takes the lock again before
  the sleepers wake, and one process could commit a thousand times while another committed none.
- Streams and pages read in keyset chunks (``WHERE (opened_at, id) > last ... LIMIT n``): memory
  stays flat, and no read transaction stays open between chunks, so a long stream never stops the
  WAL from being checkpointed nor sees its statement aborted by a write on the same connection.
- A file that is not SQLite, belongs to another program or has a newer schema is refused
  untouched (see :mod:`.sqlite_schema`).

URLs follow SQLAlchemy: ``sqlite:///lab.db`` is relative to the working directory,
``sqlite:////var/lib/lab.db`` is absolute, ``sqlite:///:memory:`` lives in memory. Options as a
query: ``?timeout=30`` (seconds to wait for another writer), ``?synchronous=normal`` (faster,
and durable against a crash of the process but not of the machine; the default ``full`` is
durable against both).
"""

from __future__ import annotations

import math
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from itertools import islice
from os import PathLike, fspath
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from ..core.errors import ValidationError
from ..core.record import Record
from ..core.redaction import redact_url
from ._documents import decode, dumps, seal
from ._sql import UPSERT_RECORD, SQLStoreBase, checked_sizes, evidence_of
from ._sqlite_schema import inspect_file, migrate
from .base import Change, Query, RawRecord, Stored, Writing, lab_clash, micros
from .errors import CorruptStoreError, StoredRecordError, StoreError
from .protocol import OnInvalid

try:
    import fcntl
except ImportError:  # Windows: writers wait in SQLite's own (unfair) way
    fcntl = None  # type: ignore[assignment]


SCHEME = "sqlite"
SYNCHRONOUS = ("off", "normal", "full", "extra")

_OPENED_AT = "SELECT opened_at FROM qse_records WHERE lab = ? AND type = ? AND id = ?"

# Rows read for a write: at most this many keys a query (SQLite's limit on parameters is far
# higher; this keeps statements short).
_READ_KEYS = 400


def _row(writing: Writing, lab: str) -> tuple[str, str, str, int, int, str, int, str, str]:
    record = writing.record
    document = dumps(writing.document)
    return (
        record.TYPE,
        record.id,
        record.status,
        micros(record.opened_at),
        micros(record.last_event_at),
        document,
        seal(document),
        writing.evidence.to_text(),
        lab,
    )


def _repeated(keys: list[tuple[str, str]]) -> set[tuple[str, str]]:
    """The keys that occur more than once in ``keys``."""
    if len(set(keys)) == len(keys):
        return set()
    seen: set[tuple[str, str]] = set()
    twice: set[tuple[str, str]] = set()
    for key in keys:
        if key in seen:
            twice.add(key)
        else:
            seen.add(key)
    return twice


def _same_file(fd: int, path: str) -> bool:
    """Whether the open file ``fd`` is the file now at ``path``."""
    try:
        there = os.stat(path, follow_symlinks=False)
    except FileNotFoundError:
        return False
    mine = os.fstat(fd)
    return (mine.st_dev, mine.st_ino) == (there.st_dev, there.st_ino)


class WriterQueue:
    """Writers to one SQLite file take turns in the order they asked, across processes and store
    objects: a writer waits at most for the transactions of the writers that asked before it.

    A ticket scheme on two kinds of small files beside the database, locked with ``flock`` (the
    kernel releases a lock when its process dies, so a killed writer never blocks the queue):
    ``FILE-queue`` holds the next ticket number (locked only to take one); each writer holds
    ``FILE-queue-N`` for its ticket N from taking it until it commits, and its successor waits
    for that lock. A folder the store cannot create files in, or a system without ``flock``,
    leaves the writers to SQLite's own wait: still one at a time, but in no order.

    A store that closes removes both files when no writer is in the queue (:meth:`clean_up`), as
    SQLite removes its ``-wal`` file when the last connection closes; the next writer starts the
    queue again. A writer that locked the queue file just as it was removed sees that the file
    it holds is no longer the one at the path, and takes the new one.
    """

    def __init__(self, path: str) -> None:
        self.path = f"{path}-queue"
        try:
            self._mode = os.stat(path).st_mode & 0o666  # as SQLite gives its -wal and -shm
        except OSError:
            self._mode = 0o644

    def _open(self, path: str, flags: int = 0) -> int:
        return os.open(path, os.O_RDWR | os.O_CLOEXEC | os.O_NOFOLLOW | flags, self._mode)

    @contextmanager
    def turn(self, timeout: float) -> Iterator[None]:
        """Wait for every writer that asked earlier (at most ``timeout`` seconds, then go on and
        let SQLite's lock decide), and hold the turn until the block ends."""
        if fcntl is None:
            yield
            return
        try:
            mine, before = self._take_ticket()
        except OSError:
            yield
            return
        try:
            if before is not None:
                self._wait_for(before, timeout)
            yield
        finally:
            os.close(mine)  # releases the turn: the next ticket's holder goes on

    def _locked_queue(self, *, wait: bool = True) -> int:
        """The queue file, opened (created if it is not there) and locked: the file now at the
        path, never one a closing store has just removed (``wait=False``: or BlockingIOError)."""
        while True:
            queue = self._open(self.path, os.O_CREAT)
            try:
                fcntl.flock(queue, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
                if _same_file(queue, self.path):
                    return queue
            except BaseException:
                os.close(queue)
                raise
            os.close(queue)  # removed while this writer waited for it: take the new one

    def _take_ticket(self) -> tuple[int, int | None]:
        """Take the next ticket: the locked file of this writer's turn, and that of the writer
        before it (None if it is gone)."""
        queue = self._locked_queue()
        try:
            text = os.pread(queue, 32, 0).strip()
            ticket = int(text) if text.isdigit() else 0
            mine = self._open(f"{self.path}-{ticket}", os.O_CREAT)
            try:
                fcntl.flock(mine, fcntl.LOCK_EX)  # new, or left by a writer that died: free
                os.pwrite(queue, f"{ticket + 1:<20d}\n".encode("ascii"), 0)
                before = self._predecessor(ticket)
            except BaseException:
                os.close(mine)
                raise
        finally:
            os.close(queue)  # and its lock
        return mine, before

    def _predecessor(self, ticket: int) -> int | None:
        """The file of the previous ticket, opened and its name removed (only this writer ever
        waits for it); None if there is none."""
        name = f"{self.path}-{ticket - 1}"
        try:
            before = self._open(name)
        except OSError:
            return None
        with suppress(OSError):
            os.unlink(name)
        return before

    def clean_up(self) -> None:
        """Remove the queue's files if no writer is in the queue: none taking a ticket, and the
        last ticket's writer done. Otherwise leave them to the writers still at work; never
        raises (a store that cannot tidy up still closes)."""
        if fcntl is None or not os.path.exists(self.path):
            return
        with suppress(OSError):  # BlockingIOError included: a writer is taking a ticket
            queue = self._locked_queue(wait=False)
            try:
                text = os.pread(queue, 32, 0).strip()
                last = f"{self.path}-{int(text) - 1 if text.isdigit() else -1}"
                if os.path.lexists(last):
                    held = self._open(last)
                    try:
                        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)  # its writer is done
                        os.unlink(last)
                    finally:
                        os.close(held)
                os.unlink(self.path)  # while locked: a writer waiting for it will see it gone
            finally:
                os.close(queue)

    def _wait_for(self, before: int, timeout: float) -> None:
        """Wait until the previous writer's turn ends (its lock is free), or ``timeout``."""
        deadline = time.monotonic() + timeout
        pause = 0.0001
        try:
            while True:
                try:
                    fcntl.flock(before, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    return
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        return
                    # Polled, not blocked on: a blocking flock cannot time out. One waiter polls
                    # each file, every half millisecond at most: a longer pause left the store
                    # idle between turns (a 2 ms pause cost 55% of the commits of 0.5 ms).
                    time.sleep(pause)
                    pause = min(pause * 2, 0.0005)
        finally:
            os.close(before)


class SQLiteStore(SQLStoreBase):
    """A store in one SQLite file (or in memory for ``":memory:"``).

    ``batch_size`` records go to the database per ``executemany``; ``chunk_size`` rows are read
    per query while streaming. One store object may be shared by threads (it serialises them);
    processes each open their own.
    """

    def __init__(
        self,
        path: str | PathLike[str],
        *,
        timeout: float = 30.0,
        synchronous: str = "full",
        batch_size: int = 1000,
        chunk_size: int = 1000,
        lab: str | None = None,
    ) -> None:
        super().__init__(lab=lab)
        self.path = fspath(path)
        self.where = f"sqlite:///{self.path}"
        timeout = checked_timeout(timeout)
        if synchronous not in SYNCHRONOUS:
            raise ValidationError.single(
                "$.synchronous", f"expected one of {', '.join(SYNCHRONOUS)}, got {synchronous!r}"
            )
        checked_sizes(batch_size=batch_size, chunk_size=chunk_size)
        self.batch_size = batch_size
        self.chunk_size = chunk_size
        self.timeout = timeout
        self._queue = WriterQueue(self.path) if self.path != ":memory:" else None
        self._lock = threading.RLock()
        # Refuses a foreign, damaged or newer file before writing to it.
        inspect_file(self.path, timeout=timeout)
        try:
            self._db = sqlite3.connect(
                self.path, timeout=timeout, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as error:
            raise StoreError(f"cannot open {self.where}: {error}") from error
        try:
            with self._errors():
                migrate(self._db, path=self.path)
                if self.path != ":memory:":
                    self._use_wal(timeout)
                self._db.execute(f"PRAGMA synchronous = {synchronous.upper()}")
                self._db.execute("PRAGMA foreign_keys = ON")
                self._home_lab = self._read_home_lab()
                # A text value read as a blob is its bytes as stored, without a copy in SQLite:
                # the UTF-8 bytes in a file of UTF-8 text (a file can keep its text in UTF-16).
                if self._db.execute("PRAGMA encoding").fetchone()[0] == "UTF-8":
                    self.document_bytes = "CAST(document AS BLOB)"
        except BaseException:
            self._db.close()
            raise

    def _read_home_lab(self) -> str | None:
        return self._stored_home_lab(self._db)

    @staticmethod
    def _stored_home_lab(db: sqlite3.Connection) -> str | None:
        row = db.execute("SELECT value FROM qse_settings WHERE name = 'home_lab'").fetchone()
        return None if row is None else str(row[0])

    def _set_home_lab(self, lab: str) -> int:
        """Name the home lab: the default lab's rows become that lab's, their documents
        unchanged (see :func:`~qse_customer.stores.labs.migrate_to_lab`); how many moved."""
        with self._transaction() as db:
            clashes = db.execute(
                "SELECT a.type, a.id FROM qse_records AS a JOIN qse_records AS b "
                "ON b.type = a.type AND b.id = a.id WHERE a.lab = '' AND b.lab = ? "
                "ORDER BY a.type, a.id LIMIT 5",
                (lab,),
            ).fetchall()
            if clashes:
                raise lab_clash(self.where, lab, [(str(t), str(i)) for t, i in clashes])
            moved = db.execute("UPDATE qse_records SET lab = ? WHERE lab = ''", (lab,)).rowcount
            # The outbox too (its deliveries follow, ON UPDATE CASCADE); a notification the lab
            # has recorded already stays as it is.
            db.execute(
                "DELETE FROM qse_notifications WHERE lab = '' "
                "AND key IN (SELECT key FROM qse_notifications WHERE lab = ?)",
                (lab,),
            )
            db.execute("UPDATE qse_notifications SET lab = ? WHERE lab = ''", (lab,))
            db.execute(
                "INSERT INTO qse_settings (name, value) VALUES ('home_lab', ?) "
                "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                (lab,),
            )
        self._home_lab = lab
        return int(moved)

    def _use_wal(self, timeout: float) -> None:
        """Put the file in WAL mode (it stays so), waiting up to ``timeout`` for other openers."""
        if self._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal":
            return
        deadline = time.monotonic() + timeout
        while True:
            # SQLite answers "locked" at once, without its busy wait, when another connection
            # is opening the same new file: so wait here.
            try:
                self._db.execute("PRAGMA journal_mode = WAL")
                return
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) or time.monotonic() > deadline:
                    raise
                time.sleep(0.005)

    @contextmanager
    def _errors(self) -> Iterator[None]:
        """Turn sqlite3's errors into the library's, naming this store."""
        try:
            yield
        except sqlite3.OperationalError as error:
            text = str(error)
            if "locked" in text or "busy" in text:
                raise StoreError(
                    f"{self.where} stayed locked by another writer longer than the timeout; "
                    "retry, or open the store with a longer ?timeout="
                ) from error
            raise StoreError(f"{self.where}: {text}") from error
        except sqlite3.DatabaseError as error:
            raise CorruptStoreError(
                f"{self.where} is damaged ({error}); restore it from a backup"
            ) from error

    @contextmanager
    def _turn(self) -> Iterator[None]:
        """This store's turn among the writers of its file (see :class:`WriterQueue`)."""
        if self._queue is None:
            yield
        else:
            with self._queue.turn(self.timeout):
                yield

    def _fetch(self, sql: str, params: Sequence[object]) -> list[tuple[Any, ...]]:
        with self._lock, self._errors():
            rows: list[tuple[Any, ...]] = self._db.execute(sql, params).fetchall()
        return rows

    def _document_text(self, document: bytes) -> str:
        try:
            return document.decode("utf-8")
        except UnicodeDecodeError:
            # Not UTF-8: read as text, the document fails as a page of text would fail (the
            # same error, naming the column).
            self._fetch("SELECT CAST(? AS TEXT) AS document", (document,))
            raise

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock, self._errors(), self._turn():
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    # -- records ----------------------------------------------------------------------------

    def _apply(
        self, items: Iterable[Any], key: Callable[[Any], tuple[str, str]], change: Change
    ) -> None:
        iterator = iter(items)
        with self._transaction() as db:
            self._check_home_lab(self._stored_home_lab(db))
            while batch := list(islice(iterator, self.batch_size)):
                keys = [key(item) for item in batch]
                stored = self._stored(db, keys)
                # Each writing becomes its row at once, and its record and document go (a batch
                # holds rows, not objects for the garbage collector to walk), but for a record
                # written more than once in the batch: each writing chains from the one before,
                # and its row holds the last one, in the place of its first.
                repeated = _repeated(keys)
                rows: dict[tuple[str, str], tuple[Any, ...]] = {}
                lab = self.lab_key
                for item, item_key in zip(batch, keys, strict=True):
                    writing = change(item, stored.get(item_key))
                    if writing is not None:
                        rows[item_key] = _row(writing, lab)
                        if item_key in repeated:
                            # Kept: a later writing of the record in the batch encodes only its
                            # new events.
                            stored[item_key] = Stored(
                                writing.record, writing.evidence, writing.document
                            )
                if rows:
                    db.executemany(UPSERT_RECORD, list(rows.values()))

    def _stored(
        self, db: sqlite3.Connection, keys: list[tuple[str, str]]
    ) -> dict[tuple[str, str], Stored]:
        """What is stored under ``keys`` (those that exist), inside the write transaction."""
        found: dict[tuple[str, str], Stored] = {}
        by_type: dict[str, list[str]] = {}
        for tag, record_id in dict.fromkeys(keys):
            by_type.setdefault(tag, []).append(record_id)
        for tag, ids in by_type.items():
            for start in range(0, len(ids), _READ_KEYS):
                chunk = ids[start : start + _READ_KEYS]
                marks = ", ".join("?" * len(chunk))
                rows = db.execute(
                    "SELECT id, document, seal, evidence FROM qse_records "
                    f"WHERE lab = ? AND type = ? AND id IN ({marks})",
                    (self.lab_key, tag, *chunk),
                ).fetchall()
                for record_id, document, stored_seal, evidence in rows:
                    record = decode(tag, record_id, document, stored_seal, self.where)
                    found[(tag, record_id)] = Stored(record, evidence_of(evidence))
        return found

    def _raw(self) -> Iterator[RawRecord]:
        after: tuple[str, str] = ("", "")
        while True:
            self._check_open()
            with self._lock, self._errors():
                rows = self._db.execute(
                    "SELECT type, id, document, evidence, seal FROM qse_records "
                    "WHERE lab = ? AND (type, id) > (?, ?) ORDER BY type, id LIMIT ?",
                    (self.lab_key, *after, self.chunk_size),
                ).fetchall()
            if not rows:
                return
            for tag, record_id, document, evidence, stored_seal in rows:
                yield RawRecord(tag, record_id, document, evidence, seal(document) == stored_seal)
            after = (rows[-1][0], rows[-1][1])

    def _delete(self, tag: str, id: str) -> bool:
        with self._transaction() as db:
            self._check_home_lab(self._stored_home_lab(db))
            cursor = db.execute(
                "DELETE FROM qse_records WHERE lab = ? AND type = ? AND id = ?",
                (self.lab_key, tag, id),
            )
            return cursor.rowcount > 0

    def _iterate(self, tag: str, on_invalid: OnInvalid | None) -> Iterator[Record]:
        # One generator between the caller and the records: the pages' generator is resumed
        # once a page, not once a record.
        return self._decode_pages(tag, self._pages(tag), on_invalid)

    def _pages(self, tag: str) -> Iterator[list[tuple[str, str | bytes, int]]]:
        """The rows of ``tag``'s records in keyset chunks of :attr:`chunk_size`, each read
        when the one before has been decoded (no read transaction open between them).

        A row's first-event time is read for the last row of a full page only (the next
        page's position), in the page's own read transaction, so the two agree whatever is
        written meanwhile."""
        query = Query(tag, None, None, None, None, self.chunk_size)
        after: tuple[int, str] | None = None
        while True:
            self._check_open()
            size = self.chunk_size
            with self._lock, self._errors():
                # A stream read while this connection writes (a save_many fed by a stream of
                # the same store) is already inside that write's transaction.
                own = not self._db.in_transaction
                if own:
                    self._db.execute("BEGIN")
                try:
                    rows = self._select(query, after, size)
                    if len(rows) == size:
                        last_id = rows[-1][0]
                        (opened,) = self._db.execute(
                            _OPENED_AT, (self.lab_key, tag, last_id)
                        ).fetchone()
                finally:
                    if own:
                        self._db.execute("COMMIT")
            if not rows:
                return
            yield rows
            if len(rows) < size:
                return
            after = (opened, last_id)

    # -- maintenance ------------------------------------------------------------------------

    def verify(self) -> list[StoredRecordError]:
        """Check the whole file (SQLite's integrity check), then every record in full, its
        document and its hash chain (see :meth:`StoreBase.verify`); re-seal the valid ones.

        Rows sealed under an older record model are validated in full on every read (slow)
        until re-sealed: run it once after upgrading qse-customer. Raises
        :class:`CorruptStoreError` if SQLite's integrity check fails.
        """
        self._check_open()
        with self._lock, self._errors():
            problems = [row[0] for row in self._db.execute("PRAGMA integrity_check")]
        if problems != ["ok"]:
            raise CorruptStoreError(
                f"{self.where} failed SQLite's integrity check: {'; '.join(problems[:5])}; "
                "restore it from a backup"
            )
        invalid = super().verify()
        bad = {(error.record_type, error.record_id) for error in invalid}
        stale: list[tuple[int, str, str]] = []
        with self._lock, self._errors():
            rows = self._db.execute(
                "SELECT type, id, document, seal FROM qse_records WHERE lab = ?", (self.lab_key,)
            )
            for tag, record_id, document, stored_seal in rows:
                fresh = seal(document)
                if fresh != stored_seal and (tag, record_id) not in bad:
                    stale.append((fresh, tag, record_id))
        if stale:
            with self._transaction() as db:
                db.executemany(
                    "UPDATE qse_records SET seal = ? WHERE lab = ? AND type = ? AND id = ?",
                    [(fresh, self.lab_key, tag, record_id) for fresh, tag, record_id in stale],
                )
        return invalid

    def _close(self) -> None:
        with self._lock:
            self._db.close()
            if self._queue is not None:
                self._queue.clean_up()


def parse_sqlite_url(url: str) -> tuple[str, dict[str, str]]:
    """The path and the options of an ``sqlite:///`` URL."""
    try:
        parts = urlsplit(url)
    except ValueError:
        parts = None
    if parts is None or parts.scheme != SCHEME or parts.netloc or not parts.path.startswith("/"):
        raise ValidationError.single(
            "$.url",
            f"expected sqlite:///relative/path.db, sqlite:////absolute/path.db or "
            f"sqlite:///:memory:, got {redact_url(url)!r}",
        )
    path = unquote(parts.path[1:])
    if not path:
        raise ValidationError.single("$.url", f"the URL {redact_url(url)!r} names no database file")
    return path, dict(parse_qsl(parts.query, keep_blank_values=True))


MAX_TIMEOUT = 86_400.0
"""The longest ``?timeout=`` (seconds) an SQLite URL may ask to wait for another writer."""


def checked_timeout(value: object, path: str = "$.timeout") -> float:
    """A wait for another writer in seconds (a number, or the text of ``?timeout=``): finite,
    from 0 to :data:`MAX_TIMEOUT`; anything else is refused naming ``path``."""
    allowed = f"expected a number of seconds from 0 to {MAX_TIMEOUT:g}"
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValidationError.single(path, f"{allowed}, got {type(value).__name__}")
    try:
        timeout = float(value)
    except (ValueError, OverflowError):
        raise ValidationError.single(path, f"{allowed}, got {value!r}") from None
    if not math.isfinite(timeout) or not 0 <= timeout <= MAX_TIMEOUT:
        raise ValidationError.single(path, f"{allowed}, got {value!r}")
    return timeout


def open_sqlite_store(url: str, *, lab: str | None = None) -> SQLiteStore:
    """An :class:`SQLiteStore` from its URL (see the module's documentation for the options),
    for ``lab`` (None: the default lab)."""
    path, options = parse_sqlite_url(url)
    unknown = sorted(set(options) - {"timeout", "synchronous"})
    if unknown:
        raise ValidationError.single(
            "$.url",
            f"unknown option(s) {', '.join(unknown)}; expected timeout or synchronous",
        )
    timeout = checked_timeout(options.get("timeout", 30.0), "$.url.timeout")
    return SQLiteStore(
        path, timeout=timeout, synchronous=options.get("synchronous", "full"), lab=lab
    )
