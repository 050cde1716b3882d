"""The report as one self-contained HTML file: inline CSS and SVG, no script, no network.

Every piece of text from the data is escaped. Charts come from :mod:`.charts` when matplotlib is
installed; without it the same numbers are in the tables and a note says how to get the charts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape
from typing import Any

from ..review.small_cells import shown_count, small_cells_note
from . import charts
from ._formatting import duration, evidence_line, in_force, interval, local_time, percent
from ._terminal import printable_lines

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;
margin:0;color:#1d2330;background:#f4f6f9;line-height:1.45}
header{background:#1f3b57;color:#fff;padding:1.4rem 2rem}
header h1{margin:0 0 .3rem;font-size:1.6rem}header p{margin:.1rem 0;opacity:.9}
main{max-width:1180px;margin:0 auto;padding:1rem 2rem 3rem}
section{background:#fff;border-radius:8px;box-shadow:0 1px 3px rgba(0,0,0,.12);
margin:1.2rem 0;padding:1rem 1.4rem}
h2{margin-top:.2rem;color:#1f3b57;border-bottom:2px solid #e3e8ef;padding-bottom:.3rem}
h3{color:#28486b;margin-bottom:.4rem}
table{border-collapse:collapse;width:100%;font-size:.86rem;margin:.5rem 0 1rem}
th,td{border-bottom:1px solid #e3e8ef;padding:.3rem .45rem;text-align:left;vertical-align:top}
th{background:#eef2f7;font-weight:600}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.cards{display:flex;flex-wrap:wrap;gap:.8rem;margin:.4rem 0}
.card{flex:1 1 160px;border-radius:8px;padding:.7rem 1rem;background:#eef2f7}
.card b{display:block;font-size:1.7rem}.card.bad{background:#fde7e7}.card.warn{background:#fff1e0}
.card.good{background:#e5f4e7}
.status-breached{color:#b71c1c;font-weight:600}.status-at_risk{color:#c25e00;font-weight:600}
.note{background:#fff8e1;border-left:4px solid #f0b400;padding:.5rem .8rem;font-size:.9rem}
.muted{color:#5c6778;font-size:.85rem}.chart{margin:.6rem 0;overflow-x:auto}
.chart svg{max-width:100%;height:auto}nav a{color:#fff;margin-right:1rem}
details summary{cursor:pointer;color:#28486b}
@media print{body{background:#fff}section{box-shadow:none}nav{display:none}}
"""

_SECTIONS = (
    ("summary", "Summary"),
    ("compliance", "Compliance per standard"),
    ("breaches", "Breach register"),
    ("at-risk", "At-risk items"),
    ("complaints", "Complaint trends"),
    ("surveys", "Survey results"),
    ("referrals", "Open referrals"),
    ("review", "Management review packet"),
)


def _e(value: object) -> str:
    # Control characters are no text a page can hold: shown escaped, as in the text report.
    return escape(printable_lines("" if value is None else str(value)), quote=True)


def _table(
    headers: Sequence[str], rows: Iterable[Sequence[object]], numeric: Sequence[int] = ()
) -> str:
    head = "".join(
        f'<th class="n">{_e(h)}</th>' if i in numeric else f"<th>{_e(h)}</th>"
        for i, h in enumerate(headers)
    )
    body = []
    for row in rows:
        cells = "".join(
            f'<td class="n">{cell}</td>' if i in numeric else f"<td>{cell}</td>"
            for i, cell in enumerate(row)
        )
        body.append(f"<tr>{cells}</tr>")
    if not body:
        body.append(f'<tr><td colspan="{len(headers)}" class="muted">none</td></tr>')
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _chart(svg: str | None) -> str:
    return f'<div class="chart">{svg}</div>' if svg else ""


def _totals(rules: Sequence[dict[str, Any]]) -> tuple[int, int]:
    met = sum(rule["met"] for rule in rules)
    return met, sum(rule["share_met_denominator"] for rule in rules)


def _true_total(rules: Sequence[dict[str, Any]], status: str) -> int:
    """How many findings of ``status`` there are, listed or not (from every rule's counts)."""
    return sum(int(rule[status]) for rule in rules)


