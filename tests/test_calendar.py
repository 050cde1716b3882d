"""WorkingCalendar: settings, refusals, and hand-picked deadlines checked against the calendar."""

from __future__ import annotations

import copy
import datetime as datetime_module
import json
import pickle
from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qse_customer.core.calendar import WorkingCalendar
from qse_customer.core.errors import CalendarError, CalendarRangeError, QSEError

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
KOLKATA = ZoneInfo("Asia/Kolkata")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")

ENGLAND = WorkingCalendar(timezone="Europe/London", country="GB", subdivision="ENG")
UK_ANY_PART = WorkingCalendar(
    timezone="Europe/London", country="GB", subdivision=("ENG", "NIR", "SCT", "WLS")
)
ENGLAND_8_TO_5 = WorkingCalendar(
    timezone="Europe/London", country="GB", subdivision="ENG", opens="08:00", closes="17:00"
)
EVERY_DAY_LONDON = WorkingCalendar(
    timezone="Europe/London", weekdays=range(7), opens="08:00", closes="17:00"
)
US = WorkingCalendar(timezone="America/New_York", country="US")


def london(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON)  # type: ignore[misc]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


# --- holidays come from the holidays package ------------------------------------------------------


def test_england_christmas_2020_and_2021_are_what_the_holidays_package_says() -> None:
    england = holidays.country_holidays("GB", subdiv="ENG", years=[2020, 2021])
    assert {date(2020, 12, 25), date(2020, 12, 28)} <= set(england)  # Boxing Day substitute
    assert {date(2021, 12, 27), date(2021, 12, 28)} <= set(england)  # both substitutes
    for day in (date(2020, 12, 25), date(2020, 12, 28), date(2021, 12, 27), date(2021, 12, 28)):
        assert not ENGLAND.is_working_day(day)
    assert ENGLAND.is_working_day(date(2020, 12, 29))
    assert not ENGLAND.is_working_day(date(2020, 12, 26))  # a Saturday


def test_public_holidays_lists_the_union_and_names_the_parts_that_observe_each() -> None:
    listed = UK_ANY_PART.public_holidays(2026)
    assert listed[date(2026, 11, 30)] == "Saint Andrew's Day (SCT)"
    assert listed[date(2026, 12, 25)] == "Christmas Day"
    assert date(2026, 11, 30) not in ENGLAND.public_holidays(2026)
    assert WorkingCalendar().public_holidays() == {}


# --- working days: the design's examples ----------------------------------------------------------


def test_friday_receipt_with_monday_bank_holiday_is_due_wednesday_at_closing() -> None:
    assert date(2024, 5, 6) in holidays.country_holidays("GB", subdiv="ENG", years=2024)
    due = ENGLAND.add_working_days(london(2024, 5, 3, 10), 2)
    assert due == london(2024, 5, 8, 17) == utc(2024, 5, 8, 16)
    assert due.tzinfo is UTC


def test_saturday_receipt_counts_from_monday() -> None:
    received = london(2024, 5, 11, 10)
    assert ENGLAND.effective_receipt_day(received) == date(2024, 5, 13)
    assert ENGLAND.add_working_days(received, 2) == london(2024, 5, 15, 17)


def test_receipt_after_closing_counts_from_the_next_working_day() -> None:
    assert ENGLAND.effective_receipt_day(london(2024, 5, 14, 17)) == date(2024, 5, 15)
    assert ENGLAND.effective_receipt_day(london(2024, 5, 14, 16, 59)) == date(2024, 5, 14)
    assert ENGLAND.add_working_days(london(2024, 5, 14, 17), 0) == london(2024, 5, 15, 17)
    assert ENGLAND.add_working_days(london(2024, 5, 14, 8), 0) == london(2024, 5, 14, 17)


def test_christmas_eve_2020_plus_two_working_days() -> None:
    # Thu 24 effective; Fri 25 and Mon 28 (Boxing Day substitute) are bank holidays:
    # Tue 29 is the first working day after receipt and Wed 30 the second.
    received = london(2020, 12, 24, 10)
    assert ENGLAND.add_working_days(received, 1) == london(2020, 12, 29, 17)
    assert ENGLAND.add_working_days(received, 2) == london(2020, 12, 30, 17)


def test_christmas_2021_on_a_saturday_gives_two_substitute_days() -> None:
    received = london(2021, 12, 24, 10)  # Friday
    assert ENGLAND.add_working_days(received, 1) == london(2021, 12, 29, 17)
    assert ENGLAND.effective_receipt_day(london(2021, 12, 25, 10)) == date(2021, 12, 29)


def test_foi_statutory_count_receipt_at_20_00_on_a_working_day_counts_that_day() -> None:
    received = london(2026, 11, 27, 20)  # Friday, after closing
    assert UK_ANY_PART.effective_receipt_day(received, after_closing="same_day") == date(
        2026, 11, 27
    )
    assert UK_ANY_PART.effective_receipt_day(received) == date(2026, 12, 1)
    # Mon 30 Nov is St Andrew's Day, a bank holiday in Scotland: in any part of the UK counts.
    assert UK_ANY_PART.add_working_days(received, 2, after_closing="same_day") == london(
        2026, 12, 2, 17
    )
    assert ENGLAND.add_working_days(received, 2, after_closing="same_day") == london(
        2026, 12, 1, 17
    )


