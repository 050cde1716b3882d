"""Several processes opening one new store at the same moment (a vendor's application servers
starting together) all open it: none sees the store half-made by another and calls it another
program's database or a damaged store, and none gives up on a lock another opener holds.

Four processes (this file run as a script) open each of many new stores in turn, all starting at
the same moment; and, step by step, another opener's migration commits in the middle of a
PostgreSQL store's first look at its schema."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from qse_customer.stores import _postgres_schema as postgres_schema
from qse_customer.stores.postgres import PostgresStore, parse_postgres_url

pytestmark = pytest.mark.slow  # processes opening one store at once

if TYPE_CHECKING:
    from qse_customer.testing.servers import PostgresCluster as Cluster

pytest_plugins = ("postgres_server",)

OPENERS = 4


def _open_each(urls: list[str], start_at: float) -> None:
    """Open every store of ``urls`` in turn, from ``start_at``; print each failure, exit 1."""
    from qse_customer.stores import open_store

    time.sleep(max(0.0, start_at - time.time()))
    failures = 0
    for url in urls:
        try:
            open_store(url).close()
        except Exception as error:
            failures += 1
            print(f"{url}: {type(error).__name__}: {error}", file=sys.stderr)
    sys.exit(1 if failures else 0)


def _open_at_once(urls: list[str]) -> None:
    start_at = time.time() + 2.0  # every opener has imported the library by then
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    processes = [
        subprocess.Popen(
            [sys.executable, __file__, repr(start_at), *urls],
            stderr=subprocess.PIPE,
            text=True,
            env=environment,
        )
        for _ in range(OPENERS)
    ]
    errors = [process.communicate(timeout=300)[1] for process in processes]
    assert [process.returncode for process in processes] == [0] * OPENERS, "".join(errors)


def test_sqlite_stores_opened_by_four_processes_at_once(tmp_path: Path) -> None:
    urls = [f"sqlite:///{tmp_path / f'new-{i}.db'}" for i in range(40)]
    _open_at_once(urls)
    from qse_customer.stores import open_store

    for url in urls:  # each a complete store, in WAL mode
        with open_store(url) as store:
            assert store.verify() == []
        with closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as db:
            assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_postgresql_stores_opened_by_four_processes_at_once(postgres_cluster: Cluster) -> None:
    urls = [postgres_cluster.store_url() for _ in range(20)]
    _open_at_once(urls)
    for url in urls:
        with PostgresStore(url) as store:
            assert store.verify() == []


class _Interleaved:
    """A connection that runs ``meanwhile`` (on another connection) right after its first
    look at the catalogue, as another process could."""

    def __init__(self, db: Any, meanwhile: Callable[[], object]) -> None:
        self._db = db
        self._meanwhile = meanwhile
        self.fired = False

    def execute(self, query: str, params: Any = None) -> Any:
        result = self._db.execute(query, params)
        if not self.fired and "FROM pg_class" in query:
            self.fired = True
            self._meanwhile()
        return result

    def transaction(self) -> Any:
        return self._db.transaction()


def test_postgresql_first_look_is_one_snapshot(postgres_url: str) -> None:
    import psycopg

    conninfo, schema = parse_postgres_url(postgres_url)
    with (
        psycopg.connect(conninfo, autocommit=True) as db,
        psycopg.connect(conninfo, autocommit=True) as other,
    ):
        for connection in (db, other):
            connection.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
            connection.execute(f'SET search_path TO "{schema}"')
        assert postgres_schema.migrate(db, schema, target=1) == [1]

        interleaved = _Interleaved(db, lambda: postgres_schema.migrate(other, schema))
        # The other opener applies migration 2 between this opener's reads of the tables and
        # of the version: this opener must see one state or the other, never a mix of them.
        applied = postgres_schema.migrate(interleaved, schema)  # type: ignore[arg-type]

    assert interleaved.fired
    assert applied == []  # the other opener did it
    with PostgresStore(postgres_url) as store:
        assert store.verify() == []


if __name__ == "__main__":
    _open_each(sys.argv[2:], float(sys.argv[1]))
