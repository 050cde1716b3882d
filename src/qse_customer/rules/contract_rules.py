"""A contract's terms as rules (source 001, "Service Level Agreement"; source 000, "Provision of
Laboratory Services").

:func:`contract_rules` returns a :class:`Ruleset` named after the contract, with one rule per
period of each term (:mod:`~qse_customer.rules._term_periods`; a contract never amended has one
period per term, and exactly the rules below):

- one ``response_time`` rule per service term: on ``test_request`` records of this contract
  (``contract_id``), test and priority, from ``received_in_lab`` to ``result_reported`` within the
  term's turnaround in calendar minutes (a laboratory works around the clock for STAT work);
  at risk at 75% of the turnaround;
- the review interval: on the contract itself, from ``services_started`` a ``reviewed`` event is due
  within ``review_interval_days`` calendar days, and again that long after each review, until the
  contract is ``terminated`` or ``closed``;
- deviation reporting: every ``deviation_identified`` event must be followed by a
  ``deviation_reported`` within ``deviation_report_days`` working days (one clock per deviation,
  each taking the first report after it not taken by an earlier one).

Every request is judged by the terms in force when the lab received it, every deviation by
those in force when it was identified, every review interval by those in force when it began
(``started_within`` of :mod:`~qse_customer.rules.response_time`: a review clock hands over to the
next period's at the first review after the change). A period's rule is ``contract:ID:TAT-1``
for the original terms, ``contract:ID:TAT-1:a2`` for those amendment 2 set (``-2`` for a second
period of the same terms); its title and source name the version (``terms of 1 Jul 2026
(amendment 2)``). A retrospective amendment adds ``...:at-receipt`` rules for the terms as they
stood at receipt, so a request received before it was agreed has both verdicts. A contract with
no amendment that changes a term gets the rule ids, titles and sources it always had.

Check test requests and the contract together, or merge these rules into a lab's own ruleset
with :func:`merge_rulesets`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any

from ..core.contract import Contract, ServiceTerm
from ..core.errors import ValidationError
from ..core.translation import ENGLISH, Translator
from ._term_periods import TermPeriod, term_keys, term_periods
from .loader import load_ruleset
from .ruleset import Ruleset

_UNSAFE = re.compile(r"[^A-Za-z0-9._:+-]")
_UNSAFE_NAME = re.compile(r"[^a-z0-9._-]")


def _id(contract: Contract, suffix: str) -> str:
    return f"contract:{_UNSAFE.sub('_', contract.id)}:{suffix}"


def contract_rules(contract: Contract, *, at: datetime | None = None) -> Ruleset:
    """The rules a contract's terms imply: turnaround per test and priority, review interval and
    deviation reporting, one rule per period of each term (see the module doc); with ``at``, as
    the amendments agreed by then have them."""
    document = f"contract {contract.id}"
    amended = any(at is None or a.agreed_at <= at for a in contract.term_amendments)
    rules = [
        _rule(contract, period, document, amended, at)
        for period in term_periods(contract, at)
        if period.key[0] != "review_interval_days" or _review_start(contract, period, at)
    ]
    agreed = [e for e in contract.amendments if at is None or e.at <= at]
    return load_ruleset(
        {
            "name": f"contract-{_UNSAFE_NAME.sub('-', contract.id.lower())}",
            "version": str(len(agreed) + 1),
            "description": f"Terms of the contract with {contract.client}",
            "source": {"document": document},
            "rules": rules,
        }
    )


def _rule(
    contract: Contract, period: TermPeriod, document: str, amended: bool, at: datetime | None
) -> dict[str, Any]:
    """The rule document of one period of one term."""
    kind = period.key[0]
    if kind == "services":
        assert isinstance(period.value, ServiceTerm)
        rule = _turnaround(contract, period.value)
    elif kind == "review_interval_days":
        assert isinstance(period.value, int)
        rule = _review(contract, period.value)
    else:
        assert isinstance(period.value, int)
        rule = _deviations(contract, period.value)
    name, section = rule.pop("name"), rule["source"]["section"]
    rule["id"] = _id(contract, name + _suffix(period))
    rule["source"]["document"] = document
    if amended:
        where = _where_in(contract, period)
        rule["source"]["section"] = f"{period.label}: {where or section}"
        rule["title"] += under_terms(period.label)
        rule["source"]["quote"] += f" ({period.label})"
        if period.replaced_by is not None:
            later = f"amendment {period.replaced_by.number}"
            rule["title"] += at_receipt(period.replaced_by.number)
            rule["source"]["quote"] += (
                f"; in force when the lab received it, before {later} (agreed "
                f"{period.replaced_by.agreed_at.isoformat()}) applied retrospectively"
            )
    window = {
        key: moment.isoformat()
        for key, moment in (("from", period.start), ("until", period.end))
        if moment is not None
    }
    if window:
        rule["params"]["started_within"] = window
    if kind == "review_interval_days":
        rule["params"]["start"] = _review_start(contract, period, at)
    return rule


def _suffix(period: TermPeriod) -> str:
    """``""`` for a term's original first period, ``:a2`` for amendment 2's, ``-2`` for a second
    period of the same, ``:at-receipt`` for the terms as they stood at receipt."""
    source = f":a{period.source.number}" if period.source is not None else ""
    if period.replaced_by is not None:
        source += ":at-receipt"
    if period.occurrence > 1:
        source += f"{'' if source else ':original'}-{period.occurrence}"
    return source


def _where_in(contract: Contract, period: TermPeriod) -> str | None:
    """Where the term is written: ``services[0]`` of the contract or of the amendment."""
    if period.key[0] != "services":
        return None
    terms = period.source.services if period.source is not None else contract.services
    index = next((i for i, term in enumerate(terms) if term.key == period.key), None)
    return f"services[{index}]" if index is not None else None


def _review_start(contract: Contract, period: TermPeriod, at: datetime | None) -> list[str]:
    """What starts a review clock in ``period``: services starting, in the period in which they
    started (or, before they have, in every period); a review, in a later period (the clock of
    the period before hands over at it). Empty: the period ended before services started."""
    started = next(
        (e for e in contract.events_of("services_started") if at is None or e.at <= at), None
    )
    if started is None or period.start is None or started.at >= period.start:
        if started is not None and period.end is not None and period.end <= started.at:
            return []
        return ["services_started"]
    return ["reviewed"]


def _turnaround(contract: Contract, term: ServiceTerm) -> dict[str, Any]:
    number = _service_number(contract, term)
    return {
        "name": f"TAT-{number}",
        "title": turnaround_title(term.test, term.priority.value, term.turnaround_minutes),
        "kind": "response_time",
        "source": {
            "section": f"services[{number - 1}]",
            "quote": (
                f"{term.test}, {term.priority.value}: turnaround {term.turnaround_minutes} "
                "minutes, from receipt in the laboratory to the result reported"
            ),
        },
        "severity": "high",
        "applies_to": {
            "record_type": "test_request",
            "where": {
                "contract_id": contract.id,
                "test": term.test,
                "priority": term.priority.value,
            },
        },
        "params": {
            "start": ["received_in_lab"],
            "stop": ["result_reported"],
            "limit": {"minutes": term.turnaround_minutes},
            "warn_at": 0.75,
        },
    }


def _service_number(contract: Contract, term: ServiceTerm) -> int:
    """The term's number in ``TAT-n``: its place among the contract's services, then among
    those amendments add, in order."""
    keys = term_keys(contract, contract.term_amendments)
    return keys.index(term.key) + 1


def _review(contract: Contract, days: int) -> dict[str, Any]:
    return {
        "name": "review",
        "title": review_title(days),
        "kind": "response_time",
        "source": {
            "section": "review_interval_days",
            "quote": "initial and ongoing reviews of contracts (000, Provision of Laboratory "
            "Services)",
        },
        "applies_to": {"record_type": "contract", "where": {"id": contract.id}},
        "params": {
            "start": ["services_started"],
            "stop": ["terminated", "closed"],
            "limit": {"days": days},
            "repeat": {"events": ["reviewed"], "every": {"days": days}},
            "warn_at": 0.9,
        },
    }


def _deviations(contract: Contract, days: int) -> dict[str, Any]:
    return {
        "name": "deviations",
        "title": deviations_title(days),
        "kind": "response_time",
        "source": {
            "section": "deviation_report_days",
            "quote": "Any deviations from the contract are reported to the clients (000)",
        },
        "severity": "high",
        "applies_to": {"record_type": "contract", "where": {"id": contract.id}},
        "params": {
            "start": ["deviation_identified"],
            "stop": ["deviation_reported"],
            "limit": {"working_days": days},
            "clocks": "each",
        },
    }


def merge_rulesets(name: str, version: str, rulesets: Iterable[Ruleset]) -> Ruleset:
    """One ruleset holding the rules of several (their ids must not clash); two versions of one
    ruleset are refused: they are checked together as versions (``check``, ``compile_ruleset``
    or ``load_ruleset_versions`` given a list), each record by the version in force for it."""
    parts = list(rulesets)
    named: dict[str, int] = {}
    for index, part in enumerate(parts):
        other = parts[named.setdefault(part.name, index)]
        if named[part.name] == index or not {r.id for r in other.rules} & {
            r.id for r in part.rules
        }:
            continue
        if other.version == part.version:
            raise ValidationError.single(
                f"$[{index}]", f"{part.label} is given twice", what="rulesets to merge"
            )
        raise ValidationError.single(
            f"$[{index}]",
            f"{other.label} and {part.label} are two versions of ruleset {part.name!r}: "
            "merge_rulesets puts different rulesets together; give the versions as a list to "
            "check or compile_ruleset (or load_ruleset_versions), which judge each record by "
            "the version in force when its clock started",
            what="rulesets to merge",
        )
    calendars: dict[str, Any] = {}
    for part in parts:
        calendars.update(part.to_dict().get("calendars", {}))
    document = {
        "name": name,
        "version": version,
        "calendars": calendars,
        "rules": [rule.to_dict() for part in parts for rule in part.rules],
    }
    kinds = {key: kind for part in parts for key, kind in part.kinds.items()}
    return load_ruleset(document, kinds=kinds)


# A contract rule's title, in English (the rule's ``title``) or in a report's language ----------


def _count(value: int, t: Translator) -> str:
    return str(value) if t.is_source else t.number(value)


def turnaround_title(test: str, priority: str, minutes: int, t: Translator = ENGLISH) -> str:
    """The title of a turnaround term's rule (``test`` and ``priority`` stay as written)."""
    return t.ngettext(
        "{test} at {priority} priority reported within {minutes} minutes of receipt in the "
        "laboratory",
        "{test} at {priority} priority reported within {minutes} minutes of receipt in the "
        "laboratory",
        minutes,
    ).format(test=test, priority=priority, minutes=_count(minutes, t))


