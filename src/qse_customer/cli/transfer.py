"""``qse-customer import`` and ``export``: records between JSON lines and a store."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from ..core.errors import FieldError
from ..core.record import Record
from ..core.records import RECORD_TYPES
from ..core.serialisation import to_json
from ..plugins.manager import open_store
from .common import EXIT_BAD_INPUT, EXIT_OK, HelpFormatter, add_store, existing_store, output
from .documents import record_problems, split_documents

IMPORT_EXAMPLE = """\
Every line is validated first; if any line is bad, every problem is listed (FILE: line N:
JSON path: message) and nothing is stored (exit code 2). A record already in the store with the
same type and id is replaced.

example:
  qse-customer import --store sqlite:///lab.db complaints.jsonl
"""

EXPORT_EXAMPLE = """\
One record a line, in the library's JSON (the same as qse_customer.to_json). An anonymous
complaint carries no submitter: the record never holds one.

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
    exporter.set_defaults(run=run_export)


def run_import(args: argparse.Namespace) -> int:
    """Validate every line, then store all the records, or none."""
    path = Path(args.file)
    records: list[Record] = []
    problems: list[str] = []
    for where, document in split_documents(path):
        label = f"{path}: {where or 'line 1'}: "
        if isinstance(document, FieldError):
            problems.append(f"{label}{document}")
            continue
        record, errors = record_problems(document)
        problems.extend(f"{label}{error}" for error in errors)
        if record is not None:
            records.append(record)
    if problems:
        for line in problems:
            print(line, file=sys.stderr)
        print(
            f"nothing imported: {len(problems)} problem(s) in {path}; fix them and import again",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    with open_store(args.store) as store:
        store.save_many(records)
    counts = Counter(record.TYPE for record in records)
    shown = ", ".join(f"{count} {tag}" for tag, count in sorted(counts.items())) or "no records"
    print(f"imported {len(records)} record(s) into {args.store}: {shown}")
    return EXIT_OK


def run_export(args: argparse.Namespace) -> int:
    """Write the records as JSON lines."""
    tags = [args.type] if args.type else sorted(RECORD_TYPES)
    count = 0
    with existing_store(args.store) as store, output(args.output) as stream:
        for tag in tags:
            for record in store.stream(tag):
                stream.write(to_json(record) + "\n")
                count += 1
    if args.output:
        print(f"exported {count} record(s) to {args.output}", file=sys.stderr)
    return EXIT_OK
