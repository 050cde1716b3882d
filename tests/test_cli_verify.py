"""``qse-customer verify`` finds edits made behind the store's back; ``import --legacy`` keeps
a lab's unstamped history known from the start."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import qse_customer as qse
from qse_customer.cli.main import main

STAFF = qse.Actor("t-1", "Tara Tech", qse.Role.TECHNOLOGIST)
MONDAY = datetime(2026, 1, 5, 9, tzinfo=UTC)


def enquiry(number: int) -> qse.Enquiry:
    return qse.Enquiry.receive(
        id=f"E-{number}", at=MONDAY, by=STAFF, channel="email", subject="parking"
    ).add("responded", at=MONDAY + timedelta(days=9), by=STAFF)


def test_verify_names_the_record_and_event_changed_behind_its_back(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'lab.db'}"
    with qse.open_store(url) as store:
        store.save_many([enquiry(1), enquiry(2)])
    assert main(["verify", "--store", url]) == 0
    assert "every record is as it was recorded" in capsys.readouterr().out
    raw = sqlite3.connect(tmp_path / "lab.db")
    raw.execute(
        "UPDATE qse_records SET document = replace(document, '2026-01-14T09', '2026-01-05T11') "
        "WHERE id = 'E-2'"
    )
    raw.commit()
    raw.close()
    assert main(["verify", "--store", url]) == 1
    out = capsys.readouterr().out
    assert "enquiry E-2: $.events[1]:" in out and "hash chain" in out
    assert "E-1" not in out
    assert "1 record(s) fail verification" in out


def test_import_legacy_keeps_the_history_known_from_the_start(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = tmp_path / "history.jsonl"
    lines.write_text(qse.to_json(enquiry(1)) + "\n", encoding="utf-8")
    stamped, legacy = f"sqlite:///{tmp_path / 'a.db'}", f"sqlite:///{tmp_path / 'b.db'}"
    assert main(["import", "--store", stamped, str(lines)]) == 0
    assert main(["import", "--store", legacy, str(lines), "--legacy"]) == 0
    capsys.readouterr()
    check = ["check", "--ruleset", "customer-service-standards", "--format", "json"]
    check += ["--at", "2026-01-31T12:00:00+00:00"]
    assert main([*check, "--store", stamped]) == 0  # recorded today: not known in January
    assert main([*check, "--store", legacy]) == 1  # known from the start: T-5 breached
    with qse.open_store(legacy) as store:
        assert [e.recorded_at for e in store.load(qse.Enquiry, "E-1").events] == [None, None]
    assert main(["import", "--store", legacy, str(lines), "--legacy"]) == 2  # only new records
