"""The sample lab's service contracts, the test requests made under them, and the customer
register with its needs (R-C1 to R-C5, R-N1 to R-N3, contract turnaround terms)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from ..core.contract import Contract, ServiceTerm
from ..core.customer import Customer
from ..core.test_request import TestRequest
from ..core.vocabulary import CustomerCategory, CustomerKind, NeedSource, Priority
from .staff import DIRECTOR, LEAD, QUALITY_MANAGER, SUPERVISOR, TECHNOLOGISTS, TRUST_CONTRACTS
from .timing import Timing

STAT_MINUTES = 60
ROUTINE_MINUTES = 24 * 60
TESTS = ("Full blood count", "Urea and electrolytes", "Troponin", "CRP", "Coagulation screen")
CLIENTS = (
    ("CTR-ED", "Riverside Emergency Department", "cust-ed", 365),
    ("CTR-GP", "Northgate GP Federation", "cust-gp", 180),
    ("CTR-HOS", "St Anne's Hospice", "cust-hospice", 365),
)
"""Contract id, client, customer id and review interval in days."""


def contracts(timing: Timing, start: datetime, at: datetime) -> list[Contract]:
    """Three contracts with STAT and routine turnaround terms, reviews and deviations."""
    rng = timing.rng
    found: list[Contract] = []
    for number, (contract_id, client, customer_id, interval) in enumerate(CLIENTS):
        entered = timing.working_moment(start - timedelta(days=200 + 40 * number), 10)
        terms = [ServiceTerm(test, Priority.ROUTINE, ROUTINE_MINUTES) for test in TESTS]
        if contract_id != "CTR-HOS":
            terms += [ServiceTerm(test, Priority.STAT, STAT_MINUTES) for test in TESTS[:3]]
        contract = Contract.enter(
            id=contract_id,
            at=entered,
            by=DIRECTOR,
            client=client,
            customer_id=customer_id,
            services=terms,
            review_interval_days=interval,
            deviation_report_days=2,
            communication_method="Results to the requesting clinician via the order comms system",
            starts_on=(entered + timedelta(days=60)).date(),
        )
        moment = timing.after(entered, rng.uniform(8, 40))
        contract = contract.add("requirements_defined", at=moment, by=TRUST_CONTRACTS)
        moment = timing.after(moment, rng.uniform(8, 40))
        contract = contract.add("capability_confirmed", at=moment, by=SUPERVISOR)
        moment = timing.after(moment, rng.uniform(4, 20))
        contract = contract.add("reviewed", at=moment, by=DIRECTOR, note="Initial review")
        started = timing.after(moment, rng.uniform(8, 30))
        contract = contract.add("services_started", at=started, by=DIRECTOR)
        review = started + timedelta(days=interval * 0.8)
        while review + timedelta(days=interval * 0.85) < at:
            contract = contract.add("reviewed", at=review, by=DIRECTOR, note="Scheduled review")
            review = review + timedelta(days=interval * rng.uniform(0.8, 0.92))
        if contract_id == "CTR-GP" and review < at:
            contract = contract.add("reviewed", at=review, by=DIRECTOR, note="Scheduled review")
        found.append(contract)
    return [_deviations(timing, contract, at) for contract in found]


def _deviations(timing: Timing, contract: Contract, at: datetime) -> Contract:
    """Deviations identified and reported to the client (one reported late, R-C5 clock)."""
    rng = timing.rng
    moment = contract.last_event_at
    for late in (False, contract.id == "CTR-ED"):
        moment = timing.working_moment(moment + timedelta(days=20), 60)
        if moment >= at - timedelta(days=10):
            break
        contract = contract.add(
            "deviation_identified", at=moment, by=SUPERVISOR, note="Analyser downtime"
        )
        hours = rng.uniform(20, 30) if late else rng.uniform(1, 12)
        reported = timing.after(moment, hours)
        contract = contract.add("deviation_reported", at=reported, by=DIRECTOR)
        if contract.id == "CTR-ED" and not late:
            amended = timing.after(reported, rng.uniform(10, 40))
            contract = contract.add(
                "amended",
                at=amended,
                by=TRUST_CONTRACTS,
                note="Troponin STAT added at the client's request",
                agreed_by=[DIRECTOR.name, TRUST_CONTRACTS.name],
            )
        moment = reported
    return contract


def test_requests(
    timing: Timing, contracts: list[Contract], start: datetime, at: datetime
) -> Iterator[TestRequest]:
    """Test requests under each contract's terms, mostly reported in time."""
    rng = timing.rng
    span = (at - start).total_seconds()
    moments = sorted(start + timedelta(seconds=rng.uniform(0, span)) for _ in range(620))
    moments += sorted(at - timedelta(minutes=rng.uniform(5, 300)) for _ in range(12))
    # Still running at ``at`` with most of their turnaround used: STAT at 50 and 55 minutes,
    # routine at 20 hours.
    urgent = [
        (at - timedelta(minutes=50), Priority.STAT),
        (at - timedelta(minutes=55), Priority.STAT),
        (at - timedelta(hours=20), Priority.ROUTINE),
    ]
    planned = [(moment, None) for moment in moments] + urgent
    for count, (received, priority) in enumerate(planned, start=1):
        contract = rng.choice(contracts[:2]) if priority else rng.choice(contracts)
        choices = [t for t in contract.services if priority is None or t.priority is priority]
        term = rng.choice(choices)
        request = TestRequest.receive(
            id=f"REQ-{count:05d}",
            at=received,
            by=rng.choice(TECHNOLOGISTS),
            test=term.test,
            priority=term.priority,
            contract_id=contract.id,
            site="Main laboratory",
        )
        limit = term.turnaround_minutes
        share = rng.uniform(1.05, 2.2) if rng.random() < 0.06 else rng.betavariate(2, 3) * 0.95
        reported = received + timedelta(minutes=max(4.0, limit * share))
        if reported < at and priority is None:
            request = request.add("result_reported", at=reported, by=rng.choice(TECHNOLOGISTS))
        yield request


