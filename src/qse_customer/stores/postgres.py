"""The ``postgresql://`` store: records in PostgreSQL, for labs (and vendors hosting many labs)
whose application runs in several processes or on several machines.

Needs psycopg 3: ``pip install 'qse-customer[postgres]'``. It is imported when a store is opened,
so the rest of the package works without it.

- One row a record in ``qse_records``: the document of :func:`qse_customer.to_dict` as JSONB,
  with indexed columns for type, id, status and first-event time (microseconds since 1970, so
  paging cursors compare exactly). Ids sort byte by byte (``COLLATE "C"``), as in every store.
- Each document is sealed (:mod:`.documents`) over the text PostgreSQL prints for it, so a
  record read back skips the validation its seal proves it passed; a row edited by hand is
  validated in full and one that fails raises :class:`StoredRecordError` naming it.
- Beside each record, its evidence (the hash chain of :mod:`qse_customer.core.evidence`) as
  JSONB; :meth:`PostgresStore.verify` recomputes every chain.
- Every write (``save``, ``save_many``, ``append_event``, ``correct``, ``erase``, ``delete``)
  first takes a *key lock* on each record it touches: a row of ``qse_record_locks``, inserted in
  key order and deleted just before the commit. A second writer of the same record waits on the
  first one's uncommitted row until it commits, then reads what it wrote, whether the record
  existed before or not (``SELECT ... FOR UPDATE`` cannot lock a row that does not exist yet;
  advisory locks run out of shared memory at a few thousand a transaction, and a ``save_many``
  may write a million records). Then it reads the stored records of the batch in one query (also
  ``FOR UPDATE``, against writers that bypass the store), checks and chains the new events, and
  writes. So no event is ever lost or overwritten, writers of different records never wait for
  each other, and writers of the same records never wait in a circle within a batch of
  ``batch_size`` records. A ``save_many`` of more records holds its locks batch after batch: two
  such calls over the same records in different orders can wait in a circle, which PostgreSQL
  detects, failing one of them with :class:`StoreError` (nothing written: retry it).
- Streams read through a server-side cursor on a connection of their own, in a read-only
  ``REPEATABLE READ`` transaction: ``chunk_size`` rows in memory at a time, one consistent
  snapshot, and writes on the store while a stream is open are not disturbed by it.
- A schema holding another program's tables, a store of a newer schema version or a store
  missing its tables is refused untouched (see :mod:`.postgres_schema`).

URLs are libpq's (``postgresql://user:password@host:5432/dbname?sslmode=require``); every query
option is passed on to libpq except ``schema=`` (the PostgreSQL schema the store lives in,
``public`` by default), which the store takes for itself.
"""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from itertools import islice
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from ..core.errors import ValidationError
from ..core.record import Record
from ..core.redaction import redact_url, scrub, secrets_in
from ._documents import decode, decode_rows, dumps, seal
from ._postgres_schema import checked_schema, inspect_schema, lock_key, migrate
from ._sql import SQLStoreBase, checked_sizes, evidence_of
from .base import Change, RawRecord, Stored, Writing, lab_clash, micros
from .errors import CorruptStoreError, StoredRecordError, StoreError
from .protocol import OnInvalid

if TYPE_CHECKING:
    from psycopg import Connection, Cursor

SCHEME = "postgresql"
EXTRA = "qse-customer[postgres]"

