"""The SMTP notifier: each notification as one plain-text e-mail, through the standard library's
:mod:`smtplib`, with STARTTLS (or implicit TLS) and login optional.

Configure it with a URL, with :class:`SMTPSettings`, or from the environment::

    smtp://host:25?from=qse@lab.example&to=quality@lab.example
    smtp://user:secret@mail.lab.example:587?from=qse@lab.example&to=a@lab.example,b@lab.example&starttls=1
    smtps://user:secret@mail.lab.example?from=qse@lab.example&to=quality@lab.example

    QSE_SMTP_URL=smtp://...        # read by SMTPSettings.from_environment()
    QSE_SMTP_PASSWORD=secret       # the password, if you keep it out of the URL

With ``QSE_SMTP_URL`` set it is a built-in plugin, ``qse_customer.smtp_notifier`` (see
:mod:`.builtin`); otherwise register it under a stable name yourself (deliveries are tracked by
that name)::

    get_plugin_manager().register(SMTPNotifier("smtp://..."), "qse_customer.smtp_notifier")

Delivery is all or nothing per notification: the envelope is sent recipient by recipient and, if
the server refuses the sender or any recipient, the transaction is abandoned before the message
is sent, so nobody receives it and :func:`qse_customer.notify_due` retries it on the next run.
Once the server has answered 250 to the message's data it is delivered: an error after that (the
server closing the connection instead of answering QUIT) is ignored, so the notification is never
sent twice. A failure that leaves delivery uncertain (the connection dropped after the data was
sent but before the server answered) is retried with the same ``Message-ID``, derived from the
notification's key, so a receiving system can drop the repeat.

A message holds the notification's fields only (which already hold no personal data), and of
those only the ones the lab allows with ``fields`` (e.g. leave out ``record_id`` and ``message``
if record ids are sensitive where you work): never a name, a contact, a summary or a note.

A message is written in the notification's language (``notification.locale``: the ``locale=`` of
:func:`qse_customer.notify_due`, ``qse-customer notify --locale fr``), so its subject, labels and
sentences speak the language of the notification's message; its dates are written as that
locale writes them, in ``timezone``, with the ISO 8601 time beside them.
"""

from __future__ import annotations

import hashlib
import logging
import os
import reprlib
import smtplib
import ssl
from collections.abc import Iterable, Mapping
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import format_datetime, parseaddr
from enum import StrEnum
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from attrs import field, frozen

from ..core.errors import FieldError, QSEError, ValidationError
from ..core.timestamps import wall_clock
from ..core.translation import Translator
from ..plugins.manager import QSEPluginManager, get_plugin_manager
from ..plugins.markers import hookimpl
from ._builtin import PASSWORD_ENV, PLUGIN_NAME, URL_ENV
from .notification import Notification, NotificationKind, record_type_word, status_word

logger = logging.getLogger("qse_customer.notifiers.smtp")


MESSAGE_FIELDS = ("rule_id", "record_type", "record_id", "due_at", "at", "message")
"""The notification fields a message may show; ``SMTPSettings.fields`` picks some or all.
(The kind is always shown: it is why the message was sent.)"""


class Security(StrEnum):
    """How the connection to the SMTP server is protected."""

    NONE = "none"
    STARTTLS = "starttls"
    TLS = "tls"


# Headers are not folded at 78 characters (a SHOULD of RFC 5322; 998 is the limit): Python folds
# a long subject onto a continuation line that some readers show with a leading space. The body
# is encoded when it is composed, so its quoted-printable lines stay within 76 characters.
_WIRE_POLICY = SMTP_POLICY.clone(max_line_length=998)
_DEFAULT_PORTS = {Security.NONE: 25, Security.STARTTLS: 587, Security.TLS: 465}
_URL_OPTIONS = ("from", "to", "starttls", "timeout", "cafile", "fields", "timezone", "subject")
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class SMTPDeliveryError(QSEError):
    """A notification the SMTP server did not take; it stays pending and is retried.

    ``server`` is ``host:port``; ``code`` the server's reply code when it gave one.
    """

    def __init__(self, message: str, *, server: str, code: int | None = None) -> None:
        super().__init__(message)
        self.server = server
        self.code = code


