"""The ``qse-customer`` command line: parse, dispatch, and turn every error the user can fix
into a one-paragraph message and exit code 2 (never a traceback); any other failure is a fault,
exit code 70, so a crash can never pass for a compliance result."""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import sys
import traceback
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Final

from .._version import __version__
from ..core.errors import QSEError
from ..core.redaction import scrub, secrets_in
from ..core.translation import LocaleError, Translator, translator
from ..notifiers._builtin import PASSWORD_ENV, URL_ENV
from ..reports._terminal import printable_lines
from ._locale import epilog, messages
from .commands import COMMANDS, N_, summary
from .parsing import (
    DEBUG_ENV,
    EXIT_BAD_INPUT,
    EXIT_INTERNAL,
    HELP_LOCALE,
    HelpFormatter,
    Parser,
    UsageError,
    locale_on_command_line,
)

EXAMPLE = """\
exit codes: 0 success (nothing breached), 1 something breached or not delivered, 2 bad input,
70 internal error (a bug, never a compliance result: see --debug)

example:
  qse-customer demo
  qse-customer check --store sqlite:///qse-demo/lab.db --ruleset customer-service-standards
"""

DEBUG_HELP = N_("on an internal error, print the traceback (or set QSE_CUSTOMER_DEBUG=1)")
_TRUE = {"1", "true", "yes", "on"}
_LONGEST_MESSAGE = 2000


def build_parser(*, load: Collection[str] | None = None) -> argparse.ArgumentParser:
    """The parser with every command; with ``load``, only those commands are imported and take
    their arguments, the others are listed by name and summary (what ``--help`` shows)."""
    t = messages()
    parser = Parser(
        prog="qse-customer",
        description=t.gettext(
            "Prove a clinical laboratory meets QSE 2, Customer Focus: check complaints, "
            "enquiries, contracts and surveys against the standards and report."
        ),
        epilog=epilog(
            EXAMPLE,
            t,
            [
                t.gettext(
                    "exit codes: 0 success (nothing breached), 1 something breached or not "
                    "delivered, 2 bad input, 70 internal error (a bug, never a compliance result: "
                    "see --debug)"
                )
            ],
            t.gettext("example:"),
        ),
        formatter_class=HelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"qse-customer {__version__}")
    parser.add_argument("--debug", action="store_true", help=t.gettext(DEBUG_HELP))
    commands = parser.add_subparsers(
        title=t.gettext("commands"), metavar="COMMAND", parser_class=Parser
    )
    wanted = {module for name, (module, _) in COMMANDS.items() if load is None or name in load}
    registered: set[str] = set()
    for name, (module, _) in COMMANDS.items():
        if module in wanted:
            if module not in registered:
                importlib.import_module(f"{__package__}.{module}").register(commands)
                registered.add(module)
        else:
            commands.add_parser(name, help=summary(name), formatter_class=HelpFormatter)
    for command in commands.choices.values():
        # SUPPRESS: a command's default must not undo a --debug given before the command.
        command.add_argument(
            "--debug", action="store_true", default=argparse.SUPPRESS, help=t.gettext(DEBUG_HELP)
        )
    return parser


def _chosen(arguments: Sequence[str]) -> set[str]:
    """The command ``arguments`` name (the first that is not an option), if it is one."""
    for argument in arguments:
        if not argument.startswith("-"):
            return {argument} & COMMANDS.keys()
    return set()


def _secrets(argv: Sequence[str], environ: Mapping[str, str]) -> frozenset[str]:
    """The secrets this run may hold: those of ``--store`` URLs and of the SMTP settings."""
    found: set[str] = set()
    for index, argument in enumerate(argv):
        if argument == "--store" and index + 1 < len(argv):
            found |= secrets_in(argv[index + 1])
        elif argument.startswith("--store="):
            found |= secrets_in(argument.removeprefix("--store="))
    found |= secrets_in(environ.get(URL_ENV, ""))
    password = environ.get(PASSWORD_ENV, "")
    if password:
        found.add(password)
    return frozenset(found)


def _tell(text: str, secrets: frozenset[str]) -> None:
    """Write a message to stderr: secrets masked, control characters escaped."""
    sys.stderr.write(printable_lines(scrub(text, secrets)) + "\n")