def review_title(days: int, t: Translator = ENGLISH) -> str:
    """The title of the review interval's rule."""
    return t.ngettext(
        "Contract reviewed at least every {days} days",
        "Contract reviewed at least every {days} days",
        days,
    ).format(days=_count(days, t))


def deviations_title(days: int, t: Translator = ENGLISH) -> str:
    """The title of the deviation reporting rule."""
    return t.ngettext(
        "Every deviation reported to the client within {days} working days",
        "Every deviation reported to the client within {days} working days",
        days,
    ).format(days=_count(days, t))


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_AMENDED = re.compile(r"terms of (\d+) ([A-Z][a-z]{2}) (\d+) \(amendment (\d+)\)")


def _terms(label: str, t: Translator) -> str:
    """A contract version's label (``original terms``, ``terms of 1 Jul 2026 (amendment
    2)``) in ``t``'s language; as written when it is neither."""
    if t.is_source:
        return label
    if label == "original terms":
        return t.gettext("the original terms")
    found = _AMENDED.fullmatch(label)
    if found is None or found[2] not in _MONTHS:
        return label
    try:
        day = date(int(found[3]), _MONTHS.index(found[2]) + 1, int(found[1]))
    except ValueError:
        return label
    return t.gettext("the terms of {day} (amendment {number})").format(
        day=t.date(day), number=t.number(int(found[4]))
    )


