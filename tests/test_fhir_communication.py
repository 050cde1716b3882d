"""Complaints and enquiries as FHIR R4 Communication/Task pairs: every resource passes the R4B
models, the pair reads back to the same record, an anonymous complaint names no one and keeps
its words home unless asked, and every problem on import is named by its location."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings

from fhir_checks import validated
from qse_customer.core.complaint import COMPLAINT_LIFECYCLE, WITHHELD, Complaint
from qse_customer.core.enquiry import ENQUIRY_LIFECYCLE, Enquiry
from qse_customer.core.errors import ValidationError
from qse_customer.core.events import Event
from qse_customer.core.export import withholds_text
from qse_customer.core.history import correction_data
from qse_customer.core.parties import Submitter
from qse_customer.core.roles import Actor
from qse_customer.fhir import TASK_STATUS, record_from_fhir, record_to_fhir, resource_ids
from qse_customer.fhir.communication import EVENT, TEXT_WITHHELD
from qse_customer.testing.strategies import complaints, enquiries

AT = datetime(2024, 5, 2, 9, 30, tzinfo=UTC)
STAFF = Actor("u1", "Ann Lee", "technologist")
MANAGER = Actor("u2", "Bo Chan", "quality_manager")
JO = Submitter(name="Jo Bloggs", contact="jo.bloggs@example.org", customer_id="cust-77")


def exported(record: Complaint | Enquiry, **options: Any) -> dict[str, Any]:
    """The record's Bundle, it and each of its resources validated (after a JSON round trip)."""
    bundle = validated(record_to_fhir(record, **options))
    assert bundle["type"] == "collection"
    assert [e["resource"]["resourceType"] for e in bundle["entry"]] == ["Communication", "Task"]
    for entry in bundle["entry"]:
        validated(entry["resource"])
    return bundle