def _summary(report: dict[str, Any]) -> str:
    rules = report["standards"]["rules"]
    met, decided = _totals(rules)
    breaches, at_risk = _true_total(rules, "breached"), _true_total(rules, "at_risk")
    referrals = report["referrals"]["counts"]
    complaints = report["complaints"]
    cards = [
        (
            "good" if decided and met / decided >= 0.95 else "warn",
            percent(met / decided if decided else None),
            f"of {decided} decided findings met",
        ),
        ("bad" if breaches else "good", f"{breaches:,}", "breached findings"),
        ("warn" if at_risk else "good", f"{at_risk:,}", "at risk now"),
        ("", str(complaints["total"]), f"complaints ({complaints['anonymous']} anonymous)"),
        (
            "bad" if referrals["overdue"] else "",
            str(referrals["open"]),
            f"open referrals ({referrals['overdue']} overdue)",
        ),
    ]
    html = "".join(
        f'<div class="card {kind}"><b>{_e(value)}</b>{_e(label)}</div>'
        for kind, value, label in cards
    )
    worst = sorted(
        (r for r in rules if r["share_met_denominator"]),
        key=lambda r: (r["share_met"], -r["breached"]),
    )[:3]
    lowest = ", ".join(
        f"{_e(r['rule_id'])} ({percent(r['share_met'])} of {r['share_met_denominator']})"
        for r in worst
    )
    return f'<div class="cards">{html}</div><p>Lowest compliance: {lowest or "none"}.</p>'


def _compliance(report: dict[str, Any]) -> str:
    parts = []
    rules = report["standards"]["rules"]
    for ruleset in report["standards"]["rulesets"]:
        mine = [rule for rule in rules if rule["ruleset"] == ruleset["name"]]
        versions = ruleset.get("versions") or []
        shown = (
            "versions " + "; ".join(f"{v['version']} {in_force(v)}" for v in versions)
            if versions
            else f"version {ruleset['version']}"
        )
        parts.append(
            f'<h3>{_e(ruleset["name"])} <span class="muted">{_e(shown)}, '
            f"{ruleset['records']} records checked</span></h3>"
        )
        evidence = evidence_line(ruleset)
        if evidence:
            parts.append(f'<p class="muted">{_e(evidence)}</p>')
        parts.append(_chart(charts.compliance_chart(mine, ruleset["name"])))
        rows = [
            (
                label,
                _e(r["title"]),
                _e(r["source"]),
                f'{percent(r["share_met"])}<br><span class="muted">{r["met"]} of '
                f"{r['share_met_denominator']}</span>",
                r["breached"],
                r["at_risk"],
                r["pending"],
                r["not_applicable"],
                _e(duration(r["elapsed_median_seconds"])),
                _e(duration(r["elapsed_p90_seconds"])),
            )
            for rule in mine
            # A standard judged by several versions of its ruleset: a line per version under it.
            for label, r in (
                (f"<b>{_e(rule['rule_id'])}</b>", rule),
                *(
                    (
                        f'<span class="muted">version {_e(line["version"])}, '
                        f"{_e(in_force(line))}</span>",
                        line,
                    )
                    for line in rule.get("versions", [])
                ),
            )
        ]
        parts.append(
            _table(
                (
                    "Rule",
                    "Title",
                    "Source",
                    "Met (of decided)",
                    "Breached",
                    "At risk",
                    "Pending",
                    "N/A",
                    "Median",
                    "90th pct",
                ),
                rows,
                numeric=(3, 4, 5, 6, 7, 8, 9),
            )
        )
    parts.append(
        '<p class="muted">Share met = met / (met + breached); running clocks (pending, at risk) '
        "are not in the denominator. Median and 90th percentile are the elapsed times of the "
        "clocks that stopped, in each rule's measure.</p>"
    )
    return "".join(parts)


def _listed(listed: int, total: int, what: str) -> str:
    """A note saying how many of the findings are listed, when not all of them are."""
    if listed == total:
        return ""
    return (
        f'<p class="note">{listed:,} of {total:,} {_e(what)} are listed here; the counts per '
        "rule under Compliance per standard are complete.</p>"
    )


