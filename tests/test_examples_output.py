"""What each example prints: the key lines, checked against the sources' own worked examples or
recomputed independently from the example's data."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from datetime import datetime
from functools import cache
from pathlib import Path
from types import ModuleType
from zoneinfo import ZoneInfo

import qse_customer as qse

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
LONDON = ZoneInfo("Europe/London")


@cache
def output(name: str) -> str:
    """The example's standard output, run as a user runs it (once per test session)."""
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / f"{name}.py")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@cache
def module(name: str) -> ModuleType:
    """The example imported as a module, to recompute its figures from its own data."""
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    assert spec is not None and spec.loader is not None
    loaded = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(loaded)
    return loaded


def line_with(text: str, *parts: str) -> str:
    """The one line of ``text`` containing every part."""
    lines = [line for line in text.splitlines() if all(part in line for part in parts)]
    assert len(lines) == 1, (parts, lines)
    return lines[0]


# -- complaint intake --------------------------------------------------------------------------


def test_intake_accepts_the_valid_payload() -> None:
    assert "accepted C-2026-0142: telephone complaint" in output("complaint_intake")


def test_intake_names_every_bad_field_by_json_path() -> None:
    text = output("complaint_intake")
    assert "refused: 5 problems" in text
    paths = re.findall(r"^   (\$[^:]*): ", text, flags=re.M)
    expected = ["$", "$.channel", "$.events[0].actor.role", "$.events[0].at", "$.severity"]
    assert paths[: len(expected)] == expected
    assert "'fax' is not one of" in line_with(text, "$.channel:")
    assert "'priority_flag' was unexpected" in line_with(text, "   $: ")
    assert "UTC offset" in line_with(text, "$.events[0].at:")
    assert "'porter' is not one of" in line_with(text, "$.events[0].actor.role:")


def test_intake_problems_are_the_ones_from_dict_reports() -> None:
    intake = module("complaint_intake")
    try:
        qse.from_dict(intake.invalid_payload())
    except qse.ValidationError as error:
        printed = output("complaint_intake")
        for problem in error.errors:
            assert f"   {problem.path}: {problem.message}" in printed
    else:
        raise AssertionError("the invalid payload was accepted")


def test_intake_keeps_an_anonymous_complaint_anonymous() -> None:
    text = output("complaint_intake")
    assert "payload refused: $.submitter: an anonymous complaint holds no identity" in text
    assert "Complaint.receive refused: $.submitter" in text
    assert "data.phone: not allowed on an anonymous complaint: 'phone'" in text
    assert "feedback cannot be given on an anonymous complaint" in text
    assert "stored as anonymous=True, submitter=None" in text
    assert "Night porter" not in text and "07700 900123" not in text


# -- enquiry desk ------------------------------------------------------------------------------


def test_desk_summary_table() -> None:
    text = output("enquiry_desk")
    rows = {
        match[0]: tuple(int(n) for n in match[1:])
        for match in re.findall(
            r"^(T-\w+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)$", text, flags=re.M
        )
    }
    # checked, met, breached, at risk, pending
    assert rows["T-1"] == (3, 2, 0, 1, 0)
    assert rows["T-5"] == (1, 0, 1, 0, 0)
    assert rows["T-7"] == (2, 1, 1, 0, 0)
    assert rows["T-6b"] == (1, 0, 0, 0, 1)
    assert "T-8" not in rows  # no website measurements: nothing checked, no row


def test_desk_friday_before_a_bank_holiday_is_due_wednesday_at_closing() -> None:
    # The domain brief's worked example: received Friday 10:00, 2 working days, Monday a bank
    # holiday (4 May 2026, Early May bank holiday): due Wednesday at closing time.
    line = line_with(output("enquiry_desk"), "T-1 met", "Fri 01 May 2026 10:00")
    assert "Wed 06 May 2026 17:00 BST" in line
    due = module("enquiry_desk").CALENDAR.add_working_days(
        datetime(2026, 5, 1, 10, tzinfo=LONDON), 2
    )
    assert due == datetime(2026, 5, 6, 17, tzinfo=LONDON)


def test_desk_after_closing_counts_from_the_next_working_day() -> None:
    line = line_with(output("enquiry_desk"), "T-5 breached")
    assert "after closing time (17:00), so the day of receipt is the next working day" in line
    assert "Tue 12 May 2026 17:00 BST" in line


def test_desk_progress_updates_keep_the_caller_informed() -> None:
    line = line_with(output("enquiry_desk"), "T-1 met", "kept informed")
    assert "next due Mon 11 May 2026 17:00 BST" in line
    assert "next due Wed 13 May 2026 17:00 BST" in line


def test_desk_freedom_of_information_uses_the_statutory_count() -> None:
    # Received Friday 22:00: the statutory count takes Friday as the day of receipt (any hour),
    # skips the bank holiday, and ends the 2nd working day at midnight.
    line = line_with(output("enquiry_desk"), "T-6a met")
    assert "statutory count: any hour" in line
    assert "Thu 07 May 2026 00:00 BST" in line


def test_desk_at_risk_share_is_the_working_time_used() -> None:
    # Tuesday 09:00 to Thursday 12:00 is 8 + 9 + 4 = 21 of the 26 working hours to Thursday 17:00.
    line = line_with(output("enquiry_desk"), "T-1 at risk")
    assert f"{21 / 26:.0%} of the limit used (at risk from 75%)" in line


