"""Notifications: what a notifier is told (a new breach, an at-risk deadline, a complaint received,
feedback due), with no personal data in it, ever.

A notification names a rule, a record by type and id, a deadline and a plain message built from
those alone: never a name, a contact, a summary or an event note, so it is safe to log, e-mail or
post to a chat channel, and an anonymous complaint cannot be traced back through one. Record ids
must not encode a person either (use a number or a random id).

A notification is written in one language, its ``locale`` (English unless told, ``docs/i18n.md``):
its message, the status word of its log line and the e-mail the SMTP notifier composes. The
language is not part of its ``key``: the same breach notified in French after English is the
same notification, and is not sent again.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any
from urllib.parse import quote

from attrs import field, frozen

from ..core._checks import nonempty_text, optional_text, text
from ..core.complaint import Complaint
from ..core.errors import FieldError, ValidationError
from ..core.timestamps import optional_utc, utc
from ..core.translation import ENGLISH, SOURCE_LOCALE, LocaleError, Translator, normalise
from ..core.translation import translator as translator_for


class NotificationKind(StrEnum):
    """Why a notification was raised."""

    BREACHED = "breached"
    AT_RISK = "at_risk"
    COMPLAINT_RECEIVED = "complaint_received"
    FEEDBACK_DUE = "feedback_due"


def status_word(kind: NotificationKind, t: Translator = ENGLISH) -> str:
    """Why a notification was raised, in words (``breached``, ``at risk``, ``received``,
    ``feedback due``) in ``t``'s language: its log line's tag and its e-mail's status."""
    if t.is_source:
        return _WORDS[kind]
    if kind is NotificationKind.BREACHED:
        return t.gettext("breached")
    if kind is NotificationKind.AT_RISK:
        return t.gettext("at risk")
    if kind is NotificationKind.FEEDBACK_DUE:
        return t.pgettext("notification", "feedback due")
    return t.pgettext("notification", "received")


_WORDS = {
    NotificationKind.BREACHED: "breached",
    NotificationKind.AT_RISK: "at risk",
    NotificationKind.COMPLAINT_RECEIVED: "received",
    NotificationKind.FEEDBACK_DUE: "feedback due",
}


def record_type_word(record_type: str, t: Translator = ENGLISH) -> str:
    """A record type in words, with no article, as a notification writes it (``enquiry``,
    ``test request``; ``demande``, ``demande d'analyse``). A type this version does not know (a
    plugin's) is written as it is, its underscores as spaces."""
    if t.is_source:
        return record_type.replace("_", " ")
    words = {
        "enquiry": t.pgettext("record type", "enquiry"),
        "complaint": t.pgettext("record type", "complaint"),
        "referral": t.pgettext("record type", "referral"),
        "contract": t.pgettext("record type", "contract"),
        "customer": t.pgettext("record type", "customer"),
        "survey": t.pgettext("record type", "survey"),
        "survey_response": t.pgettext("record type", "survey response"),
        "test_request": t.pgettext("record type", "test request"),
        "measurement": t.pgettext("record type", "measurement"),
        "record": t.pgettext("record type", "record"),
        "period": t.pgettext("record type", "period"),
    }
    return words.get(record_type, record_type.replace("_", " "))


def _locale(value: str | Translator) -> str:
    if value == SOURCE_LOCALE:  # the usual case, with nothing to look up
        return SOURCE_LOCALE
    if isinstance(value, Translator):
        return value.locale
    if not isinstance(value, str):
        raise ValidationError.single(
            "$.locale", f"expected a locale such as 'en' or 'fr', got a {type(value).__name__}"
        )
    try:
        return normalise(value, field="$.locale")
    except LocaleError as error:
        raise ValidationError.single("$.locale", str(error).removeprefix("$.locale: ")) from None


def _kind(value: NotificationKind | str) -> NotificationKind:
    try:
        return NotificationKind(value)
    except ValueError:
        known = ", ".join(kind.value for kind in NotificationKind)
        raise ValidationError.single(
            "$.kind", f"unknown notification kind {value!r}; expected one of {known}"
        ) from None


def describe(
    kind: NotificationKind,
    record_type: str,
    record_id: str,
    rule_id: str | None,
    due: datetime | None,
    t: Translator = ENGLISH,
) -> str:
    """A notification's message, from its fields alone, in ``t``'s language: ``rule T-1 breached
    for enquiry 'ENQ-1' (due 2026-01-07T17:00:00+00:00)``. The deadline stays in ISO 8601 (data a
    reader may search or parse), in every language."""
    if t.is_source:
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
    subject = t.gettext("{record_type} {record_id}").format(
        record_type=record_type_word(record_type, t), record_id=repr(record_id)
    )
    if kind is NotificationKind.BREACHED:
        text = (
            t.gettext("rule {rule} breached for {record}").format(rule=rule_id, record=subject)
            if rule_id
            else t.gettext("breached for {record}").format(record=subject)
        )
    elif kind is NotificationKind.AT_RISK:
        text = (
            t.gettext("rule {rule} at risk for {record}").format(rule=rule_id, record=subject)
            if rule_id
            else t.gettext("at risk for {record}").format(record=subject)
        )
    elif kind is NotificationKind.FEEDBACK_DUE:
        text = t.gettext("feedback due on {record}").format(record=subject)
    else:
        text = t.gettext("{record} received").format(record=subject)
    if due is None:
        return text
    return t.gettext("{message} (due {due})").format(message=text, due=due.isoformat())


