"""Issue 14, item 1: a password in a store URL appears in no output of the library.

One redaction (:func:`qse_customer.core.redaction.redact_url`) names every URL the library shows:
reports' header and JSON ``source``, the errors of every store and of ``open_store``, logs,
``explain``, notifications and the command line's messages. The property tests generate secrets
and URLs of every spelling (well-formed, ``postgres://``, ``?password=``, a password left
unencoded, no scheme, a libpq keyword string) and look for the secret in everything written.
"""

from __future__ import annotations

import json
import logging
import string
import traceback
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import qse_customer as qse
from qse_customer.cli.main import main
from qse_customer.core.redaction import redact_url, scrub, secrets_in
from qse_customer.notifiers import FileOutboxNotifier
from qse_customer.plugins.manager import get_plugin_manager
from qse_customer.plugins.markers import hookimpl
from qse_customer.stores import SQLiteStore, StoreError

pytest_plugins = ("postgres_server",)

MONDAY = datetime(2026, 1, 5, 9, tzinfo=UTC)
STAFF = qse.Actor("t-1", "Tara Tech", qse.Role.TECHNOLOGIST)
AT = "2026-01-20T12:00:00+00:00"

# No "*": the mask is "***", and a secret made of asterisks is found in any masked text. The ends
# make each secret one that no honest output holds ("recorded" or "2026-01-05" would be).
secret_texts = st.builds(
    "Pw{}9q".format,
    st.text(
        alphabet=string.ascii_letters + string.digits + "!#$%&()+,-./:;<=>?@[]^_{|}~'\"",
        min_size=4,
        max_size=20,
    ),
)


def _spellings(secret: str, sqlite_path: Path) -> dict[str, str]:
    """Store URLs holding ``secret``, in every spelling a user might type."""
    encoded = quote(secret, safe="")
    return {
        "userinfo": f"postgresql://qse:{encoded}@127.0.0.1:1/lab",
        "userinfo, not encoded": f"postgresql://qse:{secret}@127.0.0.1:1/lab",
        "postgres://": f"postgres://qse:{encoded}@127.0.0.1:1/lab",
        "?password=": f"postgresql://qse@127.0.0.1:1/lab?sslmode=disable&password={encoded}",
        "?password= not encoded": f"postgresql://qse@127.0.0.1:1/lab?password={secret}",
        "?sslpassword=": f"postgresql://qse@127.0.0.1:1/lab?sslpassword={encoded}",
        "sqlite ?password=": f"sqlite:///{sqlite_path}?password={encoded}",
        "sqlite userinfo": f"sqlite://qse:{encoded}@host/{sqlite_path}",
        "unknown scheme": f"mysql://qse:{secret}@db.lab.example/lis",
        "no scheme": f"qse:{encoded}@127.0.0.1:1/lab",
        "keyword string": f"host=127.0.0.1 port=1 password={encoded}",
        "broken IPv6": f"postgresql://qse:{encoded}@[::1/lab",
    }


def _forms(secret: str) -> set[str]:
    return {secret, quote(secret, safe=""), quote(secret)}


# -- the redaction itself -------------------------------------------------------------------------


@given(secret=secret_texts, spelling=st.sampled_from(sorted(_spellings("x", Path("lab.db")))))
def test_passwords_in_store_urls_leak(secret: str, spelling: str) -> None:
    url = _spellings(secret, Path("lab.db"))[spelling]
    shown = redact_url(url)
    assert not [form for form in _forms(secret) if form in shown], shown
    assert "***" in shown


@given(
    secret=secret_texts,
    user=st.text(alphabet=string.ascii_lowercase, min_size=1, max_size=8),
    host=st.from_regex(r"[a-z]{1,10}(\.[a-z]{2,5}){0,2}", fullmatch=True),
    port=st.integers(1, 65535),
)
def test_a_well_formed_url_keeps_everything_but_its_password(
    secret: str, user: str, host: str, port: int
) -> None:
    encoded = quote(secret, safe="")
    url = f"postgresql://{user}:{encoded}@{host}:{port}/lis?schema=lab&sslmode=require"
    expected = f"postgresql://{user}:***@{host}:{port}/lis?schema=lab&sslmode=require"
    assume(not any(form in expected for form in _forms(secret)))  # a user named as the password
    assert redact_url(url) == expected
    assert redact_url(f"{url}&password={encoded}") == f"{expected}&password=***"


