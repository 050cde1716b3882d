"""pendulum is a run-time dependency, so every public function that takes a datetime takes a
pendulum ``DateTime`` too and gives the same result (issue 13's bug: ``qse.check(...,
at=pendulum.datetime(2026, 6, 30, 12, tz="UTC"))`` crashed with an AttributeError inside
pendulum). Each function is called twice on the same instant, once with a standard datetime and
once with pendulum's, and the results must be equal, with no pendulum value leaking into a
record."""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pendulum
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import qse_customer as qse

ZONES = ("UTC", "Europe/London", "America/New_York", "Asia/Kolkata")
CAL = qse.WorkingCalendar(
    timezone="Europe/London",
    country="GB",
    subdivision="ENG",
    opens="08:00",
    closes="17:00",
    first_year=2019,
    last_year=2031,
)
TECH = qse.Actor("t-1", "Tara Tech", qse.Role.TECHNOLOGIST)
QM = qse.Actor("q-1", "Quinn Manager", qse.Role.QUALITY_MANAGER)
BEFORE = timedelta(days=12)
"""How long before the instant under test the sample records begin."""


def records(moment: datetime) -> list[qse.Record]:
    """A few records that happened before ``moment`` (built from a standard datetime)."""
    start = moment - BEFORE
    return [
        qse.Complaint.receive(
            id="C-1", at=start, by=TECH, channel="email", category="delay", customer_group="GPs"
        ).add("acknowledged", at=start + timedelta(hours=30), by=QM),
        qse.Complaint.receive(
            id="C-2", at=start + timedelta(days=1), by=TECH, channel="letter", category="delay"
        ),
        qse.Enquiry.receive(id="E-1", at=start, by=TECH, channel="telephone").add(
            "responded", at=start + timedelta(days=3), by=TECH
        ),
    ]


def plain(moment: datetime) -> datetime:
    return moment


def pendulum_of(moment: datetime) -> pendulum.DateTime:
    """The same instant as a pendulum DateTime in the same zone."""
    zone = getattr(moment.tzinfo, "key", "UTC")
    return pendulum.from_timestamp(moment.timestamp(), tz=zone)


def store_with(moment: datetime) -> qse.stores.MemoryStore:
    store = qse.stores.MemoryStore()
    store.save_many(records(moment))
    return store


def survey_backend() -> qse.survey_backends.SurveyBackend:
    folder = Path(tempfile.gettempdir()) / f"qse-pendulum-{uuid.uuid4().hex}"
    return qse.survey_backends.open_survey_backend("file", folder=folder)


def survey(moment: datetime) -> qse.Survey:
    return qse.Survey.create(
        id="S-1",
        at=moment - BEFORE,
        by=QM,
        title="Clinicians",
        audience="external",
        instrument="csat",
    ).add("approved", at=moment - BEFORE, by=QM)


Call = Callable[[datetime, Callable[[datetime], datetime]], Any]
"""Calls a public function at ``moment``, passing ``as_(moment)`` where it takes a datetime."""

STAT_60 = {"test": "troponin", "priority": "stat", "turnaround_minutes": 60}
STAT_45 = {"test": "troponin", "priority": "stat", "turnaround_minutes": 45}


def amended_contract(t: datetime) -> qse.Contract:
    """A contract entered before ``t`` and amended at ``t`` (STAT 60 -> 45 minutes)."""
    return qse.Contract.enter(id="K", at=t - BEFORE, by=QM, client="W", services=[STAT_60]).amend(
        at=t, by=QM, effective_from=t, services=[STAT_45]
    )


def stamped_by(store: qse.Store, t: datetime, as_: Callable[[datetime], datetime]) -> object:
    """What a store whose clock reads ``as_(t)`` stamps on a new record's events."""
    store.clock = lambda: as_(t)  # type: ignore[attr-defined]
    with store:
        store.save(records(t)[0])
        return [e.recorded_at for e in store.load(qse.Complaint, "C-1").events]


def fed(checking: Any, t: datetime) -> Any:
    """The report of ``checking`` fed the records of ``t`` in two batches."""
    held = records(t)
    checking.feed(held[:1])
    checking.feed(held[1:])
    return checking.report()


