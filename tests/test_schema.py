"""The shipped schemas: in sync with the model, published per record type."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import attrs
import jsonschema
import pytest

import qse_customer as qse

ROOT = Path(__file__).resolve().parents[1]


def _generator():
    spec = importlib.util.spec_from_file_location(
        "generate_schemas", ROOT / "scripts" / "generate_schemas.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_shipped_schema_file_is_what_the_generator_writes():
    generator = _generator()
    shipped = generator.TARGET.read_text("utf-8")
    assert shipped == generator.render(), "run: python scripts/generate_schemas.py"


@pytest.mark.parametrize("tag", sorted(qse.RECORD_TYPES))
def test_schema_lists_exactly_the_record_fields(tag):
    schema = qse.schema_for(tag)
    definition = schema["$defs"][tag]
    fields = {a.name for a in attrs.fields(qse.RECORD_TYPES[tag]) if a.init}
    assert set(definition["properties"]) == fields | {"type"}
    jsonschema.Draft202012Validator.check_schema(schema)


def test_unknown_schema_name_is_refused():
    with pytest.raises(qse.ValidationError, match="unknown record type"):
        qse.schema_for("memo")