@given(
    path=st.text(alphabet=string.ascii_letters + string.digits + "/._-", min_size=1),
    host=st.from_regex(r"[a-z]{1,10}", fullmatch=True),
)
def test_a_url_without_secrets_is_shown_as_it_is(path: str, host: str) -> None:
    for url in (
        f"sqlite:///{path}",
        f"sqlite:///{path}?timeout=5&synchronous=normal",
        f"postgresql://qse@{host}:5432/lis?schema=lab",
        "memory://",
        f"smtp://{host}?from=qse@lab.example&to=a@lab.example",
    ):
        assert redact_url(url) == url


def test_secrets_in_reads_every_spelling() -> None:
    assert secrets_in("postgresql://qse:S3cr3t@db/lis") == {"S3cr3t"}
    assert "p@ss" in secrets_in("postgresql://qse:p%40ss@db/lis")
    assert "pa/ss" in secrets_in("postgresql://qse:pa/ss@db/lis")
    assert "se cret" in secrets_in("host=db password='se cret'")
    assert secrets_in("sqlite:///lab.db?timeout=5") == frozenset()
    assert scrub("failed for S3cr3t at db", {"S3cr3t"}) == "failed for *** at db"


def test_redaction_of_what_is_not_text() -> None:
    assert redact_url(None) == "<NoneType>"
    assert redact_url(b"postgresql://qse:S3cr3t@db") == "<bytes>"


# -- errors of every store and of open_store ------------------------------------------------------


class CarelessStores:
    """A plugin store that names its URL in full wherever it can: in ``where``, in its own
    errors and in the exceptions it lets escape. The library must still show no secret."""

    @hookimpl
    def qse_storage_backends(self) -> Mapping[str, Callable[[str], qse.Store]]:
        return {"vault": self.open}

    @staticmethod
    def open(url: str) -> qse.Store:
        path = unquote(url.rpartition("@")[2])
        if path.startswith("qse-error/"):
            raise StoreError(f"cannot open {url}: no such vault")
        if path.startswith("crash/"):
            raise RuntimeError(f"driver failed on {url}")
        store = SQLiteStore(path)
        store.where = url
        return store


@pytest.fixture
def careless_plugin() -> Iterator[None]:
    manager = get_plugin_manager()
    manager.register(CarelessStores(), "careless-stores")
    try:
        yield
    finally:
        manager.unregister("careless-stores")


def _every_text_of(error: BaseException) -> str:
    return "".join(traceback.format_exception(error)) + repr(error)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(secret=secret_texts)
def test_open_store_errors_never_hold_the_password(
    careless_plugin: None, tmp_path: Path, secret: str
) -> None:
    encoded = quote(secret, safe="")
    urls = [
        *_spellings(secret, tmp_path / "missing" / "lab.db").values(),
        f"vault://qse:{encoded}@qse-error/x",
        f"vault://qse:{encoded}@crash/x",
        f"memory://qse:{encoded}@host",
        f"sqlite:///{tmp_path}/lab.db?timeout=5&token={encoded}",
    ]
    for url in urls:
        with pytest.raises(qse.QSEError) as raised:
            qse.open_store(url).close()
        text = _every_text_of(raised.value)
        assert not {form for form in _forms(secret) if form in text}, (url, text)


# -- every command, every output ------------------------------------------------------------------


def _lab(path: Path) -> Path:
    """An SQLite store with a late telephone enquiry and a complaint, for the commands to read."""
    late = qse.Enquiry.receive(id="ENQ-LATE", at=MONDAY, by=STAFF, channel="telephone")
    late = late.add("responded", at=MONDAY + timedelta(days=6), by=STAFF)
    complaint = qse.Complaint.receive(
        id="C-1", at=MONDAY, by=STAFF, channel="form", category="Delay"
    )
    with SQLiteStore(path) as store:
        store.save_many([late, complaint], legacy=True)
    return path


def _records_file(folder: Path) -> Path:
    more = qse.Complaint.receive(id="C-2", at=MONDAY, by=None, channel="web", category="Tone")
    path = folder / "more.jsonl"
    path.write_text(qse.to_json(more) + "\n", "utf-8")
    return path


