"""Times for the sample lab's events: inside opening hours, before or after a deadline."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from ..core.calendar import WorkingCalendar


class Timing:
    """Draws realistic event times on a working calendar from a seeded random source."""

    def __init__(self, calendar: WorkingCalendar, rng: random.Random) -> None:
        self.calendar = calendar
        self.rng = rng

    def working_moment(self, day_start: datetime, days: int) -> datetime:
        """A moment inside opening hours, within ``days`` calendar days after ``day_start``."""
        moment = day_start + timedelta(days=self.rng.uniform(0, days))
        return self.calendar.add_working_hours(moment, self.rng.uniform(0, 2))

    def within(self, start: datetime, deadline: datetime, share: float) -> datetime:
        """The moment ``share`` of the working time from ``start`` to ``deadline`` has passed."""
        working = self.calendar.working_time_between(start, deadline)
        if working <= timedelta(0):
            return start + (deadline - start) * share
        return self.calendar.add_working_hours(start, working * share)

    def after(self, moment: datetime, working_hours: float) -> datetime:
        """``working_hours`` of working time after ``moment``."""
        return self.calendar.add_working_hours(moment, working_hours)

    def met_share(self) -> float:
        """A share of the limit used by a response that met its deadline."""
        return self.rng.betavariate(2.0, 3.5) * 0.95 + 0.02
