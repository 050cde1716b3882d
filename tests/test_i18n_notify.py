"""Notifications in the lab's language (docs/i18n.md): the message a notification carries, its
log line and the e-mail the SMTP notifier composes, in English as they always were and in French
with none of the English words; the language never changes a notification's key, so a breach
notified in one language is not notified again in another."""

from __future__ import annotations

import email
import json
import logging
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.policy import default as DEFAULT_POLICY
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from attrs import evolve
from hypothesis import given
from hypothesis import strategies as st

import qse_customer as qse
from qse_customer.cli.main import main
from qse_customer.core.errors import ValidationError
from qse_customer.core.timestamps import wall_clock
from qse_customer.core.translation import translator
from qse_customer.notifiers import (
    FileOutboxNotifier,
    LoggingNotifier,
    Notification,
    NotificationKind,
    notify_due,
    read_outbox,
    send,
)
from qse_customer.notifiers.delivery import notification_for
from qse_customer.notifiers.notification import describe, received_message
from qse_customer.notifiers.smtp import MESSAGE_FIELDS, SMTPNotifier, SMTPSettings, message_id
from qse_customer.plugins import QSEPluginManager, get_plugin_manager, hookimpl
from qse_customer.rules import Finding
from qse_customer.rules.contract_rules import turnaround_title
from qse_customer.stores import MemoryStore, SQLiteStore, Store
from qse_customer.testing.notifications import notifications
from qse_customer.testing.servers import smtp_server
from qse_customer.testing.strategies import aware_datetimes, complaints, identifiers, words

pytest.importorskip("babel")

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
STAFF = qse.Actor("tech-77", "Zebedee Quillfeather", qse.Role.TECHNOLOGIST)
CALENDAR = qse.WorkingCalendar(
    timezone="Europe/London", country="GB", subdivision="ENG", opens="09:00", closes="17:00"
)
RULES: dict[str, Any] = {
    "name": "notify-i18n",
    "version": "1",
    "rules": [
        {
            "id": "K-ACK",
            "title": "Complaints acknowledged within 2 working days",
            "kind": "response_time",
            "source": {"document": "test", "section": "1"},
            "applies_to": {"record_type": "complaint"},
            "params": {
                "start": ["received"],
                "stop": ["acknowledged"],
                "limit": {"working_days": 2},
                "warn_at": 0.5,
            },
        }
    ],
}
FR = translator("fr")

# -- the English as it was written before the messages were translated (byte for byte) ---------

_OLD_WORDS = {
    NotificationKind.BREACHED: "breached",
    NotificationKind.AT_RISK: "at risk",
    NotificationKind.COMPLAINT_RECEIVED: "received",
    NotificationKind.FEEDBACK_DUE: "feedback due",
}


def old_describe(
    kind: NotificationKind,
    record_type: str,
    record_id: str,
    rule_id: str | None,
    due: datetime | None,
) -> str:
    subject = f"{record_type.replace('_', ' ')} {record_id!r}"
    rule = f"rule {rule_id} " if rule_id else ""
    when = f" (due {due.isoformat()})" if due is not None else ""
    if kind is NotificationKind.BREACHED:
        return f"{rule}breached for {subject}{when}"
    if kind is NotificationKind.AT_RISK:
        return f"{rule}at risk for {subject}{when}"
    if kind is NotificationKind.FEEDBACK_DUE:
        return f"feedback due on {subject}{when}"
    return f"{subject} received{when}"


def old_received(complaint: qse.Complaint) -> str:
    kind = "anonymous complaint" if complaint.anonymous else "complaint"
    return (
        f"{kind} {complaint.id!r} received by {complaint.channel.value} at "
        f"{complaint.opened_at.isoformat()}"
    )


# The words of the English templates: none may be left in a French notification once its data
# (ids, record types this version does not know, channels, ISO times) is taken out.
ENGLISH_WORDS = {
    "rule",
    "breached",
    "for",
    "at",
    "risk",
    "feedback",
    "due",
    "on",
    "received",
    "by",
    "anonymous",
    "complaint",
    "enquiry",
    "request",
    "response",
    "record",
    "period",
    "measurement",
    "customer",
    "survey",
    "referral",
    "contract",
}
EMAIL_WORDS = ENGLISH_WORDS | {
    "status",
    "raised",
    "was",
    "is",
    "sent",
    "automatically",
    "holds",
    "personal",
    "data",
    "please",
    "reply",
    "with",
    "any",
    "it",
    "no",
}
RECORD_TYPES = (
    "complaint",
    "contract",
    "customer",
    "enquiry",
    "measurement",
    "period",
    "record",
    "referral",
    "survey",
    "survey_response",
    "test_request",
)
kinds = st.sampled_from(NotificationKind)
rule_ids = st.none() | st.from_regex(r"[A-Z]-[A-Z0-9]{1,3}", fullmatch=True)
deadlines = st.none() | aware_datetimes()


