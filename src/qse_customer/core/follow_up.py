"""Following a complaint with a pseudonymous token: an anonymous complainant cannot be contacted,
so the lab hands them a token at receipt, and with it they can ask how their complaint stands.

The token is made by the caller, never here (``core`` reads no clock and draws no random
numbers): ``secrets.token_urlsafe(16)`` or longer, at the desk or in the web form that takes the
complaint, given to ``Complaint.receive(follow_up_token=...)``. The record keeps only the token's
digest, so neither the store nor an export can hand the token out, and the digest says nothing
about anyone. No report, packet, notification or ``explain`` output shows either.

What the complainant is shown is :class:`FollowUp`: the complaint's id, its status, when it was
received and when each step that changes its status happened; never who did a step, a note or
event data.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from attrs import field, frozen

from .complaint import Complaint, follow_up_digest
from .record import Record
from .timestamps import utc


def _steps(value: Iterable[tuple[str, datetime]]) -> tuple[tuple[str, datetime], ...]:
    return tuple((kind, utc(at, "$.steps")) for kind, at in value)


@frozen
class FollowUp:
    """How a complaint stands, as its complainant may see it."""

    complaint_id: str
    status: str
    received_at: datetime = field(converter=utc)
    steps: tuple[tuple[str, datetime], ...] = field(converter=_steps)

    def to_dict(self) -> dict[str, Any]:
        """As JSON types."""
        return {
            "complaint_id": self.complaint_id,
            "status": self.status,
            "received_at": self.received_at.isoformat(),
            "steps": [{"step": kind, "at": at.isoformat()} for kind, at in self.steps],
        }


def find_by_follow_up(records: Iterable[Record], token: str) -> Complaint | None:
    """The complaint among ``records`` whose follow-up token is ``token``, or None.

    Reads the records once (``store.stream(qse.Complaint)`` fits); the token is checked before
    any record is read, so a malformed one is refused at once.
    """
    digest = follow_up_digest(token)
    for record in records:
        if not isinstance(record, Complaint) or record.follow_up_digest is None:
            continue
        if hmac.compare_digest(record.follow_up_digest, digest):
            return record
    return None


def follow_up(complaint: Complaint) -> FollowUp:
    """What the complainant holding ``complaint``'s token is shown."""
    life = complaint.LIFECYCLE
    return FollowUp(
        complaint_id=complaint.id,
        status=complaint.status,
        received_at=complaint.opened_at,
        steps=tuple(
            (event.kind, event.at) for event in complaint.events if event.kind in life.status_after
        ),
    )
