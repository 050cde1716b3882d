"""``qse-customer import`` and ``export``: records between JSON lines and a store."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from ..core.errors import FieldError
from ..core.export import for_export, withholds_text
from ..core.record import Record
from ..core.records import RECORD_TYPES
from ..core.redaction import redact_url
from ..core.serialisation import to_dict, to_json
from ..plugins.errors import RecordNotFoundError
from ..plugins.manager import open_store
from ..plugins.store import Store
from ..reports.terminal import printable_json
from .common import (
    EXIT_BAD_INPUT,
    EXIT_OK,
    HelpFormatter,
    add_store,
    existing_store,
    output,
    say,
)
from .documents import record_problems, split_documents

IMPORT_EXAMPLE = """\
Every line is validated first; if any line is bad, every problem is listed (FILE: line N:
JSON path: message) and nothing is stored (exit code 2). A record already in the store can only
grow: a line may repeat it, or add events after its last one, but an import that would change a
stored field or drop a stored event is refused, as is a file holding one record twice.

example:
  qse-customer import --store sqlite:///lab.db complaints.jsonl
"""

EXPORT_EXAMPLE = """\
One record a line, in the library's JSON (the same as qse_customer.to_json). An anonymous
complaint carries no submitter: the record never holds one. Its summary and event notes (the
complainant's own words) are left out unless --include-anonymous-text is given: give it for a
backup that must restore everything, and keep that file as confidential as the store.

example:
  qse-customer export --store sqlite:///lab.db --type complaint --output complaints.jsonl
"""


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``import`` and ``export`` commands."""
    importer = commands.add_parser(
        "import",
        help="import records from JSON lines into a store, all or nothing",
        description="Validate every record of a JSON lines file, then save them all in one "
        "transaction.",
        epilog=IMPORT_EXAMPLE,
        formatter_class=HelpFormatter,
    )
    add_store(importer)
    importer.add_argument("file", metavar="FILE", help="JSON lines (one record a line)")
    importer.add_argument(
        "--legacy",
        action="store_true",
        help="the lab's history from a system that did not stamp when each event was recorded: "
        "store the (new) records with no recorded_at, as known from the start; every report "
        "counts them as recorded before stamping",
    )
    importer.set_defaults(run=run_import)
    exporter = commands.add_parser(
        "export",
        help="export records from a store as JSON lines",
        description="Write every record of the store (or of one type) as JSON lines.",
        epilog=EXPORT_EXAMPLE,
        formatter_class=HelpFormatter,
    )
    add_store(exporter)
    exporter.add_argument(
        "--type", choices=sorted(RECORD_TYPES), help="only records of this type (default: all)"
    )
    exporter.add_argument("--output", metavar="FILE", help="default: stdout")
    exporter.add_argument(
        "--include-anonymous-text",
        action="store_true",
        help="include the summary and event notes of anonymous complaints (default: left out)",
    )
    exporter.set_defaults(run=run_export)


def _conflict(stored: Record, record: Record) -> str | None:
    """Why saving ``record`` over ``stored`` would lose something, or None if it only adds
    events after the stored ones (or is the same record)."""
    known = len(stored.events)
    if tuple(record.events[:known]) != tuple(stored.events):
        return (
            f"$.events: the store's {stored.TYPE} {stored.id} has {known} event(s) and this "
            "line does not begin with them; importing it would rewrite its history"
        )
    fields, stored_fields = to_dict(record), to_dict(stored)
    for name in fields:
        if name != "events" and fields[name] != stored_fields.get(name):
            return (
                f"$.{name}: differs from the store's {stored.TYPE} {stored.id}; a stored "
                "record's fields never change (add an event instead)"
            )
    return None


def _problems_with_the_store(
    store: Store, path: Path, located: list[tuple[str, Record]]
) -> list[str]:
    """Lines that hold a record twice, or that would change or drop what the store holds."""
    problems: list[str] = []
    first: dict[tuple[str, str], str] = {}
    for where, record in located:
        label = f"{path}: {where}: "
        key = (record.TYPE, record.id)
        if key in first:
            problems.append(f"{label}$.id: {record.TYPE} {record.id} is also on {first[key]}")
            continue
        first[key] = where
        try:
            stored = store.load(record.TYPE, record.id)
        except RecordNotFoundError:
            continue
        conflict = _conflict(stored, record)
        if conflict is not None:
            problems.append(f"{label}{conflict}")
    return problems


def _refuse(path: Path, problems: list[str]) -> int:
    for line in problems:
        say(line, stream=sys.stderr)
    say(
        f"nothing imported: {len(problems)} problem(s) in {path}; fix them and import again",
        stream=sys.stderr,
    )
    return EXIT_BAD_INPUT


def run_import(args: argparse.Namespace) -> int:
    """Validate every line, then store all the records, or none."""
    path = Path(args.file)
    located: list[tuple[str, Record]] = []
    problems: list[str] = []
    for where, document in split_documents(path):
        where = where or "line 1"
        label = f"{path}: {where}: "
        if isinstance(document, FieldError):
            problems.append(f"{label}{document}")
            continue
        record, errors = record_problems(document)
        problems.extend(f"{label}{error}" for error in errors)
        if record is not None:
            located.append((where, record))
    if problems:
        return _refuse(path, problems)
    records = [record for _, record in located]
    with open_store(args.store) as store:
        problems = _problems_with_the_store(store, path, located)
        if problems:
            return _refuse(path, problems)
        store.save_many(records, legacy=args.legacy)
    counts = Counter(record.TYPE for record in records)
    shown = ", ".join(f"{count} {tag}" for tag, count in sorted(counts.items())) or "no records"
    say(f"imported {len(records)} record(s) into {redact_url(args.store)}: {shown}")
    return EXIT_OK


def run_export(args: argparse.Namespace) -> int:
    """Write the records as JSON lines."""
    tags = [args.type] if args.type else sorted(RECORD_TYPES)
    count = withheld = 0
    with existing_store(args.store) as store, output(args.output) as stream:
        for tag in tags:
            for record in store.stream(tag):
                if not args.include_anonymous_text and withholds_text(record):
                    withheld += 1
                    record = for_export(record)
                stream.write(printable_json(to_json(record)) + "\n")
                count += 1
    if args.output:
        say(f"exported {count} record(s) to {args.output}", stream=sys.stderr)
    if withheld:
        say(
            f"left out the summary and notes of {withheld} anonymous complaint(s); "
            "--include-anonymous-text includes them",
            stream=sys.stderr,
        )
    return EXIT_OK
