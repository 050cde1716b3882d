"""The SMTP notifier against real SMTP servers on loopback: aiosmtpd (plain, STARTTLS with login,
implicit TLS) and a scripted socket server that drops the connection at chosen moments."""

from __future__ import annotations

import email
import logging
import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.message import Message
from email.policy import default as DEFAULT_POLICY
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import qse_customer as qse
from qse_customer.notifiers import Notification, NotificationKind
from qse_customer.notifiers.delivery import notify_due, send
from qse_customer.notifiers.smtp import (
    MESSAGE_FIELDS,
    PLUGIN_NAME,
    SMTPDeliveryError,
    SMTPNotifier,
    SMTPSettings,
    message_id,
    register_from_environment,
)
from qse_customer.plugins import QSEPluginManager
from qse_customer.stores import MemoryStore
from qse_customer.testing.notifications import notifications
from qse_customer.testing.notifier_contract import NotifierContract
from qse_customer.testing.servers import free_port, smtp_server
from qse_customer.testing.strategies import complaints

aiosmtpd_controller = pytest.importorskip("aiosmtpd.controller")
aiosmtpd_smtp = pytest.importorskip("aiosmtpd.smtp")

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
NAME = "smtp"
SENDER = "qse@lab.example"
TO = ("quality@lab.example", "director@lab.example")


