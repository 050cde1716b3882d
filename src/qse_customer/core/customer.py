"""The register of customers, internal and external, and their needs and expectations
(source 000, "Identifying and Managing Customer Needs"; source 002 on internal customers)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar, Self

from attrs import field, frozen

from ._checks import nonempty_text, optional_text
from .events import Event
from .lifecycle import Lifecycle
from .record import Record
from .roles import Actor
from .timestamps import utc
from .vocabulary import CustomerCategory, CustomerKind, NeedSource

CUSTOMER_LIFECYCLE = Lifecycle(
    opening={"identified"},
    kinds={
        "identified",
        "needs_identified",
        "needs_reviewed",
        "process_change_determined",
        "referred",
        "note_added",
        "retired",
        "reopened",
    },
    status_after={"identified": "active", "retired": "closed", "reopened": "active"},
    closing={"retired"},
)


@frozen
class Need:
    """A need or expectation of a customer, where it came from and when it was last reviewed."""

    description: str
    expectation: str
    source: NeedSource
    identified_at: datetime = field(converter=utc)
    last_reviewed_at: datetime = field(converter=utc)


@frozen(kw_only=True, eq=True, hash=False)
class Customer(Record):
    """A customer of the laboratory: a patient, clinician, ward, referring lab, payer, or the
    next step in the lab's own chain of hand-offs (an internal customer)."""

    TYPE: ClassVar[str] = "customer"
    LIFECYCLE: ClassVar[Lifecycle] = CUSTOMER_LIFECYCLE

    name: str = field(validator=nonempty_text)
    kind: CustomerKind = field(converter=CustomerKind)
    category: CustomerCategory = field(converter=CustomerCategory)
    contact: str | None = field(default=None, validator=optional_text)
    site: str | None = field(default=None, validator=optional_text)

    @classmethod
    def identify(
        cls,
        *,
        id: str,
        at: datetime,
        by: Actor | None,
        name: str,
        kind: CustomerKind | str,
        category: CustomerCategory | str,
        note: str = "",
        **fields: Any,
    ) -> Self:
        """A customer as identified (R-N1): its first event."""
        event = Event("identified", at, by, {}, note)
        return cls(id=id, name=name, kind=kind, category=category, events=(event,), **fields)

    def identify_need(
        self,
        description: str,
        *,
        at: datetime,
        by: Actor | None,
        expectation: str = "",
        source: NeedSource | str = NeedSource.OTHER,
    ) -> Self:
        """A new record with a need identified (R-N2); ``source`` says where it came from."""
        return self.add(
            "needs_identified",
            at=at,
            by=by,
            need=description,
            expectation=expectation,
            source=NeedSource(source).value,
        )

    @property
    def needs(self) -> tuple[Need, ...]:
        """The customer's needs, derived from ``needs_identified`` and ``needs_reviewed`` events."""
        found: dict[str, Need] = {}
        for event in self.events:
            description = str(event.data.get("need", ""))
            if event.kind == "needs_identified" and description:
                found[description] = Need(
                    description=description,
                    expectation=str(event.data.get("expectation", "")),
                    source=NeedSource(event.data.get("source", NeedSource.OTHER)),
                    identified_at=event.at,
                    last_reviewed_at=event.at,
                )
            elif event.kind == "needs_reviewed":
                reviewed = [description] if description else list(found)
                for key in reviewed:
                    if key in found:
                        old = found[key]
                        found[key] = Need(
                            old.description,
                            old.expectation,
                            old.source,
                            old.identified_at,
                            event.at,
                        )
        return tuple(found.values())
