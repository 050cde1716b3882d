"""Findings: what one rule found about one record (or one period), and why, in plain words."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from attrs import field, frozen
from cattrs.gen import override

from ..core._documents import Document, field_dump, register
from ..core._frozen_json import freeze
from ..core.timestamps import optional_utc
from .status import Status


def _status(value: Status | str) -> Status:
    """A Status from its value (the engine passes Status members: no enum lookup then)."""
    return value if value.__class__ is Status else Status(value)


@frozen
class Finding(Document):
    """The outcome of rule ``rule_id`` for record ``record_id`` (None for a period's finding).

    ``due_at`` is the deadline (for a clock), the end of the period (for a threshold), or None.
    ``evidence`` holds the facts as JSON types (event kinds, times, actors and their roles);
    ``message`` says the same for an auditor, starting with the rule, the outcome and the clause
    (``source``, e.g. ``003_1901d489df2c6a2b.txt §3.1.3``). ``elapsed`` is the time a stopped clock
    ran, in the rule's ``measure``. An anonymous complaint's submitter is never in a finding: the
    evidence names only the staff who did each step.
    """

    rule_id: str
    record_id: str | None
    status: Status = field(converter=_status)
    due_at: datetime | None = field(converter=optional_utc)
    evidence: Mapping[str, Any] = field(converter=freeze)
    message: str
    source: str
    record_type: str | None = None
    ruleset: str = ""
    ruleset_version: str = ""
    severity: str = "medium"
    period: str | None = None
    elapsed: timedelta | None = None
    measure: str | None = None

    def to_json(self, *, indent: int | None = None) -> str:
        """The finding as a JSON document."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)


_ORDER = (
    "rule_id",
    "record_type",
    "record_id",
    "status",
    "due_at",
    "period",
    "elapsed_seconds",
    "measure",
    "severity",
    "source",
    "ruleset",
    "ruleset_version",
    "message",
    "evidence",
)
"""The keys of a finding's document, in order (``docs/findings.md``)."""

_fields = field_dump(
    Finding,
    elapsed=override(
        rename="elapsed_seconds",
        unstruct_hook=lambda elapsed: None if elapsed is None else elapsed.total_seconds(),
    ),
)


def _finding(finding: Finding) -> dict[str, Any]:
    document = _fields(finding)
    return {key: document[key] for key in _ORDER}


register(Finding, _finding)
