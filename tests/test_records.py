"""Records and events: immutability, derived state, refused transitions, anonymity."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import qse_customer as qse
from qse_customer.core.roles import EXTERNAL_ROLES
from qse_customer.testing import strategies as qst


def hours(n: float) -> timedelta:
    return timedelta(hours=n)


def test_complaint_history_derives_status(quality_manager, technologist, monday_9am):
    complaint = qse.Complaint.receive(
        id="C-1",
        at=monday_9am,
        by=technologist,
        channel="email",
        category="turnaround",
        submitter=qse.Submitter(name="Dr Ward", contact="ward@example.org"),
    )
    assert complaint.status == "open"
    acted = complaint.add("corrective_action_initiated", at=monday_9am + hours(2), by=technologist)
    answered = acted.add("feedback_given", at=monday_9am + hours(30), by=quality_manager)
    closed = answered.add("closed", at=monday_9am + hours(31), by=quality_manager)
    assert [c.status for c in (complaint, acted, answered, closed)] == [
        "open",
        "investigating",
        "answered",
        "closed",
    ]
    # Adding an event returns a new record; the old one is unchanged.
    assert len(complaint.events) == 1 and len(closed.events) == 4
    assert closed.first("feedback_given").actor == quality_manager


def test_records_are_immutable(monday_9am, technologist):
    complaint = qse.Complaint.receive(
        id="C-1", at=monday_9am, by=technologist, channel="telephone", category="courtesy"
    )
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        complaint.category = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        complaint.events[0].data["x"] = 1  # type: ignore[index]


def test_event_earlier_than_last_is_refused(monday_9am, technologist):
    complaint = qse.Complaint.receive(
        id="C-1", at=monday_9am, by=technologist, channel="letter", category="billing"
    )
    with pytest.raises(qse.TransitionError, match="earlier than the last event"):
        complaint.add("acknowledged", at=monday_9am - hours(1), by=technologist)


def test_unknown_event_kind_is_refused(monday_9am, technologist):
    complaint = qse.Complaint.receive(
        id="C-1", at=monday_9am, by=technologist, channel="letter", category="billing"
    )
    with pytest.raises(qse.TransitionError, match="unknown event kind 'approved' for a complaint"):
        complaint.add("approved", at=monday_9am, by=technologist)


def test_closed_record_refuses_events_until_reopened(monday_9am, quality_manager):
    complaint = qse.Complaint.receive(
        id="C-1", at=monday_9am, by=quality_manager, channel="web", category="results"
    ).add("closed", at=monday_9am + hours(1), by=quality_manager)
    with pytest.raises(qse.TransitionError, match="is closed"):
        complaint.add("analysed", at=monday_9am + hours(2), by=quality_manager)
    reopened = complaint.add("reopened", at=monday_9am + hours(3), by=quality_manager)
    assert reopened.add("analysed", at=monday_9am + hours(4), by=quality_manager).status == "open"


def test_history_must_open_with_an_opening_event(monday_9am, quality_manager):
    with pytest.raises(qse.TransitionError, match="must start with received"):
        qse.Complaint(
            id="C-1",
            channel="web",
            category="x",
            events=(qse.Event("acknowledged", monday_9am, quality_manager),),
        )
    with pytest.raises(qse.ValidationError, match="at least its first event"):
        qse.Complaint(id="C-1", channel="web", category="x", events=())


def test_naive_datetime_is_refused(quality_manager):
    with pytest.raises(qse.ValidationError, match="timezone-aware"):
        qse.Event("received", datetime(2026, 1, 5, 9), quality_manager)


def test_times_are_kept_in_utc(quality_manager):
    from zoneinfo import ZoneInfo

    local = datetime(2026, 7, 1, 9, 0, tzinfo=ZoneInfo("Europe/London"))
    event = qse.Event("received", local, quality_manager)
    assert event.at.tzinfo is UTC and event.at == local and event.at.hour == 8


def test_unknown_role_names_the_known_ones():
    with pytest.raises(qse.ValidationError, match=r"unknown role 'janitor'.*quality_manager"):
        qse.Actor("x", "X", "janitor")


class TestAnonymousComplaints:
    def test_refuses_a_submitter(self, monday_9am, technologist):
        with pytest.raises(qse.PrivacyError, match="holds no identity"):
            qse.Complaint.receive(
                id="C-9",
                at=monday_9am,
                by=technologist,
                channel="form",
                category="x",
                anonymous=True,
                submitter=qse.Submitter(name="Someone"),
            )

    def test_refuses_feedback(self, monday_9am, quality_manager, technologist):
        complaint = qse.Complaint.receive(
            id="C-9", at=monday_9am, by=technologist, channel="form", category="x", anonymous=True
        )
        with pytest.raises(qse.TransitionError, match="feedback cannot be given"):
            complaint.add("feedback_given", at=monday_9am + hours(1), by=quality_manager)

    def test_refuses_identifying_event_data(self, monday_9am, technologist):
        complaint = qse.Complaint.receive(
            id="C-9", at=monday_9am, by=technologist, channel="form", category="x", anonymous=True
        )
        with pytest.raises(qse.PrivacyError, match="not allowed on an anonymous complaint"):
            complaint.add("note_added", at=monday_9am, by=technologist, contact="0123")
        customer = qse.Actor("p1", "Pat", qse.Role.CUSTOMER)
        with pytest.raises(qse.PrivacyError, match="outside the laboratory"):
            complaint.add("note_added", at=monday_9am, by=customer)

    @given(qst.complaints(anonymous=True))
    def test_generated_anonymous_complaints_hold_no_identity(self, complaint):
        assert complaint.submitter is None
        assert all(e.kind != "feedback_given" for e in complaint.events)
        allowed = qse.anonymous_data_fields()

        def data(event: qse.Event) -> dict:
            # A correction's own data is structural; its replacement's data is the event's.
            if event.kind == "corrected":
                return dict(event.data["replacement"]["data"])
            return {} if event.kind == "erased" else dict(event.data)

        assert all(set(data(e)) <= set(allowed) for e in complaint.events)
        assert all(e.actor is None or e.actor.role not in EXTERNAL_ROLES for e in complaint.events)


def test_customer_needs_are_derived_from_events(monday_9am, quality_manager):
    customer = qse.Customer.identify(
        id="W-7",
        at=monday_9am,
        by=qse.Actor("d", "Dee", "laboratory_director"),
        name="Ward 7",
        kind="internal",
        category="ward",
    )
    customer = customer.identify_need(
        "results by 10:00",
        at=monday_9am + hours(1),
        by=quality_manager,
        expectation="morning ward round",
        source="meeting",
    )
    reviewed_at = monday_9am + timedelta(days=90)
    customer = customer.add("needs_reviewed", at=reviewed_at, by=quality_manager)
    (need,) = customer.needs
    assert need.source is qse.NeedSource.MEETING
    assert need.identified_at == monday_9am + hours(1) and need.last_reviewed_at == reviewed_at


def test_contract_terms_and_amendments(monday_9am):
    director = qse.Actor("d", "Dee", "laboratory_director")
    contract = qse.Contract.enter(
        id="K-1",
        at=monday_9am,
        by=director,
        client="St Elsewhere",
        services=[
            {"test": "troponin", "priority": "stat", "turnaround_minutes": 60},
            qse.ServiceTerm("troponin", qse.Priority.ROUTINE, 24 * 60),
        ],
    )
    assert contract.term_for("troponin", "stat").turnaround_minutes == 60
    assert contract.term_for("sodium", "stat") is None
    amended = contract.add("amended", at=monday_9am + hours(1), by=director, change="STAT 45 min")
    assert [e.data["change"] for e in amended.amendments] == ["STAT 45 min"]
    with pytest.raises(qse.ValidationError, match="one term per test and priority"):
        contract.evolve(services=[qse.ServiceTerm("a", "stat", 5), qse.ServiceTerm("a", "stat", 9)])


def test_opening_event_happens_once(monday_9am, technologist):
    request = qse.TestRequest.receive(
        id="R-1", at=monday_9am, by=technologist, test="troponin", priority="stat"
    )
    with pytest.raises(qse.TransitionError, match="happens once"):
        request.add("received_in_lab", at=monday_9am, by=technologist)


@given(qst.records(), st.data())
def test_with_event_never_mutates_and_keeps_order(record, data):
    before = record.events
    at = record.last_event_at + timedelta(seconds=data.draw(st.integers(0, 10**6)))
    kind = data.draw(st.sampled_from(sorted(record.LIFECYCLE.kinds)))
    try:
        newer = record.with_event(qse.Event(kind, at, None))
    except qse.TransitionError:
        return
    assert record.events == before
    assert newer.events[:-1] == before and newer.events[-1].kind == kind
    assert [e.at for e in newer.events] == sorted(e.at for e in newer.events)


@given(qst.records())
def test_generated_histories_are_ordered_and_open_correctly(record):
    assert record.events[0].kind in record.LIFECYCLE.opening
    assert all(a.at <= b.at for a, b in zip(record.events, record.events[1:], strict=False))
    # Rebuilding from the fields passes the same checks.
    assert attrs.evolve(record) == record


@given(qst.event_data(), st.data())
def test_event_data_is_frozen_all_the_way_down(data, draw):
    # Lists may come in as lists or tuples; either way the event holds the same frozen value,
    # and what comes back from a document is equal to what went in.
    as_tuples = {
        key: tuple(value) if isinstance(value, list) and draw.draw(st.booleans()) else value
        for key, value in data.items()
    }
    at = datetime(2026, 1, 5, 9, tzinfo=UTC)
    event = qse.Event("received", at, None, data)
    assert event == qse.Event("received", at, None, as_tuples)
    for value in event.data.values():
        assert not isinstance(value, list | dict)
        with pytest.raises(TypeError):
            if isinstance(value, tuple):
                value[0:0] = ()  # type: ignore[index]
            else:
                value["new"] = 1  # type: ignore[index]
    request = qse.TestRequest.receive(
        id="R-1", at=at, by=None, test="troponin", priority="stat"
    ).with_event(qse.Event("note_added", at, None, as_tuples))
    assert qse.from_json(qse.to_json(request)) == request
