"""Many labs in one PostgreSQL store, against a real server: row-level security keeps a store
opened for one lab from reading another lab's rows even through raw SQL on its own connection,
and a single-lab store migrates to a home lab with every document and chain unchanged."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest

from qse_customer import Complaint, Event
from qse_customer.notifiers import Notification, NotificationKind
from qse_customer.stores import StoreError, open_store
from qse_customer.stores.labs import migrate_to_lab
from qse_customer.stores.postgres import PostgresStore, parse_postgres_url
from qse_customer.testing.store_contract import T0, complaint

NOTICE = Notification(NotificationKind.BREACHED, "complaint", "c-0001", T0, rule_id="T-1")

pytestmark = pytest.mark.slow  # a real PostgreSQL server

if TYPE_CHECKING:
    from qse_customer.testing.servers import PostgresCluster

pytest_plugins = ("postgres_server",)


def superuser(url: str) -> Any:
    """A connection as the cluster's superuser (row-level security does not hold it)."""
    import psycopg

    conninfo, _ = parse_postgres_url(url)
    return psycopg.connect(conninfo, autocommit=True)


@pytest.fixture
def app_url(postgres_cluster: PostgresCluster) -> Iterator[str]:
    """The URL of a new store for an application role that is neither a superuser nor
    BYPASSRLS: it owns the store's schema, so the store's tables are its own."""
    role = f"app_{uuid.uuid4().hex[:12]}"
    schema = f"t_{uuid.uuid4().hex[:20]}"
    with superuser(postgres_cluster.url) as db:
        db.execute(f"CREATE ROLE {role} LOGIN NOSUPERUSER NOBYPASSRLS")
        db.execute(f"CREATE SCHEMA {schema} AUTHORIZATION {role}")
        db.execute(f"GRANT CREATE ON DATABASE postgres TO {role}")
    yield f"postgresql://{role}@127.0.0.1:{postgres_cluster.port}/postgres?schema={schema}"
    with superuser(postgres_cluster.url) as db:
        db.execute(f"DROP SCHEMA {schema} CASCADE")
        db.execute(f"DROP OWNED BY {role}")
        db.execute(f"DROP ROLE {role}")


def test_raw_sql_on_a_lab_s_connection_cannot_read_another_lab_s_rows(
    app_url: str, postgres_cluster: PostgresCluster
) -> None:
    with (
        open_store(app_url) as default,
        open_store(app_url, lab="LAB-A") as lab_a,
        open_store(app_url, lab="LAB-B") as lab_b,
    ):
        default.save(complaint(1))
        lab_a.save(complaint(2).evolve(lab="LAB-A"))
        lab_b.save_many([complaint(3).evolve(lab="LAB-B"), complaint(2).evolve(lab="LAB-B")])
        for handle in (lab_a, lab_b, default):
            handle.add_notifications([NOTICE], notifiers=["log"])
        assert isinstance(lab_a, PostgresStore)
        # A caller's bug: SQL with no filter of its own, on the store's own connection.
        db = lab_a._connection()
        assert db.execute("SELECT lab FROM qse_notifications").fetchall() == [("LAB-A",)]
        assert db.execute("SELECT lab FROM qse_deliveries").fetchall() == [("LAB-A",)]
        assert db.execute("SELECT lab, id FROM qse_records ORDER BY id").fetchall() == [
            ("LAB-A", "c-0002")
        ]
        assert db.execute("SELECT count(*) FROM qse_records WHERE lab = 'LAB-B'").fetchone() == (0,)
        assert db.execute("UPDATE qse_records SET status = 'x' WHERE lab <> 'LAB-A'").rowcount == 0
        assert db.execute("DELETE FROM qse_records WHERE lab = 'LAB-B'").rowcount == 0
        import psycopg

        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            db.execute("UPDATE qse_records SET lab = 'LAB-B'")  # moving a row out is refused
        # The tables are the application role's own: only FORCE ROW LEVEL SECURITY holds it.
        owner, forced = db.execute(
            "SELECT pg_get_userbyid(relowner), relforcerowsecurity FROM pg_class "
            "WHERE oid = 'qse_records'::regclass"
        ).fetchone()
        assert owner == db.execute("SELECT current_user").fetchone()[0] and forced is True
        assert lab_b.count(Complaint) == 2  # all still there, for their own lab
        assert [r.id for r in default.stream(Complaint)] == ["c-0001"]
    # A connection of the same role that never names a lab sees no record at all.
    import psycopg

    conninfo, schema = parse_postgres_url(app_url)
    with psycopg.connect(conninfo, autocommit=True) as plain:
        assert plain.execute(f"SELECT count(*) FROM {schema}.qse_records").fetchone() == (0,)
    with superuser(postgres_cluster.url) as db:
        assert db.execute(f"SELECT count(*) FROM {schema}.qse_records").fetchone() == (4,)
        assert db.execute(f"SELECT count(*) FROM {schema}.qse_deliveries").fetchone() == (3,)


def test_a_single_lab_store_migrates_keeping_every_document_and_chain(
    app_url: str, postgres_cluster: PostgresCluster
) -> None:
    _, schema = parse_postgres_url(app_url)
    with open_store(app_url) as store:
        store.save_many([complaint(n, hours=n) for n in range(5)])
        store.append_event(Complaint, "c-0001", Event("note_added", T0 + timedelta(days=1)))
        store.add_notifications([NOTICE], notifiers=["log"])
    with superuser(postgres_cluster.url) as db:
        before = db.execute(
            f"SELECT id, document::text, evidence::text FROM {schema}.qse_records ORDER BY id"
        ).fetchall()
    with open_store(app_url) as store:
        assert migrate_to_lab(store, "LAB-7") == 5  # as the tables' owner, not a superuser
        assert store.verify() == []
        assert store.count(Complaint) == 5  # the default view is now the home lab's
        with pytest.raises(StoreError, match="already has the home lab"):
            migrate_to_lab(store, "LAB-8")
    with superuser(postgres_cluster.url) as db:
        after = db.execute(
            f"SELECT id, document::text, evidence::text FROM {schema}.qse_records ORDER BY id"
        ).fetchall()
        labs = db.execute(f"SELECT DISTINCT lab FROM {schema}.qse_records").fetchall()
        forced = db.execute(
            f"SELECT relforcerowsecurity FROM pg_class WHERE oid = '{schema}.qse_records'::regclass"
        ).fetchone()
    assert after == before and labs == [("LAB-7",)] and forced == (True,)
    with open_store(app_url, lab="LAB-7") as home, open_store(app_url, lab="LAB-8") as other:
        assert [r.id for r in home.stream(Complaint)] == [f"c-{n:04d}" for n in range(5)]
        assert home.verify() == []
        assert other.count(Complaint) == 0
        assert [d.notification for d in home.pending_deliveries()] == [NOTICE]
        assert other.pending_deliveries() == []


def test_a_store_object_opened_before_the_migration_writes_nothing_after_it(
    app_url: str,
) -> None:
    with open_store(app_url) as before:
        before.save(complaint(1))
        with open_store(app_url) as migrating:
            migrate_to_lab(migrating, "LAB-7")
        with pytest.raises(StoreError, match="home lab 'LAB-7' after this store object"):
            before.save(complaint(2))
    with open_store(app_url) as again:
        again.save(complaint(2))
        assert [r.id for r in again.stream(Complaint)] == ["c-0001", "c-0002"]
