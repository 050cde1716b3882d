"""What a survey backend is: it distributes a survey to recipients and collects the responses,
each checked against the survey's instrument.

A backend never links a response to a recipient: an invitation carries a random token, a response
may quote it (so one invitation is answered once), and the collected
:class:`~qse_customer.SurveyResponse` has no respondent id and no actor.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Protocol, runtime_checkable

from attrs import field, frozen

from ..core.errors import FieldError
from ..core.survey import Survey, SurveyResponse
from ..core.timestamps import utc


def _tuple_of_responses(value: Iterable[SurveyResponse]) -> tuple[SurveyResponse, ...]:
    return tuple(value)


def _tuple_of_rejected(value: Iterable[RejectedResponse]) -> tuple[RejectedResponse, ...]:
    return tuple(value)


def _tuple_of_errors(value: Iterable[FieldError]) -> tuple[FieldError, ...]:
    return tuple(value)


@frozen
class Invitation:
    """One recipient invited to one survey; ``token`` is what their response quotes."""

    survey_id: str
    token: str
    recipient: str
    sent_at: datetime = field(converter=utc)


@frozen
class RejectedResponse:
    """A response that was not collected: where it came from and every problem with it."""

    source: str
    errors: tuple[FieldError, ...] = field(converter=_tuple_of_errors)

    def __str__(self) -> str:
        return f"{self.source}: " + "; ".join(str(error) for error in self.errors)


@frozen
class Collection:
    """What :meth:`SurveyBackend.collect` found: the valid responses and the rejected ones."""

    responses: tuple[SurveyResponse, ...] = field(converter=_tuple_of_responses)
    rejected: tuple[RejectedResponse, ...] = field(converter=_tuple_of_rejected)


@runtime_checkable
class SurveyBackend(Protocol):
    """Distributes surveys and collects their responses."""

    def distribute(
        self, survey: Survey, recipients: Iterable[str], *, at: datetime
    ) -> list[Invitation]:
        """Invite each recipient (an address the backend understands) to an approved survey."""

    def collect(self, survey: Survey, *, at: datetime) -> Collection:
        """Every response received so far, validated against the survey's instrument.

        ``at`` stands in for the submission time of a response that does not say when it was
        given. Collecting twice returns the same responses with the same ids.
        """


SurveyBackendFactory = Callable[..., SurveyBackend]
"""Makes a backend from keyword options (``folder=...`` for the file backend)."""
