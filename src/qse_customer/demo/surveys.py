"""The sample lab's survey rounds, with responses scored by the shipped instruments, its
telephone and website measurements (T-7, T-8) and its referrals for process improvement."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime, timedelta

from ..analysis.instrument_registry import load_instrument
from ..analysis.survey_round import anonymous_response
from ..core.complaint import Complaint
from ..core.measurement import Measurement
from ..core.parties import RecordRef
from ..core.referral import Referral
from ..core.roles import Role
from ..core.survey import Answer, Survey, SurveyResponse
from ..core.vocabulary import CustomerKind
from .staff import DIRECTOR, MANAGEMENT, QUALITY_MANAGER, SUPERVISOR
from .timing import Timing

CLINICIAN_ITEMS = {
    "overall": 4.1,
    "tat_routine": 3.9,
    "tat_urgent": 3.6,
    "tat_delays": 3.2,
    "report_accuracy": 4.4,
    "report_clarity": 4.1,
    "report_critical": 4.0,
    "report_access": 3.8,
    "courtesy_staff": 4.3,
    "courtesy_professional": 4.4,
    "phlebotomy_availability": 3.4,
    "phlebotomy_experience": 3.7,
    "phlebotomy_collection": 3.9,
    "comm_reach": 3.1,
    "comm_enquiries": 3.4,
    "comm_advice": 3.9,
    "comm_changes": 3.0,
    "menu_meets_needs": 4.0,
    "menu_requirements": 3.8,
}
"""Mean answer of each clinician-survey item in the sample lab (1-5)."""


def _likert(rng: random.Random, mean: float, mood: float, low: int = 1, high: int = 5) -> int:
    return max(low, min(high, round(rng.gauss(mean + mood, 0.8))))


def clinician_answers(rng: random.Random, shift: float = 0.0) -> dict[str, Answer]:
    """One clinician's answers to the lab-services-clinician instrument."""
    mood = rng.gauss(shift, 0.45)
    answers: dict[str, Answer] = {}
    for item, mean in CLINICIAN_ITEMS.items():
        if item.startswith("phlebotomy") and rng.random() < 0.3:
            answers[item] = "not_applicable"
        elif rng.random() < 0.04:
            answers[item] = None
        else:
            answers[item] = _likert(rng, mean, mood)
    answers["recommend"] = max(0, min(10, round(rng.gauss(7.8 + 2 * mood, 1.6))))
    return answers


def _round(
    timing: Timing,
    *,
    survey: Survey,
    opened: datetime,
    answers: Iterator[dict[str, Answer]],
    count: int,
    at: datetime,
    prefix: str,
) -> tuple[Survey, list[SurveyResponse]]:
    rng = timing.rng
    responses = []
    for number in range(count):
        moment = opened + timedelta(days=rng.uniform(0.2, 40))
        if moment >= at:
            continue
        responses.append(
            anonymous_response(
                id=f"{prefix}-{number + 1:03d}",
                at=moment,
                survey_id=survey.id,
                instrument=survey.instrument,
                answers=next(answers),
                customer_kind=survey.audience,
            )
        )
    return survey, responses


def surveys(timing: Timing, start: datetime, at: datetime) -> Iterator[Survey | SurveyResponse]:
    """Last year's and this year's clinician surveys, a patient understanding survey run without
    approval, and a staff culture self-assessment still in the field at ``at``."""
    rng = timing.rng
    for year, shift, count in ((start.year - 1, -0.15, 64), (start.year, 0.05, 83)):
        created = timing.working_moment(datetime(year, 9, 1, 9, tzinfo=start.tzinfo), 3)
        survey = Survey.create(
            id=f"SUR-{year}-CLIN",
            at=created,
            by=QUALITY_MANAGER,
            title=f"Clinician satisfaction survey {year}",
            audience=CustomerKind.EXTERNAL,
            instrument="lab-services-clinician",
        )
        survey = survey.add("approved", at=timing.after(created, 20), by=DIRECTOR)
        conducted = timing.after(survey.last_event_at, 30)
        survey = survey.add("conducted", at=conducted, by=QUALITY_MANAGER, invited=210)
        survey, responses = _round(
            timing,
            survey=survey,
            opened=conducted,
            answers=iter(lambda s=shift: clinician_answers(rng, s), None),  # type: ignore[misc]
            count=count,
            at=at,
            prefix=f"RSP-{year}-CLIN",
        )
        survey = survey.add("collected", at=conducted + timedelta(days=42), by=QUALITY_MANAGER)
        survey = survey.add("analysed", at=timing.after(survey.last_event_at, 60), by=SUPERVISOR)
        survey = survey.add(
            "submitted_for_review", at=timing.after(survey.last_event_at, 50), by=MANAGEMENT
        )
        yield survey
        yield from responses
    yield from _patient_survey(timing, start, at)
    yield from _staff_survey(timing, at)


