"""What the command line needs before it knows which command runs: exit codes, the parser that
reports instead of exiting, and the help formatter (cheap to import: ``--help`` loads no more)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from contextvars import ContextVar
from typing import Final, NoReturn

EXIT_OK = 0
EXIT_FOUND = 1
EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 70
"""An internal error: a fault in qse-customer or a plugin (70 is sysexits' EX_SOFTWARE)."""

DEBUG_ENV = "QSE_CUSTOMER_DEBUG"
"""Set to 1 to print the traceback of an internal error (as ``--debug`` does)."""


class UsageError(Exception):
    """An argument the parser refused; the message says which and why."""

    def __init__(self, message: str, usage: str) -> None:
        super().__init__(message)
        self.usage = usage


class Parser(argparse.ArgumentParser):
    """An argument parser that raises :class:`UsageError` instead of exiting."""

    def error(self, message: str) -> NoReturn:
        """Raise the parser's complaint for ``main`` to report (exit code 2)."""
        raise UsageError(f"{self.prog}: {message}", self.format_usage())


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Keeps the example at the end of each help text as written."""


HELP_LOCALE: Final[ContextVar[str]] = ContextVar("qse_customer_help_locale", default="en")
"""The language of the help texts and messages of the command being parsed: ``main`` sets it
from the command line's ``--locale`` (read before the parser is built, so that
``check --locale fr --help`` is in French) and resets it after; ``en`` otherwise."""


def locale_on_command_line(arguments: Sequence[str]) -> str:
    """The value of ``--locale`` in ``arguments`` (the last one given), or ``en``."""
    found = "en"
    for index, argument in enumerate(arguments):
        if argument == "--":
            break
        if argument == "--locale" and index + 1 < len(arguments):
            found = arguments[index + 1]
        elif argument.startswith("--locale="):
            found = argument.removeprefix("--locale=")
    return found