def _address_problem(value: object) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return f"expected an e-mail address, got {value!r}"
    if any(ch in value for ch in "\r\n\0"):
        return "an e-mail address cannot contain line breaks"
    _, address = parseaddr(value)
    local, at, domain = address.rpartition("@")
    if not (at and local and domain) or " " in address:
        return f"expected an e-mail address such as qse@lab.example, got {value!r}"
    if not address.isascii():
        return f"expected an ASCII e-mail address (no SMTPUTF8 support), got {value!r}"
    return None


def _security(value: Security | str) -> Security:
    try:
        return Security(value)
    except ValueError:
        known = ", ".join(security.value for security in Security)
        raise ValidationError.single(
            "$.security", f"expected one of {known}, got {value!r}", what="SMTP settings"
        ) from None


def _tuple(value: Iterable[str] | str) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    return tuple(value)


@frozen(kw_only=True)
class SMTPSettings:
    """Where and how the SMTP notifier sends: server, sender, recipients, security, login,
    and which notification fields a message may show.

    ``port`` defaults to 25, 587 with STARTTLS, or 465 with implicit TLS; ``cafile`` names the
    certificates to trust instead of the system's (a private CA); ``timezone`` is the IANA zone
    times are shown in; ``subject_prefix`` starts every subject line. A user name needs STARTTLS
    or TLS: a password is never sent in clear.
    """

    host: str
    sender: str
    recipients: tuple[str, ...] = field(converter=_tuple)
    port: int | None = None
    security: Security = field(default=Security.NONE, converter=_security)
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = 30.0
    cafile: str | None = None
    fields: tuple[str, ...] = field(default=MESSAGE_FIELDS, converter=_tuple)
    timezone: str = "UTC"
    subject_prefix: str = "[qse-customer]"

    def __attrs_post_init__(self) -> None:
        errors = self._problems()
        if errors:
            raise ValidationError(errors, what="SMTP settings")

    def _problems(self) -> list[FieldError]:
        errors: list[FieldError] = []

        def bad(name: str, message: str) -> None:
            errors.append(FieldError(f"$.{name}", message))

        if not isinstance(self.host, str) or not self.host.strip() or "/" in self.host:
            bad("host", f"expected the SMTP server's host name, got {self.host!r}")
        port = self.port
        if port is not None and (
            isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536
        ):
            bad("port", f"expected a port number from 1 to 65535, got {port!r}")
        if (problem := _address_problem(self.sender)) is not None:
            bad("sender", problem)
        if not self.recipients:
            bad("recipients", "expected at least one recipient address")
        for index, recipient in enumerate(self.recipients):
            if (problem := _address_problem(recipient)) is not None:
                bad(f"recipients[{index}]", problem)
            elif parseaddr(recipient)[1] != recipient.strip():
                bad(f"recipients[{index}]", f"expected a bare address, got {recipient!r}")
        for name in ("username", "password", "cafile"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, str) or not value):
                bad(name, f"expected a non-empty string or None, got a {type(value).__name__}")
        if self.username is not None and self.security == Security.NONE:
            bad(
                "username",
                "logging in over an unencrypted connection would send the password in clear; "
                "add starttls=1 (or use smtps://) or leave the user out",
            )
        if self.password is not None and self.username is None:
            bad("password", "a password needs a user name")
        timeout = self.timeout
        if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not timeout > 0:
            bad("timeout", f"expected a number of seconds greater than 0, got {timeout!r}")
        elif timeout > 3600:
            bad("timeout", f"expected at most 3600 seconds, got {timeout!r}")
        unknown = [name for name in self.fields if name not in MESSAGE_FIELDS]
        if unknown or len(set(self.fields)) != len(self.fields):
            bad(
                "fields",
                f"expected distinct names from {', '.join(MESSAGE_FIELDS)}, got {self.fields!r}",
            )
        elif "message" in self.fields and "record_id" not in self.fields:
            bad("fields", "the message names the record: allow record_id too, or drop message")
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError, TypeError, OSError):
            expected = "expected an IANA time zone such as 'Europe/London'"
            bad("timezone", f"{expected}, got {reprlib.repr(self.timezone)}")
        if not isinstance(self.subject_prefix, str) or any(
            ch in self.subject_prefix for ch in "\r\n"
        ):
            bad("subject_prefix", "expected one line of text")
        return errors

    @property
    def effective_port(self) -> int:
        """The port to connect to: ``port``, or the default for the security chosen."""
        return self.port if self.port is not None else _DEFAULT_PORTS[self.security]

    @property
    def server(self) -> str:
        """``host:port``, for messages."""
        return f"{self.host}:{self.effective_port}"

    @classmethod
    def from_url(cls, url: str, *, password: str | None = None) -> SMTPSettings:
        """Settings from ``smtp://[user[:password]@]host[:port]?from=...&to=...`` (``smtps://``
        for implicit TLS); options ``starttls``, ``timeout``, ``cafile``, ``fields``,
        ``timezone`` and ``subject``; ``password`` is used when the URL has none."""
        if not isinstance(url, str):
            raise ValidationError.single("$.url", "expected an smtp:// or smtps:// URL")
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in {"smtp", "smtps"}:
            raise ValidationError.single(
                "$.url", f"expected an smtp:// or smtps:// URL, got scheme {parts.scheme!r}"
            )
        try:
            port = parts.port
        except ValueError as error:
            raise ValidationError.single("$.url.port", f"bad port: {error}") from None
        if parts.path not in {"", "/"} or parts.fragment:
            raise ValidationError.single(
                "$.url", "an SMTP URL has no path: put everything else in ?from=...&to=..."
            )
        options: dict[str, list[str]] = {}
        for key, value in parse_qsl(parts.query, keep_blank_values=True):
            options.setdefault(key, []).append(value)
        unknown = sorted(set(options) - set(_URL_OPTIONS))
        if unknown:
            raise ValidationError.single(
                f"$.url.{unknown[0]}",
                f"unknown option; expected one of {', '.join(_URL_OPTIONS)}",
            )
        for key, values in options.items():
            if key != "to" and len(values) > 1:
                raise ValidationError.single(f"$.url.{key}", "given more than once")
        single = {key: values[-1] for key, values in options.items()}
        security = Security.TLS if scheme == "smtps" else Security.NONE
        starttls = single.get("starttls", "0").lower()
        if starttls not in _TRUE | _FALSE:
            raise ValidationError.single("$.url.starttls", f"expected 1 or 0, got {starttls!r}")
        if starttls in _TRUE:
            if security is Security.TLS:
                raise ValidationError.single(
                    "$.url.starttls", "smtps:// is already encrypted; drop starttls"
                )
            security = Security.STARTTLS
        settings: dict[str, Any] = {
            "host": parts.hostname or "",
            "port": port,
            "sender": single.get("from", ""),
            "recipients": tuple(r for value in options.get("to", []) for r in _tuple(value)),
            "security": security,
            "username": unquote(parts.username) if parts.username else None,
            "password": unquote(parts.password) if parts.password is not None else password,
            "cafile": single.get("cafile") or None,
        }
        if settings["username"] is None:
            settings["password"] = None
        if "timeout" in single:
            try:
                settings["timeout"] = float(single["timeout"])
            except ValueError:
                raise ValidationError.single(
                    "$.url.timeout", f"expected seconds, got {single['timeout']!r}"
                ) from None
        if "fields" in single:
            settings["fields"] = _tuple(single["fields"])
        if "timezone" in single:
            settings["timezone"] = single["timezone"]
        if "subject" in single:
            settings["subject_prefix"] = single["subject"]
        return cls(**settings)

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> SMTPSettings | None:
        """Settings from ``QSE_SMTP_URL`` (and ``QSE_SMTP_PASSWORD``), or None if it is unset."""
        env = environ if environ is not None else os.environ
        url = env.get(URL_ENV, "").strip()
        if not url:
            return None
        try:
            return cls.from_url(url, password=env.get(PASSWORD_ENV) or None)
        except ValidationError as error:
            raise ValidationError(error.errors, what=f"SMTP settings in {URL_ENV}") from None


