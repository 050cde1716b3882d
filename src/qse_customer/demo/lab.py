"""A deterministic sample laboratory: a year of records for "Riverside Hospital Laboratory"."""

from __future__ import annotations

import random
from datetime import datetime
from zoneinfo import ZoneInfo

from attrs import frozen

from ..core.calendar import WorkingCalendar
from ..core.complaint import Complaint
from ..core.contract import Contract
from ..core.record import Record
from ..rules.contract_rules import contract_rules, merge_rulesets
from ..rules.ruleset import Ruleset
from .complaints import complaints
from .contracts import contracts, customers, test_requests
from .enquiries import enquiries
from .surveys import measurements, referrals, surveys
from .timing import Timing

LAB_NAME = "Riverside Hospital Laboratory"
TIMEZONE = "Europe/London"
DEMO_AT = datetime(2026, 3, 18, 14, 30, tzinfo=ZoneInfo(TIMEZONE))
"""The sample lab's "now": every record happened before it; its clocks are judged at it."""
YEAR_START = datetime(2025, 4, 1, tzinfo=ZoneInfo(TIMEZONE))
"""The first day of the sample year (the NHS financial year)."""


def lab_calendar() -> WorkingCalendar:
    """The sample lab's working calendar: England's bank holidays, open 08:00 to 17:00."""
    return WorkingCalendar(
        timezone=TIMEZONE,
        country="GB",
        subdivision="ENG",
        opens="08:00",
        closes="17:00",
        first_year=2020,
        last_year=2030,
    )


@frozen
class SampleLab:
    """A generated lab: its records, calendar, the moment they are judged at and its contracts."""

    name: str
    calendar: WorkingCalendar
    at: datetime
    start: datetime
    records: tuple[Record, ...]
    contracts: tuple[Contract, ...]

    def contract_ruleset(self) -> Ruleset:
        """Every contract's terms as one ruleset (turnaround, reviews, deviation reporting)."""
        return merge_rulesets(
            "riverside-contracts", "1", [contract_rules(contract) for contract in self.contracts]
        )

    def count(self, record_type: str) -> int:
        """How many records of a type (``"complaint"``) the lab holds."""
        return sum(1 for record in self.records if record_type == record.TYPE)


def generate_lab(seed: int = 2026) -> SampleLab:
    """The sample lab for ``seed``: the same seed always gives the same records."""
    rng = random.Random(seed)
    calendar = lab_calendar()
    timing = Timing(calendar, rng)
    at, start = DEMO_AT, YEAR_START
    register = customers(timing, start)
    agreed = contracts(timing, start, at)
    requests = list(test_requests(timing, agreed, start, at))
    received: list[Complaint] = list(complaints(timing, start, at))
    records: list[Record] = [
        *register,
        *agreed,
        *requests,
        *received,
        *enquiries(timing, start, at),
        *surveys(timing, start, at),
        *measurements(timing, start, at),
        *referrals(timing, received, start, at),
    ]
    return SampleLab(
        name=LAB_NAME,
        calendar=calendar,
        at=at.astimezone(ZoneInfo("UTC")),
        start=start,
        records=tuple(records),
        contracts=tuple(agreed),
    )
