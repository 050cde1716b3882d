"""Reports of what the rules found, complaint trends, survey results, open referrals and the
management review packet: as text for a terminal, JSON with a documented shape, or one
self-contained HTML file (see ``docs/reports.md``); and the report's tables as CSV or XLSX
(``docs/spreadsheets.md``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

if TYPE_CHECKING:
    from ._csv import write_csv
    from ._xlsx import write_xlsx
    from .charts import CHARTS_HINT, charts_available
    from .content import (
        REPORT_KIND,
        REPORT_VERSION,
        build_report,
        check_rulesets,
        records_of_sequence,
        render_focus,
    )
    from .html import render_html
    from .json_report import render_json, report_errors, report_schema
    from .tables import TABLE_NAMES, report_tables
    from .text import render_summary, render_text

# Each name is imported from its module when first used, so importing the package is cheap.
__getattr__ = lazy_exports(
    __name__,
    {
        "._csv": ["write_csv"],
        "._xlsx": ["write_xlsx"],
        ".charts": ["CHARTS_HINT", "charts_available"],
        ".content": [
            "REPORT_KIND",
            "REPORT_VERSION",
            "build_report",
            "check_rulesets",
            "records_of_sequence",
            "render_focus",
        ],
        ".html": ["render_html"],
        ".json_report": ["render_json", "report_errors", "report_schema"],
        ".tables": ["TABLE_NAMES", "report_tables"],
        ".text": ["render_summary", "render_text"],
    },
)


__all__ = [
    "CHARTS_HINT",
    "REPORT_KIND",
    "REPORT_VERSION",
    "TABLE_NAMES",
    "build_report",
    "charts_available",
    "check_rulesets",
    "records_of_sequence",
    "render_focus",
    "render_html",
    "render_json",
    "render_summary",
    "render_text",
    "report_errors",
    "report_schema",
    "report_tables",
    "write_csv",
    "write_xlsx",
]
