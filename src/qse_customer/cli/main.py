"""The ``qse-customer`` command line: parse, dispatch, and turn every error the user can fix
into a one-paragraph message and exit code 2 (never a traceback)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .. import __version__
from ..core.errors import QSEError
from . import check, demo, explain, notify, transfer, validate, verify
from .common import EXIT_BAD_INPUT, HelpFormatter, Parser, UsageError

EXAMPLE = """\
exit codes: 0 success (nothing breached), 1 something breached or not delivered, 2 bad input

example:
  qse-customer demo
  qse-customer check --store sqlite:///qse-demo/lab.db --ruleset customer-service-standards
"""


def build_parser() -> argparse.ArgumentParser:
    """The parser with every command."""
    parser = Parser(
        prog="qse-customer",
        description="Prove a clinical laboratory meets QSE 2, Customer Focus: check complaints, "
        "enquiries, contracts and surveys against the standards and report.",
        epilog=EXAMPLE,
        formatter_class=HelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"qse-customer {__version__}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", parser_class=Parser)
    for module in (demo, check, validate, verify, transfer, notify, explain):
        module.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``) and return the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if not hasattr(args, "run"):
            parser.print_help()
            return EXIT_BAD_INPUT
        code: int = args.run(args)
        return code
    except UsageError as error:
        sys.stderr.write(f"{error.usage}{error}\n")
        return EXIT_BAD_INPUT
    except SystemExit as done:  # --help and --version
        return done.code if isinstance(done.code, int) else 0
    except QSEError as error:
        sys.stderr.write(f"qse-customer: error: {error}\n")
        return EXIT_BAD_INPUT
    except OSError as error:
        sys.stderr.write(f"qse-customer: error: {error}\n")
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        sys.stderr.write("qse-customer: interrupted\n")
        return 130
