"""The PostgreSQL store against a real server on loopback: the store contract, schemas it refuses
untouched, migrations, records whose stored JSON no longer validates, row locks, streaming in
constant memory, lost connections and its URLs."""

from __future__ import annotations

import json
import random
import sys
import threading
import tracemalloc
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from qse_customer import Complaint, Enquiry, Event, ValidationError
from qse_customer.core.record import Record
from qse_customer.plugins import get_plugin_manager
from qse_customer.stores import (
    CorruptStoreError,
    ForeignStoreError,
    HistoryRewriteError,
    RecordNotFoundError,
    StoredRecordError,
    StoreError,
    StoreVersionError,
    open_store,
)
from qse_customer.stores import (
    _postgres_schema as postgres_schema,
)
from qse_customer.stores._documents import dumps, encode, seal, unstructure
from qse_customer.stores.postgres import (
    _DOCUMENT,
    PostgresStore,
    jsonb_of,
    jsonb_text,
    parse_postgres_url,
    redact,
)
from qse_customer.stores.protocol import Store
from qse_customer.testing.store_contract import MANAGER, STAFF, T0, StoreContract, complaint
from qse_customer.testing.strategies import complaints, records

pytestmark = pytest.mark.slow  # a real PostgreSQL server

if TYPE_CHECKING:
    from qse_customer.testing.servers import PostgresCluster as Cluster

pytest_plugins = ("postgres_server",)


def raw(url: str) -> Any:
    """A plain psycopg connection (autocommit) to the database of a store URL."""
    import psycopg

    conninfo, _ = parse_postgres_url(url)
    return psycopg.connect(conninfo, autocommit=True)


class _Rows:
    def __init__(self, rows: list[tuple[Any, ...]]) -> None:
        self.rows = rows

    def fetchone(self) -> tuple[Any, ...] | None:
        return self.rows[0] if self.rows else None

    def fetchall(self) -> list[tuple[Any, ...]]:
        return self.rows


class RawSQL:
    """Statements on a store's schema through a connection of their own, never the store's:
    what another program (or someone editing behind the library's back) would do."""

    def __init__(self, store: PostgresStore) -> None:
        self.url = store.url

    def execute(self, query: str, params: Any = None) -> _Rows:
        _, schema = parse_postgres_url(self.url)
        with raw(self.url) as db:
            db.execute(f'SET search_path TO "{schema}"')
            cursor = db.execute(query, params)
            return _Rows(cursor.fetchall() if cursor.description else [])


def tables_of(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every table of a store URL's schema with all its rows, to prove nothing was written."""
    _, schema = parse_postgres_url(url)
    with raw(url) as db:
        names = [
            row[0]
            for row in db.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = %s ORDER BY tablename",
                (schema,),
            )
        ]
        return {
            name: sorted(map(repr, db.execute(f'SELECT * FROM "{schema}"."{name}"').fetchall()))
            for name in names
        }


class TestPostgresStore(StoreContract):
    @pytest.fixture
    def store_factory(self, postgres_cluster: Cluster) -> Callable[[], Store]:
        return lambda: PostgresStore(postgres_cluster.store_url())

    @pytest.fixture
    def store_url(self, postgres_url: str) -> str:
        return postgres_url

    @pytest.fixture
    def reopen(self) -> Callable[[Store], Store]:
        def again(store: Store) -> Store:
            assert isinstance(store, PostgresStore)
            return PostgresStore(store.url)

        return again

    @pytest.fixture
    def open_lab(self) -> Callable[[Store, str | None], Store]:
        def for_lab(store: Store, lab: str | None) -> Store:
            assert isinstance(store, PostgresStore)
            return open_store(store.url, lab=lab)

        return for_lab


@pytest.fixture
def store(postgres_url: str) -> Iterator[PostgresStore]:
    with PostgresStore(postgres_url) as opened:
        yield opened


# -- registration and the optional dependency -----------------------------------------------


def test_the_store_is_a_built_in_plugin_for_postgresql_urls() -> None:
    providers = get_plugin_manager().storage_providers()
    assert providers["postgresql"].plugin == "qse_customer.postgres_store"
    assert providers["postgresql"].default  # an installed plugin claiming the scheme wins


def test_without_psycopg_the_error_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)  # makes `import psycopg` fail
    with pytest.raises(StoreError, match=r"psycopg 3.*pip install 'qse-customer\[postgres\]'"):
        open_store("postgresql://lab:secret@127.0.0.1:1/lis")


