"""``qse-customer check``: evaluate a store against rulesets and write the report."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from ..reports.content import MAX_FINDINGS, breached
from ..reports.html import render_html
from ..reports.json_report import render_json
from ..reports.text import render_text
from ..review.small_cells import SMALL_CELL_THRESHOLD
from ._report import report_from
from .commands import summary
from .common import (
    add_at,
    add_calendar,
    add_rulesets,
    add_store,
    output,
)
from .labs import add_lab, apply_lab
from .parsing import EXIT_FOUND, EXIT_OK, HelpFormatter

EXAMPLE = """\
exit codes: 0 nothing breached, 1 something breached, 2 bad input, 70 internal error (never
a verdict: the previous --output file is left as it was)

example:
  qse-customer check --store sqlite:///lab.db --ruleset qse2-responsibility \\
      --ruleset customer-service-standards --contracts --at 2026-03-18T14:30 \\
      --format html --output report.html
  qse-customer check --store sqlite:///labs.db --lab LAB-7 --labs labs.json  # docs/labs.md
"""


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``check`` command."""
    parser = commands.add_parser(
        "check",
        help=summary("check"),
        description="Check every record in the store against the rulesets as of --at and write "
        "the report: compliance per rule, the breach register, at-risk items, complaint trends, "
        "survey results, open referrals and the management review packet.",
        epilog=EXAMPLE,
        formatter_class=HelpFormatter,
    )
    add_store(parser)
    add_rulesets(parser, required=False)
    add_at(parser)
    parser.add_argument(
        "--format", choices=("text", "json", "html"), default="text", help="default: text"
    )
    parser.add_argument("--output", metavar="FILE", help="write the report here (default: stdout)")
    parser.add_argument(
        "--small-cell-threshold",
        metavar="N",
        type=int,
        default=SMALL_CELL_THRESHOLD,
        help="show counts of complaints by customer group or site, and surveys, below N as "
        "'fewer than N' (default: %(default)s; 1 shows every count)",
    )
    parser.add_argument(
        "--max-findings",
        metavar="N",
        type=int,
        default=MAX_FINDINGS,
        help="list at most N breached and at-risk findings per ruleset (default: %(default)s); "
        "every count and total stays complete",
    )
    add_calendar(parser)
    add_lab(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Check, write the report, and exit 1 if anything is breached."""
    apply_lab(args)
    report = report_from(
        args, small_cell_threshold=args.small_cell_threshold, max_findings=args.max_findings
    )
    renderers: dict[str, Callable[[dict[str, Any]], str]] = {
        "text": render_text,
        "json": render_json,
        "html": render_html,
    }
    rendered = renderers[args.format](report)  # before the output file is touched
    with output(args.output) as stream:
        stream.write(rendered)
    return EXIT_FOUND if breached(report) else EXIT_OK