def _findings(
    findings: Sequence[dict[str, Any]], zone: str, empty: str, total: int, what: str
) -> str:
    if not findings:
        return _listed(0, total, what) or f"<p>{_e(empty)}</p>"
    rows = [
        (
            f"<b>{_e(f['rule_id'])}</b>",
            _e(f"{f['record_type'] or ''} {f['record_id'] or f['period'] or ''}".strip()),
            _e(local_time(f["due_at"], zone)),
            f'<span class="status-{_e(f["status"])}">{_e(f["severity"])}</span>',
            _e(f["message"]),
        )
        for f in findings
    ]
    return _listed(len(findings), total, what) + _table(
        ("Rule", "Record", "Due", "Severity", "Why"), rows
    )


def _complaints(report: dict[str, Any]) -> str:
    complaints = report["complaints"]
    chart = complaints.get("control_chart")
    points = chart["points"] if chart else complaints["by_period"]["rows"]
    parts = [
        f"<p>{complaints['total']} complaints received in the twelve months "
        f"({complaints['named']} named, {complaints['anonymous']} anonymous).</p>",
        "<h3>Complaints by month</h3>",
        _chart(charts.trend_chart(points)),
    ]
    if chart:
        signals = "; ".join(f"{s['period']}: {s['meaning']}" for s in chart["signals"])
        parts.append(
            f'<p class="muted">{_e(chart["method"])}. Signals: {_e(signals or "none")}.</p>'
        )
    parts.append(
        _table(
            ("Month", "Complaints"),
            ((_e(p["period"]), p["count"]) for p in points),
            numeric=(1,),
        )
    )
    found = complaints.get("pareto")
    if found:
        parts.append("<h3>Pareto by category</h3>")
        parts.append(_chart(charts.pareto_chart(found["rows"], found["cutoff"])))
        parts.append(
            _table(
                ("Category", "Complaints", "Share", "Cumulative"),
                (
                    (
                        _e(r["value"]),
                        r["count"],
                        percent(r["share"]),
                        percent(r["cumulative_share"]),
                    )
                    for r in found["rows"]
                ),
                numeric=(1, 2, 3),
            )
        )
        vital = ", ".join(str(v) for v in found["vital_few"])
        parts.append(f"<p>The vital few (up to {percent(found['cutoff'], 0)}): {_e(vital)}.</p>")
    parts.append(_group_table(complaints, "customer_group", "By customer group"))
    parts.append(_group_table(complaints, "site", "By site"))
    return "".join(parts)


def _group_table(complaints: dict[str, Any], dimension: str, title: str) -> str:
    """Complaints by a group of people, small counts shown as "fewer than N"."""
    table = complaints.get(f"by_{dimension}")
    if table is None:
        return ""
    label = dimension.replace("_", " ").capitalize()
    parts = [
        f"<h3>{_e(title)}</h3>",
        _table(
            (label, "Complaints"),
            (
                (_e(r[dimension] or "not recorded"), _e(shown_count(r["count"], r.get("shown"))))
                for r in table["rows"]
            ),
            numeric=(1,),
        ),
    ]
    note = small_cells_note(table.get("small_cells"))
    if note:
        parts.append(f'<p class="muted">{_e(note)}.</p>')
    return "".join(parts)


