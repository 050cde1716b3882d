"""FHIR R4 for survey instruments and responses (``Questionnaire``, ``QuestionnaireResponse``)
and for complaints and enquiries (``Communication``/``Task`` pairs in a Bundle), as plain JSON
dicts (the library needs no FHIR package; docs/fhir.md has the mappings, the extensions they
define and worked examples)."""

from ._common import (
    DEFAULT_BASE,
    EXTENSION_BASE,
    INSTRUMENT_IDENTIFIER,
    answer_system,
    extension_url,
    questionnaire_url,
)
from .communication import TASK_STATUS, record_from_fhir, record_to_fhir, resource_ids
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
    "TASK_STATUS",
    "answer_system",
    "canonical",
    "extension_url",
    "instrument_from_questionnaire",
    "instrument_to_questionnaire",
    "questionnaire_url",
    "record_from_fhir",
    "record_to_fhir",
    "resource_ids",
    "response_from_questionnaire_response",
    "response_to_questionnaire_response",
]
