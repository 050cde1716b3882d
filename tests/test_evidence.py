"""Evidence an auditor can trust (issue 12): the cases that made verdicts untrustworthy, and the
properties that keep them so: every cycle judged, verdicts fixed in time, corrections that stay
visible, back-dated entries shown, erasure that changes no verdict."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import qse_customer as qse
from qse_customer.rules import Status
from qse_customer.stores import MemoryStore, SQLiteStore
from qse_customer.testing.strategies import complaints, enquiries

LONDON_LAB = qse.WorkingCalendar(
    timezone="Europe/London", country="GB", subdivision="ENG", opens="08:00", closes="17:00"
)
UTC_LAB = qse.WorkingCalendar(timezone="UTC", opens="09:00", closes="17:00")
TECH = qse.Actor("t-1", "Tara Tech", qse.Role.TECHNOLOGIST)
SUPERVISOR = qse.Actor("s-1", "Sam Supervisor", qse.Role.LABORATORY_SUPERVISOR)
QM = qse.Actor("qm-1", "Quinn Manager", qse.Role.QUALITY_MANAGER)
MAR_2 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday


class Clock:
    """A store clock a test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(params=["memory", "sqlite"])
def store_and_clock(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[qse.Store, Clock]]:
    store = MemoryStore() if request.param == "memory" else SQLiteStore(tmp_path / "lab.db")
    clock = Clock(MAR_2)
    store.clock = clock  # type: ignore[method-assign]
    with store:
        yield store, clock


def days(n: float) -> timedelta:
    return timedelta(days=n)


def finding(report: qse.Report, rule_id: str, record_id: str) -> qse.Finding:
    (found,) = [f for f in report.findings if f.rule_id == rule_id and f.record_id == record_id]
    return found


def every(report: qse.Report) -> Callable[[str], dict[str, int]]:
    return lambda rule_id: report.rule(rule_id).counts.to_dict()


# -- the five cases of the issue ------------------------------------------------------------


def test_a_breachs_late_event_cannot_be_moved_earlier_by_saving_again(store_and_clock):
    store, clock = store_and_clock
    late = qse.Enquiry.receive(id="E-1", at=MAR_2, by=TECH, channel="email", subject="parking").add(
        "responded", at=MAR_2 + days(9), by=TECH
    )
    clock.now = MAR_2 + days(9)
    store.save(late)
    rewritten = qse.Enquiry.receive(
        id="E-1", at=MAR_2, by=TECH, channel="email", subject="parking"
    ).add("responded", at=MAR_2 + timedelta(hours=3), by=TECH)
    with pytest.raises(qse.HistoryRewriteError, match=r"E-1.*\$\.events\[1\]"):
        store.save(rewritten)
    dropped = qse.Enquiry.receive(id="E-1", at=MAR_2, by=TECH, channel="email", subject="parking")
    with pytest.raises(qse.HistoryRewriteError, match="dropped"):
        store.save(dropped)
    report = qse.check(
        store.stream(qse.Enquiry),
        "customer-service-standards",
        calendar=LONDON_LAB,
        at=MAR_2 + days(30),
    )
    assert finding(report, "T-5", "E-1").status is Status.BREACHED


def test_an_answered_then_reopened_email_needs_a_new_answer():
    email = (
        qse.Enquiry.receive(id="E-2", at=MAR_2, by=TECH, channel="email", subject="results")
        .add("responded", at=MAR_2 + timedelta(hours=4), by=TECH)
        .add("closed", at=MAR_2 + timedelta(hours=5), by=TECH)
        .add("reopened", at=MAR_2 + days(3), by=TECH)
    )
    at = MAR_2 + days(3) + days(16)  # 12 working days after the reopening, never answered
    report = qse.check([email], "customer-service-standards", calendar=LONDON_LAB, at=at)
    found = finding(report, "T-5", "E-2")
    assert found.status is Status.BREACHED
    assert found.evidence["cycle"]["number"] == 2 and found.evidence["cycle"]["of"] == 2
    assert list(found.evidence["cycle"]["statuses"]) == ["met", "breached"]
    assert "cycle 2 of 2 (reopened Thu 05 Mar 2026 09:00 GMT)" in found.message
    answered = email.add("responded", at=MAR_2 + days(4), by=TECH)
    report = qse.check([answered], "customer-service-standards", calendar=LONDON_LAB, at=at)
    assert report.rule("T-5").counts.met == 1