def _commands(url: str, folder: Path, records: Path) -> list[list[str]]:
    """Every command that takes a store, each writing every output it can."""
    rulesets = ["--ruleset", "customer-service-standards"]
    return [
        ["check", "--store", url, *rulesets, "--at", AT],
        ["check", "--store", url, *rulesets, "--at", AT, "--format", "json",
         "--output", str(folder / "report.json")],
        ["check", "--store", url, *rulesets, "--at", AT, "--format", "html",
         "--output", str(folder / "report.html")],
        ["import", "--store", url, str(records)],
        ["export", "--store", url],
        ["export", "--store", url, "--output", str(folder / "export.jsonl")],
        ["notify", "--store", url, *rulesets, "--at", AT],
        ["explain", "T-1", "ENQ-LATE", "--store", url, *rulesets, "--at", AT],
        ["explain", "T-1", "ENQ-LATE", "--store", url, *rulesets, "--at", AT, "--json"],
        ["explain", "T-1", "NO-SUCH", "--store", url, *rulesets, "--at", AT],
        ["--debug", "check", "--store", url, "--ruleset", "no-such-ruleset"],
    ]  # fmt: skip


def _written(folder: Path) -> str:
    return "".join(
        path.read_text("utf-8", errors="replace") for path in folder.rglob("*") if path.is_file()
    )


def _run_everything(
    url: str,
    folder: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> tuple[list[int], str]:
    """Exit codes of every command run on ``url``, and all they wrote: stdout, stderr, logs,
    and the files in ``folder``."""
    records = _records_file(folder)
    codes = []
    shown = []
    with caplog.at_level(logging.DEBUG):
        for command in _commands(url, folder, records):
            codes.append(main(command))
            captured = capsys.readouterr()
            shown.extend([captured.out, captured.err])
    return codes, "".join(shown) + caplog.text + _written(folder)


@settings(
    max_examples=25,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(secret=secret_texts, data=st.data())
def test_no_secret_in_any_output_of_any_command(
    tmp_path_factory: pytest.TempPathFactory,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    careless_plugin: None,
    secret: str,
    data: st.DataObject,
) -> None:
    folder = tmp_path_factory.mktemp("secrets")
    lab = _lab(folder / "lab.db")
    spellings = _spellings(secret, lab)
    spellings["a plugin store that works"] = f"vault://qse:{quote(secret, safe='')}@{lab}"
    url = spellings[data.draw(st.sampled_from(sorted(spellings)), label="spelling")]
    caplog.clear()
    codes, everything = _run_everything(url, folder, capsys, caplog)
    assert not {form for form in _forms(secret) if form in everything}
    assert 70 not in codes  # a bad URL is bad input, never a crash


def _with_password(url: str, password: str) -> str:
    return url.replace("postgresql://qse@", f"postgresql://qse:{quote(password, safe='')}@", 1)


def test_every_command_with_a_password_in_the_store_url(
    careless_plugin: None,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The commands succeed on a store whose URL holds a password, and none shows it."""
    password = "S3cr3t-pw/@x"
    lab = _lab(tmp_path / "lab.db")
    url = f"vault://qse:{quote(password, safe='')}@{lab}"
    outbox = tmp_path / "outbox.jsonl"
    manager = get_plugin_manager()
    manager.register(FileOutboxNotifier(outbox), "secret-test-outbox")
    try:
        codes, everything = _run_everything(url, tmp_path, capsys, caplog)
    finally:
        manager.unregister("secret-test-outbox")
    assert codes == [1, 1, 1, 0, 0, 0, 0, 0, 0, 2, 2]
    assert not {form for form in _forms(password) if form in everything}
    report = json.loads((tmp_path / "report.json").read_text("utf-8"))
    assert report["source"] == f"vault://qse:***@{lab}"
    assert "vault://qse:***@" in (tmp_path / "report.html").read_text("utf-8")
    assert outbox.read_text("utf-8").count("\n") == 1  # the breach was notified


def test_every_command_with_a_password_in_a_postgresql_url(
    postgres_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The same on PostgreSQL: the test server trusts loopback, so any password connects."""
    password = "S3cr3t-pg:/?#@x"
    with SQLiteStore(_lab(tmp_path / "lab.db")) as source:
        records = [*source.stream("enquiry"), *source.stream("complaint")]
    with qse.open_store(postgres_url) as store:
        store.save_many(records, legacy=True)
    for url in (
        _with_password(postgres_url, password),
        f"{postgres_url}&password={quote(password, safe='')}",
    ):
        folder = tmp_path / f"run-{len(list(tmp_path.iterdir()))}"
        folder.mkdir()
        caplog.clear()
        codes, everything = _run_everything(url, folder, capsys, caplog)
        assert codes[:9] == [1, 1, 1, 0, 0, 0, 0, 0, 0]
        assert not {form for form in _forms(password) if form in everything}
        report: dict[str, Any] = json.loads((folder / "report.json").read_text("utf-8"))
        assert "***" in report["source"] and "127.0.0.1" in report["source"]
