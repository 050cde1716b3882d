"""A throw-away PostgreSQL server on loopback for the tests, started once per test session.

Test modules load it with ``pytest_plugins = ("postgres_server",)`` and ask for
``postgres_url`` (the URL of a new, empty store: a schema of its own) or ``postgres_cluster``.
The cluster is made with ``initdb`` in a temporary folder and started with ``pg_ctl`` on a free
port of 127.0.0.1 (trust authentication: nothing but this machine can reach it), then stopped
and deleted at the end of the session. As root it runs as the ``postgres`` user (or ``nobody``),
because PostgreSQL refuses to run as root.

The binaries are looked for in ``$QSE_POSTGRES_BINDIR``, ``pg_config --bindir``, the folder of
``initdb`` on the PATH and ``/usr/lib/postgresql/*/bin`` (newest first). Without them, or without
psycopg, the tests that need the server are skipped, unless ``QSE_REQUIRE_SERVERS=1`` (as in CI),
where they fail instead.

``benchmarks/postgres.py`` starts its server with :class:`Cluster` too.
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

REQUIRE_SERVERS_ENV = "QSE_REQUIRE_SERVERS"
BINDIR_ENV = "QSE_POSTGRES_BINDIR"
_NEEDED = ("initdb", "pg_ctl", "postgres")


def _version_key(folder: Path) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", folder.parent.name)) or (0,)


def find_bindir() -> Path | None:
    """The folder holding PostgreSQL's server binaries (initdb, pg_ctl, postgres), or None."""
    candidates: list[Path] = []
    if os.environ.get(BINDIR_ENV):
        candidates.append(Path(os.environ[BINDIR_ENV]))
    pg_config = shutil.which("pg_config")
    if pg_config:
        result = subprocess.run(
            [pg_config, "--bindir"], capture_output=True, text=True, check=False
        )
        if result.returncode == 0 and result.stdout.strip():
            candidates.append(Path(result.stdout.strip()))
    initdb = shutil.which("initdb")
    if initdb:
        candidates.append(Path(initdb).resolve().parent)
    candidates.extend(
        sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=_version_key, reverse=True)
    )
    for folder in candidates:
        if all(os.access(folder / name, os.X_OK) for name in _NEEDED):
            return folder
    return None


def _unprivileged_user() -> pwd.struct_passwd | None:
    """The user to run the server as: None when not root, else ``postgres`` or ``nobody``."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise RuntimeError("running as root and neither a postgres nor a nobody user exists")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Cluster:
    """A PostgreSQL cluster in a temporary folder, serving 127.0.0.1 on a free port.

    ``durable=False`` (the tests) turns off fsync: the tests kill clients, never the server, so
    they need no protection against a power cut, and run faster; the benchmark keeps it on.
    """

    def __init__(self, bindir: Path, *, durable: bool = False) -> None:
        self.bindir = bindir
        self.durable = durable
        self.folder = Path(tempfile.mkdtemp(prefix="qse-postgres-"))
        self.data = self.folder / "data"
        self.log = self.folder / "server.log"
        self.user = _unprivileged_user()
        self.port = 0
        if self.user is not None:
            os.chown(self.folder, self.user.pw_uid, self.user.pw_gid)

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        user = self.user
        result = subprocess.run(
            [str(self.bindir / args[0]), *args[1:]],
            cwd=self.folder,
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, "LC_ALL": "C", "LANG": "C"},
            user=user.pw_uid if user is not None else None,
            group=user.pw_gid if user is not None else None,
            extra_groups=[] if user is not None else None,
        )
        return result

    def start(self) -> str:
        """Create and start the cluster; return the URL of its ``postgres`` database."""
        made = self._run(
            "initdb", "-D", str(self.data), "-U", "qse", "-A", "trust", "-E", "UTF8",
            "--locale=C", "--no-sync",
        )  # fmt: skip
        if made.returncode != 0:
            raise RuntimeError(f"initdb failed: {made.stdout}{made.stderr}")
        settings = [
            "-c listen_addresses=127.0.0.1",
            f"-c unix_socket_directories={self.folder}",
            "-c max_connections=100",
            "-c shared_buffers=64MB",
        ]
        if not self.durable:
            settings += ["-c fsync=off", "-c full_page_writes=off", "-c synchronous_commit=off"]
        failure = ""
        for _ in range(5):  # another program may take the free port before the server does
            self.port = _free_port()
            started = self._run(
                "pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60",
                "-o", " ".join([f"-p {self.port}", *settings]), "start",
            )  # fmt: skip
            if started.returncode == 0:
                return self.url
            failure = started.stdout + started.stderr + self._log_tail()
        raise RuntimeError(f"pg_ctl could not start the server: {failure}")

    def _log_tail(self) -> str:
        try:
            return self.log.read_text(errors="replace")[-2000:]
        except OSError:
            return ""

    @property
    def url(self) -> str:
        """The URL of the cluster's ``postgres`` database (no schema: ``public``)."""
        return f"postgresql://qse@127.0.0.1:{self.port}/postgres"

    def store_url(self) -> str:
        """The URL of a new, empty store: a schema of its own in the ``postgres`` database."""
        return f"{self.url}?schema=t_{uuid.uuid4().hex[:20]}"

    def stop(self) -> None:
        """Stop the server at once and delete the cluster."""
        if self.data.exists():
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)


def unavailable() -> str | None:
    """Why the server cannot be started here (no psycopg, no binaries), or None if it can."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed: pip install 'qse-customer[postgres]'"
    if find_bindir() is None:
        return "no PostgreSQL server binaries (initdb, pg_ctl): apt-get install postgresql"
    return None


def require_or_skip(reason: str) -> None:
    """Skip the test for ``reason``, or fail it when ``QSE_REQUIRE_SERVERS=1``."""
    if os.environ.get(REQUIRE_SERVERS_ENV) == "1":
        pytest.fail(f"{reason} (and {REQUIRE_SERVERS_ENV}=1 requires the server)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[Cluster]:
    """A running throw-away PostgreSQL cluster, for the whole test session."""
    reason = unavailable()
    bindir = find_bindir()
    if reason is not None or bindir is None:
        require_or_skip(reason or "no PostgreSQL server binaries")
        raise AssertionError("unreachable: require_or_skip raises")
    cluster = Cluster(bindir)
    try:
        cluster.start()
    except BaseException:
        cluster.stop()
        raise
    yield cluster
    cluster.stop()


@pytest.fixture
def postgres_url(postgres_cluster: Cluster) -> str:
    """The URL of a new, empty PostgreSQL store (a schema of its own)."""
    return postgres_cluster.store_url()
