"""The sample lab's complaints: named and anonymous, internal and external, with histories that
mostly follow the responsibility matrix (R-K1 to R-K5) and the complaints-handling standard (H-1
to H-5: acknowledged, investigated and decided by people not involved, wrong results corrected,
the complainant told the outcome or kept informed, effectiveness reviewed), and sometimes do
not."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from ..core.complaint import Complaint
from ..core.parties import Submitter
from ..core.roles import Actor
from ..core.vocabulary import Channel, CustomerKind, Severity
from .staff import DIRECTOR, LEAD, QUALITY_MANAGER, RECEPTION, SUPERVISOR, TECHNOLOGISTS
from .timing import Timing

CATEGORIES = (
    ("Turnaround delay", 30),
    ("Result communication", 16),
    ("Phlebotomy waiting time", 13),
    ("Sample lost or rejected", 12),
    ("Staff attitude", 9),
    ("Request form and labelling", 8),
    ("Billing", 5),
    ("Other", 4),
)
EXTERNAL_GROUPS = ("GP practices", "Outpatients", "Patients", "Referring laboratories")
INTERNAL_GROUPS = ("Wards", "Emergency Department", "Theatres", "Specimen reception")
SITES = ("Main laboratory", "Outpatient phlebotomy", "Community hub")
CHANNELS = (Channel.TELEPHONE, Channel.EMAIL, Channel.FORM, Channel.LETTER, Channel.FACE_TO_FACE)
MONTHLY = (19, 21, 18, 20, 22, 24, 23, 21, 25, 26, 22, 20)
"""Complaints received in each month of the sample year (April to March)."""
SPIKE_MONTH = 7
"""The month (0 = the first of the year) an analyser failure added turnaround complaints."""
RESULT_CATEGORY = "Result communication"
"""Complaints of this category sometimes say a reported result is wrong (H-4)."""
STAFF_CATEGORY = "Staff attitude"
"""Complaints of this category name the member of staff involved (H-3)."""


class ComplaintDesk:
    """Generates complaints whose histories meet or breach the responsibility rules."""

    def __init__(self, timing: Timing, at: datetime) -> None:
        self.timing = timing
        self.rng = timing.rng
        self.at = at
        self.count = 0

    def _then(
        self,
        complaint: Complaint,
        kind: str,
        at: datetime,
        by: Actor | None,
        data: dict[str, str] | None = None,
    ) -> Complaint:
        if at >= self.at:
            return complaint
        return complaint.add(kind, at=max(at, complaint.last_event_at), by=by, **(data or {}))

    def _pick(self, category: str | None) -> str:
        if category is not None:
            return category
        names = [name for name, _ in CATEGORIES]
        weights = [weight for _, weight in CATEGORIES]
        return self.rng.choices(names, weights)[0]

    def receive(self, received: datetime, category: str | None = None) -> Complaint:
        """One complaint received at ``received`` with the history that followed."""
        rng = self.rng
        self.count += 1
        internal = rng.random() < 0.3
        anonymous = rng.random() < (0.45 if internal else 0.12)
        severity = rng.choices(list(Severity), (40, 40, 16, 4))[0]
        receiver = rng.choice(RECEPTION)
        if rng.random() < 0.015:
            receiver = SUPERVISOR if rng.random() < 0.5 else DIRECTOR
        submitter = None
        if not anonymous:
            submitter = Submitter(name=f"Complainant {self.count:04d}", contact="on file")
        picked = self._pick(category)
        involved: tuple[str, ...] = ()
        if picked == STAFF_CATEGORY:
            involved = (rng.choice((LEAD, *TECHNOLOGISTS)).id,)
        complaint = Complaint.receive(
            id=f"CMP-{received:%Y}-{self.count:04d}",
            at=received,
            by=receiver,
            channel=rng.choice(CHANNELS) if not anonymous else Channel.FORM,
            category=picked,
            anonymous=anonymous,
            submitter=submitter,
            customer_kind=CustomerKind.INTERNAL if internal else CustomerKind.EXTERNAL,
            customer_group=rng.choice(INTERNAL_GROUPS if internal else EXTERNAL_GROUPS),
            severity=severity,
            site=rng.choice(SITES),
            summary="Details recorded on the complaint form.",
            people_involved=involved,
            wrong_result=picked == RESULT_CATEGORY and not anonymous and rng.random() < 0.4,
        )
        return self._history(complaint, received)

    def _investigator(self, complaint: Complaint) -> Actor:
        """The lead technologist, unless the complaint is about them (then the supervisor); now
        and then the one it is about investigates anyway (H-3)."""
        involved = complaint.people_involved
        if involved and self.rng.random() < 0.1:
            return next(a for a in (LEAD, *TECHNOLOGISTS) if a.id == involved[0])
        return SUPERVISOR if LEAD.id in involved else LEAD

    def _wrong_result(self, complaint: Complaint, moment: datetime) -> tuple[Complaint, datetime]:
        """A complaint about a wrong result: linked to its test request (now and then only
        after the decision, H-4a), and when the result was wrong, a corrected report and the
        requester told, usually at once and sometimes late (H-4c, H-4d)."""
        rng = self.rng
        after = self.timing.after
        request = {"test_request": f"REQ-{rng.randint(1, 640):05d}"}
        if rng.random() < 0.9:
            complaint = self._then(complaint, "test_request_linked", moment, LEAD, request)
        if rng.random() < 0.6:
            moment = after(moment, rng.uniform(1, 6))
            complaint = self._then(complaint, "result_error_confirmed", moment, LEAD)
            late = rng.random() < 0.12
            issued = after(moment, rng.uniform(10, 20) if late else rng.uniform(0.2, 3))
            complaint = self._then(complaint, "corrected_report_issued", issued, None, request)
            told = after(moment, rng.uniform(0.1, 2))
            complaint = self._then(complaint, "requester_notified", told, SUPERVISOR)
            moment = max(issued, told)
        return complaint, moment

    def _history(self, complaint: Complaint, received: datetime) -> Complaint:
        rng = self.rng
        after = self.timing.after
        moment = after(received, rng.uniform(1, 14) if rng.random() > 0.04 else rng.uniform(28, 40))
        acknowledger = None if rng.random() < 0.3 else QUALITY_MANAGER  # None: an auto-reply
        complaint = self._then(complaint, "acknowledged", moment, acknowledger)
        moment = after(moment, rng.uniform(2, 20))
        complaint = self._then(
            complaint, "investigation_started", moment, self._investigator(complaint)
        )
        if complaint.wrong_result:
            complaint, moment = self._wrong_result(complaint, after(moment, rng.uniform(1, 8)))
        actor = rng.choice((LEAD, *TECHNOLOGISTS, QUALITY_MANAGER, SUPERVISOR))
        if rng.random() < 0.02:
            actor = DIRECTOR  # the director may not initiate corrective action (R-K2)
        moment = after(moment, rng.uniform(4, 40))
        complaint = self._then(complaint, "corrective_action_initiated", moment, actor)
        moment = after(moment, rng.uniform(8, 60))
        complaint = self._then(
            complaint, "corrective_action_documented", moment, rng.choice((LEAD, QUALITY_MANAGER))
        )
        if rng.random() < 0.08:  # a long investigation: the complainant kept informed (H-2)
            update = self.timing.within(received, self._target(received), 0.9)
            if update > moment and not complaint.anonymous and rng.random() < 0.8:
                complaint = self._then(complaint, "progress_update", update, QUALITY_MANAGER)
            moment = max(moment, after(self._target(received), rng.uniform(10, 60)))
        decider = rng.choice((SUPERVISOR, QUALITY_MANAGER))
        if complaint.people_involved and rng.random() < 0.05:
            decider = self._investigator(complaint)
        if rng.random() > 0.03:  # now and then no decision is recorded (H-3-recorded)
            moment = after(moment, rng.uniform(1, 8))
            complaint = self._then(complaint, "outcome_decided", moment, decider)
        if complaint.wrong_result and not complaint.first("test_request_linked"):
            request = {"test_request": f"REQ-{rng.randint(1, 640):05d}"}
            complaint = self._then(complaint, "test_request_linked", moment, LEAD, request)
        if not complaint.anonymous and rng.random() > 0.03:
            giver = rng.choice((SUPERVISOR, QUALITY_MANAGER))
            if rng.random() < 0.03:
                giver = LEAD  # feedback is for the supervisor or quality manager (R-K3)
            moment = after(moment, rng.uniform(2, 24))
            complaint = self._then(complaint, "feedback_given", moment, giver)
        moment = after(moment, rng.uniform(8, 80))
        analyst = QUALITY_MANAGER if rng.random() > 0.02 else SUPERVISOR
        complaint = self._then(complaint, "analysed", moment, analyst)
        if complaint.first("corrective_action_documented") and rng.random() > 0.06:
            moment = after(moment, rng.uniform(20, 120))
            reviewer = QUALITY_MANAGER if rng.random() > 0.03 else LEAD  # H-5-who
            complaint = self._then(complaint, "effectiveness_reviewed", moment, reviewer)
        moment = after(moment, rng.uniform(1, 16))
        if complaint.status != "open" and complaint.first("corrective_action_documented"):
            complaint = self._then(complaint, "closed", moment, QUALITY_MANAGER)
        return complaint

    def _target(self, received: datetime) -> datetime:
        """The lab's target for telling the outcome: 25 working days (H-2)."""
        return self.timing.calendar.add_working_days(received, 25)


def _month_start(start: datetime, months: int) -> datetime:
    month = start.month - 1 + months
    return start.replace(year=start.year + month // 12, month=month % 12 + 1, day=1)


def complaints(timing: Timing, start: datetime, at: datetime) -> Iterator[Complaint]:
    """A year of complaints month by month from ``start`` (a first of the month) up to ``at``."""
    desk = ComplaintDesk(timing, at)
    moments: list[tuple[datetime, str | None]] = []
    for month, count in enumerate(MONTHLY):
        first = _month_start(start, month)
        days = (_month_start(start, month + 1) - first).days
        extra = 14 if month == SPIKE_MONTH else 0
        moments.extend((timing.working_moment(first, days), None) for _ in range(count))
        moments.extend(
            (timing.working_moment(first + timedelta(days=3), 14), "Turnaround delay")
            for _ in range(extra)
        )
    for received, category in sorted(moments, key=lambda pair: pair[0]):
        if received < at - timedelta(minutes=30):
            yield desk.receive(received, category)