def entered_at(t: datetime, as_: Callable[[datetime], datetime]) -> object:
    """What a store stamps on records entered as of ``as_(t)`` (and a day later)."""
    with qse.stores.SQLiteStore(":memory:") as store:
        first, *_ = records(t)
        store.save_as_entered(
            [(as_(t), first.evolve(events=first.events[:1])), (as_(t + BEFORE), first)]
        )
        return [e.recorded_at for e in store.load(qse.Complaint, "C-1").events]


CALLS: dict[str, Call] = {
    # records and events
    "Event": lambda t, as_: qse.Event("received", as_(t), TECH),
    "FollowUp": lambda t, as_: qse.FollowUp("C-1", "open", as_(t), (("acknowledged", as_(t)),)),
    "Complaint.receive": lambda t, as_: qse.Complaint.receive(
        id="C", at=as_(t), by=TECH, channel="email", category="x"
    ),
    "Enquiry.receive": lambda t, as_: qse.Enquiry.receive(
        id="E", at=as_(t), by=TECH, channel="email"
    ),
    "Contract.enter": lambda t, as_: qse.Contract.enter(id="K", at=as_(t), by=QM, client="W"),
    "Contract.amend": lambda t, as_: qse.Contract.enter(
        id="K", at=t - BEFORE, by=QM, client="W", services=[STAT_60]
    ).amend(at=as_(t), by=QM, effective_from=as_(t), services=[STAT_45]),
    "Contract.terms_at": lambda t, as_: amended_contract(t).terms_at(
        as_(t + timedelta(hours=1)), known_at=as_(t + timedelta(hours=1))
    ),
    "contract_rules": lambda t, as_: qse.contract_rules(amended_contract(t), at=as_(t)).to_dict(),
    "MemoryStore": lambda t, as_: stamped_by(qse.stores.MemoryStore(), t, as_),
    "SQLiteStore": lambda t, as_: stamped_by(qse.stores.SQLiteStore(":memory:"), t, as_),
    "Customer.identify": lambda t, as_: qse.Customer.identify(
        id="U", at=as_(t), by=QM, name="Ward 7", kind="internal", category="ward"
    ),
    "Customer.identify_need": lambda t, as_: qse.Customer.identify(
        id="U", at=t - BEFORE, by=QM, name="Ward 7", kind="internal", category="ward"
    ).identify_need("results by noon", at=as_(t), by=QM),
    "Survey.create": lambda t, as_: qse.Survey.create(
        id="S", at=as_(t), by=QM, title="t", audience="external", instrument="csat"
    ),
    "SurveyResponse.submit": lambda t, as_: qse.SurveyResponse.submit(
        id="R", at=as_(t), survey_id="S", instrument="csat", answers={"overall": 4}
    ),
    "anonymous_response": lambda t, as_: qse.analysis.anonymous_response(
        id="R", at=as_(t), survey_id="S", instrument="csat", answers={"overall": 4}
    ),
    "Referral.open": lambda t, as_: qse.Referral.open(
        id="F", at=as_(t), by=QM, title="fix it", due_at=as_(t + BEFORE)
    ),
    "TestRequest.receive": lambda t, as_: qse.TestRequest.receive(
        id="T", at=as_(t), by=TECH, test="K", priority="stat"
    ),
    "Measurement.record": lambda t, as_: qse.Measurement.record(
        id="M", at=as_(t), by=None, measure="telephone_rings", value=2, unit="rings"
    ),
    "Record.add": lambda t, as_: records(t)[1].add("acknowledged", at=as_(t), by=QM),
    "Record.as_known_at": lambda t, as_: records(t)[1].as_known_at(as_(t - BEFORE / 2)),
    "Need": lambda t, as_: qse.Need("x", "y", qse.NeedSource.SURVEY, as_(t), as_(t)),
    "Notification": lambda t, as_: qse.notifiers.Notification(
        "breached", "complaint", "C-1", as_(t), due_at=as_(t)
    ),
    "Notification.complaint_received": lambda t, as_: qse.notifiers.Notification.complaint_received(
        records(t)[0], at=as_(t)
    ),
    "Finding": lambda t, as_: qse.Finding("R", "C-1", "met", as_(t), {}, "m", "s"),
    "Referral": lambda t, as_: qse.Referral(
        id="F",
        events=(qse.Event("opened", t, QM),),
        title="fix it",
        due_at=as_(t + BEFORE),
    ),
    "Report": lambda t, as_: qse.Report(
        ruleset="r",
        ruleset_version="1",
        at=as_(t),
        period="month",
        timezone="UTC",
        calendar={},
        records=0,
        rules=(),
        findings=(),
        kept=(),
    ),
    # the working calendar
    "WorkingCalendar.add_working_days": lambda t, as_: CAL.add_working_days(as_(t), 3),
    "WorkingCalendar.add_working_hours": lambda t, as_: CAL.add_working_hours(as_(t), 5.5),
    "WorkingCalendar.effective_receipt_day": lambda t, as_: CAL.effective_receipt_day(as_(t)),
    "WorkingCalendar.is_open": lambda t, as_: CAL.is_open(as_(t)),
    "WorkingCalendar.is_working_day": lambda t, as_: CAL.is_working_day(as_(t)),
    "WorkingCalendar.local": lambda t, as_: CAL.local(as_(t)),
    "WorkingCalendar.next_opening": lambda t, as_: CAL.next_opening(as_(t)),
    "WorkingCalendar.next_working_day_at": lambda t, as_: CAL.next_working_day_at(as_(t), "12:00"),
    "WorkingCalendar.working_time_between": lambda t, as_: CAL.working_time_between(
        as_(t - BEFORE), as_(t)
    ),
    # rules, reports and the review
    "check": lambda t, as_: qse.check(
        records(t), "customer-service-standards", calendar=CAL, at=as_(t)
    ),
    "evaluate": lambda t, as_: list(
        qse.evaluate(records(t), "qse2-responsibility", calendar=CAL, at=as_(t))
    ),
    "CompiledRuleset.check": lambda t, as_: qse.compile_ruleset(
        "complaints-handling", calendar=CAL
    ).check(records(t), at=as_(t)),
    "referrals_from": lambda t, as_: qse.review.referrals_from(
        qse.check(records(t), MONTHLY, calendar=CAL, at=t), MONTHLY, calendar=CAL, at=as_(t)
    ),
    "notify_due": lambda t, as_: (
        qse.notifiers.notify_due(
            store_with(t), "customer-service-standards", calendar=CAL, at=as_(t)
        ).delivered
    ),
    "management_review": lambda t, as_: qse.review.management_review(
        records(t),
        rulesets=["customer-service-standards"],
        calendar=CAL,
        start=as_(t - BEFORE - timedelta(days=1)),
        end=as_(t),
        at=as_(t),
        recurrence_window=timedelta(days=30) if as_ is plain else pendulum.duration(days=30),
    ),
    "count_complaints": lambda t, as_: qse.analysis.count_complaints(
        records(t)[:2], start=as_(t - BEFORE - timedelta(days=1)), end=as_(t)
    ),
    "pareto": lambda t, as_: qse.analysis.pareto(
        records(t)[:2], start=as_(t - BEFORE - timedelta(days=1)), end=as_(t)
    ),
    "detect_recurrences": lambda t, as_: qse.analysis.detect_recurrences(
        records(t)[:2],
        threshold=1,
        window=timedelta(days=5) if as_ is plain else pendulum.duration(days=5),
        by=("category",),
    ),
    "customer_focus": lambda t, as_: focus_at(t, as_),
    "CustomerFocus": lambda t, as_: focus_at(t, as_),
    "CompiledVersions.check_from": lambda t, as_: qse.compile_ruleset(
        versions_around(t), calendar=CAL
    ).check_from(lambda: records(t), at=as_(t)),
    "Finding.explained_later": lambda t, as_: qse.rules.Finding.explained_later(
        lambda: ({}, "m"),
        rule_id="R",
        record_id="x",
        status=qse.rules.Status.MET,
        due_at=as_(t),
        source="s",
        record_type=None,
        ruleset="",
        ruleset_version="",
        severity="medium",
        period=None,
        elapsed=None,
        measure=None,
    ),
    "CompiledRuleset.checking": lambda t, as_: fed(
        qse.compile_ruleset("customer-service-standards", calendar=CAL).checking(at=as_(t)), t
    ),
    "CompiledVersions.checking": lambda t, as_: fed(
        qse.compile_ruleset(versions_around(t), calendar=CAL).checking(at=as_(t)), t
    ),
    "CompiledVersions.evaluate_from": lambda t, as_: list(
        qse.compile_ruleset(versions_around(t), calendar=CAL).evaluate_from(
            lambda: records(t), at=as_(t)
        )
    ),
    "notification_for": lambda t, as_: qse.notifiers.notification_for(finding(t), at=as_(t)),
    "send": lambda t, as_: (
        qse.notifiers.send(
            store_with(t), [qse.notifiers.notification_for(finding(t), at=t)], at=as_(t)
        ).delivered
    ),
    # stores and backends
    "Store.list": lambda t, as_: (
        store_with(t).list("complaint", since=as_(t - BEFORE), until=as_(t)).items
    ),
    "Store.mark_delivered": lambda t, as_: mark_delivered(t, as_),
    "SurveyBackend.distribute": lambda t, as_: [
        attrs.evolve(invitation, token="")  # tokens are random
        for invitation in survey_backend().distribute(survey(t), ["a@example.org"], at=as_(t))
    ],
    "SurveyBackend.collect": lambda t, as_: survey_backend().collect(survey(t), at=as_(t)),
    "Invitation": lambda t, as_: [  # made by distribute, which stamps sent_at
        attrs.evolve(invitation, token="")
        for invitation in survey_backend().distribute(survey(t), ["a@example.org"], at=as_(t))
    ],
    "StoreBase": lambda t, as_: stamped_by(qse.stores.SQLiteStore(":memory:"), t, as_),
    "StoreBase.save_as_entered": lambda t, as_: entered_at(t, as_),
}

