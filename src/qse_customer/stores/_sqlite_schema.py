"""The SQLite store's schema: its versions, the migrations between them, and how a file is
recognised as a qse-customer store (or refused, untouched, when it is not one).

A store file carries ``PRAGMA application_id`` = :data:`APPLICATION_ID` and ``PRAGMA
user_version`` = its schema version; the table ``qse_schema_migrations`` records when each
migration was applied. Migrations run in order, each in its own ``BEGIN IMMEDIATE`` transaction,
so a crash or a second process opening the same new file at the same moment never leaves a half-
migrated schema.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

from attrs import frozen

from ..core.evidence import seal
from .errors import CorruptStoreError, ForeignStoreError, StoreVersionError

APPLICATION_ID = 0x51534543  # "QSEC"
SQLITE_HEADER = b"SQLite format 3\x00"


@frozen
class Migration:
    """One step of the schema: ``version`` is the schema version after it; ``step`` runs after
    the statements, in the same transaction (for what SQL alone cannot compute)."""

    version: int
    description: str
    statements: tuple[str, ...]
    step: Callable[[sqlite3.Connection], None] | None = None


def _chain_existing(connection: sqlite3.Connection) -> None:
    """Give every stored record its hash chain, as it stands (its events unstamped)."""
    rows = connection.execute("SELECT type, id, document FROM qse_records").fetchall()
    updates = []
    for tag, record_id, document in rows:
        try:
            evidence = seal(json.loads(document), None, os.urandom)
        except Exception:
            continue  # not a document the chain can cover: verify() reports the record
        updates.append((evidence.to_text(), tag, record_id))
    connection.executemany("UPDATE qse_records SET evidence = ? WHERE type = ? AND id = ?", updates)


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "records, indexed by type, id, status and first-event time",
        (
            f"PRAGMA application_id = {APPLICATION_ID}",
            """CREATE TABLE qse_schema_migrations (
                version INTEGER PRIMARY KEY,
                description TEXT NOT NULL,
                applied_at TEXT NOT NULL
            )""",
            """CREATE TABLE qse_records (
                type TEXT NOT NULL,
                id TEXT NOT NULL,
                status TEXT NOT NULL,
                opened_at INTEGER NOT NULL,
                last_event_at INTEGER NOT NULL,
                document TEXT NOT NULL,
                seal INTEGER NOT NULL,
                PRIMARY KEY (type, id)
            )""",
            "CREATE INDEX qse_records_by_time ON qse_records (type, opened_at, id)",
            "CREATE INDEX qse_records_by_status ON qse_records (type, status, opened_at, id)",
        ),
    ),
    Migration(
        2,
        "notification outbox: each notification once, its delivery to each notifier",
        (
            """CREATE TABLE qse_notifications (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                key TEXT NOT NULL UNIQUE,
                document TEXT NOT NULL,
                recorded_at TEXT NOT NULL
            )""",
            """CREATE TABLE qse_deliveries (
                key TEXT NOT NULL REFERENCES qse_notifications (key) ON DELETE CASCADE,
                notifier TEXT NOT NULL,
                delivered_at TEXT,
                PRIMARY KEY (key, notifier)
            )""",
            "CREATE INDEX qse_deliveries_pending ON qse_deliveries (key) "
            "WHERE delivered_at IS NULL",
        ),
    ),
    Migration(
        3,
        "evidence: the hash chain of each record (docs/audit.md); events stored before it have "
        "no recorded_at",
        ("ALTER TABLE qse_records ADD COLUMN evidence TEXT",),
        _chain_existing,
    ),
    Migration(
        4,
        "labs: each record's lab ('' for the default lab) in its key and indexes; the store's "
        "settings (its home lab, docs/labs.md)",
        (
            """CREATE TABLE qse_records_v4 (
                type TEXT NOT NULL,
                id TEXT NOT NULL,
                status TEXT NOT NULL,
                opened_at INTEGER NOT NULL,
                last_event_at INTEGER NOT NULL,
                document TEXT NOT NULL,
                seal INTEGER NOT NULL,
                evidence TEXT,
                lab TEXT NOT NULL DEFAULT '',
                PRIMARY KEY (lab, type, id)
            )""",
            "INSERT INTO qse_records_v4 "
            "(type, id, status, opened_at, last_event_at, document, seal, evidence, lab) "
            "SELECT type, id, status, opened_at, last_event_at, document, seal, evidence, '' "
            "FROM qse_records",
            "DROP TABLE qse_records",
            "ALTER TABLE qse_records_v4 RENAME TO qse_records",
            "CREATE INDEX qse_records_by_time ON qse_records (lab, type, opened_at, id)",
            "CREATE INDEX qse_records_by_status ON qse_records (lab, type, status, opened_at, id)",
            """CREATE TABLE qse_settings (
                name TEXT PRIMARY KEY,
                value TEXT NOT NULL
            )""",
            # The outbox per lab too: keys are unique within a lab.
            """CREATE TABLE qse_notifications_v4 (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                key TEXT NOT NULL,
                document TEXT NOT NULL,
                recorded_at TEXT NOT NULL,
                lab TEXT NOT NULL DEFAULT '',
                UNIQUE (lab, key)
            )""",
            """CREATE TABLE qse_deliveries_v4 (
                key TEXT NOT NULL,
                notifier TEXT NOT NULL,
                delivered_at TEXT,
                lab TEXT NOT NULL DEFAULT '',
                PRIMARY KEY (lab, key, notifier),
                FOREIGN KEY (lab, key) REFERENCES qse_notifications (lab, key)
                    ON DELETE CASCADE ON UPDATE CASCADE
            )""",
            "INSERT INTO qse_notifications_v4 (seq, key, document, recorded_at) "
            "SELECT seq, key, document, recorded_at FROM qse_notifications",
            "INSERT INTO qse_deliveries_v4 (key, notifier, delivered_at) "
            "SELECT key, notifier, delivered_at FROM qse_deliveries",
            "DROP TABLE qse_deliveries",
            "DROP TABLE qse_notifications",
            "ALTER TABLE qse_notifications_v4 RENAME TO qse_notifications",
            "ALTER TABLE qse_deliveries_v4 RENAME TO qse_deliveries",
            "CREATE INDEX qse_deliveries_pending ON qse_deliveries (lab, key) "
            "WHERE delivered_at IS NULL",
        ),
    ),
)

LATEST_VERSION = MIGRATIONS[-1].version


def _facts(connection: sqlite3.Connection) -> tuple[int, int, list[str]]:
    application_id = connection.execute("PRAGMA application_id").fetchone()[0]
    version = connection.execute("PRAGMA user_version").fetchone()[0]
    tables = [
        row[0]
        for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
        )
    ]
    return int(application_id), int(version), tables


def _verdict(path: str, application_id: int, version: int, tables: list[str]) -> int | None:
    """The schema version of an SQLite database that is ours (None if it is empty), or the
    error that says why it is not."""
    if application_id == 0 and not tables:
        return None
    if application_id != APPLICATION_ID or "qse_schema_migrations" not in tables:
        shown = ", ".join(tables[:5]) + (", ..." if len(tables) > 5 else "")
        raise ForeignStoreError(
            f"{path!r} is an SQLite database of another program (application id "
            f"{application_id:#x}, tables: {shown or 'none'}), not a qse-customer store; it was "
            "left untouched: give a new path or the path of a qse-customer store"
        )
    if version > LATEST_VERSION:
        raise StoreVersionError(
            f"{path!r} has store schema version {version}, newer than the {LATEST_VERSION} this "
            "qse-customer knows; it was left untouched: upgrade qse-customer to open it"
        )
    return version


def inspect_file(path: str, *, timeout: float = 30.0) -> int | None:
    """The schema version of the store at ``path``, or None for a new or empty file.

    Refuses, without writing a byte (not even SQLite's companion files): a file that is not
    SQLite or is damaged (:class:`CorruptStoreError`), an SQLite database of another program
    (:class:`ForeignStoreError`), and a store of a newer schema (:class:`StoreVersionError`).
    :func:`migrate` checks the same again inside its transaction, where it is authoritative.
    ``timeout`` is how long to wait for another process's write when a second look is needed.
    """
    if path == ":memory:":
        return None
    file = Path(path)
    if not file.exists() or (file.is_file() and file.stat().st_size == 0):
        return None
    if not file.is_file():
        raise CorruptStoreError(f"{path!r} is not a file; give the path of a store file")
    _read_header(path)
    where = quote(os.path.abspath(path))
    try:
        # Read-only and immutable: no lock and no companion file, whatever the file is.
        try:
            facts = _facts_of(f"file:{where}?mode=ro&immutable=1", path, timeout)
        except sqlite3.OperationalError as error:
            raise _damaged(path, error) from error
        return _verdict(path, *facts)
    except (CorruptStoreError, ForeignStoreError, StoreVersionError) as refusal:
        # Read without locks, a file that another process is writing at that moment (another
        # opener creating the same new store) can look damaged or foreign: look again, through
        # SQLite's locks where that creates no file, else once the writers have gone.
        wal = _read_header(path)[18] == 2
        busy = Path(f"{path}-wal").exists() and Path(f"{path}-shm").exists()
        again = f"file:{where}?mode=ro" + ("&immutable=1" if wal and not busy else "")
        try:
            facts = _facts_of(again, path, timeout)
        except sqlite3.OperationalError:
            raise refusal from None  # locked for too long, or a journal to roll back: as seen
    return _verdict(path, *facts)


def _read_header(path: str) -> bytes:
    """The first 100 bytes of the SQLite file at ``path``; refused if they are not SQLite's."""
    with Path(path).open("rb") as handle:
        header = handle.read(100)
    if len(header) < 100 or not header.startswith(SQLITE_HEADER):
        raise CorruptStoreError(
            f"{path!r} is not an SQLite database (its first bytes are {header[:16]!r}); it was "
            "left untouched: give the path of a qse-customer store, or restore it from a backup"
        )
    return header


def _facts_of(uri: str, path: str, timeout: float) -> tuple[int, int, list[str]]:
    """:func:`_facts` of the database at ``uri``, read in one transaction; a damaged file is
    refused, and ``sqlite3.OperationalError`` (locks, journals) is left to the caller."""
    try:
        connection = sqlite3.connect(uri, uri=True, timeout=timeout, isolation_level=None)
    except sqlite3.Error as error:
        raise CorruptStoreError(f"cannot open {path!r} as an SQLite database: {error}") from error
    try:
        connection.execute("BEGIN")
        return _facts(connection)
    except sqlite3.OperationalError:
        raise  # locked, or unreadable here: the caller decides what that means
    except sqlite3.DatabaseError as error:
        raise _damaged(path, error) from error
    finally:
        connection.close()


def _damaged(path: str, error: sqlite3.Error) -> CorruptStoreError:
    """The refusal of a file SQLite finds damaged."""
    return CorruptStoreError(
        f"{path!r} is a damaged SQLite database ({error}); it was left untouched: restore it "
        "from a backup"
    )


def migrate(
    connection: sqlite3.Connection, *, path: str = "the database", target: int = LATEST_VERSION
) -> list[int]:
    """Apply every migration up to ``target`` not yet applied, in order; return their versions.

    Each runs in its own ``BEGIN IMMEDIATE`` transaction, which first checks again that the
    database is ours. ``connection`` must be in autocommit mode (``isolation_level=None``).
    """
    applied: list[int] = []
    # One read transaction: read one statement at a time, another process's migration could
    # commit between them, and half of its result would look like another program's database.
    connection.execute("BEGIN")
    try:
        facts = _facts(connection)
    finally:
        connection.execute("COMMIT")
    current = _verdict(path, *facts)
    if current is not None and current >= target:
        return applied  # nothing to do: no need to wait for the write lock
    for migration in MIGRATIONS:
        if migration.version > target:
            break
        connection.execute("BEGIN IMMEDIATE")
        try:
            current = _verdict(path, *_facts(connection)) or 0
            if current >= migration.version:
                connection.execute("ROLLBACK")
                continue
            for statement in migration.statements:
                connection.execute(statement)
            if migration.step is not None:
                migration.step(connection)
            connection.execute(
                "INSERT INTO qse_schema_migrations (version, description, applied_at) "
                "VALUES (?, ?, ?)",
                (migration.version, migration.description, datetime.now(UTC).isoformat()),
            )
            connection.execute(f"PRAGMA user_version = {migration.version}")
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        applied.append(migration.version)
    return applied
