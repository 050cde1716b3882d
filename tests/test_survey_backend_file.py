"""The file survey backend's own formats: invitation files, CSV and JSON responses, and what
it rejects."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from qse_customer import Survey, TransitionError
from qse_customer.analysis.instrument_registry import InstrumentRegistry, load_instrument
from qse_customer.survey_backends import FileSurveyBackend
from qse_customer.testing.survey_backend_contract import MANAGER, T0, approved_survey


@pytest.fixture
def backend(tmp_path: Path) -> FileSurveyBackend:
    return FileSurveyBackend(tmp_path / "surveys")


def nps_survey() -> Survey:
    survey = Survey.create(
        id="nps/2026 Q1", at=T0, by=MANAGER, title="NPS", audience="external", instrument="nps"
    )
    return survey.add("approved", at=T0, by=MANAGER)


def test_an_invitation_file_carries_what_a_sender_needs(backend: FileSurveyBackend) -> None:
    survey = nps_survey()
    [invitation] = backend.distribute(survey, ["ward7@example.org"], at=T0)
    folder = backend.survey_folder(survey)
    assert folder.name == "nps%2F2026%20Q1"  # a survey id never escapes its folder
    document = json.loads((folder / "invitations" / f"{invitation.token}.json").read_text())
    assert document["recipient"] == "ward7@example.org"
    assert document["instrument"] == "nps"
    assert [item["id"] for item in document["items"]] == ["recommend"]
    assert document["scales"]["recommend"]["max"] == 10
    assert backend.invitations(survey) == [invitation]


def test_csv_responses_are_read_with_numbers_and_yes_no(backend: FileSurveyBackend) -> None:
    survey = nps_survey()
    [invitation] = backend.distribute(survey, ["a@example.org"], at=T0)
    backend.responses_folder(survey).joinpath("paper.csv").write_text(
        "recommend,token,submitted_at,customer_kind,comment\n"
        f"9,{invitation.token},2026-01-06T10:00:00+00:00,external,Quick and kind\n"
        "3,,,,\n"
        "eleven,,,,\n"
        "10,,2026-01-06T10:00:00,,\n",
        encoding="utf-8",
    )
    collected = backend.collect(survey, at=T0 + timedelta(days=2))
    assert [dict(r.answers) for r in collected.responses] == [{"recommend": 9}, {"recommend": 3}]
    first = collected.responses[0]
    assert first.last_event_at == datetime(2026, 1, 6, 10, tzinfo=UTC)
    assert first.comment == "Quick and kind"
    assert first.customer_kind is not None and first.customer_kind.value == "external"
    assert collected.responses[1].last_event_at == T0 + timedelta(days=2)
    assert [(r.source.rsplit(",", 1)[1], r.errors[0].path) for r in collected.rejected] == [
        (" row 4", "$.answers.recommend"),
        (" row 5", "$.submitted_at"),
    ]


def test_yes_no_cells_may_be_1_and_0(backend: FileSurveyBackend) -> None:
    survey = approved_survey()
    backend.distribute(survey, ["a@example.org"], at=T0)
    backend.responses_folder(survey).joinpath("export.csv").write_text(
        "diagnosis,treatment,next_steps\n1,0,yes\n", encoding="utf-8"
    )
    [response] = backend.collect(survey, at=T0).responses
    assert dict(response.answers) == {"diagnosis": True, "treatment": False, "next_steps": "yes"}


def test_unreadable_files_are_rejected_by_name(backend: FileSurveyBackend) -> None:
    survey = approved_survey()
    backend.distribute(survey, ["a@example.org"], at=T0)
    folder = backend.responses_folder(survey)
    (folder / "broken.json").write_text("{not json", encoding="utf-8")
    (folder / "notes.txt").write_text("call back", encoding="utf-8")
    (folder / "list.json").write_text(json.dumps([{"answers": {}}, 7]), encoding="utf-8")
    (folder / "wide.csv").write_text("diagnosis\nyes,extra\n", encoding="utf-8")
    (folder / "odd.json").write_text(
        json.dumps({"answers": {"diagnosis": "yes"}, "customer_kind": "martian", "name": "Pat"}),
        encoding="utf-8",
    )
    collected = backend.collect(survey, at=T0)
    problems = {Path(r.source.split(",")[0].split("[")[0]).name: r for r in collected.rejected}
    assert set(problems) == {"broken.json", "notes.txt", "list.json", "wide.csv", "odd.json"}
    assert "not JSON" in str(problems["broken.json"])
    assert "unsupported file" in str(problems["notes.txt"])
    assert [e.path for e in problems["odd.json"].errors] == ["$", "$.customer_kind"]
    assert len(collected.responses) == 1  # list.json's first entry: every item may be missing


def test_a_closed_survey_is_not_distributed(backend: FileSurveyBackend) -> None:
    survey = approved_survey().add("closed", at=T0 + timedelta(days=1), by=MANAGER)
    with pytest.raises(TransitionError, match="closed"):
        backend.distribute(survey, ["a@example.org"], at=T0)


def test_instruments_come_from_the_given_registry(tmp_path: Path) -> None:
    document = load_instrument("csat").to_dict()
    document["id"] = "lab-csat"
    registry = InstrumentRegistry()
    registry.register(document)
    backend = FileSurveyBackend(tmp_path, registry=registry)
    survey = Survey.create(
        id="s-1", at=T0, by=MANAGER, title="CSAT", audience="external", instrument="lab-csat"
    ).add("approved", at=T0, by=MANAGER)
    backend.distribute(survey, ["a@example.org"], at=T0)
    backend.responses_folder(survey).joinpath("r.json").write_text(
        json.dumps({"answers": {"satisfaction": 5}}), encoding="utf-8"
    )
    [response] = backend.collect(survey, at=T0).responses
    assert response.instrument == "lab-csat"
