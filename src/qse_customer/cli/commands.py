"""The commands, in the order ``qse-customer --help`` lists them: each one's module and summary.

The summaries live here, not in the command modules, so that the top-level help is written
without importing any command (a command's module is imported when that command runs).
"""

from __future__ import annotations

from typing import Final

from ._locale import messages


def N_(message: str) -> str:
    """Mark ``message`` for translation where it is written; :func:`summary` translates it."""
    return message


COMMANDS: Final[dict[str, tuple[str, str]]] = {
    "demo": (
        "demo",
        N_("create a sample lab, check it and summarise what a quality manager needs to know"),
    ),
    "check": ("check", N_("check a store against rulesets and write the report")),
    "validate": (
        "validate",
        N_("validate records, rulesets and instruments, listing every problem"),
    ),
    "verify": (
        "verify",
        N_("check every stored record and its hash chain (finds edits made behind its back)"),
    ),
    "import": ("transfer", N_("import records from JSON lines into a store, all or nothing")),
    "export": (
        "transfer",
        N_("export records as JSON lines, or the report's tables as CSV or XLSX"),
    ),
    "notify": ("notify", N_("send notifications of new breaches and at-risk deadlines")),
    "explain": ("explain", N_("show how one rule judged one record, step by step")),
    "migrate-lab": (
        "labs",
        N_("make a single-lab store the home of one lab, so that it can hold many"),
    ),
}
"""Command name: (the module in :mod:`qse_customer.cli` that registers and runs it, its summary)."""


def summary(command: str) -> str:
    """The one-line help of ``command``, in the language of the command line's ``--locale``."""
    return messages().gettext(COMMANDS[command][1])