class Recorder:
    """An aiosmtpd handler that keeps every accepted message, or refuses as told."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []
        self.refuse_rcpt: dict[str, str] = {}
        self.refuse_data: str | None = None

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if address in self.refuse_rcpt:
            return self.refuse_rcpt[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse_data is not None:
            return self.refuse_data
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted for delivery"

    def parsed(self) -> list[Message]:
        return [email.message_from_bytes(raw, policy=DEFAULT_POLICY) for _, _, raw in self.messages]


def start_server(handler: Recorder, port: int | None = None, **options: Any) -> Any:
    if port is None:
        return smtp_server(handler, **options)
    controller = aiosmtpd_controller.Controller(handler, hostname="127.0.0.1", port=port, **options)
    controller.start()
    return controller


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def server(recorder: Recorder) -> Iterator[Any]:
    controller = start_server(recorder)
    yield controller
    controller.stop()


def settings_for(port: int, **changes: Any) -> SMTPSettings:
    base: dict[str, Any] = {
        "host": "127.0.0.1",
        "port": port,
        "sender": SENDER,
        "recipients": TO,
        "timeout": 5,
    }
    return SMTPSettings(**{**base, **changes})


def manager_with(notifier: SMTPNotifier) -> QSEPluginManager:
    manager = QSEPluginManager(builtins=False, entry_points=False)
    manager.register(notifier, NAME)
    return manager


def breach(record_id: str = "c-1", rule: str = "K-ACK") -> Notification:
    return Notification(NotificationKind.BREACHED, "complaint", record_id, T0, rule, T0)


# -- the message ------------------------------------------------------------------------------


def test_a_breach_arrives_in_plain_words(server: Any, recorder: Recorder) -> None:
    notifier = SMTPNotifier(settings_for(server.port, timezone="Europe/London"))
    notification = Notification(
        NotificationKind.BREACHED,
        "complaint",
        "c-42",
        T0,
        "K-ACK",
        datetime(2026, 1, 7, 17, 0, tzinfo=UTC),
    )
    report = send(MemoryStore(), [notification], at=T0, manager=manager_with(notifier))
    assert report.delivered == ((notification.key, NAME),) and report.ok
    [(sender, recipients, _)] = recorder.messages
    assert (sender, recipients) == (SENDER, list(TO))
    [message] = recorder.parsed()
    assert message["Subject"] == (
        "[qse-customer] Breached: rule K-ACK, complaint c-42, due 2026-01-07 17:00"
    )
    assert message["From"] == SENDER and message["To"] == ", ".join(TO)
    assert message["Message-ID"] == message_id(notification, "lab.example")
    assert message["Auto-Submitted"] == "auto-generated"
    body = message.get_body().get_content().replace("\r\n", "\n")
    assert body.startswith("Rule K-ACK was breached for complaint c-42.\n")
    assert "Status:  breached" in body
    assert "Due:     Wed 07 Jan 2026 17:00 GMT" in body
    assert notification.message in body


def test_fields_the_lab_does_not_allow_are_left_out(server: Any, recorder: Recorder) -> None:
    notifier = SMTPNotifier(settings_for(server.port, fields=("rule_id", "due_at")))
    notification = breach("mrn-0012345")
    notifier.qse_notify(notification)
    [raw] = [raw for _, _, raw in recorder.messages]
    assert b"mrn-0012345" not in raw and b"complaint" not in raw
    [message] = recorder.parsed()
    assert message["Subject"].startswith("[qse-customer] Breached: rule K-ACK, a record")


@settings(max_examples=50)
@given(notification=notifications(), fields=st.sets(st.sampled_from(MESSAGE_FIELDS)))
def test_a_message_shows_only_allowed_fields(notification: Notification, fields: set[str]) -> None:
    if "message" in fields:
        fields.add("record_id")
    notifier = SMTPNotifier(settings_for(2525, fields=tuple(sorted(fields))))
    composed = notifier.compose(notification)
    raw = composed.as_bytes()
    again = notifier.compose(notification)
    assert again["Message-ID"] == composed["Message-ID"]  # the same on every retry
    text = str(composed["Subject"]) + composed.get_body().get_content()
    if "record_id" not in fields and len(notification.record_id) > 3:
        assert notification.record_id not in text
    if "rule_id" in fields and notification.rule_id:
        assert notification.rule_id in text
    if "message" in fields:
        assert notification.message in text
    assert raw.isascii()  # 7-bit clean: any SMTP server takes it


# -- security ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        from postgres_server import require_or_skip

        require_or_skip("the openssl command is not installed, so no test certificate can be made")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
         "-out", str(cert), "-days", "2", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def server_context(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    return context


def test_starttls_and_login(certificate: tuple[Path, Path], recorder: Recorder) -> None:
    logins: list[tuple[bytes, bytes]] = []

    def authenticate(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> Any:
        logins.append((data.login, data.password))
        return aiosmtpd_smtp.AuthResult(success=data == (b"qse", b"s3cret: pw"), handled=False)

    controller = start_server(
        recorder,
        tls_context=server_context(certificate),
        require_starttls=True,
        auth_required=True,
        authenticator=authenticate,
    )
    try:
        url = (
            f"smtp://qse:s3cret%3A%20pw@127.0.0.1:{controller.port}?from={SENDER}"
            f"&to={TO[0]}&starttls=1&cafile={certificate[0]}&timeout=5"
        )
        notifier = SMTPNotifier(url)
        notifier.qse_notify(breach())
        assert logins == [(b"qse", b"s3cret: pw")]
        assert len(recorder.messages) == 1

        wrong = SMTPNotifier(url.replace("s3cret", "wrong"))
        with pytest.raises(SMTPDeliveryError, match="login") as caught:
            wrong.qse_notify(breach("c-2"))
        assert caught.value.code == 535
        assert "wrong" not in str(caught.value) and len(recorder.messages) == 1

        untrusted = SMTPNotifier(url.replace(f"&cafile={certificate[0]}", ""))
        with pytest.raises(SMTPDeliveryError, match="starttls"):
            untrusted.qse_notify(breach("c-3"))
        assert len(recorder.messages) == 1
    finally:
        controller.stop()


def test_starttls_required_but_not_offered_is_a_failure(server: Any, recorder: Recorder) -> None:
    notifier = SMTPNotifier(settings_for(server.port, security="starttls"))
    with pytest.raises(SMTPDeliveryError, match="does not offer STARTTLS"):
        notifier.qse_notify(breach())
    assert recorder.messages == []


def test_implicit_tls(certificate: tuple[Path, Path], recorder: Recorder) -> None:
    controller = start_server(recorder, ssl_context=server_context(certificate))
    try:
        notifier = SMTPNotifier(
            f"smtps://127.0.0.1:{controller.port}?from={SENDER}&to={TO[0]}"
            f"&cafile={certificate[0]}&timeout=5"
        )
        notifier.qse_notify(breach())
        assert len(recorder.messages) == 1
    finally:
        controller.stop()


# -- refusals, drops and retries --------------------------------------------------------------


def run(store: MemoryStore, notifier: SMTPNotifier, at: datetime) -> Any:
    return send(store, [breach()], at=at, manager=manager_with(notifier))


@pytest.mark.parametrize(
    "refuse",
    [
        {"rcpt": "550 5.1.1 No such user"},
        {"rcpt": "451 4.3.0 Try again later"},
        {"data": "451 4.3.0 Try again later"},
        {"data": "554 5.7.1 Rejected"},
    ],
    ids=["rcpt-550", "rcpt-451", "data-451", "data-554"],
)
def test_a_refusal_stays_pending_and_is_delivered_once_when_fixed(
    server: Any,
    recorder: Recorder,
    refuse: dict[str, str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    if "rcpt" in refuse:
        recorder.refuse_rcpt[TO[1]] = refuse["rcpt"]  # one of two recipients: nobody gets it
    else:
        recorder.refuse_data = refuse["data"]
    store = MemoryStore()
    notifier = SMTPNotifier(settings_for(server.port))
    with caplog.at_level(logging.ERROR, logger="qse_customer.notifiers.delivery"):
        first = run(store, notifier, T0)
    [failure] = first.failed
    assert failure.notifier == NAME and "SMTPDeliveryError" in failure.error
    assert refuse.get("rcpt", refuse.get("data", "")).split()[0] in failure.error
    assert "stays pending" in caplog.text
    assert recorder.messages == []
    assert [d.notifier for d in store.pending_deliveries()] == [NAME]

    still = run(store, notifier, T0 + timedelta(hours=1))
    assert len(still.failed) == 1 and recorder.messages == []

    recorder.refuse_rcpt.clear()
    recorder.refuse_data = None
    fixed = run(store, notifier, T0 + timedelta(hours=2))
    assert fixed.delivered == ((breach().key, NAME),) and fixed.ok
    assert [recipients for _, recipients, _ in recorder.messages] == [list(TO)]
    after = run(store, notifier, T0 + timedelta(hours=3))
    assert after.delivered == () and len(recorder.messages) == 1


def test_no_server_listening_then_started(recorder: Recorder) -> None:
    port = free_port()
    store = MemoryStore()
    notifier = SMTPNotifier(settings_for(port))
    first = run(store, notifier, T0)
    assert "connect" in first.failed[0].error
    controller = start_server(recorder, port=port)
    try:
        second = run(store, notifier, T0 + timedelta(minutes=5))
        assert second.ok and len(recorder.messages) == 1
        assert run(store, notifier, T0 + timedelta(minutes=10)).delivered == ()
        assert len(recorder.messages) == 1
    finally:
        controller.stop()


class ScriptedServer:
    """A plain socket SMTP server; each connection follows the next script in ``scripts``:
    ``drop_at_greeting``, ``drop_at_rcpt``, ``drop_after_data`` (the message is read but no
    reply is sent: an ambiguous failure), ``drop_at_quit`` (250 for the message, then the
    connection is closed instead of answering QUIT) or ``normal``."""

    def __init__(self, scripts: list[str]) -> None:
        self.scripts = scripts
        self.received: list[bytes] = []
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self.listener.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            script = self.scripts.pop(0) if self.scripts else "normal"
            with connection:
                self._session(connection, script)

    def _session(self, connection: socket.socket, script: str) -> None:
        if script == "drop_at_greeting":
            return
        reader = connection.makefile("rb")
        connection.sendall(b"220 scripted ESMTP\r\n")
        for line in reader:
            command = line[:4].upper()
            if command in {b"EHLO", b"HELO"}:
                connection.sendall(b"250 scripted\r\n")
            elif command == b"MAIL":
                connection.sendall(b"250 OK\r\n")
            elif command == b"RCPT":
                if script == "drop_at_rcpt":
                    return
                connection.sendall(b"250 OK\r\n")
            elif command == b"DATA":
                connection.sendall(b"354 go ahead\r\n")
                data = b""
                for body_line in reader:
                    if body_line == b".\r\n":
                        break
                    data += body_line
                self.received.append(data)
                if script == "drop_after_data":
                    return
                connection.sendall(b"250 queued\r\n")
                if script == "drop_at_quit":
                    return
            elif command == b"QUIT":
                connection.sendall(b"221 bye\r\n")
                return
            else:
                connection.sendall(b"502 not implemented\r\n")

    def message_ids(self) -> list[str]:
        return [
            str(email.message_from_bytes(raw, policy=DEFAULT_POLICY)["Message-ID"])
            for raw in self.received
        ]

    def close(self) -> None:
        self.listener.close()


@pytest.fixture
def scripted() -> Iterator[Callable[[list[str]], ScriptedServer]]:
    servers: list[ScriptedServer] = []

    def make(scripts: list[str]) -> ScriptedServer:
        servers.append(ScriptedServer(scripts))
        return servers[-1]

    yield make
    for server in servers:
        server.close()


@pytest.mark.parametrize("drop", ["drop_at_greeting", "drop_at_rcpt"])
def test_a_dropped_connection_stays_pending_and_is_retried(
    scripted: Callable[[list[str]], ScriptedServer], drop: str
) -> None:
    server = scripted([drop])
    store = MemoryStore()
    notifier = SMTPNotifier(settings_for(server.port))
    first = run(store, notifier, T0)
    assert len(first.failed) == 1 and server.received == []
    second = run(store, notifier, T0 + timedelta(hours=1))
    assert second.ok and len(server.received) == 1
    assert run(store, notifier, T0 + timedelta(hours=2)).delivered == ()
    assert len(server.received) == 1


def test_an_ambiguous_failure_is_retried_with_the_same_message_id(
    scripted: Callable[[list[str]], ScriptedServer],
) -> None:
    server = scripted(["drop_after_data"])
    store = MemoryStore()
    notifier = SMTPNotifier(settings_for(server.port))
    assert len(run(store, notifier, T0).failed) == 1
    assert run(store, notifier, T0 + timedelta(hours=1)).ok
    first, second = server.message_ids()
    assert first == second == message_id(breach(), "lab.example")  # the receiver can dedupe
    assert run(store, notifier, T0 + timedelta(hours=2)).delivered == ()
    assert len(server.received) == 2


def test_accepted_then_dropped_is_delivered_and_never_sent_again(
    scripted: Callable[[list[str]], ScriptedServer],
) -> None:
    server = scripted(["drop_at_quit", "normal"])
    store = MemoryStore()
    notifier = SMTPNotifier(settings_for(server.port))
    first = run(store, notifier, T0)
    assert first.ok and first.delivered == ((breach().key, NAME),)
    assert run(store, notifier, T0 + timedelta(hours=1)).delivered == ()
    assert len(server.received) == 1


def test_notify_due_retries_a_failed_smtp_delivery_and_the_logger_still_gets_it(
    recorder: Recorder,
) -> None:
    calendar = qse.WorkingCalendar(timezone="Europe/London", opens="09:00", closes="17:00")
    rules = {
        "name": "clocks",
        "version": "1",
        "rules": [
            {
                "id": "K-ACK",
                "title": "Complaints acknowledged within 2 working days",
                "kind": "response_time",
                "source": {"document": "lab procedure", "section": "4.2"},
                "applies_to": {"record_type": "complaint"},
                "params": {
                    "start": ["received"],
                    "stop": ["acknowledged"],
                    "limit": {"working_days": 2},
                },
            }
        ],
    }
    store = MemoryStore()
    tech = qse.Actor("tech-1", "Tara Tech", qse.Role.TECHNOLOGIST)
    store.save_many(
        (
            qse.Complaint.receive(id=f"c-{n}", at=T0, by=tech, channel="telephone", category="tat")
            for n in range(3)
        ),
        legacy=True,
    )
    port = free_port()
    manager = QSEPluginManager(builtins=True, entry_points=False)
    manager.register(SMTPNotifier(settings_for(port)), NAME)
    later = T0 + timedelta(days=10)
    first = notify_due(store, rules, calendar=calendar, at=later, manager=manager)
    assert len(first.new) == 3 and len(first.failed) == 3
    assert {n for _, n in first.delivered} == {"qse_customer.logging_notifier"}
    controller = start_server(recorder, port=port)
    try:
        second = notify_due(store, rules, calendar=calendar, at=later, manager=manager)
        assert second.new == () and second.ok
        assert sorted(second.delivered) == sorted((n.key, NAME) for n in first.new)
        subjects = sorted(str(m["Subject"]) for m in recorder.parsed())
        assert subjects == [
            f"[qse-customer] Breached: rule K-ACK, complaint c-{n}, due 2026-01-07 17:00"
            for n in range(3)
        ]
        third = notify_due(store, rules, calendar=calendar, at=later, manager=manager)
        assert third.delivered == () and len(recorder.messages) == 3
    finally:
        controller.stop()


# -- anonymity --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shared_server() -> Iterator[tuple[Any, Recorder]]:
    handler = Recorder()
    controller = start_server(handler)
    yield controller, handler
    controller.stop()


@settings(
    max_examples=25,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(complaint=complaints(anonymous=True), secret=st.integers(10**6, 10**9))
def test_no_anonymous_identity_in_any_message(
    shared_server: tuple[Any, Recorder], complaint: qse.Complaint, secret: int
) -> None:
    controller, recorder = shared_server
    recorder.messages.clear()
    token = f"SECRET{secret}"
    staff = qse.Actor(f"staff-{token}", f"Staff {token}", qse.Role.TECHNOLOGIST)
    complaint = complaint.evolve(
        summary=f"the porter {token}",
        site=f"ward {token}",
        customer_group=f"group {token}",
        people_involved=(f"person-{token}",),
    )
    if not complaint.is_closed:
        complaint = complaint.add(
            "note_added", at=complaint.last_event_at, by=staff, note=f"note {token}"
        )
    notifier = SMTPNotifier(settings_for(controller.port))
    store = MemoryStore()
    store.save_many([complaint], legacy=True)
    received = Notification.complaint_received(complaint, at=T0)
    report = send(store, [received, breach(complaint.id)], at=T0, manager=manager_with(notifier))
    assert report.ok
    assert len(recorder.messages) == 2
    for (_, _, raw), message in zip(recorder.messages, recorder.parsed(), strict=True):
        text = raw.decode("ascii") + str(message["Subject"]) + message.get_body().get_content()
        assert complaint.id in text  # the search works: what is allowed is there
        assert token not in text and str(secret) not in text
    assert "anonymous complaint" in recorder.parsed()[0].get_body().get_content()


# -- configuration ----------------------------------------------------------------------------


def test_settings_from_a_url() -> None:
    settings = SMTPSettings.from_url(
        "smtp://user%40lab:p%26ss@mail.lab.example:2525?from=QSE%20%3Cqse@lab.example%3E"
        "&to=a@lab.example,b@lab.example&to=c@lab.example&starttls=yes&timeout=12.5"
        "&fields=rule_id,record_type&timezone=Europe/Paris&subject=%5BLab%5D"
    )
    assert (settings.host, settings.effective_port, settings.security) == (
        "mail.lab.example",
        2525,
        "starttls",
    )
    assert (settings.username, settings.password) == ("user@lab", "p&ss")
    assert settings.sender == "QSE <qse@lab.example>"
    assert settings.recipients == ("a@lab.example", "b@lab.example", "c@lab.example")
    assert (settings.timeout, settings.fields) == (12.5, ("rule_id", "record_type"))
    assert (settings.timezone, settings.subject_prefix) == ("Europe/Paris", "[Lab]")
    assert "p&ss" not in repr(settings)
    assert SMTPSettings.from_url("smtps://h?from=a@b.c&to=d@e.f").effective_port == 465
    assert SMTPSettings.from_url("smtp://h?from=a@b.c&to=d@e.f").effective_port == 25


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("http://h?from=a@b.c&to=d@e.f", "$.url"),
        ("smtp://h?to=d@e.f", "$.sender"),
        ("smtp://h?from=a@b.c", "$.recipients"),
        ("smtp://h?from=a@b.c&to=nobody", "$.recipients[0]"),
        ("smtp://h?from=a@b.c&to=d@e.f&cc=x@y.z", "$.url.cc"),
        ("smtp://u:p@h?from=a@b.c&to=d@e.f", "$.username"),
        ("smtp://h:99999?from=a@b.c&to=d@e.f", "$.url.port"),
        ("smtp://h?from=a@b.c&to=d@e.f&starttls=maybe", "$.url.starttls"),
        ("smtps://h?from=a@b.c&to=d@e.f&starttls=1", "$.url.starttls"),
        ("smtp://h?from=a@b.c&to=d@e.f&timeout=soon", "$.url.timeout"),
        ("smtp://h?from=a@b.c&to=d@e.f&timeout=0", "$.timeout"),
        ("smtp://h?from=a@b.c&to=d@e.f&fields=name", "$.fields"),
        ("smtp://h?from=a@b.c&to=d@e.f&fields=message", "$.fields"),
        ("smtp://h?from=a@b.c&to=d@e.f&timezone=Mars/Base", "$.timezone"),
        ("smtp://h/path?from=a@b.c&to=d@e.f", "$.url"),
        ("smtp://?from=a@b.c&to=d@e.f", "$.host"),
        ("smtp://h?from=a@b.c%0d%0aBcc:x@y.z&to=d@e.f", "$.sender"),
    ],
)
def test_bad_settings_name_the_field(url: str, path: str) -> None:
    with pytest.raises(qse.ValidationError) as caught:
        SMTPSettings.from_url(url)
    assert path in [error.path for error in caught.value.errors]


def test_settings_from_the_environment_and_registration() -> None:
    assert SMTPSettings.from_environment({}) is None
    environ = {
        "QSE_SMTP_URL": "smtp://qse@mail.lab.example?from=a@lab.example&to=b@lab.example"
        "&starttls=1",
        "QSE_SMTP_PASSWORD": "from-env",
    }
    settings = SMTPSettings.from_environment(environ)
    assert settings is not None and settings.password == "from-env"
    with pytest.raises(qse.ValidationError, match="QSE_SMTP_URL"):
        SMTPSettings.from_environment({"QSE_SMTP_URL": "smtp://h?from=a@b.c"})
    manager = QSEPluginManager(builtins=False, entry_points=False)
    assert register_from_environment(manager, {}) is None
    notifier = register_from_environment(manager, environ)
    assert isinstance(notifier, SMTPNotifier)
    assert [name for name, _ in manager.notifiers()] == [PLUGIN_NAME]
    assert register_from_environment(manager, environ) is None  # registered once


# -- the notifier contract --------------------------------------------------------------------


class TestSMTPNotifierContract(NotifierContract):
    @pytest.fixture
    def notifier(self, shared_server: tuple[Any, Recorder]) -> SMTPNotifier:
        controller, recorder = shared_server
        recorder.messages.clear()
        return SMTPNotifier(settings_for(controller.port))

    @pytest.fixture
    def output(self, shared_server: tuple[Any, Recorder]) -> Callable[[], str]:
        _, recorder = shared_server

        def text() -> str:
            return "\n".join(
                raw.decode("ascii") + str(m["Subject"]) + m.get_body().get_content()
                for (_, _, raw), m in zip(recorder.messages, recorder.parsed(), strict=True)
            )

        return text
