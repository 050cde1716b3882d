"""Quickstart: record a few complaints and enquiries, see their deadlines, round-trip them as JSON.

Run: python examples/quickstart.py
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import qse_customer as qse

LONDON = ZoneInfo("Europe/London")


def main() -> None:
    """Build a small sample of records and print what a quality manager needs to know."""
    calendar = qse.WorkingCalendar(
        timezone="Europe/London", country="GB", subdivision="ENG", opens="08:00", closes="17:00"
    )
    tech = qse.Actor("t-17", "Tara Tech", qse.Role.TECHNOLOGIST)
    manager = qse.Actor("qm-1", "Quinn Manager", qse.Role.QUALITY_MANAGER)

    received = [
        datetime(2026, 12, 24, 10, 0, tzinfo=LONDON),  # Christmas Eve, a Thursday
        datetime(2026, 12, 26, 11, 30, tzinfo=LONDON),  # Saturday, Boxing Day
        datetime(2026, 3, 27, 16, 45, tzinfo=LONDON),  # Friday before the clocks go forward
    ]
    print("Telephone enquiries: response due within 2 working days (source 003, §3.1.3)")
    for number, at in enumerate(received, start=1):
        enquiry = qse.Enquiry.receive(
            id=f"E-{number}", at=at, by=tech, channel="telephone", subject="result query"
        )
        due = calendar.add_working_days(enquiry.opened_at, 2)
        local_due = due.astimezone(LONDON)
        print(f"  {enquiry.id}: received {at:%a %d %b %H:%M}, due {local_due:%a %d %b %H:%M}")

    complaint = qse.Complaint.receive(
        id="C-1",
        at=received[0],
        by=tech,
        channel="email",
        category="turnaround",
        submitter=qse.Submitter(name="Dr Ward", contact="ward7@example.org"),
    ).add("corrective_action_initiated", at=received[0] + timedelta(hours=2), by=tech)
    anonymous = qse.Complaint.receive(
        id="C-2", at=received[0], by=tech, channel="form", category="courtesy", anonymous=True
    )
    print(f"\nComplaint {complaint.id}: status {complaint.status}, {len(complaint.events)} events")
    try:
        anonymous.add("feedback_given", at=received[0] + timedelta(days=1), by=manager)
    except qse.TransitionError as error:
        print(f"Refused, as it should be: {error}")

    document = qse.to_dict(complaint)
    document["channel"] = "fax"
    document["events"][0]["at"] = "2026-12-24T10:00:00"
    try:
        qse.from_dict(document)
    except qse.ValidationError as error:
        print(f"\nAn LIS payload with mistakes is refused, every field named:\n{error}")


if __name__ == "__main__":
    main()
