"""``qse-customer validate``: check records, rulesets and instruments and list every problem."""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from ..core.errors import FieldError
from ..core.translation import Translator
from ._locale import add_locale, epilog, messages
from .commands import summary
from .common import InputError, say
from .documents import (
    instrument_problems,
    kind_of,
    record_problems,
    ruleset_problems,
    split_documents,
)
from .parsing import EXIT_BAD_INPUT, EXIT_OK, HelpFormatter

EXAMPLE = """\
Each file may hold one JSON document, a JSON array of records, or JSON lines (one record a line).
What a document is comes from its content: a record has "type" and "events", a ruleset has
"rules", an instrument has "items" and "scales". Every problem is listed as FILE: WHERE: JSON
path: message. Exit code 0 when every file is valid, 2 otherwise.

example:
  qse-customer validate complaints.jsonl my-ruleset.json my-instrument.json
"""


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``validate`` command (its help in :data:`.parsing.HELP_LOCALE`'s language)."""
    t = messages()
    parser = commands.add_parser(
        "validate",
        help=summary("validate"),
        description=t.gettext(
            "Validate records (JSON or JSON lines), rulesets and survey instruments against the "
            "shipped schemas and the model, and list every problem by file and JSON path."
        ),
        epilog=epilog(
            EXAMPLE,
            t,
            [
                t.gettext(
                    "Each file may hold one JSON document, a JSON array of records, or JSON lines "
                    "(one record a line). What a document is comes from its content: a record has "
                    '"type" and "events", a ruleset has "rules", an instrument has "items" and '
                    '"scales". Every problem is listed as FILE: WHERE: JSON path: message. Exit '
                    "code 0 when every file is valid, 2 otherwise."
                )
            ],
            t.gettext("example:"),
        ),
        formatter_class=HelpFormatter,
    )
    parser.add_argument("files", nargs="+", metavar="FILE")
    add_locale(parser, t)
    parser.set_defaults(run=run)


def _problems(path: Path) -> tuple[Counter[str], list[str]]:
    kinds: Counter[str] = Counter()
    lines: list[str] = []
    for where, document in split_documents(path):
        label = f"{path}: {where}: " if where else f"{path}: "
        if isinstance(document, FieldError):
            lines.append(f"{label}{document}")
            continue
        kind = kind_of(document)
        errors: list[FieldError]
        if kind == "record":
            _, errors = record_problems(document)
        elif kind == "ruleset":
            errors = ruleset_problems(document if where else path)
        elif kind == "instrument":
            errors = instrument_problems(document)
        else:
            errors = [
                FieldError(
                    "$",
                    messages().gettext(
                        'cannot tell what this is: expected a record (with "type" and "events"), '
                        'a ruleset (with "rules") or an instrument (with "items" and "scales")'
                    ),
                )
            ]
        kinds[kind or "unknown"] += 1
        lines.extend(f"{label}{error}" for error in errors)
    return kinds, lines


def _documents(t: Translator, kind: str, count: int) -> str:
    """``2 records``: how many documents of ``kind`` a file holds, in ``t``'s language."""
    forms = {
        "record": t.ngettext("{count} record", "{count} records", count),
        "ruleset": t.ngettext("{count} ruleset", "{count} rulesets", count),
        "instrument": t.ngettext("{count} instrument", "{count} instruments", count),
        "unknown": t.ngettext("{count} unknown", "{count} unknowns", count),
    }
    return forms[kind].format(count=count)


def run(args: argparse.Namespace) -> int:
    """Validate each file; print each problem, then a one-line verdict per file."""
    t = messages()
    failed = 0
    for name in args.files:
        path = Path(name)
        try:
            kinds, problems = _problems(path)
        except InputError as error:
            say(error)
            failed += 1
            continue
        for line in problems:
            say(line)
        what = ", ".join(_documents(t, kind, count) for kind, count in kinds.items())
        if problems:
            failed += 1
            count = t.ngettext("{count} problem", "{count} problems", len(problems)).format(
                count=len(problems)
            )
            say(
                t.gettext("{path}: INVALID ({count}; {what})").format(
                    path=path, count=count, what=what
                )
            )
        else:
            say(t.gettext("{path}: valid ({what})").format(path=path, what=what))
    return EXIT_BAD_INPUT if failed else EXIT_OK
