"""Complaints: received, acted on, answered, analysed and referred (source 000, "Managing
Customer Complaints"). Anonymous complaints hold no identity of their submitter, ever."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar, Self

from attrs import field, frozen

from .checks import boolean, nonempty_text, optional_text, text, text_tuple
from .errors import PrivacyError, TransitionError
from .events import Event
from .lifecycle import Lifecycle
from .parties import Submitter, as_submitter
from .record import Record
from .roles import Actor, Role
from .vocabulary import Channel, CustomerKind, Severity

#: Keys an event on an anonymous complaint may not carry in its data: they would identify someone.
IDENTIFYING_KEYS = frozenset(
    {
        "name",
        "contact",
        "email",
        "phone",
        "telephone",
        "address",
        "customer_id",
        "submitter",
        "patient_id",
        "mrn",
        "nhs_number",
    }
)

COMPLAINT_LIFECYCLE = Lifecycle(
    opening={"received"},
    kinds={
        "received",
        "acknowledged",
        "progress_update",
        "investigation_started",
        "test_request_linked",
        "result_error_confirmed",
        "corrected_report_issued",
        "requester_notified",
        "corrective_action_initiated",
        "corrective_action_documented",
        "outcome_decided",
        "effectiveness_reviewed",
        "feedback_given",
        "awaiting_customer",
        "customer_replied",
        "analysed",
        "referred",
        "note_added",
        "closed",
        "reopened",
    },
    status_after={
        "received": "open",
        "acknowledged": "acknowledged",
        "investigation_started": "investigating",
        "corrective_action_initiated": "investigating",
        "awaiting_customer": "awaiting_customer",
        "customer_replied": "investigating",
        "corrective_action_documented": "action_documented",
        "feedback_given": "answered",
        "closed": "closed",
        "reopened": "open",
    },
)


@frozen(kw_only=True, eq=True, hash=False)
class Complaint(Record):
    """A customer's complaint, named or anonymous, internal or external."""

    TYPE: ClassVar[str] = "complaint"
    LIFECYCLE: ClassVar[Lifecycle] = COMPLAINT_LIFECYCLE

    channel: Channel = field(converter=Channel)
    category: str = field(validator=nonempty_text)
    anonymous: bool = field(default=False, validator=boolean)
    customer_kind: CustomerKind = field(default=CustomerKind.EXTERNAL, converter=CustomerKind)
    customer_group: str | None = field(default=None, validator=optional_text)
    severity: Severity = field(default=Severity.MEDIUM, converter=Severity)
    site: str | None = field(default=None, validator=optional_text)
    summary: str = field(default="", validator=text)
    submitter: Submitter | None = field(default=None, converter=as_submitter)
    people_involved: tuple[str, ...] = field(default=(), converter=text_tuple)
    wrong_result: bool = field(default=False, validator=boolean)
    """The complainant says a reported result is wrong (H-4: link it to its test request)."""

    def __attrs_post_init__(self) -> None:
        if self.anonymous and self.submitter is not None:
            raise PrivacyError(
                "$.submitter: an anonymous complaint holds no identity of its submitter; "
                "leave submitter empty or mark the complaint as named",
                "$.submitter",
            )
        super().__attrs_post_init__()

    @classmethod
    def receive(
        cls,
        *,
        id: str,
        at: datetime,
        by: Actor | None,
        channel: Channel | str,
        category: str,
        anonymous: bool = False,
        submitter: Submitter | None = None,
        note: str = "",
        **fields: Any,
    ) -> Self:
        """A complaint as received and documented by ``by`` (R-K1): its first event."""
        return cls(
            id=id,
            channel=channel,
            category=category,
            anonymous=anonymous,
            submitter=submitter,
            events=(Event("received", at, by, {}, note),),
            **fields,
        )

    def _check_event(self, event: Event, before: tuple[Event, ...], index: int) -> None:
        super()._check_event(event, before, index)
        if not self.anonymous:
            return
        path = f"$.events[{index}]"
        if event.kind == "feedback_given":
            raise TransitionError(
                f"{path}: feedback cannot be given on an anonymous complaint: there is no one to "
                "give it to (source 000, 'Managing Customer Complaints')",
                path,
            )
        if event.kind in {"awaiting_customer", "customer_replied"}:
            raise TransitionError(
                f"{path}: an anonymous complaint cannot wait on or hear from its submitter", path
            )
        if event.actor is not None and event.actor.role is Role.CUSTOMER:
            raise PrivacyError(
                f"{path}.actor: an event on an anonymous complaint cannot name the customer", path
            )
        identifying = sorted(IDENTIFYING_KEYS & set(event.data))
        if identifying:
            raise PrivacyError(
                f"{path}.data: an event on an anonymous complaint cannot carry identifying "
                f"fields {identifying}",
                f"{path}.data",
            )
