"""What the command line needs before it knows which command runs: exit codes, the parser that
reports instead of exiting, and the help formatter (cheap to import: ``--help`` loads no more)."""

from __future__ import annotations

import argparse
from typing import NoReturn

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