def _survey(survey: dict[str, Any]) -> str:
    analysis = survey["analysis"]
    if analysis is None:
        return (
            f"<h3>{_e(survey['title'] or survey['survey_id'])}</h3>"
            f"<p>{_e(survey['instrument_title'])} &middot; {_e(survey['audience'])} customers "
            f"&middot; status {_e(survey['status'])} &middot; "
            f"{_e(survey['responses_shown'])} responses</p>"
            '<p class="note">The results are not shown: they come from so few responses that '
            "a respondent's answers could be read from them.</p>"
        )
    rate = survey["response_rate"]
    rate_text = (
        f"response rate {percent(rate['rate'])} {interval(rate['interval'], as_percent=True)} "
        f"({rate['responded']} of {rate['invited']} invited)"
        if rate
        else f"{survey['responses']} responses"
    )
    approved = "approved" if survey["approved"] else "NOT approved before it ran"
    parts = [
        f"<h3>{_e(survey['title'] or survey['survey_id'])}</h3>",
        f"<p>{_e(survey['instrument_title'])} &middot; {_e(survey['audience'])} customers "
        f"&middot; status {_e(survey['status'])}, {_e(approved)} &middot; {_e(rate_text)}</p>",
    ]
    subscales = list(analysis["subscales"].values())
    comparison = (survey.get("comparison") or {}).get("subscales", {})
    if subscales:
        parts.append(_chart(charts.subscale_chart(subscales)))
        rows = []
        for sub in subscales:
            summary = sub["summary"]
            mean = "-" if summary["mean"] is None else f"{summary['mean']:.2f}"
            top = summary["top_box"]
            alpha = sub["reliability"].get("alpha")
            change = comparison.get(sub["id"])
            rows.append(
                (
                    _e(sub["title"]),
                    summary["n"],
                    mean,
                    _e(interval(summary["mean_interval"])),
                    f"{percent(top.get('share'))} "
                    f"{_e(interval(top.get('interval'), as_percent=True))}",
                    "-" if alpha is None else f"{alpha:.2f}",
                    _e(change["verdict"]) if change else "",
                )
            )
        parts.append(
            _table(
                (
                    "Subscale",
                    "n",
                    "Mean",
                    "95% interval",
                    "Top-box share",
                    "Alpha",
                    "Change since the previous survey",
                ),
                rows,
                numeric=(1, 2),
            )
        )
    for name, label in (("csat", "CSAT"), ("nps", "NPS")):
        for item, estimate in analysis[name].items():
            parts.append(f"<p><b>{label}</b> ({_e(item)}): {_e(_estimate(estimate, name))}</p>")
    for warning in analysis["warnings"]:
        parts.append(f'<p class="note">{_e(warning)}</p>')
    return "".join(parts)


def _estimate(estimate: dict[str, Any], kind: str) -> str:
    if kind == "nps":
        score = estimate.get("score")
        shown = "-" if score is None else f"{score:+.0f}"
        return f"{shown} {interval(estimate.get('interval'))} from {estimate.get('n', 0)} answers"
    return (
        f"{percent(estimate.get('share'))} "
        f"{interval(estimate.get('interval'), as_percent=True)} of {estimate.get('n', 0)} answers"
    )


def _referrals(report: dict[str, Any]) -> str:
    counts = report["referrals"]["counts"]
    zone = report["timezone"]
    rows = [
        (
            _e(r["id"]),
            _e(r["title"]),
            _e(r["owner_role"].replace("_", " ")),
            _e(r["status"]),
            _e(local_time(r["opened_at"], zone)),
            ('<span class="status-breached">' if r["overdue"] else "<span>")
            + _e(local_time(r["due_at"], zone))
            + ("  (overdue)" if r["overdue"] else "")
            + "</span>",
            _e(
                ", ".join(f"{s['type']}/{s['id']}" for s in r["source_records"])
                or r["source_rule"]
                or ""
            ),
        )
        for r in report["referrals"]["open"]
    ]
    return (
        f"<p>{counts['open']} open ({counts['overdue']} overdue); {counts['opened_in_period']} "
        f"opened and {counts['closed_in_period']} closed in the twelve months.</p>"
        + _table(("Id", "Title", "Owner", "Status", "Opened", "Due", "Evidence"), rows)
    )


