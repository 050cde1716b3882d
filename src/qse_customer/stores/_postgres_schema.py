"""The PostgreSQL store's schema: its versions, the migrations between them, and how a database
schema is recognised as a qse-customer store (or refused, untouched, when it is not one).

A store lives in one PostgreSQL schema (``public`` unless the URL says ``?schema=``). Its table
``qse_schema_migrations`` carries the comment :data:`MARKER` and one row per applied migration;
the highest version is the store's schema version. Migrations run in order, each in its own
transaction holding a transaction-level advisory lock on the schema's name, so two processes
opening a new store at once apply each migration once, and a crash (or a killed process) part-way
leaves the previous version: PostgreSQL's DDL is transactional.

Version 4 adds each record's lab to its key, row-level security that shows a connection the
rows of the lab in its setting ``qse.lab`` only, and the store's settings (its home lab).

Version 3 adds each record's evidence (its hash chain, :mod:`qse_customer.core.evidence`), chains
the records already stored as they stand (their events have no ``recorded_at``), and adds the
table of key locks writers hold while they read and write records (see
:mod:`.postgres_store`).
"""

from __future__ import annotations

import json
import os
import re
import zlib
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from attrs import frozen

from ..core.errors import ValidationError
from ..core.evidence import seal
from .errors import CorruptStoreError, ForeignStoreError, StoreVersionError

if TYPE_CHECKING:
    from psycopg import Connection

_SCHEMA_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")

MARKER = "qse-customer store"
"""The comment on ``qse_schema_migrations`` that says the schema is a qse-customer store."""


@frozen
class Migration:
    """One step of the schema: ``version`` is the schema version after it; ``tables`` are the
    tables it creates (a store that lacks one of them is damaged); ``step`` runs after the
    statements, in the same transaction (for what SQL alone cannot compute)."""

    version: int
    description: str
    statements: tuple[str, ...]
    tables: tuple[str, ...] = ()
    step: Callable[[Connection[Any]], None] | None = None


# Rows chained per round trip by migration 3.
_CHAIN_CHUNK = 2000


