"""The built-in logging notifier: every notification as one line of standard ``logging``.

It logs to ``qse_customer.notifications``: breaches and at-risk deadlines at WARNING, the others
at INFO. The line is the notification's own message, which holds no personal data; the
notification's fields are attached to the log record as ``record.qse_notification`` for
structured handlers.
"""

from __future__ import annotations

import logging

from ..plugins.markers import hookimpl
from .notification import Notification, NotificationKind

LOGGER_NAME = "qse_customer.notifications"

_URGENT = frozenset({NotificationKind.BREACHED, NotificationKind.AT_RISK})


class LoggingNotifier:
    """Logs each notification to ``logger`` (by default ``qse_customer.notifications``)."""

    def __init__(self, logger: logging.Logger | None = None) -> None:
        self.logger = logger if logger is not None else logging.getLogger(LOGGER_NAME)

    @hookimpl
    def qse_notify(self, notification: Notification) -> None:
        """Log the notification (WARNING for a breach or an at-risk deadline, else INFO)."""
        level = logging.WARNING if notification.kind in _URGENT else logging.INFO
        self.logger.log(
            level, "%s", notification, extra={"qse_notification": notification.to_dict()}
        )


_default = LoggingNotifier()


@hookimpl(trylast=True)
def qse_notify(notification: Notification) -> None:
    """The built-in notifier: log the notification (see :class:`LoggingNotifier`)."""
    _default.qse_notify(notification)
