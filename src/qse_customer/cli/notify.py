"""``qse-customer notify``: notify every new breach and at-risk deadline once per notifier."""

from __future__ import annotations

import argparse

from ._locale import add_locale, epilog, messages
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
    """Add the ``notify`` command (its help in :data:`.parsing.HELP_LOCALE`'s language)."""
    t = messages()
    parser = commands.add_parser(
        "notify",
        help=summary("notify"),
        description=t.gettext(
            "Check the store against the rulesets as of --at and send each new breach and "
            "at-risk deadline to every installed notifier, once (qse_customer.notify_due)."
        ),
        epilog=epilog(
            EXAMPLE,
            t,
            [
                t.gettext(
                    "exit codes: 0 every notification delivered, 1 a delivery failed or waits for "
                    "a notifier (it stays pending for the next run) or a stored record is invalid, "
                    "2 bad input, 70 internal error"
                )
            ],
            t.gettext("example (a nightly job):"),
        ),
        formatter_class=HelpFormatter,
    )
    add_store(parser)
    add_rulesets(parser, required=False)
    add_at(parser)
    add_locale(parser, t)
    add_calendar(parser)
    add_lab(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Run ``notify_due`` for each ruleset and say what was sent."""
    from ..notifiers.delivery import notify_due  # imported when used, not for --help

    apply_lab(args)
    t = messages()
    calendar = calendar_from(args)
    at = parse_at(args.at, calendar)
    ok = True
    with existing_store(args.store, args.lab) as store:
        for ruleset in rulesets_from(
            args.ruleset, store, args.contracts, at, extends_from=args.extends_from
        ):
            result = notify_due(store, ruleset, calendar=calendar, at=at, locale=t)
            say(
                t.gettext(
                    "{ruleset}: {new} new notification(s), {delivered} delivered, {failed} "
                    "failed, {waiting} waiting for a notifier, {invalid} invalid stored record(s)"
                ).format(
                    ruleset=ruleset.name,
                    new=len(result.new),
                    delivered=len(result.delivered),
                    failed=len(result.failed),
                    waiting=len(result.waiting),
                    invalid=len(result.invalid),
                )
            )
            for failure in result.failed:
                say(
                    t.gettext("  failed: {notifier} for {key}: {error}").format(
                        notifier=failure.notifier, key=failure.key, error=failure.error
                    )
                )
            for invalid in result.invalid:
                say(t.gettext("  invalid: {record}").format(record=invalid))
            ok = ok and result.ok
    return EXIT_OK if ok else EXIT_FOUND
