"""A contract's terms as rules (source 001, "Service Level Agreement"; source 000, "Provision of
Laboratory Services").

:func:`contract_rules` returns a :class:`Ruleset` named after the contract, with:

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

Check test requests and the contract together, or merge these rules into a lab's own ruleset
with :func:`merge_rulesets`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from ..core.contract import Contract
from ..core.errors import ValidationError
from .loader import load_ruleset
from .ruleset import Ruleset

_UNSAFE = re.compile(r"[^A-Za-z0-9._:+-]")
_UNSAFE_NAME = re.compile(r"[^a-z0-9._-]")


def _id(contract: Contract, suffix: str) -> str:
    return f"contract:{_UNSAFE.sub('_', contract.id)}:{suffix}"


def contract_rules(contract: Contract) -> Ruleset:
    """The rules a contract's terms imply: turnaround per test and priority, review interval and
    deviation reporting (see the module doc)."""
    document = f"contract {contract.id}"
    rules: list[dict[str, Any]] = []
    for index, term in enumerate(contract.services):
        rules.append(
            {
                "id": _id(contract, f"TAT-{index + 1}"),
                "title": (
                    f"{term.test} at {term.priority.value} priority reported within "
                    f"{term.turnaround_minutes} minutes of receipt in the laboratory"
                ),
                "kind": "response_time",
                "source": {
                    "document": document,
                    "section": f"services[{index}]",
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
        )
    rules.append(
        {
            "id": _id(contract, "review"),
            "title": f"Contract reviewed at least every {contract.review_interval_days} days",
            "kind": "response_time",
            "source": {
                "document": document,
                "section": "review_interval_days",
                "quote": "initial and ongoing reviews of contracts (000, Provision of Laboratory "
                "Services)",
            },
            "applies_to": {"record_type": "contract", "where": {"id": contract.id}},
            "params": {
                "start": ["services_started"],
                "stop": ["terminated", "closed"],
                "limit": {"days": contract.review_interval_days},
                "repeat": {
                    "events": ["reviewed"],
                    "every": {"days": contract.review_interval_days},
                },
                "warn_at": 0.9,
            },
        }
    )
    rules.append(
        {
            "id": _id(contract, "deviations"),
            "title": (
                f"Every deviation reported to the client within {contract.deviation_report_days} "
                "working days"
            ),
            "kind": "response_time",
            "source": {
                "document": document,
                "section": "deviation_report_days",
                "quote": "Any deviations from the contract are reported to the clients (000)",
            },
            "severity": "high",
            "applies_to": {"record_type": "contract", "where": {"id": contract.id}},
            "params": {
                "start": ["deviation_identified"],
                "stop": ["deviation_reported"],
                "limit": {"working_days": contract.deviation_report_days},
                "clocks": "each",
            },
        }
    )
    return load_ruleset(
        {
            "name": f"contract-{_UNSAFE_NAME.sub('-', contract.id.lower())}",
            "version": str(len(contract.amendments) + 1),
            "description": f"Terms of the contract with {contract.client}",
            "source": {"document": document},
            "rules": rules,
        }
    )


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
