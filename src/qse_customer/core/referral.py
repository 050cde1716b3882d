"""Referrals for process improvement (source 000, "Referral for Process Improvement")."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, ClassVar, Self

from attrs import field, frozen

from ._checks import nonempty_text, optional_text, text
from .events import Event, frozen_mapping
from .lifecycle import Lifecycle
from .parties import RecordRef
from .record import Record
from .roles import Actor, Role
from .timestamps import optional_utc

REFERRAL_LIFECYCLE = Lifecycle(
    opening={"opened"},
    kinds={
        "opened",
        "assigned",
        "actioned",
        "effectiveness_reviewed",
        "note_added",
        "closed",
        "reopened",
    },
    status_after={
        "opened": "open",
        "assigned": "open",
        "actioned": "actioned",
        "effectiveness_reviewed": "reviewed",
        "closed": "closed",
        "reopened": "open",
    },
)


def _refs(value: Iterable[RecordRef | dict[str, str]]) -> tuple[RecordRef, ...]:
    return tuple(v if isinstance(v, RecordRef) else RecordRef(**v) for v in value)


def _owner_role(value: Role | str) -> Role:
    return Role.parse(value, "$.owner_role")


def _evidence(value: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return frozen_mapping(value, "$.evidence")


@frozen(kw_only=True, eq=True, hash=False)
class Referral(Record):
    """A problem referred for process improvement, with its evidence, owner role and due date."""

    TYPE: ClassVar[str] = "referral"
    LIFECYCLE: ClassVar[Lifecycle] = REFERRAL_LIFECYCLE

    title: str = field(validator=nonempty_text)
    reason: str = field(default="", validator=text)
    owner_role: Role = field(default=Role.QUALITY_MANAGER, converter=_owner_role)
    due_at: datetime | None = field(default=None, converter=optional_utc)
    source_rule: str | None = field(default=None, validator=optional_text)
    source_records: tuple[RecordRef, ...] = field(default=(), converter=_refs)
    evidence: Mapping[str, Any] = field(factory=dict, converter=_evidence)

    @classmethod
    def open(
        cls, *, id: str, at: datetime, by: Actor | None, title: str, note: str = "", **fields: Any
    ) -> Self:
        """A referral as opened (R-N4, R-K5, R-S4): its first event."""
        return cls(id=id, title=title, events=(Event("opened", at, by, {}, note),), **fields)
