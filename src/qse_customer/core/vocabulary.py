"""The fixed vocabularies records use (channels, customer kinds, priorities, ...)."""

from __future__ import annotations

import re
import reprlib
from enum import StrEnum

from .errors import ValidationError


class Vocabulary(StrEnum):
    """A fixed vocabulary: an unknown value is a ValidationError that lists the known ones."""

    @classmethod
    def _missing_(cls, value: object) -> Vocabulary:
        field = re.sub(r"(?<!^)(?=[A-Z])", "_", cls.__name__).lower()
        known = ", ".join(member.value for member in cls)
        raise ValidationError.single(
            f"$.{field}",
            f"unknown {field.replace('_', ' ')} {reprlib.repr(value)}; expected one of {known}",
        )


class Channel(Vocabulary):
    """How a complaint, enquiry or correspondence reached the laboratory (source 003, section 3)."""

    TELEPHONE = "telephone"
    VOICEMAIL = "voicemail"
    LETTER = "letter"
    EMAIL = "email"
    WEB = "web"
    FACE_TO_FACE = "face_to_face"
    FORM = "form"
    OTHER = "other"


class CustomerKind(Vocabulary):
    """Internal customers are the next step in the lab's own chain (source 002); others external."""

    INTERNAL = "internal"
    EXTERNAL = "external"


class CustomerCategory(Vocabulary):
    """Who a customer is (domain brief, "Customers and their needs")."""

    PATIENT = "patient"
    CLINICIAN = "clinician"
    WARD = "ward"
    DEPARTMENT = "department"
    REFERRING_LAB = "referring_lab"
    FACILITY = "facility"
    PAYER = "payer"
    INTERNAL_STEP = "internal_step"
    OTHER = "other"


class Severity(Vocabulary):
    """How serious a complaint is."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class Priority(Vocabulary):
    """The priority of a test request (source 001, "Turnaround Time")."""

    STAT = "stat"
    URGENT = "urgent"
    ROUTINE = "routine"


class NeedSource(Vocabulary):
    """Where a customer's need or expectation came from."""

    SURVEY = "survey"
    MEETING = "meeting"
    COMPLAINT = "complaint"
    CONTRACT = "contract"
    ENQUIRY = "enquiry"
    OTHER = "other"