ELSEWHERE = {"PostgresStore": "def test_a_pendulum_clock_stamps_plain_datetimes("}
"""Public names whose pendulum property needs a server, and the test that holds it."""

MONTHLY = {
    "name": "monthly",
    "version": "1",
    "rules": [
        {
            "id": "M-1",
            "title": "no more than one complaint a month",
            "kind": "threshold",
            "source": {"document": "test.txt", "section": "1"},
            "applies_to": {"record_type": "complaint"},
            "params": {
                "period": "month",
                "aggregate": "count",
                "at_most": 0,
                "refer": {"owner": "quality_manager", "due_in_working_days": 5},
            },
        }
    ],
}


def focus_at(t: datetime, as_: Callable[[datetime], datetime]) -> Any:
    """The customer focus report's one pass over a lab's records, as of ``as_(t)``."""
    from qse_customer.reports import records_of_sequence

    ruleset = qse.load_ruleset("customer-service-standards")
    return qse.review.customer_focus(
        records_of_sequence(records(t)), [ruleset], calendar=CAL, at=as_(t), months=2
    )


def versions_around(t: datetime) -> list[dict[str, Any]]:
    """Two versions of a ruleset, the second in force from the day before ``t``."""
    day = (t - timedelta(days=1)).date()
    return [
        {**MONTHLY, "version": "1", "effective_until": (day - timedelta(days=1)).isoformat()},
        {**MONTHLY, "version": "2", "effective_from": day.isoformat()},
    ]