_DOCUMENT = "coalesce(document::text, document_text)"
_COLUMNS = (
    "type, id, status, opened_at, last_event_at, document, document_text, seal, evidence, lab"
)
_SET = (
    "status = excluded.status, opened_at = excluded.opened_at, "
    "last_event_at = excluded.last_event_at, document = excluded.document, "
    "document_text = excluded.document_text, seal = excluded.seal, evidence = excluded.evidence"
)
_UPSERT = (
    f"INSERT INTO qse_records ({_COLUMNS}) "
    "VALUES (%s, %s, %s, %s, %s, %s::jsonb, %s, %s, %s::jsonb, %s) "
    f"ON CONFLICT (lab, type, id) DO UPDATE SET {_SET}"
)
# A batch of many records goes through COPY into a temporary table, then into qse_records in
# one statement (the last of a repeated record wins).
_COPY_FROM = 64
_INCOMING = (
    "CREATE TEMPORARY TABLE IF NOT EXISTS qse_incoming (ord bigint NOT NULL, "
    'type text COLLATE "C", id text COLLATE "C", status text, opened_at bigint, '
    "last_event_at bigint, document text, document_text text, seal integer, evidence text, "
    'lab text COLLATE "C") '
    "ON COMMIT DELETE ROWS"
)
_COPY_IN = f"COPY qse_incoming (ord, {_COLUMNS}) FROM STDIN"
_MERGE = (
    f"INSERT INTO qse_records ({_COLUMNS}) "
    "SELECT DISTINCT ON (type, id) type, id, status, opened_at, last_event_at, "
    "document::jsonb, document_text, seal, evidence::jsonb, lab FROM qse_incoming "
    f"ORDER BY type, id, ord DESC ON CONFLICT (lab, type, id) DO UPDATE SET {_SET}"
)
# Key locks (see postgres_schema, migration 3): taken in key order, so writers never wait for
# each other in a circle within a batch; a key already held by this transaction (a record
# repeated in a later batch) is taken again harmlessly, and a row left behind by anything but a
# writer of this store is taken over. Released just before the commit.
_LOCK_KEYS = (
    "INSERT INTO qse_record_locks (type, id, holder) "
    "SELECT type, id, txid_current() FROM unnest(%s::text[], %s::text[]) AS k (type, id) "
    'ORDER BY type COLLATE "C", id COLLATE "C" '
    "ON CONFLICT (type, id) DO UPDATE SET holder = excluded.holder"
)
_UNLOCK_KEYS = "DELETE FROM qse_record_locks WHERE holder = txid_current()"
# What is stored under a batch's keys, row-locked too (against writers that bypass the store).
_STORED = (
    "SELECT r.type, r.id, coalesce(r.document::text, r.document_text), r.seal, "
    "r.evidence::text FROM qse_records AS r "
    "JOIN unnest(%s::text[], %s::text[]) AS k (type, id) ON r.type = k.type AND r.id = k.id "
    "WHERE r.lab = %s ORDER BY r.type, r.id FOR UPDATE OF r"
)

_stream_names = itertools.count()
# The tables whose rows belong to a lab, each under row-level security on qse.lab.
_LAB_TABLES = ("qse_records", "qse_notifications", "qse_deliveries")


class _NotExact(Exception):
    """A value JSONB would print differently from Python (a float with an exponent)."""


def _key_order(key: str) -> tuple[int, bytes]:
    raw = key.encode("utf-8")
    return len(raw), raw


# Records of one type have the same keys in the same order, so each key order is sorted once.
_key_orders: dict[tuple[str, ...], tuple[str, ...]] = {}
_KEY_ORDERS_KEPT = 4096


def _ordered(value: Any) -> Any:
    kind = type(value)
    if kind is dict:
        keys = tuple(value)
        order = _key_orders.get(keys)
        if order is None:
            order = tuple(sorted(keys, key=_key_order))
            if len(_key_orders) < _KEY_ORDERS_KEPT:
                _key_orders[keys] = order
        ordered = {}
        for key in order:
            item = value[key]
            inner = type(item)
            ordered[key] = (
                _ordered(item)
                if inner is dict or inner is list or inner is float or inner is tuple
                else item
            )
        return ordered
    if kind is list or kind is tuple:
        return [_ordered(item) for item in value]
    if kind is float:
        shown = repr(value)
        if "e" in shown or "n" in shown or shown == "-0.0":
            raise _NotExact(shown)
    return value


_jsonb_dumps = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": ")).encode


def jsonb_text(document: str) -> str | None:
    """The text PostgreSQL prints for ``document::jsonb`` (object keys shortest first, then by
    their bytes; ``", "`` and ``": "`` between items), or None when JSONB cannot hold the
    document exactly (a U+0000 character, a lone surrogate, a float with an exponent)."""
    if "\\u0000" in document:
        return None
    try:
        text = _jsonb_dumps(_ordered(json.loads(document)))
        text.encode("utf-8")
    except (_NotExact, UnicodeEncodeError):
        return None
    return text


def jsonb_of(document: dict[str, Any]) -> str | None:
    """``jsonb_text(dumps(document))`` for a document as plain JSON types, without writing and
    parsing the JSON in between."""
    try:
        text = _jsonb_dumps(_ordered(document))
        text.encode("utf-8")
    except (_NotExact, UnicodeEncodeError):
        return None
    except (TypeError, ValueError, AttributeError):  # not plain JSON types: the long way
        return jsonb_text(dumps(document))
    # U+0000 in a text (or a backslash before "u0000"): as jsonb_text decides.
    return None if "\\u0000" in text else text


