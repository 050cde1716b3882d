"""``qse-customer verify``: check every stored record in full, its document and its hash chain."""

from __future__ import annotations

import argparse

from ._locale import add_locale, epilog, messages
from .commands import summary
from .common import InputError, add_store, existing_store
from .labs import add_lab_option, lab_option
from .parsing import EXIT_FOUND, EXIT_OK, HelpFormatter

EXAMPLE = """\
exit codes: 0 every record is as it was recorded, 1 a record fails (printed: the record and
the first event that differs), 2 bad input

example (a nightly job; keep its output with the lab's quality records):
  qse-customer verify --store sqlite:///lab.db
"""


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``verify`` command (its help in :data:`.parsing.HELP_LOCALE`'s language)."""
    t = messages()
    parser = commands.add_parser(
        "verify",
        help=summary("verify"),
        description=t.gettext(
            "Check every record in the store in full: its document against the schema and the "
            "model, and its hash chain, which finds any event changed, added or removed outside "
            "qse-customer (docs/audit.md)."
        ),
        epilog=epilog(
            EXAMPLE,
            t,
            [
                t.gettext(
                    "exit codes: 0 every record is as it was recorded, 1 a record fails "
                    "(printed: the record and the first event that differs), 2 bad input"
                )
            ],
            t.gettext("example (a nightly job; keep its output with the lab's quality records):"),
        ),
        formatter_class=HelpFormatter,
    )
    add_store(parser)
    add_lab_option(parser, t.gettext("verify this lab's records"))
    add_locale(parser, t)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Verify the store and print what fails."""
    t = messages()
    with existing_store(args.store, lab_option(args)) as store:
        verify = getattr(store, "verify", None)
        if verify is None:
            raise InputError(
                t.gettext("{store}: this store cannot be verified (it has no verify())").format(
                    store=args.store
                )
            )
        problems = verify()
    for problem in problems:
        first = problem.errors[0] if problem.errors else None
        where = f" {first.path}: {first.message}" if first is not None else ""
        print(f"{problem.record_type} {problem.record_id}:{where}")
    print(
        t.gettext("every record is as it was recorded")
        if not problems
        else t.gettext("{count} record(s) fail verification").format(count=len(problems))
    )
    return EXIT_FOUND if problems else EXIT_OK