def finding(t: datetime) -> qse.Finding:
    return qse.Finding("R", "C-1", "breached", t, {}, "m", "s", record_type="complaint")


def mark_delivered(moment: datetime, as_: Callable[[datetime], datetime]) -> Any:
    store = store_with(moment)
    notification = qse.notifiers.Notification.complaint_received(records(moment)[0], at=moment)
    (added,) = store.add_notifications([notification], notifiers=["log"])
    store.mark_delivered(added.key, "log", at=as_(moment))
    return store.pending_deliveries(), store._deliveries


def comparable(value: Any) -> Any:
    """A value to compare: records as their JSON form (without the store's stamps, which are
    the clock's when the call ran), attrs values field by field."""
    if isinstance(value, qse.Record):
        document = qse.to_dict(value)
        for event in document["events"]:
            event.pop("recorded_at", None)
        return document
    if isinstance(value, list | tuple):
        return [comparable(item) for item in value]
    return value


def leaks(value: Any, seen: set[int] | None = None) -> bool:
    """Whether a pendulum value is anywhere inside ``value``."""
    seen = set() if seen is None else seen
    if id(value) in seen:
        return False
    seen.add(id(value))
    if type(value).__module__.startswith("pendulum"):
        return True
    if isinstance(value, dict):
        return any(leaks(k, seen) or leaks(v, seen) for k, v in value.items())
    if isinstance(value, list | tuple | set | frozenset):
        return any(leaks(item, seen) for item in value)
    if attrs.has(type(value)):
        return any(leaks(getattr(value, f.name), seen) for f in attrs.fields(type(value)))
    return False


