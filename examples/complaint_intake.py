"""Complaint intake from an LIS: validate each JSON payload before it becomes a record.

An LIS sends complaints as JSON. `qse.from_dict` validates a payload against the shipped JSON
Schema and the record model; a bad payload is refused whole, with every bad field named by its
JSON path, so the LIS can show its user what to fix. An anonymous complaint refuses any identity
of its submitter (source 000, "Managing Customer Complaints").

Run: python examples/complaint_intake.py
"""

from __future__ import annotations

import json
from datetime import timedelta

import qse_customer as qse

VALID_PAYLOAD = """
{
  "type": "complaint",
  "id": "C-2026-0142",
  "channel": "telephone",
  "category": "turnaround",
  "customer_kind": "external",
  "customer_group": "general practice",
  "severity": "high",
  "site": "main laboratory",
  "summary": "Potassium result for a home-visit patient arrived after the surgery closed.",
  "submitter": {"name": "Dr A Patel", "contact": "surgery@example.org"},
  "events": [
    {
      "kind": "received",
      "at": "2026-03-02T09:15:00+00:00",
      "actor": {"id": "t-17", "name": "Tara Tech", "role": "technologist"},
      "data": {},
      "note": "taken by telephone"
    }
  ]
}
"""

# What a hurried interface might send: a channel the schema does not know, a time without an
# offset, a job title where a role belongs, a severity of its own and a field nobody defined.
MISTAKES = {
    "channel": "fax",
    "severity": "urgent",
    "priority_flag": True,
}


def invalid_payload() -> dict[str, object]:
    """The valid payload with the mistakes an interface might make."""
    payload = json.loads(VALID_PAYLOAD)
    payload.update(MISTAKES)
    payload["id"] = "C-2026-0143"
    payload["events"][0]["at"] = "2026-03-02 09:40"
    payload["events"][0]["actor"]["role"] = "porter"
    return dict(payload)


def main() -> None:
    """Accept a good payload, refuse a bad one with every problem, keep anonymity anonymous."""
    print("1. A valid payload from the LIS becomes a record")
    complaint = qse.from_dict(json.loads(VALID_PAYLOAD))
    assert isinstance(complaint, qse.Complaint)
    print(f"   accepted {complaint.id}: {complaint.channel.value} complaint about")
    print(f"   {complaint.category!r}, status {complaint.status}, received {complaint.opened_at}")

    print("\n2. An invalid payload is refused whole, every bad field named by its JSON path")
    try:
        qse.from_dict(invalid_payload())
    except qse.ValidationError as error:
        print(f"   refused: {len(error.errors)} problems")
        for problem in error.errors:
            print(f"   {problem.path}: {problem.message}")

    print("\n3. An anonymous complaint holds no identity of its submitter")
    anonymous_payload = json.loads(VALID_PAYLOAD)
    anonymous_payload.update(id="C-2026-0144", anonymous=True)
    try:
        qse.from_dict(anonymous_payload)
    except qse.ValidationError as error:
        print(f"   payload refused: {error.errors[0].path}: {error.errors[0].message}")

    received = complaint.opened_at
    try:
        qse.Complaint.receive(
            id="C-2026-0145",
            at=received,
            by=None,
            channel="form",
            category="courtesy",
            anonymous=True,
            submitter=qse.Submitter(name="Night porter"),
        )
    except qse.PrivacyError as error:
        print(f"   Complaint.receive refused: {error}")

    anonymous = qse.Complaint.receive(
        id="C-2026-0146", at=received, by=None, channel="form", category="courtesy", anonymous=True
    )
    try:
        anonymous.add("note_added", at=received + timedelta(hours=1), by=None, phone="07700 900123")
    except qse.PrivacyError as error:
        print(f"   a note with a phone number refused: {error}")
    manager = qse.Actor("qm-1", "Quinn Manager", qse.Role.QUALITY_MANAGER)
    try:
        anonymous.add("feedback_given", at=received + timedelta(days=1), by=manager)
    except qse.TransitionError as error:
        print(f"   feedback refused: {error}")
    stored = qse.to_dict(anonymous)
    print(f"   stored as anonymous={stored['anonymous']}, submitter={stored['submitter']}")


if __name__ == "__main__":
    main()
