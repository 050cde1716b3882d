"""Service contracts: entered, requirements defined, capability confirmed, reviewed, amended,
and deviations reported to the client (source 000, "Provision of Laboratory Services").

A contract's fields are its original terms; an ``amended`` event may change them from a given
instant (:mod:`qse_customer.core.contract_terms`), and :meth:`Contract.terms_at` answers which
terms were in force at any instant.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any, ClassVar, Self

from attrs import field, frozen

from ._checks import nonempty_text, optional_text, positive_int
from .contract_terms import (
    Amendment,
    ContractTerms,
    parse_amendment,
    service_term,
    terms_at,
    unique_terms,
)
from .contract_terms import (
    ServiceTerm as ServiceTerm,  # re-exported: where users have always found it
)
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


def _terms(value: Iterable[ServiceTerm | dict[str, Any]]) -> tuple[ServiceTerm, ...]:
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise ValidationError.single("$.services", f"expected a list of terms, got {value!r}")
    terms = tuple(service_term(v, f"$.services[{i}]") for i, v in enumerate(value))
    problems = unique_terms(terms, "$.services")
    if problems:
        raise ValidationError(problems, what="contract terms")
    return terms


def _when(value: datetime | None) -> str | None:
    """An aware datetime as event data (ISO 8601); a naive one is refused."""
    if value is None:
        return None
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise ValidationError.single(
            "$.data", f"expected a timezone-aware datetime, got {value!r}", what="amendment"
        )
    return value.isoformat()


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

    def _check_event(self, event: Event, index: int) -> None:
        if event.kind == "amended":
            before = self.events[:index]
            number = sum(1 for earlier in before if earlier.kind == "amended") + 1
            earlier = _amendments(self, before)
            parse_amendment(event, number, f"$.events[{index}]", self._original(), earlier)

    def amend(
        self,
        *,
        at: datetime,
        by: Actor | None,
        effective_from: datetime,
        effective_until: datetime | None = None,
        retrospective: bool = False,
        services: Iterable[ServiceTerm | dict[str, Any]] = (),
        withdrawn: Iterable[dict[str, str]] = (),
        review_interval_days: int | None = None,
        deviation_report_days: int | None = None,
        communication_method: str | None = None,
        note: str = "",
        **data: Any,
    ) -> Self:
        """A new record with an amendment agreed at ``at`` (R-C4) that changes the given terms
        from ``effective_from`` (and until ``effective_until``); see
        :mod:`~qse_customer.core.contract_terms`."""
        terms: dict[str, Any] = {
            "effective_from": _when(effective_from),
            "effective_until": _when(effective_until),
            "services": [
                {
                    "test": t.test,
                    "priority": t.priority.value,
                    "turnaround_minutes": t.turnaround_minutes,
                }
                if isinstance(t, ServiceTerm)
                else dict(t)
                for t in services
            ],
            "withdrawn": [dict(w) for w in withdrawn],
            "review_interval_days": review_interval_days,
            "deviation_report_days": deviation_report_days,
            "communication_method": communication_method,
        }
        if retrospective:
            terms["retrospective"] = True
        given = {key: value for key, value in terms.items() if value not in (None, [])}
        return self.with_event(Event("amended", at, by, {**data, **given}, note))

    @property
    def term_amendments(self) -> tuple[Amendment, ...]:
        """The amendments that change terms, in the order they were agreed."""
        return _amendments(self, self.events)

    def terms_at(self, at: datetime, *, known_at: datetime | None = None) -> ContractTerms:
        """The terms in force at ``at``; with ``known_at``, as the amendments agreed by then
        had them (the terms at receipt, before any later retrospective amendment)."""
        return terms_at(self._original(), self.term_amendments, at, known_at)

    def _original(self) -> ContractTerms:
        """The contract's own fields, as terms."""
        return ContractTerms(
            services=self.services,
            review_interval_days=self.review_interval_days,
            deviation_report_days=self.deviation_report_days,
            communication_method=self.communication_method,
            amendments=(),
            origins={},
        )

    def term_for(self, test: str, priority: Priority | str) -> ServiceTerm | None:
        """The original turnaround term for a test at a priority, or None if the contract has
        none (:meth:`terms_at` for the term in force at an instant)."""
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


def _amendments(contract: Contract, events: Iterable[Event]) -> tuple[Amendment, ...]:
    """The amendments among ``events`` that change terms (each already validated)."""
    found: list[Amendment] = []
    number = 0
    for index, event in enumerate(events):
        if event.kind != "amended":
            continue
        number += 1
        parsed = parse_amendment(
            event, number, f"$.events[{index}]", contract._original(), tuple(found)
        )
        if parsed is not None:
            found.append(parsed)
    return tuple(found)
