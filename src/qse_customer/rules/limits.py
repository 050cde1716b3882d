"""Time limits of rules: working days, working hours, calendar time, next working day by a time.

A limit is written as an object with exactly one amount::

    {"working_days": 2}                                  closing time on the 2nd working day after
    {"working_days": 20, "after_closing": "same_day"}    the day of receipt (see docs/calendar.md)
    {"working_hours": 4.5}                               4.5 h of opening hours
    {"minutes": 60}, {"hours": 24}, {"days": 5}          calendar time, around the clock
    {"next_working_day_at": "12:00"}                     12:00 on the first working day after the
                                                         local date of receipt

Working limits measure elapsed time (for at-risk shares, pauses and the report's percentiles) in
working time; calendar limits in calendar time.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

from attrs import frozen

from ..core.calendar import AfterClosing
from ..core.errors import FieldError
from ..core.translation import ENGLISH, Translator
from ._timeline import Timeline
from ._wording import ordinal, plural

WORKING: Final = "working time"
CALENDAR: Final = "calendar time"
UNITS: Final = ("working_days", "working_hours", "minutes", "hours", "days", "next_working_day_at")
_CALENDAR_US: Final = {"minutes": 60_000_000, "hours": 3_600_000_000, "days": 86_400_000_000}

LONGEST_DAYS: Final = 3653
"""The longest limit a rule may set: ten years (3,653 days), in any unit. A longer one is a
mistake, and would outrun the years a working calendar covers."""
LONGEST_WORKING_DAYS: Final = 2610
"""Ten years of working days (five a week)."""

SCHEMA: Final[dict[str, Any]] = {
    "type": "object",
    "additionalProperties": False,
    "minProperties": 1,
    "properties": {
        "working_days": {"type": "integer", "minimum": 0, "maximum": LONGEST_WORKING_DAYS},
        "working_hours": {"type": "number", "minimum": 0, "maximum": LONGEST_DAYS * 24},
        "minutes": {"type": "number", "minimum": 0, "maximum": LONGEST_DAYS * 1440},
        "hours": {"type": "number", "minimum": 0, "maximum": LONGEST_DAYS * 24},
        "days": {"type": "number", "minimum": 0, "maximum": LONGEST_DAYS},
        "next_working_day_at": {"type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$"},
        "after_closing": {"enum": ["next_day", "same_day"]},
    },
}
"""The JSON Schema of a limit (a negative amount, or one longer than ten years, fails at its own
path)."""


def limit_errors(limit: Mapping[str, Any], path: str) -> list[FieldError]:
    """A limit with no amount or several, or ``after_closing`` without working days."""
    units = [unit for unit in UNITS if unit in limit]
    errors = []
    if len(units) != 1:
        errors.append(
            FieldError(
                path,
                f"expected exactly one of {', '.join(UNITS)}; got "
                f"{', '.join(units) if units else 'none'}",
            )
        )
    if "after_closing" in limit and "working_days" not in limit:
        errors.append(
            FieldError(
                f"{path}.after_closing",
                "after_closing is the receipt convention of a working-days limit; "
                "use it with working_days",
            )
        )
    return errors


@frozen
class Limit:
    """A parsed limit (see the module doc)."""

    unit: str
    amount: Any
    after_closing: AfterClosing = "next_day"

    @classmethod
    def parse(cls, limit: Mapping[str, Any]) -> Limit:
        """A limit from its (validated) JSON form."""
        unit = next(unit for unit in UNITS if unit in limit)
        return cls(unit, limit[unit], limit.get("after_closing", "next_day"))

    @property
    def measure(self) -> str:
        """``working time`` or ``calendar time``."""
        return CALENDAR if self.unit in _CALENDAR_US else WORKING

    @property
    def comparable(self) -> tuple[str, float] | None:
        """A unit and amount for comparing limits of one unit (calendar time in minutes)."""
        if self.unit in _CALENDAR_US:
            return "minutes of calendar time", self.amount * _CALENDAR_US[self.unit] / 60_000_000
        if self.unit == "next_working_day_at":
            return None
        return self.unit.replace("_", " "), float(self.amount)

    def describe(self, t: Translator = ENGLISH) -> str:
        """``2 working days``, ``4.5 working hours``, ``60 minutes``, ``12:00 on the next
        working day`` (in ``t``'s language)."""
        if not t.is_source:
            return self._describe(t)
        if self.unit == "working_days":
            statutory = " (statutory count)" if self.after_closing == "same_day" else ""
            return plural(self.amount, "working day") + statutory
        if self.unit == "working_hours":
            return plural(self.amount, "working hour")
        if self.unit == "next_working_day_at":
            return f"{self.amount} on the next working day"
        return plural(self.amount, self.unit[:-1])

    def _describe(self, t: Translator) -> str:
        amount = self.amount
        if self.unit == "next_working_day_at":
            return t.gettext("{time} on the next working day").format(time=amount)
        count = int(amount) if float(amount).is_integer() else 2
        shown = t.number(amount)
        if self.unit == "working_days":
            text = t.ngettext("{count} working day", "{count} working days", count)
            if self.after_closing == "same_day":
                text = t.ngettext(
                    "{count} working day (statutory count)",
                    "{count} working days (statutory count)",
                    count,
                )
        elif self.unit == "working_hours":
            text = t.ngettext("{count} working hour", "{count} working hours", count)
        elif self.unit == "minutes":
            text = t.ngettext("{count} minute", "{count} minutes", count)
        elif self.unit == "hours":
            text = t.ngettext("{count} hour", "{count} hours", count)
        else:
            text = t.ngettext("{count} day", "{count} days", count)
        return text.format(count=shown)

    def rule_of_deadline(self, close: str, t: Translator = ENGLISH) -> str:
        """How the deadline is found, in words."""
        if self.unit == "working_days":
            if self.amount == 0:
                return t.gettext(
                    "the deadline is closing time ({close}) on the day of receipt"
                ).format(close=close)
            return t.gettext(
                "the deadline is closing time ({close}) on the {ordinal} working day after the "
                "day of receipt"
            ).format(close=close, ordinal=ordinal(self.amount, t))
        if self.unit == "working_hours":
            return t.gettext("the deadline is when {limit} of opening hours have passed").format(
                limit=self.describe(t)
            )
        if self.unit == "next_working_day_at":
            return t.gettext(
                "the deadline is {time} on the first working day after the day of receipt"
            ).format(time=self.amount)
        return t.gettext("the deadline is {limit} later, around the clock").format(
            limit=self.describe(t)
        )

    def deadline_function(self, timeline: Timeline) -> Callable[[int], int]:
        """A function from a start instant to the deadline (epoch µs), with the unit bound."""
        if self.unit == "working_days":
            days, mode = int(self.amount), self.after_closing
            days_deadline = timeline.days_deadline
            return lambda start: days_deadline(start, days, mode)
        if self.unit == "working_hours":
            amount = round(self.amount * 3_600_000_000)
            hours_deadline = timeline.hours_deadline
            return lambda start: hours_deadline(start, amount)
        if self.unit == "next_working_day_at":
            clock = str(self.amount)
            next_day = timeline.next_working_day_at
            return lambda start: next_day(start, clock)
        span = round(self.amount * _CALENDAR_US[self.unit])
        return lambda start: start + span

    def elapsed_function(self, timeline: Timeline) -> Callable[[int, int], int]:
        """A function from two instants to the time between them in this limit's measure."""
        if self.measure == CALENDAR:
            return _calendar_between
        return timeline.working_between

    def extend_function(self, timeline: Timeline) -> Callable[[int, int], int]:
        """A function that moves a deadline later by an amount of this limit's measure."""
        if self.measure == CALENDAR:
            return _calendar_extend
        hours_deadline = timeline.hours_deadline

        def extend(deadline: int, amount: int) -> int:
            return hours_deadline(deadline, amount) if amount > 0 else deadline

        return extend

    def to_dict(self) -> dict[str, Any]:
        """The limit as written in a ruleset."""
        result: dict[str, Any] = {self.unit: self.amount}
        if self.unit == "working_days" and self.after_closing != "next_day":
            result["after_closing"] = self.after_closing
        return result


def _calendar_between(start: int, end: int) -> int:
    return end - start


def _calendar_extend(deadline: int, amount: int) -> int:
    return deadline + amount