def test_foi_same_day_on_a_weekend_still_counts_from_the_next_working_day() -> None:
    received = london(2026, 11, 28, 9)  # Saturday
    assert UK_ANY_PART.effective_receipt_day(received, after_closing="same_day") == date(
        2026, 12, 1
    )


def test_foi_twenty_working_days() -> None:
    received = london(2026, 12, 18, 11)  # Friday before Christmas
    due = UK_ANY_PART.add_working_days(received, 20, after_closing="same_day")
    # 21-24, 29-31 Dec; 5-8, 11-15, 18-21 Jan: 25 and 28 Dec, 1 and 4 Jan are bank holidays
    # (4 Jan 2027 only in Scotland, but a bank holiday in any part of the UK counts).
    assert due == london(2027, 1, 21, 17)


def test_extra_working_days_and_closures() -> None:
    calendar = WorkingCalendar(
        timezone="Europe/London",
        country="GB",
        subdivision="ENG",
        closures=[date(2024, 5, 14)],
        extra_working_days=[date(2024, 5, 11), date(2024, 5, 6)],  # a Saturday, a bank holiday
    )
    assert calendar.is_working_day(date(2024, 5, 11))
    assert calendar.is_working_day(date(2024, 5, 6))
    assert not calendar.is_working_day(date(2024, 5, 14))
    assert calendar.add_working_days(london(2024, 5, 10, 10), 2) == london(2024, 5, 13, 17)
    assert calendar.add_working_days(london(2024, 5, 13, 10), 1) == london(2024, 5, 15, 17)


def test_next_working_day_at_a_time_of_day() -> None:
    assert ENGLAND.next_working_day_at(london(2024, 5, 3, 8)) == london(2024, 5, 7, 12)
    assert ENGLAND.next_working_day_at(london(2024, 5, 7, 23, 59), "09:30") == london(
        2024, 5, 8, 9, 30
    )
    # The local date decides, not the UTC date: 00:30 BST on Tuesday is Monday in UTC.
    assert ENGLAND.next_working_day_at(utc(2024, 5, 13, 23, 30)) == london(2024, 5, 15, 12)


def test_is_working_day_takes_an_aware_datetime_as_its_local_date() -> None:
    assert not ENGLAND.is_working_day(utc(2024, 5, 10, 23, 30))  # Saturday 00:30 in London
    assert ENGLAND.is_working_day(utc(2024, 5, 10, 22, 30))


# --- working hours --------------------------------------------------------------------------------


def test_working_hours_within_a_day_and_across_a_weekend() -> None:
    assert ENGLAND.add_working_hours(london(2024, 5, 13, 10), 3) == london(2024, 5, 13, 13)
    assert ENGLAND.add_working_hours(london(2024, 5, 10, 16), 2) == london(2024, 5, 13, 10)
    assert ENGLAND.add_working_hours(london(2024, 5, 11, 12), 1.5) == london(2024, 5, 13, 10, 30)
    assert ENGLAND.add_working_hours(london(2024, 5, 13, 10), timedelta(minutes=90)) == london(
        2024, 5, 13, 11, 30
    )


def test_a_target_exactly_at_closing_returns_closing_not_the_next_opening() -> None:
    assert ENGLAND.add_working_hours(london(2024, 5, 13, 16), 1) == london(2024, 5, 13, 17)
    assert ENGLAND.add_working_hours(london(2024, 5, 13, 9), 8) == london(2024, 5, 13, 17)
    assert ENGLAND.add_working_hours(london(2024, 5, 13, 9), 16) == london(2024, 5, 14, 17)


def test_zero_hours_is_the_start_when_open_and_the_next_opening_when_closed() -> None:
    assert ENGLAND.add_working_hours(london(2024, 5, 13, 10, 5), 0) == london(2024, 5, 13, 10, 5)
    assert ENGLAND.add_working_hours(london(2024, 5, 13, 17), 0) == london(2024, 5, 14, 9)
    assert ENGLAND.next_opening(london(2024, 5, 11, 12)) == london(2024, 5, 13, 9)
    assert ENGLAND.is_open(london(2024, 5, 13, 9))
    assert not ENGLAND.is_open(london(2024, 5, 13, 17))
    assert not ENGLAND.is_open(london(2024, 5, 6, 12))  # bank holiday


def test_working_time_between_is_signed() -> None:
    start, end = london(2024, 5, 10, 16), london(2024, 5, 13, 10)
    assert ENGLAND.working_time_between(start, end) == timedelta(hours=2)
    assert ENGLAND.working_time_between(end, start) == timedelta(hours=-2)
    assert ENGLAND.working_time_between(london(2024, 5, 11), london(2024, 5, 12)) == timedelta(0)


# --- daylight saving ------------------------------------------------------------------------------


