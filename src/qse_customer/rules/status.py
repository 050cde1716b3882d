"""The outcome of one rule for one record (or one period)."""

from __future__ import annotations

from enum import StrEnum
from typing import Final


class Status(StrEnum):
    """What a rule found.

    - ``met``: the record did what the rule asks (in time, by an allowed role, ...).
    - ``breached``: it did not, or a deadline passed before it did.
    - ``at_risk``: a clock still runs at ``at``, within its deadline, with at least the rule's
      warning share of the limit used.
    - ``pending``: a clock still runs (or is paused) at ``at`` within its deadline and is not yet
      at risk; or a period that has not ended yet meets its threshold so far.
    - ``not_applicable``: the rule does not concern this record: its ``applies_to`` conditions do
      not match, or the event the rule is about (a clock's start, the step a role rule checks)
      has not happened.
    """

    MET = "met"
    BREACHED = "breached"
    AT_RISK = "at_risk"
    PENDING = "pending"
    NOT_APPLICABLE = "not_applicable"


# Compiled rules return these small integers on the hot path; the engine turns them into Status.
MET: Final = 0
BREACHED: Final = 1
AT_RISK: Final = 2
PENDING: Final = 3
NOT_APPLICABLE: Final = 4
STATUSES: Final = (
    Status.MET,
    Status.BREACHED,
    Status.AT_RISK,
    Status.PENDING,
    Status.NOT_APPLICABLE,
)
"""Status by its code: ``STATUSES[code]``."""
CODES: Final = {status: code for code, status in enumerate(STATUSES)}
