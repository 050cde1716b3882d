"""The report for a terminal: plain text, one screen for the summary, more for the details.

Every line is passed through :func:`~qse_customer.reports._terminal.printable`: a control
character in a record's field is shown escaped, never sent to the terminal."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence
from typing import Any

from ..review.small_cells import shown_count, small_cells_note
from ._formatting import evidence_line, in_force, local_time, percent, plural
from ._terminal import printable

_BARS = " ▁▂▃▄▅▆▇█"
SMALL_RULESET = 12
"""A ruleset with at most this many requirements in use is summarised requirement by
requirement."""


def sparkline(values: Sequence[int]) -> str:
    """Counts as a line of block characters, tallest for the largest count."""
    if not values:
        return ""
    top = max(values) or 1
    return "".join(_BARS[round(value / top * (len(_BARS) - 1))] for value in values)


def _overall(report: dict[str, Any]) -> tuple[int, int]:
    rules = report["standards"]["rules"]
    return sum(r["met"] for r in rules), sum(r["share_met_denominator"] for r in rules)


def _standard_rows(report: dict[str, Any], width: int) -> list[str]:
    lines = []
    for ruleset in report["standards"]["rulesets"]:
        versions = ruleset.get("versions") or []
        if versions:
            shown = "; ".join(f"{v['version']} {in_force(v)}" for v in versions)
            lines.append(f"  {ruleset['name']} (versions {shown})")
        else:
            lines.append(f"  {ruleset['name']} (version {ruleset['version']})")
        evidence = evidence_line(ruleset)
        if evidence:
            lines.extend(
                textwrap.wrap(
                    evidence, width=width, initial_indent="    ", subsequent_indent="      "
                )
            )
        for rule in report["standards"]["rules"]:
            if rule["ruleset"] != ruleset["name"] or not rule["checked"]:
                continue
            title = textwrap.shorten(rule["title"], width=max(20, width - 52), placeholder="...")
            lines.append(f"    {rule['rule_id']:<24.24} {_counts(rule)}  {title}{_flags(rule)}")
            # One line per version that judged something under the standard's row, with the
            # version's own wording in full (what changed is often at the end of a title).
            for line in rule.get("versions", []):
                words = f"{in_force(line)}: {line['title']}{_flags(line)}"
                label = f"version {line['version']}"
                lines.extend(
                    textwrap.wrap(
                        words,
                        width=width,
                        initial_indent=f"      {label:<22.22} {_counts(line)}  ",
                        subsequent_indent=" " * 47,
                    )
                )
    return lines


def _counts(counts: dict[str, Any]) -> str:
    shown = f"{counts['met']}/{counts['share_met_denominator']}"
    return f"{percent(counts['share_met']):>6} {shown:>9}"


def _flags(counts: dict[str, Any]) -> str:
    flags = []
    if counts["breached"]:
        flags.append(f"{counts['breached']} breached")
    if counts["at_risk"]:
        flags.append(f"{counts['at_risk']} at risk")
    return "  [" + ", ".join(flags) + "]" if flags else ""


def _finding_line(finding: dict[str, Any], zone: str) -> str:
    record = finding["record_id"] or finding["period"] or ""
    due = local_time(finding["due_at"], zone)
    return f"{finding['rule_id']} {finding['record_type'] or ''} {record}, due {due}"


_REQUIREMENT = re.compile(r"^([A-Z]+-[A-Z]?\d+)(?:[a-z]|-.+)?$")


def requirement(rule_id: str) -> str:
    """The requirement a rule checks: ``T-1`` for ``T-1b``, ``H-3`` for ``H-3-recorded``; a rule
    id of another shape (``CS-3.1.2``, ``contract:...``) is its own."""
    match = _REQUIREMENT.match(rule_id)
    return match.group(1) if match else rule_id


def _groups(report: dict[str, Any]) -> list[tuple[str, list[dict[str, Any]]]]:
    """Lines of the summary: for a ruleset with few requirements, one line per requirement (the
    rules checking one requirement together: T-1, T-1b and T-1c); a large ruleset as one line,
    or one line per contract for contract rules (``contract:ID:...``)."""
    groups: list[tuple[str, list[dict[str, Any]]]] = []
    for ruleset in report["standards"]["rulesets"]:
        rules = [
            rule
            for rule in report["standards"]["rules"]
            if rule["ruleset"] == ruleset["name"] and rule["checked"]
        ]
        by_requirement: dict[str, list[dict[str, Any]]] = {}
        for rule in rules:
            by_requirement.setdefault(requirement(rule["rule_id"]), []).append(rule)
        if len(by_requirement) <= SMALL_RULESET:
            for key, members in by_requirement.items():
                first = members[0]
                if len(members) == 1:
                    groups.append((f"{first['rule_id']} {first['title']}", members))
                else:
                    groups.append((f"{key} ({len(members)} rules) {first['title']}", members))
            continue
        by_prefix: dict[str, list[dict[str, Any]]] = {}
        for rule in rules:
            head, _, _ = rule["rule_id"].rpartition(":")
            label = f"Contract {head.split(':', 1)[1]}" if head.startswith("contract:") else ""
            by_prefix.setdefault(label or ruleset["name"], []).append(rule)
        groups.extend(
            (f"{label} ({len(members)} rules)", members) for label, members in by_prefix.items()
        )
    return groups


def _standards_table(report: dict[str, Any], width: int) -> list[str]:
    lines = [
        f"  {'Standard':<{width - 42}} {'met':>6} {'met/decided':>11} {'breached':>8} "
        f"{'at risk':>7}"
    ]
    for label, rules in _groups(report):
        met = sum(rule["met"] for rule in rules)
        decided = sum(rule["share_met_denominator"] for rule in rules)
        breached = sum(rule["breached"] for rule in rules)
        at_risk = sum(rule["at_risk"] for rule in rules)
        name = textwrap.shorten(label, width=width - 42, placeholder="...")
        share = percent(met / decided if decided else None)
        lines.append(
            f"  {name:<{width - 42}} {share:>6} {f'{met}/{decided}':>11} {breached:>8} {at_risk:>7}"
        )
    return lines


def _true_total(report: dict[str, Any], status: str) -> int:
    """How many findings of ``status`` there are, listed or not (from every rule's counts)."""
    return sum(int(rule[status]) for rule in report["standards"]["rules"])


def render_summary(report: dict[str, Any], *, width: int = 100) -> str:
    """What a quality manager reads in ten seconds: compliance per standard with denominators,
    breaches and the most urgent at-risk items, the complaint trend, surveys, open referrals."""
    zone = report["timezone"]
    met, decided = _overall(report)
    breaches, at_risk = _true_total(report, "breached"), _true_total(report, "at_risk")
    complaints = report["complaints"]
    months = complaints["by_period"]["rows"]
    referrals = report["referrals"]["counts"]
    lines = [f"{report['title']}, as of {local_time(report['at'], zone)} ({zone})", ""]
    lines.extend(_standards_table(report, width))
    lines.append(
        f"Overall {percent(met / decided if decided else None)} of {decided:,} decided findings "
        f"met: {plural(breaches, 'breach')}, {at_risk:,} at risk now."
    )
    if report["at_risk"]:
        lines.append("Most urgent (at risk):")
        lines.extend(f"  - {_finding_line(f, zone)}" for f in report["at_risk"][:3])
    if months:
        peak = max(months, key=lambda row: row["count"])
        lines.append(
            f"Complaints by month: {months[0]['period']} "
            f"{sparkline([row['count'] for row in months])} {months[-1]['period']}: "
            f"{complaints['total']} in 12 months ({complaints['anonymous']} anonymous), "
            f"peak {peak['count']} in {peak['period']}"
        )
    found = complaints.get("pareto")
    if found:
        lines.append(f"Most complaints are about: {', '.join(str(v) for v in found['vital_few'])}")
    for survey in report["surveys"]:
        lines.append(f"Survey {survey['survey_id']}: {_survey_line(survey)}")
    lines.append(f"Open referrals: {referrals['open']} ({referrals['overdue']} overdue)")
    return _for_terminal(lines)


def _for_terminal(lines: Sequence[str]) -> str:
    """The lines joined, each with its control characters escaped (they come from records)."""
    return "\n".join(printable(line) for line in lines)


def _survey_line(survey: dict[str, Any]) -> str:
    analysis = survey["analysis"]
    if analysis is None:
        return (
            f"{survey['responses_shown']} responses: results not shown, so that no respondent's "
            "answers can be read from them"
        )
    parts = [f"{survey['responses']} responses"]
    rate = survey["response_rate"]
    if rate:
        parts[0] += f" ({percent(rate['rate'], 0)} of {rate['invited']} invited)"
    for estimate in analysis["csat"].values():
        parts.append(f"CSAT {percent(estimate.get('share'), 0)}")
    for estimate in analysis["nps"].values():
        score = estimate.get("score")
        if score is not None:
            parts.append(f"NPS {score:+.0f}")
    subscales = [s for s in analysis["subscales"].values() if s["summary"]["mean"] is not None]
    if subscales:
        low = min(subscales, key=lambda s: s["summary"]["mean"])
        parts.append(f"lowest {low['title']} {low['summary']['mean']:.2f}")
    if survey["approved"] is False:
        parts.append("NOT approved before it ran")
    return ", ".join(parts)


def _register_heading(title: str, total: int, listed: int, limit: int) -> str:
    """``Breach register (126,667; the first 20 here, 10,000 listed in the JSON and HTML
    reports):``, or just the count when all of them are here."""
    here = min(listed, limit)
    if here == total:
        return f"{title} ({total:,}):"
    if listed == total:
        return f"{title} ({total:,}; the first {here:,} here):"
    if listed == 0:
        return f"{title} ({total:,}; none listed in this report):"
    return (
        f"{title} ({total:,}; the first {here:,} here, {listed:,} listed in the JSON and HTML "
        "reports):"
    )


def _group_tables(report: dict[str, Any]) -> list[str]:
    """Complaints by customer group and by site, small counts shown as "fewer than N"."""
    lines: list[str] = []
    complaints = report["complaints"]
    for key, dimension, title in (
        ("by_customer_group", "customer_group", "Complaints by customer group"),
        ("by_site", "site", "Complaints by site"),
    ):
        table = complaints.get(key)
        if not table or not table["rows"]:
            continue
        lines.extend(["", f"{title}:"])
        for row in table["rows"]:
            name = row[dimension] or "not recorded"
            lines.append(f"  {name:<40.40} {shown_count(row['count'], row.get('shown')):>14}")
        note = small_cells_note(table.get("small_cells"))
        if note:
            lines.extend(
                textwrap.wrap(f"({note})", width=100, initial_indent="  ", subsequent_indent="  ")
            )
    return lines


def render_text(report: dict[str, Any], *, width: int = 100, limit: int = 20) -> str:
    """The whole report as text: the summary, then every standard, then the breach register and
    the at-risk items (at most ``limit`` of each, with the true count of the rest), then
    complaints by customer group and by site."""
    zone = report["timezone"]
    lines = [
        *render_summary(report).split("\n"),
        "",
        "Compliance per standard (share met, met/decided):",
    ]
    lines.extend(_standard_rows(report, width))
    for key, status, title in (
        ("breaches", "breached", "Breach register"),
        ("at_risk", "at_risk", "At-risk items"),
    ):
        findings = report[key]
        total = _true_total(report, status)
        lines.extend(["", _register_heading(title, total, len(findings), limit)])
        for finding in findings[:limit]:
            lines.append(f"  - {_finding_line(finding, zone)}")
            lines.extend(
                textwrap.wrap(
                    finding["message"],
                    width=width,
                    initial_indent="      ",
                    subsequent_indent="      ",
                )
            )
        here = min(limit, len(findings))
        if findings and total > here:
            where = (
                "(see the JSON or HTML report)"
                if len(findings) == total
                else f"({len(findings):,} of {total:,} are listed in the JSON and HTML reports)"
            )
            lines.append(f"  ... and {total - here:,} more {where}")
    lines.extend(_group_tables(report))
    open_referrals = report["referrals"]["open"]
    lines.extend(["", f"Open referrals ({len(open_referrals)}):"])
    for referral in open_referrals:
        overdue = " OVERDUE" if referral["overdue"] else ""
        lines.append(
            f"  - {referral['id']} {referral['title']} (due {local_time(referral['due_at'], zone)}"
            f"{overdue})"
        )
    for warning in report["warnings"]:
        lines.extend(["", f"Warning: {warning}"])
    return _for_terminal(lines) + "\n"
