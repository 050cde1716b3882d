"""The report's tables as rows, for spreadsheets (``qse-customer export --format csv|xlsx``).

Every table is made from the report document (:func:`.content.build_report`), never from the
records, so a spreadsheet holds exactly what the reports hold: no submitter, respondent, summary
or note; counts of complaints by customer group or site, and surveys, below the small-cell
threshold shown as the reports show them ("fewer than 5", "withheld"); true totals in ``about``.
Times become aware datetimes on the lab's wall clock; each writer (:mod:`._csv`, :mod:`._xlsx`)
decides how a spreadsheet sees them. See ``docs/spreadsheets.md``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Final, Literal
from zoneinfo import ZoneInfo

from attrs import frozen

Value = str | int | float | datetime | None
"""What a cell holds: text, a number, a time on the lab's wall clock (aware), or nothing."""
Kind = Literal["text", "count", "number", "share", "seconds", "time"]


@frozen
class Column:
    """A column: its heading and what its cells are (a writer formats each kind its way)."""

    heading: str
    kind: Kind = "text"


@frozen
class Table:
    """One table of the report: a CSV file or a sheet of the workbook, named ``name``."""

    name: str
    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Value, ...], ...]


TABLE_NAMES: Final = ("about", "compliance", "breaches", "at_risk", "surveys", "complaints")
"""Every table, in the order a workbook has its sheets."""

FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")
"""A text cell starting with one of these would be run as a formula by a spreadsheet (OWASP's
list for CSV injection): the writers always write it as text."""

# Characters XML 1.0 (so XLSX) cannot hold, and lone surrogates (no UTF-8 can hold them).
_UNWRITABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def formula_like(text: str) -> bool:
    """Whether a spreadsheet would read ``text`` as a formula if it were typed into a cell."""
    return text.startswith(FORMULA_STARTS)


def writable(text: str) -> str:
    """``text`` with each character no spreadsheet file can hold (the C0 controls but tab, line
    feed and carriage return; lone surrogates; U+FFFE, U+FFFF) written as a Python-style escape
    (``\\x1b``, ``\\ud800``), as the text report shows them; other text is unchanged."""

    def escape(match: re.Match[str]) -> str:
        code = ord(match[0])
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"

    return _UNWRITABLE.sub(escape, text)


def _time(value: str | None, zone: ZoneInfo) -> datetime | None:
    return datetime.fromisoformat(value).astimezone(zone) if value else None


def _about(report: dict[str, Any], zone: ZoneInfo) -> Table:
    totals = report["finding_totals"]
    period = report["period"]
    rows: list[tuple[Value, ...]] = [
        ("title", report["title"]),
        ("source", report["source"]),
        ("generator", report["generator"]),
        ("report version", report["version"]),
        (f"judged at ({report['timezone']})", _time(report["at"], zone)),
        ("time zone of every time in this workbook", report["timezone"]),
        (f"complaints period from ({report['timezone']})", _time(period["start"], zone)),
        (f"complaints period until ({report['timezone']})", _time(period["end"], zone)),
        ("small-cell threshold", report["small_cell_threshold"]),
        ("breached findings (true total)", totals["breached"]["total"]),
        ("breached findings listed", totals["breached"]["listed"]),
        ("at-risk findings (true total)", totals["at_risk"]["total"]),
        ("at-risk findings listed", totals["at_risk"]["listed"]),
    ]
    rows.extend(("warning", warning) for warning in report["warnings"])
    return Table(
        "about",
        "About this report",
        (Column("item"), Column("value")),
        tuple(rows),
    )


_COUNTS = ("total", "checked", "met", "breached", "at_risk", "pending", "not_applicable")


def _compliance(report: dict[str, Any]) -> Table:
    columns = (
        Column("ruleset"),
        Column("ruleset version"),
        Column("rule"),
        Column("title"),
        Column("kind"),
        Column("severity"),
        Column("source"),
        Column("measure"),
        *(Column(name.replace("_", " "), "count") for name in _COUNTS),
        Column("share met", "share"),
        Column("share met of (met + breached)", "count"),
        Column("elapsed median (seconds)", "seconds"),
        Column("elapsed 90th percentile (seconds)", "seconds"),
        Column("elapsed measured", "count"),
    )
    rows = tuple(
        (
            rule["ruleset"],
            rule["ruleset_version"],
            rule["rule_id"],
            rule["title"],
            rule["kind"],
            rule["severity"],
            rule["source"],
            rule["measure"],
            *(rule[name] for name in _COUNTS),
            rule["share_met"],
            rule["share_met_denominator"],
            rule["elapsed_median_seconds"],
            rule["elapsed_p90_seconds"],
            rule["elapsed_count"],
        )
        for rule in report["standards"]["rules"]
    )
    return Table("compliance", "Compliance per rule", columns, rows)


