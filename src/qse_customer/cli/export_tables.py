"""``qse-customer export --format csv|xlsx``: the report's tables as spreadsheets.

The report is built exactly as ``qse-customer check`` builds it (the one pipeline: the same
privacy and small-cell rules), then each table of :mod:`..reports.tables` is written as a CSV
file or a sheet of one XLSX workbook. See ``docs/spreadsheets.md``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..reports._atomic_file import replacing, replacing_bytes
from ..reports._csv import write_csv
from ..reports.content import MAX_FINDINGS
from ..reports.tables import TABLE_NAMES, Table, report_tables
from ..review.small_cells import SMALL_CELL_THRESHOLD
from ._locale import messages
from ._report import report_from
from .common import (
    InputError,
    output,
    say,
)
from .parsing import EXIT_OK


def _tables(args: argparse.Namespace) -> list[Table]:
    if not args.ruleset:
        raise InputError(
            messages()
            .gettext(
                "--format {format} exports the report's tables: give the rulesets to judge by "
                "with --ruleset (as for qse-customer check)"
            )
            .format(format=args.format)
        )
    report = report_from(
        args,
        small_cell_threshold=(
            SMALL_CELL_THRESHOLD if args.small_cell_threshold is None else args.small_cell_threshold
        ),
        max_findings=MAX_FINDINGS if args.max_findings is None else args.max_findings,
    )
    return report_tables(report, args.table or TABLE_NAMES)


def _can_write_xlsx(path: str | None) -> None:
    """Refuse before the report is made: no file to write, or no openpyxl."""
    from ..reports._xlsx import MissingExtraError, xlsx_available

    if path is None or path == "-":
        raise InputError(
            messages().gettext("--format xlsx writes a workbook: give its file with --output FILE")
        )
    if not xlsx_available():
        raise MissingExtraError(
            messages().gettext(
                "--format xlsx needs openpyxl, an optional extra: pip install "
                "'qse-customer[xlsx]' (or export --format csv, which needs nothing more)"
            )
        )


def _write_xlsx(tables: list[Table], path: str) -> None:
    from ..reports._xlsx import write_xlsx

    try:
        with replacing_bytes(path) as stream:
            write_xlsx(tables, stream)
    except OSError as error:
        raise InputError(
            messages()
            .gettext("--output {path}: cannot write it: {reason}")
            .format(path=path, reason=error.strerror or error)
        ) from None


def _write_csv(tables: list[Table], path: str | None, one: bool) -> list[str]:
    if one:
        with output(path) as stream:
            write_csv(tables[0], stream, bom=path not in (None, "-"))
        return [path] if path not in (None, "-") else []
    if path is None or path == "-":
        raise InputError(
            messages().gettext(
                "--format csv writes a file a table: give their folder with --output DIR "
                "(or one --table to write to stdout)"
            )
        )
    folder = Path(path)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        written = []
        for table in tables:
            target = folder / f"{table.name}.csv"
            with replacing(target) as stream:
                write_csv(table, stream)
            written.append(str(target))
    except OSError as error:
        raise InputError(
            messages()
            .gettext("--output {path}: cannot write it: {reason}")
            .format(path=path, reason=error.strerror or error)
        ) from None
    return written


def run_tables(args: argparse.Namespace) -> int:
    """Build the report, then write its tables (every one, or those of ``--table``)."""
    one = args.format == "csv" and args.table is not None and len(set(args.table)) == 1
    if args.format == "xlsx":
        _can_write_xlsx(args.output)
    tables = _tables(args)
    if args.format == "xlsx":
        _write_xlsx(tables, args.output)
        say(
            messages()
            .gettext("exported {count} table(s) to {file}")
            .format(count=len(tables), file=args.output),
            stream=sys.stderr,
        )
    else:
        written = _write_csv(tables, args.output, one)
        if written:
            say(
                messages()
                .gettext("exported {count} table(s): {files}")
                .format(count=len(tables), files=", ".join(written)),
                stream=sys.stderr,
            )
    return EXIT_OK
