"""The built-in SMTP notifier as a plugin, on when ``QSE_SMTP_URL`` is set.

:data:`qse_customer.plugins.BUILTIN_PLUGINS` registers :func:`smtp_from_environment`'s notifier
under :data:`PLUGIN_NAME`, as it registers the other built-ins; without ``QSE_SMTP_URL`` there is
no SMTP notifier, and :mod:`.smtp` (with :mod:`smtplib` and :mod:`email`) is not imported. The
built-in logging notifier is the module :mod:`.log` itself.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .smtp import SMTPNotifier

URL_ENV = "QSE_SMTP_URL"
"""Environment variable holding the SMTP notifier's URL (see :mod:`.smtp`)."""

PASSWORD_ENV = "QSE_SMTP_PASSWORD"
"""Environment variable holding the SMTP password when the URL names a user but no password."""

PLUGIN_NAME = "qse_customer.smtp_notifier"
"""The name the SMTP notifier configured by ``QSE_SMTP_URL`` is registered under."""


def smtp_from_environment(environ: Mapping[str, str] | None = None) -> SMTPNotifier | None:
    """The SMTP notifier ``QSE_SMTP_URL`` (and ``QSE_SMTP_PASSWORD``) configure, or None if it
    is unset."""
    env = environ if environ is not None else os.environ
    if not env.get(URL_ENV, "").strip():
        return None
    from .smtp import SMTPNotifier

    return SMTPNotifier.from_environment(env)
