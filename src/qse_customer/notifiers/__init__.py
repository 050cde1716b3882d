"""Notifiers: the notification a notifier receives, the built-in notifiers (logging, a file
outbox, SMTP) and the delivery that sends each due notification once to every notifier.

The logging notifier is a built-in plugin; the SMTP notifier is one when ``QSE_SMTP_URL`` is set
(:mod:`.builtin`). SMTP and delivery are imported when first used, so importing the package stays
cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

if TYPE_CHECKING:
    from .delivery import DeliveryFailure, DeliveryReport, notification_for, notify_due, send
    from .log import LoggingNotifier
    from .notification import Notification, NotificationKind
    from .outbox import FileOutboxNotifier, OutboxContents, read_outbox
    from .smtp import SMTPDeliveryError, SMTPNotifier, SMTPSettings, register_from_environment

# Each name is imported from its module when first used, so importing the package is cheap.
__getattr__ = lazy_exports(
    __name__,
    {
        ".log": ["LoggingNotifier"],
        ".notification": ["Notification", "NotificationKind"],
        ".outbox": ["FileOutboxNotifier", "OutboxContents", "read_outbox"],
        ".delivery": [
            "DeliveryFailure",
            "DeliveryReport",
            "notification_for",
            "notify_due",
            "send",
        ],
        ".smtp": ["SMTPDeliveryError", "SMTPNotifier", "SMTPSettings", "register_from_environment"],
    },
)


__all__ = [
    "DeliveryFailure",
    "DeliveryReport",
    "FileOutboxNotifier",
    "LoggingNotifier",
    "Notification",
    "NotificationKind",
    "OutboxContents",
    "SMTPDeliveryError",
    "SMTPNotifier",
    "SMTPSettings",
    "notification_for",
    "notify_due",
    "read_outbox",
    "register_from_environment",
    "send",
]
