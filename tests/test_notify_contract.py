"""The built-in notifiers pass the notifier contract of qse_customer.testing."""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest

from qse_customer.notifiers import FileOutboxNotifier, LoggingNotifier, Notification
from qse_customer.testing.notifier_contract import NotifierContract


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.stream = io.StringIO()
        self.notifications: list[Notification] = []
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.stream.write(self.format(record) + "\n")
        self.notifications.append(Notification.from_dict(record.qse_notification))  # type: ignore[attr-defined]


class TestLoggingNotifier(NotifierContract):
    @pytest.fixture
    def capture(self) -> Iterator[_Capture]:
        logger = logging.getLogger("qse_customer.tests.notifications")
        handler = _Capture()
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        yield handler
        logger.removeHandler(handler)

    @pytest.fixture
    def notifier(self, capture: _Capture) -> LoggingNotifier:
        return LoggingNotifier(logging.getLogger("qse_customer.tests.notifications"))

    @pytest.fixture
    def delivered(self, capture: _Capture) -> Callable[[], Sequence[Notification]]:
        return lambda: capture.notifications

    @pytest.fixture
    def output(self, capture: _Capture) -> Callable[[], str]:
        return capture.stream.getvalue


class TestFileOutboxNotifier(NotifierContract):
    @pytest.fixture
    def notifier(self, tmp_path: Path) -> FileOutboxNotifier:
        return FileOutboxNotifier(tmp_path / "outbox" / "notifications.jsonl")

    @pytest.fixture
    def delivered(self, notifier: FileOutboxNotifier) -> Callable[[], Sequence[Notification]]:
        return lambda: notifier.read().notifications

    @pytest.fixture
    def output(self, notifier: FileOutboxNotifier) -> Callable[[], str]:
        return lambda: notifier.path.read_text("utf-8")