def _chain_existing(connection: Connection[Any]) -> None:
    """Give every stored record its hash chain, as it stands (its events unstamped): rows read
    through a server-side cursor, chunk by chunk, the evidence copied into a temporary table and
    written in one statement (memory stays flat however many records there are)."""
    with connection.cursor() as cursor:
        cursor.execute(
            'CREATE TEMPORARY TABLE qse_chained (type text COLLATE "C", id text COLLATE "C", '
            "evidence text) ON COMMIT DROP"
        )
        with connection.cursor(name="qse_chain_existing") as rows:
            rows.execute(
                "SELECT type, id, coalesce(document::text, document_text) FROM qse_records"
            )
            while chunk := rows.fetchmany(_CHAIN_CHUNK):
                chained = []
                for tag, record_id, document in chunk:
                    try:
                        evidence = seal(json.loads(document), None, os.urandom)
                    except Exception:
                        continue  # not a document the chain can cover: verify() reports it
                    text = evidence.to_text()
                    chained.append((tag, record_id, text))
                with cursor.copy("COPY qse_chained (type, id, evidence) FROM STDIN") as copy:
                    for row in chained:
                        copy.write_row(row)
        cursor.execute(
            "UPDATE qse_records AS r SET evidence = c.evidence::jsonb FROM qse_chained AS c "
            "WHERE r.type = c.type AND r.id = c.id"
        )


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "records as JSONB, indexed by type, id, status and first-event time",
        (
            """CREATE TABLE qse_schema_migrations (
                version integer PRIMARY KEY,
                description text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )""",
            f"COMMENT ON TABLE qse_schema_migrations IS '{MARKER}'",
            # Ids and types compare byte by byte (code point order), as Python compares strings,
            # whatever the database's collation: pages and streams come in the same order
            # from every store. ``document`` is NULL only for the rare record JSONB cannot hold
            # (a U+0000 character, a lone surrogate, a float written with an exponent), which
            # is kept exactly in ``document_text`` instead.
            """CREATE TABLE qse_records (
                type text COLLATE "C" NOT NULL,
                id text COLLATE "C" NOT NULL,
                status text COLLATE "C" NOT NULL,
                opened_at bigint NOT NULL,
                last_event_at bigint NOT NULL,
                document jsonb,
                document_text text,
                seal integer NOT NULL,
                PRIMARY KEY (type, id),
                CHECK ((document IS NULL) <> (document_text IS NULL))
            )""",
            "CREATE INDEX qse_records_by_time ON qse_records (type, opened_at, id)",
            "CREATE INDEX qse_records_by_status ON qse_records (type, status, opened_at, id)",
        ),
        ("qse_schema_migrations", "qse_records"),
    ),
    Migration(
        2,
        "notification outbox: each notification once, its delivery to each notifier",
        (
            """CREATE TABLE qse_notifications (
                seq bigserial PRIMARY KEY,
                key text COLLATE "C" NOT NULL UNIQUE,
                document text NOT NULL,
                recorded_at timestamptz NOT NULL
            )""",
            """CREATE TABLE qse_deliveries (
                key text COLLATE "C" NOT NULL
                    REFERENCES qse_notifications (key) ON DELETE CASCADE,
                notifier text COLLATE "C" NOT NULL,
                delivered_at timestamptz,
                PRIMARY KEY (key, notifier)
            )""",
            "CREATE INDEX qse_deliveries_pending ON qse_deliveries (key) "
            "WHERE delivered_at IS NULL",
        ),
        ("qse_notifications", "qse_deliveries"),
    ),
    Migration(
        3,
        "evidence: the hash chain of each record (docs/audit.md), events stored before it have "
        "no recorded_at; the key locks of writers",
        (
            "ALTER TABLE qse_records ADD COLUMN evidence jsonb",
            # A writer inserts a row here for each record it is about to read and write, and
            # deletes it before committing: a second writer of the same record waits on the
            # first one's uncommitted row, whether the record exists yet or not (a row lock
            # cannot lock a record that does not exist, and advisory locks run out of shared
            # memory at a few thousand a transaction). Unlogged: nothing in it outlives a
            # transaction, so there is nothing to recover after a crash.
            """CREATE UNLOGGED TABLE qse_record_locks (
                type text COLLATE "C" NOT NULL,
                id text COLLATE "C" NOT NULL,
                holder bigint NOT NULL,
                PRIMARY KEY (type, id)
            )""",
            "CREATE INDEX qse_record_locks_by_holder ON qse_record_locks (holder)",
        ),
        ("qse_record_locks",),
        _chain_existing,
    ),
    Migration(
        4,
        "labs: each record's lab ('' for the default lab) in its key and indexes, rows of other "
        "labs hidden by row-level security on the setting qse.lab; the store's settings (its "
        "home lab, docs/labs.md)",
        (
            """ALTER TABLE qse_records ADD COLUMN lab text COLLATE "C" NOT NULL DEFAULT ''""",
            "ALTER TABLE qse_records DROP CONSTRAINT qse_records_pkey",
            "ALTER TABLE qse_records ADD PRIMARY KEY (lab, type, id)",
            "DROP INDEX qse_records_by_time",
            "CREATE INDEX qse_records_by_time ON qse_records (lab, type, opened_at, id)",
            "DROP INDEX qse_records_by_status",
            "CREATE INDEX qse_records_by_status ON qse_records (lab, type, status, opened_at, id)",
            # The store sets qse.lab on each of its connections; a connection that never set it
            # sees no record at all. Forced, so the tables' owner is held to it too (only a
            # superuser or a role with BYPASSRLS is not).
            "ALTER TABLE qse_records ENABLE ROW LEVEL SECURITY",
            "ALTER TABLE qse_records FORCE ROW LEVEL SECURITY",
            "CREATE POLICY qse_records_of_the_lab ON qse_records "
            "USING (lab = current_setting('qse.lab', true)) "
            "WITH CHECK (lab = current_setting('qse.lab', true))",
            """CREATE TABLE qse_settings (
                name text COLLATE "C" PRIMARY KEY,
                value text NOT NULL
            )""",
            # The outbox per lab too: keys are unique within a lab, and each table shows a
            # connection its lab's rows only.
            """ALTER TABLE qse_notifications ADD COLUMN lab text COLLATE "C" NOT NULL DEFAULT ''""",
            """ALTER TABLE qse_deliveries ADD COLUMN lab text COLLATE "C" NOT NULL DEFAULT ''""",
            "ALTER TABLE qse_deliveries DROP CONSTRAINT qse_deliveries_key_fkey",
            "ALTER TABLE qse_deliveries DROP CONSTRAINT qse_deliveries_pkey",
            "ALTER TABLE qse_notifications DROP CONSTRAINT qse_notifications_key_key",
            "ALTER TABLE qse_notifications ADD UNIQUE (lab, key)",
            "ALTER TABLE qse_deliveries ADD PRIMARY KEY (lab, key, notifier)",
            "ALTER TABLE qse_deliveries ADD FOREIGN KEY (lab, key) "
            "REFERENCES qse_notifications (lab, key) ON DELETE CASCADE ON UPDATE CASCADE",
            "DROP INDEX qse_deliveries_pending",
            "CREATE INDEX qse_deliveries_pending ON qse_deliveries (lab, key) "
            "WHERE delivered_at IS NULL",
            "ALTER TABLE qse_notifications ENABLE ROW LEVEL SECURITY",
            "ALTER TABLE qse_notifications FORCE ROW LEVEL SECURITY",
            "CREATE POLICY qse_notifications_of_the_lab ON qse_notifications "
            "USING (lab = current_setting('qse.lab', true)) "
            "WITH CHECK (lab = current_setting('qse.lab', true))",
            "ALTER TABLE qse_deliveries ENABLE ROW LEVEL SECURITY",
            "ALTER TABLE qse_deliveries FORCE ROW LEVEL SECURITY",
            "CREATE POLICY qse_deliveries_of_the_lab ON qse_deliveries "
            "USING (lab = current_setting('qse.lab', true)) "
            "WITH CHECK (lab = current_setting('qse.lab', true))",
        ),
        ("qse_settings",),
    ),
)

