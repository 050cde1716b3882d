"""Enquiries and correspondence: telephone, voicemail, letters, e-mail, web and face to face
(source 003, section 3)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar, Self

from attrs import field, frozen

from ._checks import boolean, optional_text, text
from .events import Event
from .lifecycle import Lifecycle
from .parties import Submitter, as_submitter
from .record import Record
from .roles import Actor
from .vocabulary import Channel, CustomerKind

ENQUIRY_LIFECYCLE = Lifecycle(
    opening={"received"},
    kinds={
        "received",
        "retrieved",
        "message_taken",
        "named_person_unavailable",
        "timeframe_advised",
        "acknowledged",
        "progress_update",
        "extension_agreed",
        "forwarded",
        "awaiting_customer",
        "customer_replied",
        "transcribed",
        "signed",
        "posted",
        "responded",
        "referred",
        "note_added",
        "closed",
        "reopened",
    },
    status_after={
        "received": "open",
        "retrieved": "open",
        "acknowledged": "acknowledged",
        "awaiting_customer": "awaiting_customer",
        "customer_replied": "open",
        "responded": "answered",
        "posted": "answered",
        "closed": "closed",
        "reopened": "open",
    },
)


@frozen(kw_only=True, eq=True, hash=False)
class Enquiry(Record):
    """An enquiry or a piece of correspondence and the lab's response to it."""

    TYPE: ClassVar[str] = "enquiry"
    LIFECYCLE: ClassVar[Lifecycle] = ENQUIRY_LIFECYCLE

    channel: Channel = field(converter=Channel)
    subject: str = field(default="", validator=text)
    clinical: bool = field(default=False, validator=boolean)
    complex: bool = field(default=False, validator=boolean)
    freedom_of_information: bool = field(default=False, validator=boolean)
    customer_kind: CustomerKind = field(default=CustomerKind.EXTERNAL, converter=CustomerKind)
    site: str | None = field(default=None, validator=optional_text)
    enquirer: Submitter | None = field(default=None, converter=as_submitter)

    @classmethod
    def receive(
        cls,
        *,
        id: str,
        at: datetime,
        by: Actor | None,
        channel: Channel | str,
        note: str = "",
        **fields: Any,
    ) -> Self:
        """An enquiry as received (for voicemail: when the message was left)."""
        return cls(id=id, channel=channel, events=(Event("received", at, by, {}, note),), **fields)
