"""Scoring: PSQ-18 exactly as RAND publishes, reverse scoring, missing data, NPS and CSAT."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qse_customer.analysis.instrument import Instrument, ScaleKind
from qse_customer.analysis.instrument_registry import instruments, load_instrument
from qse_customer.analysis.scoring import (
    csat,
    net_promoter_score,
    nps_group,
    reverse_code,
    score_item,
    score_psq18,
    score_response,
    top_codes,
)
from qse_customer.core.errors import ValidationError
from qse_customer.core.survey import SurveyResponse

POSITIVE = (1, 2, 3, 5, 6, 8, 11, 15, 18)  # agreement reflects satisfaction
NEGATIVE = (4, 7, 9, 10, 12, 13, 14, 16, 17)  # agreement reflects dissatisfaction


def psq(**codes: int | None) -> dict[str, int | None]:
    return dict(codes)


# -- PSQ-18, hand-computed oracles --------------------------------------------------------------


def test_psq18_all_strongly_agree() -> None:
    # Every item answered 1 (strongly agree): positive items score 5, negative items 1, and
    # every RAND subscale pairs them evenly, so each is exactly 3.
    scores = score_psq18({f"q{n}": 1 for n in range(1, 19)})
    assert {k: v.score for k, v in scores.subscales.items()} == {
        "general_satisfaction": 3.0,
        "technical_quality": 3.0,
        "interpersonal_manner": 3.0,
        "communication": 3.0,
        "financial_aspects": 3.0,
        "time_spent_with_doctor": 3.0,
        "accessibility_and_convenience": 3.0,
    }
    assert all(scores.items[f"q{n}"] == 5.0 for n in POSITIVE)
    assert all(scores.items[f"q{n}"] == 1.0 for n in NEGATIVE)


def test_psq18_ideal_respondent_scores_five_everywhere() -> None:
    answers = {f"q{n}": 1 for n in POSITIVE} | {f"q{n}": 5 for n in NEGATIVE}
    scores = score_psq18(answers)
    assert set(scores.items.values()) == {5.0}
    assert {v.score for v in scores.subscales.values()} == {5.0}
    assert all(v.answered == v.items for v in scores.subscales.values())


def test_psq18_least_satisfied_respondent_scores_one_everywhere() -> None:
    answers = {f"q{n}": 5 for n in POSITIVE} | {f"q{n}": 1 for n in NEGATIVE}
    assert {v.score for v in score_psq18(answers).subscales.values()} == {1.0}


def test_psq18_missing_items_are_ignored() -> None:
    # Technical quality = items 2, 4, 6, 14; item 6 left blank.
    # q2 = 2 (agree, positive) -> 4; q4 = 2 (agree, negative) -> 2; q14 = 5 -> 5: mean 11/3.
    scores = score_psq18(psq(q2=2, q4=2, q6=None, q14=5, q3=2))
    technical = scores.subscales["technical_quality"]
    assert technical.score == pytest.approx(11 / 3, abs=1e-15)
    assert (technical.answered, technical.items, technical.needed) == (3, 4, 1)
    # General satisfaction = items 3 and 17; only q3 answered (agree -> 4).
    assert scores.subscales["general_satisfaction"].score == 4.0
    # No item of communication answered: no score, and the reason says why.
    communication = scores.subscales["communication"]
    assert communication.score is None
    assert communication.reason == "only 0 of 2 items answered; 1 needed"
    assert scores.items["q1"] is None


def test_psq18_scores_a_survey_response_and_states_the_method() -> None:
    response = SurveyResponse.submit(
        id="r1",
        at=datetime(2026, 1, 5, tzinfo=UTC),
        survey_id="s1",
        instrument="psq-18",
        answers={"q1": 1, "q13": 4},
    )
    scores = score_psq18(response)
    assert scores.subscales["communication"].score == 4.5  # (5 + 4) / 2
    assert "q1, q2, q3, q5, q6, q8, q11, q15, q18 are reverse-scored" in scores.method
    assert "P-7865" in scores.method
    json.dumps(scores.to_dict())


def test_psq18_refuses_invalid_answers_with_their_paths() -> None:
    with pytest.raises(ValidationError) as caught:
        score_psq18({"q1": 0, "q2": "agree", "q19": 3})
    assert {e.path for e in caught.value.errors} == {
        "$.answers.q1",
        "$.answers.q2",
        "$.answers.q19",
    }


def test_a_response_to_another_instrument_is_refused() -> None:
    response = SurveyResponse.submit(
        id="r1",
        at=datetime(2026, 1, 5, tzinfo=UTC),
        survey_id="s1",
        instrument="csat",
        answers={"satisfaction": 5},
    )
    with pytest.raises(ValidationError, match="answers instrument 'csat', not 'psq-18'"):
        score_psq18(response)


# -- other instruments ---------------------------------------------------------------------------


def test_yes_no_scores_one_and_zero() -> None:
    understanding = load_instrument("understanding")
    scores = score_response(
        understanding, {"diagnosis": True, "treatment": "no", "next_steps": "Yes"}
    )
    assert scores.items == {"diagnosis": 1.0, "treatment": 0.0, "next_steps": 1.0}
    assert scores.subscales["understanding"].score == pytest.approx(2 / 3, abs=1e-15)
    partial = score_response(understanding, {"diagnosis": True, "treatment": True})
    assert partial.subscales["understanding"].score is None  # all three are needed


def test_not_applicable_and_free_text_are_never_scored() -> None:
    lab = load_instrument("lab-services-clinician")
    scores = score_response(
        lab,
        {
            "phlebotomy_availability": "not_applicable",
            "phlebotomy_experience": 4,
            "phlebotomy_collection": 2,
            "comments": "faster please",
        },
    )
    assert "comments" not in scores.items
    assert scores.items["phlebotomy_availability"] is None
    assert scores.subscales["phlebotomy"].score == 3.0
    assert scores.subscales["phlebotomy"].answered == 2


def test_culture_components_use_the_half_rule() -> None:
    culture = load_instrument("customer-focused-culture")
    # Component 3 has 4 items: 2 answered is enough, 1 is not.
    two = score_response(culture, {"c3_1": 5, "c3_2": 4})
    one = score_response(culture, {"c3_1": 5})
    assert two.subscales["systems_and_processes"].score == 4.5
    assert one.subscales["systems_and_processes"].score is None
    assert one.subscales["systems_and_processes"].needed == 2


def test_score_item_recodes_and_refuses() -> None:
    psq = load_instrument("psq-18")
    assert score_item(psq, "q1", 2) == 4.0
    assert score_item(psq, "q4", 2) == 2.0
    assert score_item(psq, "q4", None) is None
    with pytest.raises(ValidationError, match=r"\$\.answers\.q4"):
        score_item(psq, "q4", 9)


# -- properties ---------------------------------------------------------------------------------


@given(st.integers(-50, 50), st.integers(0, 20), st.data())
def test_reverse_scoring_twice_is_the_identity(low: int, width: int, data: st.DataObject) -> None:
    high = low + width
    code = data.draw(st.integers(low, high))
    once = reverse_code(code, low, high)
    assert low <= once <= high
    assert reverse_code(once, low, high) == code


def valid_answer(instrument: Instrument, item_id: str) -> st.SearchStrategy[Any]:
    scale = instrument.scale_of(item_id)
    if scale.kind is ScaleKind.TEXT:
        return st.none() | st.text(max_size=5)
    if scale.kind is ScaleKind.YES_NO:
        return st.none() | st.booleans() | st.sampled_from(["yes", "no", "Yes", "NO"])
    options = st.none() | st.integers(scale.min, scale.max)
    return options | st.just("not_applicable") if scale.not_applicable else options


@st.composite
def answered(draw: st.DrawFn) -> tuple[Instrument, dict[str, Any]]:
    instrument = draw(st.sampled_from(sorted(instruments().values(), key=lambda i: i.id)))
    answers = {item.id: draw(valid_answer(instrument, item.id)) for item in instrument.items}
    for item in instrument.items:
        if item.required and answers[item.id] is None:
            answers[item.id] = draw(
                valid_answer(instrument, item.id).filter(lambda a: a is not None)
            )
    return instrument, answers


@given(answered())
def test_every_score_lies_within_its_scale(case: tuple[Instrument, dict[str, Any]]) -> None:
    instrument, answers = case
    scores = score_response(instrument, answers)
    for item_id, value in scores.items.items():
        scale = instrument.scale_of(item_id)
        assert value is None or scale.low <= value <= scale.high
    for subscale in instrument.subscales:
        result = scores.subscales[subscale.id]
        scale = instrument.scale_of(subscale.items[0])
        answered_items = [scores.items[i] for i in subscale.items if scores.items[i] is not None]
        assert result.answered == len(answered_items)
        if result.score is None:
            assert result.answered < result.needed
        else:
            assert scale.low <= result.score <= scale.high
            assert min(answered_items) <= result.score <= max(answered_items)


@given(st.lists(st.none() | st.integers(1, 5), max_size=20))
def test_psq18_score_is_the_mean_of_recoded_answers(codes: list[int | None]) -> None:
    answers = {f"q{n}": code for n, code in zip(range(1, 19), codes, strict=False)}
    scores = score_psq18(answers)
    for n in range(1, 19):
        code = answers.get(f"q{n}")
        expected = None if code is None else (6 - code if n in POSITIVE else code)
        assert scores.items[f"q{n}"] == expected


# -- NPS and CSAT -------------------------------------------------------------------------------


def test_nps_hand_computed() -> None:
    # 4 promoters (9, 10, 10, 9), 3 passives (7, 8, 8), 3 detractors (0, 6, 5): n = 10.
    score = net_promoter_score([9, 10, 10, 9, 7, 8, 8, 0, 6, 5, None, "not_applicable"])
    assert (score.n, score.promoters, score.passives, score.detractors) == (10, 4, 3, 3)
    assert score.score == pytest.approx(10.0, abs=1e-12)
    assert "promoters (9-10)" in score.method and "detractors (0-6)" in score.method
    assert score.to_dict()["method"] == score.method


def test_nps_extremes_and_empty() -> None:
    assert net_promoter_score([10, 9]).score == 100.0
    assert net_promoter_score([0, 6, 3]).score == -100.0
    assert net_promoter_score([7, 8]).score == 0.0
    assert net_promoter_score([]).score is None


def test_nps_group_boundaries() -> None:
    assert [nps_group(v) for v in (0, 6, 7, 8, 9, 10)] == [
        "detractor",
        "detractor",
        "passive",
        "passive",
        "promoter",
        "promoter",
    ]
    with pytest.raises(ValidationError):
        nps_group(11)


def test_nps_refuses_out_of_range_answers_by_position() -> None:
    with pytest.raises(ValidationError) as caught:
        net_promoter_score([10, 11, -1, True])
    assert [e.path for e in caught.value.errors] == ["$[1]", "$[2]", "$[3]"]


def test_csat_hand_computed() -> None:
    # Top-two-box on 1-5: 4 and 5 count. 3 of 5 answered.
    score = csat([5, 4, 3, 4, 1, None])
    assert (score.n, score.satisfied, score.share, score.top_codes) == (5, 3, 0.6, (4, 5))
    assert "top 2 boxes (4, 5) of the 1-5 scale" in score.method
    top_box = csat([7, 6, 5, 1], scale_min=1, scale_max=7, top=1)
    assert (top_box.satisfied, top_box.share) == (1, 0.25)
    assert csat([]).share is None


def test_csat_top_boxes_must_fit_the_scale() -> None:
    assert top_codes(0, 10, 2) == (9, 10)
    with pytest.raises(ValidationError, match="top boxes"):
        csat([1], top=5)


@given(st.lists(st.integers(0, 10), max_size=60))
def test_nps_is_promoter_share_minus_detractor_share(values: list[int]) -> None:
    score = net_promoter_score(values)
    assert score.promoters + score.passives + score.detractors == score.n == len(values)
    if values:
        assert score.score is not None and -100 <= score.score <= 100
        mean = sum(1 if v >= 9 else -1 if v <= 6 else 0 for v in values) / len(values)
        assert score.score == pytest.approx(100 * mean, abs=1e-9)