# -- URLs -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "conninfo", "schema"),
    [
        ("postgresql://lab@db/lis", "postgresql://lab@db/lis", "public"),
        ("postgresql://db:5433/lis?schema=qse", "postgresql://db:5433/lis", "qse"),
        (
            "postgresql://lab@db/lis?sslmode=require&schema=qse_2&connect_timeout=5",
            "postgresql://lab@db/lis?sslmode=require&connect_timeout=5",
            "qse_2",
        ),
    ],
)
def test_urls_pass_libpq_options_through_and_keep_the_schema(
    url: str, conninfo: str, schema: str
) -> None:
    assert parse_postgres_url(url) == (conninfo, schema)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://db/lis", "expected postgresql://"),
        ("postgres://db/lis", "expected postgresql://"),
        ("postgresql://db/lis?schema=Lab%20Data", "schema name"),
        ("postgresql://db/lis?schema=pg_catalog", "schema name"),
        ("postgresql://db/lis?schema=a&schema=b", "schema= twice"),
    ],
)
def test_bad_urls_are_refused_clearly(url: str, message: str) -> None:
    with pytest.raises(Exception, match=message):
        parse_postgres_url(url)


def test_a_password_never_appears_in_messages(postgres_cluster: Cluster) -> None:
    assert redact("postgresql://lab:s3cret@db/lis") == "postgresql://lab:***@db/lis"
    url = f"postgresql://lab:s3cret@127.0.0.1:{postgres_cluster.port}/no_such_database"
    with pytest.raises(StoreError, match="cannot connect") as raised:
        open_store(url)
    assert "s3cret" not in str(raised.value)


def test_libpq_options_reach_the_server(postgres_cluster: Cluster) -> None:
    url = f"{postgres_cluster.store_url()}&application_name=lab-42"
    with PostgresStore(url) as store:
        name = RawSQL(store).execute("SHOW application_name").fetchone()
    assert name == ("lab-42",)


# -- schemas that are not ours --------------------------------------------------------------


def test_another_programs_schema_is_refused_untouched(postgres_url: str) -> None:
    _, schema = parse_postgres_url(postgres_url)
    with raw(postgres_url) as db:
        db.execute(f"CREATE SCHEMA {schema}")
        db.execute(f"CREATE TABLE {schema}.patients (id serial PRIMARY KEY, name text)")
        db.execute(f"INSERT INTO {schema}.patients (name) VALUES ('A. Patient')")
    before = tables_of(postgres_url)
    with pytest.raises(ForeignStoreError, match=r"another program \(patients\).*left untouched"):
        open_store(postgres_url)
    assert tables_of(postgres_url) == before


def test_a_store_of_a_newer_schema_is_refused_untouched(
    postgres_url: str, store: PostgresStore
) -> None:
    store.save(complaint(1))
    store.close()
    _, schema = parse_postgres_url(postgres_url)
    with raw(postgres_url) as db:
        db.execute(
            f"INSERT INTO {schema}.qse_schema_migrations (version, description) "
            "VALUES (%s, 'from the future')",
            (postgres_schema.LATEST_VERSION + 1,),
        )
    before = tables_of(postgres_url)
    with pytest.raises(StoreVersionError, match="upgrade qse-customer"):
        PostgresStore(postgres_url)
    assert tables_of(postgres_url) == before


def test_a_store_missing_a_table_is_refused_as_damaged(
    postgres_url: str, store: PostgresStore
) -> None:
    store.close()
    _, schema = parse_postgres_url(postgres_url)
    with raw(postgres_url) as db:
        db.execute(f"DROP TABLE {schema}.qse_deliveries")
    with pytest.raises(CorruptStoreError, match=r"without its table.*qse_deliveries"):
        PostgresStore(postgres_url)


# -- schema and migrations ------------------------------------------------------------------


def test_a_new_store_is_at_the_latest_version_with_its_indexes(
    postgres_url: str, store: PostgresStore
) -> None:
    _, schema = parse_postgres_url(postgres_url)
    with raw(postgres_url) as db:
        versions = [
            row[0]
            for row in db.execute(
                f"SELECT version FROM {schema}.qse_schema_migrations ORDER BY version"
            )
        ]
        indexes = {
            row[0]
            for row in db.execute(
                "SELECT indexname FROM pg_indexes WHERE schemaname = %s", (schema,)
            )
        }
        column = db.execute(
            "SELECT data_type FROM information_schema.columns "
            "WHERE table_schema = %s AND table_name = 'qse_records' AND column_name = 'document'",
            (schema,),
        ).fetchone()
    assert versions == [m.version for m in postgres_schema.MIGRATIONS]
    assert {"qse_records_pkey", "qse_records_by_time", "qse_records_by_status"} <= indexes
    assert column == ("jsonb",)


def _old_document(record: Record) -> str:
    """A record's document as a store of schema version 1 or 2 wrote it (no recorded_at)."""
    document = json.loads(encode(record))
    for event in document["events"]:
        del event["recorded_at"]
    return json.dumps(document, separators=(",", ":"))


