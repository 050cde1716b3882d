"""Satisfaction surveys and their responses (source 000, "Monitoring Customer Satisfaction")."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, ClassVar, Self

from attrs import field, frozen

from ._checks import nonempty_text, optional_text, text
from .errors import ValidationError
from .events import Event, frozen_mapping
from .lifecycle import Lifecycle
from .record import Record
from .roles import Actor
from .vocabulary import CustomerKind

SURVEY_LIFECYCLE = Lifecycle(
    opening={"created"},
    kinds={
        "created",
        "approved",
        "conducted",
        "collected",
        "analysed",
        "submitted_for_review",
        "referred",
        "note_added",
        "closed",
        "reopened",
    },
    status_after={
        "created": "draft",
        "approved": "approved",
        "conducted": "in_field",
        "collected": "collected",
        "analysed": "analysed",
        "submitted_for_review": "reviewed",
        "closed": "closed",
        "reopened": "analysed",
    },
)

RESPONSE_LIFECYCLE = Lifecycle(
    opening={"submitted"},
    kinds={"submitted", "withdrawn", "reopened"},
    status_after={"submitted": "submitted", "withdrawn": "closed", "reopened": "submitted"},
    closing={"withdrawn"},
)

Answer = int | float | str | bool | None


@frozen(kw_only=True, eq=True, hash=False)
class Survey(Record):
    """A satisfaction survey of internal or external customers, run with one instrument."""

    TYPE: ClassVar[str] = "survey"
    LIFECYCLE: ClassVar[Lifecycle] = SURVEY_LIFECYCLE

    title: str = field(validator=nonempty_text)
    audience: CustomerKind = field(converter=CustomerKind)
    instrument: str = field(validator=nonempty_text)
    period_start: date | None = None
    period_end: date | None = None

    def __attrs_post_init__(self) -> None:
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValidationError.single("$.period_end", "expected a date on or after period_start")
        super().__attrs_post_init__()

    @classmethod
    def create(
        cls,
        *,
        id: str,
        at: datetime,
        by: Actor | None,
        title: str,
        audience: CustomerKind | str,
        instrument: str,
        note: str = "",
        **fields: Any,
    ) -> Self:
        """A survey as created; it must be approved (R-S1) before it is conducted."""
        event = Event("created", at, by, {}, note)
        return cls(
            id=id, title=title, audience=audience, instrument=instrument, events=(event,), **fields
        )

    @property
    def approved(self) -> bool:
        """True once an ``approved`` event is in the history."""
        return self.first("approved") is not None


def _answers(value: Mapping[str, Answer]) -> Mapping[str, Answer]:
    answers = frozen_mapping(value, "$.answers")
    for key, answer in answers.items():
        if not isinstance(answer, int | float | str | bool | type(None)):
            raise ValidationError.single(
                f"$.answers.{key}", f"expected a number, text, true/false or null, got {answer!r}"
            )
    return answers


def optional_customer_kind(value: CustomerKind | str | None) -> CustomerKind | None:
    """A CustomerKind from its value, passing None through."""
    return None if value is None else CustomerKind(value)


@frozen(kw_only=True, eq=True, hash=False)
class SurveyResponse(Record):
    """One respondent's answers; ``respondent_id`` is None for an anonymous response."""

    TYPE: ClassVar[str] = "survey_response"
    LIFECYCLE: ClassVar[Lifecycle] = RESPONSE_LIFECYCLE

    survey_id: str = field(validator=nonempty_text)
    instrument: str = field(validator=nonempty_text)
    answers: Mapping[str, Answer] = field(factory=dict, converter=_answers)
    respondent_id: str | None = field(default=None, validator=optional_text)
    customer_kind: CustomerKind | None = field(default=None, converter=optional_customer_kind)
    comment: str = field(default="", validator=text)

    @classmethod
    def submit(
        cls,
        *,
        id: str,
        at: datetime,
        survey_id: str,
        instrument: str,
        answers: Mapping[str, Answer],
        by: Actor | None = None,
        **fields: Any,
    ) -> Self:
        """A response as submitted (``by`` is None for an anonymous respondent)."""
        event = Event("submitted", at, by)
        return cls(
            id=id,
            survey_id=survey_id,
            instrument=instrument,
            answers=answers,
            events=(event,),
            **fields,
        )

    @property
    def anonymous(self) -> bool:
        """True when the response cannot be linked back to a respondent."""
        return self.respondent_id is None and all(e.actor is None for e in self.events)
