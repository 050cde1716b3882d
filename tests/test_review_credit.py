"""A finding credited to the ruleset it came from (a merged review's register) is what evolving
it gives: equal, and the same document, whether its evidence was made yet or is made later."""

from __future__ import annotations

from datetime import UTC, timedelta
from typing import Any

import attrs
from hypothesis import given
from hypothesis import strategies as st

from qse_customer.review.standards import _credited
from qse_customer.rules.findings import Finding
from qse_customer.rules.status import Status

_text = st.text(st.characters(codec="utf-8"), max_size=8)
_evidence = st.dictionaries(
    _text, st.one_of(st.none(), st.integers(), _text, st.lists(_text, max_size=2)), max_size=3
)


@st.composite
def findings(draw: st.DrawFn) -> Finding:
    """A finding made whole, or one whose evidence and message are made when first read."""
    fields: dict[str, Any] = {
        "rule_id": draw(st.sampled_from(["R1", "T-2"])),
        "record_id": draw(st.one_of(st.none(), _text)),
        "status": draw(st.sampled_from(list(Status))),
        "due_at": draw(st.one_of(st.none(), st.datetimes(timezones=st.just(UTC)))),
        "source": draw(_text),
        "record_type": draw(st.one_of(st.none(), st.just("complaint"))),
        "ruleset": draw(st.sampled_from(["management-review", "qse2-responsibility"])),
        "ruleset_version": draw(st.sampled_from(["1", "2.0.0"])),
        "severity": draw(st.sampled_from(["low", "medium", "high"])),
        "period": draw(st.one_of(st.none(), st.just("2026-01"))),
        "elapsed": draw(st.one_of(st.none(), st.just(timedelta(hours=3)))),
        "measure": draw(st.one_of(st.none(), st.just("working_hours"))),
    }
    evidence, message = draw(_evidence), draw(_text)
    if draw(st.booleans()):
        return Finding(evidence=evidence, message=message, **fields)
    return Finding.explained_later(lambda: (evidence, message), **fields)


@given(findings(), st.sampled_from(["qse2-responsibility", "customer-service-standards"]))
def test_credited_is_evolved(finding: Finding, ruleset: str) -> None:
    credited = _credited(finding, ruleset, "2.0.0")
    evolved = attrs.evolve(finding, ruleset=ruleset, ruleset_version="2.0.0")
    assert credited.to_dict() == evolved.to_dict()
    assert credited == evolved
    assert repr(credited) == repr(evolved)
