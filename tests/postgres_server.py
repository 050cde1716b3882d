"""The tests' throw-away PostgreSQL server on loopback, started once per test session.

Test modules load it with ``pytest_plugins = ("postgres_server",)`` and ask for
``postgres_url`` (the URL of a new, empty store: a schema of its own) or ``postgres_cluster``
(a :class:`qse_customer.testing.servers.PostgresCluster`, made with ``initdb`` in a temporary
folder, trust authentication on 127.0.0.1, stopped and deleted at the end of the session).
Without the server binaries or psycopg the tests that need it are skipped, unless
``QSE_REQUIRE_SERVERS=1`` (as in CI), where they fail instead.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from qse_customer.testing.servers import (
    REQUIRE_SERVERS_ENV,
    PostgresCluster,
    find_postgres_bindir,
    postgres_unavailable,
)


def require_or_skip(reason: str) -> None:
    """Skip the test for ``reason``, or fail it when ``QSE_REQUIRE_SERVERS=1``."""
    if os.environ.get(REQUIRE_SERVERS_ENV) == "1":
        pytest.fail(f"{reason} (and {REQUIRE_SERVERS_ENV}=1 requires the server)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresCluster]:
    """A running throw-away PostgreSQL cluster, for the whole test session."""
    reason = postgres_unavailable()
    bindir = find_postgres_bindir()
    if reason is not None or bindir is None:
        require_or_skip(reason or "no PostgreSQL server binaries")
        raise AssertionError("unreachable: require_or_skip raises")
    cluster = PostgresCluster(bindir)
    try:
        cluster.start()
    except BaseException:
        cluster.stop()
        raise
    yield cluster
    cluster.stop()


@pytest.fixture
def postgres_url(postgres_cluster: PostgresCluster) -> str:
    """The URL of a new, empty PostgreSQL store (a schema of its own)."""
    return postgres_cluster.store_url()