def message_id(notification: Notification, domain: str) -> str:
    """The ``Message-ID`` of a notification's e-mail: the same on every retry, so a receiver can
    drop a repeat; a hash of the notification's key, so it shows nothing of it."""
    digest = hashlib.sha256(notification.key.encode("utf-8")).hexdigest()[:40]
    return f"<qse.{digest}@{domain}>"


class SMTPNotifier:
    """Sends each notification as a plain-text e-mail (see the module's documentation)."""

    def __init__(self, settings: SMTPSettings | str) -> None:
        self.settings = settings if isinstance(settings, SMTPSettings) else _from_url(settings)
        self._zone = ZoneInfo(self.settings.timezone)
        self._domain = parseaddr(self.settings.sender)[1].rpartition("@")[2].lower()

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> SMTPNotifier | None:
        """A notifier configured by ``QSE_SMTP_URL``, or None if it is unset."""
        settings = SMTPSettings.from_environment(environ)
        return cls(settings) if settings is not None else None

    @hookimpl
    def qse_notify(self, notification: Notification) -> None:
        """Send the notification; raise :class:`SMTPDeliveryError` if the server did not take it."""
        self.send(self.compose(notification))

    # -- the message ------------------------------------------------------------------------

    def compose(self, notification: Notification) -> EmailMessage:
        """The e-mail for a notification: only the allowed fields, in plain words, in the
        notification's language."""
        allowed = set(self.settings.fields)
        t = notification.t
        message = EmailMessage(policy=SMTP_POLICY)
        message["Subject"] = self._subject(notification, allowed, t)
        message["From"] = self.settings.sender
        message["To"] = ", ".join(self.settings.recipients)
        message["Date"] = format_datetime(notification.at)
        message["Message-ID"] = message_id(notification, self._domain)
        message["Auto-Submitted"] = "auto-generated"
        message.set_content(self._body(notification, allowed, t))
        if not t.is_source:  # after the content, which set_content would clear
            message["Content-Language"] = t.locale.replace("_", "-")
        return message

    def _when(self, moment: Any, t: Translator) -> str:
        local = wall_clock(moment, self._zone)
        return f"{t.datetime(local)} {local.tzname()} ({local.isoformat()})"

    @staticmethod
    def _record(notification: Notification, allowed: set[str], t: Translator) -> str:
        if t.is_source:
            kind = (
                notification.record_type.replace("_", " ") if "record_type" in allowed else "record"
            )
            return f"{kind} {notification.record_id}" if "record_id" in allowed else f"a {kind}"
        kind = (
            record_type_word(notification.record_type, t)
            if "record_type" in allowed
            else record_type_word("record", t)
        )
        if "record_id" in allowed:
            return t.gettext("{record_type} {record_id}").format(
                record_type=kind, record_id=notification.record_id
            )
        return t.gettext("a {record_type}").format(record_type=kind)

    def _headline(self, notification: Notification, allowed: set[str], t: Translator) -> str:
        record = self._record(notification, allowed, t)
        rule = notification.rule_id if "rule_id" in allowed else None
        kind = notification.kind
        if t.is_source:
            named = f"Rule {rule}" if rule else "A rule"
            if kind is NotificationKind.BREACHED:
                return f"{named} was breached for {record}."
            if kind is NotificationKind.AT_RISK:
                return f"{named} is at risk for {record}."
            if kind is NotificationKind.FEEDBACK_DUE:
                return f"Feedback is due on {record}."
            return f"{record[0].upper()}{record[1:]} was received."
        if kind is NotificationKind.BREACHED:
            text = (
                t.gettext("Rule {rule} was breached for {record}.")
                if rule
                else t.gettext("A rule was breached for {record}.")
            )
        elif kind is NotificationKind.AT_RISK:
            text = (
                t.gettext("Rule {rule} is at risk for {record}.")
                if rule
                else t.gettext("A rule is at risk for {record}.")
            )
        elif kind is NotificationKind.FEEDBACK_DUE:
            text = t.gettext("Feedback is due on {record}.")
        else:
            text = t.gettext("{record} was received.")
        line = text.format(rule=rule, record=record)
        return f"{line[0].upper()}{line[1:]}"

    def _subject(self, notification: Notification, allowed: set[str], t: Translator) -> str:
        parts = [status_word(notification.kind, t)]
        if notification.rule_id and "rule_id" in allowed:
            rule = f"rule {notification.rule_id}"
            parts.append(
                rule if t.is_source else t.gettext("rule {rule}").format(rule=notification.rule_id)
            )
        parts.append(self._record(notification, allowed, t))
        if notification.due_at is not None and "due_at" in allowed:
            due = f"{notification.due_at.astimezone(self._zone):%Y-%m-%d %H:%M}"
            parts.append(f"due {due}" if t.is_source else t.gettext("due {due}").format(due=due))
        prefix = f"{self.settings.subject_prefix} " if self.settings.subject_prefix else ""
        if t.is_source:
            return " ".join(f"{prefix}{parts[0].capitalize()}: {', '.join(parts[1:])}".split())
        status = parts[0][:1].upper() + parts[0][1:]
        line = t.gettext("{status}: {details}").format(status=status, details=", ".join(parts[1:]))
        return " ".join(f"{prefix}{line}".split())

    def _body(self, notification: Notification, allowed: set[str], t: Translator) -> str:
        labels = {
            "status": t.pgettext("e-mail", "Status:"),
            "rule": t.pgettext("e-mail", "Rule:"),
            "record": t.pgettext("e-mail", "Record:"),
            "due": t.pgettext("e-mail", "Due:"),
            "raised": t.pgettext("e-mail", "Raised:"),
        }
        width = max(len(label) for label in labels.values()) + 2
        label = {name: text.ljust(width) for name, text in labels.items()}
        lines = [
            self._headline(notification, allowed, t),
            "",
            f"{label['status']}{status_word(notification.kind, t)}",
        ]
        if "rule_id" in allowed:
            lines.append(f"{label['rule']}{notification.rule_id or '-'}")
        if {"record_type", "record_id"} & allowed:
            lines.append(f"{label['record']}{self._record(notification, allowed, t)}")
        if "due_at" in allowed:
            due = notification.due_at
            lines.append(f"{label['due']}{self._when(due, t) if due is not None else '-'}")
        if "at" in allowed:
            lines.append(f"{label['raised']}{self._when(notification.at, t)}")
        if "message" in allowed:
            lines += ["", notification.message]
        lines += [
            "",
            "--",
            t.gettext(
                "Sent automatically by qse-customer. It holds no personal data; please do not "
                "reply with any."
            ),
        ]
        return "\n".join(lines) + "\n"

    # -- the transaction --------------------------------------------------------------------

    def send(self, message: EmailMessage) -> None:
        """Send a composed message in one SMTP transaction: delivered to every recipient or to
        none; :class:`SMTPDeliveryError` unless the server accepted it."""
        settings = self.settings
        data = message.as_bytes(policy=_WIRE_POLICY)
        sender = parseaddr(settings.sender)[1]
        stage = "connect"
        try:
            connection = self._connect()
        except (smtplib.SMTPException, OSError) as error:
            raise _delivery_error(settings.server, stage, error) from error
        try:
            stage = "greet"
            connection.ehlo_or_helo_if_needed()
            if settings.security == Security.STARTTLS:
                stage = "starttls"
                if not connection.has_extn("starttls"):
                    raise SMTPDeliveryError(
                        f"SMTP server {settings.server} does not offer STARTTLS; the notification "
                        "stays pending; enable STARTTLS on the server or use smtps://",
                        server=settings.server,
                    )
                connection.starttls(context=self._tls_context())
                connection.ehlo()
            if settings.username is not None:
                stage = "login"
                connection.login(settings.username, settings.password or "")
            stage = "mail"
            code, reply = connection.mail(sender)
            if code != 250:
                raise smtplib.SMTPSenderRefused(code, reply, sender)
            stage = "rcpt"
            refused = {}
            for recipient in settings.recipients:
                code, reply = connection.rcpt(recipient)
                if code not in (250, 251):
                    refused[recipient] = (code, reply)
            if refused:
                raise smtplib.SMTPRecipientsRefused(refused)
            stage = "data"
            # data() raises only if the server refuses the DATA command; the reply to the
            # message itself is returned.
            code, reply = connection.data(data)
            if code != 250:
                raise smtplib.SMTPDataError(code, reply)
        except SMTPDeliveryError:
            _abandon(connection)
            raise
        except (smtplib.SMTPException, OSError) as error:
            _abandon(connection)
            raise _delivery_error(settings.server, stage, error) from error
        # The server has accepted the message: from here on nothing may make it look undelivered.
        try:
            connection.quit()
        except (smtplib.SMTPException, OSError):
            connection.close()
        logger.debug(
            "sent %s to %d recipient(s) through %s",
            message["Message-ID"],
            len(settings.recipients),
            settings.server,
        )

    def _connect(self) -> smtplib.SMTP:
        settings = self.settings
        if settings.security == Security.TLS:
            return smtplib.SMTP_SSL(
                settings.host,
                settings.effective_port,
                timeout=settings.timeout,
                context=self._tls_context(),
            )
        return smtplib.SMTP(settings.host, settings.effective_port, timeout=settings.timeout)

    def _tls_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.settings.cafile)

    def __repr__(self) -> str:
        settings = self.settings
        return (
            f"SMTPNotifier({settings.server}, {settings.security.value}, to {settings.recipients})"
        )