def _patient_survey(
    timing: Timing, start: datetime, at: datetime
) -> Iterator[Survey | SurveyResponse]:
    rng = timing.rng
    created = timing.working_moment(start + timedelta(days=75), 5)
    survey = Survey.create(
        id=f"SUR-{start.year}-PAT",
        at=created,
        by=SUPERVISOR,
        title="Patient understanding at discharge (three questions)",
        audience=CustomerKind.EXTERNAL,
        instrument="understanding",
    )
    # Conducted before anyone approved it: R-S1 requires approval first.
    conducted = timing.after(created, 6)
    survey = survey.add("conducted", at=conducted, by=SUPERVISOR, invited=160)
    survey = survey.add("approved", at=timing.after(conducted, 30), by=QUALITY_MANAGER)

    def answers() -> dict[str, Answer]:
        return {
            "diagnosis": rng.random() < 0.86,
            "treatment": rng.random() < 0.78,
            "next_steps": rng.random() < 0.64,
        }

    survey, responses = _round(
        timing,
        survey=survey,
        opened=conducted,
        answers=iter(answers, None),
        count=118,
        at=at,
        prefix=f"RSP-{start.year}-PAT",
    )
    survey = survey.add("collected", at=conducted + timedelta(days=45), by=SUPERVISOR)
    survey = survey.add("analysed", at=timing.after(survey.last_event_at, 40), by=QUALITY_MANAGER)
    yield survey
    yield from responses


def _staff_survey(timing: Timing, at: datetime) -> Iterator[Survey | SurveyResponse]:
    rng = timing.rng
    created = timing.working_moment(at - timedelta(days=45), 3)
    survey = Survey.create(
        id=f"SUR-{at.year}-STAFF",
        at=created,
        by=QUALITY_MANAGER,
        title="Customer-focused culture: staff self-assessment",
        audience=CustomerKind.INTERNAL,
        instrument="customer-focused-culture",
    )
    survey = survey.add("approved", at=timing.after(created, 12), by=SUPERVISOR)
    conducted = timing.after(survey.last_event_at, 16)
    survey = survey.add("conducted", at=conducted, by=QUALITY_MANAGER, invited=48)
    means = {"c1": 3.4, "c2": 3.9, "c3": 3.2, "c4": 3.6, "c5": 3.0, "c6": 3.3}
    items = [item.id for item in load_instrument("customer-focused-culture").items]

    def answers() -> dict[str, Answer]:
        mood = rng.gauss(0, 0.4)
        return {item: _likert(rng, means[item.split("_")[0]], mood) for item in items}

    survey, responses = _round(
        timing,
        survey=survey,
        opened=conducted,
        answers=iter(answers, None),
        count=34,
        at=at,
        prefix=f"RSP-{at.year}-STAFF",
    )
    yield survey
    yield from responses


