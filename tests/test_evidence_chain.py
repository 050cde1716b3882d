"""The hash chain's pieces: the fast canonical JSON is RFC 8785's, a chain names the first event
that differs, salts make digests of equal values differ, and erasure keeps the chain."""

from __future__ import annotations

import copy
import os
from datetime import UTC, datetime

import rfc8785
from hypothesis import given
from hypothesis import strategies as st

import qse_customer as qse
from qse_customer.core.evidence import canonical, erase, first_difference, seal
from qse_customer.core.identity import erase_document
from qse_customer.stores._documents import unstructure
from qse_customer.testing.strategies import records

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53), 2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(json_values)
def test_canonical_is_rfc_8785(value):
    try:
        expected = rfc8785.dumps(value)
    except (rfc8785.CanonicalizationError, UnicodeEncodeError):
        return  # lone surrogates and the like: records refuse them
    assert canonical(value) == expected


@given(records(), st.data())
def test_a_chain_holds_and_names_the_first_changed_event(record, data):
    document = unstructure(record)
    evidence = seal(document, None, os.urandom)
    assert first_difference(document, evidence) is None
    assert len(evidence.hashes) == len(record.events) + 1
    changed = copy.deepcopy(document)
    index = data.draw(st.integers(0, len(changed["events"]) - 1))
    changed["events"][index]["at"] = "1999-12-31T23:59:59+00:00"
    if changed != document:
        assert first_difference(changed, evidence) == index
    dropped = copy.deepcopy(document)
    dropped["events"].pop()
    assert first_difference(dropped, evidence) == len(dropped["events"])


@given(records())
def test_an_erasure_keeps_the_chain_and_removes_the_text(record):
    document = unstructure(record)
    evidence = seal(document, None, os.urandom)
    erased = copy.deepcopy(document)
    actors = {e.actor.id for e in record.events if e.actor is not None}
    paths = erase_document(erased, subject=True, actors=actors)
    after = erase(evidence, document, paths)
    assert first_difference(erased, after) is None
    assert set(after.erased) == set(paths) and not set(after.salts) & set(paths)
    assert qse.from_dict(erased)  # still a valid record


def test_equal_values_get_different_digests():
    actor = qse.Actor("t-1", "Tara Tech", qse.Role.TECHNOLOGIST)
    record = qse.Enquiry.receive(
        id="E-1", at=datetime(2026, 1, 5, tzinfo=UTC), by=actor, channel="email"
    )
    first = seal(unstructure(record), None, os.urandom)
    second = seal(unstructure(record), None, os.urandom)
    assert first.salts != second.salts and first.hashes != second.hashes
