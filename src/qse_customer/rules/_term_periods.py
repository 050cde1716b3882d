"""When each of a contract's terms was in force: the periods :func:`contract_rules` turns into
rules, one per period of one term.

Every ``effective_from`` and ``effective_until`` of the contract's amendments (and the agreement
instant of a retrospective one) cuts time into intervals in which no term changes. For each term
(a service's turnaround, the review interval, the deviation reporting time) consecutive intervals
with the same value set by the same amendment make one :class:`TermPeriod`.

A retrospective amendment also leaves the terms *as they stood at receipt* for the time between
its ``effective_from`` and its agreement: where those differ from the terms as amended (set by
another amendment, or by none), that stretch is an *at-receipt* period too, naming the amendment
that later replaced it, so a request received then is judged under both.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from itertools import pairwise
from typing import Any

from attrs import frozen

from ..core.contract import Contract
from ..core.contract_terms import Amendment, ContractTerms, ServiceTerm, TermKey

_DAWN = datetime(1, 1, 2, tzinfo=UTC)
"""Earlier than any term's effective_from: the contract's original terms hold then."""


@frozen
class TermPeriod:
    """One term's value over ``[start, end)`` (None: unbounded), and the amendment that set it
    (None: the contract's original terms). ``replaced_by`` marks an at-receipt period: the
    retrospective amendment whose terms apply to the same time as amended."""

    key: TermKey
    value: ServiceTerm | int
    source: Amendment | None
    start: datetime | None
    end: datetime | None
    replaced_by: Amendment | None = None
    occurrence: int = 1

    @property
    def label(self) -> str:
        """The contract version of the value: ``terms of 1 Jul 2026 (amendment 2)``."""
        return self.source.label if self.source is not None else "original terms"


def term_keys(contract: Contract, amendments: tuple[Amendment, ...]) -> list[TermKey]:
    """Every term that has rules: the services (the contract's, then those amendments add),
    the review interval and the deviation reporting time."""
    keys: dict[TermKey, None] = {term.key: None for term in contract.services}
    for amendment in amendments:
        keys.update((term.key, None) for term in amendment.services)
    keys[("review_interval_days",)] = None
    keys[("deviation_report_days",)] = None
    return list(keys)


def _value(terms: ContractTerms, key: TermKey) -> ServiceTerm | int | None:
    if key[0] == "services":
        return next((term for term in terms.services if term.key == key), None)
    value: int = getattr(terms, key[0])
    return value


def term_periods(contract: Contract, at: datetime | None = None) -> Iterator[TermPeriod]:
    """The periods of every term, as the amendments agreed by ``at`` (all, if None) have them:
    for each term its periods in time order, then its at-receipt periods."""
    amendments = tuple(a for a in contract.term_amendments if at is None or a.agreed_at <= at)
    cuts = sorted(
        {a.effective_from for a in amendments}
        | {a.effective_until for a in amendments if a.effective_until is not None}
        | {a.agreed_at for a in amendments if a.retrospective}
    )
    bounds: list[datetime | None] = [None, *cuts, None]
    intervals = list(pairwise(bounds))
    views = []
    for start, _ in intervals:
        moment = start or _DAWN
        amended = contract.terms_at(moment, known_at=at)
        known = min(moment, at) if at is not None else moment
        views.append((amended, contract.terms_at(moment, known_at=known)))
    for key in term_keys(contract, amendments):
        current = [(_value(amended, key), amended.set_by(key)) for amended, _ in views]
        yield from _runs(key, intervals, [(value, source, None) for value, source in current])
        receipt: list[tuple[Any, Amendment | None, Amendment | None]] = []
        for (value, source), (_, known_terms) in zip(current, views, strict=True):
            then = (_value(known_terms, key), known_terms.set_by(key))
            if then == (value, source) or then[0] is None:
                receipt.append((None, None, None))
            else:
                receipt.append((then[0], then[1], source))
        yield from _runs(key, intervals, receipt)


def _runs(
    key: TermKey,
    intervals: list[tuple[datetime | None, datetime | None]],
    values: list[tuple[Any, Amendment | None, Amendment | None]],
) -> Iterator[TermPeriod]:
    """Consecutive intervals with the same (value, source, replaced_by) as one period each."""
    seen: dict[tuple[int | None, bool], int] = {}  # periods so far of one rule id's stem
    index = 0
    while index < len(values):
        value, source, replaced = values[index]
        last = index
        while last + 1 < len(values) and values[last + 1] == values[index]:
            last += 1
        if value is not None:
            number = (source.number if source else None, replaced is not None)
            seen[number] = seen.get(number, 0) + 1
            yield TermPeriod(
                key,
                value,
                source,
                intervals[index][0],
                intervals[last][1],
                replaced,
                seen[number],
            )
        index = last + 1
