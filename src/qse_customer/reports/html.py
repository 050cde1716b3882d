"""The report as one self-contained HTML file: inline CSS and SVG, no script, no network.

Every piece of text from the data is escaped. Charts come from :mod:`.charts` when matplotlib is
installed; without it the same numbers are in the tables and a note says how to get the charts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

from ..analysis._confidence import fixed_warning
from ..analysis.comparisons import verdict_in
from ..analysis.complaint_trends import (
    SIGNALS,
    control_chart_method,
    recurrence_message,
    signal_meaning,
)
from ..analysis.survey_analysis import subscale_mean_measure
from ..core.translation import Translator, translator
from ..review.wording import review_warning
from . import charts
from ._formatting import (
    ENGLISH,
    duration,
    evidence_line,
    finding_message,
    in_force,
    interval,
    local_time,
    percent,
    rule_title,
    shown_text,
    small_cells_text,
)
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


def _sections(t: Translator) -> tuple[tuple[str, str], ...]:
    """The page's sections: anchor and heading."""
    return (
        ("summary", t.gettext("Summary")),
        ("compliance", t.gettext("Compliance per standard")),
        ("breaches", t.gettext("Breach register")),
        ("at-risk", t.gettext("At-risk items")),
        ("complaints", t.gettext("Complaint trends")),
        ("surveys", t.gettext("Survey results")),
        ("referrals", t.gettext("Open referrals")),
        ("review", t.gettext("Management review packet")),
    )


def _count(count: int, t: Translator) -> str:
    """A count: as it always was in English (no grouping), the locale's way otherwise."""
    return str(count) if t.is_source else t.number(count)


def _e(value: object) -> str:
    # Control characters are no text a page can hold: shown escaped, as in the text report.
    return escape(printable_lines("" if value is None else str(value)), quote=True)


def _h3(heading: str) -> str:
    """A subsection's heading."""
    return f"<h3>{_e(heading)}</h3>"


def _text(message: str) -> str:
    """A message of ours (no data in it) for the page: ``<`` and ``&`` escaped, quotes kept."""
    return escape(message, quote=False)


