"""The built-in file survey backend passes the survey backend contract."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from pathlib import Path

import pytest

from qse_customer.core.survey import Answer, Survey
from qse_customer.survey_backends import FileSurveyBackend, Invitation, open_survey_backend
from qse_customer.testing.survey_backend_contract import Respond, SurveyBackendContract


class TestFileSurveyBackend(SurveyBackendContract):
    @pytest.fixture
    def backend(self, tmp_path: Path) -> FileSurveyBackend:
        backend = open_survey_backend("file", folder=tmp_path / uuid.uuid4().hex)
        assert isinstance(backend, FileSurveyBackend)
        return backend

    @pytest.fixture
    def respond(self, backend: FileSurveyBackend) -> Respond:
        def answer(
            survey: Survey, invitation: Invitation | None, answers: Mapping[str, Answer]
        ) -> None:
            entry: dict[str, object] = {"answers": dict(answers)}
            if invitation is not None:
                entry["token"] = invitation.token
            folder = backend.responses_folder(survey)
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{uuid.uuid4().hex}.json").write_text(json.dumps(entry), "utf-8")

        return answer
