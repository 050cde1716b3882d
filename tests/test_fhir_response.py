"""Survey responses as FHIR R4 QuestionnaireResponses: exported resources pass the R4B models,
import back to the same response, name nobody when anonymous, and every problem on import is
named by its location."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fhir_checks import validated
from qse_customer.analysis.instrument import NOT_APPLICABLE, Instrument, ScaleKind
from qse_customer.analysis.instrument_registry import shipped_instruments
from qse_customer.core.errors import ValidationError
from qse_customer.core.roles import Actor
from qse_customer.core.survey import SurveyResponse
from qse_customer.fhir import (
    canonical,
    response_from_questionnaire_response,
    response_to_questionnaire_response,
)
from qse_customer.testing.strategies import aware_datetimes, identifiers

SHIPPED = sorted(shipped_instruments())
AT = datetime(2024, 5, 2, 9, 30, tzinfo=UTC)
STAFF = Actor("u1", "Ann Lee", "technologist")


def canonical_answers(instrument: Instrument) -> st.SearchStrategy[dict[str, Any]]:
    """Valid answers as the import gives them: whole numbers, booleans, text, 'not applicable'."""
    values = {}
    for item in instrument.items:
        scale = instrument.scales[item.scale]
        if scale.kind is ScaleKind.ORDINAL:
            value: st.SearchStrategy[Any] = st.integers(scale.min, scale.max)
        elif scale.kind is ScaleKind.YES_NO:
            value = st.booleans()
        else:
            value = st.text(min_size=1, max_size=20).filter(lambda s: s.strip() == s != "")
        if scale.not_applicable:
            value = value | st.just(NOT_APPLICABLE)
        values[item.id] = value if item.required else st.none() | value
    return st.fixed_dictionaries(values).map(
        lambda answers: {key: value for key, value in answers.items() if value is not None}
    )


@st.composite
def responses(draw: st.DrawFn) -> tuple[Instrument, SurveyResponse]:
    instrument = shipped_instruments()[draw(st.sampled_from(SHIPPED))]
    response = SurveyResponse.submit(
        id=draw(identifiers),
        at=draw(aware_datetimes()),
        survey_id=draw(identifiers),
        instrument=instrument.id,
        answers=draw(canonical_answers(instrument)),
        by=draw(st.none() | st.just(STAFF)),
        respondent_id=draw(st.none() | identifiers),
        customer_kind=draw(st.none() | st.sampled_from(["internal", "external"])),
        comment=draw(st.sampled_from(["", "Fine, thanks"])),
    )
    return instrument, response


@settings(max_examples=150)
@given(responses())
def test_a_response_round_trips(pair: tuple[Instrument, SurveyResponse]) -> None:
    instrument, response = pair
    resource = validated(response_to_questionnaire_response(response, instrument))
    assert resource["questionnaire"] == canonical(instrument)
    assert response_from_questionnaire_response(resource, instrument) == response


def test_an_anonymous_response_names_nobody() -> None:
    instrument = shipped_instruments()["csat"]
    response = SurveyResponse.submit(
        id="r1", at=AT, survey_id="s1", instrument="csat", answers={"satisfaction": 4}
    )
    assert response.anonymous
    resource = validated(response_to_questionnaire_response(response, instrument))
    assert not {"subject", "author", "source"} & set(resource)
    assert resource["item"] == [
        {
            "linkId": "satisfaction",
            "text": instrument.item("satisfaction").text,
            "answer": [
                {
                    "valueCoding": {
                        "system": "https://qse-customer.example/fhir/CodeSystem/csat/satisfaction",
                        "code": "4",
                        "display": "Satisfied",
                    }
                }
            ],
        }
    ]
    back = response_from_questionnaire_response(resource, instrument)
    assert back == response and back.anonymous


def test_answers_in_other_forms_import_as_the_library_reads_them() -> None:
    instrument = shipped_instruments()["csat"]
    response = SurveyResponse.submit(
        id="r1", at=AT, survey_id="s1", instrument="csat", answers={"satisfaction": 4.0}
    )
    resource = response_to_questionnaire_response(response, instrument)
    resource["item"][0]["answer"] = [{"valueInteger": 4}]
    assert response_from_questionnaire_response(resource, instrument).answers == {"satisfaction": 4}


def problems(resource: Any, instrument: Instrument, **options: Any) -> dict[str, str]:
    with pytest.raises(ValidationError) as raised:
        response_from_questionnaire_response(resource, instrument, **options)
    return {error.path: error.message for error in raised.value.errors}


def exported(instrument_id: str, answers: dict[str, Any]) -> dict[str, Any]:
    instrument = shipped_instruments()[instrument_id]
    response = SurveyResponse.submit(
        id="r1", at=AT, survey_id="s1", instrument=instrument_id, answers=answers
    )
    return response_to_questionnaire_response(response, instrument)


def test_the_questionnaire_and_its_version_are_checked() -> None:
    psq = shipped_instruments()["psq-18"]
    resource = exported("psq-18", {"q1": 2})
    other = copy.deepcopy(resource) | {"questionnaire": canonical(psq).replace("1994", "2001")}
    assert "version '1994'" in problems(other, psq)["QuestionnaireResponse.questionnaire"]
    unversioned = copy.deepcopy(resource) | {"questionnaire": canonical(psq).split("|")[0]}
    assert "no version" in problems(unversioned, psq)["QuestionnaireResponse.questionnaire"]
    assert set(problems(resource, shipped_instruments()["csat"])) >= {
        "QuestionnaireResponse.questionnaire"
    }
    elsewhere = canonical(psq, "https://lis.example.org/fhir")
    assert response_from_questionnaire_response(
        resource | {"questionnaire": elsewhere}, psq, questionnaire=elsewhere
    ).answers == {"q1": 2}


def test_every_bad_answer_is_named_by_its_location() -> None:
    psq = shipped_instruments()["psq-18"]
    resource = exported("psq-18", {"q1": 2, "q2": 3, "q3": 4, "q4": 5, "q5": 1})
    items = resource["item"]
    items[0]["answer"][0]["valueCoding"]["code"] = "9"  # out of range
    items[1]["answer"].append({"valueInteger": 1})  # two answers
    items[2]["answer"][0] = {"valueBoolean": True}  # the wrong type
    items[3]["answer"][0]["valueCoding"]["code"] = "not_applicable"  # not allowed here
    items[4]["linkId"] = "q99"  # no such item
    found = problems(resource, psq)
    assert set(found) == {
        "QuestionnaireResponse.item[0].answer[0]",
        "QuestionnaireResponse.item[1].answer[1]",
        "QuestionnaireResponse.item[2].answer[0]",
        "QuestionnaireResponse.item[3].answer[0]",
        "QuestionnaireResponse.item[4].linkId",
    }
    assert "from 1 to 5" in found["QuestionnaireResponse.item[0].answer[0]"]


def test_a_required_item_left_unanswered_and_other_problems() -> None:
    csat = shipped_instruments()["csat"]
    resource = exported("csat", {"satisfaction": 5})
    del resource["item"]
    resource["status"] = "in-progress"
    resource["authored"] = "yesterday"
    found = problems(resource, csat)
    assert set(found) == {
        "QuestionnaireResponse.item",
        "QuestionnaireResponse.status",
        "QuestionnaireResponse.authored",
    }
    assert "required" in found["QuestionnaireResponse.item"]
    assert set(problems({"resourceType": "Questionnaire"}, csat)) == {
        "QuestionnaireResponse.resourceType"
    }


def test_a_response_to_another_instrument_is_not_exported() -> None:
    response = SurveyResponse.submit(
        id="r1", at=AT, survey_id="s1", instrument="nps", answers={"satisfaction": 4}
    )
    with pytest.raises(ValidationError):
        response_to_questionnaire_response(response, shipped_instruments()["csat"])