@pytest.mark.parametrize("sunday", [date(2024, 3, 31), date(2024, 10, 27)])
def test_uk_dst_sundays_are_nine_hour_days_for_a_lab_open_every_day(sunday: date) -> None:
    before, after = sunday - timedelta(days=1), sunday + timedelta(days=1)
    for day in (before, sunday, after):
        opens = datetime.combine(day, datetime.min.time(), tzinfo=LONDON) + timedelta(hours=8)
        closes = opens.replace(hour=17)
        assert EVERY_DAY_LONDON.working_time_between(opens, closes) == timedelta(hours=9)
        assert EVERY_DAY_LONDON.add_working_hours(opens, 9) == closes
    assert EVERY_DAY_LONDON.working_time_between(
        datetime.combine(before, datetime.min.time(), tzinfo=LONDON),
        datetime.combine(after + timedelta(days=1), datetime.min.time(), tzinfo=LONDON),
    ) == timedelta(hours=27)


def test_uk_spring_change_across_easter_in_utc() -> None:
    # Thu 28 Mar 2024 (GMT), Good Friday, weekend with the change, Easter Monday, Tue 2 Apr (BST).
    thursday, tuesday = london(2024, 3, 28, 8), london(2024, 4, 2, 17)
    assert ENGLAND_8_TO_5.working_time_between(thursday, tuesday) == timedelta(hours=18)
    assert ENGLAND_8_TO_5.add_working_hours(london(2024, 3, 28, 16), 2) == utc(2024, 4, 2, 8)
    assert ENGLAND_8_TO_5.next_opening(london(2024, 3, 28, 18)) == utc(2024, 4, 2, 7)
    assert ENGLAND_8_TO_5.add_working_days(london(2024, 3, 28, 10), 1) == utc(2024, 4, 2, 16)


def test_uk_autumn_change_in_utc() -> None:
    friday, monday = london(2024, 10, 25, 8), london(2024, 10, 28, 17)
    assert ENGLAND_8_TO_5.working_time_between(friday, monday) == timedelta(hours=18)
    assert ENGLAND_8_TO_5.add_working_hours(london(2024, 10, 25, 16), 2) == utc(2024, 10, 28, 9)
    assert ENGLAND_8_TO_5.add_working_days(london(2024, 10, 25, 10), 1) == utc(2024, 10, 28, 17)
    assert ENGLAND_8_TO_5.add_working_days(london(2024, 10, 24, 10), 1) == utc(2024, 10, 25, 16)


def test_opening_at_a_skipped_time_opens_when_the_clocks_jump() -> None:
    calendar = WorkingCalendar(
        timezone="Europe/London", weekdays=range(7), opens="01:30", closes="05:00"
    )
    spring = london(2024, 3, 31)
    assert calendar.next_opening(spring) == utc(2024, 3, 31, 1)  # 02:00 BST, the jump
    assert calendar.working_time_between(spring, spring + timedelta(days=1)) == timedelta(hours=3)


def test_opening_at_a_repeated_time_opens_at_its_first_occurrence() -> None:
    calendar = WorkingCalendar(
        timezone="Europe/London", weekdays=range(7), opens="01:30", closes="05:00"
    )
    autumn = london(2024, 10, 27)
    assert calendar.next_opening(autumn) == utc(2024, 10, 27, 0, 30)  # 01:30 BST
    assert calendar.working_time_between(autumn, autumn + timedelta(days=1)) == timedelta(
        hours=4, minutes=30
    )


def test_new_york_thanksgiving_and_dst() -> None:
    assert date(2024, 11, 28) in holidays.country_holidays("US", years=2024)
    received = datetime(2024, 11, 27, 18, tzinfo=NEW_YORK)  # after closing, day before
    assert US.effective_receipt_day(received) == date(2024, 11, 29)
    assert US.add_working_days(received, 1) == utc(2024, 12, 2, 22)
    friday = datetime(2024, 3, 8, 16, tzinfo=NEW_YORK)  # EST; DST starts Sun 10 March
    assert US.add_working_hours(friday, 2) == utc(2024, 3, 11, 14)  # 10:00 EDT


def test_kolkata_half_hour_offset() -> None:
    india = WorkingCalendar(timezone="Asia/Kolkata", country="IN")
    assert date(2025, 10, 2) in holidays.country_holidays("IN", years=2025)
    received = datetime(2025, 10, 1, 10, tzinfo=KOLKATA)
    assert india.add_working_days(received, 1) == utc(2025, 10, 3, 11, 30)
    assert india.next_opening(datetime(2025, 10, 1, 20, tzinfo=KOLKATA)) == utc(2025, 10, 3, 3, 30)


