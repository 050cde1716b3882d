"""The Notification value: its key, its JSON form, and no personal data in it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given

from qse_customer import Actor, Complaint, Role, Submitter, ValidationError
from qse_customer.notifiers import Notification, NotificationKind
from qse_customer.testing.notifications import notifications

T0 = datetime(2026, 1, 5, 9, tzinfo=UTC)


@given(notifications())
def test_a_notification_round_trips_through_json(notification: Notification) -> None:
    assert Notification.from_dict(notification.to_dict()) == notification


@given(notifications(), notifications())
def test_keys_are_equal_exactly_when_the_identifying_fields_are(
    one: Notification, other: Notification
) -> None:
    same = (one.kind, one.rule_id, one.record_type, one.record_id, one.due_at) == (
        other.kind,
        other.rule_id,
        other.record_type,
        other.record_id,
        other.due_at,
    )
    assert (one.key == other.key) == same


def test_the_key_ignores_when_it_was_raised_and_cannot_be_confused() -> None:
    one = Notification("breached", "enquiry", "e|1", T0, "T-1", T0)
    later = Notification("breached", "enquiry", "e|1", T0 + timedelta(days=1), "T-1", T0)
    other = Notification("breached", "enquiry|e", "1", T0, "T-1", T0)
    assert one.key == later.key
    assert one.key != other.key


def test_the_message_is_written_from_the_fields() -> None:
    due = datetime(2026, 1, 7, 17, tzinfo=timezone(timedelta(hours=1)))
    notification = Notification(NotificationKind.AT_RISK, "enquiry", "e-17", T0, "T-1", due)
    assert (
        notification.message
        == "rule T-1 at risk for enquiry 'e-17' (due 2026-01-07T16:00:00+00:00)"
    )
    assert str(notification).startswith("[at risk] rule T-1")


def test_a_complaint_received_names_no_one() -> None:
    staff = Actor("tech-77", "Zebedee Quillfeather", Role.TECHNOLOGIST)
    named = Complaint.receive(
        id="c-9",
        at=T0,
        by=staff,
        channel="email",
        category="results",
        submitter=Submitter(name="Pat Patient", contact="pat@example.org"),
        summary="my result from Tuesday",
    )
    anonymous = Complaint.receive(
        id="c-10", at=T0, by=staff, channel="form", category="attitude", anonymous=True
    )
    for complaint in (named, anonymous):
        text = repr(Notification.complaint_received(complaint).to_dict())
        for secret in ("Zebedee", "tech-77", "Pat", "pat@example.org", "Tuesday", "results"):
            assert secret not in text
    assert "anonymous complaint 'c-10'" in Notification.complaint_received(anonymous).message


@pytest.mark.parametrize(
    ("document", "path"),
    [
        (
            {"kind": "exploded", "record_type": "x", "record_id": "1", "at": T0.isoformat()},
            "$.kind",
        ),
        ({"kind": "breached", "record_type": "x", "record_id": "1", "at": "2026-01-05"}, "$.at"),
        (
            {"kind": "breached", "record_type": "x", "record_id": 1, "at": T0.isoformat()},
            "$.record_id",
        ),
    ],
)
def test_a_bad_notification_document_names_the_field(
    document: dict[str, object], path: str
) -> None:
    with pytest.raises(ValidationError) as raised:
        Notification.from_dict(document)
    assert raised.value.errors[0].path == path


def test_a_naive_time_is_refused() -> None:
    with pytest.raises(ValidationError, match="timezone-aware"):
        Notification("breached", "enquiry", "e-1", datetime(2026, 1, 5, 9))
