"""The contract every survey backend passes: a base class of pytest tests to subclass.

::

    from qse_customer.testing.survey_backend_contract import SurveyBackendContract

    class TestMyBackend(SurveyBackendContract):
        @pytest.fixture
        def backend(self, tmp_path):
            return MyBackend(tmp_path)

        @pytest.fixture
        def respond(self, backend):
            def answer(survey, invitation, answers):
                ...  # deliver a response the way a respondent would
            return answer

``respond(survey, invitation_or_None, answers)`` makes one response arrive at the backend (quoting
the invitation's token if one is given). The surveys use the shipped ``understanding``
instrument (three yes/no items).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ..core.errors import TransitionError, ValidationError
from ..core.roles import Actor, Role
from ..core.survey import Answer, Survey
from ..survey_backends.protocol import Invitation, SurveyBackend

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
MANAGER = Actor("qm-1", "Quinn Manager", Role.QUALITY_MANAGER)
ITEMS = ("diagnosis", "treatment", "next_steps")

Respond = Callable[[Survey, Invitation | None, Mapping[str, Answer]], None]


def approved_survey(survey_id: str = "s-2026-q1") -> Survey:
    """A survey of external customers on the ``understanding`` instrument, approved."""
    survey = Survey.create(
        id=survey_id,
        at=T0,
        by=MANAGER,
        title="Understanding at discharge",
        audience="external",
        instrument="understanding",
    )
    return survey.add("approved", at=T0 + timedelta(hours=1), by=MANAGER)


class SurveyBackendContract:
    """Tests every survey backend must pass; provide the ``backend`` and ``respond`` fixtures."""

    def test_is_a_survey_backend(self, backend: SurveyBackend) -> None:
        assert isinstance(backend, SurveyBackend)

    def test_refuses_to_distribute_an_unapproved_survey(self, backend: SurveyBackend) -> None:
        draft = Survey.create(
            id="s-draft",
            at=T0,
            by=MANAGER,
            title="Draft",
            audience="external",
            instrument="understanding",
        )
        with pytest.raises(TransitionError, match="not approved"):
            backend.distribute(draft, ["a@example.org"], at=T0)

    def test_refuses_an_empty_recipient_list(self, backend: SurveyBackend) -> None:
        with pytest.raises(ValidationError, match="recipient"):
            backend.distribute(approved_survey(), [], at=T0)

    def test_invites_each_recipient_once(self, backend: SurveyBackend) -> None:
        survey = approved_survey()
        recipients = ["a@example.org", "b@example.org", "a@example.org"]
        invitations = backend.distribute(survey, recipients, at=T0 + timedelta(days=1))
        assert [i.recipient for i in invitations] == ["a@example.org", "b@example.org"]
        assert len({i.token for i in invitations}) == 2
        assert all(i.survey_id == survey.id for i in invitations)
        again = backend.distribute(survey, ["b@example.org"], at=T0 + timedelta(days=2))
        assert again == [invitations[1]]

    def test_collects_valid_responses_without_identity(
        self, backend: SurveyBackend, respond: Respond
    ) -> None:
        survey = approved_survey()
        [invitation] = backend.distribute(survey, ["a@example.org"], at=T0)
        respond(survey, invitation, {"diagnosis": "yes", "treatment": "no", "next_steps": "yes"})
        respond(survey, None, {"diagnosis": "no", "treatment": "no", "next_steps": "no"})
        collected = backend.collect(survey, at=T0 + timedelta(days=3))
        assert collected.rejected == ()
        assert len(collected.responses) == 2
        for response in collected.responses:
            assert response.survey_id == survey.id
            assert response.instrument == "understanding"
            assert response.respondent_id is None
            assert all(event.actor is None for event in response.events)
            assert invitation.token not in response.id
            assert "a@example.org" not in repr(response)
        answers = sorted(str(r.answers["diagnosis"]) for r in collected.responses)
        assert answers == ["no", "yes"]

    def test_rejects_invalid_answers_naming_the_item(
        self, backend: SurveyBackend, respond: Respond
    ) -> None:
        survey = approved_survey()
        backend.distribute(survey, ["a@example.org"], at=T0)
        respond(survey, None, {"diagnosis": "perhaps", "treatment": "yes", "next_steps": "yes"})
        collected = backend.collect(survey, at=T0 + timedelta(days=3))
        assert collected.responses == ()
        [rejected] = collected.rejected
        assert [error.path for error in rejected.errors] == ["$.answers.diagnosis"]

    def test_an_invitation_is_answered_once(self, backend: SurveyBackend, respond: Respond) -> None:
        survey = approved_survey()
        [invitation] = backend.distribute(survey, ["a@example.org"], at=T0)
        answers = {"diagnosis": "yes", "treatment": "yes", "next_steps": "yes"}
        respond(survey, invitation, answers)
        respond(survey, invitation, answers)
        forged = Invitation(survey.id, "not-a-real-token", "x@example.org", T0)
        respond(survey, forged, answers)
        collected = backend.collect(survey, at=T0 + timedelta(days=3))
        assert len(collected.responses) == 1
        assert len(collected.rejected) == 2
        assert all(r.errors[0].path == "$.token" for r in collected.rejected)

    def test_collecting_twice_gives_the_same_responses(
        self, backend: SurveyBackend, respond: Respond
    ) -> None:
        survey = approved_survey()
        backend.distribute(survey, ["a@example.org"], at=T0)
        respond(survey, None, {"diagnosis": "yes", "treatment": "no", "next_steps": "yes"})
        first = backend.collect(survey, at=T0 + timedelta(days=3))
        second = backend.collect(survey, at=T0 + timedelta(days=4))
        assert [r.id for r in first.responses] == [r.id for r in second.responses]

    @settings(
        max_examples=15,
        deadline=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.differing_executors,
        ],
    )
    @given(
        answers=st.fixed_dictionaries(
            {item: st.sampled_from(["yes", "no", None]) for item in ITEMS}
        ),
        survey_id=st.from_regex(r"s-[a-z0-9]{1,8}", fullmatch=True),
    )
    def test_every_valid_response_is_collected_as_given(
        self,
        backend: SurveyBackend,
        respond: Respond,
        answers: dict[str, Any],
        survey_id: str,
    ) -> None:
        survey = approved_survey(survey_id)
        backend.distribute(survey, ["a@example.org"], at=T0)
        before = len(backend.collect(survey, at=T0).responses)
        respond(survey, None, answers)
        collected = backend.collect(survey, at=T0 + timedelta(days=1))
        assert collected.rejected == ()
        assert len(collected.responses) == before + 1
        given_answers = {k: v for k, v in answers.items() if v is not None}
        assert any(
            {k: v for k, v in r.answers.items() if v is not None} == given_answers
            for r in collected.responses
        )
