"""Complaints: received, acted on, answered, analysed and referred (source 000, "Managing
Customer Complaints"). Anonymous complaints hold no identity of their submitter, ever: no
submitter, no event by anyone outside the laboratory, and event data only from the allow-list of
fields that identify no one (:mod:`.anonymous_data`). An anonymous complainant may follow their
complaint with a pseudonymous token the lab hands out at receipt; the record keeps only its
digest (found again with :mod:`.follow_up`)."""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any, ClassVar, Self

from attrs import evolve, field, frozen

from ._checks import boolean, nonempty_text, optional_text, text, text_tuple
from .anonymous_data import anonymous_data_problems
from .errors import PrivacyError, TransitionError, ValidationError
from .events import Event
from .lifecycle import ADMINISTRATIVE_KINDS, Lifecycle
from .parties import Submitter, as_submitter
from .record import Record
from .roles import EXTERNAL_ROLES, Actor
from .vocabulary import Channel, CustomerKind, Severity

FOLLOW_UP_TOKEN = re.compile(r"[A-Za-z0-9_-]{22,128}")
"""A follow-up token: 22 to 128 URL-safe characters (``secrets.token_urlsafe(16)`` or longer)."""
_DIGEST = re.compile(r"[0-9a-f]{64}")
_DIGEST_PREFIX = b"qse-customer/follow-up/1\x00"


def follow_up_digest(token: str) -> str:
    """The digest a complaint keeps of its follow-up token (SHA-256, hex); the token itself is
    never stored, so the store cannot hand it out."""
    if not isinstance(token, str) or not FOLLOW_UP_TOKEN.fullmatch(token):
        raise ValidationError.single(
            "$.follow_up_token",
            "expected 22 to 128 URL-safe characters (A-Z, a-z, 0-9, - and _), made by "
            "secrets.token_urlsafe(16) or longer; a token must identify no one",
        )
    return hashlib.sha256(_DIGEST_PREFIX + token.encode("ascii")).hexdigest()


def _digest(instance: object, attribute: object, value: Any) -> None:
    if value is not None and (not isinstance(value, str) or not _DIGEST.fullmatch(value)):
        raise ValidationError.single(
            "$.follow_up_digest", "expected the 64 hex digits of follow_up_digest(token), or null"
        )


def _withheld(value: str) -> str:
    """How a summary shows in a repr (a traceback or a log line): its length, never its text."""
    return f"<{len(value)} characters withheld>"


def _kept(value: str | None) -> str:
    """How a follow-up digest shows in a repr: whether there is one."""
    return "None" if value is None else "<kept>"


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


WITHHELD = "[withheld: free text of an anonymous complaint]"
"""What stands for a correction's or an erasure's reason in an export of an anonymous complaint."""


def _without_free_text(event: Event) -> Event:
    """``event`` with its note emptied, and a correction's or an erasure's reason and the
    replacement's note too."""
    data = event.data
    if event.kind in ADMINISTRATIVE_KINDS and data:
        changed = {key: value for key, value in data.items() if key != "reason"}
        replacement = data.get("replacement")
        if isinstance(replacement, Mapping):
            changed["replacement"] = {**replacement, "note": ""}
        changed["reason"] = WITHHELD
        return evolve(event, note="", data=changed)
    return evolve(event, note="") if event.note else event


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
    summary: str = field(default="", validator=text, repr=_withheld)
    submitter: Submitter | None = field(default=None, converter=as_submitter)
    people_involved: tuple[str, ...] = field(default=(), converter=text_tuple)
    wrong_result: bool = field(default=False, validator=boolean)
    """The complainant says a reported result is wrong (H-4: link it to its test request)."""
    follow_up_digest: str | None = field(default=None, validator=_digest, repr=_kept)

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
        follow_up_token: str | None = None,
        **fields: Any,
    ) -> Self:
        """A complaint as received and documented by ``by`` (R-K1): its first event.

        ``follow_up_token`` is the token handed to the complainant so they can follow the
        complaint (``secrets.token_urlsafe(16)``); only its digest is kept.
        """
        if follow_up_token is not None:
            if fields.get("follow_up_digest") is not None:
                raise ValidationError.single(
                    "$.follow_up_token", "give follow_up_token or follow_up_digest, not both"
                )
            fields["follow_up_digest"] = follow_up_digest(follow_up_token)
        return cls(
            id=id,
            channel=channel,
            category=category,
            anonymous=anonymous,
            submitter=submitter,
            events=(Event("received", at, by, {}, note),),
            **fields,
        )

    def followed_by(self, token: str) -> bool:
        """True when ``token`` is this complaint's follow-up token."""
        if self.follow_up_digest is None:
            return False
        return hmac.compare_digest(self.follow_up_digest, follow_up_digest(token))

    def without_free_text(self) -> Self:
        """This complaint with its summary and every event note emptied (for an export that must
        not carry an anonymous complainant's words)."""
        events = tuple(_without_free_text(event) for event in self.events)
        return evolve(self, summary="", events=events)

    def _check_event(self, event: Event, index: int) -> None:
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
        if event.actor is not None and event.actor.role in EXTERNAL_ROLES:
            raise PrivacyError(
                f"{path}.actor: an event on an anonymous complaint cannot be by someone outside "
                f"the laboratory (role {event.actor.role.value}): they could be the complainant; "
                "record the step by the member of staff who took it, or with no actor",
                f"{path}.actor",
            )
        # A correction's or an erasure's data is structural (its replacement is checked as an
        # event of its own); its reason is free text, kept out of outputs like a note.
        administrative = event.kind in ADMINISTRATIVE_KINDS
        problems = anonymous_data_problems(event.data) if event.data and not administrative else []
        if problems:
            if len(problems) == 1 and problems[0][0] is not None:
                where, message = f"{path}.data.{problems[0][0]}", problems[0][1]
            else:
                where = f"{path}.data"
                message = "; ".join(m if k is None else f"{k}: {m}" for k, m in problems)
            raise PrivacyError(f"{where}: {message}", where)
