"""An enquiry desk's fortnight checked against the shipped customer-service standards.

Telephone enquiries, voicemail, letters, e-mail and a Freedom of Information request, each with
what the desk did and when, checked as of Thursday 14 May 2026 at noon against the shipped
`customer-service-standards` ruleset (T-1 to T-8, source 003, sections 3.1 to 3.5). Each finding
says in plain words why it is met, breached, at risk or still pending.

Run: python examples/enquiry_desk.py
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import qse_customer as qse

LONDON = ZoneInfo("Europe/London")
CALENDAR = qse.WorkingCalendar(
    timezone="Europe/London", country="GB", subdivision="ENG", opens="08:00", closes="17:00"
)
DESK = qse.Actor("r-3", "Rita Reception", qse.Role.TECHNOLOGIST)
AT = datetime(2026, 5, 14, 12, 0, tzinfo=LONDON)  # a Thursday


def may(day: int, hour: int, minute: int = 0) -> datetime:
    """A time in May 2026 on the lab's wall clock."""
    return datetime(2026, 5, day, hour, minute, tzinfo=LONDON)


def enquiries() -> list[qse.Record]:
    """Two weeks at the desk: Monday 4 May 2026 is the Early May bank holiday."""
    phoned = qse.Enquiry.receive(
        id="E-101", at=may(1, 10), by=DESK, channel="telephone", subject="result query"
    ).add("responded", at=may(5, 16), by=DESK)
    kept_informed = (
        qse.Enquiry.receive(id="E-102", at=may(6, 11), by=DESK, channel="telephone")
        .add("progress_update", at=may(7, 15), by=DESK)
        .add("progress_update", at=may(11, 10), by=DESK)
        .add("responded", at=may(13, 9), by=DESK)
    )
    late_email = qse.Enquiry.receive(id="E-103", at=may(7, 18), by=None, channel="email").add(
        "responded", at=may(13, 9), by=DESK
    )
    voicemail = (
        qse.Enquiry.receive(id="E-104", at=may(8, 19), by=None, channel="voicemail")
        .add("retrieved", at=may(11, 8, 30), by=DESK)
        .add("responded", at=may(11, 11), by=DESK)
    )
    freedom_of_information = qse.Enquiry.receive(
        id="E-105", at=may(1, 22), by=None, channel="email", freedom_of_information=True
    ).add("acknowledged", at=may(5, 9), by=DESK)
    clinical_letter = qse.Enquiry.receive(
        id="E-106", at=may(12, 9), by=None, channel="letter", clinical=True
    ).add("transcribed", at=may(13, 9), by=DESK)
    waiting_call = qse.Enquiry.receive(id="E-107", at=may(12, 9), by=DESK, channel="telephone")
    acknowledged_letter = qse.Enquiry.receive(
        id="E-108", at=may(5, 14), by=None, channel="letter", subject="parking charges"
    ).add("acknowledged", at=may(11, 16), by=DESK)
    return [
        phoned,
        kept_informed,
        late_email,
        voicemail,
        freedom_of_information,
        clinical_letter,
        waiting_call,
        acknowledged_letter,
        *calls(),
    ]


def calls() -> list[qse.Record]:
    """The telephone system's log of rings before each call was answered (T-7), as JSON."""
    log = [("CALL-1", may(11, 9, 2), 2, True), ("CALL-2", may(11, 9, 30), 5, True)]
    log.append(("CALL-3", may(11, 12, 45), 7, False))  # lunchtime, no one free to answer
    return [
        qse.from_dict(
            {
                "type": "measurement",
                "id": call_id,
                "measure": "telephone_rings",
                "value": rings,
                "unit": "rings",
                "attributes": {"staff_available": available},
                "events": [{"kind": "measured", "at": at.isoformat()}],
            }
        )
        for call_id, at, rings, available in log
    ]


def main() -> None:
    """Check the desk's enquiries and print what a quality manager needs to see."""
    ruleset = qse.load_ruleset("customer-service-standards")
    report = qse.check(enquiries(), ruleset, calendar=CALENDAR, at=AT, keep=list(qse.Status))
    print(f"{ruleset.label}, checked as of {AT:%a %d %b %Y %H:%M} (London)\n")
    print(f"{'standard':9}{'checked':>8}{'met':>5}{'breached':>9}{'at risk':>8}{'pending':>8}")
    for rule in report.rules:
        counts = rule.counts
        if counts.checked:
            print(
                f"{rule.rule_id:9}{counts.checked:>8}{counts.met:>5}{counts.breached:>9}"
                f"{counts.at_risk:>8}{counts.pending:>8}"
            )
    print("\nFindings, in plain words:")
    for finding in report.findings:
        if finding.status is not qse.Status.NOT_APPLICABLE:
            print(f"\n[{finding.status.value}] {finding.rule_id} on {finding.record_id}")
            print(f"  {finding.message}")


if __name__ == "__main__":
    main()
