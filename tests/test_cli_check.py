"""``qse-customer check`` and the command line's error handling: exit codes 0, 1 and 2 on real
SQLite stores, reports in every format, and one-paragraph messages instead of tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import qse_customer as qse
from qse_customer.cli.main import main
from qse_customer.reports.json_report import report_errors

MONDAY = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
STAFF = qse.Actor("t-1", "Tara Tech", qse.Role.TECHNOLOGIST)
CHECK_AT = "2026-01-20T12:00:00+00:00"


def _call(received: datetime, answered_after: timedelta, id: str) -> qse.Enquiry:
    enquiry = qse.Enquiry.receive(id=id, at=received, by=STAFF, channel="telephone")
    return enquiry.add("responded", at=received + answered_after, by=STAFF)


def _store(path: Path, *records: qse.Record) -> str:
    url = f"sqlite:///{path}"
    with qse.open_store(url) as store:
        store.save_many(records, legacy=True)
    return url


@pytest.fixture
def met_store(tmp_path: Path) -> str:
    return _store(tmp_path / "met.db", _call(MONDAY, timedelta(hours=3), "ENQ-1"))


@pytest.fixture
def breached_store(tmp_path: Path) -> str:
    return _store(
        tmp_path / "breached.db",
        _call(MONDAY, timedelta(hours=3), "ENQ-1"),
        _call(MONDAY, timedelta(days=6), "ENQ-2"),
    )


def _check(url: str, *extra: str) -> list[str]:
    return [
        "check",
        "--store",
        url,
        "--ruleset",
        "customer-service-standards",
        "--at",
        CHECK_AT,
        *extra,
    ]


def test_nothing_breached_exits_0(met_store: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(_check(met_store)) == 0
    out = capsys.readouterr().out
    assert "T-1" in out and "100.0%" in out and "1/1" in out


def test_a_breach_exits_1_and_is_in_the_register(
    breached_store: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(_check(breached_store)) == 1
    out = capsys.readouterr().out
    assert "Breach register (1)" in out
    assert "ENQ-2" in out and "50.0%" in out


def test_json_report_validates_and_says_what_breached(breached_store: str, tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    assert main(_check(breached_store, "--format", "json", "--output", str(target))) == 1
    report = json.loads(target.read_text())
    assert report_errors(report) == []
    assert [(f["rule_id"], f["record_id"]) for f in report["breaches"]] == [("T-1", "ENQ-2")]
    rule = next(r for r in report["standards"]["rules"] if r["rule_id"] == "T-1")
    assert (rule["met"], rule["breached"], rule["share_met_denominator"]) == (1, 1, 2)


def test_html_report_is_written(breached_store: str, tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    assert main(_check(breached_store, "--format", "html", "--output", str(target))) == 1
    assert 'id="breaches"' in target.read_text() and "ENQ-2" in target.read_text()


def test_naive_at_is_read_in_the_lab_time_zone(
    breached_store: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # 17:30 in London in summer is 16:30 UTC: the report says the local time back.
    args = ["check", "--store", breached_store, "--ruleset", "customer-service-standards"]
    assert main([*args, "--at", "2026-07-01T17:30"]) == 1
    assert "Wed 01 Jul 2026 17:30" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["check", "--ruleset", "customer-service-standards"], "--store"),
        (["check", "--store", "sqlite:///{db}", "--ruleset", "no-such-ruleset"], "no-such-ruleset"),
        (
            ["check", "--store", "sqlite:///{missing}", "--ruleset", "qse2-responsibility"],
            "no file",
        ),
        (
            [
                "check",
                "--store",
                "sqlite:///{db}",
                "--ruleset",
                "qse2-responsibility",
                "--at",
                "soon",
            ],
            "--at 'soon'",
        ),
        (
            [
                "check",
                "--store",
                "sqlite:///{db}",
                "--ruleset",
                "qse2-responsibility",
                "--at",
                "P3D",
            ],
            "expected a date and time",
        ),
        (
            [
                "check",
                "--store",
                "sqlite:///{db}",
                "--ruleset",
                "qse2-responsibility",
                "--timezone",
                "Mars/Olympus",
            ],
            "Mars/Olympus",
        ),
        (["check", "--store", "nothing", "--ruleset", "qse2-responsibility"], "store URL"),
        (
            [
                "check",
                "--store",
                "sqlite:///{db}",
                "--ruleset",
                "qse2-responsibility",
                "--format",
                "pdf",
            ],
            "invalid choice",
        ),
        (["frobnicate"], "invalid choice"),
        (["validate"], "FILE"),
    ],
)
def test_bad_input_exits_2_with_a_message_and_no_traceback(
    args: list[str],
    expected: str,
    met_store: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    db = met_store.removeprefix("sqlite:///")
    filled = [a.format(db=db, missing=tmp_path / "missing.db") for a in args]
    assert main(filled) == 2
    err = capsys.readouterr().err
    assert expected in err
    assert "Traceback" not in err


def test_a_bad_ruleset_file_lists_its_problems(
    met_store: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ruleset = tmp_path / "mine.json"
    ruleset.write_text(json.dumps({"name": "mine", "version": "1", "rules": [{"id": "X"}]}))
    assert main(["check", "--store", met_store, "--ruleset", str(ruleset)]) == 2
    err = capsys.readouterr().err
    assert "$.rules[0]" in err and "Traceback" not in err


def test_every_command_has_help_ending_with_an_example(capsys: pytest.CaptureFixture[str]) -> None:
    for command in ("demo", "check", "validate", "import", "export", "notify", "explain"):
        assert main([command, "--help"]) == 0
        text = capsys.readouterr().out.rstrip()
        last = text.split("\n\n")[-1]
        assert last.startswith("example"), command
        assert "qse-customer " in last, command


def test_python_dash_m_runs_the_command(met_store: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "qse_customer.cli", *_check(met_store, "--format", "json")],
        capture_output=True,
        text=True,
        check=False,
        env={"PYTHONPATH": str(Path(qse.__file__).parents[1]), "PATH": ""},
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["version"] == 2
    assert done.stderr == ""  # no progress lines when stderr is not a terminal


class _Terminal:
    """A stderr that says it is a terminal, keeping what is written to it."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def isatty(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self.lines.append(text)
        return len(text)

    def flush(self) -> None:
        pass


def test_progress_on_a_terminal_counts_the_records_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from qse_customer.reports import content

    monkeypatch.setattr(content, "PROGRESS_EVERY", 2)
    calls = [_call(MONDAY + timedelta(minutes=n), timedelta(hours=1), f"E-{n}") for n in range(5)]
    url = _store(tmp_path / "five.db", *calls)
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main(_check(url)) == 0
    shown = "".join(terminal.lines)
    assert "customer-service-standards: 2 records checked" in shown
    assert "customer-service-standards: 4 records checked" in shown
    assert "6 records" not in shown


def test_no_progress_when_stderr_is_not_a_terminal(
    met_store: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(_check(met_store)) == 0
    assert "checked" not in capsys.readouterr().err