def _review(report: dict[str, Any]) -> str:
    packet = report.get("review")
    if not packet:
        why = "; ".join(w for w in report["warnings"] if "review" in w) or "not produced"
        return f'<p class="note">No management review packet in this report: {_e(why)}</p>'
    zone = report["timezone"]
    period = packet["period"]
    parts = [
        f"<p>Period under review: {_e(local_time(period['start'], zone))} to "
        f"{_e(local_time(period['end'], zone))} (months {_e(', '.join(period['periods']))}), "
        f"prepared as of {_e(local_time(period['at'], zone))}.</p>",
        "<h3>Performance against each standard in the period</h3>",
    ]
    rules = packet["standards"]["rules"]
    parts.append(
        _table(
            ("Rule", "Title", "Met (of decided)", "Breached", "At risk", "Pending"),
            (
                (
                    f"<b>{_e(r['rule_id'])}</b>",
                    _e(r["title"]),
                    f"{percent(r['share_met'])} ({r['met']} of {r['share_met_denominator']})",
                    r["breached"],
                    r["at_risk"],
                    r["pending"],
                )
                for r in rules
                if r["checked"]
            ),
            numeric=(2, 3, 4, 5),
        )
    )
    totals = packet.get("finding_totals")
    if totals:
        parts.append(
            f"<p>{totals['breached']['total']:,} breached findings "
            f"({totals['breached']['listed']:,} listed in the packet), "
            f"{totals['at_risk']['total']:,} at risk ({totals['at_risk']['listed']:,} listed).</p>"
        )
    complaints = packet["complaints"]
    parts.append(
        f"<h3>Complaints</h3><p>{complaints['total']} received ({complaints['named']} named, "
        f"{complaints['anonymous']} anonymous).</p>"
    )
    parts.append(_group_table(complaints, "customer_group", "By customer group"))
    parts.append(_group_table(complaints, "site", "By site"))
    for item in complaints["recurrences"]["items"]:
        parts.append(f"<p>{_e(item['message'])}</p>")
    chart = complaints.get("control_chart") or {}
    for signal in chart.get("signals", []):
        parts.append(
            f"<p>Control chart signal in {_e(signal['period'])}: {_e(signal['meaning'])}</p>"
        )
    parts.append("<h3>Surveys</h3>")
    parts.append(
        _table(
            ("Survey", "Instrument", "Responses", "Warnings"),
            (
                (
                    _e(s["title"] or s["survey_id"]),
                    _e(s["instrument_title"]),
                    _e(shown_count(s["responses"], s.get("responses_shown"))),
                    _e("; ".join(s["warnings"])),
                )
                for s in packet["surveys"]
            ),
            numeric=(2,),
        )
    )
    counts = packet["referrals"]["counts"]
    parts.append(
        f"<h3>Referrals for process improvement</h3><p>{counts['open']} open, "
        f"{counts['overdue']} overdue; {counts['opened_in_period']} opened and "
        f"{counts['closed_in_period']} closed in the period.</p>"
    )
    for warning in packet["warnings"]:
        parts.append(f'<p class="note">{_e(warning)}</p>')
    return "".join(parts)


def render_html(report: dict[str, Any]) -> str:
    """The report as a complete, self-contained HTML document."""
    zone = report["timezone"]
    nav = "".join(f'<a href="#{key}">{_e(title)}</a>' for key, title in _SECTIONS)
    bodies = {
        "summary": _summary(report),
        "compliance": _compliance(report),
        "breaches": _findings(
            report["breaches"],
            zone,
            "Nothing is breached.",
            _true_total(report["standards"]["rules"], "breached"),
            "breached findings",
        ),
        "at-risk": _findings(
            report["at_risk"],
            zone,
            "Nothing is at risk.",
            _true_total(report["standards"]["rules"], "at_risk"),
            "at-risk findings",
        ),
        "complaints": _complaints(report),
        "surveys": "".join(_survey(s) for s in report["surveys"]) or "<p>No surveys.</p>",
        "referrals": _referrals(report),
        "review": _review(report),
    }
    sections = "".join(
        f'<section id="{key}"><h2>{_e(title)}</h2>{bodies[key]}</section>'
        for key, title in _SECTIONS
    )
    note = ""
    if not charts.charts_available():
        note = (
            '<p class="note">Charts need matplotlib; the numbers are all in the tables. To add '
            f"charts: <code>{_e(charts.CHARTS_HINT)}</code></p>"
        )
    warnings = "".join(f'<p class="note">{_e(w)}</p>' for w in report["warnings"])
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(report['title'])}</title><style>{_CSS}</style></head><body>"
        f"<header><h1>{_e(report['title'])}</h1>"
        f"<p>As of {_e(local_time(report['at'], zone))} ({_e(zone)}) &middot; twelve months from "
        f"{_e(local_time(report['period']['start'], zone)[:15])} &middot; "
        f"{_e(report['source'])}</p>"
        f"<nav>{nav}</nav></header><main>{note}{warnings}{sections}"
        f'<p class="muted">Made by {_e(report["generator"])}. Report format version '
        f"{report['version']}. An anonymous complaint never shows who made it.</p>"
        "</main></body></html>\n"
    )
