"""An anonymous complaint never reveals who made it: not in a report, a log line, a notification
or an export.

The records refuse a submitter's identity on an anonymous complaint (tested first). What can
still get in is free text the lab types: a summary, an event's note or data, the people
involved. Each anonymous complaint here carries a unique marker in every one of those places
(its site and customer group are categories that reports count complaints by, not identities,
so they are left out), and each named complaint in the same store carries its submitter's name,
contact and customer id (and the customer as the actor of two steps). Then the library checks the
store, notifies what is due through the logging, file outbox and SMTP notifiers, builds the JSON,
text and HTML reports (when ``qse_customer.reports`` is present), and exports the records, with
every log line captured at DEBUG. The markers of anonymous complaints must appear nowhere but in
the complaint's own export; the named complaints' identities must appear where they are expected
(their export, and the responsibility findings that name the customer who did staff steps),
which proves the search would catch a leak.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import qse_customer as qse
from qse_customer.plugins import (
    FileOutboxNotifier,
    Notification,
    QSEPluginManager,
    SQLiteStore,
    send,
)
from qse_customer.plugins.delivery import notify_due
from qse_customer.plugins.smtp_notifier import SMTPNotifier, SMTPSettings
from qse_customer.testing.strategies import complaints

try:  # the CLI and HTML reports (qse_customer.reports), when that package is present
    from qse_customer import reports as lab_reports
except ImportError:
    lab_reports = None

aiosmtpd_controller = pytest.importorskip("aiosmtpd.controller")

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
LATER = T0 + timedelta(days=60)
CALENDAR = qse.WorkingCalendar(timezone="Europe/London", opens="09:00", closes="17:00")
STAFF = qse.Actor("qm-1", "Quinn Manager", qse.Role.QUALITY_MANAGER)
CLOCKS = {
    "name": "clocks",
    "version": "1",
    "rules": [
        {
            "id": "K-ACK",
            "title": "Complaints acknowledged within 2 working days",
            "kind": "response_time",
            "source": {"document": "lab procedure", "section": "4.2"},
            "applies_to": {"record_type": "complaint"},
            "params": {
                "start": ["received"],
                "stop": ["acknowledged"],
                "limit": {"working_days": 2},
            },
        }
    ],
}
RULESETS = ("qse2-responsibility", "customer-service-standards", CLOCKS)


# -- what the records refuse ------------------------------------------------------------------


def test_an_anonymous_complaint_refuses_every_identity() -> None:
    base: dict[str, Any] = {"id": "a-1", "at": T0, "by": STAFF, "channel": "form"}
    with pytest.raises(qse.PrivacyError):
        qse.Complaint.receive(
            **base, category="tat", anonymous=True, submitter=qse.Submitter(name="Ann")
        )
    complaint = qse.Complaint.receive(**base, category="tat", anonymous=True)
    customer = qse.Actor("cust-1", "Ann Example", qse.Role.CUSTOMER)
    with pytest.raises(qse.PrivacyError):
        complaint.add("note_added", at=T0, by=customer)
    for key in ("name", "contact", "email", "phone", "customer_id", "nhs_number"):
        with pytest.raises(qse.PrivacyError):
            complaint.add("note_added", at=T0, by=STAFF, **{key: "Ann"})
    document = qse.to_dict(complaint)
    with pytest.raises(qse.ValidationError):
        qse.from_dict({**document, "submitter": {"name": "Ann"}})


# -- what the library writes ------------------------------------------------------------------


class Recorder:
    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(envelope.content)
        return "250 OK"


@pytest.fixture(scope="module")
def smtp_server() -> Iterator[tuple[int, Recorder]]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    recorder = Recorder()
    controller = aiosmtpd_controller.Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    yield port, recorder
    controller.stop()


def marked(complaint: qse.Complaint, record_id: str, marker: str) -> qse.Complaint:
    """The complaint, its history moved to start at T0, with ``marker`` in every free-text
    place the model allows."""
    events = tuple(
        attrs.evolve(event, at=T0 + timedelta(hours=n)) for n, event in enumerate(complaint.events)
    )
    complaint = complaint.evolve(
        id=record_id,
        events=events,
        summary=f"told us {marker}",
        people_involved=(f"{marker}-involved",),
    )
    if complaint.is_closed:
        complaint = complaint.add("reopened", at=complaint.last_event_at, by=STAFF)
    return complaint.add(
        "note_added",
        at=complaint.last_event_at,
        by=STAFF,
        note=f"note {marker}",
    )


def named(number: int, person: tuple[str, str, str]) -> qse.Complaint:
    """A named complaint whose customer also did staff steps (documented and acknowledged it),
    so the responsibility rules name them in their findings."""
    name, contact, customer_id = person
    customer = qse.Actor(customer_id, name, qse.Role.CUSTOMER)
    complaint = qse.Complaint.receive(
        id=f"named-{number}",
        at=T0 + timedelta(hours=number),
        by=customer,
        channel="telephone",
        category="turnaround",
        submitter=qse.Submitter(name=name, contact=contact, customer_id=customer_id),
    )
    return complaint.add("acknowledged", at=complaint.last_event_at, by=customer)


def texts_of_logs(caplog: pytest.LogCaptureFixture) -> list[str]:
    lines = []
    for record in caplog.records:
        lines.append(record.getMessage())
        if record.exc_text:
            lines.append(record.exc_text)
        structured = getattr(record, "qse_notification", None)
        if structured is not None:
            lines.append(repr(structured))
    return lines


@settings(
    max_examples=10,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    anonymous=st.lists(
        complaints(anonymous=True), min_size=1, max_size=4, unique_by=lambda c: c.id
    ),
    secret=st.integers(10**8, 10**9),
)
def test_no_identity_around_an_anonymous_complaint_leaks(
    tmp_path_factory: pytest.TempPathFactory,
    smtp_server: tuple[int, Recorder],
    caplog: pytest.LogCaptureFixture,
    anonymous: list[qse.Complaint],
    secret: int,
) -> None:
    port, recorder = smtp_server
    recorder.messages.clear()
    caplog.clear()
    folder = tmp_path_factory.mktemp("anonymity")
    markers = {f"anon-{n}": f"ZQA{secret}N{n}Q" for n in range(len(anonymous))}
    anon = [
        marked(complaint, record_id, markers[record_id])
        for complaint, record_id in zip(anonymous, markers, strict=True)
    ]
    people = [(f"Nora ZQN{secret}P{n}", f"zqc{secret}p{n}@mail.example", f"ZQI{secret}P{n}")
              for n in range(2)]  # fmt: skip
    identified = [named(n, person) for n, person in enumerate(people)]

    manager = QSEPluginManager(builtins=True, entry_points=False)
    manager.register(FileOutboxNotifier(folder / "outbox.jsonl"), "outbox")
    manager.register(
        SMTPNotifier(
            SMTPSettings(
                host="127.0.0.1",
                port=port,
                sender="qse@lab.example",
                recipients=("quality@lab.example",),
                timeout=5,
            )
        ),
        "smtp",
    )
    with caplog.at_level(logging.DEBUG), SQLiteStore(folder / "lab.db") as store:
        store.save_many([*anon, *identified])
        for complaint in anon:
            if not store.load(qse.Complaint, complaint.id).is_closed:
                store.append_event(
                    qse.Complaint,
                    complaint.id,
                    qse.Event("investigation_started", LATER, STAFF, {}, "looked into it"),
                )
        stored = list(store.stream(qse.Complaint))
        reports = [
            qse.check(stored, ruleset, calendar=CALENDAR, at=LATER, keep=list(qse.Status))
            for ruleset in RULESETS
        ]
        received = [Notification.complaint_received(c, at=LATER) for c in stored]
        delivered = [send(store, received, at=LATER, manager=manager)]
        delivered += [
            notify_due(store, ruleset, calendar=CALENDAR, at=LATER, manager=manager)
            for ruleset in RULESETS
        ]
        exports = {record.id: qse.to_json(record) for record in store.stream(qse.Complaint)}
    assert all(report.ok for report in delivered)

    report_texts = [report.to_json() for report in reports]
    if lab_reports is not None:
        full = lab_reports.build_report(
            lab_reports.records_of_sequence(stored),
            [qse.load_ruleset(ruleset) for ruleset in RULESETS],
            calendar=CALENDAR,
            at=LATER,
        )
        report_texts += [
            lab_reports.render_json(full),
            lab_reports.render_text(full),
            lab_reports.render_html(full),
        ]
    outbox = (folder / "outbox.jsonl").read_text("utf-8")
    mails = [message.decode("ascii") for message in recorder.messages]
    logs = texts_of_logs(caplog)
    published = [*report_texts, outbox, *mails, *logs]

    for record_id, marker in markers.items():
        assert marker in exports[record_id]  # the marker is there to be found
        assert all(marker not in text for text in published), record_id
        export = qse.from_json(exports[record_id])
        assert isinstance(export, qse.Complaint) and export.submitter is None
        assert all(e.actor is None or e.actor.role is not qse.Role.CUSTOMER for e in export.events)
        assert record_id in outbox and any(record_id in mail for mail in mails)
    for number, (name, contact, customer_id) in enumerate(people):
        export = exports[f"named-{number}"]
        assert name in export and contact in export and customer_id in export
        assert any(name in text for text in report_texts)  # a report may name the customer
        for record_id in markers:
            assert name not in exports[record_id] and customer_id not in exports[record_id]
    for finding in (f for report in reports for f in report.findings):
        if finding.record_id in markers:
            text = finding.to_json()
            assert all(secret_text not in text for p in people for secret_text in p)