def received_message(
    complaint_id: str,
    anonymous: bool,
    channel: str,
    received: datetime,
    t: Translator = ENGLISH,
) -> str:
    """A complaint-received notification's message, in ``t``'s language: its id, whether it is
    anonymous, its channel (a code, as the record holds it) and when it was received (ISO 8601):
    never who made it or why."""
    if t.is_source:
        kind = "anonymous complaint" if anonymous else "complaint"
        return f"{kind} {complaint_id!r} received by {channel} at {received.isoformat()}"
    text = (
        t.gettext("anonymous complaint {id} received by {channel} at {received}")
        if anonymous
        else t.gettext("complaint {id} received by {channel} at {received}")
    )
    return text.format(id=repr(complaint_id), channel=channel, received=received.isoformat())


@frozen
class Notification:
    """One thing a notifier must hear about; ``key`` identifies it across runs.

    ``at`` is when it was raised (the ``at`` of the run); ``due_at`` the deadline it concerns.
    Build one from a finding with :func:`~qse_customer.notifiers.delivery.notification_for` or
    for a complaint with :meth:`complaint_received`: both write the message from the fields
    alone. ``locale`` is the language it is written in (``"en"``, ``"fr"``, ``"fr_FR"``, or a
    :class:`~qse_customer.core.translation.Translator`): a message left empty is written in it,
    and notifiers that write words of their own (the log line's tag, the e-mail) follow it.
    """

    kind: NotificationKind = field(converter=_kind)
    record_type: str = field(validator=nonempty_text)
    record_id: str = field(validator=nonempty_text)
    at: datetime = field(converter=utc)
    rule_id: str | None = field(default=None, validator=optional_text)
    due_at: datetime | None = field(default=None, converter=optional_utc)
    message: str = field(default="", validator=text)
    locale: str = field(default=SOURCE_LOCALE, converter=_locale)

    def __attrs_post_init__(self) -> None:
        if not self.message:
            text = describe(
                self.kind, self.record_type, self.record_id, self.rule_id, self.due_at, self.t
            )
            object.__setattr__(self, "message", text)

    @property
    def t(self) -> Translator:
        """The :class:`~qse_customer.core.translation.Translator` of the notification's locale."""
        return ENGLISH if self.locale == SOURCE_LOCALE else translator_for(self.locale)

    @property
    def key(self) -> str:
        """Identifies the notification across runs: kind, rule, record and deadline (not ``at``,
        the message or the language)."""
        due = self.due_at.isoformat() if self.due_at is not None else "-"
        parts = (self.kind.value, self.rule_id or "-", self.record_type, self.record_id, due)
        return "|".join(quote(part, safe="") for part in parts)

    def to_dict(self) -> dict[str, Any]:
        """The notification as JSON types (what the file outbox writes, one per line); ``locale``
        only when it is not English, so an English notification's document is as it always was."""
        document = {
            "key": self.key,
            "kind": self.kind.value,
            "record_type": self.record_type,
            "record_id": self.record_id,
            "rule_id": self.rule_id,
            "due_at": self.due_at.isoformat() if self.due_at is not None else None,
            "at": self.at.isoformat(),
            "message": self.message,
        }
        if self.locale != SOURCE_LOCALE:
            document["locale"] = self.locale
        return document

    @classmethod
    def from_dict(cls, document: Mapping[str, Any]) -> Notification:
        """A notification from :meth:`to_dict`'s output; an error lists every bad field."""
        if not isinstance(document, Mapping):
            raise ValidationError.single("$", "expected a notification object")
        errors: list[FieldError] = []
        for name in ("kind", "record_type", "record_id", "at"):
            if not isinstance(document.get(name), str):
                errors.append(FieldError(f"$.{name}", "expected a string"))
        for name in ("rule_id", "due_at", "message", "locale"):
            if document.get(name) is not None and not isinstance(document[name], str):
                errors.append(FieldError(f"$.{name}", "expected a string or null"))
        if errors:
            raise ValidationError(errors, what="notification")
        try:
            due = document.get("due_at")
            return cls(
                kind=document["kind"],
                record_type=document["record_type"],
                record_id=document["record_id"],
                at=datetime.fromisoformat(document["at"]),
                rule_id=document.get("rule_id"),
                due_at=datetime.fromisoformat(due) if due is not None else None,
                message=document.get("message") or "",
                locale=document.get("locale") or SOURCE_LOCALE,
            )
        except ValueError as error:
            if isinstance(error, ValidationError):
                raise ValidationError(error.errors, what="notification") from error
            raise ValidationError.single("$", str(error), what="notification") from error

    @classmethod
    def complaint_received(
        cls,
        complaint: Complaint,
        *,
        at: datetime | None = None,
        locale: str | Translator = SOURCE_LOCALE,
    ) -> Notification:
        """A complaint-received notification: its id and channel, never who made it or why;
        written in ``locale``'s language."""
        received = complaint.opened_at
        t = translator_for(_locale(locale))
        return cls(
            kind=NotificationKind.COMPLAINT_RECEIVED,
            record_type=Complaint.TYPE,
            record_id=complaint.id,
            at=at if at is not None else received,
            message=received_message(
                complaint.id, complaint.anonymous, complaint.channel.value, received, t
            ),
            locale=t.locale,
        )

    def __str__(self) -> str:
        """The log line: ``[breached] <message>``, its tag in the notification's language."""
        if self.t.is_source:
            return f"[{_WORDS[self.kind]}] {self.message}"
        return self.t.gettext("[{status}] {message}").format(
            status=status_word(self.kind, self.t), message=self.message
        )
