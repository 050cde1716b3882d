"""Every total a report states is the true total (issue 13, "Two bugs", first bullet):
``qse-customer check`` on 200,000 complaints printed "10000 breaches" in its text summary while
its table said 126,667, because the summary counted the findings kept (at most 10,000). Where
findings are capped, the report says how many are listed of how many, in text, JSON and HTML, and
so does the review packet.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import qse_customer as qse
from qse_customer.cli.main import main
from qse_customer.reports import (
    build_report,
    records_of_sequence,
    render_html,
    render_json,
    render_summary,
    render_text,
    report_errors,
)

T0 = datetime(2026, 1, 5, 9, tzinfo=UTC)
AT = datetime(2026, 2, 4, 9, tzinfo=UTC)
CALENDAR = qse.WorkingCalendar(timezone="Europe/London", opens="09:00", closes="17:00")
STAFF = qse.Actor("t-1", "Tess Tech", qse.Role.TECHNOLOGIST)
CLOCKS = {
    "name": "clocks",
    "version": "1",
    "rules": [
        {
            "id": "K-ACK",
            "title": "Complaints acknowledged within 2 working days",
            "kind": "response_time",
            "source": {"document": "lab procedure", "section": "4.2"},
            "applies_to": {"record_type": "complaint"},
            "params": {
                "start": ["received"],
                "stop": ["acknowledged"],
                "limit": {"working_days": 2},
            },
        }
    ],
}


def unacknowledged(count: int) -> list[qse.Complaint]:
    """``count`` complaints never acknowledged: each breaches K-ACK by ``AT``."""
    return [
        qse.Complaint.receive(
            id=f"C-{n:05d}",
            at=T0 + timedelta(seconds=n),
            by=STAFF,
            channel="form",
            category="delay",
        )
        for n in range(count)
    ]


def report_of(records: list[qse.Complaint], **settings: Any) -> dict[str, Any]:
    return build_report(
        records_of_sequence(records),
        [qse.load_ruleset(CLOCKS)],
        calendar=CALENDAR,
        at=AT,
        **settings,
    )


def test_issue_13_check_states_the_true_number_of_breaches_when_findings_are_capped() -> None:
    report = report_of(unacknowledged(12), max_findings=3)
    assert report_errors(json.loads(render_json(report))) == []
    assert report["finding_totals"] == {
        "breached": {"total": 12, "listed": 3},
        "at_risk": {"total": 0, "listed": 0},
    }
    assert len(report["breaches"]) == 3
    assert report["standards"]["rulesets"][0]["findings_omitted"] == 9
    summary = render_summary(report)
    assert "12 breaches" in summary and "3 breaches" not in summary
    text = render_text(report, limit=2)
    assert "Breach register (12; the first 2 here, 3 listed in the JSON and HTML reports):" in text
    assert "... and 10 more (3 of 12 are listed in the JSON and HTML reports)" in text
    page = render_html(report)
    assert '<div class="card bad"><b>12</b>breached findings</div>' in page
    assert "3 of 12 breached findings are listed here" in page
    packet = report["review"]
    assert packet["finding_totals"]["breached"] == {"total": 12, "listed": 3}
    assert "12 breached findings (3 listed in the packet)" in page


def test_issue_13_more_than_10000_breaches_are_not_reported_as_10000(tmp_path: Path) -> None:
    """The bug as found, at the default cap of 10,000 findings, through the command line."""
    url = f"sqlite:///{tmp_path / 'lab.db'}"
    with qse.open_store(url) as store:
        store.save_many(unacknowledged(10_050), legacy=True)
    ruleset = tmp_path / "clocks.json"
    ruleset.write_text(json.dumps(CLOCKS))
    target = tmp_path / "report.txt"
    command = ["check", "--store", url, "--ruleset", str(ruleset), "--at", AT.isoformat()]
    assert main([*command, "--output", str(target)]) == 1
    text = target.read_text()
    assert "10,050 breaches" in text and "10000 breaches" not in text
    assert "Breach register (10,050; the first 20 here, 10,000 listed" in text
    assert "... and 10,030 more (10,000 of 10,050 are listed in the JSON and HTML reports)" in text
    assert re.search(r"K-ACK Complaints acknowledged.* 0/10050 +10050 ", text)


def test_when_nothing_is_capped_the_register_just_counts() -> None:
    text = render_text(report_of(unacknowledged(3)))
    assert "Breach register (3):" in text and "more" not in text.split("Breach register")[1]


def test_max_findings_is_checked() -> None:
    for bad in (-1, 1.5, True, "10"):
        with pytest.raises(qse.ValidationError, match=r"\$\.max_findings"):
            report_of([], max_findings=bad)


@settings(max_examples=25, deadline=None)
@given(
    records=st.lists(st.tuples(st.integers(0, 40 * 24), st.booleans(), st.booleans()), max_size=25),
    cap=st.integers(0, 8),
    limit=st.integers(1, 6),
)
def test_every_stated_total_is_the_true_total(
    records: list[tuple[int, bool, bool]], cap: int, limit: int
) -> None:
    complaints = []
    for n, (hours, acknowledged, by_director) in enumerate(records):
        received = T0 + timedelta(hours=hours)
        by = qse.Actor("d", "Dee", qse.Role.LABORATORY_DIRECTOR) if by_director else STAFF
        complaint = qse.Complaint.receive(
            id=f"C-{n}", at=received, by=by, channel="form", category="delay"
        )
        if acknowledged:
            complaint = complaint.add("acknowledged", at=received + timedelta(days=1), by=by)
        complaints.append(complaint)
    rulesets = [qse.load_ruleset(CLOCKS), qse.load_ruleset("qse2-responsibility")]
    report = build_report(
        records_of_sequence(complaints), rulesets, calendar=CALENDAR, at=AT, max_findings=cap
    )
    truth = {status: 0 for status in ("breached", "at_risk")}
    for ruleset in rulesets:
        for finding in qse.evaluate(complaints, ruleset, calendar=CALENDAR, at=AT):
            if finding.status.value in truth:
                truth[finding.status.value] += 1
    for status, key in (("breached", "breaches"), ("at_risk", "at_risk")):
        totals = report["finding_totals"][status]
        assert totals["total"] == truth[status]
        assert totals["listed"] == len(report[key]) <= min(truth[status], cap * len(rulesets))
    breaches = truth["breached"]
    summary = render_summary(report)
    assert f"{breaches:,} breach" in summary and f"{truth['at_risk']:,} at risk now" in summary
    text = render_text(report, limit=limit)
    assert f"Breach register ({breaches:,}" in text
    shown = min(limit, len(report["breaches"]))
    if breaches > shown and report["breaches"]:
        assert f"... and {breaches - shown:,} more" in text
