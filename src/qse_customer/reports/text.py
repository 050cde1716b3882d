"""The report for a terminal: plain text, one screen for the summary, more for the details.

Every line is passed through :func:`~qse_customer.reports._terminal.printable`: a control
character in a record's field is shown escaped, never sent to the terminal."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence
from typing import Any

from ..core.translation import Translator, translator
from ..review.wording import review_warning
from ._formatting import (
    evidence_line,
    finding_message,
    in_force,
    local_time,
    percent,
    rule_title,
    shown_text,
    small_cells_text,
)
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


def _standard_rows(report: dict[str, Any], width: int, t: Translator) -> list[str]:
    lines = []
    for ruleset in report["standards"]["rulesets"]:
        versions = ruleset.get("versions") or []
        if versions:
            shown = "; ".join(f"{v['version']} {in_force(v, t)}" for v in versions)
            lines.append(
                "  "
                + t.gettext("{name} (versions {versions})").format(
                    name=ruleset["name"], versions=shown
                )
            )
        else:
            lines.append(
                "  "
                + t.gettext("{name} (version {version})").format(
                    name=ruleset["name"], version=ruleset["version"]
                )
            )
        evidence = evidence_line(ruleset, t)
        if evidence:
            lines.extend(
                textwrap.wrap(
                    evidence, width=width, initial_indent="    ", subsequent_indent="      "
                )
            )
        for rule in report["standards"]["rules"]:
            if rule["ruleset"] != ruleset["name"] or not rule["checked"]:
                continue
            title = textwrap.shorten(
                rule_title(rule["rule_id"], rule["title"], t),
                width=max(20, width - 52),
                placeholder="...",
            )
            lines.append(
                f"    {rule['rule_id']:<24.24} {_counts(rule, t)}  {title}{_flags(rule, t)}"
            )
            # One line per version that judged something under the standard's row, with the
            # version's own wording in full (what changed is often at the end of a title).
            for line in rule.get("versions", []):
                said = rule_title(rule["rule_id"], line["title"], t)
                words = f"{in_force(line, t)}: {said}{_flags(line, t)}"
                label = t.gettext("version {version}").format(version=line["version"])
                lines.extend(
                    textwrap.wrap(
                        words,
                        width=width,
                        initial_indent=f"      {label:<22.22} {_counts(line, t)}  ",
                        subsequent_indent=" " * 47,
                    )
                )
    return lines


def _counts(counts: dict[str, Any], t: Translator) -> str:
    shown = f"{counts['met']}/{counts['share_met_denominator']}"
    wide = max(6, len(percent(1.0, t=t)))
    return f"{percent(counts['share_met'], t=t):>{wide}} {shown:>9}"


def _flags(counts: dict[str, Any], t: Translator) -> str:
    flags = []
    if counts["breached"]:
        flags.append(
            t.ngettext("{count} breached", "{count} breached", counts["breached"]).format(
                count=counts["breached"]
            )
        )
    if counts["at_risk"]:
        flags.append(
            t.ngettext("{count} at risk", "{count} at risk", counts["at_risk"]).format(
                count=counts["at_risk"]
            )
        )
    return "  [" + ", ".join(flags) + "]" if flags else ""


def _finding_line(finding: dict[str, Any], zone: str, t: Translator) -> str:
    record = finding["record_id"] or finding["period"] or ""
    return t.gettext("{rule_id} {record_type} {record}, due {due}").format(
        rule_id=finding["rule_id"],
        record_type=finding["record_type"] or "",
        record=record,
        due=local_time(finding["due_at"], zone, t),
    )


_REQUIREMENT = re.compile(r"^([A-Z]+-[A-Z]?\d+)(?:[a-z]|-.+)?$")


def requirement(rule_id: str) -> str:
    """The requirement a rule checks: ``T-1`` for ``T-1b``, ``H-3`` for ``H-3-recorded``; a rule
    id of another shape (``CS-3.1.2``, ``contract:...``) is its own."""
    match = _REQUIREMENT.match(rule_id)
    return match.group(1) if match else rule_id


def _groups(report: dict[str, Any], t: Translator) -> list[tuple[str, list[dict[str, Any]]]]:
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
                    title = rule_title(first["rule_id"], first["title"], t)
                    groups.append((f"{first['rule_id']} {title}", members))
                else:
                    label = t.ngettext(
                        "{requirement} ({count} rule) {title}",
                        "{requirement} ({count} rules) {title}",
                        len(members),
                    ).format(
                        requirement=key,
                        count=len(members),
                        title=rule_title(first["rule_id"], first["title"], t),
                    )
                    groups.append((label, members))
            continue
        by_prefix: dict[str, list[dict[str, Any]]] = {}
        for rule in rules:
            head, _, _ = rule["rule_id"].rpartition(":")
            label = (
                t.gettext("Contract {contract}").format(contract=head.split(":", 1)[1])
                if head.startswith("contract:")
                else ""
            )
            by_prefix.setdefault(label or ruleset["name"], []).append(rule)
        groups.extend(
            (
                t.ngettext(
                    "{label} ({count} rule)", "{label} ({count} rules)", len(members)
                ).format(label=label, count=len(members)),
                members,
            )
            for label, members in by_prefix.items()
        )
    return groups


def _standards_table(report: dict[str, Any], width: int, t: Translator) -> list[str]:
    # The columns as wide as the English headings, or as a translation's if it is longer (or
    # as its widest share, ``100,0 %``): the first column gives up what they take.
    heads = [
        t.pgettext("column", "met"),
        t.pgettext("column", "met/decided"),
        t.pgettext("column", "breached"),
        t.pgettext("column", "at risk"),
    ]
    widths = [
        max(6, len(heads[0]), len(percent(1.0, t=t))),
        max(11, len(heads[1])),
        max(8, len(heads[2])),
        max(7, len(heads[3])),
    ]
    first = width - 42 - (sum(widths) - 32)
    standard = t.pgettext("column", "Standard")
    lines = [
        f"  {standard:<{first}} "
        + " ".join(f"{head:>{wide}}" for head, wide in zip(heads, widths, strict=True))
    ]
    for label, rules in _groups(report, t):
        met = sum(rule["met"] for rule in rules)
        decided = sum(rule["share_met_denominator"] for rule in rules)
        breached = sum(rule["breached"] for rule in rules)
        at_risk = sum(rule["at_risk"] for rule in rules)
        name = textwrap.shorten(label, width=first, placeholder="...")
        share = percent(met / decided if decided else None, t=t)
        cells = (share, f"{met}/{decided}", breached, at_risk)
        lines.append(
            f"  {name:<{first}} "
            + " ".join(f"{cell:>{wide}}" for cell, wide in zip(cells, widths, strict=True))
        )
    return lines


def _true_total(report: dict[str, Any], status: str) -> int:
    """How many findings of ``status`` there are, listed or not (from every rule's counts)."""
    return sum(int(rule[status]) for rule in report["standards"]["rules"])


def render_summary(
    report: dict[str, Any], *, width: int = 100, locale: str | Translator = "en"
) -> str:
    """What a quality manager reads in ten seconds: compliance per standard with denominators,
    breaches and the most urgent at-risk items, the complaint trend, surveys, open referrals;
    in ``locale`` (``docs/i18n.md``)."""
    t = translator(locale)
    zone = report["timezone"]
    met, decided = _overall(report)
    breaches, at_risk = _true_total(report, "breached"), _true_total(report, "at_risk")
    complaints = report["complaints"]
    months = complaints["by_period"]["rows"]
    referrals = report["referrals"]["counts"]
    lines = [
        t.gettext("{title}, as of {at} ({zone})").format(
            title=report["title"], at=local_time(report["at"], zone, t), zone=zone
        ),
        "",
    ]
    lines.extend(_standards_table(report, width, t))
    lines.append(
        t.gettext(
            "Overall {share} of {decided} decided findings met: {breaches}, {at_risk} at risk now."
        ).format(
            share=percent(met / decided if decided else None, t=t),
            decided=t.number(decided),
            breaches=t.ngettext("{count} breach", "{count} breaches", breaches).format(
                count=t.number(breaches)
            ),
            at_risk=t.number(at_risk),
        )
    )
    if report["at_risk"]:
        lines.append(t.gettext("Most urgent (at risk):"))
        lines.extend(f"  - {_finding_line(f, zone, t)}" for f in report["at_risk"][:3])
    if months:
        peak = max(months, key=lambda row: row["count"])
        lines.append(
            t.gettext(
                "Complaints by month: {first} {sparkline} {last}: {total} in 12 months "
                "({anonymous} anonymous), peak {peak} in {peak_period}"
            ).format(
                first=months[0]["period"],
                sparkline=sparkline([row["count"] for row in months]),
                last=months[-1]["period"],
                total=complaints["total"],
                anonymous=complaints["anonymous"],
                peak=peak["count"],
                peak_period=peak["period"],
            )
        )
    found = complaints.get("pareto")
    if found:
        lines.append(
            t.gettext("Most complaints are about: {categories}").format(
                categories=", ".join(str(v) for v in found["vital_few"])
            )
        )
    for survey in report["surveys"]:
        lines.append(
            t.gettext("Survey {survey}: {results}").format(
                survey=survey["survey_id"], results=_survey_line(survey, t)
            )
        )
    lines.append(
        t.gettext("Open referrals: {open} ({overdue} overdue)").format(
            open=referrals["open"], overdue=referrals["overdue"]
        )
    )
    return _for_terminal(lines)


def _for_terminal(lines: Sequence[str]) -> str:
    """The lines joined, each with its control characters escaped (they come from records)."""
    return "\n".join(printable(line) for line in lines)


def _survey_line(survey: dict[str, Any], t: Translator) -> str:
    analysis = survey["analysis"]
    if analysis is None:
        return t.gettext(
            "{responses} responses: results not shown, so that no respondent's answers can be "
            "read from them"
        ).format(responses=shown_text(survey["responses_shown"], t))
    parts = [
        t.ngettext("{count} response", "{count} responses", survey["responses"]).format(
            count=survey["responses"]
        )
    ]
    rate = survey["response_rate"]
    if rate:
        parts[0] += " " + t.gettext("({rate} of {invited} invited)").format(
            rate=percent(rate["rate"], 0, t), invited=rate["invited"]
        )
    for estimate in analysis["csat"].values():
        parts.append(t.gettext("CSAT {share}").format(share=percent(estimate.get("share"), 0, t)))
    for estimate in analysis["nps"].values():
        score = estimate.get("score")
        if score is not None:
            parts.append(t.gettext("NPS {score}").format(score=f"{score:+.0f}"))
    subscales = [s for s in analysis["subscales"].values() if s["summary"]["mean"] is not None]
    if subscales:
        low = min(subscales, key=lambda s: s["summary"]["mean"])
        parts.append(
            t.gettext("lowest {subscale} {mean}").format(
                subscale=low["title"], mean=t.number(low["summary"]["mean"], 2)
            )
        )
    if survey["approved"] is False:
        parts.append(t.gettext("NOT approved before it ran"))
    return ", ".join(parts)


def _register_heading(title: str, total: int, listed: int, limit: int, t: Translator) -> str:
    """``Breach register (126,667; the first 20 here, 10,000 listed in the JSON and HTML
    reports):``, or just the count when all of them are here."""
    here = min(listed, limit)
    numbers = {
        "title": title,
        "total": t.number(total),
        "here": t.number(here),
        "listed": t.number(listed),
    }
    if here == total:
        return t.gettext("{title} ({total}):").format(**numbers)
    if listed == total:
        return t.gettext("{title} ({total}; the first {here} here):").format(**numbers)
    if listed == 0:
        return t.gettext("{title} ({total}; none listed in this report):").format(**numbers)
    return t.gettext(
        "{title} ({total}; the first {here} here, {listed} listed in the JSON and HTML reports):"
    ).format(**numbers)


def _group_tables(report: dict[str, Any], t: Translator) -> list[str]:
    """Complaints by customer group and by site, small counts shown as "fewer than N"."""
    lines: list[str] = []
    complaints = report["complaints"]
    for key, dimension, title in (
        ("by_customer_group", "customer_group", t.gettext("Complaints by customer group:")),
        ("by_site", "site", t.gettext("Complaints by site:")),
    ):
        table = complaints.get(key)
        if not table or not table["rows"]:
            continue
        lines.extend(["", title])
        for row in table["rows"]:
            name = row[dimension] or t.gettext("not recorded")
            count = row["count"]
            shown = t.number(count) if count is not None else shown_text(row.get("shown"), t)
            lines.append(f"  {name:<40.40} {shown:>14}")
        note = small_cells_text(table.get("small_cells"), t)
        if note:
            lines.extend(
                textwrap.wrap(f"({note})", width=100, initial_indent="  ", subsequent_indent="  ")
            )
    return lines


def render_text(
    report: dict[str, Any], *, width: int = 100, limit: int = 20, locale: str | Translator = "en"
) -> str:
    """The whole report as text: the summary, then every standard, then the breach register and
    the at-risk items (at most ``limit`` of each, with the true count of the rest), then
    complaints by customer group and by site; in ``locale`` (``"en"``, ``"fr"``: an unknown one
    is a :class:`~qse_customer.core.translation.LocaleError`)."""
    t = translator(locale)
    zone = report["timezone"]
    lines = [
        *render_summary(report, locale=t).split("\n"),
        "",
        t.gettext("Compliance per standard (share met, met/decided):"),
    ]
    lines.extend(_standard_rows(report, width, t))
    for key, status, title in (
        ("breaches", "breached", t.gettext("Breach register")),
        ("at_risk", "at_risk", t.gettext("At-risk items")),
    ):
        findings = report[key]
        total = _true_total(report, status)
        lines.extend(["", _register_heading(title, total, len(findings), limit, t)])
        for finding in findings[:limit]:
            lines.append(f"  - {_finding_line(finding, zone, t)}")
            lines.extend(
                textwrap.wrap(
                    finding_message(finding, t),
                    width=width,
                    initial_indent="      ",
                    subsequent_indent="      ",
                )
            )
        here = min(limit, len(findings))
        if findings and total > here:
            where = (
                t.gettext("(see the JSON or HTML report)")
                if len(findings) == total
                else t.gettext(
                    "({listed} of {total} are listed in the JSON and HTML reports)"
                ).format(listed=t.number(len(findings)), total=t.number(total))
            )
            lines.append(
                "  "
                + t.gettext("... and {count} more {where}").format(
                    count=t.number(total - here), where=where
                )
            )
    lines.extend(_group_tables(report, t))
    open_referrals = report["referrals"]["open"]
    lines.extend(["", t.gettext("Open referrals ({count}):").format(count=len(open_referrals))])
    for referral in open_referrals:
        due = local_time(referral["due_at"], zone, t)
        line = (
            t.gettext("{id} {title} (due {due} OVERDUE)")
            if referral["overdue"]
            else t.gettext("{id} {title} (due {due})")
        )
        lines.append("  - " + line.format(id=referral["id"], title=referral["title"], due=due))
    for warning in report["warnings"]:
        said = review_warning(warning, t)
        lines.extend(["", t.gettext("Warning: {warning}").format(warning=said)])
    return _for_terminal(lines) + "\n"