def english_words_in(text: str, data: list[str], words: set[str]) -> set[str]:
    for value in sorted(data, key=len, reverse=True):
        text = text.replace(value, " ")
    text = re.sub(r"\d{4}-\d\d-\d\dT[\d:.+-]+(Z)?", " ", text)  # ISO times are data
    return {word for word in re.findall(r"[^\W\d_]+", text.lower())} & words


@given(
    kind=kinds,
    record_type=words,
    record_id=words,
    rule_id=st.none() | words,
    due=deadlines,
    at=aware_datetimes(),
)
def test_the_english_message_and_log_line_are_as_they_were(
    kind: NotificationKind,
    record_type: str,
    record_id: str,
    rule_id: str | None,
    due: datetime | None,
    at: datetime,
) -> None:
    notification = Notification(kind, record_type, record_id, at, rule_id, due)
    due = notification.due_at  # in UTC, as the notification keeps it
    assert notification.message == old_describe(kind, record_type, record_id, rule_id, due)
    assert str(notification) == f"[{_OLD_WORDS[kind]}] {notification.message}"
    assert notification.locale == "en" and "locale" not in notification.to_dict()
    assert Notification.from_dict(notification.to_dict()) == notification
    for english in ("en", "en_GB", translator("en")):
        assert evolve(notification, message="", locale=english).message == notification.message


@given(complaint=complaints())
def test_a_complaint_received_in_english_is_as_it_was(complaint: qse.Complaint) -> None:
    notification = Notification.complaint_received(complaint, at=T0)
    assert notification.message == old_received(complaint)
    assert list(notification.to_dict()) == [
        "key",
        "kind",
        "record_type",
        "record_id",
        "rule_id",
        "due_at",
        "at",
        "message",
    ]


@given(
    kind=kinds,
    record_type=st.sampled_from(RECORD_TYPES),
    record_id=identifiers,
    rule_id=rule_ids,
    due=deadlines,
)
def test_the_french_message_has_no_english_word(
    kind: NotificationKind,
    record_type: str,
    record_id: str,
    rule_id: str | None,
    due: datetime | None,
) -> None:
    notification = Notification(kind, record_type, record_id, T0, rule_id, due, locale="fr")
    due = notification.due_at  # in UTC, as the notification keeps it
    assert notification.message == describe(kind, record_type, record_id, rule_id, due, FR)
    data = [repr(record_id), *([rule_id] if rule_id else [])]
    assert not english_words_in(notification.message, data, ENGLISH_WORDS)
    assert not english_words_in(str(notification), data, ENGLISH_WORDS)
    assert repr(record_id) in notification.message
    if rule_id and kind in {NotificationKind.BREACHED, NotificationKind.AT_RISK}:
        assert rule_id in notification.message
    if due is not None:
        assert due.isoformat() in notification.message  # the deadline stays ISO 8601 (data)
    assert notification.to_dict()["locale"] == "fr"
    assert Notification.from_dict(notification.to_dict()) == notification


@given(complaint=complaints())
def test_a_complaint_received_in_french(complaint: qse.Complaint) -> None:
    notification = Notification.complaint_received(complaint, at=T0, locale="fr_FR")
    assert notification.locale == "fr_FR"
    message = notification.message
    assert message == received_message(
        complaint.id, complaint.anonymous, complaint.channel.value, complaint.opened_at, FR
    )
    data = [repr(complaint.id), complaint.channel.value]
    assert not english_words_in(message, data, ENGLISH_WORDS)
    assert ("anonyme" in message) is complaint.anonymous
    assert complaint.opened_at.isoformat() in message
    if complaint.submitter is not None:
        for secret in (complaint.submitter.name, complaint.submitter.contact):
            if secret and len(secret) > 3:
                assert secret not in message


def test_a_french_breach_in_words() -> None:
    due = datetime(2026, 1, 7, 17, tzinfo=UTC)
    breach = Notification("breached", "test_request", "TR-9", T0, "T-1", due, locale="fr")
    assert breach.message == (
        "règle T-1 non respectée : demande d'analyse 'TR-9' (échéance 2026-01-07T17:00:00+00:00)"
    )
    assert str(breach) == f"[non respecté] {breach.message}"
    assert str(Notification("at_risk", "period", "2026-01", T0, locale="fr")) == (
        "[à risque] à risque : période '2026-01'"
    )