def test_lord_howe_half_hour_dst() -> None:
    every_day = WorkingCalendar(
        timezone="Australia/Lord_Howe", weekdays=range(7), opens="08:00", closes="17:00"
    )
    # DST starts Sun 6 Oct 2024 at 02:00 (+10:30 -> +11:00).
    saturday = datetime(2024, 10, 5, 8, tzinfo=LORD_HOWE)
    assert saturday == utc(2024, 10, 4, 21, 30)
    assert every_day.next_opening(datetime(2024, 10, 5, 17, tzinfo=LORD_HOWE)) == utc(
        2024, 10, 5, 21
    )
    assert every_day.working_time_between(saturday, saturday + timedelta(days=2)) == timedelta(
        hours=18
    )
    skipped = WorkingCalendar(
        timezone="Australia/Lord_Howe", weekdays=range(7), opens="02:15", closes="05:00"
    )
    sunday = datetime(2024, 10, 6, tzinfo=LORD_HOWE)
    assert skipped.next_opening(sunday) == utc(2024, 10, 5, 15, 30)  # the jump at 02:00 +10:30
    # DST ends Sun 7 Apr 2024 at 02:00 (+11:00 -> +10:30): 01:45 happens twice.
    repeated = WorkingCalendar(
        timezone="Australia/Lord_Howe", weekdays=range(7), opens="01:45", closes="05:00"
    )
    assert repeated.next_opening(datetime(2024, 4, 7, tzinfo=LORD_HOWE)) == utc(2024, 4, 6, 14, 45)


def test_a_skipped_local_day_is_not_a_working_day() -> None:
    samoa = WorkingCalendar(timezone="Pacific/Apia", weekdays=range(7))
    assert not samoa.is_working_day(date(2011, 12, 30))
    thursday = datetime(2011, 12, 29, 10, tzinfo=ZoneInfo("Pacific/Apia"))
    assert samoa.add_working_days(thursday, 1) == datetime(
        2011, 12, 31, 17, tzinfo=ZoneInfo("Pacific/Apia")
    )


def test_closing_at_midnight_ends_the_working_day() -> None:
    calendar = WorkingCalendar(timezone="Europe/London", country="GB", closes="24:00")
    assert calendar.add_working_days(london(2024, 5, 13, 23), 0) == london(2024, 5, 14, 0)
    assert calendar.working_time_between(london(2024, 5, 13), london(2024, 5, 14)) == timedelta(
        hours=15
    )


# --- opening hours as real laboratories have them -------------------------------------------------

# A lunch closure on weekdays and a Saturday morning clinic.
CLINIC = WorkingCalendar(
    timezone="Europe/London",
    country="GB",
    subdivision="ENG",
    hours={"Mon-Fri": ["08:00-12:30", "13:30-17:00"], "Sat": ["09:00-12:00"]},
)
CORE_LAB = WorkingCalendar.around_the_clock(timezone="Europe/London")


def test_the_lunch_closure_is_not_working_time() -> None:
    monday = london(2024, 5, 13, 8)
    assert CLINIC.working_time_between(monday, london(2024, 5, 13, 17)) == timedelta(hours=8)
    assert CLINIC.add_working_hours(london(2024, 5, 13, 12), 1) == london(2024, 5, 13, 14)
    assert CLINIC.add_working_hours(london(2024, 5, 13, 8), 4.5) == london(2024, 5, 13, 12, 30)
    assert not CLINIC.is_open(london(2024, 5, 13, 12, 30))
    assert not CLINIC.is_open(london(2024, 5, 13, 13, 29))
    assert CLINIC.is_open(london(2024, 5, 13, 13, 30))
    assert CLINIC.next_opening(london(2024, 5, 13, 12, 45)) == london(2024, 5, 13, 13, 30)


def test_received_during_the_lunch_closure_counts_from_the_same_day() -> None:
    lunch = london(2024, 5, 13, 12, 45)
    assert CLINIC.effective_receipt_day(lunch) == date(2024, 5, 13)
    assert CLINIC.add_working_days(lunch, 0) == london(2024, 5, 13, 17)
    assert CLINIC.add_working_days(lunch, 1) == london(2024, 5, 14, 17)
    # After the last interval closes, the count starts on the next working day.
    assert CLINIC.effective_receipt_day(london(2024, 5, 13, 17)) == date(2024, 5, 14)


def test_a_saturday_morning_clinic_is_a_short_working_day() -> None:
    assert CLINIC.is_working_day(date(2024, 5, 11))
    assert CLINIC.opening_hours(date(2024, 5, 11)) == (("09:00", "12:00"),)
    assert CLINIC.opening_hours(date(2024, 5, 13)) == (("08:00", "12:30"), ("13:30", "17:00"))
    assert CLINIC.opening_hours(date(2024, 5, 12)) == ()  # Sunday
    # Friday 16:00 plus 2 working hours: one on Friday, one on Saturday morning.
    assert CLINIC.add_working_hours(london(2024, 5, 10, 16), 2) == london(2024, 5, 11, 10)
    # Received Friday after closing: Saturday is the day of receipt, Monday the first day after.
    friday_evening = london(2024, 5, 10, 17, 30)
    assert CLINIC.effective_receipt_day(friday_evening) == date(2024, 5, 11)
    assert CLINIC.add_working_days(friday_evening, 0) == london(2024, 5, 11, 12)
    assert CLINIC.add_working_days(friday_evening, 1) == london(2024, 5, 13, 17)
    # Saturday after its own closing time (12:00) counts from Monday.
    assert CLINIC.effective_receipt_day(london(2024, 5, 11, 12, 30)) == date(2024, 5, 13)
    # Boxing Day 2020 fell on a Saturday: a bank holiday, so no clinic.
    assert not CLINIC.is_working_day(date(2020, 12, 26))


