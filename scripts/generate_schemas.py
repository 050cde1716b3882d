"""Write src/qse_customer/core/schemas/records.schema.json from the record classes.

The event kinds come from each record type's lifecycle, so the schema and the model cannot drift;
tests/test_schema.py fails if the shipped file differs from what this script writes.
Run: python scripts/generate_schemas.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from qse_customer.core._checks import LAB_PATTERN  # noqa: E402
from qse_customer.core.record_types import RECORD_TYPES  # noqa: E402
from qse_customer.core.roles import Role  # noqa: E402
from qse_customer.core.vocabulary import (  # noqa: E402
    Channel,
    CustomerCategory,
    CustomerKind,
    NeedSource,
    Priority,
    Severity,
)

TARGET = ROOT / "src" / "qse_customer" / "core" / "schemas" / "records.schema.json"


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/$defs/{name}"}


def nullable(name: str) -> dict[str, Any]:
    return {"oneOf": [ref(name), {"type": "null"}]}


def values(enum: Any) -> dict[str, list[str]]:
    return {"enum": [member.value for member in enum]}


DEFS: dict[str, Any] = {
    "datetime": {
        "type": "string",
        "format": "date-time",
        # At most 6 decimals: Python keeps microseconds and would silently drop the rest.
        "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$",
        "description": "an ISO 8601 date and time with a UTC offset (2026-01-05T09:00:00+00:00), "
        "to the microsecond at most",
    },
    "date": {
        "type": "string",
        "format": "date",
        "pattern": r"^\d{4}-\d{2}-\d{2}$",
        "description": "an ISO 8601 date (YYYY-MM-DD)",
    },
    "text": {"type": "string", "pattern": r"\S", "description": "a non-empty string"},
    "lab": {
        "type": "string",
        "pattern": LAB_PATTERN,
        "description": "the lab a record belongs to (left out for the default lab)",
    },
    "role": values(Role),
    "channel": values(Channel),
    "customer_kind": values(CustomerKind),
    "customer_category": values(CustomerCategory),
    "severity": values(Severity),
    "priority": values(Priority),
    "need_source": values(NeedSource),
    "actor": {
        "type": "object",
        "additionalProperties": False,
        "required": ["id", "name", "role"],
        "properties": {"id": ref("text"), "name": ref("text"), "role": ref("role")},
    },
    "event": {
        "type": "object",
        "additionalProperties": False,
        "required": ["kind", "at"],
        "properties": {
            "kind": {"type": "string", "pattern": "^[a-z][a-z0-9_]*$"},
            "at": ref("datetime"),
            "actor": nullable("actor"),
            "data": {"type": "object"},
            "note": {"type": "string"},
            "recorded_at": {
                "oneOf": [ref("datetime"), {"type": "null"}],
                "description": "when a store wrote the event (stamped by the store; null before)",
            },
        },
    },
    "submitter": {
        "type": "object",
        "additionalProperties": False,
        "minProperties": 1,
        "properties": {
            "name": nullable("text"),
            "contact": nullable("text"),
            "customer_id": nullable("text"),
        },
    },
    "service_term": {
        "type": "object",
        "additionalProperties": False,
        "required": ["test", "priority", "turnaround_minutes"],
        "properties": {
            "test": ref("text"),
            "priority": ref("priority"),
            "turnaround_minutes": {"type": "integer", "minimum": 1},
        },
    },
    "amendment": {
        "type": "object",
        "description": "the data of a contract's 'amended' event: new terms and when they apply "
        "(other keys, such as who agreed it, are free)",
        "properties": {
            "effective_from": ref("datetime"),
            "effective_until": ref("datetime"),
            "retrospective": {"type": "boolean"},
            "services": {"type": "array", "items": ref("service_term")},
            "withdrawn": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["test", "priority"],
                    "properties": {"test": ref("text"), "priority": ref("priority")},
                },
            },
            "review_interval_days": {"type": "integer", "minimum": 1},
            "deviation_report_days": {"type": "integer", "minimum": 1},
            "communication_method": ref("text"),
        },
        "dependentRequired": {
            key: ["effective_from"]
            for key in (
                "services",
                "withdrawn",
                "review_interval_days",
                "deviation_report_days",
                "communication_method",
                "effective_until",
                "retrospective",
            )
        },
    },
    "record_ref": {
        "type": "object",
        "additionalProperties": False,
        "required": ["type", "id"],
        "properties": {"type": ref("text"), "id": ref("text")},
    },
    "answer": {"type": ["number", "string", "boolean", "null"]},
}

FIELDS: dict[str, tuple[dict[str, Any], list[str]]] = {
    "complaint": (
        {
            "channel": ref("channel"),
            "category": ref("text"),
            "anonymous": {"type": "boolean"},
            "customer_kind": ref("customer_kind"),
            "customer_group": nullable("text"),
            "severity": ref("severity"),
            "site": nullable("text"),
            "summary": {"type": "string"},
            "submitter": nullable("submitter"),
            "people_involved": {"type": "array", "items": {"type": "string"}},
            "wrong_result": {"type": "boolean"},
            "follow_up_digest": {
                "oneOf": [
                    {
                        "type": "string",
                        "pattern": "^[0-9a-f]{64}$",
                        "description": "the 64 hex digits of follow_up_digest(token)",
                    },
                    {"type": "null"},
                ]
            },
        },
        ["channel", "category"],
    ),
    "enquiry": (
        {
            "channel": ref("channel"),
            "subject": {"type": "string"},
            "clinical": {"type": "boolean"},
            "complex": {"type": "boolean"},
            "freedom_of_information": {"type": "boolean"},
            "customer_kind": ref("customer_kind"),
            "site": nullable("text"),
            "enquirer": nullable("submitter"),
        },
        ["channel"],
    ),
    "contract": (
        {
            "client": ref("text"),
            "customer_id": nullable("text"),
            "services": {"type": "array", "items": ref("service_term")},
            "review_interval_days": {"type": "integer", "minimum": 1},
            "deviation_report_days": {"type": "integer", "minimum": 1},
            "communication_method": nullable("text"),
            "starts_on": nullable("date"),
            "ends_on": nullable("date"),
        },
        ["client"],
    ),
    "customer": (
        {
            "name": ref("text"),
            "kind": ref("customer_kind"),
            "category": ref("customer_category"),
            "contact": nullable("text"),
            "site": nullable("text"),
        },
        ["name", "kind", "category"],
    ),
    "survey": (
        {
            "title": ref("text"),
            "audience": ref("customer_kind"),
            "instrument": ref("text"),
            "period_start": nullable("date"),
            "period_end": nullable("date"),
        },
        ["title", "audience", "instrument"],
    ),
    "survey_response": (
        {
            "survey_id": ref("text"),
            "instrument": ref("text"),
            "answers": {"type": "object", "additionalProperties": ref("answer")},
            "respondent_id": nullable("text"),
            "customer_kind": nullable("customer_kind"),
            "comment": {"type": "string"},
        },
        ["survey_id", "instrument"],
    ),
    "referral": (
        {
            "title": ref("text"),
            "reason": {"type": "string"},
            "owner_role": ref("role"),
            "due_at": nullable("datetime"),
            "source_rule": nullable("text"),
            "source_records": {"type": "array", "items": ref("record_ref")},
            "evidence": {"type": "object"},
        },
        ["title"],
    ),
    "test_request": (
        {
            "test": ref("text"),
            "priority": ref("priority"),
            "contract_id": nullable("text"),
            "site": nullable("text"),
        },
        ["test", "priority"],
    ),
    "measurement": (
        {
            "measure": ref("text"),
            "value": {"type": "number"},
            "unit": ref("text"),
            "subject": nullable("text"),
            "site": nullable("text"),
            "attributes": {"type": "object", "additionalProperties": ref("answer")},
        },
        ["measure", "value", "unit"],
    ),
}


def record_schema(tag: str) -> dict[str, Any]:
    fields, required = FIELDS[tag]
    kinds = sorted(RECORD_TYPES[tag].LIFECYCLE.kinds)
    event: dict[str, Any] = {"allOf": [ref("event"), {"properties": {"kind": {"enum": kinds}}}]}
    if tag == "contract":
        # An amendment's data carries its new terms (qse_customer.core.contract_terms).
        event["allOf"].append(
            {
                "if": {"properties": {"kind": {"const": "amended"}}},
                "then": {"properties": {"data": ref("amendment")}},
            }
        )
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["type", "id", "events", *required],
        "properties": {
            "type": {"const": tag},
            "id": ref("text"),
            "events": {"type": "array", "minItems": 1, "items": event},
            **fields,
            "lab": ref("lab"),
        },
    }


def build() -> dict[str, Any]:
    """The whole schema document: one definition per record type, shared definitions."""
    defs = dict(DEFS)
    for tag in sorted(RECORD_TYPES):
        defs[tag] = record_schema(tag)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://qse-customer.invalid/schemas/records.schema.json",
        "title": "qse-customer records",
        "description": "Records of qse-customer as plain JSON, tagged by their 'type' field.",
        "oneOf": [ref(tag) for tag in sorted(RECORD_TYPES)],
        "$defs": defs,
    }


def render() -> str:
    return json.dumps(build(), indent=2, sort_keys=False) + "\n"


if __name__ == "__main__":
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    TARGET.write_text(render(), encoding="utf-8")
    print(f"wrote {TARGET.relative_to(ROOT)}")
