"""A finding whose evidence and message are made when first read (``Finding.explained_later``,
what the engine keeps) is equal to, and reads exactly as, the finding made with both given."""

from __future__ import annotations

import copy
import enum
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from types import MappingProxyType
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from qse_customer.core._documents import converter
from qse_customer.core._frozen_json import freeze
from qse_customer.rules.findings import Finding, evidence_document
from qse_customer.rules.status import Status

texts = st.text(max_size=12)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | texts,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
    max_leaves=8,
)
fields = st.fixed_dictionaries(
    {
        "rule_id": texts,
        "record_id": st.none() | texts,
        "status": st.sampled_from(list(Status)),
        "due_at": st.none()
        | st.datetimes(datetime(1990, 1, 1), datetime(2100, 1, 1)).map(
            lambda moment: moment.replace(tzinfo=UTC)
        ),
        "source": texts,
        "record_type": st.none() | texts,
        "ruleset": texts,
        "ruleset_version": texts,
        "severity": texts,
        "period": st.none() | texts,
        "elapsed": st.none() | st.integers(0, 10**9).map(lambda s: timedelta(seconds=s)),
        "measure": st.none() | texts,
    }
)


@given(fields, st.dictionaries(texts, json_values, max_size=4), texts)
def test_explained_later_reads_as_explained_now(
    given_fields: dict[str, Any], evidence: dict[str, Any], message: str
) -> None:
    calls: list[int] = []

    def explain() -> tuple[dict[str, Any], str]:
        calls.append(1)
        return evidence, message

    now = Finding(evidence=evidence, message=message, **given_fields)
    later = Finding.explained_later(explain, **given_fields)
    assert calls == []  # nothing made until read
    assert later == now and now == later
    assert calls == [1]  # made once, kept
    assert repr(later) == repr(now)
    assert later.to_dict() == now.to_dict()
    assert later.to_json() == now.to_json()
    assert calls == [1]
    fresh = Finding.explained_later(explain, **given_fields)
    assert copy.copy(fresh).to_dict() == now.to_dict()
    assert attrs.evolve(Finding.explained_later(explain, **given_fields), rule_id="X") == (
        attrs.evolve(now, rule_id="X")
    )


def test_an_attribute_a_finding_does_not_have_is_still_an_error() -> None:
    later = Finding.explained_later(
        lambda: ({}, "m"),
        rule_id="R",
        record_id=None,
        status=Status.MET,
        due_at=None,
        source="s",
        record_type=None,
        ruleset="",
        ruleset_version="",
        severity="medium",
        period=None,
        elapsed=None,
        measure=None,
    )
    with pytest.raises(AttributeError, match="no attribute 'colour'"):
        later.colour  # type: ignore[attr-defined]  # noqa: B018
    assert later.message == "m"


# -- a finding's evidence as a document ------------------------------------------------------


class _Colour(enum.Enum):
    RED = "red"


class _Text(str):
    pass


_leaves = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=5)
    | st.sampled_from([_Colour.RED, _Text("sub"), datetime(2024, 1, 2, tzinfo=UTC)])
)


class _Mapping(Mapping[Any, Any]):
    """A mapping that is not a dict and has no ``copy()``."""

    def __init__(self, items: dict[Any, Any]) -> None:
        self._items = items

    def __getitem__(self, key: Any) -> Any:
        return self._items[key]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)


_keys = st.text(max_size=4) | st.sampled_from([1, _Text("k"), _Colour.RED])
_text_keyed = st.dictionaries(st.text(max_size=4), st.none() | st.integers() | st.text(max_size=3))
_values = st.recursive(
    _leaves,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.lists(inner, max_size=3).map(tuple)
        | st.dictionaries(_keys, inner, max_size=3)
        | st.dictionaries(st.text(max_size=4), inner, max_size=3).map(MappingProxyType)
        # read-only views of mappings that are not dicts: their copy() is not a dict, or fails
        | _text_keyed.map(lambda items: MappingProxyType(OrderedDict(items)))
        | _text_keyed.map(lambda items: MappingProxyType(_Mapping(items)))
    ),
    max_leaves=12,
)
_evidence = st.dictionaries(_keys, _values, max_size=4)


def _typed(value: Any) -> Any:
    """``value`` with every type spelled out, so that equal documents of other types differ."""
    if isinstance(value, dict):
        return ("dict", [(_typed(key), _typed(item)) for key, item in value.items()])
    if isinstance(value, list | tuple):
        return (type(value).__name__, [_typed(item) for item in value])
    return (type(value).__name__, value)


@given(_evidence, st.booleans())
def test_the_evidence_document_is_the_converters(evidence: dict[Any, Any], frozen: bool) -> None:
    # The exact-type walk against the converter's general path, on frozen evidence and on
    # anything else a hand-made finding may hold (enums, times, str subclasses, other keys).
    given_evidence = freeze(evidence) if frozen else evidence
    plain = converter.unstructure(given_evidence, Mapping[str, Any])
    assert _typed(evidence_document(given_evidence)) == _typed(plain)


@given(_evidence)
def test_a_findings_document_is_the_converters(evidence: dict[Any, Any]) -> None:
    finding = Finding(
        rule_id="T-1",
        record_id="E-1",
        status=Status.BREACHED,
        due_at=datetime(2024, 1, 2, tzinfo=UTC),
        evidence=evidence,
        message="m",
        source="s",
    )
    document = finding.to_dict()
    assert _typed(document["evidence"]) == _typed(
        converter.unstructure(finding.evidence, Mapping[str, Any])
    )
