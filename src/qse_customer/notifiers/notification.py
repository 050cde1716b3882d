"""Notifications: what a notifier is told (a new breach, an at-risk deadline, a complaint received,
feedback due), with no personal data in it, ever.

A notification names a rule, a record by type and id, a deadline and a plain message built from
those alone: never a name, a contact, a summary or an event note, so it is safe to log, e-mail or
post to a chat channel, and an anonymous complaint cannot be traced back through one. Record ids
must not encode a person either (use a number or a random id).
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


class NotificationKind(StrEnum):
    """Why a notification was raised."""

    BREACHED = "breached"
    AT_RISK = "at_risk"
    COMPLAINT_RECEIVED = "complaint_received"
    FEEDBACK_DUE = "feedback_due"


_WORDS = {
    NotificationKind.BREACHED: "breached",
    NotificationKind.AT_RISK: "at risk",
    NotificationKind.COMPLAINT_RECEIVED: "received",
    NotificationKind.FEEDBACK_DUE: "feedback due",
}


def _kind(value: NotificationKind | str) -> NotificationKind:
    try:
        return NotificationKind(value)
    except ValueError:
        known = ", ".join(kind.value for kind in NotificationKind)
        raise ValidationError.single(
            "$.kind", f"unknown notification kind {value!r}; expected one of {known}"
        ) from None


def _describe(
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


@frozen
class Notification:
    """One thing a notifier must hear about; ``key`` identifies it across runs.

    ``at`` is when it was raised (the ``at`` of the run); ``due_at`` the deadline it concerns.
    Build one from a finding with :meth:`from_finding` or for a complaint with
    :meth:`complaint_received`: both write the message from the fields alone.
    """

    kind: NotificationKind = field(converter=_kind)
    record_type: str = field(validator=nonempty_text)
    record_id: str = field(validator=nonempty_text)
    at: datetime = field(converter=utc)
    rule_id: str | None = field(default=None, validator=optional_text)
    due_at: datetime | None = field(default=None, converter=optional_utc)
    message: str = field(default="", validator=text)

    def __attrs_post_init__(self) -> None:
        if not self.message:
            text = _describe(self.kind, self.record_type, self.record_id, self.rule_id, self.due_at)
            object.__setattr__(self, "message", text)

    @property
    def key(self) -> str:
        """Identifies the notification across runs: kind, rule, record and deadline (not ``at``)."""
        due = self.due_at.isoformat() if self.due_at is not None else "-"
        parts = (self.kind.value, self.rule_id or "-", self.record_type, self.record_id, due)
        return "|".join(quote(part, safe="") for part in parts)

    def to_dict(self) -> dict[str, Any]:
        """The notification as JSON types (what the file outbox writes, one per line)."""
        return {
            "key": self.key,
            "kind": self.kind.value,
            "record_type": self.record_type,
            "record_id": self.record_id,
            "rule_id": self.rule_id,
            "due_at": self.due_at.isoformat() if self.due_at is not None else None,
            "at": self.at.isoformat(),
            "message": self.message,
        }

    @classmethod
    def from_dict(cls, document: Mapping[str, Any]) -> Notification:
        """A notification from :meth:`to_dict`'s output; an error lists every bad field."""
        if not isinstance(document, Mapping):
            raise ValidationError.single("$", "expected a notification object")
        errors: list[FieldError] = []
        for name in ("kind", "record_type", "record_id", "at"):
            if not isinstance(document.get(name), str):
                errors.append(FieldError(f"$.{name}", "expected a string"))
        for name in ("rule_id", "due_at", "message"):
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
            )
        except ValueError as error:
            if isinstance(error, ValidationError):
                raise ValidationError(error.errors, what="notification") from error
            raise ValidationError.single("$", str(error), what="notification") from error

    @classmethod
    def complaint_received(
        cls, complaint: Complaint, *, at: datetime | None = None
    ) -> Notification:
        """A complaint-received notification: its id and channel, never who made it or why."""
        received = complaint.opened_at
        kind = "anonymous complaint" if complaint.anonymous else "complaint"
        return cls(
            kind=NotificationKind.COMPLAINT_RECEIVED,
            record_type=Complaint.TYPE,
            record_id=complaint.id,
            at=at if at is not None else received,
            message=f"{kind} {complaint.id!r} received by {complaint.channel.value} at "
            f"{received.isoformat()}",
        )

    def __str__(self) -> str:
        return f"[{_WORDS[self.kind]}] {self.message}"