def test_an_older_store_is_migrated_keeping_its_records(postgres_url: str) -> None:
    _, schema = parse_postgres_url(postgres_url)
    record = complaint(1)
    acknowledged = complaint(2).add("acknowledged", at=T0 + timedelta(hours=2), by=STAFF)
    with raw(postgres_url) as db:
        db.execute(f"SET search_path TO {schema}")
        assert postgres_schema.migrate(db, schema, target=1) == [1]
        document = _old_document(record)
        db.execute(
            "INSERT INTO qse_records VALUES ('complaint', %s, 'open', 0, 0, NULL, %s, %s)",
            (record.id, document, seal(document)),
        )
        assert postgres_schema.migrate(db, schema, target=2) == [2]
        document = _old_document(acknowledged)
        db.execute(
            "INSERT INTO qse_records VALUES ('complaint', %s, 'acknowledged', 0, 0, %s, NULL, %s)",
            (acknowledged.id, document, 0),
        )
    with PostgresStore(postgres_url) as store:
        assert store.load(Complaint, record.id) == record
        store.add_notifications([], notifiers=["log"])  # the version 2 tables exist
        # Version 3: the records have their hash chains, their events were recorded before
        # stamping, and writes extend the chains.
        assert store.verify() == []
        assert [e.recorded_at for e in store.load(Complaint, acknowledged.id).events] == [None] * 2
        later = store.append_event(
            Complaint, record.id, Event("acknowledged", T0 + timedelta(hours=1), STAFF)
        )
        assert later.events[0].recorded_at is None and later.events[1].recorded_at is not None
        store.correct(
            Complaint,
            acknowledged.id,
            1,
            Event("acknowledged", T0 + timedelta(hours=1), STAFF),
            by=MANAGER,
            reason="typed the wrong hour",
        )
        assert store.verify() == []
    with raw(postgres_url) as db:
        (version,) = db.execute(
            f"SELECT max(version) FROM {schema}.qse_schema_migrations"
        ).fetchone()
        evidence = db.execute(
            f"SELECT id, evidence -> 'hashes' ->> 0 FROM {schema}.qse_records ORDER BY id"
        ).fetchall()
    assert version == postgres_schema.LATEST_VERSION == 4
    assert [row[0] for row in evidence] == ["c-0001", "c-0002"]
    assert all(len(row[1]) == 64 for row in evidence)  # h_head in hex, readable by SQL


@pytest.mark.parametrize(
    "document", ['{"type": "complaint", "events": ["not an event"]}', "not JSON", "[]"]
)
def test_a_row_the_chain_cannot_cover_does_not_stop_the_migration(
    postgres_url: str, document: str
) -> None:
    _, schema = parse_postgres_url(postgres_url)
    kept = _old_document(complaint(1))
    with raw(postgres_url) as db:
        db.execute(f"SET search_path TO {schema}")
        assert postgres_schema.migrate(db, schema, target=2) == [1, 2]
        db.execute(
            "INSERT INTO qse_records VALUES ('complaint', 'c-0001', 'open', 0, 0, NULL, %s, %s), "
            "('complaint', 'c-0002', 'open', 1, 1, NULL, %s, 0)",  # the second edited by hand
            (kept, seal(kept), document),
        )
    with PostgresStore(postgres_url) as store:
        assert [p.record_id for p in store.verify()] == ["c-0002"]
        assert store.load(Complaint, "c-0001") == complaint(1)


def test_a_failing_migration_leaves_the_previous_version(
    postgres_url: str, store: PostgresStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.save(complaint(1))
    store.close()
    latest = postgres_schema.LATEST_VERSION
    broken = postgres_schema.Migration(
        latest + 1, "broken", ("CREATE TABLE qse_half_done (x integer)", "THIS IS NOT SQL")
    )
    monkeypatch.setattr(postgres_schema, "MIGRATIONS", (*postgres_schema.MIGRATIONS, broken))
    _, schema = parse_postgres_url(postgres_url)
    with raw(postgres_url) as db:
        db.execute(f"SET search_path TO {schema}")
        with pytest.raises(Exception, match="syntax error"):
            postgres_schema.migrate(db, schema, target=latest + 1)
        (version,) = db.execute("SELECT max(version) FROM qse_schema_migrations").fetchone()
    assert version == latest
    assert "qse_half_done" not in tables_of(postgres_url)
    monkeypatch.undo()
    with PostgresStore(postgres_url) as reopened:
        assert reopened.load(Complaint, "c-0001") == complaint(1)


def test_stores_opened_at_once_migrate_once(postgres_url: str) -> None:
    opened: list[PostgresStore] = []
    errors: list[BaseException] = []

    def open_one() -> None:
        try:
            opened.append(PostgresStore(postgres_url))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=open_one) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for store in opened:
        store.close()
    assert errors == []
    rows = tables_of(postgres_url)["qse_schema_migrations"]
    assert len(rows) == len(postgres_schema.MIGRATIONS)


