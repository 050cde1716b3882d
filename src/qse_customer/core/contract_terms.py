"""A contract's terms over time: what an amendment changes, from when, and the terms in force at
an instant (source 000, "Provision of Laboratory Services": every amendment documented with who
agreed it; ISO 15189:2022 6.7, agreements with users).

An ``amended`` event may carry new terms in its data. The keys this module reads::

    effective_from          the first instant the new terms apply: ISO 8601 with a UTC offset
                            ("2026-07-01T00:00:00+01:00"); required when any term changes
    effective_until         optional: the first instant they no longer apply (a temporary
                            change); after it the terms in force before it apply again
    retrospective           true when the terms apply from before the amendment was agreed (the
                            event's ``at``); without it such an amendment is refused
    services                turnaround terms [{"test", "priority", "turnaround_minutes"}], each
                            replacing the term for its test and priority, or adding one
    withdrawn               [{"test", "priority"}]: terms that no longer apply
    review_interval_days    a whole number of days
    deviation_report_days   a whole number of working days
    communication_method    text

Any other key (who agreed it, a reference to the signed document) is kept as written; an
``amended`` event with none of the keys above documents an amendment that changes no term.

The terms in force at an instant are the contract's own fields, changed by every amendment whose
``[effective_from, effective_until)`` holds the instant, in the order they were agreed; with
``known_at``, only by the amendments agreed by then (what the lab knew when it did the work). So an
amendment never changes the terms of an instant before its ``effective_from``, and only a
retrospective one changes the terms of an instant before it was agreed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, Final

from attrs import field, frozen

from ._checks import nonempty_text, positive_int
from .errors import FieldError, ValidationError
from .events import Event
from .vocabulary import Priority

TERM_KEYS: Final = (
    "services",
    "withdrawn",
    "review_interval_days",
    "deviation_report_days",
    "communication_method",
)
"""The data keys of an ``amended`` event that change a term."""

_MONTHS: Final = (
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
)  # fmt: skip

TermKey = tuple[str, ...]
"""A term: ``("services", test, priority)`` or ``(field name,)``."""


@frozen
class ServiceTerm:
    """One service the contract promises: a test at a priority, with its turnaround time.

    Turnaround runs from receipt in the laboratory to the result reported (source 001,
    "Service Level Agreement").
    """

    test: str = field(validator=nonempty_text)
    priority: Priority = field(converter=Priority)
    turnaround_minutes: int = field(validator=positive_int)

    @property
    def key(self) -> TermKey:
        """The term this one sets: ``("services", test, priority)``."""
        return ("services", self.test, self.priority.value)


def service_term(value: ServiceTerm | Mapping[str, Any], path: str) -> ServiceTerm:
    """A :class:`ServiceTerm` from itself or its JSON form; errors name ``path``."""
    if isinstance(value, ServiceTerm):
        return value
    if not isinstance(value, Mapping):
        raise ValidationError.single(
            path, f"expected a term {{test, priority, turnaround_minutes}}, got {value!r}"
        )
    problems = _service_problems(value, path)
    unknown = sorted(set(value) - {"test", "priority", "turnaround_minutes"})
    problems += [FieldError(f"{path}.{key}", "unexpected field") for key in unknown]
    if problems:
        raise ValidationError(problems, what="service term")
    return ServiceTerm(value["test"], Priority(value["priority"]), value["turnaround_minutes"])


def _service_problems(value: Mapping[str, Any], path: str) -> list[FieldError]:
    problems = []
    test = value.get("test")
    if not isinstance(test, str) or not test.strip():
        problems.append(FieldError(f"{path}.test", f"expected a non-empty string, got {test!r}"))
    priority = value.get("priority")
    if not isinstance(priority, Priority) and priority not in {p.value for p in Priority}:
        problems.append(
            FieldError(
                f"{path}.priority",
                f"expected one of {', '.join(p.value for p in Priority)}, got {priority!r}",
            )
        )
    minutes = value.get("turnaround_minutes")
    if isinstance(minutes, bool) or not isinstance(minutes, int) or minutes <= 0:
        problems.append(
            FieldError(
                f"{path}.turnaround_minutes",
                f"expected a whole number of minutes greater than 0, got {minutes!r}",
            )
        )
    return problems


@frozen
class Amendment:
    """The new terms an ``amended`` event carries, and when they apply (see the module doc).

    ``number`` counts every ``amended`` event of the contract from 1 (amendment 2 is the second
    one, whether or not the first changed a term).
    """

    number: int
    agreed_at: datetime
    effective_from: datetime
    effective_until: datetime | None = None
    retrospective: bool = False
    services: tuple[ServiceTerm, ...] = ()
    withdrawn: tuple[TermKey, ...] = ()
    review_interval_days: int | None = None
    deviation_report_days: int | None = None
    communication_method: str | None = None

    def applies_at(self, moment: datetime) -> bool:
        """Whether the amendment's terms apply at ``moment``."""
        return self.effective_from <= moment and (
            self.effective_until is None or moment < self.effective_until
        )

    @property
    def label(self) -> str:
        """``terms of 1 Jul 2026 (amendment 2)``: the day in the offset the date was written in."""
        day = self.effective_from
        return f"terms of {day.day} {_MONTHS[day.month - 1]} {day.year} (amendment {self.number})"

    @property
    def keys(self) -> tuple[TermKey, ...]:
        """The terms this amendment sets or withdraws."""
        fields = tuple(
            (name,)
            for name in ("review_interval_days", "deviation_report_days", "communication_method")
            if getattr(self, name) is not None
        )
        return tuple(term.key for term in self.services) + self.withdrawn + fields


