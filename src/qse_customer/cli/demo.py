"""``qse-customer demo``: a sample lab, checked, summarised, with its full reports."""

from __future__ import annotations

import argparse
import contextlib
import gc
import textwrap
from collections.abc import Iterator
from pathlib import Path

from ..core.translation import Translator, translator
from ..demo.run import run_demo
from ..reports.charts import CHARTS_HINT, charts_available
from ..reports.text import render_summary
from ._locale import add_locale, messages
from .commands import summary
from .common import InputError, progress_printer, say
from .parsing import EXIT_OK, HELP_LOCALE, HelpFormatter

EXAMPLE = """\
The sample lab is "Riverside Hospital Laboratory" (Europe/London, England's bank holidays, open
08:00-17:00): a year of complaints, enquiries of every channel, contracts with STAT and routine
turnaround terms and their test requests, survey rounds and referrals, judged as of
Wed 18 Mar 2026 14:30 against qse2-responsibility, customer-service-standards,
complaints-handling and the contracts' terms. The same seed always gives the same lab.

example:
  qse-customer demo --dir ./riverside
"""


def _epilog(t: Translator) -> str:
    """:data:`EXAMPLE` in ``t``'s language (the command itself as it is)."""
    if t.is_source:
        return EXAMPLE
    about = t.gettext(
        'The sample lab is "Riverside Hospital Laboratory" (Europe/London, England\'s bank '
        "holidays, open 08:00-17:00): a year of complaints, enquiries of every channel, contracts "
        "with STAT and routine turnaround terms and their test requests, survey rounds and "
        "referrals, judged as of Wed 18 Mar 2026 14:30 against qse2-responsibility, "
        "customer-service-standards, complaints-handling and the contracts' terms. The same seed "
        "always gives the same lab."
    )
    example = t.gettext("example:")
    _, _, command = EXAMPLE.partition("example:\n")
    return f"{textwrap.fill(about, width=96)}\n\n{example}\n{command}"


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``demo`` command (its help in :data:`.parsing.HELP_LOCALE`'s language)."""
    t = translator(HELP_LOCALE.get())
    parser = commands.add_parser(
        "demo",
        help=summary("demo"),
        description=t.gettext(
            "Create a sample lab in an SQLite store, check it against the shipped rulesets "
            "(responsibility, customer service standards, complaints handling) and its "
            "contracts' terms, print a summary and write the full HTML and JSON reports."
        ),
        epilog=_epilog(t),
        formatter_class=HelpFormatter,
    )
    parser.add_argument(
        "--dir",
        metavar="DIR",
        help=t.gettext(
            "where to write lab.db and the reports (default: a new folder ./qse-demo, "
            "./qse-demo-2, ... in the current directory)"
        ),
    )
    parser.add_argument(
        "--seed", type=int, default=2026, metavar="N", help=t.gettext("default: 2026")
    )
    add_locale(parser, t)
    parser.set_defaults(run=run)


def _directory(given: str | None) -> Path:
    if given is not None:
        path = Path(given)
        if (path / "lab.db").exists():
            raise InputError(
                messages()
                .gettext(
                    "--dir {path}: it already holds a lab.db; remove it or choose another folder"
                )
                .format(path=given)
            )
        return path
    path, number = Path("qse-demo"), 1
    while path.exists():
        number += 1
        path = Path(f"qse-demo-{number}")
    return path


@contextlib.contextmanager
def _no_cyclic_collection() -> Iterator[None]:
    """The cyclic garbage collector paused while the demo runs.

    The demo keeps nearly everything it makes to its end (the lab's records, the report), so
    each pass of the collector walked those live objects again, about 0.1 s of the demo's 2.6 s
    of processor time, to free a few MiB of cyclic garbage (matplotlib's figures). Afterwards
    what it made is moved, unwalked, to the collector's oldest generation (``gc.freeze`` then
    ``gc.unfreeze``), so that switching the collector back on does not walk it all at once."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.unfreeze()
        if enabled:
            gc.enable()


def run(args: argparse.Namespace) -> int:
    """Run the demo and print its summary and where the reports are."""
    with _no_cyclic_collection():
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    t = translator(args.locale)
    directory = _directory(args.dir)
    result = run_demo(directory, seed=args.seed, progress=progress_printer(t=t), locale=t.locale)
    print(render_summary(result.report) if t.is_source else render_summary(result.report, locale=t))
    print()
    say(t.gettext("Full report:  {path}  (open it in a browser)").format(path=result.html))
    say(t.gettext("JSON report:  {path}").format(path=result.json))
    say(
        t.gettext("Store:        {url}  ({records} records)").format(
            url=result.store_url, records=result.records
        )
    )
    if not charts_available():
        print(
            t.gettext("The HTML report has tables but no charts; for charts: {hint}").format(
                hint=CHARTS_HINT
            )
        )
    example = next((f for f in result.report["breaches"] if f["rule_id"] == "T-1"), None)
    if example is not None:
        command = (
            f"qse-customer explain T-1 {example['record_id']} --store {result.store_url} "
            "--ruleset customer-service-standards --at 2026-03-18T14:30"
        )
        say(
            t.gettext("Why was {record} late? {command}").format(
                record=example["record_id"], command=command
            )
        )
    handled = next((f for f in result.report["breaches"] if f["rule_id"].startswith("H-")), None)
    if handled is not None:
        command = (
            f"qse-customer explain {handled['rule_id']} {handled['record_id']} --store "
            f"{result.store_url} --ruleset complaints-handling --at 2026-03-18T14:30"
        )
        print(
            t.gettext("Was {record} handled as ISO 15189 7.7 asks? {command}").format(
                record=handled["record_id"], command=command
            )
        )
    return EXIT_OK