def _table(
    headers: Sequence[str],
    rows: Iterable[Sequence[object]],
    numeric: Sequence[int] = (),
    t: Translator = ENGLISH,
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
        none = t.gettext("none")
        body.append(f'<tr><td colspan="{len(headers)}" class="muted">{_e(none)}</td></tr>')
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _shown_count(count: int | None, shown: str | None, t: Translator) -> str:
    """A count as the report shows it: the number, or why it is not shown."""
    return t.number(count) if count is not None else shown_text(shown, t)


def _chart(svg: str | None) -> str:
    return f'<div class="chart">{svg}</div>' if svg else ""


def _totals(rules: Sequence[dict[str, Any]]) -> tuple[int, int]:
    met = sum(rule["met"] for rule in rules)
    return met, sum(rule["share_met_denominator"] for rule in rules)


def _true_total(rules: Sequence[dict[str, Any]], status: str) -> int:
    """How many findings of ``status`` there are, listed or not (from every rule's counts)."""
    return sum(int(rule[status]) for rule in rules)


def _summary(report: dict[str, Any], t: Translator) -> str:
    rules = report["standards"]["rules"]
    met, decided = _totals(rules)
    breaches, at_risk = _true_total(rules, "breached"), _true_total(rules, "at_risk")
    referrals = report["referrals"]["counts"]
    complaints = report["complaints"]
    cards = [
        (
            "good" if decided and met / decided >= 0.95 else "warn",
            percent(met / decided if decided else None, t=t),
            t.gettext("of {decided} decided findings met").format(decided=_count(decided, t)),
        ),
        ("bad" if breaches else "good", t.number(breaches), t.gettext("breached findings")),
        ("warn" if at_risk else "good", t.number(at_risk), t.gettext("at risk now")),
        (
            "",
            _count(complaints["total"], t),
            t.gettext("complaints ({anonymous} anonymous)").format(
                anonymous=_count(complaints["anonymous"], t)
            ),
        ),
        (
            "bad" if referrals["overdue"] else "",
            _count(referrals["open"], t),
            t.gettext("open referrals ({overdue} overdue)").format(
                overdue=_count(referrals["overdue"], t)
            ),
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
        _e(r["rule_id"])
        + " "
        + t.gettext("({share} of {decided})").format(
            share=percent(r["share_met"], t=t), decided=_count(r["share_met_denominator"], t)
        )
        for r in worst
    )
    said = t.gettext("Lowest compliance: {rules}.").format(rules=lowest or t.gettext("none"))
    return f'<div class="cards">{html}</div><p>{said}</p>'


def _compliance(report: dict[str, Any], t: Translator) -> str:
    parts = []
    rules = report["standards"]["rules"]
    for ruleset in report["standards"]["rulesets"]:
        mine = [rule for rule in rules if rule["ruleset"] == ruleset["name"]]
        versions = ruleset.get("versions") or []
        shown = (
            t.gettext("versions {versions}").format(
                versions="; ".join(f"{v['version']} {in_force(v, t)}" for v in versions)
            )
            if versions
            else t.gettext("version {version}").format(version=ruleset["version"])
        )
        checked = t.gettext("{shown}, {records} records checked").format(
            shown=shown, records=_count(ruleset["records"], t)
        )
        parts.append(f'<h3>{_e(ruleset["name"])} <span class="muted">{_e(checked)}</span></h3>')
        evidence = evidence_line(ruleset, t)
        if evidence:
            parts.append(f'<p class="muted">{_e(evidence)}</p>')
        parts.append(_chart(charts.compliance_chart(mine, ruleset["name"], t)))
        rows = [
            (
                label,
                _e(rule_title(rule["rule_id"], r["title"], t)),
                _e(r["source"]),
                f"{percent(r['share_met'], t=t)}<br>"
                + '<span class="muted">'
                + _e(
                    t.gettext("{met} of {decided}").format(
                        met=_count(r["met"], t), decided=_count(r["share_met_denominator"], t)
                    )
                )
                + "</span>",
                r["breached"],
                r["at_risk"],
                r["pending"],
                r["not_applicable"],
                _e(duration(r["elapsed_median_seconds"], t)),
                _e(duration(r["elapsed_p90_seconds"], t)),
            )
            for rule in mine
            # A standard judged by several versions of its ruleset: a line per version under it.
            for label, r in (
                (f"<b>{_e(rule['rule_id'])}</b>", rule),
                *(
                    (
                        '<span class="muted">'
                        + _e(
                            t.gettext("version {version}, {in_force}").format(
                                version=line["version"], in_force=in_force(line, t)
                            )
                        )
                        + "</span>",
                        line,
                    )
                    for line in rule.get("versions", [])
                ),
            )
        ]
        parts.append(
            _table(
                (
                    t.gettext("Rule"),
                    t.gettext("Title"),
                    t.gettext("Source"),
                    t.gettext("Met (of decided)"),
                    t.gettext("Breached"),
                    t.gettext("At risk"),
                    t.gettext("Pending"),
                    t.gettext("N/A"),
                    t.gettext("Median"),
                    t.gettext("90th pct"),
                ),
                rows,
                numeric=(3, 4, 5, 6, 7, 8, 9),
                t=t,
            )
        )
    note = t.gettext(
        "Share met = met / (met + breached); running clocks (pending, at risk) are not in the "
        "denominator. Median and 90th percentile are the elapsed times of the clocks that "
        "stopped, in each rule's measure."
    )
    parts.append(f'<p class="muted">{_text(note)}</p>')
    return "".join(parts)


def _listed(listed: int, total: int, what: str, t: Translator) -> str:
    """A note saying how many of the findings are listed, when not all of them are."""
    if listed == total:
        return ""
    note = t.gettext(
        "{listed} of {total} {what} are listed here; the counts per rule under Compliance per "
        "standard are complete."
    ).format(listed=t.number(listed), total=t.number(total), what=what)
    return f'<p class="note">{_e(note)}</p>'


def _findings(
    findings: Sequence[dict[str, Any]],
    zone: str,
    empty: str,
    total: int,
    what: str,
    t: Translator,
) -> str:
    if not findings:
        return _listed(0, total, what, t) or f"<p>{_e(empty)}</p>"
    rows = [
        (
            f"<b>{_e(f['rule_id'])}</b>",
            _e(f"{f['record_type'] or ''} {f['record_id'] or f['period'] or ''}".strip()),
            _e(local_time(f["due_at"], zone, t)),
            f'<span class="status-{_e(f["status"])}">{_e(f["severity"])}</span>',
            _e(finding_message(f, t)),
        )
        for f in findings
    ]
    heads = (
        t.gettext("Rule"),
        t.gettext("Record"),
        t.gettext("Due"),
        t.gettext("Severity"),
        t.gettext("Why"),
    )
    return _listed(len(findings), total, what, t) + _table(heads, rows, t=t)


def _chart_method(chart: dict[str, Any], t: Translator) -> str:
    """The control chart's method in the report's language, worded again from its ``chart``
    and ``per`` (English: the ``method`` as the report carries it)."""
    if t.is_source or chart.get("chart") not in ("c", "u"):
        return str(chart["method"])
    return control_chart_method(chart["chart"], chart.get("per"), t)


def _meaning(signal: dict[str, Any], t: Translator) -> str:
    """A control chart signal's meaning in the report's language (English, or a signal this
    version does not know: the ``meaning`` as the report carries it)."""
    if t.is_source or signal.get("signal") not in SIGNALS:
        return str(signal["meaning"])
    return signal_meaning(signal["signal"], t)


def _recurrence_message(item: dict[str, Any], t: Translator) -> str:
    """A recurrence's message in the report's language, worded again from its group, peak
    as shown, window, threshold and times (English: the ``message`` as the report carries it)."""
    if t.is_source:
        return str(item["message"])
    return recurrence_message(
        item["group"].items(),
        shown_text(item["peak_shown"], t),
        timedelta(seconds=item["window_seconds"]),
        item["threshold"],
        item["first_at"],
        item["last_at"],
        t,
    )


def _complaints(report: dict[str, Any], t: Translator) -> str:
    complaints = report["complaints"]
    chart = complaints.get("control_chart")
    points = chart["points"] if chart else complaints["by_period"]["rows"]
    received = t.gettext(
        "{total} complaints received in the twelve months ({named} named, {anonymous} anonymous)."
    ).format(
        total=_count(complaints["total"], t),
        named=_count(complaints["named"], t),
        anonymous=_count(complaints["anonymous"], t),
    )
    parts = [
        f"<p>{_e(received)}</p>",
        _h3(t.gettext("Complaints by month")),
        _chart(charts.trend_chart(points, t)),
    ]
    if chart:
        signals = "; ".join(f"{s['period']}: {_meaning(s, t)}" for s in chart["signals"])
        said = t.gettext("Signals: {signals}.").format(signals=signals or t.gettext("none"))
        parts.append(f'<p class="muted">{_e(_chart_method(chart, t))}. {_e(said)}</p>')
    parts.append(
        _table(
            (t.gettext("Month"), t.gettext("Complaints")),
            ((_e(p["period"]), _count(p["count"], t)) for p in points),
            numeric=(1,),
            t=t,
        )
    )
    found = complaints.get("pareto")
    if found:
        parts.append(_h3(t.gettext("Pareto by category")))
        parts.append(_chart(charts.pareto_chart(found["rows"], found["cutoff"], t)))
        parts.append(
            _table(
                (
                    t.gettext("Category"),
                    t.gettext("Complaints"),
                    t.gettext("Share"),
                    t.gettext("Cumulative"),
                ),
                (
                    (
                        _e(r["value"]),
                        _count(r["count"], t),
                        _e(percent(r["share"], t=t)),
                        _e(percent(r["cumulative_share"], t=t)),
                    )
                    for r in found["rows"]
                ),
                numeric=(1, 2, 3),
                t=t,
            )
        )
        vital = ", ".join(str(v) for v in found["vital_few"])
        said = t.gettext("The vital few (up to {cutoff}): {categories}.").format(
            cutoff=percent(found["cutoff"], 0, t), categories=vital
        )
        parts.append(f"<p>{_e(said)}</p>")
    parts.append(_group_table(complaints, "customer_group", t.gettext("By customer group"), t))
    parts.append(_group_table(complaints, "site", t.gettext("By site"), t))
    return "".join(parts)


def _group_table(
    complaints: dict[str, Any], dimension: str, title: str, t: Translator = ENGLISH
) -> str:
    """Complaints by a group of people, small counts shown as "fewer than N"."""
    table = complaints.get(f"by_{dimension}")
    if table is None:
        return ""
    label = {"customer_group": t.gettext("Customer group"), "site": t.gettext("Site")}.get(
        dimension, dimension.replace("_", " ").capitalize()
    )
    parts = [
        f"<h3>{_e(title)}</h3>",
        _table(
            (label, t.gettext("Complaints")),
            (
                (
                    _e(r[dimension] or t.gettext("not recorded")),
                    _e(_shown_count(r["count"], r.get("shown"), t)),
                )
                for r in table["rows"]
            ),
            numeric=(1,),
            t=t,
        ),
    ]
    note = small_cells_text(table.get("small_cells"), t)
    if note:
        parts.append(f'<p class="muted">{_e(note)}.</p>')
    return "".join(parts)


def _survey_words(survey: dict[str, Any], t: Translator) -> tuple[str, str]:
    """A survey's audience and status (codes) in words: as they are in English."""
    audience, status = survey["audience"], survey["status"]
    if not t.is_source:
        audience = {
            "internal": t.pgettext("customers", "internal"),
            "external": t.pgettext("customers", "external"),
        }.get(audience, audience)
        status = {
            "draft": t.pgettext("survey", "draft"),
            "approved": t.pgettext("survey", "approved"),
            "in_field": t.pgettext("survey", "in field"),
            "collected": t.pgettext("survey", "collected"),
            "analysed": t.pgettext("survey", "analysed"),
            "reviewed": t.pgettext("survey", "reviewed"),
            "closed": t.pgettext("survey", "closed"),
        }.get(status, status)
    return audience, status


def _survey(survey: dict[str, Any], t: Translator) -> str:
    analysis = survey["analysis"]
    audience_word, status_word = _survey_words(survey, t)
    audience = t.gettext("{audience} customers").format(audience=audience_word)
    status = t.gettext("status {status}").format(status=status_word)
    if analysis is None:
        responses = t.gettext("{responses} responses").format(
            responses=shown_text(survey["responses_shown"], t)
        )
        hidden = t.gettext(
            "The results are not shown: they come from so few responses that a respondent's "
            "answers could be read from them."
        )
        return (
            f"<h3>{_e(survey['title'] or survey['survey_id'])}</h3>"
            f"<p>{_e(survey['instrument_title'])} &middot; {_e(audience)} "
            f"&middot; {_e(status)} &middot; "
            f"{_e(responses)}</p>"
            f'<p class="note">{_text(hidden)}</p>'
        )
    rate = survey["response_rate"]
    rate_text = (
        t.gettext("response rate {rate} {interval} ({responded} of {invited} invited)").format(
            rate=percent(rate["rate"], t=t),
            interval=interval(rate["interval"], as_percent=True, t=t),
            responded=_count(rate["responded"], t),
            invited=_count(rate["invited"], t),
        )
        if rate
        else t.gettext("{responses} responses").format(responses=_count(survey["responses"], t))
    )
    approved = (
        t.gettext("approved") if survey["approved"] else t.gettext("NOT approved before it ran")
    )
    parts = [
        f"<h3>{_e(survey['title'] or survey['survey_id'])}</h3>",
        f"<p>{_e(survey['instrument_title'])} &middot; {_e(audience)} "
        f"&middot; {_e(status)}, {_e(approved)} &middot; {_e(rate_text)}</p>",
    ]
    subscales = list(analysis["subscales"].values())
    comparison = (survey.get("comparison") or {}).get("subscales", {})
    if subscales:
        parts.append(_chart(charts.subscale_chart(subscales, t)))
        rows = []
        for sub in subscales:
            summary = sub["summary"]
            mean = "-" if summary["mean"] is None else _decimal(summary["mean"], t)
            top = summary["top_box"]
            alpha = sub["reliability"].get("alpha")
            change = comparison.get(sub["id"])
            rows.append(
                (
                    _e(sub["title"]),
                    _count(summary["n"], t),
                    _e(mean),
                    _e(interval(summary["mean_interval"], t=t)),
                    f"{_e(percent(top.get('share'), t=t))} "
                    f"{_e(interval(top.get('interval'), as_percent=True, t=t))}",
                    "-" if alpha is None else _e(_decimal(alpha, t)),
                    _e(_change(change, sub["title"], t)) if change else "",
                )
            )
        parts.append(
            _table(
                (
                    t.gettext("Subscale"),
                    t.gettext("n"),
                    t.gettext("Mean"),
                    t.gettext("{level} interval").format(level=percent(0.95, 0, t)),
                    t.gettext("Top-box share"),
                    t.gettext("Alpha"),
                    t.gettext("Change since the previous survey"),
                ),
                rows,
                numeric=(1, 2),
                t=t,
            )
        )
    for name, label in (("csat", "CSAT"), ("nps", "NPS")):
        for item, estimate in analysis[name].items():
            parts.append(f"<p><b>{label}</b> ({_e(item)}): {_e(_estimate(estimate, name, t))}</p>")
    for warning in analysis["warnings"]:
        parts.append(f'<p class="note">{_e(fixed_warning(warning, t))}</p>')
    return "".join(parts)


def _change(change: dict[str, Any], subscale: str, t: Translator) -> str:
    """A subscale's change since the previous survey in the report's language, worded again
    from its numbers (English, or a verdict that does not match them: as the report carries
    it)."""
    if t.is_source:
        return str(change["verdict"])
    measure = change["measure"]
    if measure == subscale_mean_measure(subscale):
        measure = subscale_mean_measure(subscale, t)
    return verdict_in(change, measure, t)


def _decimal(value: float, t: Translator) -> str:
    """A mean or a coefficient with two decimals: ``3.18``, ``3,18``."""
    return f"{value:.2f}" if t.is_source else t.number(value, 2)


def _estimate(estimate: dict[str, Any], kind: str, t: Translator = ENGLISH) -> str:
    answers = _count(estimate.get("n", 0), t)
    if kind == "nps":
        score = estimate.get("score")
        shown = "-" if score is None else f"{score:+.0f}"
        return t.gettext("{score} {interval} from {answers} answers").format(
            score=shown, interval=interval(estimate.get("interval"), t=t), answers=answers
        )
    return t.gettext("{share} {interval} of {answers} answers").format(
        share=percent(estimate.get("share"), t=t),
        interval=interval(estimate.get("interval"), as_percent=True, t=t),
        answers=answers,
    )


def _referrals(report: dict[str, Any], t: Translator) -> str:
    counts = report["referrals"]["counts"]
    zone = report["timezone"]
    rows = [
        (
            _e(r["id"]),
            _e(r["title"]),
            _e(r["owner_role"].replace("_", " ")),
            _e(r["status"]),
            _e(local_time(r["opened_at"], zone, t)),
            ('<span class="status-breached">' if r["overdue"] else "<span>")
            + _e(local_time(r["due_at"], zone, t))
            + ("  " + _e(t.gettext("(overdue)")) if r["overdue"] else "")
            + "</span>",
            _e(
                ", ".join(f"{s['type']}/{s['id']}" for s in r["source_records"])
                or r["source_rule"]
                or ""
            ),
        )
        for r in report["referrals"]["open"]
    ]
    said = t.gettext(
        "{open} open ({overdue} overdue); {opened} opened and {closed} closed in the twelve months."
    ).format(
        open=_count(counts["open"], t),
        overdue=_count(counts["overdue"], t),
        opened=_count(counts["opened_in_period"], t),
        closed=_count(counts["closed_in_period"], t),
    )
    heads = (
        t.gettext("Id"),
        t.gettext("Title"),
        t.gettext("Owner"),
        t.gettext("Status"),
        t.gettext("Opened"),
        t.gettext("Due"),
        t.gettext("Evidence"),
    )
    return f"<p>{_e(said)}</p>" + _table(heads, rows, t=t)


def _review(report: dict[str, Any], t: Translator) -> str:
    packet = report.get("review")
    if not packet:
        why = "; ".join(
            review_warning(w, t) for w in report["warnings"] if "review" in w
        ) or t.gettext("not produced")
        said = t.gettext("No management review packet in this report: {why}").format(why=why)
        return f'<p class="note">{_e(said)}</p>'
    zone = report["timezone"]
    period = packet["period"]
    under_review = t.gettext(
        "Period under review: {start} to {end} (months {months}), prepared as of {at}."
    ).format(
        start=local_time(period["start"], zone, t),
        end=local_time(period["end"], zone, t),
        months=", ".join(period["periods"]),
        at=local_time(period["at"], zone, t),
    )
    parts = [
        f"<p>{_e(under_review)}</p>",
        _h3(t.gettext("Performance against each standard in the period")),
    ]
    rules = packet["standards"]["rules"]
    parts.append(
        _table(
            (
                t.gettext("Rule"),
                t.gettext("Title"),
                t.gettext("Met (of decided)"),
                t.gettext("Breached"),
                t.gettext("At risk"),
                t.gettext("Pending"),
            ),
            (
                (
                    f"<b>{_e(r['rule_id'])}</b>",
                    _e(rule_title(r["rule_id"], r["title"], t)),
                    _e(
                        t.gettext("{share} ({met} of {decided})").format(
                            share=percent(r["share_met"], t=t),
                            met=_count(r["met"], t),
                            decided=_count(r["share_met_denominator"], t),
                        )
                    ),
                    _count(r["breached"], t),
                    _count(r["at_risk"], t),
                    _count(r["pending"], t),
                )
                for r in rules
                if r["checked"]
            ),
            numeric=(2, 3, 4, 5),
            t=t,
        )
    )
    totals = packet.get("finding_totals")
    if totals:
        said = t.gettext(
            "{breached} breached findings ({breached_listed} listed in the packet), {at_risk} at "
            "risk ({at_risk_listed} listed)."
        ).format(
            breached=t.number(totals["breached"]["total"]),
            breached_listed=t.number(totals["breached"]["listed"]),
            at_risk=t.number(totals["at_risk"]["total"]),
            at_risk_listed=t.number(totals["at_risk"]["listed"]),
        )
        parts.append(f"<p>{_e(said)}</p>")
    complaints = packet["complaints"]
    received = t.gettext("{total} received ({named} named, {anonymous} anonymous).").format(
        total=_count(complaints["total"], t),
        named=_count(complaints["named"], t),
        anonymous=_count(complaints["anonymous"], t),
    )
    parts.append(_h3(t.gettext("Complaints")) + f"<p>{_e(received)}</p>")
    parts.append(_group_table(complaints, "customer_group", t.gettext("By customer group"), t))
    parts.append(_group_table(complaints, "site", t.gettext("By site"), t))
    for item in complaints["recurrences"]["items"]:
        parts.append(f"<p>{_e(_recurrence_message(item, t))}</p>")
    chart = complaints.get("control_chart") or {}
    for signal in chart.get("signals", []):
        said = t.gettext("Control chart signal in {period}: {meaning}").format(
            period=signal["period"], meaning=_meaning(signal, t)
        )
        parts.append(f"<p>{_e(said)}</p>")
    parts.append(_h3(t.gettext("Surveys")))
    parts.append(
        _table(
            (
                t.gettext("Survey"),
                t.gettext("Instrument"),
                t.gettext("Responses"),
                t.gettext("Warnings"),
            ),
            (
                (
                    _e(s["title"] or s["survey_id"]),
                    _e(s["instrument_title"]),
                    _e(_shown_count(s["responses"], s.get("responses_shown"), t)),
                    _e("; ".join(review_warning(w, t) for w in s["warnings"])),
                )
                for s in packet["surveys"]
            ),
            numeric=(2,),
            t=t,
        )
    )
    counts = packet["referrals"]["counts"]
    said = t.gettext(
        "{open} open, {overdue} overdue; {opened} opened and {closed} closed in the period."
    ).format(
        open=_count(counts["open"], t),
        overdue=_count(counts["overdue"], t),
        opened=_count(counts["opened_in_period"], t),
        closed=_count(counts["closed_in_period"], t),
    )
    parts.append(_h3(t.gettext("Referrals for process improvement")) + f"<p>{_e(said)}</p>")
    for warning in packet["warnings"]:
        parts.append(f'<p class="note">{_e(review_warning(warning, t))}</p>')
    return "".join(parts)


def render_html(report: dict[str, Any], *, locale: str | Translator = "en") -> str:
    """The report as a complete, self-contained HTML document, in ``locale`` (``"en"``,
    ``"fr"``; the charts' own labels stay in English)."""
    t = translator(locale)
    zone = report["timezone"]
    sections = _sections(t)
    nav = "".join(f'<a href="#{key}">{_e(title)}</a>' for key, title in sections)
    bodies = {
        "summary": _summary(report, t),
        "compliance": _compliance(report, t),
        "breaches": _findings(
            report["breaches"],
            zone,
            t.gettext("Nothing is breached."),
            _true_total(report["standards"]["rules"], "breached"),
            t.gettext("breached findings"),
            t,
        ),
        "at-risk": _findings(
            report["at_risk"],
            zone,
            t.gettext("Nothing is at risk."),
            _true_total(report["standards"]["rules"], "at_risk"),
            t.gettext("at-risk findings"),
            t,
        ),
        "complaints": _complaints(report, t),
        "surveys": "".join(_survey(s, t) for s in report["surveys"])
        or "<p>" + _e(t.gettext("No surveys.")) + "</p>",
        "referrals": _referrals(report, t),
        "review": _review(report, t),
    }
    body = "".join(
        f'<section id="{key}"><h2>{_e(title)}</h2>{bodies[key]}</section>'
        for key, title in sections
    )
    note = ""
    if not charts.charts_available():
        said = t.gettext(
            "Charts need matplotlib; the numbers are all in the tables. To add charts:"
        )
        note = f'<p class="note">{_e(said)} <code>{_e(charts.CHARTS_HINT)}</code></p>'
    warnings = "".join(
        f'<p class="note">{_e(review_warning(w, t))}</p>' for w in report["warnings"]
    )
    header = t.gettext("As of {at} ({zone}) · twelve months from {start} · {source}").format(
        at=local_time(report["at"], zone, t),
        zone=zone,
        start=_day(report["period"]["start"], zone, t),
        source=report["source"],
    )
    footer = t.gettext(
        "Made by {generator}. Report format version {version}. An anonymous complaint never "
        "shows who made it."
    ).format(generator=report["generator"], version=report["version"])
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{_e(t.language)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(report['title'])}</title><style>{_CSS}</style></head><body>"
        f"<header><h1>{_e(report['title'])}</h1>"
        f"<p>{_e(header).replace('·', '&middot;')}</p>"
        f"<nav>{nav}</nav></header><main>{note}{warnings}{body}"
        f'<p class="muted">{_e(footer)}</p>'
        "</main></body></html>\n"
    )


def _day(value: str, zone: str, t: Translator) -> str:
    """The day of an ISO timestamp on the lab's wall clock: ``Wed 01 Apr 2025``."""
    if t.is_source:
        return local_time(value, zone)[:15]
    moment = datetime.fromisoformat(value).astimezone(ZoneInfo(zone))
    return str(t.date(moment.date()))