CUSTOMERS = (
    ("cust-ed", "Emergency Department", CustomerKind.INTERNAL, CustomerCategory.DEPARTMENT),
    ("cust-gp", "Northgate GP Federation", CustomerKind.EXTERNAL, CustomerCategory.FACILITY),
    ("cust-hospice", "St Anne's Hospice", CustomerKind.EXTERNAL, CustomerCategory.FACILITY),
    ("cust-ward7", "Ward 7 (Acute Medicine)", CustomerKind.INTERNAL, CustomerCategory.WARD),
    ("cust-ward12", "Ward 12 (Surgery)", CustomerKind.INTERNAL, CustomerCategory.WARD),
    ("cust-theatres", "Main Theatres", CustomerKind.INTERNAL, CustomerCategory.DEPARTMENT),
    ("cust-opd", "Outpatient Clinics", CustomerKind.INTERNAL, CustomerCategory.DEPARTMENT),
    ("cust-haem", "Haematology bench", CustomerKind.INTERNAL, CustomerCategory.INTERNAL_STEP),
    (
        "cust-refl",
        "Eastfield Hospital Laboratory",
        CustomerKind.EXTERNAL,
        CustomerCategory.REFERRING_LAB,
    ),
    ("cust-patients", "Patients", CustomerKind.EXTERNAL, CustomerCategory.PATIENT),
    ("cust-clin", "Consultant clinicians", CustomerKind.EXTERNAL, CustomerCategory.CLINICIAN),
    ("cust-icb", "Riverside Integrated Care Board", CustomerKind.EXTERNAL, CustomerCategory.PAYER),
)
NEEDS = (
    (
        "Urgent results within the hour",
        "STAT results phoned within 60 minutes",
        NeedSource.CONTRACT,
    ),
    ("Clear collection instructions", "Sample requirements in the handbook", NeedSource.SURVEY),
    ("Short waits at phlebotomy", "Seen within 20 minutes", NeedSource.COMPLAINT),
    ("One number to call", "Telephone answered within three rings", NeedSource.MEETING),
)


def customers(timing: Timing, start: datetime) -> list[Customer]:
    """The customer register: who the lab serves and what each needs, with the changes made."""
    rng = timing.rng
    register: list[Customer] = []
    for number, (customer_id, name, kind, category) in enumerate(CUSTOMERS):
        identified = timing.working_moment(start - timedelta(days=300), 200)
        by = DIRECTOR if number % 2 else SUPERVISOR
        if customer_id == "cust-haem":
            by = LEAD  # a lead technologist may not add to the register (R-N1)
        customer = Customer.identify(
            id=customer_id,
            at=identified,
            by=by,
            name=name,
            kind=kind,
            category=category,
            site="Riverside Hospital",
        )
        moment = identified
        for description, expectation, source in rng.sample(NEEDS, 2):
            moment = timing.after(moment, rng.uniform(8, 200))
            customer = customer.identify_need(
                description, at=moment, by=QUALITY_MANAGER, expectation=expectation, source=source
            )
        moment = timing.working_moment(start, 200)
        customer = customer.add(
            "needs_reviewed", at=max(moment, customer.last_event_at), by=SUPERVISOR
        )
        if rng.random() < 0.4:
            moment = timing.after(customer.last_event_at, rng.uniform(8, 80))
            customer = customer.add(
                "process_change_determined",
                at=moment,
                by=QUALITY_MANAGER,
                change="Collection instructions rewritten with the ward",
            )
        register.append(customer)
    return register
