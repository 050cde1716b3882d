"""Findings: what one rule found about one record (or one period), and why, in plain words."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from attrs import field, frozen

from ..core.frozen_json import freeze, thaw
from ..core.timestamps import optional_utc
from .status import Status


def _status(value: Status | str) -> Status:
    """A Status from its value (the engine passes Status members: no enum lookup then)."""
    return value if value.__class__ is Status else Status(value)


@frozen
class Finding:
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

    def to_dict(self) -> dict[str, Any]:
        """The finding as JSON types."""
        return {
            "rule_id": self.rule_id,
            "record_type": self.record_type,
            "record_id": self.record_id,
            "status": self.status.value,
            "due_at": self.due_at.isoformat() if self.due_at is not None else None,
            "period": self.period,
            "elapsed_seconds": self.elapsed.total_seconds() if self.elapsed is not None else None,
            "measure": self.measure,
            "severity": self.severity,
            "source": self.source,
            "ruleset": self.ruleset,
            "ruleset_version": self.ruleset_version,
            "message": self.message,
            "evidence": thaw(self.evidence),
        }

    def to_json(self, *, indent: int | None = None) -> str:
        """The finding as a JSON document."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)
