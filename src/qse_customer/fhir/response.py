"""Survey responses as FHIR R4 ``QuestionnaireResponse`` resources (plain JSON dicts) and back.

The export answers the instrument's Questionnaire (``questionnaire`` is its canonical URL and
version); an anonymous response has no subject, author or source. The import checks the
canonical URL and version, reads each answer by the instrument's scales and validates the
answers against the instrument, naming every problem by its location
(``QuestionnaireResponse.item[3].answer[0]``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ..analysis.instrument import NOT_APPLICABLE, Instrument, Scale, ScaleKind
from ..core.errors import ValidationError
from ..core.events import Event
from ..core.roles import Actor
from ..core.survey import Answer, SurveyResponse
from ._common import (
    ACTOR_IDENTIFIER,
    DEFAULT_BASE,
    RESPONDENT_IDENTIFIER,
    RESPONSE_IDENTIFIER,
    Problems,
    answer_system,
    ext,
    ext_value,
    extension_url,
    fhir_id,
    questionnaire_url,
)
from .questionnaire import NO, YES, as_identifier

SURVEY = extension_url("survey-id")
CUSTOMER_KIND = extension_url("customer-kind")
COMMENT = extension_url("response-comment")
ACTOR_ROLE = extension_url("actor-role")

_STATUS = {"submitted": "completed", "closed": "stopped"}


def canonical(instrument: Instrument, base: str = DEFAULT_BASE) -> str:
    """The reference a response gives its Questionnaire: ``<url>|<version>``."""
    return f"{questionnaire_url(instrument.id, base)}|{instrument.version}"


def _answer(scale: Scale, value: Answer, system: str) -> dict[str, Any]:
    if value == NOT_APPLICABLE and scale.not_applicable:
        return {"valueCoding": {"system": system, "code": NOT_APPLICABLE}}
    if scale.kind is ScaleKind.TEXT:
        return {"valueString": value}
    code = scale.code(value)
    assert code is not None
    if scale.kind is ScaleKind.YES_NO:
        if scale.not_applicable:
            return {"valueCoding": {"system": system, "code": YES if code else NO}}
        return {"valueBoolean": bool(code)}
    coding = {"system": system, "code": str(code)}
    label = scale.labels.get(code)
    return {"valueCoding": coding | {"display": label} if label else coding}


def response_to_questionnaire_response(
    response: SurveyResponse, instrument: Instrument, *, base: str = DEFAULT_BASE
) -> dict[str, Any]:
    """The response as a FHIR R4 ``QuestionnaireResponse`` (a JSON dict) answering the
    instrument's Questionnaire at ``base``; its answers are checked against the instrument
    first. ``authored`` is when it was submitted; an anonymous response names nobody."""
    if response.instrument != instrument.id:
        raise ValidationError.single(
            "$.instrument",
            f"the response is to instrument {response.instrument!r}, not {instrument.id!r}",
        )
    instrument.check_answers(response.answers)
    extension = [ext(SURVEY, "String", response.survey_id)]
    if response.customer_kind is not None:
        extension.append(ext(CUSTOMER_KIND, "Code", response.customer_kind.value))
    if response.comment:
        extension.append(ext(COMMENT, "String", response.comment))
    document: dict[str, Any] = {"resourceType": "QuestionnaireResponse"}
    if (resource_id := fhir_id(response.id)) is not None:
        document["id"] = resource_id
    submitted = response.first("submitted") or response.events[0]
    document |= {
        "extension": extension,
        "identifier": {"system": RESPONSE_IDENTIFIER, "value": response.id},
        "questionnaire": canonical(instrument, base),
        "status": _STATUS.get(response.status, "completed"),
        "authored": submitted.at.isoformat(),
    }
    if submitted.actor is not None:
        actor = submitted.actor
        document["author"] = {
            "extension": [ext(ACTOR_ROLE, "Code", actor.role.value)],
            "identifier": {"system": ACTOR_IDENTIFIER, "value": actor.id},
            "display": actor.name,
        }
    if response.respondent_id is not None:
        document["source"] = {
            "identifier": {"system": RESPONDENT_IDENTIFIER, "value": response.respondent_id}
        }
    items = []
    for item in instrument.items:
        value = response.answers.get(item.id)
        if value is None:
            continue
        scale = instrument.scales[item.scale]
        system = answer_system(instrument.id, item.scale, base)
        items.append(
            {"linkId": item.id, "text": item.text, "answer": [_answer(scale, value, system)]}
        )
    if items:
        document["item"] = items
    return document


# -- import -----------------------------------------------------------------------------------


def _read_answer(scale: Scale, answer: Mapping[str, Any]) -> tuple[Answer, str | None]:
    """The library's answer for one FHIR answer, or why it cannot be one."""
    values = [key for key in answer if key.startswith("value")]
    if len(values) != 1:
        return None, "expected exactly one value[x]"
    key = values[0]
    value = answer[key]
    if key == "valueCoding" and isinstance(value, Mapping):
        code = value.get("code")
        if not isinstance(code, str):
            return None, "expected a coding with a code"
        if code == NOT_APPLICABLE:
            if scale.not_applicable:
                return NOT_APPLICABLE, None
            return None, "'not applicable' is not an answer on this item's scale"
        if scale.kind is ScaleKind.YES_NO and code in {YES, NO}:
            return code == YES, None
        if scale.kind is ScaleKind.ORDINAL and re.fullmatch(r"-?[0-9]+", code):
            return int(code), None
        return None, f"code {code!r} is not an answer on this item's scale"
    if key == "valueInteger" and isinstance(value, int) and not isinstance(value, bool):
        return value, None
    if key == "valueBoolean" and isinstance(value, bool):
        return value, None
    if key == "valueString" and isinstance(value, str):
        return value, None
    return None, f"{key} {value!r} is not an answer to this item"


