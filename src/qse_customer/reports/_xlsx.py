"""The report's tables as one XLSX workbook, a sheet a table, written with openpyxl (an optional
extra: ``pip install 'qse-customer[xlsx]'``), imported only when a workbook is written.

Times are real spreadsheet dates: the lab's wall clock (a workbook has no time zones; each time
column's heading and the ``about`` sheet name the zone). Every text cell is a string cell,
never a formula: text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is
also marked "quote prefix", as if typed after an apostrophe, so editing the cell in Excel keeps it
text. Numbers stay numbers. A carriage return becomes a line feed (XML reads it so).
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from datetime import datetime
from typing import Any, BinaryIO

from ..core.errors import QSEError
from .tables import Kind, Table, Value, formula_like, writable

XLSX_HINT = "writing XLSX needs openpyxl: pip install 'qse-customer[xlsx]'"

TIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
_FORMATS: dict[Kind, str] = {
    "time": TIME_FORMAT,
    "share": "0.0%",
    "number": "0.00",
    "count": "0",
    "seconds": "0",
}


class MissingExtraError(QSEError):
    """An optional dependency a command needs is not installed (the message names the extra)."""


def xlsx_available() -> bool:
    """Whether openpyxl is installed (without importing it)."""
    return importlib.util.find_spec("openpyxl") is not None


def _openpyxl() -> Any:
    try:
        import openpyxl
    except ImportError:
        raise MissingExtraError(XLSX_HINT) from None
    return openpyxl


def xlsx_text(text: str) -> str:
    """``text`` as a workbook holds it: characters no XLSX can hold escaped (:func:`.writable`),
    and a carriage return (alone or before a line feed) a line feed, as every XML reader reads
    it anyway."""
    return writable(text).replace("\r\n", "\n").replace("\r", "\n")


def text_cell(sheet: Any, text: str) -> Any:
    """A cell of ``sheet`` holding ``text`` as text: never a formula or an error value (openpyxl
    would make ``=...`` a formula and ``#N/A`` an error)."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=xlsx_text(text))
    cell.data_type = "s"
    if formula_like(cell.value):
        cell.quotePrefix = True
    return cell


def _cell(sheet: Any, value: Value, kind: Kind) -> Any:
    from openpyxl.cell import WriteOnlyCell

    if isinstance(value, str):
        return text_cell(sheet, value)
    if isinstance(value, datetime):
        value = value.replace(tzinfo=None)  # already on the lab's wall clock
        kind = "time"
    cell = WriteOnlyCell(sheet, value=value)
    if value is not None and kind in _FORMATS:
        cell.number_format = _FORMATS[kind]
    return cell


def write_xlsx(tables: Sequence[Table], stream: BinaryIO) -> None:
    """Write ``tables`` to ``stream`` as one workbook, a sheet a table (named as the table), each
    with a bold heading row that stays in view."""
    openpyxl = _openpyxl()
    from openpyxl.styles import Font

    book = openpyxl.Workbook(write_only=True)
    bold = Font(bold=True)
    for table in tables:
        sheet = book.create_sheet(table.name)
        sheet.freeze_panes = "A2"
        for index, column in enumerate(table.columns):
            width = 22 if column.kind == "time" else max(10, min(48, len(column.heading) + 2))
            sheet.column_dimensions[openpyxl.utils.get_column_letter(index + 1)].width = width
        headings = []
        for column in table.columns:
            cell = text_cell(sheet, column.heading)
            cell.font = bold
            headings.append(cell)
        sheet.append(headings)
        for row in table.rows:
            sheet.append(
                [
                    _cell(sheet, value, column.kind)
                    for value, column in zip(row, table.columns, strict=True)
                ]
            )
    book.save(stream)
