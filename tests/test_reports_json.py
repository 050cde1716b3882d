"""The JSON report: its version, its documented shape, and the schema that checks it."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import jsonschema
import pytest

import qse_customer as qse
from qse_customer.reports import REPORT_VERSION, render_json, report_errors, report_schema
from qse_customer.reports.content import build_report, records_of_sequence
from qse_customer.reports.text import render_text, requirement, sparkline

STAFF = qse.Actor("t-1", "Tara Tech", qse.Role.TECHNOLOGIST)
AT = datetime(2026, 3, 18, 14, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def report() -> dict[str, Any]:
    start = AT - timedelta(days=20)
    calls = []
    for i, hours in enumerate((2, 3, 200, 4)):
        call = qse.Enquiry.receive(
            id=f"E-{i}", at=start + timedelta(days=i), by=STAFF, channel="telephone"
        )
        calls.append(call.add("responded", at=call.opened_at + timedelta(hours=hours), by=STAFF))
    calls.append(
        qse.Enquiry.receive(id="E-open", at=AT - timedelta(hours=1), by=STAFF, channel="telephone")
    )
    calendar = qse.WorkingCalendar(timezone="Europe/London", country="GB", subdivision="ENG")
    return build_report(
        records_of_sequence(calls),
        [qse.load_ruleset("customer-service-standards")],
        calendar=calendar,
        at=AT,
    )


def test_the_schema_is_valid_and_the_report_matches_it(report: dict[str, Any]) -> None:
    jsonschema.Draft202012Validator.check_schema(report_schema())
    assert report_errors(json.loads(render_json(report))) == []
    assert report["version"] == REPORT_VERSION == 2


def test_counts_and_denominators(report: dict[str, Any]) -> None:
    rule = next(r for r in report["standards"]["rules"] if r["rule_id"] == "T-1")
    assert (rule["met"], rule["breached"], rule["pending"]) == (3, 1, 1)
    assert rule["share_met_denominator"] == 4 and rule["share_met"] == 0.75
    assert [f["record_id"] for f in report["breaches"]] == ["E-2"]


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("version",), 1),
        (("breaches", 0, "status"), "met"),
        (("standards", "rules", 0, "met"), -1),
        (("at",), "yesterday"),
    ],
)
def test_the_schema_rejects_a_broken_report(
    report: dict[str, Any], path: tuple[Any, ...], value: object
) -> None:
    broken = copy.deepcopy(report)
    target: Any = broken
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    assert report_errors(broken)


def test_the_text_report_lists_the_breach(report: dict[str, Any]) -> None:
    text = render_text(report)
    assert "Breach register (1):" in text and "E-2" in text


def test_sparkline_scales_to_the_largest_count() -> None:
    assert sparkline([0, 4, 8]) == " ▄█"
    assert sparkline([]) == ""


@pytest.mark.parametrize(
    ("rule_id", "expected"),
    [
        ("T-1", "T-1"),
        ("T-1b", "T-1"),
        ("H-3-recorded", "H-3"),
        ("R-K2-before-close", "R-K2"),
        ("RF-6", "RF-6"),
        ("CS-3.1.2", "CS-3.1.2"),
        ("contract:CTR-ED:TAT-6", "contract:CTR-ED:TAT-6"),
    ],
)
def test_the_summary_groups_the_rules_of_one_requirement(rule_id: str, expected: str) -> None:
    assert requirement(rule_id) == expected
