"""``qse-customer notify``: notify every new breach and at-risk deadline once per notifier."""

from __future__ import annotations

import argparse

from .commands import summary
from .common import (
    add_at,
    add_calendar,
    add_rulesets,
    add_store,
    calendar_from,
    existing_store,
    parse_at,
    rulesets_from,
    say,
)
from .labs import add_lab, apply_lab
from .parsing import EXIT_FOUND, EXIT_OK, HelpFormatter

EXAMPLE = """\
exit codes: 0 every notification delivered, 1 a delivery failed or waits for a notifier
(it stays pending for the next run) or a stored record is invalid, 2 bad input, 70 internal
error

example (a nightly job):
  qse-customer notify --store sqlite:///lab.db --ruleset customer-service-standards
"""


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``notify`` command."""
    parser = commands.add_parser(
        "notify",
        help=summary("notify"),
        description="Check the store against the rulesets as of --at and send each new breach "
        "and at-risk deadline to every installed notifier, once (qse_customer.notify_due).",
        epilog=EXAMPLE,
        formatter_class=HelpFormatter,
    )
    add_store(parser)
    add_rulesets(parser, required=False)
    add_at(parser)
    add_calendar(parser)
    add_lab(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Run ``notify_due`` for each ruleset and say what was sent."""
    from ..notifiers.delivery import notify_due  # imported when used, not for --help

    apply_lab(args)
    calendar = calendar_from(args)
    at = parse_at(args.at, calendar)
    ok = True
    with existing_store(args.store, args.lab) as store:
        for ruleset in rulesets_from(
            args.ruleset, store, args.contracts, at, extends_from=args.extends_from
        ):
            result = notify_due(store, ruleset, calendar=calendar, at=at)
            say(
                f"{ruleset.name}: {len(result.new)} new notification(s), "
                f"{len(result.delivered)} delivered, {len(result.failed)} failed, "
                f"{len(result.waiting)} waiting for a notifier, {len(result.invalid)} invalid "
                "stored record(s)"
            )
            for failure in result.failed:
                say(f"  failed: {failure.notifier} for {failure.key}: {failure.error}")
            for invalid in result.invalid:
                say(f"  invalid: {invalid}")
            ok = ok and result.ok
    return EXIT_OK if ok else EXIT_FOUND