def test_a_locale_that_is_not_available_names_the_field() -> None:
    with pytest.raises(ValidationError) as raised:
        Notification("breached", "enquiry", "E-1", T0, locale="de")
    assert raised.value.errors[0].path == "$.locale"
    assert "'de' is not an available locale" in raised.value.errors[0].message
    document = Notification("breached", "enquiry", "E-1", T0).to_dict()
    with pytest.raises(ValidationError, match=r"\$\.locale"):
        Notification.from_dict({**document, "locale": 7})
    with pytest.raises(ValidationError, match=r"\$\.locale"):
        Notification.from_dict({**document, "locale": "xx"})


# -- the key does not depend on the language ---------------------------------------------------


@given(notification=notifications(locales=("en", "fr", "fr_CA")))
def test_the_key_and_message_id_do_not_depend_on_the_language(
    notification: Notification,
) -> None:
    english = evolve(notification, message="", locale="en")
    french = evolve(notification, message="", locale="fr")
    assert notification.key == english.key == french.key
    assert message_id(french, "lab.example") == message_id(english, "lab.example")
    assert english.message != french.message


class Pager:
    def __init__(self) -> None:
        self.received: list[Notification] = []

    @hookimpl
    def qse_notify(self, notification: Notification) -> None:
        self.received.append(notification)


def complaint(number: int, received: datetime) -> qse.Complaint:
    return qse.Complaint.receive(
        id=f"c-{number}", at=received, by=STAFF, channel="telephone", category="tat"
    )


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    opened: Store = MemoryStore() if request.param == "memory" else SQLiteStore(tmp_path / "n.db")
    yield opened
    opened.close()


@pytest.mark.parametrize("first, then", [("en", "fr"), ("fr", "en"), ("fr", "fr_FR")])
def test_a_breach_notified_in_one_language_is_not_notified_again_in_another(
    store: Store, first: str, then: str
) -> None:
    pager = Pager()
    manager = QSEPluginManager(builtins=False, entry_points=False)
    manager.register(pager, "pager")
    store.save_many(
        [complaint(1, T0 - timedelta(days=10)), complaint(2, T0 - timedelta(days=3))],
        legacy=True,
    )
    tuesday = T0 + timedelta(days=1, hours=3)
    report = notify_due(store, RULES, calendar=CALENDAR, at=tuesday, manager=manager, locale=first)
    assert len(report.new) == 2 and report.ok
    assert {n.locale for n in pager.received} == {first}
    again = notify_due(store, RULES, calendar=CALENDAR, at=tuesday, manager=manager, locale=then)
    assert again.new == () and again.delivered == ()
    later = notify_due(
        store,
        RULES,
        calendar=CALENDAR,
        at=tuesday + timedelta(days=3),
        manager=manager,
        locale=then,
    )  # c-2 was at risk on Tuesday and is breached by Friday: new, in the new language
    assert [(n.kind.value, n.record_id, n.locale) for n in later.new] == [
        ("breached", "c-2", translator(then).locale)
    ]
    assert len(pager.received) == 3
    assert len({n.key for n in pager.received}) == 3


def test_a_pending_delivery_keeps_the_language_it_was_recorded_in(tmp_path: Path) -> None:
    class Flaky(Pager):
        failing = True

        @hookimpl
        def qse_notify(self, notification: Notification) -> None:
            if self.failing:
                raise TimeoutError("down")
            super().qse_notify(notification)

    flaky = Flaky()
    manager = QSEPluginManager(builtins=False, entry_points=False)
    manager.register(flaky, "flaky")
    with SQLiteStore(tmp_path / "lab.db") as store:
        store.save_many([complaint(1, T0 - timedelta(days=10))], legacy=True)
        first = notify_due(store, RULES, calendar=CALENDAR, at=T0, manager=manager, locale="fr")
        assert len(first.failed) == 1
        flaky.failing = False
        second = notify_due(store, RULES, calendar=CALENDAR, at=T0, manager=manager)
    assert second.new == () and len(second.delivered) == 1
    [delivered] = flaky.received
    assert delivered.locale == "fr" and delivered.message.startswith("règle K-ACK non respectée")
    assert delivered.message.endswith(" : Complaints acknowledged within 2 working days")


