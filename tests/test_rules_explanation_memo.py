"""A finding's evidence and message made with the engine's memos and shortcuts (wall clocks
learnt per hour, ``response_time``'s words remembered per day of receipt (or weekday) and per
language, its start's words per start event, the calendar's public holidays per year,
deadlines' ISO texts per instant, its events' from their epoch microseconds, its first
deadline taken from the clock's facts, evidence built frozen with ``FrozenValues`` from parts
made once) equal those made the plain way (every instant through a datetime, every ``why
then`` from the calendar's public methods, every deadline counted and written again, the
evidence made afresh and deep-copied by ``freeze``, a freshly compiled ruleset), byte for byte
(the evidence's ``repr``), in English and in French, for random records through the shipped
rulesets on two labs' calendars."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import qse_customer as qse
from qse_customer.core._frozen_json import thaw
from qse_customer.core.enquiry import Enquiry
from qse_customer.core.events import Event
from qse_customer.core.roles import Actor, Role
from qse_customer.core.timestamps import from_us
from qse_customer.core.translation import translator
from qse_customer.core.vocabulary import Channel
from qse_customer.rules import (
    Status,
    compile_ruleset,
    recorded_details,
    required_step,
    response_time,
    responsibility,
)
from qse_customer.rules.kind_protocol import Env, _local_wall_clock, _wall_clock
from qse_customer.rules.response_time import _around, _Clock
from qse_customer.testing.strategies import aware_datetimes, complaints, enquiries, records

pytest.importorskip("babel")

LABS = {
    "london": qse.WorkingCalendar(
        timezone="Europe/London", country="GB", subdivision="ENG", opens="08:00", closes="17:00"
    ),
    "lord-howe": qse.WorkingCalendar(
        timezone="Australia/Lord_Howe",
        hours={"Mon-Fri": ["08:00-12:30", "13:30-17:00"], "Sat": ["09:00-12:00"]},
    ),
}
SHIPPED = ("qse2-responsibility", "customer-service-standards")
COMPILED = {
    (name, lab): compile_ruleset(name, calendar=LABS[lab]) for name in SHIPPED for lab in LABS
}
FRENCH = translator("fr")
EVERY = tuple(Status)
moments = st.one_of(
    st.just(datetime(2100, 1, 1, tzinfo=UTC)),
    aware_datetimes(datetime(2000, 1, 1), datetime(2095, 1, 1)),
)


# Three weeks around London's and Lord Howe's clock changes and Easter 2026 (Good Friday 3 April,
# Easter Monday 6 April): many records share a day of receipt, so the memos are read often.
DENSE_START = datetime(2026, 3, 23, tzinfo=UTC)
DENSE_AT = datetime(2026, 4, 20, tzinfo=UTC)
STAFF = Actor(id="tech-1", name="Tara Tech", role=Role.TECHNOLOGIST)
FOLLOWING = (
    "retrieved",
    "responded",
    "progress_update",
    "timeframe_advised",
    "awaiting_customer",
    "customer_replied",
    "acknowledged",
    "posted",
)

# The channels of the clock rules (the 'voicemail' ones count working hours), most often.
CHANNELS = (Channel.VOICEMAIL, Channel.VOICEMAIL, Channel.TELEPHONE, Channel.LETTER, Channel.EMAIL)


@st.composite
def dense_enquiries(draw: st.DrawFn) -> Enquiry:
    """An enquiry received in the three weeks, with a few steps after it, minutes apart."""
    at = DENSE_START + timedelta(minutes=draw(st.integers(0, 21 * 24 * 60)))
    events = [Event("received", at, STAFF)]
    for kind, minutes in draw(
        st.lists(st.tuples(st.sampled_from(FOLLOWING), st.integers(1, 4 * 24 * 60)), max_size=4)
    ):
        at += timedelta(minutes=minutes)
        events.append(Event(kind, at, draw(st.none() | st.just(STAFF))))
    return Enquiry(
        id=f"E-{draw(st.integers(0, 10**6))}",
        events=tuple(events),
        channel=draw(st.sampled_from(CHANNELS) | st.sampled_from(Channel)),
        clinical=draw(st.booleans()),
        complex=draw(st.booleans()),
        freedom_of_information=draw(st.booleans()),
    )


def _show(self: Env, instant: int) -> str:
    local = from_us(instant).astimezone(self.zone)
    return _wall_clock(local) if self.t.is_source else _local_wall_clock(local, self.t)


def _show_at(self: Env, event: Event) -> str:
    local = event.at.astimezone(self.zone)
    return _wall_clock(local) if self.t.is_source else _local_wall_clock(local, self.t)


def deep_frozen(value: Any) -> bool:
    """Whether every mapping inside is read-only and every sequence a tuple."""
    if isinstance(value, Mapping):
        return type(value) is MappingProxyType and all(map(deep_frozen, value.values()))
    if isinstance(value, list | tuple):
        return type(value) is tuple and all(map(deep_frozen, value))
    return True


def explained(compiled: Any, batch: list[Any], at: datetime) -> list[tuple[Any, ...]]:
    report = compiled.check(batch, at=at, keep=EVERY, max_findings=10**6)
    found = [
        (
            f.rule_id,
            f.record_id,
            f.message,
            f.message.in_locale(FRENCH),
            thaw(f.evidence),
            repr(f.evidence),
        )
        for f in report.findings
    ]
    assert all(deep_frozen(f.evidence) for f in report.findings)
    return found


def _plain_head(self: _Clock) -> dict[str, Any]:
    """The head of a clock's evidence made again for each finding, as plain JSON."""
    head: dict[str, Any] = {
        "limit": self.limit.to_dict(),
        "measure": self.limit.measure,
        "calendar": self.params.get("calendar") or "the lab's",
    }
    if "started_within" in self.params:
        head["started_within"] = {
            key: from_us(value).isoformat()
            for key, value in (("from", self.window_from), ("until", self.window_until))
            if value is not None
        }
    return head