def test_desk_voicemail_and_rings() -> None:
    text = output("enquiry_desk")
    assert "Mon 11 May 2026 12:00 BST" in line_with(text, "T-2a met")
    assert "the clock started at the next opening" in line_with(text, "T-2b met")
    assert "was 5 rings" in line_with(text, "T-7 breached")
    assert "CALL-3" not in text  # staff were not available: not applicable, not shown


# -- contract turnaround -----------------------------------------------------------------------


def test_contract_terms_become_one_rule_each() -> None:
    text = output("contract_turnaround")
    assert (
        "contract:SLA-ED-2026:TAT-1: troponin at stat priority reported within 60 minutes" in text
    )
    assert "contract:SLA-ED-2026:TAT-2: troponin at routine priority reported within 1440" in text
    assert "contract:SLA-ED-2026:review" in text and "contract:SLA-ED-2026:deviations" in text


def test_contract_stat_results_against_sixty_minutes() -> None:
    text = output("contract_turnaround")
    assert "18 min before the deadline" in line_with(text, "[met] TR-1")
    assert "15 min after the deadline" in line_with(text, "[breached] TR-2")
    assert "83% of the limit used" in line_with(text, "[at_risk] TR-5")
    counts = line_with(text, "contract:SLA-ED-2026:TAT-1: 1 met")
    assert "1 breached" in counts and "share met 50%" in counts


def test_contract_figures_match_the_night_log() -> None:
    contract = module("contract_turnaround")
    text = output("contract_turnaround")
    stat = [row for row in contract.NIGHT_LOG if row[1:3] == ("troponin", "stat")]
    minutes = sorted(row[4] for row in stat)
    median = (minutes[0] + minutes[1]) / 2
    assert f"median {median:.0f} min" in line_with(text, "contract:SLA-ED-2026:TAT-1: 1 met")
    for request_id, _, _, _, result in contract.NIGHT_LOG:
        if result is None:
            assert "still running" in line_with(text, f"] {request_id}:")


def test_contract_deviation_on_a_sunday_counts_from_monday() -> None:
    line = line_with(output("contract_turnaround"), "[pending] SLA-ED-2026", "deviations")
    assert "not a working day: a Sunday, so the day of receipt is the next working day" in line
    assert "Wed 11 Mar 2026 17:00 GMT" in line


# -- survey round ------------------------------------------------------------------------------


def _csat(rows: list[dict[str, int | str]]) -> tuple[int, int]:
    answered = [row["overall"] for row in rows]
    return sum(1 for value in answered if value in (4, 5)), len(answered)


def _nps(rows: list[dict[str, int | str]]) -> float:
    scores = [int(row["recommend"]) for row in rows]
    promoters = sum(1 for s in scores if s >= 9)
    detractors = sum(1 for s in scores if s <= 6)
    return 100 * (promoters - detractors) / len(scores)


def test_survey_round_csat_and_nps_recomputed_from_the_answers() -> None:
    survey = module("survey_round")
    text = output("survey_round")
    this_year = survey.simulated_answers(2026, 78)
    satisfied, n = _csat(this_year)
    assert f"CSAT {satisfied / n:.1%} ({satisfied} of {n} satisfied" in text
    assert f"NPS {_nps(this_year):+.1f}" in text
    assert "response rate 78/120 = 65%" in text
    assert "approved before it was conducted: True" in text


def test_survey_round_compares_turnaround_with_last_year() -> None:
    survey = module("survey_round")
    text = output("survey_round")

    def mean_turnaround(rows: list[dict[str, int | str]]) -> float:
        items = ("tat_routine", "tat_urgent", "tat_delays")
        means = []
        for row in rows:
            answered = [row[i] for i in items if isinstance(row[i], int)]
            means.append(sum(answered) / len(answered))
        return sum(means) / len(means)

    before = mean_turnaround(survey.simulated_answers(2025, 64))
    after = mean_turnaround(survey.simulated_answers(2026, 78))
    line = line_with(text, "Mean Turnaround time score")
    assert f"rose from {before:.2f} to {after:.2f}" in line
    assert "a real change" in line and "n = 64 before and 78 after" in line
    assert "could be chance" in line_with(text, "Mean Result reporting score")


# -- custom plugins ----------------------------------------------------------------------------


def test_custom_rule_kind_finds_the_undocumented_root_cause() -> None:
    text = output("custom_plugins")
    assert "Rule kinds from plugins: ['documented_fields']" in text
    assert "does not state root_cause" in line_with(text, "[breached] C-302")
    assert "[met] C-301" in text and "[not_applicable] C-303" in text


def test_custom_notifier_gets_each_breach_once() -> None:
    text = output("custom_plugins")
    assert "notify_due: 1 new notification(s); a day later 0" in text
    delivered = line_with(text, "delivered to:")
    assert "lab-quality-tickets" in delivered and "qse_customer.logging_notifier" in delivered
    assert len(re.findall(r"TICKET-\d+", text)) == 1
    assert "TICKET-1: rule LAB-CA-1 breached for complaint 'C-302'" in text
    assert "After unregistering: []" in text


def test_custom_plugin_is_gone_after_the_example() -> None:
    module("custom_plugins").main()
    assert "lab-quality-tickets" not in qse.get_plugin_manager().plugin_names()