LATEST_VERSION = MIGRATIONS[-1].version


def checked_schema(name: object) -> str:
    """``name`` if it is a plain PostgreSQL schema name (lower case letters, digits and ``_``,
    at most 63 characters, not starting with a digit or ``pg_``); refused clearly otherwise."""
    if not isinstance(name, str) or not _SCHEMA_NAME.fullmatch(name) or name.startswith("pg_"):
        raise ValidationError.single(
            "$.schema",
            "expected a schema name of lower case letters, digits and _ (at most 63, not "
            f"starting with a digit or pg_), got {name!r}",
        )
    return name


def lock_key(schema: str) -> int:
    """The advisory lock that serialises migrations of ``schema`` (a signed 64-bit key)."""
    return zlib.crc32(f"qse_customer:{schema}".encode()) - (1 << 31)


def _facts(connection: Connection[Any], schema: str) -> tuple[list[str], str | None, int | None]:
    """The tables of ``schema``, the comment on its migrations table and its schema version."""
    tables = [
        row[0]
        for row in connection.execute(
            "SELECT c.relname FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND c.relkind IN ('r', 'p', 'v', 'm', 'f') ORDER BY c.relname",
            (schema,),
        )
    ]
    if "qse_schema_migrations" not in tables:
        return tables, None, None
    comment_row = connection.execute(
        "SELECT obj_description(c.oid, 'pg_class') FROM pg_class AS c "
        "JOIN pg_namespace AS n ON n.oid = c.relnamespace "
        "WHERE n.nspname = %s AND c.relname = 'qse_schema_migrations'",
        (schema,),
    ).fetchone()
    comment = comment_row[0] if comment_row is not None else None
    if comment != MARKER:
        return tables, comment, None
    version_row = connection.execute(
        f'SELECT max(version) FROM "{schema}".qse_schema_migrations'
    ).fetchone()
    version = version_row[0] if version_row is not None else None
    return tables, comment, version


def _verdict(
    where: str, schema: str, tables: Sequence[str], comment: str | None, version: int | None
) -> int | None:
    """The schema version of a store that is ours (None if the schema is empty or absent), or
    the error that says why it is not."""
    if not tables:
        return None
    if comment != MARKER or version is None:
        shown = ", ".join(tables[:5]) + (", ..." if len(tables) > 5 else "")
        raise ForeignStoreError(
            f"the schema {schema!r} of {where} holds tables of another program ({shown}), not a "
            "qse-customer store; it was left untouched: give another schema with ?schema=name "
            "or the URL of a qse-customer store"
        )
    if version > LATEST_VERSION:
        raise StoreVersionError(
            f"the schema {schema!r} of {where} has store schema version {version}, newer than "
            f"the {LATEST_VERSION} this qse-customer knows; it was left untouched: upgrade "
            "qse-customer to open it"
        )
    missing = [
        table
        for migration in MIGRATIONS
        if migration.version <= version
        for table in migration.tables
        if table not in tables
    ]
    if missing:
        raise CorruptStoreError(
            f"the schema {schema!r} of {where} is a qse-customer store of version {version} "
            f"without its table(s) {', '.join(missing)}; it was left untouched: restore it from "
            "a backup"
        )
    return version


def inspect_schema(connection: Connection[Any], schema: str, *, where: str) -> int | None:
    """The version of the store in ``schema``, or None for a new (absent or empty) schema.

    Refuses, without writing anything: a schema holding another program's tables
    (:class:`ForeignStoreError`), a store of a newer version (:class:`StoreVersionError`) and a
    store missing its tables (:class:`CorruptStoreError`).
    """
    return _verdict(where, schema, *_facts(connection, schema))


def migrate(
    connection: Connection[Any],
    schema: str,
    *,
    where: str = "the database",
    target: int = LATEST_VERSION,
) -> list[int]:
    """Apply every migration up to ``target`` not yet applied, in order; return their versions.

    ``connection`` must be in autocommit mode with ``schema`` first on its ``search_path``;
    each migration runs in its own transaction, which takes the schema's advisory lock and then
    checks again that the schema is ours and what its version is.
    """
    applied: list[int] = []
    # One snapshot: read one statement at a time, another process's migration could commit
    # between them, and the store would look as if it had lost tables.
    with connection.transaction():
        connection.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        current = inspect_schema(connection, schema, where=where)
    if current is not None and current >= target:
        return applied  # nothing to do: no lock taken, nothing written
    for migration in MIGRATIONS:
        if migration.version > target:
            break
        with connection.transaction():
            connection.execute("SELECT pg_advisory_xact_lock(%s)", (lock_key(schema),))
            current = inspect_schema(connection, schema, where=where) or 0
            if current >= migration.version:
                continue
            if current == 0:
                connection.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
            for statement in migration.statements:
                connection.execute(statement)
            if migration.step is not None:
                migration.step(connection)
            connection.execute(
                "INSERT INTO qse_schema_migrations (version, description) VALUES (%s, %s)",
                (migration.version, migration.description),
            )
        applied.append(migration.version)
    return applied
