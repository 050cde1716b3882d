"""``qse-customer import`` and ``export``: records between JSON lines and a store."""

from __future__ import annotations

import argparse
import hashlib
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ..core.errors import FieldError, QSEError
from ..core.export import for_export, withholds_text
from ..core.record import Record
from ..core.record_types import RECORD_TYPES
from ..core.redaction import redact_url
from ..core.serialisation import from_dict, to_dict, to_json
from ..reports._terminal import printable_json
from ..reports.tables import TABLE_NAMES
from ..stores._opening import open_store
from ..stores.errors import HistoryRewriteError, RecordNotFoundError
from ..stores.protocol import Store
from ._locale import add_locale, epilog, messages
from .commands import summary
from .common import (
    InputError,
    add_at,
    add_calendar,
    add_rulesets,
    add_store,
    existing_store,
    output,
    say,
)
from .documents import record_problems, stream_documents
from .labs import add_lab_option, lab_option
from .parsing import EXIT_BAD_INPUT, EXIT_OK, HelpFormatter

IMPORT_EXAMPLE = """\
Every line is validated first; if any line is bad, every problem is listed (FILE: line N:
JSON path: message) and nothing is stored (exit code 2). A record already in the store can only
grow: a line may repeat it, or add events after its last one, but an import that would change a
stored field or drop a stored event is refused, as is a file holding one record twice. JSON
lines are read a line at a time (memory flat in the file's size); a file changed while it is
imported is refused.

example:
  qse-customer import --store sqlite:///lab.db complaints.jsonl
"""