def test_a_complaint_closed_a_second_time_needs_the_new_cycles_feedback():
    complaint = (
        qse.Complaint.receive(
            id="C-1",
            at=MAR_2,
            by=TECH,
            channel="email",
            category="turnaround",
            submitter=qse.Submitter(name="Dr Ward"),
        )
        .add("corrective_action_initiated", at=MAR_2 + days(1), by=TECH)
        .add("corrective_action_documented", at=MAR_2 + days(2), by=TECH)
        .add("feedback_given", at=MAR_2 + days(3), by=QM)
        .add("closed", at=MAR_2 + days(4), by=QM)
        .add("reopened", at=MAR_2 + days(10), by=QM)
        .add("corrective_action_initiated", at=MAR_2 + days(11), by=TECH)
        .add("corrective_action_documented", at=MAR_2 + days(12), by=TECH)
        .add("closed", at=MAR_2 + days(13), by=QM)
    )
    report = qse.check([complaint], "qse2-responsibility", calendar=LONDON_LAB, at=MAR_2 + days(20))
    found = finding(report, "R-K3-before-close", "C-1")
    assert found.status is Status.BREACHED
    assert found.to_dict()["evidence"]["cycle"] == {
        "number": 2,
        "of": 2,
        "started_at": (MAR_2 + days(10)).isoformat(),
        "statuses": ["met", "breached"],
    }
    assert report.rule("R-K2-before-close").counts.met == 1  # the new cycle's actions were done


def test_a_report_for_a_past_date_is_not_changed_by_later_entries(store_and_clock):
    store, clock = store_and_clock
    letter = qse.Enquiry.receive(id="E-3", at=MAR_2, by=TECH, channel="email", subject="invoice")
    store.save(letter)
    march_end = datetime(2026, 3, 31, 18, 0, tzinfo=UTC)
    before = qse.check(
        store.stream(qse.Enquiry), "customer-service-standards", calendar=LONDON_LAB, at=march_end
    )
    assert finding(before, "T-5", "E-3").status is Status.BREACHED
    # In April someone types in a reply "sent" on 3 March.
    clock.now = datetime(2026, 4, 20, 10, 0, tzinfo=UTC)
    store.append_event(qse.Enquiry, "E-3", qse.Event("responded", MAR_2 + days(1), TECH))
    again = qse.check(
        store.stream(qse.Enquiry), "customer-service-standards", calendar=LONDON_LAB, at=march_end
    )
    assert again.to_dict() == before.to_dict()
    today = qse.check(
        store.stream(qse.Enquiry),
        "customer-service-standards",
        calendar=LONDON_LAB,
        at=clock.now,
        keep=list(Status),
    )
    answered = finding(today, "T-5", "E-3")
    assert answered.status is Status.MET
    assert today.backdated_events == 1
    [late] = answered.evidence["backdated"]
    assert late["kind"] == "responded" and late["working_days_late"] == 32
    assert "recorded 32 working days after it happened" in answered.message


# -- corrections -----------------------------------------------------------------------------


def test_a_correction_is_judged_and_the_original_stays_visible(store_and_clock):
    store, clock = store_and_clock
    typo = qse.Enquiry.receive(id="E-4", at=MAR_2, by=TECH, channel="email", subject="parking").add(
        "responded", at=MAR_2 + days(9), by=TECH
    )  # really sent the same afternoon
    store.save(typo)
    clock.now = MAR_2 + days(12)
    store.correct(
        qse.Enquiry,
        "E-4",
        1,
        qse.Event("responded", MAR_2 + timedelta(hours=5), TECH),
        by=QM,
        reason="the e-mail log shows it was sent on 2 March",
    )
    report = qse.check(
        store.stream(qse.Enquiry),
        "customer-service-standards",
        calendar=LONDON_LAB,
        at=MAR_2 + days(20),
        keep=list(Status),
    )
    assert finding(report, "T-5", "E-4").status is Status.MET
    stored = store.load(qse.Enquiry, "E-4")
    assert stored.events[1].at == MAR_2 + days(9)  # the original is still there
    assert stored.events[2].kind == "corrected" and stored.events[2].actor == QM
    # Before the correction was recorded, the report said what it said then.
    earlier = qse.check(
        store.stream(qse.Enquiry),
        "customer-service-standards",
        calendar=LONDON_LAB,
        at=MAR_2 + days(11),
    )
    assert finding(earlier, "T-5", "E-4").status is Status.BREACHED


