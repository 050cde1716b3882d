"""``qse-customer check``: evaluate a store against rulesets and write the report."""

from __future__ import annotations

import argparse
import textwrap
from collections.abc import Callable

from ..core.translation import Translator, translator
from ..reports.content import MAX_FINDINGS, breached
from ..review.small_cells import SMALL_CELL_THRESHOLD
from ._locale import add_locale
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
from .parsing import EXIT_FOUND, EXIT_OK, HELP_LOCALE, HelpFormatter

EXAMPLE = """\
exit codes: 0 nothing breached, 1 something breached, 2 bad input, 70 internal error (never
a verdict: the previous --output file is left as it was)

example:
  qse-customer check --store sqlite:///lab.db --ruleset qse2-responsibility \\
      --ruleset customer-service-standards --contracts --at 2026-03-18T14:30 \\
      --format html --output report.html
  qse-customer check --store sqlite:///labs.db --lab LAB-7 --labs labs.json  # docs/labs.md
"""


def _epilog(t: Translator) -> str:
    """:data:`EXAMPLE` in ``t``'s language (the command itself as it is)."""
    if t.is_source:
        return EXAMPLE
    codes = t.gettext(
        "exit codes: 0 nothing breached, 1 something breached, 2 bad input, 70 internal error "
        "(never a verdict: the previous --output file is left as it was)"
    )
    example = t.gettext("example:")
    _, _, command = EXAMPLE.partition("example:\n")
    return f"{textwrap.fill(codes, width=92)}\n\n{example}\n{command}"


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``check`` command (its help in :data:`.parsing.HELP_LOCALE`'s language)."""
    t = translator(HELP_LOCALE.get())
    parser = commands.add_parser(
        "check",
        help=summary("check"),
        description=t.gettext(
            "Check every record in the store against the rulesets as of --at and write the "
            "report: compliance per rule, the breach register, at-risk items, complaint trends, "
            "survey results, open referrals and the management review packet."
        ),
        epilog=_epilog(t),
        formatter_class=HelpFormatter,
    )
    add_store(parser)
    add_rulesets(parser, required=False)
    add_at(parser)
    parser.add_argument(
        "--format",
        choices=("text", "json", "html"),
        default="text",
        help=t.gettext("default: text"),
    )
    parser.add_argument(
        "--output", metavar="FILE", help=t.gettext("write the report here (default: stdout)")
    )
    parser.add_argument(
        "--small-cell-threshold",
        metavar="N",
        type=int,
        default=SMALL_CELL_THRESHOLD,
        help=t.gettext(
            "show counts of complaints by customer group or site, and surveys, below N as "
            "'fewer than N' (default: %(default)s; 1 shows every count)"
        ),
    )
    parser.add_argument(
        "--max-findings",
        metavar="N",
        type=int,
        default=MAX_FINDINGS,
        help=t.gettext(
            "list at most N breached and at-risk findings per ruleset (default: %(default)s); "
            "every count and total stays complete"
        ),
    )
    add_locale(parser, t)
    add_calendar(parser)
    add_lab(parser)
    parser.set_defaults(run=run)


def _renderer(form: str) -> Callable[..., str]:
    """The renderer of the ``--format`` chosen, imported only then (the HTML renderer's charts
    and the text renderer are not loaded for a JSON report)."""
    if form == "json":
        from ..reports.json_report import render_json

        return render_json
    if form == "html":
        from ..reports.html import render_html

        return render_html
    from ..reports.text import render_text

    return render_text


def run(args: argparse.Namespace) -> int:
    """Check, write the report, and exit 1 if anything is breached."""
    apply_lab(args)
    t = translator(args.locale)
    report = report_from(
        args, small_cell_threshold=args.small_cell_threshold, max_findings=args.max_findings
    )
    render = _renderer(args.format)
    # Before the output file is touched; English as it always was (no locale= passed).
    rendered = render(report) if t.is_source else render(report, locale=t)
    with output(args.output) as stream:
        stream.write(rendered)
    return EXIT_FOUND if breached(report) else EXIT_OK
