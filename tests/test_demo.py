"""``qse-customer demo``: a deterministic sample lab, a summary readable in ten seconds, and full
reports that validate, hold every section, need no network and never name an anonymous
complainant."""

from __future__ import annotations

import io
import json
import random
import re
import sqlite3
import sys
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

import qse_customer as qse
from qse_customer.cli.main import main
from qse_customer.core.record import Record
from qse_customer.core.timestamps import wall_clock
from qse_customer.demo import generate_lab
from qse_customer.demo.run import as_they_happened, enter_as_they_happened
from qse_customer.reports.json_report import report_errors
from qse_customer.stores.base import StoreBase

SECTIONS = (
    "summary",
    "compliance",
    "breaches",
    "at-risk",
    "complaints",
    "surveys",
    "referrals",
    "review",
)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    folder = tmp_path_factory.mktemp("demo") / "lab"
    capture = pytest.MonkeyPatch()
    out = io.StringIO()
    capture.setattr(sys, "stdout", out)
    try:
        code = main(["demo", "--dir", str(folder)])
    finally:
        capture.undo()
    assert code == 0
    return folder, out.getvalue()


def test_the_summary_is_readable(demo: tuple[Path, str]) -> None:
    folder, summary = demo
    lines = summary.splitlines()
    assert lines[0].startswith("Riverside Hospital Laboratory")
    assert "Wed 18 Mar 2026 14:30 (Europe/London)" in lines[0]
    t1 = next(line for line in lines if line.strip().startswith("T-1 "))
    assert re.search(r"\d+\.\d% +\d+/\d+ +\d+ +\d+$", t1)  # share, met/decided, breached, at risk
    assert any(line.startswith("Overall ") and "at risk now" in line for line in lines)
    urgent = lines.index("Most urgent (at risk):")
    assert all(lines[urgent + i].startswith("  - ") for i in (1, 2, 3))
    assert any(line.startswith("Complaints by month:") for line in lines)
    assert f"Full report:  {folder / 'report.html'}" in summary
    assert len(lines) < 45


def test_the_store_holds_a_realistic_year(demo: tuple[Path, str]) -> None:
    folder, _ = demo
    with qse.open_store(f"sqlite:///{folder / 'lab.db'}") as store:
        assert 200 <= store.count("complaint") <= 400
        channels = {e.channel for e in store.stream(qse.Enquiry)}
        assert {"telephone", "voicemail", "letter", "email", "web", "face_to_face"} <= channels
        assert any(e.freedom_of_information for e in store.stream(qse.Enquiry))
        assert store.count("contract") >= 2 and store.count("test_request") > 100
        assert store.count("survey_response") > 50 and store.count("referral") >= 3
        complaints = list(store.stream(qse.Complaint))
        assert any(c.anonymous for c in complaints) and any(not c.anonymous for c in complaints)
        assert {c.customer_kind for c in complaints} == {"internal", "external"}


def test_the_json_report_validates_and_has_findings_of_each_kind(demo: tuple[Path, str]) -> None:
    folder, _ = demo
    report = json.loads((folder / "report.json").read_text())
    assert report_errors(report) == []
    assert report["breaches"] and report["at_risk"]
    ids = {rule["rule_id"] for rule in report["standards"]["rules"]}
    assert {"R-K2", "T-1", "T-6b"} <= ids and any(i.startswith("contract:") for i in ids)
    assert len(report["complaints"]["by_period"]["rows"]) == 12
    assert {s["instrument"] for s in report["surveys"]} >= {
        "lab-services-clinician",
        "understanding",
    }


def test_the_html_report_has_every_section_and_no_external_reference(
    demo: tuple[Path, str],
) -> None:
    folder, _ = demo
    html = (folder / "report.html").read_text()
    for section in SECTIONS:
        assert f'<section id="{section}">' in html
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", html, re.I)
    assert "<script" not in html.lower() and "<link" not in html.lower()


def test_no_report_names_an_anonymous_complainant(demo: tuple[Path, str]) -> None:
    folder, _ = demo
    with qse.open_store(f"sqlite:///{folder / 'lab.db'}") as store:
        named = [c.submitter for c in store.stream(qse.Complaint) if c.submitter]
        assert named  # the demo has named complainants, so the check below means something
        anonymous = [c for c in store.stream(qse.Complaint) if c.anonymous]
        assert all(c.submitter is None for c in anonymous)
    texts = [(folder / name).read_text() for name in ("report.html", "report.json")]
    for submitter in named:
        assert all(submitter.name not in text for text in texts)


def test_the_same_seed_gives_the_same_lab() -> None:
    first, again, other = generate_lab(7), generate_lab(7), generate_lab(8)
    assert [qse.to_dict(r) for r in first.records] == [qse.to_dict(r) for r in again.records]
    assert [qse.to_dict(r) for r in first.records] != [qse.to_dict(r) for r in other.records]


