"""Helpers for running a survey round: anonymous responses, checking responses against the
instrument and the survey, and the response rate.

Order (approval before distribution, R-S1 before R-S2) is not checked here: the :class:`Survey`
record keeps what happened, and the rule engine's responsibility and required-step rules report
a survey conducted before it was approved.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from attrs import frozen

from ..core._documents import Document
from ..core.errors import FieldError, ValidationError
from ..core.survey import Answer, Survey, SurveyResponse
from ..core.vocabulary import CustomerKind
from .instrument import Instrument
from .survey_statistics import DEFAULT_LEVEL, Interval, wilson_interval


def anonymous_response(
    *,
    id: str,
    at: datetime,
    survey_id: str,
    instrument: str,
    answers: Mapping[str, Answer],
    customer_kind: CustomerKind | str | None = None,
) -> SurveyResponse:
    """A response that cannot be linked back: no respondent id, no actor, no comment.

    Free text is left out because it can name its writer; collect comments separately if the
    survey promises anonymity. The response id must not encode the respondent either (use a
    random id).
    """
    return SurveyResponse.submit(
        id=id,
        at=at,
        survey_id=survey_id,
        instrument=instrument,
        answers=answers,
        by=None,
        customer_kind=customer_kind,
    )


def check_response(
    response: SurveyResponse, instrument: Instrument, survey: Survey | None = None
) -> list[FieldError]:
    """Every problem with a response: the wrong instrument or survey, and bad answers."""
    errors: list[FieldError] = []
    if response.instrument != instrument.id:
        errors.append(
            FieldError(
                "$.instrument",
                f"the response answers {response.instrument!r}, not {instrument.id!r}",
            )
        )
    if survey is not None and response.survey_id != survey.id:
        errors.append(FieldError("$.survey_id", f"the response belongs to {response.survey_id!r}"))
    return errors + instrument.validate_answers(response.answers)


def check_survey(survey: Survey, instrument: Instrument) -> list[FieldError]:
    """Every mismatch between a survey and its instrument (name, audience)."""
    errors: list[FieldError] = []
    if survey.instrument != instrument.id:
        errors.append(
            FieldError(
                "$.instrument", f"the survey runs {survey.instrument!r}, not {instrument.id!r}"
            )
        )
    if instrument.audience not in {"any", survey.audience.value}:
        errors.append(
            FieldError(
                "$.audience",
                f"instrument {instrument.id!r} is for {instrument.audience} customers but the "
                f"survey's audience is {survey.audience.value}",
            )
        )
    return errors


def responses_to(survey: Survey | str, responses: Iterable[SurveyResponse]) -> list[SurveyResponse]:
    """The responses to one survey that have not been withdrawn."""
    survey_id = survey.id if isinstance(survey, Survey) else survey
    return [r for r in responses if r.survey_id == survey_id and not r.is_closed]


@frozen
class ResponseRate(Document):
    """How many of those invited responded, with a Wilson interval of the rate."""

    survey_id: str
    invited: int
    responded: int
    rate: float
    interval: Interval
    method: str


def response_rate(
    survey: Survey | str,
    responses: Iterable[SurveyResponse],
    *,
    invited: int,
    level: float = DEFAULT_LEVEL,
) -> ResponseRate:
    """The share of ``invited`` recipients who responded (withdrawn responses not counted)."""
    survey_id = survey.id if isinstance(survey, Survey) else survey
    if isinstance(invited, bool) or not isinstance(invited, int) or invited <= 0:
        raise ValidationError.single(
            "$.invited", f"expected the number of people invited (above 0), got {invited!r}"
        )
    responded = len(responses_to(survey_id, responses))
    if responded > invited:
        raise ValidationError.single(
            "$.invited",
            f"{responded} responses to survey {survey_id!r} but only {invited} invited; count "
            "everyone the survey was sent to",
        )
    return ResponseRate(
        survey_id=survey_id,
        invited=invited,
        responded=responded,
        rate=responded / invited,
        interval=wilson_interval(responded, invited, level=level),
        method=(
            "responses not withdrawn / people invited; anonymous responses cannot be "
            "de-duplicated, so one person answering twice counts twice"
        ),
    )