def test_around_the_clock_working_time_is_elapsed_time_across_the_clock_change() -> None:
    saturday = london(2024, 3, 30, 12)  # the clocks go forward on Sunday 31 March
    assert CORE_LAB.working_time_between(saturday, london(2024, 3, 31, 12)) == timedelta(hours=23)
    assert CORE_LAB.add_working_hours(saturday, 24) == london(2024, 3, 31, 13)
    assert CORE_LAB.is_open(london(2024, 12, 25, 3))  # no holidays
    assert CORE_LAB.next_opening(london(2024, 12, 25, 3)) == london(2024, 12, 25, 3)
    # Working days count every day; the deadline is the end of the day (midnight).
    assert CORE_LAB.effective_receipt_day(london(2024, 3, 31, 23, 59)) == date(2024, 3, 31)
    assert CORE_LAB.add_working_days(london(2024, 3, 31, 10), 1) == london(2024, 4, 2)
    assert CORE_LAB.always_open and not CLINIC.always_open
    assert not WorkingCalendar(hours="24/7", country="GB").always_open  # bank holidays close


def test_split_shifts_that_touch_are_one_interval() -> None:
    shifts = WorkingCalendar(hours={"Mon-Fri": ["07:00-15:00", "15:00-23:00"]})
    assert shifts == WorkingCalendar(opens="07:00", closes="23:00")
    assert shifts.to_dict()["opens"] == "07:00" and "hours" not in shifts.to_dict()


def test_an_extra_working_day_without_hours_of_its_own_opens_the_first_weekdays_hours() -> None:
    calendar = WorkingCalendar(
        timezone="Europe/London",
        hours={"Mon": ["08:00-12:00"], "Wed": ["10:00-16:00"]},
        extra_working_days=[date(2024, 5, 12), date(2024, 5, 15)],  # a Sunday, a Wednesday
    )
    assert calendar.opening_hours(date(2024, 5, 12)) == (("08:00", "12:00"),)
    assert calendar.opening_hours(date(2024, 5, 15)) == (("10:00", "16:00"),)
    assert calendar.add_working_days(london(2024, 5, 12, 9), 0) == london(2024, 5, 12, 12)
    assert "on a weekday without opening hours, open 08:00-12:00" in calendar.describe()


def test_hours_written_in_any_form_make_the_same_calendar() -> None:
    simple = WorkingCalendar(opens="08:00", closes="17:00", weekdays=(0, 1, 2, 3, 4))
    for hours in (
        {"Mon-Fri": ["08:00-17:00"]},
        {"Mon-Fri": "08:00-17:00"},
        {"Mon": "08:00-17:00", "Tue-Thu": ["08:00-17:00"], "Fri": ["08:00-17:00"], "Sun": []},
    ):
        assert WorkingCalendar(hours=hours) == simple
        assert hash(WorkingCalendar(hours=hours)) == hash(simple)
    assert WorkingCalendar(hours="24/7") == WorkingCalendar(
        opens="00:00", closes="24:00", weekdays=range(7)
    )
    assert WorkingCalendar(hours={"Sat": ["13:00-14:00", "09:00-12:00"]}).hours == {
        "Sat": ["09:00-12:00", "13:00-14:00"]
    }


def test_new_shapes_round_trip_through_json_and_pickle() -> None:
    data = json.loads(json.dumps(CLINIC.to_dict()))
    assert data["hours"] == {"Mon-Fri": ["08:00-12:30", "13:30-17:00"], "Sat": ["09:00-12:00"]}
    assert not {"opens", "closes", "weekdays"} & set(data)
    assert WorkingCalendar.from_dict(data) == CLINIC
    assert pickle.loads(pickle.dumps(CLINIC)) == CLINIC
    namespace = {"WorkingCalendar": WorkingCalendar, "datetime": datetime_module}
    assert eval(repr(CLINIC), namespace) == CLINIC
    assert WorkingCalendar.from_dict({"timezone": "Europe/London", "hours": "24/7"}) == CORE_LAB
    # The derived one-interval view: the earliest opening, the latest closing, the open days.
    assert (CLINIC.opens, CLINIC.closes, CLINIC.weekdays) == ("08:00", "17:00", (0, 1, 2, 3, 4, 5))