moments = st.datetimes(
    min_value=datetime(2021, 1, 1),
    max_value=datetime(2029, 12, 31),
    timezones=st.sampled_from(ZONES).map(ZoneInfo),
    allow_imaginary=False,
)


def test_the_reported_crash_is_gone():
    at = pendulum.datetime(2026, 6, 30, 12, tz="UTC")
    report = qse.check(records(at), "customer-service-standards", calendar=CAL, at=at)
    assert report.at == datetime(2026, 6, 30, 12, tzinfo=ZoneInfo("UTC"))
    assert type(report.at) is datetime


@pytest.mark.parametrize("name", sorted(CALLS))
@settings(max_examples=25)
@given(moment=moments)
def test_a_pendulum_datetime_gives_the_same_result(name, moment):
    call = CALLS[name]
    expected = call(moment, plain)
    got = call(moment, pendulum_of)
    assert comparable(got) == comparable(expected)
    assert type(got) is type(expected)
    assert not leaks(got), f"{name} returned or stored a pendulum value"


def test_every_public_function_taking_a_datetime_is_covered():
    """A new public function that takes a datetime must join CALLS."""
    import inspect
    import typing

    covered = {name.split(".")[-1] for name in CALLS} | {name for name in CALLS}
    missing = []
    # The package's names and every sub-package's (analysis, review, stores, ...).
    exported = {name: getattr(qse, name) for name in qse.__all__}
    for package in (qse.analysis, qse.review, qse.rules, qse.stores, qse.notifiers):
        exported |= {name: getattr(package, name) for name in package.__all__}
    exported |= {name: getattr(qse.survey_backends, name) for name in qse.survey_backends.__all__}
    for name, where in ELSEWHERE.items():  # covered by a test that needs a server
        assert where in (Path(__file__).parent / "test_store_postgres.py").read_text(), where
        exported.pop(name, None)
    for name, obj in exported.items():
        members = (
            [(f"{name}.{m}", f) for m, f in vars(obj).items() if not m.startswith("_")]
            + [(name, obj)]
            if inspect.isclass(obj)
            else [(name, obj)]
        )
        for label, function in members:
            function = getattr(function, "__func__", function)
            if not callable(function):
                continue
            try:
                hints = typing.get_type_hints(function)
            except Exception:
                continue
            takes_datetime = any(
                value is datetime or "datetime.datetime" in str(value)
                for key, value in hints.items()
                if key != "return" and not key.startswith("_")  # private fields take no input
            )
            if takes_datetime and label not in covered and label.split(".")[-1] not in covered:
                missing.append(label)
    assert not missing, missing


def test_dates_are_not_datetimes():
    # Contract dates are days, not instants: a pendulum Date is a date.
    contract = qse.Contract(
        id="K",
        events=(qse.Event("entered", datetime(2026, 1, 5, tzinfo=ZoneInfo("UTC")), QM),),
        client="Ward 7",
        starts_on=pendulum.date(2026, 2, 1),
    )
    assert contract.starts_on == date(2026, 2, 1)