def _internal_error(error: BaseException, secrets: frozenset[str], debug: bool) -> int:
    """Say that qse-customer failed (never a verdict) and return :data:`EXIT_INTERNAL`."""
    if debug:
        _tell("".join(traceback.format_exception(error)).rstrip("\n"), secrets)
    said = str(error)
    if len(said) > _LONGEST_MESSAGE:
        said = said[:_LONGEST_MESSAGE] + "..."
    hint = "" if debug else f" Run it again with --debug (or {DEBUG_ENV}=1) for the traceback."
    _tell(
        f"qse-customer: internal error: {type(error).__name__}: {said}\n"
        f"This is a fault in qse-customer or one of its plugins, not a compliance result (exit "
        f"code {EXIT_INTERNAL}); no output file was replaced.{hint} Please report it.",
        secrets,
    )
    return EXIT_INTERNAL


YOUNG_COLLECTION: Final = 10_000
"""Allocations between two collections of young objects while a command runs (Python's own
default is 700)."""

MIDDLE_COLLECTION: Final = 100
"""Collections of young objects between two of the middle generation while a command runs
(Python's own default is 10)."""


@contextmanager
def short_lived_collection() -> Iterator[None]:
    """The garbage collector tuned for one command of a short-lived process: what start-up made
    (modules, compiled rulesets) is left alone (``gc.freeze``) and young objects are looked at
    every :data:`YOUNG_COLLECTION` allocations, so the records a check decodes and drops are not
    promoted and walked again and again (about 10% of a long check's time); the middle generation,
    where what survives one collection waits, every :data:`MIDDLE_COLLECTION` of those, as a
    check's findings and report survive many (its collections, each walking them, cost the
    benchmark's check 0.14 s at Python's default). Restored after."""
    before = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(YOUNG_COLLECTION, MIDDLE_COLLECTION, before[2])
    try:
        yield
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()


def _messages(arguments: Sequence[str]) -> Translator:
    """The language of this run's help and messages: ``--locale``'s, or English when it names
    no available locale (the parser then says so)."""
    try:
        return translator(locale_on_command_line(arguments))
    except LocaleError:
        return translator()


BLAS_THREADS: Final = "OPENBLAS_NUM_THREADS"
"""How many threads numpy's and scipy's OpenBLAS starts (the program's default: one)."""


def program() -> int:
    """The ``qse-customer`` command as a program (its console script and ``python -m
    qse_customer.cli``): :func:`main` on ``sys.argv``, with OpenBLAS on one thread unless
    :data:`BLAS_THREADS` says otherwise, then what is left is frozen (``gc.freeze``) for the
    interpreter's exit.

    No command does linear algebra (the engine's batches search sorted arrays), but numpy starts
    an OpenBLAS thread per core when it is imported, and starting them cost the demo about
    0.05 s of processor time.

    Exiting, the interpreter clears its modules and runs the cyclic garbage collector over every
    object still alive, most of them alive until then (a demo's records and report, the
    libraries' modules): about 0.3 s of the demo's processor time, to free memory the operating
    system takes back whole a moment later. Frozen objects are left out of those passes; objects
    outside cycles are still freed as the modules are cleared, files and stores are closed by
    then, and ``atexit`` handlers run as before."""
    os.environ.setdefault(BLAS_THREADS, "1")  # before numpy loads (starting up imports none)
    code = main()
    gc.freeze()
    return code


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``) and return the exit code."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    t = _messages(arguments)
    token = HELP_LOCALE.set(t.locale)
    try:
        return _main(arguments, t)
    finally:
        HELP_LOCALE.reset(token)


def _main(arguments: list[str], t: Translator) -> int:
    secrets = _secrets(arguments, os.environ)
    debug = os.environ.get(DEBUG_ENV, "").strip().lower() in _TRUE
    try:
        parser = build_parser(load=_chosen(arguments))
        args = parser.parse_args(arguments)
        debug = debug or bool(getattr(args, "debug", False))
        if not hasattr(args, "run"):
            parser.print_help()
            return EXIT_BAD_INPUT
        with short_lived_collection():
            code: int = args.run(args)
        return code
    except UsageError as error:
        _tell(f"{error.usage}{error}", secrets)
        return EXIT_BAD_INPUT
    except SystemExit as done:  # --help and --version
        return done.code if isinstance(done.code, int) else 0
    except QSEError as error:
        _tell(t.gettext("qse-customer: error: {message}").format(message=error), secrets)
        return EXIT_BAD_INPUT
    except OSError as error:
        _tell(t.gettext("qse-customer: error: {message}").format(message=error), secrets)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        _tell(t.gettext("qse-customer: interrupted"), secrets)
        return 130
    except Exception as error:  # every other failure is a fault, never a verdict
        return _internal_error(error, secrets, debug)
