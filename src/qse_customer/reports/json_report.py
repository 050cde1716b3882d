"""The report as JSON, and its shipped JSON Schema (``schemas/report.schema.json``)."""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from typing import Any

import jsonschema

from ..core.errors import FieldError
from ..core.translation import Translator, translator
from ._formatting import finding_message
from ._json_text import printable_indented
from ._terminal import printable_json


def render_json(
    report: dict[str, Any], *, indent: int | None = 2, locale: str | Translator = "en"
) -> str:
    """The report as a JSON document (safe to print: see :func:`.terminal.printable_json`).

    In another ``locale`` only the human text changes: each listed finding's ``message`` opens
    in that language (``docs/i18n.md``); keys, statuses, codes and times are the same."""
    t = translator(locale)
    if not t.is_source:
        report = {
            **report,
            **{
                key: [
                    {**finding, "message": finding_message(finding, t)} for finding in report[key]
                ]
                for key in ("breaches", "at_risk")
            },
        }
    if indent == 2:
        return printable_indented(report)
    return printable_json(json.dumps(report, indent=indent, ensure_ascii=False)) + "\n"


@cache
def report_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) every JSON report validates against."""
    text = files("qse_customer.reports").joinpath("schemas/report.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def report_errors(document: Any) -> list[FieldError]:
    """Every way ``document`` fails the report schema, by JSON path."""
    schema = report_schema()
    validator = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    errors = sorted(validator.iter_errors(document), key=lambda e: [str(p) for p in e.path])
    return [FieldError(error.json_path, error.message) for error in errors]
