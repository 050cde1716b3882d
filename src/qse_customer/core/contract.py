"""Service contracts: entered, requirements defined, capability confirmed, reviewed, amended,
and deviations reported to the client (source 000, "Provision of Laboratory Services")."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any, ClassVar, Self

from attrs import field, frozen

from .checks import nonempty_text, optional_text, positive_int
from .errors import ValidationError
from .events import Event
from .lifecycle import Lifecycle
from .record import Record
from .roles import Actor
from .vocabulary import Priority

CONTRACT_LIFECYCLE = Lifecycle(
    opening={"entered"},
    kinds={
        "entered",
        "requirements_defined",
        "capability_confirmed",
        "reviewed",
        "services_started",
        "amended",
        "deviation_identified",
        "deviation_reported",
        "note_added",
        "terminated",
        "closed",
        "reopened",
    },
    status_after={
        "entered": "draft",
        "requirements_defined": "draft",
        "capability_confirmed": "agreed",
        "services_started": "active",
        "terminated": "closed",
        "closed": "closed",
        "reopened": "active",
    },
    closing={"terminated", "closed"},
)


@frozen
class ServiceTerm:
    """One service the contract promises: a test at a priority, with its turnaround time.

    Turnaround runs from receipt in the laboratory to the result reported (source 001,
    "Service Level Agreement").
    """

    test: str = field(validator=nonempty_text)
    priority: Priority = field(converter=Priority)
    turnaround_minutes: int = field(validator=positive_int)


def _terms(value: Iterable[ServiceTerm | dict[str, Any]]) -> tuple[ServiceTerm, ...]:
    terms = tuple(v if isinstance(v, ServiceTerm) else ServiceTerm(**v) for v in value)
    seen: set[tuple[str, Priority]] = set()
    for index, term in enumerate(terms):
        key = (term.test, term.priority)
        if key in seen:
            raise ValidationError.single(
                f"$.services[{index}]",
                f"a second turnaround term for {term.test!r} at {term.priority.value!r}; "
                "expected one term per test and priority",
            )
        seen.add(key)
    return terms


@frozen(kw_only=True, eq=True, hash=False)
class Contract(Record):
    """A contract to provide laboratory services to a client (a facility, a ward, a payer)."""

    TYPE: ClassVar[str] = "contract"
    LIFECYCLE: ClassVar[Lifecycle] = CONTRACT_LIFECYCLE

    client: str = field(validator=nonempty_text)
    customer_id: str | None = field(default=None, validator=optional_text)
    services: tuple[ServiceTerm, ...] = field(default=(), converter=_terms)
    review_interval_days: int = field(default=365, validator=positive_int)
    deviation_report_days: int = field(default=2, validator=positive_int)
    communication_method: str | None = field(default=None, validator=optional_text)
    starts_on: date | None = None
    ends_on: date | None = None

    def __attrs_post_init__(self) -> None:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError.single(
                "$.ends_on", f"expected a date on or after starts_on ({self.starts_on.isoformat()})"
            )
        super().__attrs_post_init__()

    @classmethod
    def enter(
        cls, *, id: str, at: datetime, by: Actor | None, client: str, note: str = "", **fields: Any
    ) -> Self:
        """A contract as entered into (R-C1): its first event."""
        return cls(id=id, client=client, events=(Event("entered", at, by, {}, note),), **fields)

    def term_for(self, test: str, priority: Priority | str) -> ServiceTerm | None:
        """The turnaround term for a test at a priority, or None if the contract has none."""
        wanted = Priority(priority)
        return next((t for t in self.services if t.test == test and t.priority is wanted), None)

    @property
    def amendments(self) -> tuple[Event, ...]:
        """Every amendment, with who agreed it (R-C4)."""
        return tuple(self.events_of("amended"))

    @property
    def deviations(self) -> tuple[Event, ...]:
        """Every deviation identified from the contract (to be reported to the client, R-C5)."""
        return tuple(self.events_of("deviation_identified"))
