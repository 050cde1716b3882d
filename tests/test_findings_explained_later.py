"""A finding whose evidence and message are made when first read (``Finding.explained_later``,
what the engine keeps) is equal to, and reads exactly as, the finding made with both given."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from qse_customer.rules.findings import Finding
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
