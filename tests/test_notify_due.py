"""notify_due: the rule engine over a store's records, one notification per new breach or new
at-risk deadline, never repeated, never lost when a notifier fails, with no personal data."""

from __future__ import annotations

import io
import logging
import sqlite3
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from qse_customer import Actor, Complaint, Event, Record, Role, Submitter
from qse_customer.core.calendar import WorkingCalendar
from qse_customer.notifiers import LoggingNotifier, Notification, notify_due
from qse_customer.notifiers.delivery import notification_for
from qse_customer.plugins import QSEPluginManager, hookimpl
from qse_customer.rules import BaseRuleKind, CompiledRule, Env, Finding, Status
from qse_customer.stores import MemoryStore, SQLiteStore, Store

CALENDAR = WorkingCalendar(
    timezone="Europe/London", country="GB", subdivision="ENG", opens="09:00", closes="17:00"
)
MONDAY = datetime(2026, 1, 5, 10, tzinfo=UTC)
STAFF = Actor("tech-77", "Zebedee Quillfeather", Role.TECHNOLOGIST)
RULES: dict[str, Any] = {
    "name": "notify-test",
    "version": "1",
    "rules": [
        {
            "id": "K-ACK",
            "title": "Complaints acknowledged within 2 working days",
            "kind": "response_time",
            "source": {"document": "test", "section": "1"},
            "applies_to": {"record_type": "complaint"},
            "params": {
                "start": ["received"],
                "stop": ["acknowledged"],
                "limit": {"working_days": 2},
                "warn_at": 0.5,
            },
        }
    ],
}


class Recorder:
    def __init__(self) -> None:
        self.received: list[Notification] = []
        self.failing = False

    @hookimpl
    def qse_notify(self, notification: Notification) -> None:
        if self.failing:
            raise TimeoutError("pager service did not answer")
        self.received.append(notification)


def complaint(number: int, received: datetime, **fields: Any) -> Complaint:
    return Complaint.receive(
        id=f"c-{number}", at=received, by=STAFF, channel="telephone", category="tat", **fields
    )


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    opened: Store = MemoryStore() if request.param == "memory" else SQLiteStore(tmp_path / "n.db")
    yield opened
    opened.close()


@pytest.fixture
def pager() -> Recorder:
    return Recorder()


@pytest.fixture
def manager(pager: Recorder) -> QSEPluginManager:
    manager = QSEPluginManager(builtins=False, entry_points=False)
    manager.register(pager, "pager")
    return manager


def test_new_breaches_and_at_risk_deadlines_are_notified_once(
    store: Store, manager: QSEPluginManager, pager: Recorder
) -> None:
    store.save_many(
        [
            complaint(1, MONDAY),  # due Wed 17:00; pending on Tuesday morning
            complaint(2, MONDAY - timedelta(days=3)),  # Friday: due Tue 17:00, at risk Tue
            complaint(3, MONDAY - timedelta(days=10)),  # long overdue
            complaint(4, MONDAY).add("acknowledged", at=MONDAY, by=STAFF),  # met
        ],
        legacy=True,
    )
    tuesday = MONDAY + timedelta(days=1, hours=3)
    first = notify_due(store, RULES, calendar=CALENDAR, at=tuesday, manager=manager)
    assert sorted((n.kind.value, n.record_id) for n in first.new) == [
        ("at_risk", "c-2"),
        ("breached", "c-3"),
    ]
    assert first.ok and len(first.delivered) == 2
    again = notify_due(store, RULES, calendar=CALENDAR, at=tuesday, manager=manager)
    assert again.new == () and again.delivered == ()

    friday = MONDAY + timedelta(days=4)
    later = notify_due(store, RULES, calendar=CALENDAR, at=friday, manager=manager)
    assert sorted((n.kind.value, n.record_id) for n in later.new) == [
        ("breached", "c-1"),
        ("breached", "c-2"),
    ]
    assert [(n.kind.value, n.record_id) for n in pager.received].count(("breached", "c-3")) == 1
    assert len(pager.received) == 4
    breach = next(n for n in pager.received if n.record_id == "c-1")
    assert breach.rule_id == "K-ACK"
    assert breach.due_at == datetime(2026, 1, 7, 17, tzinfo=UTC)
    assert breach.message.endswith(": Complaints acknowledged within 2 working days")


