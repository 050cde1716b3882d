"""Reading the documents users hand the command: JSON or JSON lines, and telling records,
rulesets and instruments apart by what they hold."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TextIO

from ..analysis.instrument import Instrument, instrument_schema_errors
from ..core.errors import FieldError, QSEError, TransitionError, ValidationError, json_problem
from ..core.record_types import AnyRecord
from ..core.serialisation import from_dict
from ..rules.loader import load_ruleset
from ._locale import messages
from .common import InputError, read_text

TOO_DEEP = "nested too deeply to be a record, ruleset or instrument; flatten it"


def split_documents(path: Path) -> Iterator[tuple[str, Any | FieldError]]:
    """Each document of a JSON file (one; or each item of a top-level array) or of a JSON lines
    file, with where it is (``""``, ``"[3]"`` or ``"line 4"``); unreadable JSON as a FieldError."""
    yield from _split_text(read_text(path))


def _split_text(text: str) -> Iterator[tuple[str, Any | FieldError]]:
    """The documents of a file's text (see :func:`split_documents`)."""
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
        yield (
            "",
            FieldError("$", messages().gettext("the file is empty; expected JSON or JSON lines")),
        )
        return
    for number, line in enumerate(lines, start=1):
        if line.strip():
            yield _parsed_line(number, line)


def _parsed_line(number: int, line: str) -> tuple[str, Any | FieldError]:
    """The document on line ``number`` of a JSON lines file, or why it cannot be read."""
    where = messages().gettext("line {number}").format(number=number)
    try:
        return where, json.loads(line)
    except json.JSONDecodeError as error:
        return where, FieldError(
            "$",
            messages()
            .gettext("not JSON: {problem} at column {column}")
            .format(problem=error.msg, column=error.colno),
        )
    except ValueError as error:
        return where, FieldError(
            "$", messages().gettext("not JSON: {problem}").format(problem=json_problem(error))
        )
    except RecursionError:
        return where, FieldError("$", TOO_DEEP)


def stream_documents(
    path: Path, on_text: Callable[[bytes], None] | None = None
) -> Iterator[tuple[str, Any | FieldError]]:
    """What :func:`split_documents` yields, read a line at a time (memory flat in the file's
    size) when the file is JSON lines: its first line holds a JSON object. Any other file is
    read whole, as :func:`split_documents` reads it. ``on_text`` receives the text as read
    (UTF-8), so a caller reading the file twice can tell whether it changed in between."""
    with _opened(path) as stream:
        if _holds_json_lines(path, stream):
            stream.seek(0)
            number = 0
            try:
                for number, line in enumerate(stream, start=1):
                    if on_text is not None:
                        on_text(line.encode("utf-8"))
                    if line.strip():
                        yield _parsed_line(number, line.removesuffix("\n"))
            except (OSError, UnicodeDecodeError) as error:
                where = messages().gettext("line {number}").format(number=number + 1)
                raise InputError(
                    messages()
                    .gettext("{path}: cannot read it: {error}")
                    .format(path=f"{path}: {where}", error=error)
                ) from None
            return
    text = read_text(path)
    if on_text is not None:
        on_text(text.encode("utf-8"))
    yield from _split_text(text)


def _opened(path: Path) -> TextIO:
    """``path`` opened for reading text with universal newlines, as :func:`read_text` reads."""
    try:
        return path.open(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(messages().gettext("{path}: no such file").format(path=path)) from None
    except OSError as error:
        raise InputError(
            messages().gettext("{path}: cannot read it: {error}").format(path=path, error=error)
        ) from None


def _holds_json_lines(path: Path, stream: TextIO) -> bool:
    """True if the first line that is not blank holds a JSON object on its own."""
    try:
        for line in stream:
            if line.strip():
                return isinstance(_parsed_line(1, line)[1], dict)
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(
            messages().gettext("{path}: cannot read it: {error}").format(path=path, error=error)
        ) from None
    return False


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
