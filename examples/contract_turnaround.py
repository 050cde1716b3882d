"""A service level agreement's turnaround terms checked against the night's result times.

The laboratory's contract with the Emergency Department promises troponin STAT within 60 minutes
and routine within 24 hours, and a full blood count STAT within 60 minutes, measured from receipt
in the laboratory to the result reported (source 001, "Service Level Agreement"). `contract_rules`
turns the contract's terms into rules; the test requests of one weekend night are checked against
them on Sunday morning, as a nightly job would. A deviation from the contract must be reported to
the client within 2 working days (source 000, "Provision of Laboratory Services").

Run: python examples/contract_turnaround.py
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import qse_customer as qse

LONDON = ZoneInfo("Europe/London")
CALENDAR = qse.WorkingCalendar(
    timezone="Europe/London", country="GB", subdivision="ENG", opens="08:00", closes="17:00"
)
DIRECTOR = qse.Actor("d-1", "Dr Dana Director", qse.Role.LABORATORY_DIRECTOR)
SCIENTIST = qse.Actor("b-4", "Ben Scientist", qse.Role.TECHNOLOGIST)
NIGHT = datetime(2026, 3, 7, 22, 0, tzinfo=LONDON)  # Saturday evening
AT = datetime(2026, 3, 8, 8, 0, tzinfo=LONDON)  # Sunday morning, when the nightly job runs


def contract() -> qse.Contract:
    """The ED contract, agreed and reviewed before services started."""
    agreed = datetime(2026, 3, 2, 9, 0, tzinfo=LONDON)
    terms = [
        qse.ServiceTerm("troponin", "stat", 60),
        qse.ServiceTerm("troponin", "routine", 24 * 60),
        qse.ServiceTerm("full blood count", "stat", 60),
    ]
    return (
        qse.Contract.enter(
            id="SLA-ED-2026",
            at=agreed,
            by=DIRECTOR,
            client="Emergency Department",
            services=terms,
            review_interval_days=365,
            deviation_report_days=2,
        )
        .add("requirements_defined", at=agreed + timedelta(hours=1), by=DIRECTOR)
        .add("capability_confirmed", at=agreed + timedelta(hours=2), by=DIRECTOR)
        .add("reviewed", at=agreed + timedelta(hours=3), by=DIRECTOR)
        .add("services_started", at=agreed + timedelta(days=1), by=DIRECTOR)
        .add("deviation_identified", at=NIGHT + timedelta(hours=3), by=SCIENTIST)
    )


# (request, test, priority, minutes after 22:00 received in the lab, minutes to the result)
NIGHT_LOG = [
    ("TR-1", "troponin", "stat", 0, 42),
    ("TR-2", "troponin", "stat", 65, 75),
    ("TR-3", "full blood count", "stat", 120, 38),
    ("TR-4", "troponin", "routine", 30, 9 * 60),
    ("TR-5", "full blood count", "stat", 550, None),
    ("TR-6", "troponin", "routine", 200, None),
]


def test_requests(contract_id: str) -> list[qse.TestRequest]:
    """The night's requests under the contract, as the LIS recorded them."""
    requests = []
    for request_id, test, priority, received_after, result_after in NIGHT_LOG:
        received = NIGHT + timedelta(minutes=received_after)
        request = qse.TestRequest.receive(
            id=request_id,
            at=received,
            by=SCIENTIST,
            test=test,
            priority=priority,
            contract_id=contract_id,
        )
        if result_after is not None:
            reported = received + timedelta(minutes=result_after)
            request = request.add("result_reported", at=reported, by=SCIENTIST)
        requests.append(request)
    return requests


def main() -> None:
    """Compile the contract's terms and check the night's requests against them."""
    agreement = contract()
    ruleset = qse.contract_rules(agreement)
    print(f"Rules compiled from contract {agreement.id} with {agreement.client}:")
    for rule in ruleset.rules:
        print(f"  {rule.id}: {rule.title}")

    records = [agreement, *test_requests(agreement.id)]
    report = qse.check(records, ruleset, calendar=CALENDAR, at=AT, keep=list(qse.Status))
    print(f"\nChecked {report.records} records as of {AT:%a %d %b %Y %H:%M} (London):")
    for rule in report.rules:
        counts = rule.counts
        if not counts.checked:
            continue
        share = f"{counts.share_met:.0%}" if counts.share_met is not None else "-"
        median = counts.elapsed_median_seconds
        typical = f", median {median / 60:.0f} min" if median is not None else ""
        print(
            f"  {rule.rule_id}: {counts.met} met, {counts.breached} breached, {counts.at_risk} "
            f"at risk, {counts.pending} pending (share met {share}{typical})"
        )

    print("\nWhy:")
    for finding in report.findings:
        if finding.status is qse.Status.NOT_APPLICABLE:
            continue
        print(f"  [{finding.status.value}] {finding.record_id}: {finding.message}")


if __name__ == "__main__":
    main()