@frozen
class ContractTerms:
    """The terms in force at one instant, and which amendment set each of them.

    ``amendments`` are the amendments applied, in the order they were agreed; ``label`` names
    the contract version: the latest of them (``terms of 1 Jul 2026 (amendment 2)``) or
    ``original terms``.
    """

    services: tuple[ServiceTerm, ...]
    review_interval_days: int
    deviation_report_days: int
    communication_method: str | None
    amendments: tuple[Amendment, ...]
    origins: Mapping[TermKey, Amendment]

    @property
    def label(self) -> str:
        """The contract version these terms are."""
        return self.amendments[-1].label if self.amendments else "original terms"

    def term_for(self, test: str, priority: Priority | str) -> ServiceTerm | None:
        """The turnaround term for a test at a priority in force, or None."""
        wanted = Priority(priority)
        return next((t for t in self.services if t.test == test and t.priority is wanted), None)

    def set_by(self, key: TermKey) -> Amendment | None:
        """The amendment that set a term (``("services", test, priority)`` or a field name's
        one-tuple); None when it is the contract's original term."""
        return self.origins.get(key)


def terms_at(
    original: ContractTerms,
    amendments: Sequence[Amendment],
    moment: datetime,
    known_at: datetime | None = None,
) -> ContractTerms:
    """The terms in force at ``moment``: ``original`` changed by each amendment that applies
    then (and, with ``known_at``, was agreed by then), in the order they were agreed."""
    services = {term.key: term for term in original.services}
    fields: dict[str, Any] = {
        "review_interval_days": original.review_interval_days,
        "deviation_report_days": original.deviation_report_days,
        "communication_method": original.communication_method,
    }
    origins: dict[TermKey, Amendment] = {}
    applied = []
    for amendment in amendments:
        if not amendment.applies_at(moment):
            continue
        if known_at is not None and amendment.agreed_at > known_at:
            continue
        applied.append(amendment)
        for key in amendment.withdrawn:
            services.pop(key, None)
            origins[key] = amendment
        for term in amendment.services:
            services[term.key] = term
            origins[term.key] = amendment
        for name in fields:
            value = getattr(amendment, name)
            if value is not None:
                fields[name] = value
                origins[(name,)] = amendment
    return ContractTerms(
        services=tuple(services.values()),
        amendments=tuple(applied),
        origins=origins,
        **fields,
    )


