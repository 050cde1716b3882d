"""Throw-away servers on loopback for tests: PostgreSQL clusters and SMTP servers.

Tests (ours and a vendor's: run the store contract against PostgreSQL with
:class:`PostgresCluster`) and benchmarks start their servers here, each on a free port of
127.0.0.1, retried on another port when a program takes the first between the probe and the
server's start (:func:`on_free_port`).

The PostgreSQL binaries are looked for in ``$QSE_POSTGRES_BINDIR``, ``pg_config --bindir``, the
folder of ``initdb`` on the PATH and ``/usr/lib/postgresql/*/bin`` (newest first); as root the
server runs as the ``postgres`` user (or ``nobody``), because PostgreSQL refuses to run as root.
The SMTP server needs ``aiosmtpd`` (in the ``test`` extra).
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
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

LOOPBACK = "127.0.0.1"
ATTEMPTS = 5


class PortTaken(RuntimeError):
    """A server could not start on the port it was given (another program may hold it)."""


def free_port() -> int:
    """A TCP port of 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        port: int = probe.getsockname()[1]
        return port


def on_free_port(start: Callable[[int], T], *, attempts: int = ATTEMPTS) -> T:
    """``start(port)`` on a free port, again on another when it raises :class:`PortTaken` or
    :class:`OSError` (the port was taken after the probe); the last error after ``attempts``."""
    failure: Exception | None = None
    for _ in range(attempts):
        try:
            return start(free_port())
        except (PortTaken, OSError) as error:
            failure = error
    assert failure is not None
    raise failure


def smtp_server(handler: Any, **options: Any) -> Any:
    """A started ``aiosmtpd`` controller serving ``handler`` on a free port of 127.0.0.1 (its
    ``port`` attribute says which); stop it with ``.stop()``."""
    from aiosmtpd.controller import Controller

    def start_on(port: int) -> Any:
        controller = Controller(handler, hostname=LOOPBACK, port=port, **options)
        controller.start()
        return controller

    return on_free_port(start_on)


REQUIRE_SERVERS_ENV = "QSE_REQUIRE_SERVERS"
BINDIR_ENV = "QSE_POSTGRES_BINDIR"
_NEEDED = ("initdb", "pg_ctl", "postgres")


def _version_key(folder: Path) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", folder.parent.name)) or (0,)


def find_postgres_bindir() -> Path | None:
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


class PostgresCluster:
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

        def start_on(port: int) -> str:
            self.port = port
            started = self._run(
                "pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60",
                "-o", " ".join([f"-p {port}", *settings]), "start",
            )  # fmt: skip
            if started.returncode != 0:
                failure = started.stdout + started.stderr + self._log_tail()
                raise PortTaken(f"pg_ctl could not start the server: {failure}")
            return self.url

        return on_free_port(start_on)

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


def postgres_unavailable() -> str | None:
    """Why the server cannot be started here (no psycopg, no binaries), or None if it can."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed: pip install 'qse-customer[postgres]'"
    if find_postgres_bindir() is None:
        return "no PostgreSQL server binaries (initdb, pg_ctl): apt-get install postgresql"
    return None