def test_the_real_hours_in_words() -> None:
    assert CLINIC.describe_hours() == "08:00-12:30 and 13:30-17:00 Mon-Fri, 09:00-12:00 Sat"
    assert CLINIC.describe_closing() == "17:00 Mon-Fri, 12:00 Sat"
    assert ENGLAND.describe_hours() == "09:00-17:00 Mon-Fri"
    assert ENGLAND.describe_closing() == "17:00"
    odd = WorkingCalendar(
        hours={"Mon-Wed": "08:00-17:00", "Thu": "08:00-12:00", "Fri": "08:00-17:00"}
    )
    assert odd.describe_hours() == "08:00-17:00 Mon-Wed and Fri, 08:00-12:00 Thu"
    assert "open 08:00-12:30 and 13:30-17:00 Mon-Fri, 09:00-12:00 Sat (local time)" in (
        CLINIC.describe()
    )
    assert "open around the clock, every day" in CORE_LAB.describe()


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        ("9-5", r"hours: expected a mapping of weekdays to opening intervals"),
        ({}, "hours: no weekday has opening hours"),
        ({"Sun": []}, "hours: no weekday has opening hours"),
        ({"mon": ["09:00-17:00"]}, r"hours: expected weekdays as keys.* got 'mon'"),
        ({"Mon-Fri": ["09:00-17:00"], "Fri": []}, r"hours.Fri: Fri already has its hours under"),
        ({"Fri-Mon": ["09:00-17:00"]}, r"hours\['Fri-Mon'\]: a range of days runs forward"),
        ({"Sat": ["09:00-12:00", "9-5"]}, r"hours.Sat\[1\]: expected an opening interval"),
        ({"Sat": "12:00-09:00"}, r"hours.Sat: '12:00-09:00' closes before it opens"),
        ({"Sat": ["09:00-24:01"]}, r"hours.Sat\[0\]: expected a local time 'HH:MM'"),
        ({"Sat": ["24:00-24:00"]}, r"hours.Sat\[0\]: expected a local time 'HH:MM'"),
        (
            {"Mon-Fri": ["08:00-13:00", "12:30-17:00"]},
            r"hours\['Mon-Fri'\]: '08:00-13:00' and '12:30-17:00' overlap",
        ),
        ({"Sat": 9}, r"hours.Sat: expected a list of opening intervals"),
    ],
)
def test_bad_opening_hours_are_refused_naming_the_key_and_the_item(
    hours: object, message: str
) -> None:
    with pytest.raises(CalendarError, match=message):
        WorkingCalendar(hours=hours)  # type: ignore[arg-type]


def test_hours_and_opens_closes_weekdays_are_two_ways_to_say_one_thing() -> None:
    for other in ({"opens": "08:00"}, {"closes": "17:00"}, {"weekdays": [0]}):
        with pytest.raises(CalendarError, match="hours: give the opening hours either as hours"):
            WorkingCalendar(hours="24/7", **other)  # type: ignore[arg-type]
    with pytest.raises(CalendarError, match="hours: give the opening hours"):
        WorkingCalendar.from_dict({**CLINIC.to_dict(), "opens": "08:00"})


# --- refusals -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.add_working_days(datetime(2024, 5, 13, 10), 1),
        lambda c: c.add_working_hours(datetime(2024, 5, 13, 10), 1),
        lambda c: c.working_time_between(utc(2024, 5, 13), datetime(2024, 5, 14)),
        lambda c: c.effective_receipt_day(datetime(2024, 5, 13)),
        lambda c: c.next_working_day_at(datetime(2024, 5, 13)),
        lambda c: c.is_open(datetime(2024, 5, 13)),
        lambda c: c.is_working_day(datetime(2024, 5, 13)),
        lambda c: c.local(datetime(2024, 5, 13)),
    ],
)
def test_naive_datetimes_are_refused(call: object) -> None:
    with pytest.raises(CalendarError, match="must be timezone-aware"):
        call(ENGLAND)  # type: ignore[operator]


def test_dates_outside_the_data_are_refused_with_the_years_covered() -> None:
    with pytest.raises(CalendarRangeError, match="1990-2100"):
        ENGLAND.add_working_days(utc(1989, 12, 31, 23), 1)
    with pytest.raises(CalendarRangeError, match="1990-2100"):
        ENGLAND.add_working_hours(utc(2101, 1, 1), 1)
    with pytest.raises(CalendarRangeError, match="1990-2100"):
        ENGLAND.is_working_day(date(2150, 1, 1))
    with pytest.raises(CalendarRangeError, match="later last_year"):
        ENGLAND.add_working_days(utc(2100, 12, 20), 30)
    with pytest.raises(CalendarRangeError, match="later last_year"):
        ENGLAND.add_working_hours(utc(2100, 12, 20), 1000)
    with pytest.raises(CalendarRangeError, match="later last_year"):
        ENGLAND.next_working_day_at(london(2100, 12, 31, 10))
    with pytest.raises(CalendarRangeError, match="1990-2100"):
        ENGLAND.is_working_day(datetime(1, 1, 1, tzinfo=UTC))
    with pytest.raises(CalendarRangeError, match="the next opening after"):
        ENGLAND.next_opening(utc(2100, 12, 31, 18))
    # The local date decides: 23:30 UTC on 31 Dec 1989 is already 1990 in Kolkata.
    india = WorkingCalendar(timezone="Asia/Kolkata")
    assert india.effective_receipt_day(utc(1989, 12, 31, 23, 30)) == date(1990, 1, 1)
    assert issubclass(CalendarRangeError, CalendarError)
    assert issubclass(CalendarError, QSEError)


