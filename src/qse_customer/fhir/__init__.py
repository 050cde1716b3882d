"""FHIR R4 for survey instruments and responses: ``Questionnaire`` and ``QuestionnaireResponse``
as plain JSON dicts (the library needs no FHIR package; docs/fhir.md has the mapping, the
extensions it defines and a worked example)."""

from ._common import (
    DEFAULT_BASE,
    EXTENSION_BASE,
    INSTRUMENT_IDENTIFIER,
    answer_system,
    extension_url,
    questionnaire_url,
)
from .questionnaire import instrument_from_questionnaire, instrument_to_questionnaire
from .response import (
    canonical,
    response_from_questionnaire_response,
    response_to_questionnaire_response,
)

__all__ = [
    "DEFAULT_BASE",
    "EXTENSION_BASE",
    "INSTRUMENT_IDENTIFIER",
    "answer_system",
    "canonical",
    "extension_url",
    "instrument_from_questionnaire",
    "instrument_to_questionnaire",
    "questionnaire_url",
    "response_from_questionnaire_response",
    "response_to_questionnaire_response",
]
