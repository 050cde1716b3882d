"""What the FHIR tests share: validation with the fhir.resources R4B models, and the invariants
of FHIR those models do not check (an extension has a value or extensions, never both; no empty
strings, lists or objects)."""

from __future__ import annotations

import json
from typing import Any

import pytest

R4B = pytest.importorskip("fhir.resources.R4B")


def validated(resource: dict[str, Any]) -> dict[str, Any]:
    """``resource`` after a JSON round trip, validated with its R4B model and the invariants."""
    document: dict[str, Any] = json.loads(json.dumps(resource))
    kind = document["resourceType"]
    module = __import__(f"fhir.resources.R4B.{kind.lower()}", fromlist=[kind])
    model = getattr(module, kind).model_validate(document)
    assert model.get_resource_type() == kind
    assert_invariants(document, kind)
    return document


def assert_invariants(value: Any, path: str) -> None:
    if isinstance(value, dict):
        assert value, f"{path}: an empty object"
        if "url" in value and path.endswith("]") and ".extension[" in path:
            values = [key for key in value if key.startswith("value")]
            assert len(values) + ("extension" in value) == 1, f"{path}: ext-1"
        for key, inner in value.items():
            assert_invariants(inner, f"{path}.{key}")
    elif isinstance(value, list):
        assert value, f"{path}: an empty list"
        for index, inner in enumerate(value):
            assert_invariants(inner, f"{path}[{index}]")
    elif isinstance(value, str):
        assert value.strip(), f"{path}: an empty string"