def _findings(report: dict[str, Any], key: str, title: str, zone: ZoneInfo) -> Table:
    columns = (
        Column("ruleset"),
        Column("ruleset version"),
        Column("rule"),
        Column("severity"),
        Column("record type"),
        Column("record"),
        Column("period"),
        Column(f"due ({report['timezone']})", "time"),
        Column("elapsed (seconds)", "seconds"),
        Column("measure"),
        Column("source"),
        Column("message"),
    )
    rows = tuple(
        (
            finding["ruleset"],
            finding["ruleset_version"],
            finding["rule_id"],
            finding["severity"],
            finding["record_type"],
            finding["record_id"],
            finding["period"],
            _time(finding["due_at"], zone),
            finding["elapsed_seconds"],
            finding["measure"],
            finding["source"],
            finding["message"],
        )
        for finding in report[key]
    )
    return Table(key, title, columns, rows)


def _interval(value: dict[str, Any] | None) -> tuple[Value, Value]:
    return (value["low"], value["high"]) if value else (None, None)


def _measures(summary: dict[str, Any] | None) -> tuple[Value, ...]:
    if not summary:
        return (None,) * 7
    top = summary.get("top_box") or {}
    return (
        summary.get("n"),
        summary.get("mean"),
        *_interval(summary.get("mean_interval")),
        top.get("share"),
        *_interval(top.get("interval")),
    )


def _surveys(report: dict[str, Any]) -> Table:
    columns = (
        Column("survey"),
        Column("title"),
        Column("audience"),
        Column("status"),
        Column("instrument"),
        Column("instrument version"),
        Column("responses"),
        Column("response rate", "share"),
        Column("part"),
        Column("id"),
        Column("text"),
        Column("answered", "count"),
        Column("mean", "number"),
        Column("mean 95% low", "number"),
        Column("mean 95% high", "number"),
        Column("top-box share", "share"),
        Column("top-box 95% low", "share"),
        Column("top-box 95% high", "share"),
    )
    rows: list[tuple[Value, ...]] = []
    for survey in report["surveys"]:
        rate = survey["response_rate"]
        head: tuple[Value, ...] = (
            survey["survey_id"],
            survey["title"],
            survey["audience"],
            survey["status"],
            survey["instrument"],
            survey["instrument_version"],
            # a small survey shows "fewer than 5", as in the report, and none of its results
            survey["responses"] if survey["responses"] is not None else survey["responses_shown"],
            rate["rate"] if rate and survey["responses"] is not None else None,
        )
        analysis = survey["analysis"]
        parts = [
            (part, key, entry)
            for part, key in (("subscale", "subscales"), ("item", "items"))
            for entry in (analysis or {}).get(key, {}).values()
        ]
        if not parts:
            rows.append(head + (None,) * (len(columns) - len(head)))
        for part, _, entry in parts:
            text = entry.get("title") if part == "subscale" else entry.get("text")
            rows.append((*head, part, entry["id"], text, *_measures(entry.get("summary"))))
    return Table("surveys", "Survey results", columns, tuple(rows))


def _complaints(report: dict[str, Any]) -> Table:
    columns = (Column("counted by"), Column("group"), Column("complaints"))
    complaints = report["complaints"]
    rows: list[tuple[Value, ...]] = []
    for key, dimension in (("by_customer_group", "customer_group"), ("by_site", "site")):
        table = complaints[key]
        heading = dimension.replace("_", " ")
        for row in table["rows"]:
            count = row["count"] if row["count"] is not None else row["shown"]
            rows.append((heading, row[dimension], count))
        rows.append((heading, "total", table["total"]))
    return Table(
        "complaints",
        "Complaints received in the period, by customer group and by site",
        columns,
        tuple(rows),
    )


def report_tables(report: dict[str, Any], names: Sequence[str] = TABLE_NAMES) -> list[Table]:
    """The tables ``names`` (default: all of :data:`TABLE_NAMES`, in that order) of the report
    document ``report``, every time on the lab's wall clock (``report["timezone"]``)."""
    unknown = sorted(set(names) - set(TABLE_NAMES))
    if unknown:
        raise ValueError(f"no table {unknown[0]!r}; the tables are {', '.join(TABLE_NAMES)}")
    zone = ZoneInfo(report["timezone"])
    makers = {
        "about": lambda: _about(report, zone),
        "compliance": lambda: _compliance(report),
        "breaches": lambda: _findings(report, "breaches", "Breach register", zone),
        "at_risk": lambda: _findings(report, "at_risk", "At-risk items", zone),
        "surveys": lambda: _surveys(report),
        "complaints": lambda: _complaints(report),
    }
    return [makers[name]() for name in TABLE_NAMES if name in names]
