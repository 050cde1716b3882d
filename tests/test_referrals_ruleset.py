"""The shipped improvement-referrals ruleset: each rule met and breached, from source 000."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from importlib.resources import files

import pytest

import qse_customer as qse
from qse_customer.rules import Status, evaluate, load_ruleset, shipped_rulesets

LAB = qse.WorkingCalendar(timezone="UTC", opens="08:00", closes="17:00")
MONDAY = datetime(2026, 3, 2, 9, tzinfo=UTC)
AT = datetime(2026, 12, 1, tzinfo=UTC)
SOURCES = {
    "000_ad609cf394a71cac.txt",
}


def actor(role):
    return qse.Actor(f"{role}-1", role, role)


QM, TECH, DIRECTOR = actor("quality_manager"), actor("technologist"), actor("laboratory_director")


def referral(*steps, by=QM):
    """A referral opened by ``by`` on Monday 09:00, then ``(kind, hours later, actor, data)``."""
    record = qse.Referral.open(id="F-1", at=MONDAY, by=by, title="delays from Ward 7")
    for kind, hours, who, *data in steps:
        record = record.add(
            kind, at=MONDAY + timedelta(hours=hours), by=who, **(data[0] if data else {})
        )
    return record


def status(rule_id, record, at=AT):
    (finding,) = [
        f
        for f in evaluate([record], "improvement-referrals", calendar=LAB, at=at)
        if f.rule_id == rule_id
    ]
    return finding


DUE = (datetime(2026, 3, 13, 17, tzinfo=UTC)).isoformat()
CASES = [
    ("RF-1", referral(), Status.MET),
    ("RF-1", referral(by=TECH), Status.BREACHED),
    ("RF-1", referral(by=None), Status.MET),  # raised automatically by a threshold rule
    ("RF-2", referral(("assigned", 1, QM)), Status.MET),
    ("RF-2", referral(("assigned", 1, TECH)), Status.BREACHED),
    ("RF-3", referral(("actioned", 5, DIRECTOR)), Status.MET),
    ("RF-3", referral(("actioned", 5, TECH)), Status.BREACHED),
    ("RF-4", referral(("actioned", 5, QM), ("effectiveness_reviewed", 50, QM)), Status.MET),
    ("RF-4", referral(("actioned", 5, QM), ("effectiveness_reviewed", 50, TECH)), Status.BREACHED),
    ("RF-5", referral(("closed", 60, QM)), Status.MET),
    ("RF-5", referral(("closed", 60, TECH)), Status.BREACHED),
    # RF-6: the due date set on assignment (Friday 13 March, 17:00) is the deadline.
    ("RF-6", referral(("assigned", 0, QM, {"due": DUE}), ("actioned", 24 * 11, QM)), Status.MET),
    (
        "RF-6",
        referral(("assigned", 0, QM, {"due": DUE}), ("actioned", 24 * 14, QM)),
        Status.BREACHED,
    ),
    ("RF-6", referral(("actioned", 48, QM)), Status.BREACHED),  # never assigned: 1 working day
    (
        "RF-7",
        referral(("actioned", 5, QM), ("effectiveness_reviewed", 50, QM), ("closed", 60, QM)),
        Status.MET,
    ),
    ("RF-7", referral(("actioned", 5, QM), ("closed", 60, QM)), Status.BREACHED),
    ("RF-8", referral(("actioned", 5, QM), ("effectiveness_reviewed", 50, QM)), Status.MET),
    ("RF-8", referral(("effectiveness_reviewed", 50, QM)), Status.BREACHED),
]


@pytest.mark.parametrize(("rule_id", "record", "expected"), CASES, ids=[c[0] for c in CASES])
def test_improvement_referral_rules(rule_id, record, expected):
    finding = status(rule_id, record)
    assert finding.status is expected, finding.message
    assert finding.source.startswith("000_ad609cf394a71cac.txt §")


def test_a_referral_assigned_a_due_date_is_pending_then_at_risk_before_it():
    record = referral(("assigned", 0, QM, {"due": DUE}))
    assert status("RF-6", record, at=MONDAY + timedelta(days=1)).status is Status.PENDING
    assert status("RF-6", record, at=datetime(2026, 3, 13, 12, tzinfo=UTC)).status is (
        Status.AT_RISK
    )


def test_every_rule_is_shipped_has_a_met_and_a_breached_case_and_cites_its_source():
    assert "improvement-referrals" in shipped_rulesets()
    ruleset = load_ruleset("improvement-referrals")
    covered = {(rule_id, expected) for rule_id, _, expected in CASES}
    document = json.loads(
        files("qse_customer.rules").joinpath("rulesets/improvement-referrals.json").read_text()
    )
    for rule, raw in zip(ruleset.rules, document["rules"], strict=True):
        assert (rule.id, Status.MET) in covered and (rule.id, Status.BREACHED) in covered
        assert raw["source"]["document"] in SOURCES
        assert raw["source"]["section"] and raw["source"]["quote"]
