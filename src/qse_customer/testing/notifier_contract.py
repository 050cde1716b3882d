"""The contract every notifier passes: a base class of pytest tests to subclass with one fixture.

::

    from qse_customer.testing.notifier_contract import NotifierContract

    class TestMyNotifier(NotifierContract):
        @pytest.fixture
        def notifier(self, tmp_path):
            return MyNotifier(tmp_path / "sent")

``notifier`` is the plugin object (or module) whose ``qse_notify`` hook is under test. Two optional
fixtures switch on more tests: ``delivered`` (a function returning the notifications the notifier
has delivered so far, in order) and ``output`` (a function returning everything it has written,
as text, to check that no personal data leaks into it).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ..core.complaint import Complaint
from ..core.roles import Actor, Role
from ..core.translation import LocaleError, available_locales, translator
from ..notifiers.delivery import send
from ..notifiers.notification import Notification, NotificationKind
from ..plugins.manager import QSEPluginManager
from ..stores.memory import MemoryStore
from .notifications import notifications

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
NAME = "notifier-under-test"

_FEW = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.differing_executors],
)


def _usable_locales() -> list[str]:
    """The shipped languages this environment can write (any but English needs Babel)."""
    usable = []
    for locale in available_locales():
        try:
            translator(locale)
        except LocaleError:
            continue
        usable.append(locale)
    return usable


def manager_with(notifier: object) -> QSEPluginManager:
    """A plugin manager with ``notifier`` as its only plugin."""
    manager = QSEPluginManager(builtins=False, entry_points=False)
    manager.register(notifier, NAME)
    return manager


class NotifierContract:
    """Tests every notifier must pass; subclass and provide the ``notifier`` fixture."""

    @pytest.fixture
    def delivered(self) -> Callable[[], Sequence[Notification]] | None:
        """Returns what the notifier has delivered so far, in order; None if it cannot tell."""
        return None

    @pytest.fixture
    def output(self) -> Callable[[], str] | None:
        """Returns everything the notifier has written, as text; None if it cannot tell."""
        return None

    def test_registers_as_a_notifier(self, notifier: object) -> None:
        manager = manager_with(notifier)
        assert [name for name, _ in manager.notifiers()] == [NAME]

    @_FEW
    @given(notification=st.deferred(lambda: notifications(locales=_usable_locales())))
    def test_accepts_every_notification(
        self,
        notifier: object,
        delivered: Callable[[], Sequence[Notification]] | None,
        notification: Notification,
    ) -> None:
        [(_, notify)] = manager_with(notifier).notifiers()
        before = len(delivered()) if delivered is not None else 0
        notify(notification)
        if delivered is not None:
            assert list(delivered())[before:] == [notification]

    def test_send_delivers_each_notification_once(
        self, notifier: object, delivered: Callable[[], Sequence[Notification]] | None
    ) -> None:
        manager = manager_with(notifier)
        store = MemoryStore()
        batch = [
            Notification(NotificationKind.BREACHED, "enquiry", "e-1", T0, "T-1", T0),
            Notification(NotificationKind.AT_RISK, "enquiry", "e-2", T0, "T-1", T0),
        ]
        report = send(store, batch, at=T0, manager=manager)
        assert report.failed == ()
        assert sorted(report.delivered) == sorted((n.key, NAME) for n in batch)
        again = send(store, batch, at=T0 + timedelta(hours=1), manager=manager)
        assert again.new == () and again.delivered == ()
        if delivered is not None:
            assert [n.key for n in delivered()] == [n.key for n in batch]

    def test_writes_no_personal_data(
        self, notifier: object, output: Callable[[], str] | None
    ) -> None:
        if output is None:
            pytest.skip("the notifier's output cannot be read (no output fixture)")
        staff = Actor("tech-77", "Zebedee Quillfeather", Role.TECHNOLOGIST)
        complaint = Complaint.receive(
            id="c-anon-1",
            at=T0,
            by=staff,
            channel="form",
            category="staff attitude",
            anonymous=True,
            summary="Ward 7 night shift, the tall porter",
        )
        [(_, notify)] = manager_with(notifier).notifiers()
        for locale in _usable_locales():  # in every language the notifications are written in
            notify(Notification.complaint_received(complaint, at=T0, locale=locale))
        text = output()
        assert "c-anon-1" in text
        for secret in ("Zebedee", "Quillfeather", "tech-77", "porter", "Ward 7"):
            assert secret not in text