def test_a_narrow_calendar_says_which_years_it_covers() -> None:
    narrow = WorkingCalendar(country="GB", first_year=2024, last_year=2025)
    with pytest.raises(CalendarRangeError, match="2024-2025"):
        narrow.add_working_days(utc(2023, 6, 1), 1)
    assert narrow.add_working_days(utc(2025, 12, 30, 10), 1) == utc(2025, 12, 31, 17)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"timezone": "Mars/Olympus"}, "timezone: expected an IANA time zone name"),
        ({"timezone": ""}, "timezone: expected an IANA time zone name"),
        ({"timezone": "localtime"}, "timezone: expected an IANA time zone name"),
        ({"country": "XX"}, "country: expected an ISO 3166-1 alpha-2 code"),
        ({"country": "gb"}, "country: expected an ISO 3166-1 alpha-2 code"),
        ({"country": "GB", "subdivision": "XYZ"}, r"subdivision: expected a subdivision of GB"),
        ({"subdivision": "ENG"}, "subdivision: a subdivision needs a country"),
        ({"country": "GB", "subdivision": [1]}, "subdivision: expected a subdivision code"),
        ({"opens": "9:00"}, "opens: expected a local time 'HH:MM'"),
        ({"opens": "24:00"}, "opens: expected a local time 'HH:MM'"),
        ({"closes": "17:60"}, "closes: expected a local time 'HH:MM'"),
        ({"opens": "17:00", "closes": "09:00"}, r"closes: expected a time after opens \(17:00\)"),
        ({"opens": "09:00", "closes": "09:00"}, "closes: expected a time after opens"),
        ({"weekdays": [0, 7]}, "weekdays: expected weekday numbers"),
        ({"weekdays": []}, "weekdays: .* at least one"),
        ({"weekdays": [True]}, "weekdays: expected weekday numbers"),
        ({"closures": [datetime(2024, 1, 1, tzinfo=UTC)]}, r"closures\[0\]: expected a date"),
        ({"closures": ["2024-01-01"]}, r"closures\[0\]: expected a date"),
        (
            {"closures": [date(2024, 1, 2)], "extra_working_days": [date(2024, 1, 2)]},
            "extra_working_days: 2024-01-02 is also in closures",
        ),
        ({"first_year": 1800}, "first_year: expected a year from 1900"),
        ({"first_year": 2000, "last_year": 1999}, "last_year: expected a year from first_year"),
        ({"last_year": "2100"}, "last_year: expected a year as an int"),
    ],
)
def test_bad_settings_are_refused_naming_the_field(
    settings: dict[str, object], message: str
) -> None:
    with pytest.raises(CalendarError, match=message):
        WorkingCalendar(**settings)  # type: ignore[arg-type]


def test_closures_outside_the_years_are_refused() -> None:
    with pytest.raises(CalendarRangeError, match="closures: 2200-01-01 is outside"):
        WorkingCalendar(closures=[date(2200, 1, 1)])


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda c: c.add_working_days(utc(2024, 5, 13), -1), "days: expected .* >= 0"),
        (lambda c: c.add_working_days(utc(2024, 5, 13), 1.5), "days: expected a whole number"),
        (lambda c: c.add_working_days(utc(2024, 5, 13), True), "days: expected a whole number"),
        (lambda c: c.add_working_hours(utc(2024, 5, 13), -1), "hours: expected .* >= 0"),
        (lambda c: c.add_working_hours(utc(2024, 5, 13), float("nan")), "hours: expected a finite"),
        (lambda c: c.add_working_hours(utc(2024, 5, 13), "1"), "hours: expected a number"),
        (
            lambda c: c.add_working_days(utc(2024, 5, 13), 1, after_closing="later"),
            "after_closing: expected 'next_day' or 'same_day'",
        ),
        (lambda c: c.next_working_day_at(utc(2024, 5, 13), "noon"), "time_of_day: expected"),
        (lambda c: c.add_working_days(date(2024, 5, 13), 1), "start: expected a timezone-aware"),
        (lambda c: c.is_working_day("2024-05-13"), "day: expected a date"),
    ],
)
def test_bad_arguments_are_refused(call: object, message: str) -> None:
    with pytest.raises(CalendarError, match=message):
        call(ENGLAND)  # type: ignore[operator]


# --- value behaviour ------------------------------------------------------------------------------


def test_calendars_are_immutable_hashable_values() -> None:
    same = WorkingCalendar(timezone="Europe/London", country="GB", subdivision=["ENG"])
    assert same == ENGLAND and hash(same) == hash(ENGLAND)
    assert ENGLAND != ENGLAND_8_TO_5
    shuffled = ("WLS", "SCT", "NIR", "ENG", "SCT")
    assert WorkingCalendar(timezone="Europe/London", country="GB", subdivision=shuffled) == (
        UK_ANY_PART
    )
    with pytest.raises(AttributeError, match="immutable"):
        ENGLAND.opens = "08:00"  # type: ignore[misc]
    assert copy.copy(ENGLAND) is ENGLAND and copy.deepcopy(ENGLAND) is ENGLAND
    assert pickle.loads(pickle.dumps(UK_ANY_PART)) == UK_ANY_PART


