"""``qse-customer validate``: records, rulesets and instruments told apart by content, every
problem listed as FILE: WHERE: JSON path: message, exit code 2 when there is any."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from importlib.resources import files
from pathlib import Path

import pytest

import qse_customer as qse
from qse_customer.cli.main import main

STAFF = qse.Actor("t-1", "Tara Tech", qse.Role.TECHNOLOGIST)
AT = datetime(2026, 1, 5, 9, tzinfo=UTC)


def _complaint(id: str) -> dict[str, object]:
    record = qse.Complaint.receive(id=id, at=AT, by=STAFF, channel="email", category="Delay")
    return qse.to_dict(record)


def test_valid_files_of_each_kind_exit_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    records = tmp_path / "complaints.jsonl"
    records.write_text("\n".join(json.dumps(_complaint(f"C-{i}")) for i in range(3)) + "\n")
    ruleset = files("qse_customer.rules").joinpath("rulesets/customer-service-standards.json")
    instrument = files("qse_customer.analysis").joinpath("instruments/psq-18.json")
    assert main(["validate", str(records), str(ruleset), str(instrument)]) == 0
    out = capsys.readouterr().out
    assert f"{records}: valid (3 records)" in out
    assert "valid (1 ruleset)" in out and "valid (1 instrument)" in out


def test_every_problem_of_every_line_is_listed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = _complaint("C-1")
    two_problems = _complaint("C-2") | {"channel": "pigeon", "severity": "apocalyptic"}
    naive = _complaint("C-3")
    naive["events"][0]["at"] = "2026-01-05T09:00:00"  # type: ignore[index]
    lines = [json.dumps(good), json.dumps(two_problems), "{not json", json.dumps(naive), "[]"]
    path = tmp_path / "mixed.jsonl"
    path.write_text("\n".join(lines) + "\n")
    assert main(["validate", str(path)]) == 2
    out = capsys.readouterr().out
    assert f"{path}: line 2: $.channel:" in out
    assert f"{path}: line 2: $.severity:" in out
    assert f"{path}: line 3: $: not JSON" in out
    assert f"{path}: line 4: $.events[0].at:" in out
    assert f"{path}: line 5: $: cannot tell what this is" in out
    assert "line 1:" not in out
    assert f"{path}: INVALID (5 problems" in out


def test_a_bad_ruleset_and_a_bad_instrument_list_their_paths(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ruleset = tmp_path / "ruleset.json"
    ruleset.write_text(
        json.dumps(
            {
                "name": "mine",
                "version": "1",
                "rules": [
                    {
                        "id": "X-1",
                        "title": "t",
                        "kind": "response_time",
                        "source": {"document": "d"},
                        "applies_to": {"record_type": "enquiry"},
                        "params": {"start": ["received"], "stop": ["responded"], "limit": {}},
                    },
                    {"id": "X-2"},
                ],
            }
        )
    )
    instrument = json.loads(
        files("qse_customer.analysis").joinpath("instruments/csat.json").read_text("utf-8")
    )
    instrument["items"][0]["scale"] = "no-such-scale"
    del instrument["title"]
    bad_instrument = tmp_path / "instrument.json"
    bad_instrument.write_text(json.dumps(instrument))
    assert main(["validate", str(ruleset), str(bad_instrument)]) == 2
    out = capsys.readouterr().out
    assert f"{ruleset}: $.rules[0].params.limit" in out
    assert f"{ruleset}: $.rules[1]" in out
    assert f"{bad_instrument}: $:" in out and "title" in out


def test_a_missing_file_is_reported_and_the_others_still_checked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "one.json"
    good.write_text(json.dumps(_complaint("C-1")))
    assert main(["validate", str(tmp_path / "absent.json"), str(good)]) == 2
    out = capsys.readouterr().out
    assert "absent.json: no such file" in out and f"{good}: valid (1 record)" in out


def test_an_anonymous_complaint_with_a_submitter_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = _complaint("C-1") | {"anonymous": True, "submitter": {"name": "Pat"}}
    path = tmp_path / "anon.json"
    path.write_text(json.dumps(document))
    assert main(["validate", str(path)]) == 2
    assert "$.submitter" in capsys.readouterr().out