def _actor(reference: Any, problems: Problems, path: str) -> Actor | None:
    if reference is None:
        return None
    if not isinstance(reference, Mapping):
        problems.add(path, "expected a reference")
        return None
    identifier = reference.get("identifier")
    role = ext_value(reference, ACTOR_ROLE, "Code")
    if not (isinstance(identifier, Mapping) and isinstance(identifier.get("value"), str)):
        problems.add(f"{path}.identifier", "expected the identifier of who recorded it")
        return None
    try:
        return Actor(
            id=identifier["value"],
            name=str(reference.get("display") or identifier["value"]),
            role=role or "customer",
        )
    except (ValueError, ValidationError) as error:
        problems.add(path, str(error))
        return None


def response_from_questionnaire_response(
    document: Mapping[str, Any],
    instrument: Instrument,
    *,
    base: str = DEFAULT_BASE,
    questionnaire: str | None = None,
    survey_id: str | None = None,
    id: str | None = None,
) -> SurveyResponse:
    """The survey response a FHIR R4 ``QuestionnaireResponse`` (a JSON dict) records.

    ``questionnaire`` (default: the instrument's canonical URL at ``base`` and its version)
    must be what the resource answers; every answer is read by its item's scale and the answers
    are validated against the instrument. The survey id and the response id come from the
    library's extension and identifier unless given. Every problem is a ValidationError naming
    its location (``QuestionnaireResponse.item[3].answer[0]``).
    """
    problems = Problems()
    what = "QuestionnaireResponse"
    if not isinstance(document, Mapping):
        problems.add(what, f"expected a JSON object, got {type(document).__name__}")
        problems.raise_if_any(what)
    if document.get("resourceType") != "QuestionnaireResponse":
        problems.add(
            f"{what}.resourceType",
            f"expected 'QuestionnaireResponse', got {document.get('resourceType')!r}",
        )
        problems.raise_if_any(what)
    expected = questionnaire or canonical(instrument, base)
    answered = document.get("questionnaire")
    if answered != expected:
        url, _, version = expected.partition("|")
        given_url, _, given_version = str(answered).partition("|")
        reason = (
            f"expected version {version!r} of {url}, got {given_version or 'no version'!r}"
            if given_url == url
            else f"expected {expected!r}, got {answered!r}"
        )
        problems.add(f"{what}.questionnaire", reason)
    status = document.get("status")
    if status not in {"completed", "amended"}:
        problems.add(f"{what}.status", f"expected 'completed' or 'amended', got {status!r}")
    authored = document.get("authored")
    at: datetime | None = None
    try:
        at = datetime.fromisoformat(str(authored).replace("Z", "+00:00"))
        if at.tzinfo is None:
            problems.add(f"{what}.authored", "expected a time with its offset")
    except ValueError:
        problems.add(f"{what}.authored", f"expected a dateTime, got {authored!r}")
    actor = _actor(document.get("author"), problems, f"{what}.author")
    respondent = None
    source = document.get("source")
    if isinstance(source, Mapping) and isinstance(source.get("identifier"), Mapping):
        respondent = source["identifier"].get("value")
    elif source is not None:
        problems.add(f"{what}.source", "expected a reference with an identifier")
    answers: dict[str, Answer] = {}
    paths: dict[str, str] = {}
    _read_items(document, instrument, f"{what}", problems, answers, paths)
    for error in instrument.validate_answers(answers):
        item_id = error.path.removeprefix("$.answers.")
        problems.add(paths.get(item_id, f"{what}.item"), f"{item_id}: {error.message}")
    identifier = document.get("identifier")
    record_id = id or (
        identifier.get("value") if isinstance(identifier, Mapping) else document.get("id")
    )
    if not isinstance(record_id, str) or not record_id:
        problems.add(f"{what}.identifier", "expected an identifier (or give id=)")
    survey = survey_id or ext_value(document, SURVEY, "String")
    if not isinstance(survey, str) or not survey:
        problems.add(f"{what}.extension", f"expected the {SURVEY} extension (or give survey_id=)")
    problems.raise_if_any(what)
    assert at is not None
    kind = ext_value(document, CUSTOMER_KIND, "Code")
    comment = ext_value(document, COMMENT, "String")
    try:
        return SurveyResponse(
            id=str(record_id),
            events=(Event("submitted", at, actor),),
            survey_id=str(survey),
            instrument=instrument.id,
            answers=answers,
            respondent_id=respondent if isinstance(respondent, str) else None,
            customer_kind=kind,
            comment=comment if isinstance(comment, str) else "",
        )
    except (ValueError, ValidationError) as error:
        raise ValidationError.single(what, str(error), what=what) from error