def _plain_started_words(self: _Clock, noun: str, kind: str, t: Any) -> tuple[str, str]:
    """The start's words around its instant, made again for each finding."""
    text = t.gettext("the clock started {how} on {when}")
    return _around(text, "when", how=response_time._started(noun, kind, t))


def plain(name: str, lab: str, batch: list[Any], at: datetime) -> list[tuple[Any, ...]]:
    """The findings explained without any memo or shortcut: every deadline counted again, every
    piece of evidence made afresh and deep-copied by ``freeze`` (no ``FrozenValues``)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Env, "show", _show)
        patch.setattr(Env, "show_at", _show_at)
        patch.setattr(_Clock, "_why_then", _Clock._why_then_words)
        patch.setattr(_Clock, "_holidays", lambda self, year: self.calendar.public_holidays(year))
        patch.setattr(_Clock, "_first_deadline", lambda self, start, facts: self._deadline(start))
        patch.setattr(_Clock, "_head", _plain_head)
        patch.setattr(_Clock, "_started_words", _plain_started_words)
        patch.setattr(response_time, "_iso", lambda instant: from_us(instant).isoformat())
        patch.setattr(response_time, "utc_iso", lambda at, instant: at.isoformat())
        patch.setattr(
            responsibility,
            "_actor_evidence",
            lambda actor: {"id": actor.id, "name": actor.name, "role": actor.role.value},
        )
        for module in (response_time, responsibility, required_step, recorded_details):
            patch.setattr(module, "FrozenValues", dict)
        return explained(compile_ruleset(name, calendar=LABS[lab]), batch, at)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.one_of(enquiries(), complaints(), records()), min_size=1, max_size=8),
    moments,
    st.sampled_from(sorted(COMPILED)),
)
def test_memos_explain_as_the_plain_way(batch, at, which):
    name, lab = which
    assert explained(COMPILED[which], batch, at) == plain(name, lab, batch, at)


@settings(max_examples=25, deadline=None)
@given(st.lists(dense_enquiries(), min_size=10, max_size=40), st.sampled_from(sorted(LABS)))
def test_memos_explain_as_the_plain_way_on_shared_days(batch, lab):
    compiled = COMPILED["customer-service-standards", lab]
    assert explained(compiled, batch, DENSE_AT) == plain(
        "customer-service-standards", lab, batch, DENSE_AT
    )


@settings(max_examples=15, deadline=None)
@given(st.lists(enquiries(), min_size=1, max_size=6), moments)
def test_an_explanation_read_twice_reads_alike(batch, at):
    # The memos are learnt on the first reading; the second reads from them.
    compiled = compile_ruleset("customer-service-standards", calendar=LABS["london"])
    assert explained(compiled, batch, at) == explained(compiled, batch, at)


@st.composite
def letters_in_opening_hours(draw: st.DrawFn) -> Enquiry:
    """A letter or e-mail received at a local hour around opening hours (06:00-18:59) on one of
    the three weeks' days, Saturdays as often as any other day, in Lord Howe's time (its
    Saturdays close at 12:00, its weekdays at 17:00)."""
    local = datetime.combine(
        DENSE_START.date() + timedelta(days=draw(st.integers(0, 20))),
        datetime.min.time(),
        tzinfo=ZoneInfo("Australia/Lord_Howe"),
    ) + timedelta(minutes=draw(st.integers(6 * 60, 19 * 60 - 1)))
    return Enquiry(
        id=f"L-{draw(st.integers(0, 10**6))}",
        events=(Event("received", local.astimezone(UTC), STAFF),),
        channel=draw(st.sampled_from((Channel.LETTER, Channel.EMAIL))),
        clinical=draw(st.booleans()),
    )


@settings(max_examples=25, deadline=None)
@given(st.lists(letters_in_opening_hours(), min_size=5, max_size=30), st.sampled_from(sorted(LABS)))
def test_memos_explain_as_the_plain_way_on_each_weekday(batch, lab):
    # A working day counted from the day of receipt is remembered by its weekday only: a
    # Saturday's words (closing at 12:00 in Lord Howe) are not a weekday's.
    compiled = COMPILED["customer-service-standards", lab]
    assert explained(compiled, batch, DENSE_AT) == plain(
        "customer-service-standards", lab, batch, DENSE_AT
    )


HOLIDAYS = sorted(day for year in range(2024, 2029) for day in LABS["london"].public_holidays(year))


@st.composite
def letters_around_holidays(draw: st.DrawFn) -> Enquiry:
    """A letter or e-mail received in London on a public holiday of 2024-2028 or a day next to
    one, at any hour."""
    day = draw(st.sampled_from(HOLIDAYS)) + timedelta(days=draw(st.integers(-1, 1)))
    local = datetime.combine(day, datetime.min.time(), tzinfo=ZoneInfo("Europe/London"))
    local += timedelta(minutes=draw(st.integers(0, 24 * 60 - 1)))
    return Enquiry(
        id=f"H-{draw(st.integers(0, 10**6))}",
        events=(Event("received", local.astimezone(UTC), STAFF),),
        channel=draw(st.sampled_from((Channel.LETTER, Channel.EMAIL, Channel.VOICEMAIL))),
        clinical=draw(st.booleans()),
    )


@settings(max_examples=25, deadline=None)
@given(st.lists(letters_around_holidays(), min_size=5, max_size=30))
def test_memos_explain_as_the_plain_way_around_holidays(batch):
    # Each year's public holidays are asked of the calendar once: a holiday's note names it.
    at = datetime(2029, 1, 1, tzinfo=UTC)
    compiled = COMPILED["customer-service-standards", "london"]
    assert explained(compiled, batch, at) == plain(
        "customer-service-standards", "london", batch, at
    )