# -- documents as JSONB, sealed -------------------------------------------------------------

_SOME = settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))


@_SOME
@given(record=records())
def test_documents_are_stored_as_jsonb_and_sealed_over_the_servers_text(
    store: PostgresStore, record: Record
) -> None:
    store.delete(record.TYPE, record.id)  # one store for every example: a history only grows
    store.save(record)
    text, as_jsonb, stored_seal = (
        RawSQL(store)
        .execute(
            "SELECT coalesce(document::text, document_text), document IS NOT NULL, seal "
            "FROM qse_records WHERE type = %s AND id = %s",
            (record.TYPE, record.id),
        )
        .fetchone()
    )
    assert stored_seal == seal(text)  # read back without validating it again
    assert as_jsonb == (jsonb_text(encode(record)) is not None)
    loaded = store.load(record.TYPE, record.id)
    assert loaded == record
    assert json.loads(text) == json.loads(encode(loaded))  # with the store's recorded_at


_TEXTS = st.one_of(st.text(max_size=5), st.sampled_from(["\x00", "\\u0000", "\ud800", "é", "ü €"]))
_JSON = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), _TEXTS),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_TEXTS, inner, max_size=3),
    max_leaves=10,
)


@settings(max_examples=300, deadline=None)
@given(document=st.one_of(records().map(unstructure), st.dictionaries(_TEXTS, _JSON)))
def test_jsonb_text_of_a_document_skips_the_round_trip_and_equals_it(
    document: dict[str, Any],
) -> None:
    assert jsonb_of(document) == jsonb_text(dumps(document))


def test_what_jsonb_cannot_hold_is_kept_exactly_as_text(store: PostgresStore) -> None:
    nul = complaint(1).evolve(summary="line one\x00line two")
    exponent = complaint(2).with_event(
        Event("note_added", T0 + timedelta(hours=1), data={"ratio": 1.5e-07, "big": 2e22})
    )
    plain = complaint(3).with_event(
        Event("note_added", T0 + timedelta(hours=1), data={"score": 4.5, "ñ": "ü €"})
    )
    store.save_many([nul, exponent, plain])
    rows = dict(
        RawSQL(store).execute("SELECT id, document IS NULL FROM qse_records ORDER BY id").fetchall()
    )
    assert rows == {"c-0001": True, "c-0002": True, "c-0003": False}
    assert list(store.stream(Complaint)) == [nul, exponent, plain]
    query = "SELECT id FROM qse_records WHERE document -> 'events' -> 1 -> 'data' ->> 'score' = %s"
    found = RawSQL(store).execute(query, ("4.5",)).fetchall()
    assert found == [("c-0003",)]  # the JSONB is there for queries of your own


def test_an_id_postgresql_cannot_store_is_refused_clearly(store: PostgresStore) -> None:
    with pytest.raises(Exception, match=r"U\+0000"):
        store.save(complaint(1).evolve(id="c-\x00"))
    assert store.count(Complaint) == 0


# -- stored records that no longer validate -------------------------------------------------


def _edit(store: PostgresStore, record_id: str, change: dict[str, object]) -> None:
    (document,) = (
        RawSQL(store)
        .execute("SELECT document FROM qse_records WHERE id = %s", (record_id,))
        .fetchone()
    )
    edited = json.dumps({**document, **change})
    RawSQL(store).execute(
        "UPDATE qse_records SET document = %s::jsonb WHERE id = %s", (edited, record_id)
    )


def test_an_invalid_stored_record_is_named_and_the_others_still_load(store: PostgresStore) -> None:
    store.save_many(complaint(n, hours=n) for n in range(5))
    _edit(store, "c-0002", {"channel": "carrier pigeon"})
    with pytest.raises(StoredRecordError, match=r"(?s)complaint 'c-0002'.*\$\.channel") as raised:
        store.load(Complaint, "c-0002")
    assert (raised.value.record_type, raised.value.record_id) == ("complaint", "c-0002")
    assert store.load(Complaint, "c-0003") == complaint(3, hours=3)
    assert store.count(Complaint) == 5


def test_a_stream_raises_on_an_invalid_record_or_skips_and_reports_it(
    store: PostgresStore,
) -> None:
    store.save_many(complaint(n, hours=n) for n in range(5))
    _edit(store, "c-0001", {"events": []})
    with pytest.raises(StoredRecordError, match="c-0001"):
        list(store.stream(Complaint))
    skipped: list[StoredRecordError] = []
    streamed = [r.id for r in store.stream(Complaint, on_invalid=skipped.append)]
    assert streamed == ["c-0000", "c-0002", "c-0003", "c-0004"]
    assert [(e.record_id, e.errors[0].path) for e in skipped] == [("c-0001", "$.events")]
    page = store.list(Complaint, on_invalid=skipped.append)
    assert [r.id for r in page] == streamed