def _read_items(
    owner: Mapping[str, Any],
    instrument: Instrument,
    path: str,
    problems: Problems,
    answers: dict[str, Answer],
    paths: dict[str, str],
) -> None:
    for index, raw in problems.items(owner, "item", path):
        item_path = f"{path}.item[{index}]"
        element = problems.mapping(raw, item_path)
        if element is None:
            continue
        if "item" in element:
            _read_items(element, instrument, item_path, problems, answers, paths)
        link_id = element.get("linkId")
        if not isinstance(link_id, str):
            problems.add(f"{item_path}.linkId", "expected a linkId")
            continue
        item_id = as_identifier(link_id)
        given = [a for _, a in problems.items(element, "answer", item_path)]
        for position, answer in enumerate(given):
            if isinstance(answer, Mapping) and "item" in answer:
                _read_items(
                    answer, instrument, f"{item_path}.answer[{position}]", problems, answers, paths
                )
        if not given:
            continue
        known = {item.id: item for item in instrument.items}
        if item_id not in known:
            problems.add(
                f"{item_path}.linkId",
                f"unknown item {link_id!r} for instrument {instrument.id!r}",
            )
            continue
        if item_id in paths:
            problems.add(f"{item_path}.linkId", f"item {link_id!r} is answered twice")
            continue
        paths[item_id] = item_path
        if len(given) > 1:
            problems.add(f"{item_path}.answer[1]", "expected one answer")
            continue
        answer_path = f"{item_path}.answer[0]"
        answer = problems.mapping(given[0], answer_path)
        if answer is None:
            continue
        value, problem = _read_answer(instrument.scales[known[item_id].scale], answer)
        if problem is not None:
            problems.add(answer_path, problem)
            continue
        answers[item_id] = value
        paths[item_id] = answer_path