def _row(
    writing: Writing, lab: str
) -> tuple[str, str, str, int, int, str | None, str | None, int, str, str]:
    record = writing.record
    as_jsonb = jsonb_of(writing.document)
    document = as_jsonb if as_jsonb is not None else dumps(writing.document)
    return (
        record.TYPE,
        _checked_text(record.id, "$.id"),
        record.status,
        micros(record.opened_at),
        micros(record.last_event_at),
        as_jsonb,
        None if as_jsonb is not None else document,
        seal(document),
        writing.evidence.to_text(),
        lab,
    )


def _checked_text(value: str, path: str) -> str:
    if "\x00" in value:
        raise ValidationError.single(
            path, f"PostgreSQL cannot store the character U+0000 (in {value!r}); remove it"
        )
    return value


def redact(url: str) -> str:
    """``url`` without its password or secret parameters, to name a store in messages and logs
    (the library's one redaction, :func:`qse_customer.core.redaction.redact_url`)."""
    return redact_url(url)


def parse_postgres_url(url: str) -> tuple[str, str]:
    """The libpq connection URL and the schema of a ``postgresql://`` store URL."""
    try:
        parts = urlsplit(url) if isinstance(url, str) else None
    except ValueError:
        parts = None
    if parts is None or parts.scheme != SCHEME:
        shown = redact_url(url) if isinstance(url, str) else type(url).__name__
        raise ValidationError.single(
            "$.url", f"expected postgresql://user@host:port/dbname?schema=name, got {shown!r}"
        )
    options = parse_qsl(parts.query, keep_blank_values=True)
    schemas = [value for name, value in options if name == "schema"]
    if len(schemas) > 1:
        raise ValidationError.single("$.url", f"the URL {redact_url(url)!r} gives schema= twice")
    schema = checked_schema(schemas[0]) if schemas else "public"
    # %20, not +, for a space: libpq decodes only percent escapes.
    rest = urlencode([(k, v) for k, v in options if k != "schema"], quote_via=quote)
    return urlunsplit(parts._replace(query=rest)), schema