def _from_url(url: object) -> SMTPSettings:
    if not isinstance(url, str):
        raise ValidationError.single(
            "$.settings", f"expected SMTPSettings or an smtp:// URL, got {type(url).__name__}"
        )
    return SMTPSettings.from_url(url)


def _abandon(connection: smtplib.SMTP) -> None:
    # Not QUIT: a transaction left open must not be completed by anything we send now.
    connection.close()


_FIXES = {
    "connect": "check the host and port, and that the server is running",
    "greet": "check the host and port point at an SMTP server",
    "starttls": "check the server's certificate (or give cafile=) and its TLS settings",
    "login": "check the user name and password",
    "mail": "the server refused the sender address; check from=",
    "rcpt": "the server refused a recipient; check to=",
    "data": "the server refused the message; its reply says why",
}


def _delivery_error(server: str, stage: str, error: BaseException) -> SMTPDeliveryError:
    code: int | None = None
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        detail = "; ".join(
            f"{address}: {reply[0]} {_text(reply[1])}"
            for address, reply in error.recipients.items()
        )
        detail = f"refused recipient(s) {detail}"
    elif isinstance(error, smtplib.SMTPResponseException):
        code = error.smtp_code
        detail = f"replied {code} {_text(error.smtp_error)}"
    else:
        detail = f"{type(error).__name__}: {error}"
    return SMTPDeliveryError(
        f"SMTP server {server} did not accept the notification ({stage}: {detail}); it stays "
        f"pending and is retried on the next run; {_FIXES.get(stage, 'see the error')}",
        server=server,
        code=code,
    )


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


def register_from_environment(
    manager: QSEPluginManager | None = None, environ: Mapping[str, str] | None = None
) -> SMTPNotifier | None:
    """Register an :class:`SMTPNotifier` configured by ``QSE_SMTP_URL`` under
    :data:`PLUGIN_NAME`, if it is set and no plugin has that name yet; return it (or None)."""
    notifier = SMTPNotifier.from_environment(environ)
    if notifier is None:
        return None
    plugins = manager if manager is not None else get_plugin_manager()
    if plugins.pluggy.has_plugin(PLUGIN_NAME):
        return None
    plugins.register(notifier, PLUGIN_NAME)
    return notifier
