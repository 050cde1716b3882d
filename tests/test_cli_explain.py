"""``qse-customer explain`` and ``notify`` on a real store."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import qse_customer as qse
from qse_customer.cli.main import main

STAFF = qse.Actor("t-1", "Tara Tech", qse.Role.TECHNOLOGIST)
DIRECTOR = qse.Actor("d-1", "Dee Director", qse.Role.LABORATORY_DIRECTOR)
MONDAY = datetime(2026, 1, 5, 9, tzinfo=UTC)


@pytest.fixture
def store_url(tmp_path: Path) -> str:
    late = qse.Enquiry.receive(id="ENQ-LATE", at=MONDAY, by=STAFF, channel="telephone")
    late = late.add("responded", at=MONDAY + timedelta(days=6), by=STAFF)
    anonymous = qse.Complaint.receive(
        id="C-1", at=MONDAY, by=STAFF, channel="form", category="Delay", anonymous=True
    ).add("corrective_action_initiated", at=MONDAY + timedelta(hours=2), by=DIRECTOR)
    url = f"sqlite:///{tmp_path / 'lab.db'}"
    with qse.open_store(url) as store:
        store.save_many([late, anonymous], legacy=True)  # known from the start
    return url


def test_explain_prints_the_derivation(store_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    args = [
        "explain",
        "T-1",
        "ENQ-LATE",
        "--store",
        store_url,
        "--ruleset",
        "customer-service-standards",
        "--at",
        "2026-01-20T12:00:00+00:00",
    ]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert out.startswith("T-1 for enquiry ENQ-LATE: BREACHED")
    lines = out.splitlines()  # one line each, not one line with the breaks escaped
    assert lines[1] == "" and lines[2].startswith("Rule:     ") and "\\n" not in out
    assert "Source:   003_1901d489df2c6a2b.txt §3.1.3" in out
    assert "Due:      Wed 07 Jan 2026 17:00" in out
    assert "Evidence:" in out and "start_event: received" in out
    assert main([*args, "--json"]) == 0
    finding = json.loads(capsys.readouterr().out)
    assert finding["status"] == "breached" and finding["record_id"] == "ENQ-LATE"


def test_explain_names_the_role_that_was_not_allowed(
    store_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    args = [
        "explain",
        "R-K2",
        "C-1",
        "--store",
        store_url,
        "--ruleset",
        "qse2-responsibility",
        "--at",
        "2026-01-20T12:00:00+00:00",
    ]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "BREACHED" in out and "laboratory_director" in out


@pytest.mark.parametrize(
    ("rule", "record", "expected"),
    [("T-99", "ENQ-LATE", "no rule 'T-99'"), ("T-1", "ENQ-NONE", "no enquiry 'ENQ-NONE'")],
)
def test_explain_unknown_rule_or_record_is_bad_input(
    store_url: str, rule: str, record: str, expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    args = [
        "explain",
        rule,
        record,
        "--store",
        store_url,
        "--ruleset",
        "customer-service-standards",
    ]
    assert main(args) == 2
    assert expected in capsys.readouterr().err


def test_notify_sends_each_breach_once(store_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    args = [
        "notify",
        "--store",
        store_url,
        "--ruleset",
        "customer-service-standards",
        "--at",
        "2026-01-20T12:00:00+00:00",
    ]
    assert main(args) == 0
    first = capsys.readouterr().out
    assert "customer-service-standards: 1 new notification(s), 1 delivered" in first
    assert main(args) == 0
    assert "0 new notification(s), 0 delivered" in capsys.readouterr().out


def test_explain_shows_a_correction_beside_the_original_and_both_times(
    store_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    manager = qse.Actor("qm-1", "Quinn Manager", qse.Role.QUALITY_MANAGER)
    with qse.open_store(store_url) as store:
        store.correct(
            qse.Enquiry,
            "ENQ-LATE",
            1,
            qse.Event("responded", MONDAY + timedelta(hours=3), STAFF),
            by=manager,
            reason="the call log shows the call-back on Monday\nInjected: a line of its own",
        )
    args = ["explain", "T-1", "ENQ-LATE", "--store", store_url]
    args += ["--ruleset", "customer-service-standards"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert out.startswith("T-1 for enquiry ENQ-LATE: MET")
    history = out[out.index("History (as stored):") :]
    assert "[1] responded at Sun 11 Jan 2026 09:00 by technologist Tara Tech" in history
    assert "superseded by the correction [2] where judged" in history
    assert "[2] corrected at" in history and "by quality_manager Quinn Manager" in history
    assert "corrects [1]: now responded at Mon 05 Jan 2026 12:00" in history
    assert "reason: the call log shows the call-back on Monday\\nInjected" in history
    assert not any(line.startswith("Injected") for line in history.splitlines())
    assert history.count("recorded ") >= 3
    # As of before the correction was recorded, it is not part of the check.
    earlier = [*args, "--at", "2026-01-20T12:00:00+00:00"]
    assert main(earlier) == 0
    out = capsys.readouterr().out
    assert out.startswith("T-1 for enquiry ENQ-LATE: BREACHED")
    assert "recorded after --at: not part of this check" in out