def test_an_edit_that_breaks_the_models_rules_is_caught(store: PostgresStore) -> None:
    store.save(complaint(1, anonymous=True))
    _edit(store, "c-0001", {"submitter": {"name": "A. Patient"}})  # valid JSON, forbidden
    with pytest.raises(StoredRecordError, match="anonymous"):
        store.load(Complaint, "c-0001")


def test_verify_reseals_valid_rows_and_reports_invalid_ones(store: PostgresStore) -> None:
    store.save_many(complaint(n, hours=n) for n in range(4))
    RawSQL(store).execute("UPDATE qse_records SET seal = 0")  # as if written under another model
    _edit(store, "c-0003", {"category": ""})
    problems = store.verify()
    assert [p.record_id for p in problems] == ["c-0003"]
    rows = (
        RawSQL(store)
        .execute("SELECT id, document::text, seal FROM qse_records ORDER BY id")
        .fetchall()
    )
    assert [row[2] == seal(row[1]) for row in rows] == [True, True, True, False]
    assert [r.id for r in store.stream(Complaint, on_invalid=lambda e: None)] == [
        "c-0000",
        "c-0001",
        "c-0002",
    ]


# -- evidence: edits behind the store's back ------------------------------------------------


def test_verify_finds_a_raw_update_behind_the_stores_back(store: PostgresStore) -> None:
    late = complaint(1).add("acknowledged", at=T0 + timedelta(days=9), by=STAFF)
    store.save_many([late, complaint(2, hours=1)])
    assert store.verify() == []
    RawSQL(store).execute(
        "UPDATE qse_records SET document = jsonb_set(document, '{events,1,at}', "
        """'"2026-01-05T10:00:00+00:00"') WHERE id = 'c-0001'"""
    )
    # A forger who knows the seal's formula: the row even loads through the fast path.
    (moved,) = (
        RawSQL(store)
        .execute("SELECT document::text FROM qse_records WHERE id = 'c-0001'")
        .fetchone()
    )
    assert "2026-01-14T09:00:00+00:00" not in moved
    RawSQL(store).execute("UPDATE qse_records SET seal = %s WHERE id = 'c-0001'", (seal(moved),))
    assert store.load(Complaint, "c-0001").events[1].at == T0 + timedelta(hours=1)
    [problem] = store.verify()
    assert (problem.record_id, problem.errors[0].path) == ("c-0001", "$.events[1]")
    assert "hash chain" in str(problem)
    # A later write extends the chain from the stored head: it never launders the edit.
    store.append_event(Complaint, "c-0001", Event("closed", T0 + timedelta(days=10), STAFF))
    assert [(p.record_id, p.errors[0].path) for p in store.verify()] == [("c-0001", "$.events[1]")]


def test_verify_finds_a_chain_removed_or_rewritten(store: PostgresStore) -> None:
    store.save_many(complaint(n, hours=n) for n in range(3))
    RawSQL(store).execute("UPDATE qse_records SET evidence = NULL WHERE id = 'c-0000'")
    RawSQL(store).execute(
        "UPDATE qse_records SET evidence = jsonb_set(evidence, '{hashes,1}', to_jsonb(%s::text)) "
        "WHERE id = 'c-0001'",
        ("0" * 64,),
    )
    found = {p.record_id: p.errors[0] for p in store.verify()}
    assert sorted(found) == ["c-0000", "c-0001"]
    assert "no hash chain" in found["c-0000"].message
    assert found["c-0001"].path == "$.events[0]"
    # The store refuses to write to a record whose chain is gone rather than start a new one.
    with pytest.raises(StoredRecordError, match="hash chain"):
        store.append_event(Complaint, "c-0000", Event("closed", T0 + timedelta(days=1), STAFF))


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_verify_finds_any_single_byte_change_to_a_stored_event(
    postgres_cluster: Cluster, data: st.DataObject
) -> None:
    import psycopg

    record = data.draw(complaints())
    with PostgresStore(postgres_cluster.store_url()) as store:
        store.save(record)
        (document,) = (
            RawSQL(store).execute(f"SELECT {_DOCUMENT} FROM qse_records").fetchone()
        )  # as PostgreSQL prints it
        events = json.loads(document)["events"]
        index = data.draw(st.integers(0, len(events) - 1))
        # As JSONB prints it, or (what JSONB cannot hold, a NUL) as the store keeps the text.
        forms = [
            jsonb_text(json.dumps(events[index])),
            json.dumps(events[index], separators=(",", ":")),
            json.dumps(events[index]),
        ]
        text = next(form for form in forms if form and form in document)
        start = document.index(text)
        position = start + data.draw(st.integers(0, len(text) - 1))
        changed = (
            document[:position]
            + data.draw(
                st.characters(codec="utf-8", exclude_characters=document[position] + "\x00")
            )
            + document[position + 1 :]
        )
        try:
            value = json.loads(changed)
        except ValueError:
            value = None  # not JSON any more: a change too, kept as text
        # The same JSON value written another way ("\u00e9" as "\u00E9") is no change.
        assume(value != json.loads(document))
        try:
            RawSQL(store).execute("UPDATE qse_records SET document = %s::jsonb", (changed,))
        except psycopg.DataError:  # what JSONB cannot hold goes where the store puts it
            RawSQL(store).execute(
                "UPDATE qse_records SET document = NULL, document_text = %s", (changed,)
            )
        problems = store.verify()
        assert [p.record_id for p in problems] == [record.id]