def test_the_tables_a_calendar_keeps_are_not_part_of_its_value() -> None:
    used = WorkingCalendar(timezone="Europe/London", country="GB", subdivision="ENG", opens="07:00")
    assert used.is_working_day(date(2024, 5, 7))  # builds its tables and keeps them
    fresh = WorkingCalendar(
        timezone="Europe/London", country="GB", subdivision="ENG", opens="07:00"
    )
    assert fresh == used and hash(fresh) == hash(used)
    assert len(pickle.dumps(used)) < 1_000  # its settings, not its tables
    with pytest.raises(AttributeError, match="immutable; cannot delete opens"):
        del used.opens


def test_settings_round_trip_through_json() -> None:
    calendar = WorkingCalendar(
        timezone="America/New_York",
        country="US",
        subdivision="CA",
        opens="07:30",
        closes="24:00",
        weekdays=(0, 1, 2, 3, 4, 5),
        closures=[date(2024, 12, 24)],
        extra_working_days=[date(2024, 12, 29)],
        first_year=2000,
        last_year=2050,
    )
    data = json.loads(json.dumps(calendar.to_dict()))
    assert data["closures"] == ["2024-12-24"]
    assert WorkingCalendar.from_dict(data) == calendar
    assert WorkingCalendar.from_dict({}) == WorkingCalendar()
    namespace = {"WorkingCalendar": WorkingCalendar, "datetime": datetime_module}
    assert eval(repr(calendar), namespace) == calendar


def test_from_dict_names_the_bad_field() -> None:
    with pytest.raises(CalendarError, match="holiday: not a calendar setting"):
        WorkingCalendar.from_dict({"holiday": "GB"})
    with pytest.raises(CalendarError, match=r"closures\[1\]: expected an ISO date"):
        WorkingCalendar.from_dict({"closures": ["2024-01-01", "1 Jan"]})


def test_describe_shows_the_settings_and_the_holiday_data() -> None:
    text = UK_ANY_PART.describe()
    assert "Europe/London" in text and "open 09:00-17:00 Mon-Fri (local time)" in text
    assert "ENG, NIR, SCT, WLS" in text and "holidays package" in text
    assert "1990-2100" in text
    assert "GB-ENG" in ENGLAND.describe()


def test_years_narrow_to_what_the_holidays_package_covers() -> None:
    # Germany's data starts in 1991; India's lunar holidays are only known for 2001-2035.
    germany = WorkingCalendar(timezone="Europe/Berlin", country="DE", subdivision="BY")
    assert germany.years == (1991, 2100)
    with pytest.raises(CalendarRangeError, match="complete data for DE only"):
        germany.add_working_days(utc(1990, 6, 1), 1)
    india = WorkingCalendar(timezone="Asia/Kolkata", country="IN")
    assert india.years == (2001, 2035)
    with pytest.raises(CalendarRangeError, match="2001-2035"):
        india.is_working_day(date(2040, 1, 2))
    assert "2001-2035" in india.describe()
    assert india.to_dict()["first_year"] == 1990  # the settings asked for are kept
    with pytest.raises(CalendarRangeError, match="from 1991 to 2100, none in 1950-1980"):
        WorkingCalendar(country="DE", first_year=1950, last_year=1980)


def test_any_aware_datetime_is_accepted() -> None:
    import pendulum

    fixed = datetime(2024, 5, 10, 21, 30, tzinfo=timezone(timedelta(hours=5, minutes=30)))
    assert ENGLAND.add_working_hours(fixed, 1) == london(2024, 5, 13, 10)
    in_pendulum = pendulum.datetime(2024, 5, 10, 16, tz="Europe/London")
    assert ENGLAND.add_working_hours(in_pendulum, 2) == london(2024, 5, 13, 10)
    assert ENGLAND.local(utc(2024, 5, 13, 8)) == london(2024, 5, 13, 9)


@settings(max_examples=30)
@given(st.sampled_from([UK_ANY_PART, ENGLAND]), st.integers(1990, 2100))
def test_one_years_public_holidays_are_that_year_of_all_of_them(calendar, year) -> None:
    everything = calendar.public_holidays()
    assert calendar.public_holidays(year) == {
        day: name for day, name in everything.items() if day.year == year
    }


def test_the_countries_a_calendar_takes_are_those_the_holidays_package_lists() -> None:
    # Read from the holidays registry without importing every country's module; it must be
    # exactly the documented list, aliases included.
    from qse_customer.core.calendar._settings import supported_countries

    listed = holidays.list_supported_countries()
    assert supported_countries() == frozenset(listed)
    assert {"GB", "UK", "GBR", "US", "USA"} <= supported_countries()
    assert not {"gb", "ECB", "NYSE", ""} & supported_countries()