class PostgresStore(SQLStoreBase):
    """A store in a PostgreSQL database (``postgresql://...``), in one schema of it.

    ``schema`` overrides the URL's ``?schema=`` (default ``public``); it is created if absent.
    Writes lock, read and write ``batch_size`` records at a time (one query reads a batch's
    stored records; a few records are sent in one pipelined ``executemany``, many through
    ``COPY``); ``chunk_size`` rows are fetched per round trip while streaming. One store object
    may be shared by threads (it serialises their transactions on one connection; each stream
    has a connection of its own); processes each open their own.
    """

    PARAMETER = "%s"
    DOCUMENT = _DOCUMENT

    def __init__(
        self,
        url: str,
        *,
        schema: str | None = None,
        batch_size: int = 10_000,
        chunk_size: int = 1000,
        lab: str | None = None,
    ) -> None:
        super().__init__(lab=lab)
        self._lab_setting: str | None = None  # qse.lab on every connection, once known
        self._conninfo, url_schema = parse_postgres_url(url)
        self.schema = checked_schema(schema) if schema is not None else url_schema
        self.url = url if schema is None else _with_schema(url, self.schema)
        self.where = redact(self.url)
        self._secrets = secrets_in(url)
        checked_sizes(batch_size=batch_size, chunk_size=chunk_size)
        self.batch_size = batch_size
        self.chunk_size = chunk_size
        self._lock = threading.RLock()
        self._readers: list[Connection[Any]] = []
        self._db = self._connect()
        try:
            with self._errors():
                migrate(self._db, self.schema, where=self.where)
                self._home_lab = self._stored_home_lab(self._db)
                self._use_lab(self._db)
        except BaseException:
            self._db.close()
            raise

    # -- connections and errors -------------------------------------------------------------

    def _connect(self) -> Connection[Any]:
        try:
            import psycopg
        except ImportError as error:
            raise StoreError(
                f"opening {self.where} needs psycopg 3, which is not installed: "
                f"pip install '{EXTRA}'"
            ) from error
        named = "application_name" in dict(parse_qsl(urlsplit(self._conninfo).query))
        options: dict[str, Any] = {} if named else {"application_name": "qse-customer"}
        try:
            connection = psycopg.connect(self._conninfo, autocommit=True, **options)
        except psycopg.Error as error:
            raise StoreError(
                f"cannot connect to {self.where}: {self._said(error)}; check that the server "
                "is running and the URL's host, port, user, password and database"
            ) from None  # the driver's own error may quote the URL, password and all
        try:
            encoding = connection.info.parameter_status("server_encoding")
            if encoding != "UTF8":
                raise StoreError(
                    f"the database of {self.where} has the encoding "
                    f"{encoding}; qse-customer needs UTF8: create the "
                    "database with ENCODING 'UTF8'"
                )
            # Only the store's own schema: a missing schema fails loudly instead of silently
            # putting tables into another one.
            connection.execute(f'SET search_path TO "{self.schema}"')
            if self._lab_setting is not None:
                self._use_lab(connection)
        except BaseException:
            connection.close()
            raise
        return connection

    @staticmethod
    def _stored_home_lab(db: Connection[Any] | Cursor[Any]) -> str | None:
        row = db.execute("SELECT value FROM qse_settings WHERE name = 'home_lab'").fetchone()
        return None if row is None else str(row[0])

    def _use_lab(self, connection: Connection[Any]) -> None:
        """Show ``connection`` this store object's lab only: the row-level security policy of
        ``qse_records`` compares each row's lab with the setting ``qse.lab``."""
        self._lab_setting = self.lab_key
        connection.execute("SELECT set_config('qse.lab', %s, false)", (self._lab_setting,))

    def _set_home_lab(self, lab: str) -> int:
        """Name the home lab: the default lab's rows become that lab's, their documents
        unchanged (see :func:`~qse_customer.stores.labs.migrate_to_lab`). Needs the tables'
        owner (or a superuser): row-level security is lifted for this one transaction."""
        with self._transaction() as db:
            db.execute("SELECT pg_advisory_xact_lock(%s)", (lock_key(self.schema),))
            for table in _LAB_TABLES:
                db.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
            clashes = db.execute(
                "SELECT a.type, a.id FROM qse_records AS a JOIN qse_records AS b "
                "ON b.type = a.type AND b.id = a.id WHERE a.lab = '' AND b.lab = %s "
                "ORDER BY a.type, a.id LIMIT 5",
                (lab,),
            ).fetchall()
            if clashes:
                raise lab_clash(self.where, lab, [(str(t), str(i)) for t, i in clashes])
            moved = db.execute("UPDATE qse_records SET lab = %s WHERE lab = ''", (lab,)).rowcount
            # The outbox too (its deliveries follow, ON UPDATE CASCADE); a notification the lab
            # has recorded already stays as it is.
            db.execute(
                "DELETE FROM qse_notifications WHERE lab = '' "
                "AND key IN (SELECT key FROM qse_notifications WHERE lab = %s)",
                (lab,),
            )
            db.execute("UPDATE qse_notifications SET lab = %s WHERE lab = ''", (lab,))
            db.execute(
                "INSERT INTO qse_settings (name, value) VALUES ('home_lab', %s) "
                "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                (lab,),
            )
            for table in _LAB_TABLES:
                db.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        self._home_lab = lab
        with self._lock, self._errors():
            self._use_lab(self._connection())
            for reader in self._readers:
                reader.close()
            self._readers.clear()
        return int(moved)

    def _said(self, error: BaseException) -> str:
        """A driver's error message, with any secret of the URL masked (libpq may quote it)."""
        return scrub(str(error).strip(), self._secrets)

    def _connection(self) -> Connection[Any]:
        """The store's connection, opened again if the server dropped it since the last use."""
        if self._db.broken or self._db.closed:
            self._db.close()
            self._db = self._connect()
        return self._db

    @contextmanager
    def _errors(self) -> Iterator[None]:
        """Turn psycopg's errors into the library's, naming this store."""
        import psycopg
        from psycopg import errors

        try:
            yield
        except (errors.LockNotAvailable, errors.QueryCanceled) as error:
            raise StoreError(
                f"{self.where}: waited too long for another writer ({self._said(error)}); "
                "nothing was written: retry, or raise lock_timeout / statement_timeout"
            ) from error
        except (errors.DeadlockDetected, errors.SerializationFailure) as error:
            raise StoreError(
                f"{self.where}: this write collided with another writer's "
                f"({self._said(error)}); nothing was written: retry it"
            ) from error
        except errors.UndefinedTable as error:
            raise CorruptStoreError(
                f"{self.where}: a table of the store is missing ({self._said(error)}); "
                "restore it from a backup"
            ) from error
        except psycopg.OperationalError as error:
            raise StoreError(
                f"{self.where}: lost the connection to the server ({self._said(error)}); the "
                "operation was not acknowledged: retry it (the store reconnects)"
            ) from error
        except psycopg.Error as error:
            raise StoreError(f"{self.where}: {self._said(error)}") from error

    def _fetch(self, sql: str, params: Sequence[object]) -> list[tuple[Any, ...]]:
        with self._lock, self._errors():
            rows: list[tuple[Any, ...]] = self._connection().execute(sql, params).fetchall()
        return rows

    def _text(self, value: str, path: str) -> str:
        return _checked_text(value, path)

    def _timestamp(self, at: datetime) -> object:
        return at

    @contextmanager
    def _transaction(self) -> Iterator[Connection[Any]]:
        with self._lock, self._errors():
            db = self._connection()
            with db.transaction():
                yield db

    # -- records ----------------------------------------------------------------------------

    def _apply(
        self, items: Iterable[Any], key: Callable[[Any], tuple[str, str]], change: Change
    ) -> None:
        iterator = iter(items)
        with self._transaction() as db, db.cursor() as cursor:
            copied = False
            while batch := list(islice(iterator, self.batch_size)):
                keys = [key(item) for item in batch]
                for _, record_id in keys:
                    _checked_text(record_id, "$.id")
                distinct = list(dict.fromkeys(keys))
                types, ids = [tag for tag, _ in distinct], [id for _, id in distinct]
                cursor.execute(_LOCK_KEYS, (types, ids))
                stored = self._stored(cursor, types, ids)
                # After the read, which waited for a migration holding the table: its result.
                self._check_home_lab(self._stored_home_lab(cursor))
                lab = self.lab_key
                writings = (
                    (item_key, change(item, stored.get(item_key)))
                    for item, item_key in zip(batch, keys, strict=True)
                )
                if len(batch) < _COPY_FROM:
                    rows = []
                    for item_key, writing in writings:
                        if writing is not None:
                            rows.append(_row(writing, lab))
                            stored[item_key] = Stored(writing.record, writing.evidence)
                    if rows:
                        cursor.executemany(_UPSERT, rows)
                    continue
                if copied:
                    cursor.execute("TRUNCATE qse_incoming")
                else:
                    cursor.execute(_INCOMING)
                copied = True
                with cursor.copy(_COPY_IN) as copy:
                    for order, (item_key, writing) in enumerate(writings):
                        if writing is not None:
                            copy.write_row((order, *_row(writing, lab)))
                            stored[item_key] = Stored(writing.record, writing.evidence)
                cursor.execute(_MERGE)
            cursor.execute(_UNLOCK_KEYS)

    def _stored(
        self, cursor: Cursor[Any], types: list[str], ids: list[str]
    ) -> dict[tuple[str, str], Stored]:
        """What is stored under the keys ``types[i], ids[i]`` (those that exist), locked."""
        found: dict[tuple[str, str], Stored] = {}
        for tag, record_id, document, stored_seal, evidence in cursor.execute(
            _STORED, (types, ids, self.lab_key)
        ):
            record = decode(tag, record_id, document, stored_seal, self.where)
            found[(tag, record_id)] = Stored(record, evidence_of(evidence))
        return found

    def _raw(self) -> Iterator[RawRecord]:
        with self._errors():
            reader = self._take_reader()
        try:
            with self._errors(), reader.transaction():
                name = f"qse_raw_{next(_stream_names)}"
                with reader.cursor(name=name) as cursor:
                    cursor.execute(
                        f"SELECT type, id, {_DOCUMENT}, evidence::text, seal FROM qse_records "
                        "WHERE lab = %s ORDER BY type, id",
                        (self.lab_key,),
                    )
                    while rows := cursor.fetchmany(self.chunk_size):
                        self._check_open()
                        for tag, record_id, document, evidence, stored in rows:
                            sealed = seal(document) == stored
                            yield RawRecord(tag, record_id, document, evidence, sealed)
        finally:
            self._give_back(reader)

    def _delete(self, tag: str, id: str) -> bool:
        with self._transaction() as db:
            # The key lock too: a writer holding it has read the record and will write it back.
            db.execute(_LOCK_KEYS, ([tag], [_checked_text(id, "$.id")]))
            self._check_home_lab(self._stored_home_lab(db))
            cursor = db.execute(
                "DELETE FROM qse_records WHERE lab = %s AND type = %s AND id = %s",
                (self.lab_key, tag, id),
            )
            db.execute(_UNLOCK_KEYS)
            return cursor.rowcount > 0

    def _take_reader(self) -> Connection[Any]:
        with self._lock:
            while self._readers:
                reader = self._readers.pop()
                if not (reader.broken or reader.closed):
                    return reader
                reader.close()
        reader = self._connect()
        from psycopg import IsolationLevel

        reader.isolation_level = IsolationLevel.REPEATABLE_READ
        reader.read_only = True
        return reader

    def _give_back(self, reader: Connection[Any]) -> None:
        with self._lock:
            if self._closed or reader.broken or reader.closed or len(self._readers) >= 2:
                reader.close()
            else:
                self._readers.append(reader)

    def _iterate(self, tag: str, on_invalid: OnInvalid | None) -> Iterator[Record]:
        with self._errors():
            reader = self._take_reader()
        try:
            with self._errors(), reader.transaction():
                name = f"qse_stream_{next(_stream_names)}"
                with reader.cursor(name=name) as cursor:
                    cursor.execute(
                        f"SELECT id, {_DOCUMENT}, seal FROM qse_records "
                        "WHERE lab = %s AND type = %s ORDER BY opened_at, id",
                        (self.lab_key, tag),
                    )
                    while rows := cursor.fetchmany(self.chunk_size):
                        self._check_open()
                        yield from decode_rows(tag, rows, self.where, on_invalid)
        finally:
            self._give_back(reader)

    # -- maintenance ------------------------------------------------------------------------

    def verify(self) -> list[StoredRecordError]:
        """Check the store's tables, then every record in full, its document and its hash chain
        (see :meth:`StoreBase.verify`); re-seal the valid ones.

        Run it once after upgrading qse-customer when the record model changed: rows sealed
        under the old model are validated in full on every read (slow) until re-sealed. Returns
        the records that fail (an edit behind the store's back, a document that no longer
        validates); raises :class:`CorruptStoreError` if a table of the store is missing.
        """
        self._check_open()
        with self._lock, self._errors():
            inspect_schema(self._connection(), self.schema, where=self.where)
        invalid = super().verify()
        bad = {(error.record_type, error.record_id) for error in invalid}
        with self._errors():
            reader = self._take_reader()
        try:
            with (
                self._errors(),
                reader.transaction(),
                reader.cursor(name=f"qse_reseal_{next(_stream_names)}") as rows,
            ):
                rows.execute(
                    f"SELECT type, id, {_DOCUMENT}, seal FROM qse_records WHERE lab = %s",
                    (self.lab_key,),
                )
                while chunk := rows.fetchmany(self.chunk_size):
                    stale = [
                        (fresh, self.lab_key, tag, record_id, stored_seal)
                        for tag, record_id, document, stored_seal in chunk
                        if (fresh := seal(document)) != stored_seal and (tag, record_id) not in bad
                    ]
                    if stale:
                        self._reseal(stale)
        finally:
            self._give_back(reader)
        return invalid

    def _reseal(self, stale: list[tuple[int, str, str, str, int]]) -> None:
        """Write fresh seals, only where the seal is still the one read: a record rewritten
        meanwhile keeps the seal its writer gave it."""
        with self._transaction() as db, db.cursor() as cursor:
            cursor.executemany(
                "UPDATE qse_records SET seal = %s "
                "WHERE lab = %s AND type = %s AND id = %s AND seal = %s",
                stale,
            )

    def _close(self) -> None:
        with self._lock:
            for reader in self._readers:
                reader.close()
            self._readers.clear()
            self._db.close()


def _with_schema(url: str, schema: str) -> str:
    parts = urlsplit(url)
    options = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "schema"]
    return urlunsplit(
        parts._replace(query=urlencode([*options, ("schema", schema)], quote_via=quote))
    )


def open_postgres_store(url: str, *, lab: str | None = None) -> PostgresStore:
    """A :class:`PostgresStore` from its URL (see the module's documentation for the options),
    for ``lab`` (None: the default lab)."""
    return PostgresStore(url, lab=lab)