def under_terms(label: str, t: Translator = ENGLISH) -> str:
    """What a rule's title adds when the contract was amended: the version it judges by."""
    if t.is_source:
        return f", under the {label}"
    return t.gettext(", under {terms}").format(terms=_terms(label, t))


def at_receipt(number: int, t: Translator = ENGLISH) -> str:
    """What the title of a rule of the terms as they stood at receipt adds (amendment
    ``number`` applies retrospectively)."""
    return t.gettext(" as in force at receipt (amendment {number} applies retrospectively)").format(
        number=_count(number, t)
    )


def _turnaround_again(found: re.Match[str], t: Translator) -> str:
    return turnaround_title(found["test"], found["priority"], int(found["minutes"]), t)


def _review_again(found: re.Match[str], t: Translator) -> str:
    return review_title(int(found["days"]), t)


def _deviations_again(found: re.Match[str], t: Translator) -> str:
    return deviations_title(int(found["days"]), t)


_BASES: tuple[tuple[re.Pattern[str], Callable[[re.Match[str], Translator], str]], ...] = (
    (
        re.compile(
            r"(?P<test>.+) at (?P<priority>\S+) priority reported within (?P<minutes>\d+) "
            r"minutes of receipt in the laboratory",
            re.DOTALL,
        ),
        _turnaround_again,
    ),
    (re.compile(r"Contract reviewed at least every (?P<days>\d+) days"), _review_again),
    (
        re.compile(r"Every deviation reported to the client within (?P<days>\d+) working days"),
        _deviations_again,
    ),
)
_SUFFIX = re.compile(
    r"(?P<base>.+?)(?:, under the (?P<label>original terms|terms of \d+ \w+ \d+ \(amendment "
    r"\d+\)))?(?: as in force at receipt \(amendment (?P<later>\d+) applies "
    r"retrospectively\))?",
    re.DOTALL,
)


def contract_rule_title(title: str, t: Translator) -> str:
    """A contract rule's title (as a report carries it) in ``t``'s language, worded again from
    the numbers, test and priority it quotes when that gives back exactly the English it is;
    any other title, or English, as it is."""
    if t.is_source:
        return title
    whole = _SUFFIX.fullmatch(title)
    if whole is None:  # pragma: no cover - the pattern matches any text
        return title
    for pattern, write in _BASES:
        found = pattern.fullmatch(whole["base"])
        if found is None:
            continue
        english, said = write(found, ENGLISH), write(found, t)
        if whole["label"] is not None:
            english += under_terms(whole["label"])
            said += under_terms(whole["label"], t)
        if whole["later"] is not None:
            english += at_receipt(int(whole["later"]))
            said += at_receipt(int(whole["later"]), t)
        return said if english == title else title
    return title