def test_a_failing_notifier_keeps_the_notification_for_the_next_run(
    store: Store, manager: QSEPluginManager, pager: Recorder
) -> None:
    other = Recorder()
    manager.register(other, "ward-screen")
    store.save_many([complaint(3, MONDAY - timedelta(days=10))], legacy=True)
    pager.failing = True
    first = notify_due(store, RULES, calendar=CALENDAR, at=MONDAY, manager=manager)
    assert [f.notifier for f in first.failed] == ["pager"]
    assert [n.record_id for n in other.received] == ["c-3"]
    pager.failing = False
    second = notify_due(
        store, RULES, calendar=CALENDAR, at=MONDAY + timedelta(hours=1), manager=manager
    )
    assert second.new == ()
    assert [name for _, name in second.delivered] == ["pager"]
    assert [n.record_id for n in pager.received] == ["c-3"]
    assert [n.record_id for n in other.received] == ["c-3"]  # not repeated


def test_an_invalid_stored_record_is_reported_and_the_others_still_notified(
    tmp_path: Path, manager: QSEPluginManager, pager: Recorder
) -> None:
    with SQLiteStore(tmp_path / "lab.db") as store:
        store.save_many(
            [complaint(n, MONDAY - timedelta(days=10 + n)) for n in range(3)], legacy=True
        )
        raw = sqlite3.connect(tmp_path / "lab.db")
        raw.execute(
            "UPDATE qse_records SET document = replace(document, 'telephone', 'owl') "
            "WHERE id = 'c-1'"
        )
        raw.commit()
        raw.close()
        report = notify_due(store, RULES, calendar=CALENDAR, at=MONDAY, manager=manager)
    assert [e.record_id for e in report.invalid] == ["c-1"]
    assert not report.ok
    assert sorted(n.record_id for n in pager.received) == ["c-0", "c-2"]


def test_notifications_of_an_anonymous_complaint_reveal_no_one(store: Store) -> None:
    anonymous = complaint(5, MONDAY - timedelta(days=10), anonymous=True, summary="night porter")
    named = complaint(
        6, MONDAY - timedelta(days=10), submitter=Submitter(name="Pat Patient", contact="p@x.org")
    )
    store.save_many([anonymous, named], legacy=True)
    text = io.StringIO()
    logger = logging.getLogger("qse_customer.tests.notify_due")
    handler = logging.StreamHandler(text)
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        manager = QSEPluginManager(builtins=False, entry_points=False)
        manager.register(LoggingNotifier(logger), "log")
        report = notify_due(store, RULES, calendar=CALENDAR, at=MONDAY, manager=manager)
    finally:
        logger.removeHandler(handler)
    assert len(report.delivered) == 2
    written = text.getvalue() + repr([n.to_dict() for n in report.new])
    assert "c-5" in written and "c-6" in written
    for secret in ("Zebedee", "Quillfeather", "tech-77", "porter", "Pat", "p@x.org"):
        assert secret not in written


class CriticalOpen(BaseRuleKind):
    """A plugin's rule kind: a critical complaint still open is a breach."""

    name = "critical_open"

    def compile(self, rule: Any, context: Any) -> CompiledRule:
        def check(record: Record, events: Sequence[Event], env: Env) -> Any:
            critical = (
                getattr(record, "severity", None) is not None and record.severity == "critical"
            )  # type: ignore[attr-defined]
            return (1 if critical and record.status != "closed" else 0, None, None, None)

        def explain(record: Record, events: Sequence[Event], outcome: Any, env: Env) -> Any:
            return {}, f"{record.id} is critical and open"

        return CompiledRule(check=check, explain=explain)


class KindsPlugin:
    @hookimpl
    def qse_rule_kinds(self) -> dict[str, Any]:
        return {"critical_open": CriticalOpen()}


def test_rule_kinds_from_plugins_are_available(
    store: Store, manager: QSEPluginManager, pager: Recorder
) -> None:
    manager.register(KindsPlugin(), "kinds")
    rules = {
        "name": "plugin-kinds",
        "version": "1",
        "rules": [
            {
                "id": "X-1",
                "title": "No critical complaint left open",
                "kind": "critical_open",
                "source": {"document": "lab policy"},
                "applies_to": {"record_type": "complaint"},
            }
        ],
    }
    store.save_many([complaint(1, MONDAY, severity="critical"), complaint(2, MONDAY)], legacy=True)
    report = notify_due(store, rules, calendar=CALENDAR, at=MONDAY, manager=manager)
    assert [(n.rule_id, n.record_id) for n in report.new] == [("X-1", "c-1")]


def test_only_breached_and_at_risk_findings_become_notifications() -> None:
    finding = Finding(
        "T-9", None, Status.BREACHED, MONDAY, {}, "m", "s", "complaint", period="2026-01"
    )
    notification = notification_for(finding, at=MONDAY, title="Website availability")
    assert (notification.record_type, notification.record_id) == ("period", "2026-01")
    met = Finding("T-9", "c-1", Status.MET, None, {}, "m", "s", "complaint")
    with pytest.raises(ValueError, match="only breached and at-risk"):
        notification_for(met, at=MONDAY)