EXPORT_EXAMPLE = """\
--format jsonl (the default): one record a line, in the library's JSON (the same as
qse_customer.to_json). An anonymous complaint carries no submitter: the record never holds one.
Its summary and event notes (the complainant's own words) are left out unless
--include-anonymous-text is given: give it for a backup that must restore everything, and keep
that file as confidential as the store.

--format csv|xlsx: the report's tables (about, compliance, breaches, at_risk, surveys,
complaints), made from the same report as qse-customer check, with its privacy and small-cell
rules; XLSX has a sheet a table (needs pip install 'qse-customer[xlsx]'), CSV a file a table
in the --output folder (or one --table to a file or stdout). Times are on the lab's wall clock;
text a spreadsheet would run as a formula is written as text. Exit code 0 whatever was breached.

examples:
  qse-customer export --store sqlite:///lab.db --type complaint --output complaints.jsonl
  qse-customer export --store sqlite:///lab.db --format xlsx --ruleset qse2-responsibility \\
      --ruleset customer-service-standards --at 2026-03-18T14:30 --output focus.xlsx
"""


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``import`` and ``export`` commands (their help in
    :data:`.parsing.HELP_LOCALE`'s language)."""
    t = messages()
    importer = commands.add_parser(
        "import",
        help=summary("import"),
        description=t.gettext(
            "Validate every record of a JSON lines file, then save them all in one transaction."
        ),
        epilog=epilog(
            IMPORT_EXAMPLE,
            t,
            [
                t.gettext(
                    "Every line is validated first; if any line is bad, every problem is listed "
                    "(FILE: line N: JSON path: message) and nothing is stored (exit code 2). A "
                    "record already in the store can only grow: a line may repeat it, or add "
                    "events after its last one, but an import that would change a stored field "
                    "or drop a stored event is refused, as is a file holding one record twice. "
                    "JSON lines are read a line at a time (memory flat in the file's size); a "
                    "file changed while it is imported is refused."
                )
            ],
            t.gettext("example:"),
        ),
        formatter_class=HelpFormatter,
    )
    add_store(importer)
    importer.add_argument("file", metavar="FILE", help=t.gettext("JSON lines (one record a line)"))
    importer.add_argument(
        "--legacy",
        action="store_true",
        help=t.gettext(
            "the lab's history from a system that did not stamp when each event was recorded: "
            "store the (new) records with no recorded_at, as known from the start; every report "
            "counts them as recorded before stamping"
        ),
    )
    add_lab_option(importer, t.gettext("import the records into this lab (each must name it)"))
    add_locale(importer, t)
    importer.set_defaults(run=run_import)
    exporter = commands.add_parser(
        "export",
        help=summary("export"),
        description=t.gettext(
            "Write every record of the store (or of one type) as JSON lines, or the report's "
            "tables (compliance per rule, the breach register, at-risk items, survey results, "
            "complaints by group) as CSV or an XLSX workbook."
        ),
        epilog=epilog(
            EXPORT_EXAMPLE,
            t,
            [
                t.gettext(
                    "--format jsonl (the default): one record a line, in the library's JSON (the "
                    "same as qse_customer.to_json). An anonymous complaint carries no submitter: "
                    "the record never holds one. Its summary and event notes (the complainant's "
                    "own words) are left out unless --include-anonymous-text is given: give it "
                    "for a backup that must restore everything, and keep that file as "
                    "confidential as the store."
                ),
                t.gettext(
                    "--format csv|xlsx: the report's tables (about, compliance, breaches, "
                    "at_risk, surveys, complaints), made from the same report as qse-customer "
                    "check, with its privacy and small-cell rules; XLSX has a sheet a table "
                    "(needs pip install 'qse-customer[xlsx]'), CSV a file a table in the --output "
                    "folder (or one --table to a file or stdout). Times are on the lab's wall "
                    "clock; text a spreadsheet would run as a formula is written as text. Exit "
                    "code 0 whatever was breached."
                ),
            ],
            t.gettext("examples:"),
        ),
        formatter_class=HelpFormatter,
    )
    add_store(exporter)
    add_lab_option(exporter, t.gettext("export this lab's records, or its report's tables"))
    exporter.add_argument(
        "--format",
        choices=("jsonl", "csv", "xlsx"),
        default="jsonl",
        help=t.gettext("jsonl: the records (default); csv, xlsx: the report's tables"),
    )
    exporter.add_argument(
        "--type",
        choices=sorted(RECORD_TYPES),
        help=t.gettext("only records of this type (default: all)"),
    )
    exporter.add_argument(
        "--output",
        metavar="FILE|DIR",
        help=t.gettext(
            "default: stdout (jsonl, or csv of one --table); csv of several tables: a folder, "
            "one NAME.csv a table; xlsx: the workbook (required)"
        ),
    )
    exporter.add_argument(
        "--include-anonymous-text",
        action="store_true",
        help=t.gettext(
            "include the summary and event notes of anonymous complaints (default: left out)"
        ),
    )
    tables = exporter.add_argument_group(
        t.gettext("the report's tables (--format csv|xlsx)"),
        t.gettext("the report is made as qse-customer check makes it"),
    )
    tables.add_argument(
        "--table",
        action="append",
        choices=TABLE_NAMES,
        help=t.gettext("only this table; repeat for several (default: every table)"),
    )
    add_rulesets(exporter, required=False)
    add_at(exporter)
    tables.add_argument(
        "--small-cell-threshold",
        metavar="N",
        type=int,
        help=t.gettext("as for check (default: 5)"),
    )
    tables.add_argument(
        "--max-findings",
        metavar="N",
        type=int,
        help=t.gettext("as for check (default: 10000)"),
    )
    add_locale(exporter, t)
    add_calendar(exporter)
    exporter.set_defaults(run=run_export)


def _conflict(stored: Record, record: Record) -> str | None:
    """Why saving ``record`` over ``stored`` would lose something, or None if it only adds
    events after the stored ones (or is the same record)."""
    known = len(stored.events)
    if tuple(record.events[:known]) != tuple(stored.events):
        return "$.events: " + messages().gettext(
            "the store's {type} {id} has {count} event(s) and this line does not begin with "
            "them; importing it would rewrite its history"
        ).format(type=stored.TYPE, id=stored.id, count=known)
    fields, stored_fields = to_dict(record), to_dict(stored)
    for name in fields:
        if name != "events" and fields[name] != stored_fields.get(name):
            return f"$.{name}: " + messages().gettext(
                "differs from the store's {type} {id}; a stored record's fields never change "
                "(add an event instead)"
            ).format(type=stored.TYPE, id=stored.id)
    return None


class FileChangedError(InputError):
    """The file being imported changed between its reads; nothing was imported."""


class _Refusals:
    """The problems of an import, shown on stderr as they are found (a file with a problem on
    every line is never held in memory), each as ``FILE: line N: JSON path: message``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.count = 0

    def add(self, where: str, problem: object) -> None:
        """Show one problem of the document at ``where``."""
        self.count += 1
        say(f"{self.path}: {where}: {problem}", stream=sys.stderr)

    def refuse(self) -> int:
        """Say that nothing was imported; the exit code for bad input."""
        say(
            messages()
            .gettext("nothing imported: {count} problem(s) in {file}; fix them and import again")
            .format(count=self.count, file=self.path),
            stream=sys.stderr,
        )
        return EXIT_BAD_INPUT


class _ImportFile:
    """A JSON lines file read three times in constant memory (plus one small key a record):
    validated, checked against the store, then saved in one transaction. Its text is hashed on
    every read, so a file that changes in between is refused, never half trusted."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.refusals = _Refusals(path)
        self.where: dict[tuple[str, str], str] = {}  # each record's first place in the file
        self.counts: Counter[str] = Counter()
        self._digest = b""

    def _documents(self) -> tuple[Iterator[tuple[str, Any]], Callable[[], bytes]]:
        """The file's documents (``where`` of a one-document file is ``line 1``), and a function
        giving the hash of the text read, once they are all read."""
        digest = hashlib.sha256()
        documents = (
            (where or "line 1", document)
            for where, document in stream_documents(self.path, digest.update)
        )
        return documents, digest.digest

    def validate(self) -> bool:
        """Check every document (and that no record is there twice); True if all are good."""
        documents, digest = self._documents()
        for where, document in documents:
            if isinstance(document, FieldError):
                self.refusals.add(where, document)
                continue
            record, errors = record_problems(document)
            for error in errors:
                self.refusals.add(where, error)
            if record is None:
                continue
            key = (record.TYPE, record.id)
            if key in self.where:
                self.refusals.add(
                    where, f"$.id: {record.TYPE} {record.id} is also on {self.where[key]}"
                )
                continue
            self.where[key] = where
            self.counts[record.TYPE] += 1
        self._digest = digest()
        return self.refusals.count == 0

    def records(self) -> Iterator[tuple[str, Record]]:
        """The records again, as validated (they are not validated twice): a change to the file
        since :meth:`validate` raises :class:`FileChangedError` once the file is read."""
        documents, digest = self._documents()
        for where, document in documents:
            try:
                record = from_dict(document, validate=False)
            except QSEError:  # it validated on the first read: the file changed since
                raise self._changed() from None
            yield where, record
        if digest() != self._digest:
            raise self._changed()

    def _changed(self) -> FileChangedError:
        return FileChangedError(
            f"{self.path} changed while it was imported; nothing imported: import it again "
            "once nothing writes to it"
        )

    def check_against(self, store: Store, *, legacy: bool) -> bool:
        """Refuse records that would change or drop what the store holds (with ``legacy``:
        any record it holds); True if there is none."""
        lab_refusal = getattr(store, "lab_refusal", None)  # a store of many labs (StoreBase)
        for where, record in self.records():
            refusal = lab_refusal(record) if lab_refusal is not None else None
            if refusal is not None:
                self.refusals.add(where, f"$.lab: {refusal}")
                continue
            try:
                stored = store.load(record.TYPE, record.id)
            except RecordNotFoundError:
                continue
            if legacy:
                self.refusals.add(
                    where,
                    f"$.id: the store holds {record.TYPE} {record.id} already; a legacy import "
                    "is only for new records",
                )
                continue
            conflict = _conflict(stored, record)
            if conflict is not None:
                self.refusals.add(where, conflict)
        return self.refusals.count == 0


def run_import(args: argparse.Namespace) -> int:
    """Validate every line, then store all the records, or none."""
    source = _ImportFile(Path(args.file))
    if not source.validate():
        return source.refusals.refuse()
    with open_store(args.store, lab=lab_option(args)) as store:
        if not source.check_against(store, legacy=args.legacy):
            return source.refusals.refuse()
        try:
            store.save_many((record for _, record in source.records()), legacy=args.legacy)
        except HistoryRewriteError as error:  # another writer changed the store meanwhile
            key = (error.record_type, error.record_id)
            source.refusals.add(source.where.get(key, "line ?"), error)
            return source.refusals.refuse()
    total = sum(source.counts.values())
    t = messages()
    shown = ", ".join(f"{n} {tag}" for tag, n in sorted(source.counts.items())) or t.gettext(
        "no records"
    )
    say(
        t.gettext("imported {count} record(s) into {store}: {types}").format(
            count=total, store=redact_url(args.store), types=shown
        )
    )
    return EXIT_OK


_TABLE_OPTIONS = ("table", "ruleset", "at", "contracts")
_JSONL_OPTIONS = ("type", "include_anonymous_text")


def _refuse_options_of_the_other_format(args: argparse.Namespace) -> None:
    wrong = _JSONL_OPTIONS if args.format != "jsonl" else _TABLE_OPTIONS
    for name in wrong:
        if getattr(args, name, None):
            other = "jsonl" if args.format != "jsonl" else "csv or xlsx"
            raise InputError(
                messages()
                .gettext("--{option} is an option of --format {other}, not of --format {format}")
                .format(option=name.replace("_", "-"), other=other, format=args.format)
            )


def run_export(args: argparse.Namespace) -> int:
    """Write the records as JSON lines, or the report's tables as CSV or XLSX."""
    _refuse_options_of_the_other_format(args)
    if args.format != "jsonl":
        from .export_tables import run_tables  # the report: imported when used

        return run_tables(args)
    tags = [args.type] if args.type else sorted(RECORD_TYPES)
    count = withheld = 0
    with existing_store(args.store, lab_option(args)) as store, output(args.output) as stream:
        for tag in tags:
            for record in store.stream(tag):
                if not args.include_anonymous_text and withholds_text(record):
                    withheld += 1
                    record = for_export(record)
                stream.write(printable_json(to_json(record)) + "\n")
                count += 1
    t = messages()
    if args.output:
        say(
            t.gettext("exported {count} record(s) to {file}").format(count=count, file=args.output),
            stream=sys.stderr,
        )
    if withheld:
        say(
            t.gettext(
                "left out the summary and notes of {count} anonymous complaint(s); "
                "--include-anonymous-text includes them"
            ).format(count=withheld),
            stream=sys.stderr,
        )
    return EXIT_OK
