"""Running a survey round: anonymous responses, checks against the instrument, response rate."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

import qse_customer as qse
from qse_customer.analysis.instrument_registry import load_instrument
from qse_customer.analysis.survey_analysis import analyse_survey
from qse_customer.analysis.survey_round import (
    anonymous_response,
    check_response,
    check_survey,
    response_rate,
    responses_to,
)
from qse_customer.analysis.survey_statistics import wilson_interval
from qse_customer.core.errors import ValidationError

AT = datetime(2026, 3, 2, 9, tzinfo=UTC)


def survey(instrument: str = "lab-services-clinician", audience: str = "external") -> qse.Survey:
    manager = qse.Actor("qm-1", "Quinn Manager", qse.Role.QUALITY_MANAGER)
    return qse.Survey.create(
        id="s-2026",
        at=AT,
        by=manager,
        title="Clinicians 2026",
        audience=audience,
        instrument=instrument,
    )


def test_anonymous_response_cannot_be_linked_back() -> None:
    response = anonymous_response(
        id="a7f3", at=AT, survey_id="s-2026", instrument="csat", answers={"satisfaction": 4}
    )
    assert response.anonymous
    assert response.respondent_id is None and response.comment == ""
    assert all(event.actor is None for event in response.events)
    document = qse.to_dict(response)
    assert document["respondent_id"] is None
    assert qse.from_dict(json.loads(json.dumps(document))).anonymous


@given(st.lists(st.integers(1, 5) | st.none(), min_size=1, max_size=40))
def test_anonymous_responses_analyse_like_any_other(codes: list[int | None]) -> None:
    made = [
        anonymous_response(
            id=f"r{n}", at=AT, survey_id="s-2026", instrument="csat", answers={"satisfaction": c}
        )
        for n, c in enumerate(codes)
        if c is not None
    ]
    if not made:
        return
    analysis = analyse_survey(load_instrument("csat"), made)
    answered = [c for c in codes if c is not None]
    assert analysis.csat["satisfaction"].count == sum(1 for c in answered if c >= 4)
    assert analysis.csat["satisfaction"].n == len(answered)


def test_check_response_against_instrument_and_survey() -> None:
    lab = load_instrument("lab-services-clinician")
    good = qse.SurveyResponse.submit(
        id="r1", at=AT, survey_id="s-2026", instrument=lab.id, answers={"overall": 4}
    )
    assert check_response(good, lab, survey()) == []
    bad = qse.SurveyResponse.submit(
        id="r2", at=AT, survey_id="other", instrument="csat", answers={"overall": 7}
    )
    paths = [error.path for error in check_response(bad, lab, survey())]
    assert paths == ["$.instrument", "$.survey_id", "$.answers.overall"]


def test_check_survey_audience_and_instrument() -> None:
    culture = load_instrument("customer-focused-culture")
    assert check_survey(survey("customer-focused-culture", "internal"), culture) == []
    errors = check_survey(survey("psq-18", "external"), culture)
    assert [e.path for e in errors] == ["$.instrument", "$.audience"]
    assert "is for internal customers" in errors[1].message
    assert check_survey(survey("csat", "internal"), load_instrument("csat")) == []


def test_response_rate_with_withdrawn_and_other_surveys() -> None:
    made = [
        anonymous_response(id=f"r{n}", at=AT, survey_id="s-2026", instrument="csat", answers={})
        for n in range(12)
    ]
    made[0] = made[0].add("withdrawn", at=AT)
    made.append(
        anonymous_response(id="x", at=AT, survey_id="s-2025", instrument="csat", answers={})
    )
    assert len(responses_to("s-2026", made)) == 11
    rate = response_rate(survey(), made, invited=40)
    assert (rate.invited, rate.responded, rate.rate) == (40, 11, 11 / 40)
    assert rate.interval == wilson_interval(11, 40)
    assert "people invited" in rate.to_dict()["method"]


def test_response_rate_refuses_impossible_counts() -> None:
    made = [
        anonymous_response(id=f"r{n}", at=AT, survey_id="s-2026", instrument="csat", answers={})
        for n in range(3)
    ]
    with pytest.raises(ValidationError, match="only 2 invited"):
        response_rate("s-2026", made, invited=2)
    with pytest.raises(ValidationError, match=r"\$\.invited"):
        response_rate("s-2026", made, invited=0)
