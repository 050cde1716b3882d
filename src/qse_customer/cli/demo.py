"""``qse-customer demo``: a sample lab, checked, summarised, with its full reports."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..demo.run import run_demo
from ..reports.charts import CHARTS_HINT, charts_available
from ..reports.text import render_summary
from .commands import summary
from .common import InputError, progress_printer, say
from .parsing import EXIT_OK, HelpFormatter

EXAMPLE = """\
The sample lab is "Riverside Hospital Laboratory" (Europe/London, England's bank holidays, open
08:00-17:00): a year of complaints, enquiries of every channel, contracts with STAT and routine
turnaround terms and their test requests, survey rounds and referrals, judged as of
Wed 18 Mar 2026 14:30 against qse2-responsibility, customer-service-standards,
complaints-handling and the contracts' terms. The same seed always gives the same lab.

example:
  qse-customer demo --dir ./riverside
"""


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``demo`` command."""
    parser = commands.add_parser(
        "demo",
        help=summary("demo"),
        description="Create a sample lab in an SQLite store, check it against the shipped "
        "rulesets (responsibility, customer service standards, complaints handling) and its "
        "contracts' terms, print a summary and write the full HTML and JSON reports.",
        epilog=EXAMPLE,
        formatter_class=HelpFormatter,
    )
    parser.add_argument(
        "--dir",
        metavar="DIR",
        help="where to write lab.db and the reports (default: a new folder ./qse-demo, "
        "./qse-demo-2, ... in the current directory)",
    )
    parser.add_argument("--seed", type=int, default=2026, metavar="N", help="default: 2026")
    parser.set_defaults(run=run)


def _directory(given: str | None) -> Path:
    if given is not None:
        path = Path(given)
        if (path / "lab.db").exists():
            raise InputError(
                f"--dir {given}: it already holds a lab.db; remove it or choose another folder"
            )
        return path
    path, number = Path("qse-demo"), 1
    while path.exists():
        number += 1
        path = Path(f"qse-demo-{number}")
    return path


def run(args: argparse.Namespace) -> int:
    """Run the demo and print its summary and where the reports are."""
    directory = _directory(args.dir)
    result = run_demo(directory, seed=args.seed, progress=progress_printer())
    print(render_summary(result.report))
    print()
    say(f"Full report:  {result.html}  (open it in a browser)")
    say(f"JSON report:  {result.json}")
    say(f"Store:        {result.store_url}  ({result.records} records)")
    if not charts_available():
        print(f"The HTML report has tables but no charts; for charts: {CHARTS_HINT}")
    example = next((f for f in result.report["breaches"] if f["rule_id"] == "T-1"), None)
    if example is not None:
        say(
            f"Why was {example['record_id']} late? qse-customer explain T-1 "
            f"{example['record_id']} --store {result.store_url} "
            "--ruleset customer-service-standards --at 2026-03-18T14:30"
        )
    handled = next((f for f in result.report["breaches"] if f["rule_id"].startswith("H-")), None)
    if handled is not None:
        print(
            f"Was {handled['record_id']} handled as ISO 15189 7.7 asks? qse-customer explain "
            f"{handled['rule_id']} {handled['record_id']} --store {result.store_url} "
            "--ruleset complaints-handling --at 2026-03-18T14:30"
        )
    return EXIT_OK