# -- transactions, locks, connections and streaming -----------------------------------------


def test_an_error_while_saving_many_writes_nothing(store: PostgresStore) -> None:
    store.batch_size = 1000

    def made() -> Iterator[Complaint]:
        yield from (complaint(n) for n in range(2500))  # more than one batch
        raise RuntimeError("the LIS connection dropped")

    with pytest.raises(RuntimeError, match="dropped"):
        store.save_many(made())
    assert store.count(Complaint) == 0
    store.save(complaint(1))  # the connection is usable afterwards
    assert store.count(Complaint) == 1


def test_many_records_go_through_copy_all_or_nothing_last_one_wins(store: PostgresStore) -> None:
    made = [complaint(n, hours=n) for n in range(300)]
    later = made[7].add("acknowledged", at=T0 + timedelta(days=30), by=MANAGER)
    assert store.save_many([*made[:150], later, *made[150:], made[9]]) == 302
    assert store.count(Complaint) == 300
    assert store.load(Complaint, made[7].id) == later
    assert store.load(Complaint, made[9].id) == made[9]
    batch: list[object] = [*(complaint(n) for n in range(400, 500)), "not a record"]
    with pytest.raises(ValidationError, match=r"\$\[100\]"):
        store.save_many(batch)  # type: ignore[arg-type]
    assert store.count(Complaint) == 300