def test_a_correction_that_would_make_the_history_invalid_is_refused(store_and_clock):
    store, _ = store_and_clock
    store.save(
        qse.Enquiry.receive(id="E-5", at=MAR_2, by=TECH, channel="email", subject="x").add(
            "responded", at=MAR_2 + days(1), by=TECH
        )
    )
    before_receipt = qse.Event("responded", MAR_2 - days(1), TECH)
    with pytest.raises(qse.TransitionError, match="would be invalid"):
        store.correct(qse.Enquiry, "E-5", 1, before_receipt, by=QM, reason="wrong")
    assert len(store.load(qse.Enquiry, "E-5").events) == 2


def test_an_anonymous_complaints_correction_cannot_name_anyone(store_and_clock):
    store, _ = store_and_clock
    store.save(
        qse.Complaint.receive(
            id="C-2", at=MAR_2, by=TECH, channel="form", category="x", anonymous=True
        )
    )
    naming = qse.Event("received", MAR_2, qse.Actor("p-1", "Pat Patient", qse.Role.CUSTOMER))
    with pytest.raises(qse.PrivacyError):
        store.correct(qse.Complaint, "C-2", 0, naming, by=QM, reason="who it was")


# -- properties ------------------------------------------------------------------------------


_PROPERTY = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_PROPERTY
@given(
    batch=st.lists(st.one_of(complaints(), enquiries()), min_size=1, max_size=6),
    more=st.lists(st.integers(1, 40), min_size=1, max_size=6),
    data=st.data(),
)
def test_a_report_for_t_is_unchanged_by_events_recorded_after_t(batch, more, data):
    unique = {(r.TYPE, r.id): r for r in batch}
    store = MemoryStore()
    clock = Clock(datetime(2100, 1, 1, tzinfo=UTC))  # after every drawn event
    store.clock = clock  # type: ignore[method-assign]
    store.save_many(unique.values())
    t = clock.now + timedelta(hours=1)
    ruleset = data.draw(st.sampled_from(["customer-service-standards", "qse2-responsibility"]))

    def report() -> dict[str, object]:
        records = [*store.stream(qse.Complaint), *store.stream(qse.Enquiry)]
        return qse.check(
            records, ruleset, calendar=UTC_LAB, at=t, keep=list(Status), max_findings=10**6
        ).to_dict()

    before = report()
    clock.now = t + timedelta(minutes=1)
    keys = list(unique)
    for hours in more:
        tag, record_id = data.draw(st.sampled_from(keys))
        record = store.load(tag, record_id)
        event = qse.Event("note_added", record.last_event_at + timedelta(hours=hours), QM)
        try:
            store.append_event(tag, record_id, event)
        except qse.TransitionError:
            continue
    assert report() == before


@_PROPERTY
@given(record=complaints(), reason=st.text(min_size=1, max_size=20).filter(str.strip))
def test_an_erasure_changes_no_verdict(record, reason):
    store = MemoryStore()
    store.save(record)
    at = datetime(2100, 1, 1, tzinfo=UTC)

    def statuses() -> list[tuple[str, str]]:
        report = qse.check(
            store.stream(qse.Complaint),
            "qse2-responsibility",
            calendar=UTC_LAB,
            at=at,
            keep=list(Status),
        )
        return sorted((f.rule_id, f.status.value) for f in report.findings)

    before = statuses()
    actors = {e.actor.id for e in record.events if e.actor is not None}
    store.erase(qse.Complaint, record.id, by=QM, reason=reason, actors=actors)
    assert statuses() == before
    assert store.verify() == []
    erased = store.load(qse.Complaint, record.id)
    assert all(e.actor is None or e.actor.name == "[erased]" for e in erased.events[:-1])
