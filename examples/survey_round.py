"""A clinicians' satisfaction survey round, scored and compared with last year.

The laboratory runs the shipped `lab-services-clinician` instrument every spring. The survey is
created, approved (R-S1), conducted and collected; the anonymous responses are scored per service
area with confidence intervals, CSAT and NPS (`analyse_survey`), and compared with last year's
round (`compare_periods`), saying for each change whether it is real or could be chance (source
000, "Monitoring Customer Satisfaction": results analysed, compared and submitted for review).

The answers are simulated with a fixed seed: last year turnaround time was the weak area; this
year, after a process change, it improved.

Run: python examples/survey_round.py
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import qse_customer as qse

LONDON = ZoneInfo("Europe/London")
MANAGER = qse.Actor("qm-1", "Quinn Manager", qse.Role.QUALITY_MANAGER)
INSTRUMENT = qse.analysis.load_instrument("lab-services-clinician")
INVITED = 120
SUBSCALES = ("overall", "turnaround_time", "result_reporting", "communication")


def survey_round(year: int) -> qse.Survey:
    """The survey record of one year's round, from creation to submission for review."""
    opened = datetime(year, 4, 1, 9, 0, tzinfo=LONDON)
    return (
        qse.Survey.create(
            id=f"CLIN-{year}",
            at=opened,
            by=MANAGER,
            title=f"Clinician satisfaction {year}",
            audience="external",
            instrument=INSTRUMENT.id,
        )
        .add("approved", at=opened + timedelta(days=2), by=MANAGER)
        .add("conducted", at=opened + timedelta(days=7), by=MANAGER)
        .add("collected", at=opened + timedelta(days=35), by=MANAGER)
        .add("analysed", at=opened + timedelta(days=42), by=MANAGER)
    )


def _rating(rng: random.Random, level: float) -> int:
    """One 1-5 rating around a respondent's own level for an area."""
    return min(5, max(1, round(level + rng.gauss(0, 0.55))))


def simulated_answers(year: int, count: int) -> list[dict[str, int | str]]:
    """Answers of ``count`` clinicians (seeded by year): turnaround improves in 2026.

    Each clinician has a level per service area, so answers within an area agree with each other
    as real answers do (and Cronbach's alpha has something to measure).
    """
    rng = random.Random(year)
    turnaround_mean = 3.2 if year == 2025 else 3.9
    rows: list[dict[str, int | str]] = []
    for _ in range(count):
        turnaround = rng.gauss(turnaround_mean, 0.7)
        reporting = rng.gauss(4.1, 0.5)
        communication = rng.gauss(3.9, 0.6)
        overall = _rating(rng, (turnaround + reporting + communication) / 3)
        row: dict[str, int | str] = {
            "overall": overall,
            "tat_routine": _rating(rng, turnaround),
            "tat_urgent": _rating(rng, turnaround) if rng.random() < 0.8 else "not_applicable",
            "tat_delays": _rating(rng, turnaround - 0.3),
            "recommend": min(10, max(0, 2 * overall + rng.choice((-2, -1, 0, 0, 1)))),
        }
        for item in ("report_accuracy", "report_clarity", "report_critical", "report_access"):
            row[item] = _rating(rng, reporting)
        for item in ("comm_reach", "comm_enquiries", "comm_advice", "comm_changes"):
            row[item] = _rating(rng, communication)
        rows.append(row)
    return rows


def responses(year: int, count: int) -> list[qse.SurveyResponse]:
    """The round's anonymous responses: no respondent id, no actor, no comment."""
    survey_id = f"CLIN-{year}"
    submitted = datetime(year, 4, 10, 12, 0, tzinfo=LONDON)
    return [
        qse.analysis.anonymous_response(
            id=f"{survey_id}-R{number:03d}",
            at=submitted + timedelta(hours=number),
            survey_id=survey_id,
            instrument=INSTRUMENT.id,
            answers=answers,
        )
        for number, answers in enumerate(simulated_answers(year, count), start=1)
    ]


def main() -> None:
    """Score this year's round and compare it with last year's."""
    last_year, this_year = responses(2025, 64), responses(2026, 78)
    survey = survey_round(2026)
    rate = qse.analysis.response_rate(survey, this_year, invited=INVITED)
    print(f"{survey.title} ({INSTRUMENT.title}, version {INSTRUMENT.version})")
    print(f"  status {survey.status}, approved before it was conducted: {survey.approved}")
    print(f"  response rate {rate.responded}/{rate.invited} = {rate.rate:.0%}")

    analysis = qse.analysis.analyse_survey(INSTRUMENT, this_year)
    csat = analysis.csat["overall"]
    nps = analysis.nps["recommend"]
    print(f"\n2026 results ({analysis.responses} responses)")
    assert csat.share is not None and csat.interval is not None
    print(
        f"  CSAT {csat.share:.1%} ({csat.count} of {csat.n} satisfied; 95% CI "
        f"{csat.interval.low:.1%} to {csat.interval.high:.1%})"
    )
    print(f"  NPS {nps.score:+.1f} (margin of error {nps.margin:.1f} points)")
    print("  service area                mean   95% CI        alpha")
    for key in SUBSCALES:
        area = analysis.subscales[key]
        summary = area.summary
        interval = summary.mean_interval
        alpha = area.reliability.alpha
        shown_ci = f"{interval.low:.2f}-{interval.high:.2f}" if interval else "-"
        shown_alpha = f"{alpha:.2f}" if alpha is not None else "-"
        mean = f"{summary.mean:.2f}" if summary.mean is not None else "-"
        print(f"  {area.title:26}{mean:>6}   {shown_ci:12}{shown_alpha:>6}")

    comparison = qse.analysis.compare_periods(INSTRUMENT, last_year, this_year)
    print("\nCompared with 2025:")
    for key in SUBSCALES:
        print(f"  {comparison.subscales[key].verdict}")
    print(f"  {comparison.csat['overall'].verdict}")
    print(f"  {comparison.nps['recommend'].verdict}")


if __name__ == "__main__":
    main()