def test_notification_for_in_french_never_holds_the_findings_message_or_evidence() -> None:
    finding = Finding(
        rule_id="K-ACK",
        status="breached",
        record_type="complaint",
        record_id="c-1",
        due_at=T0,
        message="acknowledged late by Zebedee Quillfeather",
        evidence={"actor": "tech-77"},
        source="test §1",
    )
    for t in ("fr", FR):
        notification = notification_for(finding, at=T0, title="Acknowledged in time", t=t)
        assert notification.locale == "fr"
        assert notification.message == (
            "règle K-ACK non respectée : réclamation 'c-1' "
            "(échéance 2026-01-05T09:00:00+00:00) : Acknowledged in time"
        )
        assert "Zebedee" not in repr(notification.to_dict()) and "tech-77" not in repr(
            notification.to_dict()
        )
    english = notification_for(finding, at=T0, title="Acknowledged in time")
    assert english.message == (
        "rule K-ACK breached for complaint 'c-1' (due 2026-01-05T09:00:00+00:00): "
        "Acknowledged in time"
    )
    with pytest.raises(Exception, match="'de' is not an available locale"):
        notification_for(finding, at=T0, t="de")


def test_a_contract_rules_title_is_worded_again_in_french() -> None:
    finding = Finding(
        rule_id="contract:C-1:FBC:routine",
        status="at_risk",
        record_type="test_request",
        record_id="TR-1",
        due_at=T0,
        message="",
        evidence={},
        source="contract C-1",
    )
    english = turnaround_title("Full blood count", "routine", 1440)
    notification = notification_for(finding, at=T0, title=english, t="fr")
    assert notification.message.endswith(
        " : " + turnaround_title("Full blood count", "routine", 1440, FR)
    )
    assert "reported within" not in notification.message
    assert notification_for(finding, at=T0, title=english).message.endswith(f"): {english}")


def test_notify_due_refuses_a_locale_it_does_not_have(store: Store) -> None:
    manager = QSEPluginManager(builtins=False, entry_points=False)
    with pytest.raises(Exception, match="locale: 'de' is not an available locale"):
        notify_due(store, RULES, calendar=CALENDAR, at=T0, manager=manager, locale="de")


# -- the command line ---------------------------------------------------------------------------


@pytest.fixture
def store_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'lab.db'}"
    with qse.open_store(url) as store:
        store.save_many([complaint(1, T0 - timedelta(days=10))], legacy=True)
    return url