def resources(bundle: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    communication, task = (entry["resource"] for entry in bundle["entry"])
    return communication, task


# -- round trips --------------------------------------------------------------------------------


@settings(max_examples=150)
@given(complaints(anonymous=False))
def test_named_complaints_round_trip(complaint: Complaint) -> None:
    bundle = exported(complaint)
    assert record_from_fhir(bundle) == complaint
    assert record_from_fhir([e["resource"] for e in bundle["entry"]]) == complaint


@settings(max_examples=150)
@given(enquiries())
def test_enquiries_round_trip(enquiry: Enquiry) -> None:
    bundle = exported(enquiry)
    assert record_from_fhir(bundle) == enquiry


@settings(max_examples=150)
@given(complaints(anonymous=True))
def test_anonymous_complaints_round_trip_all_but_what_was_withheld(complaint: Complaint) -> None:
    bundle = exported(complaint)
    communication, task = resources(bundle)
    back = record_from_fhir(bundle)
    assert isinstance(back, Complaint) and back.anonymous
    if withholds_text(complaint):
        assert back == complaint.without_free_text()
        assert back.summary == ""
        assert all(not event.note for event in back.events)
        assert {e["url"]: e.get("valueBoolean") for e in communication["extension"]}[
            TEXT_WITHHELD
        ] is True
    else:
        assert back == complaint
    for resource in (communication, task):
        assert not {"sender", "requester", "recipient", "subject"} & set(resource)
    # Asked for explicitly, the words travel too and the round trip is whole.
    assert record_from_fhir(exported(complaint, include_anonymous_text=True)) == complaint


@settings(max_examples=100)
@given(complaints())
def test_timeline_and_status(complaint: Complaint) -> None:
    communication, task = resources(exported(complaint))
    judged = complaint.judged_events
    assert communication["received"] == task["authoredOn"] == judged[0].at.isoformat()
    assert task["lastModified"] == complaint.events[-1].at.isoformat()
    assert task["status"] == TASK_STATUS[complaint.status]
    assert task["businessStatus"]["coding"][0]["code"] == complaint.status
    assert len([e for e in task["extension"] if e["url"] == EVENT]) == len(complaint.events)
    communication_id, task_id = resource_ids(complaint)
    assert (communication["id"], task["id"]) == (communication_id, task_id)
    assert task["focus"] == {"reference": f"Communication/{communication_id}"}
    assert task["basedOn"] == [task["focus"]]


# -- privacy ------------------------------------------------------------------------------------


def _anonymous_complaint() -> Complaint:
    complaint = Complaint.receive(
        id="c-anon",
        at=AT,
        by=STAFF,
        channel="web",
        category="staff attitude",
        anonymous=True,
        summary="Jo from ward 5 says the night phlebotomist was rude",
        note="told us on the ward 5 phone, evenings",
    )
    complaint = complaint.add(
        "investigation_started", at=AT + timedelta(hours=2), by=MANAGER, note="ward 5 rota"
    )
    replacement = Event(
        "investigation_started", AT + timedelta(hours=1), MANAGER, {}, "ward 5 rota"
    )
    return complaint.add(
        "corrected",
        at=AT + timedelta(hours=3),
        by=MANAGER,
        **correction_data(1, replacement, "Jo's call log showed the time"),
    )


def test_an_anonymous_complaint_names_no_one_and_keeps_its_words() -> None:
    named = Complaint.receive(
        id="c-named", at=AT, by=STAFF, channel="web", category="staff attitude", submitter=JO
    )
    named_text = json.dumps(exported(named), ensure_ascii=False)
    for value in (JO.name, JO.contact, JO.customer_id):
        assert value is not None and value in named_text  # where a submitter would show

    complaint = _anonymous_complaint()
    text = json.dumps(exported(complaint), ensure_ascii=False)
    for value in (JO.name, JO.contact, JO.customer_id, "Jo", "ward 5", "phlebotomist", "call log"):
        assert value is not None and value not in text
    assert WITHHELD in text  # the correction's reason, replaced
    assert '"sender"' not in text and '"requester"' not in text
    back = record_from_fhir(json.loads(text))
    assert back == complaint.without_free_text()
    assert back.status == complaint.status and back.events[2].kind == "corrected"

    asked = json.dumps(exported(complaint, include_anonymous_text=True), ensure_ascii=False)
    for value in ("ward 5", "phlebotomist", "call log"):
        assert value in asked
    assert TEXT_WITHHELD not in asked
    assert '"sender"' not in asked and '"requester"' not in asked
    assert record_from_fhir(json.loads(asked)) == complaint


def test_a_named_submitter_is_sender_and_requester() -> None:
    enquiry = Enquiry.receive(id="e-1", at=AT, by=STAFF, channel="email", enquirer=JO)
    communication, task = resources(exported(enquiry))
    assert communication["sender"] == task["requester"]
    assert communication["sender"]["display"] == "Jo Bloggs"
    assert communication["sender"]["identifier"]["value"] == "cust-77"
    assert task["owner"]["identifier"]["value"] == "u1"


# -- mapping details ------------------------------------------------------------------------------


@pytest.mark.parametrize("lifecycle", [COMPLAINT_LIFECYCLE, ENQUIRY_LIFECYCLE])
def test_every_status_has_a_task_status(lifecycle: Any) -> None:
    assert set(lifecycle.status_after.values()) <= set(TASK_STATUS)


@pytest.mark.parametrize(
    ("kinds", "status", "task_status"),
    [
        ((), "open", "received"),
        (("acknowledged",), "acknowledged", "accepted"),
        (("acknowledged", "investigation_started"), "investigating", "in-progress"),
        (("awaiting_customer",), "awaiting_customer", "on-hold"),
        (("feedback_given",), "answered", "in-progress"),
        (("closed",), "closed", "completed"),
        (("closed", "reopened"), "open", "received"),
    ],
)
def test_task_status_follows_the_events(
    kinds: tuple[str, ...], status: str, task_status: str
) -> None:
    complaint = Complaint.receive(id="c-2", at=AT, by=STAFF, channel="letter", category="delay")
    for minutes, kind in enumerate(kinds, 1):
        complaint = complaint.add(kind, at=AT + timedelta(minutes=minutes), by=STAFF)
    _, task = resources(exported(complaint))
    assert complaint.status == status
    assert task["status"] == task_status
    assert task["businessStatus"]["coding"][0]["code"] == status


def test_white_space_text_travels_as_base64() -> None:
    enquiry = Enquiry.receive(id="e-2", at=AT, by=None, channel="web", subject="  ", note="\n")
    communication, task = resources(exported(enquiry))
    assert "contentAttachment" in communication["payload"][0]
    assert record_from_fhir([communication, task]) == enquiry


# -- import problems ------------------------------------------------------------------------------


def _bundle() -> dict[str, Any]:
    enquiry = Enquiry.receive(id="e-3", at=AT, by=STAFF, channel="telephone", subject="hours?")
    return exported(enquiry.add("responded", at=AT + timedelta(minutes=5), by=STAFF))


def _problems(document: Any) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        record_from_fhir(document)
    return [error.path for error in caught.value.errors]


def test_import_problems_are_named_by_location() -> None:
    bundle = _bundle()
    communication, _ = resources(bundle)
    assert "$" in _problems([communication])

    broken = copy.deepcopy(bundle)
    resources(broken)[1]["extension"][1]["extension"][1]["valueDateTime"] = "5 past 9"
    assert "Task.extension[1].extension[1]" in _problems(broken)

    broken = copy.deepcopy(bundle)
    resources(broken)[1]["focus"] = {"reference": "Communication/other"}
    assert "Task.focus" in _problems(broken)

    broken = copy.deepcopy(bundle)
    del resources(broken)[0]["category"]
    assert "Communication.category" in _problems(broken)

    broken = copy.deepcopy(bundle)
    resources(broken)[1]["extension"][1]["extension"][0]["valueCode"] = "posted_twice"
    with pytest.raises(ValidationError, match="posted_twice"):
        record_from_fhir(broken)


def test_refuses_other_records() -> None:
    with pytest.raises(ValidationError):
        record_to_fhir("not a record")  # type: ignore[arg-type]
