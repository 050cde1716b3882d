"""Every record type by its ``"type"`` tag."""

from __future__ import annotations

from .complaint import Complaint
from .contract import Contract
from .customer import Customer
from .enquiry import Enquiry
from .measurement import Measurement
from .record import Record
from .referral import Referral
from .survey import Survey, SurveyResponse
from .test_request import TestRequest

AnyRecord = (
    Complaint
    | Enquiry
    | Contract
    | Customer
    | Survey
    | SurveyResponse
    | Referral
    | TestRequest
    | Measurement
)

RECORD_TYPES: dict[str, type[Record]] = {
    cls.TYPE: cls
    for cls in (
        Complaint,
        Enquiry,
        Contract,
        Customer,
        Survey,
        SurveyResponse,
        Referral,
        TestRequest,
        Measurement,
    )
}


def record_type(tag: str) -> type[Record]:
    """The record class for a ``"type"`` tag; an unknown tag lists the known ones."""
    from .errors import ValidationError

    try:
        return RECORD_TYPES[tag]
    except (KeyError, TypeError):
        known = ", ".join(sorted(RECORD_TYPES))
        raise ValidationError.single(
            "$.type", f"unknown record type {tag!r}; expected one of {known}"
        ) from None
