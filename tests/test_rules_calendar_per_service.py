"""A calendar per service in one ruleset: the switchboard, the phlebotomy clinic and the laboratory
keep different hours, and a rule's calendar is named or chosen by a field of the record."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import qse_customer as qse
from qse_customer.core.errors import ValidationError
from qse_customer.rules import Status, evaluate, load_ruleset

LONDON = ZoneInfo("Europe/London")
TECH = qse.Actor("t-1", "Tara Tech", qse.Role.TECHNOLOGIST)
LAB = qse.WorkingCalendar(
    timezone="Europe/London", country="GB", subdivision="ENG", opens="08:00", closes="17:00"
)
CALENDARS = {
    "switchboard": {
        "timezone": "Europe/London",
        "country": "GB",
        "subdivision": "ENG",
        "hours": {"Mon-Fri": ["08:00-18:00"], "Sat": ["09:00-12:00"]},
    },
    "phlebotomy": {
        "timezone": "Europe/London",
        "country": "GB",
        "subdivision": "ENG",
        "hours": {"Mon-Fri": ["07:30-12:30", "13:30-16:00"]},
    },
    "laboratory": {"timezone": "Europe/London", "hours": "24/7"},
}
BY_SITE = {
    "by": "site",
    "calendars": {"phlebotomy": "phlebotomy", "core-lab": "laboratory"},
    "otherwise": "switchboard",
}
SITES = ("phlebotomy", "core-lab", "reception", None)


def calendar(name: str | None) -> qse.WorkingCalendar:
    return LAB if name is None else qse.WorkingCalendar.from_dict(CALENDARS[name])


def rule(params: dict[str, object], **changes: object) -> dict[str, object]:
    return {
        "id": "ANSWER",
        "title": "Enquiries answered within 2 working hours of the service that received them",
        "kind": "response_time",
        "source": {"document": "003_1901d489df2c6a2b.txt", "section": "3.1"},
        "applies_to": {"record_type": "enquiry"},
        "params": params,
        **changes,
    }


def ruleset(*rules: dict[str, object]) -> qse.Ruleset:
    return load_ruleset(
        {"name": "services", "version": "1", "calendars": CALENDARS, "rules": list(rules)}
    )


CLOCK = {"start": ["received"], "stop": ["responded"], "limit": {"working_hours": 2}}


def enquiry(received: datetime, site: str | None, channel: str = "telephone") -> qse.Enquiry:
    return qse.Enquiry.receive(id="E-1", at=received, by=TECH, channel=channel, site=site)


def problems(*rules: dict[str, object]) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        ruleset(*rules)
    return {error.path: error.message for error in caught.value.errors}


# --- the deadline is the chosen service's ---------------------------------------------------------


def test_each_site_is_judged_on_its_own_services_hours() -> None:
    rules = ruleset(rule({**CLOCK, "calendar": BY_SITE}))
    friday = datetime(2024, 5, 10, 15, tzinfo=LONDON)  # Friday 15:00
    at = datetime(2024, 5, 20, tzinfo=LONDON)
    due = {
        site: next(evaluate([enquiry(friday, site)], rules, calendar=LAB, at=at)).due_at
        for site in SITES
    }
    assert due["phlebotomy"] == datetime(2024, 5, 13, 8, 30, tzinfo=LONDON)  # 1 h Fri, 1 h Mon
    assert due["core-lab"] == datetime(2024, 5, 10, 17, tzinfo=LONDON)  # around the clock
    assert due["reception"] == datetime(2024, 5, 10, 17, tzinfo=LONDON)  # switchboard to 18:00
    assert due[None] == due["reception"]  # no site: otherwise


def test_without_otherwise_an_unlisted_site_uses_the_callers_calendar() -> None:
    choice = {"by": "site", "calendars": {"core-lab": "laboratory"}}
    rules = ruleset(rule({**CLOCK, "calendar": choice}))
    friday_evening = datetime(2024, 5, 10, 16, 30, tzinfo=LONDON)
    at = friday_evening
    (found,) = evaluate([enquiry(friday_evening, "reception")], rules, calendar=LAB, at=at)
    assert found.due_at == LAB.add_working_hours(friday_evening, 2)
    assert found.evidence["calendar"] == "the lab's"


def test_a_telephone_enquiry_on_the_switchboards_saturday_morning() -> None:
    by_channel = {"by": "channel", "calendars": {"telephone": "switchboard"}}
    rules = ruleset(rule({**CLOCK, "calendar": by_channel}))
    saturday = datetime(2024, 5, 11, 10, tzinfo=LONDON)
    (call,) = evaluate([enquiry(saturday, None)], rules, calendar=LAB, at=saturday)
    (letter,) = evaluate([enquiry(saturday, None, "letter")], rules, calendar=LAB, at=saturday)
    assert call.due_at == datetime(2024, 5, 11, 12, tzinfo=LONDON)  # closing time on Saturday
    assert letter.due_at == datetime(2024, 5, 13, 10, tzinfo=LONDON)  # the lab's 08:00-17:00


@settings(max_examples=60)
@given(
    received=st.datetimes(datetime(2015, 1, 1), datetime(2035, 1, 1), timezones=st.just(LONDON)),
    site=st.sampled_from(SITES),
    hours=st.integers(0, 40),
    answered_after=st.integers(0, 14 * 24 * 3600),
)
def test_a_choice_of_calendars_gives_the_chosen_calendars_deadline_and_status(
    received: datetime, site: str | None, hours: int, answered_after: int
) -> None:
    params = {**CLOCK, "limit": {"working_hours": hours}, "calendar": BY_SITE}
    rules = ruleset(rule(params))
    chosen = {"phlebotomy": "phlebotomy", "core-lab": "laboratory"}.get(site or "", "switchboard")
    expected = calendar(chosen).add_working_hours(received, hours)
    answered = received.astimezone(UTC) + timedelta(seconds=answered_after)
    record = enquiry(received, site).add("responded", at=answered, by=TECH)
    (found,) = evaluate([record], rules, calendar=LAB, at=answered)
    assert found.due_at == expected
    assert found.status == (Status.MET if answered <= expected else Status.BREACHED)
    assert found.evidence["calendar"] == chosen
    # The same rule with the calendar named outright gives the same finding.
    named = ruleset(rule({**params, "calendar": chosen}))
    assert list(evaluate([record], named, calendar=LAB, at=answered)) == [found]


def test_required_step_deadlines_follow_the_chosen_calendar() -> None:
    step = {
        "id": "ACK",
        "title": "Acknowledged within 1 working day",
        "kind": "required_step",
        "source": {"document": "003_1901d489df2c6a2b.txt", "section": "3.3"},
        "applies_to": {"record_type": "enquiry"},
        "params": {
            "when": ["received"],
            "requires": ["acknowledged"],
            "within": {"working_days": 1},
            "calendar": BY_SITE,
        },
    }
    rules = ruleset(step)
    friday = datetime(2024, 5, 10, 17, 30, tzinfo=LONDON)  # after phlebotomy's closing
    at = datetime(2024, 6, 1, tzinfo=LONDON)
    (lab,) = evaluate([enquiry(friday, "core-lab")], rules, calendar=LAB, at=at)
    (phlebotomy,) = evaluate([enquiry(friday, "phlebotomy")], rules, calendar=LAB, at=at)
    (switchboard,) = evaluate([enquiry(friday, "reception")], rules, calendar=LAB, at=at)
    assert lab.due_at == datetime(2024, 5, 12, tzinfo=LONDON)  # the end of Saturday
    assert phlebotomy.due_at == datetime(2024, 5, 14, 16, tzinfo=LONDON)  # Mon is day 0
    # The switchboard is open until 18:00: Friday is day 0, Saturday (closing at 12:00) day 1.
    assert switchboard.due_at == datetime(2024, 5, 11, 12, tzinfo=LONDON)


# --- explanations describe the real hours ---------------------------------------------------------


def test_the_explanation_names_the_chosen_calendar_and_its_hours() -> None:
    rules = ruleset(rule({**CLOCK, "calendar": BY_SITE}))
    lunch = datetime(2024, 5, 13, 12, 45, tzinfo=LONDON)
    (found,) = evaluate([enquiry(lunch, "phlebotomy")], rules, calendar=LAB, at=lunch)
    assert found.evidence["calendar"] == "phlebotomy"
    assert "outside opening hours (07:30-12:30 and 13:30-16:00 Mon-Fri)" in found.message
    assert "started at the next opening, Mon 13 May 2024 13:30 BST" in found.message


def test_working_days_explanations_give_the_closing_time_of_each_day() -> None:
    days = {"start": ["received"], "stop": ["responded"], "limit": {"working_days": 1}}
    rules = ruleset(rule({**days, "calendar": "switchboard"}))
    saturday = datetime(2024, 5, 11, 12, 30, tzinfo=LONDON)
    (found,) = evaluate([enquiry(saturday, None)], rules, calendar=LAB, at=saturday)
    assert "after closing time (12:00), so the day of receipt is the next working day" in (
        found.message
    )
    assert "closing time (18:00 Mon-Fri, 12:00 Sat) on the 1st working day after" in found.message
    friday = datetime(2024, 5, 10, 10, tzinfo=LONDON)
    (found,) = evaluate([enquiry(friday, None)], rules, calendar=LAB, at=friday)
    assert "a working day before closing time (18:00): the day of receipt" in found.message


def test_out_of_hours_condition_describes_the_services_hours() -> None:
    params = {**CLOCK, "start_condition": "in_hours", "calendar": "phlebotomy"}
    rules = ruleset(rule(params))
    evening = datetime(2024, 5, 13, 19, tzinfo=LONDON)
    (found,) = evaluate([enquiry(evening, None)], rules, calendar=LAB, at=evening)
    assert found.status == Status.NOT_APPLICABLE
    assert "outside opening hours (07:30-12:30 and 13:30-16:00 Mon-Fri)" in found.message


# --- validation with JSON paths -------------------------------------------------------------------


def test_a_choice_naming_an_unknown_calendar_is_refused_with_its_path() -> None:
    choice = {"by": "site", "calendars": {"core-lab": "lab"}, "otherwise": "front-desk"}
    found = problems(rule({**CLOCK, "calendar": choice}))
    assert "no calendar 'lab'" in found["$.rules[0].params.calendar.calendars['core-lab']"]
    assert "no calendar 'front-desk'" in found["$.rules[0].params.calendar.otherwise"]


def test_a_choice_by_a_field_the_record_type_lacks_is_refused() -> None:
    choice = {"by": "ward", "calendars": {"A": "laboratory"}}
    found = problems(rule({**CLOCK, "calendar": choice}))
    assert "an enquiry has no field 'ward'" in found["$.rules[0].params.calendar.by"]


def test_a_choice_by_a_value_the_field_cannot_hold_is_refused() -> None:
    choice = {"by": "channel", "calendars": {"fax": "switchboard"}}
    found = problems(rule({**CLOCK, "calendar": choice}))
    assert (
        "'fax' cannot be an enquiry's channel" in found["$.rules[0].params.calendar.calendars.fax"]
    )


def test_a_choice_must_say_what_it_chooses_by() -> None:
    found = problems(rule({**CLOCK, "calendar": {"calendars": {"A": "laboratory"}}}))
    assert "$.rules[0].params.calendar" in found


def test_a_service_calendar_with_bad_hours_is_refused_at_its_setting() -> None:
    bad = {**CALENDARS, "phlebotomy": {"hours": {"Mon-Fri": ["07:30-12:30", "12:00-16:00"]}}}
    with pytest.raises(ValidationError) as caught:
        load_ruleset({"name": "services", "version": "1", "calendars": bad, "rules": []})
    (error,) = caught.value.errors
    assert error.path == "$.calendars.phlebotomy.hours['Mon-Fri']"
    assert "'07:30-12:30' and '12:00-16:00' overlap" in error.message
    bad = {"core-lab": {"hours": {"Sat": ["09:00-noon"]}}}
    with pytest.raises(ValidationError) as caught:
        load_ruleset({"name": "services", "version": "1", "calendars": bad, "rules": []})
    (error,) = caught.value.errors
    assert error.path == "$.calendars['core-lab'].hours.Sat[0]"
    assert "is not an opening interval 'HH:MM-HH:MM'" in error.message


def test_service_calendars_round_trip_through_the_ruleset() -> None:
    rules = ruleset(rule({**CLOCK, "calendar": BY_SITE}))
    again = load_ruleset(rules.to_dict())
    assert again.to_dict() == rules.to_dict()
    for name, settings_ in rules.calendars.items():
        built = qse.WorkingCalendar.from_dict(dict(settings_))
        assert qse.WorkingCalendar.from_dict(built.to_dict()) == built == calendar(name)