def test_demo_refuses_a_folder_that_already_has_a_store(
    demo: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    folder, _ = demo
    assert main(["demo", "--dir", str(folder)]) == 2
    assert "already holds a lab.db" in capsys.readouterr().err


def test_the_demo_exercises_the_complaints_handling_standard(demo: tuple[Path, str]) -> None:
    folder, summary = demo
    report = json.loads((folder / "report.json").read_text())
    rules = {
        rule["rule_id"]: rule
        for rule in report["standards"]["rules"]
        if rule["ruleset"] == "complaints-handling"
    }
    assert set(rules) == {rule.id for rule in qse.load_ruleset("complaints-handling").rules}
    assert all(rule["met"] > 0 for rule in rules.values())
    breached = {rule_id for rule_id, rule in rules.items() if rule["breached"]}
    assert {"H-1", "H-2", "H-3", "H-3-recorded", "H-4a", "H-4c", "H-5", "H-5-who"} <= breached
    lines = [line.strip() for line in summary.splitlines()]
    assert any(line.startswith("H-1 Complainant acknowledged") for line in lines)
    assert any(line.startswith("H-4 (4 rules)") for line in lines)
    assert "--ruleset complaints-handling" in summary


def test_the_demo_exercises_the_clauses_records_can_show(demo: tuple[Path, str]) -> None:
    folder, _ = demo
    report = json.loads((folder / "report.json").read_text())
    checked = {rule["rule_id"]: rule for rule in report["standards"]["rules"]}
    for rule_id in ("T-1b", "T-1c", "T-2c", "CS-3.1.2", "CS-3.2", "CS-3.6", "CS-8.1"):
        assert checked[rule_id]["met"] > 0, rule_id


def test_the_readme_shows_the_demo_summary_as_it_is(demo: tuple[Path, str]) -> None:
    _, summary = demo
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text("utf-8")
    shown = [line for line in readme.splitlines() if re.match(r"^  H-\d", line)]
    assert len(shown) == 5
    for line in shown:
        assert line in summary.splitlines(), line


def _day_by_day(store: StoreBase, records: list[Record], timezone: str) -> None:
    """How the demo entered its records before it did so in one transaction: a transaction a
    day, the store's clock set to the end of that day."""
    zone = ZoneInfo(timezone)
    days: dict[date, list[tuple[int, int]]] = {}
    for number, record in enumerate(records):
        for count, event in enumerate(record.events, start=1):
            days.setdefault(wall_clock(event.at, zone).date(), []).append((number, count))
    reality = store.clock
    try:
        for day in sorted(days):
            close = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
            store.clock = lambda close=close: close  # type: ignore[misc]
            known = {number: count for number, count in days[day]}
            store.save_many(
                records[number].evolve(events=records[number].events[:count])
                for number, count in known.items()
            )
    finally:
        store.clock = reality


def _rows(path: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as db:
        return list(db.execute("SELECT rowid, * FROM qse_records ORDER BY rowid"))


def test_entering_the_year_in_one_transaction_stores_what_a_day_at_a_time_did(
    tmp_path: Path,
) -> None:
    # Every byte of every row (rowid, document, seal, stamps, hash chain) is what saving each day
    # as it ended stored, on the SQLite store and the memory store; the salts of identity
    # fields come from one seeded source in both, in the order the writes ask for them.
    lab = generate_lab(2026)
    records = [r for r in lab.records if r.TYPE in {"complaint", "enquiry", "contract"}][::3]
    records = records + [r for r in lab.records if r.TYPE == "test_request"][:40]
    assert any(len(r.events) > 3 for r in records)
    stored: dict[str, object] = {}
    for how in ("day by day", "one transaction"):
        for backend in ("sqlite", "memory"):
            url = f"sqlite:///{tmp_path / how.replace(' ', '-')}.db"
            with qse.open_store(url if backend == "sqlite" else "memory://") as store:
                assert isinstance(store, StoreBase)
                salts = random.Random(7)
                store.salt = salts.randbytes  # type: ignore[method-assign]
                if how == "day by day":
                    _day_by_day(store, records, lab.calendar.timezone)
                else:
                    enter_as_they_happened(store, records, lab.calendar.timezone)
                if backend == "memory":
                    assert store.verify() == []
                    stored[f"{how} {backend}"] = [
                        qse.to_dict(r)
                        for tag in ("complaint", "enquiry", "contract", "test_request")
                        for r in store.stream(tag)
                    ]
            if backend == "sqlite":
                stored[f"{how} {backend}"] = _rows(Path(url.removeprefix("sqlite:///")))
    assert stored["one transaction sqlite"] == stored["day by day sqlite"]
    assert stored["one transaction memory"] == stored["day by day memory"]


def test_each_record_is_entered_as_it_stood_at_the_end_of_each_day() -> None:
    lab = generate_lab(2026)
    zone = ZoneInfo(lab.calendar.timezone)
    entries = list(as_they_happened(lab.records, lab.calendar.timezone))
    assert [moment for moment, _ in entries] == sorted(moment for moment, _ in entries)
    last: dict[str, Record] = {}
    for moment, record in entries:
        day = wall_clock(record.events[-1].at, zone).date()
        assert moment == datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
        before = last.get(record.id)
        if before is not None:
            assert record.events[: len(before.events)] == before.events
            assert wall_clock(record.events[len(before.events) - 1].at, zone).date() < day
        last[record.id] = record
    assert {r.id: r for r in lab.records} == last


def test_save_as_entered_refuses_what_is_not_a_moment_and_a_record(tmp_path: Path) -> None:
    lab = generate_lab(2026)
    record = lab.records[0]
    with qse.open_store(f"sqlite:///{tmp_path / 'x.db'}") as store:
        assert isinstance(store, StoreBase)
        for entries, path in (
            ([record], "$[0]"),
            ([(datetime(2026, 1, 1), record)], "$[0][0]"),  # naive
            ([(datetime(2026, 1, 1, tzinfo=ZoneInfo("UTC")), "C-1")], "$[0][1]"),
        ):
            with pytest.raises(qse.ValidationError, match=re.escape(path)):
                store.save_as_entered(entries)  # type: ignore[arg-type]
        assert store.count(type(record)) == 0
