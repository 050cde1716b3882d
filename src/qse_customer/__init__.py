"""qse-customer: prove a clinical laboratory meets QSE 2, Customer Focus.

Records (complaints, enquiries, contracts, customers, surveys, referrals) are immutable and carry
their history as events; working calendars turn response-time standards into deadlines.
"""

from __future__ import annotations

from .core.calendar import WorkingCalendar
from .core.complaint import Complaint
from .core.contract import Contract, ServiceTerm
from .core.customer import Customer, Need
from .core.enquiry import Enquiry
from .core.errors import (
    CalendarError,
    CalendarRangeError,
    FieldError,
    PrivacyError,
    QSEError,
    TransitionError,
    ValidationError,
)
from .core.events import Event
from .core.parties import RecordRef, Submitter
from .core.record import Record
from .core.records import RECORD_TYPES, AnyRecord
from .core.referral import Referral
from .core.roles import Actor, Role
from .core.schema import schema_for
from .core.serialisation import from_dict, from_json, to_dict, to_json
from .core.survey import Survey, SurveyResponse
from .core.test_request import TestRequest
from .core.vocabulary import (
    Channel,
    CustomerCategory,
    CustomerKind,
    NeedSource,
    Priority,
    Severity,
)

__version__ = "0.1.0"

__all__ = [
    "RECORD_TYPES",
    "Actor",
    "AnyRecord",
    "CalendarError",
    "CalendarRangeError",
    "Channel",
    "Complaint",
    "Contract",
    "Customer",
    "CustomerCategory",
    "CustomerKind",
    "Enquiry",
    "Event",
    "FieldError",
    "Need",
    "NeedSource",
    "Priority",
    "PrivacyError",
    "QSEError",
    "Record",
    "RecordRef",
    "Referral",
    "Role",
    "ServiceTerm",
    "Severity",
    "Submitter",
    "Survey",
    "SurveyResponse",
    "TestRequest",
    "TransitionError",
    "ValidationError",
    "WorkingCalendar",
    "__version__",
    "from_dict",
    "from_json",
    "schema_for",
    "to_dict",
    "to_json",
]
