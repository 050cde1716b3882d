"""The command line for many labs in one store: ``check --lab`` with each lab's calendar and
rulesets from ``--labs``, ``verify --lab``, and ``migrate-lab``."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import qse_customer as qse
from qse_customer.cli.main import main

MONDAY = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
STAFF = qse.Actor("t-1", "Tara Tech", qse.Role.TECHNOLOGIST)


def _call(answered_after: timedelta, lab: str | None) -> qse.Enquiry:
    enquiry = qse.Enquiry.receive(id="ENQ-1", at=MONDAY, by=STAFF, channel="telephone")
    return enquiry.add("responded", at=MONDAY + answered_after, by=STAFF).evolve(lab=lab)


@pytest.fixture
def two_labs(tmp_path: Path) -> tuple[str, Path]:
    """A store where LAB-A answered ENQ-1 in 3 hours and LAB-B its own ENQ-1 after 6 days;
    and a labs file giving LAB-B a New York calendar."""
    url = f"sqlite:///{tmp_path / 'labs.db'}"
    for lab, after in (("LAB-A", timedelta(hours=3)), ("LAB-B", timedelta(days=6))):
        with qse.open_store(url, lab=lab) as store:
            store.save_many([_call(after, lab)], legacy=True)
    (tmp_path / "new-york.json").write_text(
        json.dumps(
            {
                "timezone": "America/New_York",
                "country": "US",
                "subdivision": "NY",
                "opens": "08:00",
                "closes": "17:00",
            }
        )
    )
    labs = {
        "labs": {
            "LAB-A": {"rulesets": ["customer-service-standards"]},
            "LAB-B": {"calendar": "new-york.json", "rulesets": ["customer-service-standards"]},
        }
    }
    (tmp_path / "labs.json").write_text(json.dumps(labs))
    return url, tmp_path / "labs.json"


def _report(tmp_path: Path, *args: str) -> tuple[int, dict[str, object]]:
    target = tmp_path / "report.json"
    code = main(
        ["check", *args, "--at", "2026-01-20T12:00", "--format", "json", "--output", str(target)]
    )
    return code, json.loads(target.read_text())


def test_check_judges_one_lab_with_its_own_calendar_and_rulesets(
    two_labs: tuple[str, Path], tmp_path: Path
) -> None:
    url, labs = two_labs
    code, report = _report(tmp_path, "--store", url, "--lab", "LAB-A", "--labs", str(labs))
    assert code == 0 and report["breaches"] == []
    assert report["source"] == f"{url} (lab LAB-A)"
    assert (report["timezone"], report["at"]) == ("Europe/London", "2026-01-20T12:00:00+00:00")
    code, report = _report(tmp_path, "--store", url, "--lab", "LAB-B", "--labs", str(labs))
    assert code == 1
    assert [(f["rule_id"], f["record_id"]) for f in report["breaches"]] == [("T-1", "ENQ-1")]
    # LAB-B's calendar: a time without an offset is New York's.
    assert (report["timezone"], report["at"]) == ("America/New_York", "2026-01-20T17:00:00+00:00")


def test_the_command_line_names_rulesets_over_the_labs_file(
    two_labs: tuple[str, Path], tmp_path: Path
) -> None:
    url, labs = two_labs
    args = [
        "--store",
        url,
        "--lab",
        "LAB-B",
        "--labs",
        str(labs),
        "--ruleset",
        "qse2-responsibility",
    ]
    code, report = _report(tmp_path, *args)
    assert code == 0 and report["breaches"] == []  # not the customer service standards
    code, report = _report(
        tmp_path, "--store", url, "--lab", "LAB-B", "--ruleset", "customer-service-standards"
    )
    assert code == 1 and report["timezone"] == "Europe/London"  # no --labs: the default calendar


def test_without_a_lab_check_sees_the_default_lab_as_before(
    two_labs: tuple[str, Path], tmp_path: Path
) -> None:
    url, _ = two_labs
    code, report = _report(tmp_path, "--store", url, "--ruleset", "customer-service-standards")
    assert code == 0 and report["source"] == url
    rule = next(r for r in report["standards"]["rules"] if r["rule_id"] == "T-1")
    assert rule["met"] == rule["breached"] == 0  # neither lab's records


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ([], "give the rulesets to check with --ruleset"),
        (["--labs", "{labs}"], "give --lab too"),
        (["--lab", "LAB-C", "--labs", "{labs}"], "names no lab 'LAB-C' (it names: LAB-A, LAB-B)"),
        (["--lab", "LAB 7", "--ruleset", "qse2-responsibility"], "--lab: expected a lab name"),
    ],
)
def test_bad_lab_options_exit_2_naming_the_problem(
    two_labs: tuple[str, Path],
    capsys: pytest.CaptureFixture[str],
    extra: list[str],
    message: str,
) -> None:
    url, labs = two_labs
    args = ["check", "--store", url, *(a.replace("{labs}", str(labs)) for a in extra)]
    assert main(args) == 2
    assert message in capsys.readouterr().err


def test_migrate_lab_makes_the_records_the_lab_s_and_verify_still_passes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'lab.db'}"
    with qse.open_store(url) as store:
        store.save_many([_call(timedelta(days=6), None)], legacy=True)
    assert main(["migrate-lab", "--store", url, "--lab", "LAB-7"]) == 0
    assert "1 record(s) of the default lab are LAB-7's" in capsys.readouterr().out
    assert main(["migrate-lab", "--store", url, "--lab", "LAB-7"]) == 0
    assert "no record needed to move" in capsys.readouterr().out
    assert main(["verify", "--store", url, "--lab", "LAB-7"]) == 0
    assert main(["verify", "--store", url]) == 0  # the default view is the home lab's now
    code, report = _report(
        tmp_path, "--store", url, "--lab", "LAB-7", "--ruleset", "customer-service-standards"
    )
    assert code == 1 and [f["record_id"] for f in report["breaches"]] == ["ENQ-1"]
    capsys.readouterr()
    assert main(["migrate-lab", "--store", url, "--lab", "LAB-8"]) == 2
    assert "already has the home lab 'LAB-7'" in capsys.readouterr().err


def test_import_and_export_one_lab(
    two_labs: tuple[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url, _ = two_labs
    exported = tmp_path / "lab-b.jsonl"
    assert main(["export", "--store", url, "--lab", "LAB-B", "--output", str(exported)]) == 0
    lines = [json.loads(line) for line in exported.read_text().splitlines()]
    assert [(d["id"], d["lab"]) for d in lines] == [("ENQ-1", "LAB-B")]
    # Into another store, for LAB-B: its records name LAB-B, so they are let in.
    other = f"sqlite:///{tmp_path / 'other.db'}"
    assert main(["import", "--store", other, "--lab", "LAB-B", str(exported)]) == 0
    with qse.open_store(other, lab="LAB-B") as store:
        assert [e.lab for e in store.stream(qse.Enquiry)] == ["LAB-B"]
    capsys.readouterr()
    # For LAB-A, they are refused, line by line, naming lab; nothing is written.
    assert main(["import", "--store", other, "--lab", "LAB-A", str(exported)]) == 2
    err = capsys.readouterr().err
    assert "line 1" in err and "$.lab" in err and "belongs to lab 'LAB-B'" in err
    with qse.open_store(other, lab="LAB-A") as store:
        assert store.count(qse.Enquiry) == 0


def test_explain_and_notify_one_lab(
    two_labs: tuple[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    url, labs = two_labs
    at = ["--at", "2026-01-20T12:00"]
    assert (
        main(
            ["explain", "T-1", "ENQ-1", "--store", url, "--lab", "LAB-B", "--labs", str(labs), *at]
        )
        == 0
    )
    assert "responded at Sun 11 Jan 2026" in capsys.readouterr().out  # LAB-B's ENQ-1
    assert (
        main(
            ["explain", "T-1", "ENQ-1", "--store", url, "--lab", "LAB-A", "--labs", str(labs), *at]
        )
        == 0
    )
    assert "responded at Mon 05 Jan 2026 12:00" in capsys.readouterr().out  # LAB-A's
    assert main(["notify", "--store", url, "--lab", "LAB-B", "--labs", str(labs), *at]) == 0
    assert "1 new notification(s)" in capsys.readouterr().out
    path = url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as raw:
        rows = raw.execute("SELECT lab, key FROM qse_notifications").fetchall()
    assert [(lab, key.split("|")[3]) for lab, key in rows] == [("LAB-B", "ENQ-1")]
    with qse.open_store(url, lab="LAB-B") as lab_b, qse.open_store(url, lab="LAB-A") as lab_a:
        assert lab_b.has_notification(rows[0][1]) and not lab_a.has_notification(rows[0][1])