@pytest.fixture
def outbox(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "outbox.jsonl"
    manager = get_plugin_manager()
    manager.register(FileOutboxNotifier(path), "i18n-test-outbox")
    try:
        yield path
    finally:
        manager.unregister("i18n-test-outbox")


def test_notify_locale_fr_writes_french_notifications_and_never_repeats_them(
    store_url: str,
    outbox: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps(RULES), "utf-8")
    arguments = ["notify", "--store", store_url, "--ruleset", str(rules)]
    arguments += ["--timezone", "Europe/London"]
    with caplog.at_level(logging.WARNING, logger="qse_customer.notifications"):
        assert main([*arguments, "--at", T0.isoformat(), "--locale", "fr"]) == 0
    assert capsys.readouterr().out.startswith("notify-i18n : 1 nouvelle(s) notification(s), ")
    [written] = read_outbox(outbox).notifications
    assert written.locale == "fr"
    assert written.message == (
        "règle K-ACK non respectée : réclamation 'c-1' (échéance 2025-12-31T17:00:00+00:00) : "
        "Complaints acknowledged within 2 working days"
    )
    line = json.loads(outbox.read_text("utf-8"))
    assert line["locale"] == "fr" and line["key"] == written.key
    logged = [r.getMessage() for r in caplog.records if r.name == "qse_customer.notifications"]
    assert logged == [f"[non respecté] {written.message}"]
    # the same breach, asked for in English the next day, is not sent again
    later = (T0 + timedelta(days=1)).isoformat()
    assert main([*arguments, "--at", later]) == 0
    assert capsys.readouterr().out.startswith("notify-i18n: 0 new notification(s), ")
    assert len(read_outbox(outbox).notifications) == 1


# -- the e-mail ---------------------------------------------------------------------------------


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(envelope.content)
        return "250 Message accepted for delivery"


def mailer(port: int = 2525, **options: Any) -> SMTPNotifier:
    settings = {
        "host": "127.0.0.1",
        "port": port,
        "sender": "qse@lab.example",
        "recipients": ("quality@lab.example",),
        "timeout": 5,
        "timezone": "Europe/Paris",
        **options,
    }
    return SMTPNotifier(SMTPSettings(**settings))


def test_a_french_breach_arrives_by_e_mail_in_french() -> None:
    pytest.importorskip("aiosmtpd")
    mailbox = Mailbox()
    server = smtp_server(mailbox)
    try:
        due = datetime(2026, 1, 7, 17, tzinfo=UTC)
        breach = Notification("breached", "complaint", "c-42", T0, "K-ACK", due, locale="fr")
        manager = QSEPluginManager(builtins=False, entry_points=False)
        manager.register(mailer(server.port), "smtp")
        report = send(MemoryStore(), [breach], at=T0, manager=manager)
        assert report.ok and len(report.delivered) == 1
    finally:
        server.stop()
    [raw] = mailbox.messages
    assert raw.isascii()  # 7-bit clean: the French goes as encoded words and quoted-printable
    message = email.message_from_bytes(raw, policy=DEFAULT_POLICY)
    assert message["Subject"] == (
        "[qse-customer] Non respecté : règle K-ACK, réclamation c-42, échéance 2026-01-07 18:00"
    )
    assert message["Content-Language"] == "fr"
    assert message["Message-ID"] == message_id(evolve(breach, locale="en"), "lab.example")
    body = message.get_body().get_content().replace("\r\n", "\n")
    assert body == (
        "La règle K-ACK n'a pas été respectée : réclamation c-42.\n"
        "\n"
        "Statut :          non respecté\n"
        "Règle :           K-ACK\n"
        "Enregistrement :  réclamation c-42\n"
        "Échéance :        mer. 07 janv. 2026 18:00 CET (2026-01-07T18:00:00+01:00)\n"
        "Émission :        lun. 05 janv. 2026 10:00 CET (2026-01-05T10:00:00+01:00)\n"
        "\n"
        f"{breach.message}\n"
        "\n"
        "--\n"
        "Message envoyé automatiquement par qse-customer. Il ne contient aucune donnée "
        "personnelle ; merci de ne pas en ajouter dans une réponse.\n"
    )


def test_an_english_e_mail_has_no_content_language() -> None:
    composed = mailer().compose(Notification("breached", "complaint", "c-1", T0, "K-ACK", T0))
    assert composed["Content-Language"] is None
    assert composed["Subject"].startswith("[qse-customer] Breached: rule K-ACK")


@given(
    notification=notifications(locales=("fr", "fr_BE")),
    fields=st.sets(st.sampled_from(MESSAGE_FIELDS)),
)
def test_a_french_e_mail_has_no_english_word(notification: Notification, fields: set[str]) -> None:
    if "message" in fields:
        fields.add("record_id")
    composed = mailer(fields=tuple(sorted(fields))).compose(notification)
    assert composed.as_bytes().isascii()
    subject = str(composed["Subject"])
    body = composed.get_body().get_content()
    data = [
        "[qse-customer]",
        "qse-customer",
        repr(notification.record_id),
        notification.record_id,
        *([notification.rule_id] if notification.rule_id else []),
    ]
    assert not english_words_in(subject, data, EMAIL_WORDS), subject
    assert not english_words_in(body, data, EMAIL_WORDS), body
    if "record_id" not in fields and len(notification.record_id) > 3:
        assert notification.record_id not in subject + body
    if "due_at" in fields and notification.due_at is not None:
        local = wall_clock(notification.due_at, ZoneInfo("Europe/Paris"))
        assert local.isoformat() in body


@given(complaint=complaints(anonymous=True), secret=st.integers(10**6, 10**9))
def test_a_french_e_mail_of_an_anonymous_complaint_reveals_no_one(
    complaint: qse.Complaint, secret: int
) -> None:
    token = f"SECRET{secret}"
    complaint = complaint.evolve(
        summary=f"the porter {token}",
        site=f"ward {token}",
        customer_group=f"group {token}",
        people_involved=(f"person-{token}",),
    )
    received = Notification.complaint_received(complaint, at=T0, locale="fr")
    composed = mailer().compose(received)
    text = str(composed["Subject"]) + composed.get_body().get_content()
    assert complaint.id in text and "réclamation anonyme" in text
    assert token not in text and str(secret) not in text


def test_the_logging_notifier_tags_a_french_line_in_french(
    caplog: pytest.LogCaptureFixture,
) -> None:
    logger = logging.getLogger("qse_customer.tests.i18n_notify")
    notifier = LoggingNotifier(logger)
    feedback = Notification("feedback_due", "survey", "s-1", T0, locale="fr")
    with caplog.at_level(logging.INFO, logger=logger.name):
        notifier.qse_notify(feedback)
    [record] = caplog.records
    assert record.getMessage() == "[retour attendu] retour attendu : enquête 's-1'"
    assert record.qse_notification["locale"] == "fr"  # type: ignore[attr-defined]