def parse_amendment(
    event: Event,
    number: int,
    path: str,
    original: ContractTerms,
    earlier: Sequence[Amendment],
) -> Amendment | None:
    """The amendment an ``amended`` event at ``path`` (``$.events[3]``) carries, or None when it
    changes no term; refused with every problem by JSON path (see the module doc)."""
    data = event.data
    if not any(key in data for key in (*TERM_KEYS, "effective_from", "effective_until")):
        return None
    here = f"{path}.data"
    problems: list[FieldError] = []
    starts = _instant(data.get("effective_from"), f"{here}.effective_from", problems, True)
    until = _instant(data.get("effective_until"), f"{here}.effective_until", problems, False)
    retrospective = data.get("retrospective", False)
    if not isinstance(retrospective, bool):
        problems.append(
            FieldError(f"{here}.retrospective", f"expected true or false, got {retrospective!r}")
        )
        retrospective = False
    if not any(key in data for key in TERM_KEYS):
        problems.append(
            FieldError(
                here,
                f"an amendment with effective_from changes terms: give one of "
                f"{', '.join(TERM_KEYS)} (or leave the dates out to document an amendment that "
                "changes no term)",
            )
        )
    if starts is not None:
        if until is not None and until <= starts:
            problems.append(
                FieldError(
                    f"{here}.effective_until",
                    f"expected an instant after effective_from ({starts.isoformat()}): it is the "
                    "first instant the terms no longer apply",
                )
            )
        if starts < event.at and not retrospective:
            problems.append(
                FieldError(
                    f"{here}.effective_from",
                    f"the terms would apply from {starts.isoformat()}, before the amendment was "
                    f"agreed ({event.at.isoformat()}); if that was agreed, say "
                    '"retrospective": true',
                )
            )
        if starts >= event.at and retrospective:
            problems.append(
                FieldError(
                    f"{here}.retrospective",
                    f"the terms apply from {starts.isoformat()}, after the amendment was agreed "
                    f"({event.at.isoformat()}): it is not retrospective; leave retrospective out",
                )
            )
    services = _services(data.get("services", []), f"{here}.services", problems)
    withdrawn = _withdrawn(data.get("withdrawn", []), f"{here}.withdrawn", problems)
    for index, key in enumerate(withdrawn):
        if any(term.key == key for term in services):
            problems.append(
                FieldError(
                    f"{here}.withdrawn[{index}]",
                    f"{key[1]!r} at {key[2]!r} is both given a term and withdrawn",
                )
            )
    counts = {
        name: _positive(data.get(name), f"{here}.{name}", problems)
        for name in ("review_interval_days", "deviation_report_days")
    }
    method = data.get("communication_method")
    if method is not None and (not isinstance(method, str) or not method.strip()):
        problems.append(
            FieldError(
                f"{here}.communication_method", f"expected a non-empty string, got {method!r}"
            )
        )
        method = None
    if starts is not None and not problems:
        before = terms_at(original, earlier, starts)
        for index, key in enumerate(withdrawn):
            if key not in {term.key for term in before.services}:
                problems.append(
                    FieldError(
                        f"{here}.withdrawn[{index}]",
                        f"no term for {key[1]!r} at {key[2]!r} is in force on "
                        f"{starts.isoformat()} to withdraw",
                    )
                )
    if problems:
        raise ValidationError(problems, what=f"amendment {number}")
    assert starts is not None
    return Amendment(
        number=number,
        agreed_at=event.at,
        effective_from=starts,
        effective_until=until,
        retrospective=retrospective,
        services=services,
        withdrawn=withdrawn,
        review_interval_days=counts["review_interval_days"],
        deviation_report_days=counts["deviation_report_days"],
        communication_method=method,
    )


def _instant(value: Any, path: str, problems: list[FieldError], required: bool) -> datetime | None:
    if value is None:
        if required:
            problems.append(
                FieldError(
                    path,
                    "expected the first instant the new terms apply, as ISO 8601 with a UTC "
                    "offset (2026-07-01T00:00:00+01:00)",
                )
            )
        return None
    moment = None
    if isinstance(value, str) and "T" in value:
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            moment = None
    if moment is None or moment.utcoffset() is None:
        problems.append(
            FieldError(
                path,
                f"expected a date and time with a UTC offset (2026-07-01T00:00:00+01:00, the "
                f"lab's midnight), got {value!r}",
            )
        )
        return None
    return moment


def _positive(value: Any, path: str, problems: list[FieldError]) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        problems.append(FieldError(path, f"expected a whole number greater than 0, got {value!r}"))
        return None
    return value


def _services(value: Any, path: str, problems: list[FieldError]) -> tuple[ServiceTerm, ...]:
    if not isinstance(value, list | tuple):
        problems.append(FieldError(path, f"expected a list of terms, got {value!r}"))
        return ()
    terms = []
    for index, item in enumerate(value):
        try:
            terms.append(service_term(item, f"{path}[{index}]"))
        except ValidationError as error:
            problems.extend(error.errors)
    problems.extend(unique_terms(terms, path))
    return tuple(terms)


def unique_terms(terms: Iterable[ServiceTerm], path: str) -> list[FieldError]:
    """A second term for the same test and priority, by its path in ``terms``."""
    seen: set[TermKey] = set()
    problems = []
    for index, term in enumerate(terms):
        if term.key in seen:
            problems.append(
                FieldError(
                    f"{path}[{index}]",
                    f"a second turnaround term for {term.test!r} at {term.priority.value!r}; "
                    "expected one term per test and priority",
                )
            )
        seen.add(term.key)
    return problems


def _withdrawn(value: Any, path: str, problems: list[FieldError]) -> tuple[TermKey, ...]:
    if not isinstance(value, list | tuple):
        problems.append(FieldError(path, f"expected a list of {{test, priority}}, got {value!r}"))
        return ()
    keys = []
    for index, item in enumerate(value):
        where = f"{path}[{index}]"
        if not isinstance(item, Mapping) or set(item) != {"test", "priority"}:
            problems.append(FieldError(where, f"expected {{test, priority}}, got {item!r}"))
            continue
        found = _service_problems({**item, "turnaround_minutes": 1}, where)
        if found:
            problems.extend(found)
            continue
        keys.append(("services", item["test"], Priority(item["priority"]).value))
    return tuple(keys)
