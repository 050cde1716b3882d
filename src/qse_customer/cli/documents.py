"""Reading the documents users hand the command: JSON or JSON lines, and telling records,
rulesets and instruments apart by what they hold."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..core.errors import FieldError, QSEError, TransitionError, ValidationError, json_problem
from ..core.instrument import Instrument, instrument_schema_errors
from ..core.records import AnyRecord
from ..core.serialisation import from_dict
from ..plugged_rules import load_ruleset
from .common import read_text

TOO_DEEP = "nested too deeply to be a record, ruleset or instrument; flatten it"


def split_documents(path: Path) -> Iterator[tuple[str, Any | FieldError]]:
    """Each document of a JSON file (one; or each item of a top-level array) or of a JSON lines
    file, with where it is (``""``, ``"[3]"`` or ``"line 4"``); unreadable JSON as a FieldError."""
    text = read_text(path)
    try:
        document = json.loads(text)
    except ValueError:  # not one JSON document (or a number too long): read it as JSON lines
        document = None
        whole = False
    except RecursionError:
        yield "", FieldError("$", TOO_DEEP)
        return
    else:
        whole = True
    if whole:
        if isinstance(document, list):
            for index, item in enumerate(document):
                yield f"[{index}]", item
        else:
            yield "", document
        return
    # JSON lines end at "\n" only: str.splitlines would also split at U+2028, U+0085 and other
    # characters that JSON leaves unescaped inside strings.
    lines = text.split("\n")
    if not any(line.strip() for line in lines):
        yield "", FieldError("$", "the file is empty; expected JSON or JSON lines")
        return
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            yield f"line {number}", json.loads(line)
        except json.JSONDecodeError as error:
            yield (
                f"line {number}",
                FieldError("$", f"not JSON: {error.msg} at column {error.colno}"),
            )
        except ValueError as error:
            yield f"line {number}", FieldError("$", f"not JSON: {json_problem(error)}")
        except RecursionError:
            yield f"line {number}", FieldError("$", TOO_DEEP)


def kind_of(document: Any) -> str | None:
    """``"record"``, ``"ruleset"``, ``"instrument"``, or None when it is none of them."""
    if not isinstance(document, dict):
        return None
    if "type" in document and "events" in document:
        return "record"
    if "rules" in document:
        return "ruleset"
    if "items" in document and "scales" in document:
        return "instrument"
    if "type" in document:
        return "record"
    return None


def field_errors(error: QSEError) -> list[FieldError]:
    """The JSON-path problems an error carries."""
    if isinstance(error, ValidationError):
        return list(error.errors)
    if isinstance(error, TransitionError):
        message = str(error)
        prefix = f"{error.path}: "
        return [FieldError(error.path, message.removeprefix(prefix))]
    return [FieldError("$", str(error))]


def record_problems(document: Any) -> tuple[AnyRecord | None, list[FieldError]]:
    """The record a document holds, or every problem with it."""
    try:
        return from_dict(document), []
    except QSEError as error:
        return None, field_errors(error)


def ruleset_problems(source: Any) -> list[FieldError]:
    """Every problem with a ruleset: a document, or a path (so ``extends`` resolves next to it)."""
    try:
        load_ruleset(source)
    except QSEError as error:
        return field_errors(error)
    return []


def instrument_problems(document: Any) -> list[FieldError]:
    """Every problem with an instrument document: its schema first, then its consistency."""
    errors = instrument_schema_errors(document)
    if errors:
        return errors
    try:
        Instrument.from_dict(document)
    except QSEError as error:
        return field_errors(error)
    return []
