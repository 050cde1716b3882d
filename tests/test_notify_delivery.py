"""Sending notifications: each once per notifier, a failing notifier logged and retried, never
lost and never repeated for the notifiers that succeeded."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from qse_customer.notifiers import Notification, NotificationKind, send
from qse_customer.plugins import QSEPluginManager, hookimpl
from qse_customer.stores import MemoryStore, SQLiteStore, Store

T0 = datetime(2026, 1, 5, 9, tzinfo=UTC)


class Recorder:
    """A notifier that remembers what it received and can be told to fail."""

    def __init__(self) -> None:
        self.received: list[str] = []
        self.failing = False

    @hookimpl
    def qse_notify(self, notification: Notification) -> None:
        if self.failing:
            raise ConnectionError("mail server down")
        self.received.append(notification.key)


def breach(number: int) -> Notification:
    return Notification(
        NotificationKind.BREACHED, "enquiry", f"e-{number}", T0, "T-1", T0 - timedelta(hours=1)
    )


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    opened: Store = MemoryStore() if request.param == "memory" else SQLiteStore(tmp_path / "s.db")
    yield opened
    opened.close()


@pytest.fixture
def mail() -> Recorder:
    return Recorder()


@pytest.fixture
def chat() -> Recorder:
    return Recorder()


@pytest.fixture
def manager(mail: Recorder, chat: Recorder) -> QSEPluginManager:
    manager = QSEPluginManager(builtins=False, entry_points=False)
    manager.register(mail, "mail")
    manager.register(chat, "chat")
    return manager


def test_each_notifier_gets_each_notification_once(
    store: Store, manager: QSEPluginManager, mail: Recorder, chat: Recorder
) -> None:
    first = send(store, [breach(1), breach(2)], at=T0, manager=manager)
    assert [n.key for n in first.new] == [breach(1).key, breach(2).key]
    assert len(first.delivered) == 4 and first.ok
    again = send(store, [breach(1), breach(2), breach(3)], at=T0, manager=manager)
    assert [n.key for n in again.new] == [breach(3).key]
    assert mail.received == chat.received == [breach(n).key for n in (1, 2, 3)]


def test_a_failing_notifier_is_logged_and_retried_while_the_others_are_not(
    store: Store,
    manager: QSEPluginManager,
    mail: Recorder,
    chat: Recorder,
    caplog: pytest.LogCaptureFixture,
) -> None:
    mail.failing = True
    with caplog.at_level(logging.ERROR, logger="qse_customer.notifiers.delivery"):
        report = send(store, [breach(1)], at=T0, manager=manager)
    assert [(f.notifier, f.error) for f in report.failed] == [
        ("mail", "ConnectionError: mail server down")
    ]
    assert report.delivered == ((breach(1).key, "chat"),)
    assert "notifier 'mail' failed" in caplog.text
    assert chat.received == [breach(1).key] and mail.received == []
    assert [(d.notifier) for d in store.pending_deliveries()] == ["mail"]

    mail.failing = False
    retry = send(store, [], at=T0 + timedelta(hours=1), manager=manager)
    assert retry.delivered == ((breach(1).key, "mail"),)
    assert mail.received == [breach(1).key]
    assert chat.received == [breach(1).key]  # not repeated
    assert store.pending_deliveries() == []


def test_a_notifier_installed_later_does_not_get_old_notifications(
    store: Store, manager: QSEPluginManager
) -> None:
    send(store, [breach(1)], at=T0, manager=manager)
    late = Recorder()
    manager.register(late, "late")
    send(store, [breach(1), breach(2)], at=T0, manager=manager)
    assert late.received == [breach(2).key]


def test_deliveries_for_an_uninstalled_notifier_wait_for_it(
    store: Store, manager: QSEPluginManager, chat: Recorder
) -> None:
    chat.failing = True
    send(store, [breach(1)], at=T0, manager=manager)
    manager.unregister("chat")
    report = send(store, [], at=T0, manager=manager)
    assert report.waiting == ((breach(1).key, "chat"),)
    chat.failing = False
    manager.register(chat, "chat")
    assert send(store, [], at=T0, manager=manager).delivered == ((breach(1).key, "chat"),)


def test_with_no_notifier_nothing_is_recorded(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    empty = QSEPluginManager(builtins=False, entry_points=False)
    with caplog.at_level(logging.WARNING):
        report = send(store, [breach(1)], at=T0, manager=empty)
    assert report.new == () and "no notifier is installed" in caplog.text
    assert not store.has_notification(breach(1).key)