def test_overlapping_big_saves_from_two_connections_do_not_deadlock(postgres_url: str) -> None:
    made = [complaint(n, hours=n) for n in range(400)]
    errors: list[BaseException] = []

    def save(order: list[Complaint]) -> None:
        try:
            with PostgresStore(postgres_url) as store:
                for _ in range(3):
                    store.save_many(order)
        except BaseException as error:
            errors.append(error)

    threads = [
        threading.Thread(target=save, args=(made,)),
        threading.Thread(target=save, args=(made[::-1],)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with PostgresStore(postgres_url) as store:
        assert list(store.stream(Complaint)) == made


def _locks_left(url: str) -> list[tuple[Any, ...]]:
    _, schema = parse_postgres_url(url)
    with raw(url) as db:
        return db.execute(f"SELECT * FROM {schema}.qse_record_locks").fetchall()


def test_key_locks_are_released_by_every_write_and_every_failed_one(store: PostgresStore) -> None:
    store.batch_size = 50
    made = [complaint(n, hours=n) for n in range(120)]
    # A record repeated in a later batch: this transaction takes its own lock again.
    grown = made[3].add("acknowledged", at=T0 + timedelta(days=9), by=MANAGER)
    assert store.save_many([*made, grown]) == 121
    assert store.load(Complaint, made[3].id) == grown
    store.append_event(Complaint, made[0].id, Event("acknowledged", T0 + timedelta(days=1)))
    with pytest.raises(HistoryRewriteError):
        store.save_many([complaint(500), made[5].evolve(channel="letter")])
    with pytest.raises(RecordNotFoundError):
        store.append_event(Complaint, "c-9999", Event("acknowledged", T0 + timedelta(days=1)))
    assert store.delete(Complaint, made[1].id)
    assert _locks_left(store.url) == []
    assert store.count(Complaint) == 119
    assert store.verify() == []


def test_a_lock_row_left_behind_is_taken_over(store: PostgresStore) -> None:
    # Nothing the store does leaves one (the previous test); a hand-made one must not wedge it.
    RawSQL(store).execute(
        "INSERT INTO qse_record_locks (type, id, holder) VALUES ('complaint', 'c-0001', 1)"
    )
    store.save(complaint(1))
    assert store.load(Complaint, "c-0001") == complaint(1)
    assert _locks_left(store.url) == []


def test_writers_of_the_same_records_new_and_old_lose_and_overwrite_nothing(
    postgres_url: str,
) -> None:
    """Four connections, round after round at the same moment, each save a batch holding the
    round's new record (each writer its own version of it: the first to commit wins, the others
    are refused) and some existing records in its own order, each with a note of its own."""
    writers, rounds = 4, 12
    existing = [f"c-{n:04d}" for n in range(6)]
    with PostgresStore(postgres_url) as store:
        store.save_many(complaint(n) for n in range(len(existing)))
    barrier = threading.Barrier(writers)
    saved: list[tuple[int, int, list[str]]] = []
    refused: list[tuple[int, int]] = []
    errors: list[BaseException] = []

    def note(writer: int, round_number: int) -> Event:
        return Event("note_added", T0 + timedelta(hours=1), STAFF, {"w": writer, "r": round_number})

    def work(writer: int) -> None:
        rng = random.Random(writer)
        try:
            with PostgresStore(postgres_url) as store:
                for round_number in range(rounds):
                    ids = rng.sample(existing, rng.randint(1, 4))
                    batch = [
                        store.load(Complaint, i).with_event(note(writer, round_number)) for i in ids
                    ]
                    new = complaint(100 + round_number, hours=writer / 10)  # its own version
                    batch.insert(
                        rng.randint(0, len(batch)), new.with_event(note(writer, round_number))
                    )
                    barrier.wait(timeout=60)
                    try:
                        store.save_many(batch)
                        saved.append((writer, round_number, [r.id for r in batch]))
                    except HistoryRewriteError:
                        refused.append((writer, round_number))
        except BaseException as error:  # reported below, in the test's own thread
            barrier.abort()
            errors.append(error)

    threads = [threading.Thread(target=work, args=(writer,)) for writer in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with PostgresStore(postgres_url) as store:
        assert store.verify() == []
        notes = {
            record.id: [(e.data["w"], e.data["r"]) for e in record.events[1:]]
            for record in store.stream(Complaint)
        }
    expected: dict[str, list[tuple[int, int]]] = {}
    for writer, round_number, ids in saved:
        for record_id in ids:
            expected.setdefault(record_id, []).append((writer, round_number))
    # Every acknowledged note is there once, and nothing of a refused batch is.
    assert {i: sorted(n) for i, n in notes.items()} == {i: sorted(n) for i, n in expected.items()}
    for round_number in range(rounds):  # exactly one version of each new record won
        winners = [w for w, r, ids in saved if r == round_number]
        assert len(winners) == 1, (round_number, winners)
    assert len(refused) == rounds * (writers - 1)


def test_saves_of_many_batches_in_opposite_orders_end_whole_or_not_at_all(
    postgres_url: str,
) -> None:
    """Each batch locks its keys in order, but a save_many of several batches holds them until
    it commits: two over the same records in opposite orders can wait for each other, which
    PostgreSQL detects. The one it fails writes nothing and says to retry; nothing is half
    written; the other commits whole."""
    versions = {
        writer: [
            complaint(n).add("acknowledged", at=T0 + timedelta(hours=1 + writer), by=MANAGER)
            for n in range(200)
        ]
        for writer in (0, 1)
    }
    outcomes: dict[int, BaseException | None] = {}

    def save(writer: int) -> None:
        with PostgresStore(postgres_url, batch_size=50) as store:
            batch = versions[writer] if writer == 0 else versions[writer][::-1]
            try:
                store.save_many(batch)
                outcomes[writer] = None
            except BaseException as error:
                outcomes[writer] = error

    threads = [threading.Thread(target=save, args=(writer,)) for writer in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(outcomes) == [0, 1]
    winners = [writer for writer, error in outcomes.items() if error is None]
    assert len(winners) == 1, outcomes  # the other collided, or came second and was refused
    for error in outcomes.values():
        if error is not None and not isinstance(error, HistoryRewriteError):
            assert isinstance(error, StoreError), error
            assert "nothing was written: retry" in str(error)
    with PostgresStore(postgres_url) as store:
        assert list(store.stream(Complaint)) == versions[winners[0]]
        assert store.verify() == []
        assert _locks_left(store.url) == []


def test_a_writer_held_up_too_long_gets_a_clear_error(postgres_url: str) -> None:
    with PostgresStore(postgres_url) as store:
        store.save(complaint(1))
    _, schema = parse_postgres_url(postgres_url)
    blocker = raw(postgres_url)
    try:
        with blocker.transaction():
            blocker.execute(f"SELECT 1 FROM {schema}.qse_records FOR UPDATE")
            with PostgresStore(f"{postgres_url}&options=-c%20lock_timeout%3D100") as store:
                with pytest.raises(StoreError, match="waited too long for another writer"):
                    store.append_event(Complaint, "c-0001", Event("acknowledged", T0, MANAGER))
                assert store.load(Complaint, "c-0001") == complaint(1)  # readers do not wait
    finally:
        blocker.close()
    with PostgresStore(postgres_url) as store:
        assert store.load(Complaint, "c-0001") == complaint(1)


def test_a_dropped_connection_is_reported_then_reopened(postgres_url: str) -> None:
    name = f"dropped-{uuid.uuid4().hex[:12]}"
    with PostgresStore(f"{postgres_url}&application_name={name}") as store:
        store.save(complaint(1))
        with raw(postgres_url) as admin:  # not named as the store is
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name = %s",
                (name,),
            )
        with pytest.raises(StoreError, match="lost the connection"):
            store.load(Complaint, "c-0001")
        assert store.load(Complaint, "c-0001") == complaint(1)


def test_a_stream_survives_writes_and_failed_writes_on_the_same_store(
    store: PostgresStore,
) -> None:
    store.chunk_size = 3
    store.save_many(complaint(n, hours=n) for n in range(10))
    seen = []
    for record in store.stream(Complaint):
        seen.append(record.id)
        store.append_event(Complaint, record.id, Event("acknowledged", T0 + timedelta(days=1)))
        with pytest.raises(Exception, match=r"feedback|anonymous|earlier"):
            store.append_event(Complaint, record.id, Event("acknowledged", T0 - timedelta(days=1)))
    assert seen == [f"c-{n:04d}" for n in range(10)]
    assert store.count(Complaint, status="acknowledged") == 10


def test_a_stream_abandoned_half_way_releases_its_connection(postgres_url: str) -> None:
    name = f"abandoned-{uuid.uuid4().hex[:12]}"
    with PostgresStore(f"{postgres_url}&application_name={name}") as store:
        store.chunk_size = 2
        store.save_many(complaint(n, hours=n) for n in range(6))
        for _ in range(5):
            stream = store.stream(Complaint)
            next(stream)
            stream.close()
        with raw(postgres_url) as admin:  # not named as the store is
            connections, open_cursors = admin.execute(
                "SELECT count(*), count(*) FILTER (WHERE state = 'idle in transaction') "
                "FROM pg_stat_activity WHERE application_name = %s",
                (name,),
            ).fetchone()
    assert connections <= 3  # the store's own and at most two kept for reading
    assert open_cursors == 0


def _peak_while_streaming(store: PostgresStore) -> int:
    tracemalloc.start()
    try:
        count = sum(1 for _ in store.stream(Complaint))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == store.count(Complaint)
    return peak


def test_streaming_memory_does_not_grow_with_the_number_of_records(
    postgres_cluster: Cluster,
) -> None:
    peaks = []
    for n in (2_000, 12_000):
        with PostgresStore(postgres_cluster.store_url()) as store:
            store.save_many(complaint(i, hours=i / 10) for i in range(n))
            peaks.append(_peak_while_streaming(store))
    assert peaks[1] < 1.5 * peaks[0], peaks


def test_an_enquiry_and_a_complaint_stream_separately(store: PostgresStore) -> None:
    store.save(complaint(1))
    store.save(Enquiry.receive(id="e-1", at=T0, by=MANAGER, channel="email"))
    assert [r.id for r in store.stream(Enquiry)] == ["e-1"]
    assert [r.id for r in store.stream("complaint")] == ["c-0001"]


def test_ids_sort_by_code_point_whatever_the_collation(store: PostgresStore) -> None:
    ids = ["B", "a", "Z-1", "z", "é", "_x", "10", "9"]
    store.save_many(complaint(0).evolve(id=record_id) for record_id in ids)
    assert [r.id for r in store.stream(Complaint)] == sorted(ids)


def test_times_are_indexed_exactly(store: PostgresStore) -> None:
    # One microsecond before midnight: the last moment before ``until`` (records' times start in
    # 1990, so no time before 1970 is stored).
    early = complaint(1).evolve(
        events=(Event("received", datetime(1999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)),)
    )
    store.save(early)
    page = store.list(Complaint, until=datetime(2000, 1, 1, tzinfo=UTC))
    assert [r.id for r in page] == ["c-0001"]


def test_a_pendulum_clock_stamps_plain_datetimes(postgres_url: str) -> None:
    """A store whose clock gives pendulum DateTimes stamps plain datetimes (the same instants)."""
    import pendulum

    moment = pendulum.datetime(2026, 3, 2, 10, 30, tz="Europe/London")
    with PostgresStore(postgres_url) as store:
        store.clock = lambda: moment  # type: ignore[method-assign]
        store.save(complaint(1))
        stamps = [e.recorded_at for e in store.load(Complaint, "c-0001").events]
    assert stamps == [moment]
    assert all(type(stamp) is datetime for stamp in stamps)
