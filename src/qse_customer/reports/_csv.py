"""A table of the report as CSV (one table a file): UTF-8 with a byte order mark, so that Excel
reads it as UTF-8; times in ISO 8601 on the lab's wall clock with their offset; a text cell that a
spreadsheet would run as a formula (see :data:`.tables.FORMULA_STARTS`) prefixed with ``'``."""

from __future__ import annotations

import csv
from datetime import datetime
from typing import TextIO

from .tables import Table, Value, formula_like, writable

BOM = "\ufeff"


def csv_text(text: str) -> str:
    """``text`` as a CSV cell: prefixed with a single quote when a spreadsheet would otherwise
    run it as a formula (``=1+1`` becomes ``'=1+1``), characters no file can hold escaped."""
    text = writable(text)
    return "'" + text if formula_like(text) else text


def _cell(value: Value) -> str | int | float:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, str):
        return csv_text(value)
    return value  # a number stays a number, a negative one too


def write_csv(table: Table, stream: TextIO, *, bom: bool = True) -> None:
    """Write ``table`` to ``stream`` (opened with ``newline=""``): a heading row, then a row a
    line, CRLF line ends as RFC 4180 says."""
    if bom:
        stream.write(BOM)
    writer = csv.writer(stream)
    writer.writerow([csv_text(column.heading) for column in table.columns])
    for row in table.rows:
        writer.writerow([_cell(value) for value in row])
