"""Wall-clock readings depend on the instant only, never on how a datetime was written: a time
inside a clock-change gap (which does not exist on the lab's wall clock) reads as the instant it
denotes, as ``datetime.astimezone`` would not do for a datetime already in the lab's zone."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

import qse_customer as qse
from qse_customer.analysis.periods import period_key
from qse_customer.core.timestamps import wall_clock
from qse_customer.testing.strategies import ZONES, aware_datetimes

LONDON = qse.WorkingCalendar(timezone="Europe/London", country="GB", opens="08:00", closes="17:00")
APIA = qse.WorkingCalendar(timezone="Pacific/Apia", opens="08:00", closes="17:00")


@given(aware_datetimes(), st.sampled_from(ZONES))
def test_the_wall_clock_depends_on_the_instant_only(at: datetime, name: str) -> None:
    zone = ZoneInfo(name)
    local = wall_clock(at, zone)
    assert local.astimezone(UTC) == at.astimezone(UTC)
    assert (local.replace(tzinfo=None), local.utcoffset()) == (
        wall_clock(at.astimezone(UTC), zone).replace(tzinfo=None),
        wall_clock(at.astimezone(UTC), zone).utcoffset(),
    )
    # Reading it again changes nothing: the result is a real wall time in that zone.
    again = wall_clock(local, zone)
    assert (again.replace(tzinfo=None), again.utcoffset()) == (
        local.replace(tzinfo=None),
        local.utcoffset(),
    )


@given(aware_datetimes())
def test_calendar_answers_depend_on_the_instant_only(at: datetime) -> None:
    in_utc = at.astimezone(UTC)
    assert LONDON.local(at).isoformat() == LONDON.local(in_utc).isoformat()
    assert LONDON.is_working_day(at) == LONDON.is_working_day(in_utc)
    assert LONDON.next_working_day_at(at) == LONDON.next_working_day_at(in_utc)
    for period in ("week", "month", "quarter", "year"):
        assert period_key(at, period, "Europe/London") == period_key(
            in_utc, period, "Europe/London"
        )


def test_a_time_skipped_by_the_spring_clock_change_reads_as_the_instant_it_denotes() -> None:
    # 01:30 on 28 March 1999 did not exist in London: clocks went from 01:00 GMT to 02:00 BST.
    skipped = datetime(1999, 3, 28, 1, 30, tzinfo=ZoneInfo("Europe/London"))
    assert skipped.astimezone(ZoneInfo("Europe/London")).strftime("%H:%M %Z") == "01:30 GMT"
    assert LONDON.local(skipped).strftime("%H:%M %Z") == "02:30 BST"


def test_a_skipped_day_reads_as_the_day_it_denotes() -> None:
    # Samoa skipped 30 December 2011 (it moved west of the date line): noon that "day" is noon
    # on the 31st, a Saturday, so not a working day; the next is Monday 2 January (UTC+14).
    skipped = datetime(2011, 12, 30, 12, 0, tzinfo=ZoneInfo("Pacific/Apia"))
    assert APIA.local(skipped).date().isoformat() == "2011-12-31"
    assert not APIA.is_working_day(skipped)
    assert APIA.next_working_day_at(skipped, "09:00") == datetime(2012, 1, 1, 19, 0, tzinfo=UTC)