def measurements(timing: Timing, start: datetime, at: datetime) -> Iterator[Measurement]:
    """Rings before sampled telephone calls were answered (T-7), website outages (T-8) and the
    minutes each reception was unstaffed on each working day of the last eight weeks (CS-3.6)."""
    rng = timing.rng
    span = (at - start).days
    for number in range(160):
        moment = timing.working_moment(start, span)
        if moment >= at:
            continue
        rings = rng.choices((1, 2, 3, 4, 5, 6), (30, 34, 24, 7, 3, 2))[0]
        yield Measurement.record(
            id=f"MEA-RING-{number + 1:03d}",
            at=moment,
            by=None,
            measure="telephone_rings",
            value=rings,
            unit="rings",
            attributes={"staff_available": rng.random() < 0.9},
        )
    for number, minutes in enumerate((35, 120, 18, 260, 45, 75)):
        moment = start + timedelta(days=rng.uniform(0, span), hours=rng.uniform(0, 24))
        if moment >= at:
            continue
        yield Measurement.record(
            id=f"MEA-WEB-{number + 1:02d}",
            at=moment,
            by=None,
            measure="website_downtime",
            value=minutes,
            unit="minutes",
            subject="www.riverside-lab.example",
        )
    day = at - timedelta(weeks=8)
    while day < at - timedelta(days=1):
        day += timedelta(days=1)
        if not timing.calendar.is_working_day(day):
            continue
        opening = timing.calendar.next_opening(day.replace(hour=0, minute=0))
        for reception in ("Main reception", "Outpatient phlebotomy"):
            minutes = rng.choice((15, 20, 30, 45)) if rng.random() < 0.04 else 0
            yield Measurement.record(
                id=f"MEA-RCP-{opening:%Y%m%d}-{reception.split()[0].upper()}",
                at=opening,
                by=None,
                measure="reception_unstaffed",
                value=minutes,
                unit="minutes",
                subject=reception,
            )


def referrals(
    timing: Timing, complaints: list[Complaint], start: datetime, at: datetime
) -> Iterator[Referral]:
    """Problems referred for process improvement, one closed, one overdue, two running."""
    delays = [c for c in complaints if c.category == "Turnaround delay"]
    spike = sorted(delays, key=lambda c: c.opened_at)[len(delays) // 2 : len(delays) // 2 + 6]
    opened = max(c.opened_at for c in spike) + timedelta(days=7)
    first = Referral.open(
        id="REF-001",
        at=opened,
        by=QUALITY_MANAGER,
        title="Turnaround delays after the chemistry analyser failure",
        reason="Complaints about turnaround rose well above the usual level in one month",
        owner_role=Role.LABORATORY_SUPERVISOR,
        due_at=opened + timedelta(days=60),
        source_records=[RecordRef("complaint", c.id) for c in spike],
        evidence={"complaints": len(spike), "category": "Turnaround delay"},
    )
    first = first.add("assigned", at=timing.after(opened, 3), by=QUALITY_MANAGER)
    first = first.add("actioned", at=opened + timedelta(days=35), by=SUPERVISOR)
    first = first.add("effectiveness_reviewed", at=opened + timedelta(days=58), by=QUALITY_MANAGER)
    first = first.add("closed", at=opened + timedelta(days=59), by=QUALITY_MANAGER)
    yield first
    communication = timing.working_moment(datetime(start.year, 12, 5, 9, tzinfo=start.tzinfo), 2)
    yield Referral.open(
        id="REF-002",
        at=communication,
        by=QUALITY_MANAGER,
        title="Clinician survey: 'keeping you informed of changes' scored lowest",
        reason="Lowest item means in the communication area of the clinician survey",
        owner_role=Role.QUALITY_MANAGER,
        due_at=communication + timedelta(days=70),
        source_records=[RecordRef("survey", f"SUR-{start.year}-CLIN")],
    ).add("assigned", at=timing.after(communication, 4), by=QUALITY_MANAGER)
    waits = timing.working_moment(at - timedelta(days=55), 3)
    yield Referral.open(
        id="REF-003",
        at=waits,
        by=SUPERVISOR,
        title="Phlebotomy waiting times at the outpatient clinic",
        reason="Recurring complaints from outpatients about waits over 30 minutes",
        owner_role=Role.LABORATORY_SUPERVISOR,
        due_at=waits + timedelta(days=75),
    )
    voicemail = timing.working_moment(at - timedelta(days=14), 3)
    yield Referral.open(
        id="REF-004",
        at=voicemail,
        by=QUALITY_MANAGER,
        title="Voicemail messages not retrieved twice a day",
        reason="Breaches of standard T-2b in the customer-service report",
        source_rule="T-2b",
        due_at=voicemail + timedelta(days=45),
    )
