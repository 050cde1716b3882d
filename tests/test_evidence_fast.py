"""The hash chain's fast path writes exactly what the plain definition does.

``qse_customer.core.evidence`` seals every record a store writes, so it takes shortcuts for the
parts nearly every record has (events with empty data, texts and actors as identity units).
These properties hold it to the implementation first written (``evidence_reference.py``, kept
verbatim): the same salts drawn in the same order, the same hashes, the same stored JSON, the
same verdict of ``first_difference`` on any document and evidence, and the same failures, for
real records and for arbitrary JSON the fast path must hand over to the plain one (floats,
non-ASCII keys, nulls, lone surrogates, odd actors, corrections inside corrections)."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import evidence_reference as plain
from qse_customer.core import evidence as fast
from qse_customer.core.identity import (
    COMPLIANCE_DATA_KEYS,
    IDENTITY_FIELDS,
    erase_document,
    header_units,
)
from qse_customer.stores._documents import unstructure
from qse_customer.testing.strategies import records

_MANY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_ODD_TEXT = st.sampled_from(["", "é", "\ud800", "\x00", "\u2028", '"', "\\", "ß\t", "😀", "a"])
texts = st.one_of(st.text(max_size=6), _ODD_TEXT)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    texts,
)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(texts, inner, max_size=3)),
    max_leaves=8,
)
_KINDS = ["received", "acknowledged", "note_added", "corrected", "erased", "closed"]


@st.composite
def actors(draw: st.DrawFn) -> Any:
    shape = draw(st.integers(0, 5))
    if shape == 0:
        return None
    if shape == 1:
        return draw(json_values)
    actor = {
        "id": draw(st.one_of(texts, st.none())),
        "name": draw(st.one_of(texts, st.none(), st.integers())),
        "role": draw(st.one_of(texts, st.none(), st.integers())),
    }
    if shape == 2:
        del actor[draw(st.sampled_from(sorted(actor)))]
    return actor


@st.composite
def events(draw: st.DrawFn, depth: int = 0) -> Any:
    kind = draw(st.sampled_from(_KINDS))
    data: Any = {}
    if draw(st.booleans()):
        data = draw(
            st.dictionaries(
                st.one_of(texts, st.sampled_from(sorted(COMPLIANCE_DATA_KEYS))),
                json_values,
                max_size=3,
            )
        )
        if kind == "corrected" and depth < 2 and draw(st.booleans()):
            data["replacement"] = draw(events(depth + 1))
    event: dict[str, Any] = {
        "kind": kind,
        "at": draw(st.one_of(st.just("2026-01-05T09:00:00+00:00"), texts)),
        "actor": draw(actors()),
        "data": data,
        "note": draw(st.one_of(st.just(""), texts, st.none(), st.integers())),
        "recorded_at": draw(st.one_of(st.none(), st.just("2026-02-01T10:11:12.123456+00:00"))),
    }
    if draw(st.integers(0, 9)) == 0:  # a key missing or one more
        if draw(st.booleans()):
            del event[draw(st.sampled_from(sorted(event)))]
        else:
            event[draw(texts)] = draw(json_values)
    if draw(st.integers(0, 19)) == 0:
        return draw(json_values)  # not an event object at all
    return event


@st.composite
def odd_documents(draw: st.DrawFn) -> dict[str, Any]:
    tag = draw(st.sampled_from([*sorted(IDENTITY_FIELDS), "contract"]))
    document: dict[str, Any] = {"type": tag, "id": draw(texts)}
    for name in IDENTITY_FIELDS.get(tag, ()):
        if draw(st.booleans()):
            document[name] = draw(st.one_of(json_values, st.lists(texts, max_size=3)))
    document.update(draw(st.dictionaries(texts, json_values, max_size=3)))
    document["events"] = draw(st.lists(events(), max_size=4))
    return document


@st.composite
def real_documents(draw: st.DrawFn) -> dict[str, Any]:
    document = unstructure(draw(records()))
    for event in document["events"]:
        if draw(st.booleans()):
            event["recorded_at"] = "2026-03-04T05:06:07.000008+00:00"
    return document


documents = st.one_of(real_documents(), odd_documents())


def salt_source(seed: int) -> Callable[[int], bytes]:
    """Random bytes, the same sequence for the same seed (one for each implementation)."""
    rng = random.Random(seed)
    return lambda n: rng.randbytes(n)


def outcome(function: Callable[[], Any]) -> Any:
    """What a call gives: its JSON for evidence (salts in order), or the exception's type."""
    try:
        value = function()
    except Exception as error:  # the same failure is part of the equality
        return ("raised", type(error).__name__)
    if hasattr(value, "to_json"):
        return json.dumps(value.to_json())
    return value


def both_seal(document: dict[str, Any], seed: int, prefix: int | None = None) -> tuple[Any, Any]:
    """Seal with each implementation (first the first ``prefix`` events, then the rest)."""
    found = []
    for module in (plain, fast):
        source = salt_source(seed)

        def sealed(module: Any = module, source: Callable[[int], bytes] = source) -> Any:
            previous = None
            if prefix is not None:
                first = {**document, "events": document["events"][:prefix]}
                previous = module.seal(first, None, source)
            return module.seal(document, previous, source)

        found.append(outcome(sealed))
    return found[0], found[1]


@_MANY
@given(document=documents, seed=st.integers(0, 2**32))
def test_seal_equals_the_plain_definition(document: dict[str, Any], seed: int) -> None:
    reference, optimised = both_seal(document, seed)
    assert optimised == reference


@_MANY
@given(document=documents, seed=st.integers(0, 2**32), data=st.data())
def test_extending_a_chain_equals_the_plain_definition(
    document: dict[str, Any], seed: int, data: st.DataObject
) -> None:
    prefix = data.draw(st.integers(0, len(document["events"]))) if document["events"] else 0
    reference, optimised = both_seal(document, seed, prefix)
    assert optimised == reference


def _as(module: Any, evidence: dict[str, Any]) -> Any:
    return module.Evidence.from_json(evidence)


@_MANY
@given(document=documents, seed=st.integers(0, 2**32), data=st.data())
def test_first_difference_equals_the_plain_definition_after_any_change(
    document: dict[str, Any], seed: int, data: st.DataObject
) -> None:
    try:
        evidence = plain.seal(document, None, salt_source(seed)).to_json()
    except Exception:  # a document the chain cannot cover (compared in the test above)
        evidence = {"salts": {}, "erased": {}, "hashes": []}
    changed = json.loads(json.dumps(document))  # lone surrogates survive the round trip
    change = data.draw(st.integers(0, 5))
    if change == 1 and changed["events"]:
        index = data.draw(st.integers(0, len(changed["events"]) - 1))
        changed["events"][index] = data.draw(events())
    elif change == 2 and evidence["salts"]:
        del evidence["salts"][data.draw(st.sampled_from(sorted(evidence["salts"])))]
    elif change == 3 and evidence["hashes"]:
        index = data.draw(st.integers(0, len(evidence["hashes"]) - 1))
        evidence["hashes"][index] = data.draw(st.sampled_from(["", "zz", "0" * 64]))
    elif change == 4:
        changed[data.draw(texts)] = data.draw(json_values)
    elif change == 5:
        changed["events"].append(data.draw(events()))
    reference = outcome(lambda: plain.first_difference(changed, _as(plain, evidence)))
    optimised = outcome(lambda: fast.first_difference(changed, _as(fast, evidence)))
    assert optimised == reference


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=real_documents(), seed=st.integers(0, 2**32), subject=st.booleans())
def test_an_erased_record_verifies_alike(
    document: dict[str, Any], seed: int, subject: bool
) -> None:
    evidence = fast.seal(document, None, salt_source(seed))
    erased_document = json.loads(json.dumps(document))
    staff = [e["actor"]["id"] for e in document["events"] if isinstance(e.get("actor"), dict)]
    paths = erase_document(erased_document, subject=subject, actors=staff[:1])
    results = []
    for module in (plain, fast):
        after = module.erase(_as(module, evidence.to_json()), document, paths)
        results.append(
            (json.dumps(after.to_json()), module.first_difference(erased_document, after))
        )
    assert results[0] == results[1]
    assert results[1][1] is None  # and the chain still holds


def test_the_fast_path_is_taken_for_an_ordinary_record() -> None:
    """Not a property: shows the shortcut is not dead code (an event with empty data is
    written directly, and equals the plain bytes)."""
    event = {
        "kind": "received",
        "at": "2026-01-05T09:00:00+00:00",
        "actor": {"id": "tech-1", "name": "Tara Tech", "role": "technologist"},
        "data": {},
        "note": "rang back",
        "recorded_at": None,
    }
    salts = {"$.events[0].actor": "00" * 16, "$.events[0].note": "11" * 16}
    digest_of = fast._digester(salts, {}, None)
    written = fast._event_view(event, 0, digest_of)
    assert written == plain.canonical(
        plain._digested(event, list(plain.event_units(event, 0)), plain.Evidence(salts, {}, ()))
    )
    assert written.startswith(b'{"actor":{"role":"technologist","sha256":"')


@_MANY
@given(
    evidence=st.one_of(
        st.builds(
            dict,
            salts=st.dictionaries(texts, texts, max_size=4),
            erased=st.dictionaries(texts, texts, max_size=3),
            hashes=st.lists(texts, max_size=4),
        ),
        st.builds(
            dict,
            salts=st.dictionaries(texts, json_values, max_size=3),
            erased=st.dictionaries(texts, json_values, max_size=3),
            hashes=st.lists(json_values, max_size=3),
        ),
    )
)
def test_evidence_text_is_what_json_dumps_writes(evidence: dict[str, Any]) -> None:
    made = fast.Evidence.from_json(evidence)
    expected = outcome(lambda: json.dumps(made.to_json(), separators=(",", ":")))
    assert outcome(made.to_text) == expected


# Keys whose order differs by code point (and UTF-8) and by UTF-16 code units ("\uff01" sorts
# before "😀" by code point, after it by UTF-16), a lone surrogate, and a record's own fields.
_HEAD_KEYS = st.one_of(
    st.sampled_from(
        ["type", "id", "summary", "people_involved", "a", "B", "\uff01", "😀", "é", "\ud800"]
    ),
    texts,
)


@st.composite
def heads(draw: st.DrawFn) -> dict[str, Any]:
    """A record's document of any fields, values and keys (its events left empty)."""
    tag = draw(st.sampled_from([*sorted(IDENTITY_FIELDS), "contract"]))
    head: dict[str, Any] = {"type": tag}
    fields = st.dictionaries(
        _HEAD_KEYS, st.one_of(json_values, st.lists(texts, max_size=3)), max_size=5
    )
    head.update(draw(fields))
    if draw(st.integers(0, 3)) == 0:  # two keys that RFC 8785 and orjson sort apart
        head.update({"\uff01": draw(texts), "😀": draw(texts)})
    head["events"] = []
    return head


def _plain_head(document: dict[str, Any], salts: dict[str, str]) -> Any:
    units = list(header_units(document))
    head = {key: value for key, value in document.items() if key != "events"}
    return outcome(
        lambda: plain.canonical(plain._digested(head, units, plain.Evidence(salts, {}, ())))
    )


@_MANY
@given(document=st.one_of(heads(), documents))
def test_the_head_written_by_orjson_is_the_plain_canonical_form(document: dict[str, Any]) -> None:
    units = list(header_units(document))
    salts = {path: f"{number:032x}" for number, (path, _, _) in enumerate(units)}
    found = outcome(lambda: fast._head_sorted(document, units, fast._digester(salts, {}, None)))
    if found is not None:
        assert found == _plain_head(document, salts)


@settings(max_examples=100, deadline=None)
@given(document=real_documents())
def test_the_head_of_every_record_is_written_by_orjson(document: dict[str, Any]) -> None:
    units = list(header_units(document))
    salts = {path: f"{number:032x}" for number, (path, _, _) in enumerate(units)}
    found = fast._head_sorted(document, units, fast._digester(salts, {}, None))
    head = {key: value for key, value in document.items() if key != "events"}
    if found is None:  # only where orjson cannot write the head as json does
        assert _beyond_orjson(head)
    else:
        assert found == _plain_head(document, salts)


def _beyond_orjson(value: Any) -> bool:
    """Whether ``value`` holds a float, an integer beyond 64 bits or a lone surrogate."""
    if isinstance(value, dict):
        return any(_beyond_orjson(item) for item in value.values())
    if isinstance(value, list):
        return any(_beyond_orjson(item) for item in value)
    if isinstance(value, str):
        return any("\ud800" <= char <= "\udfff" for char in value)
    return isinstance(value, float) or (isinstance(value, int) and not -(2**63) <= value < 2**64)


@_MANY
@given(document=documents, seed=st.integers(0, 2**32), data=st.data())
def test_a_sealed_records_evidence_text_is_what_json_dumps_writes(
    document: dict[str, Any], seed: int, data: st.DataObject
) -> None:
    evidence = outcome(lambda: fast.seal(document, None, salt_source(seed)))
    if isinstance(evidence, tuple):  # a document the chain cannot cover
        return
    made = fast.seal(document, None, salt_source(seed))
    assert made.to_text() == json.dumps(made.to_json(), separators=(",", ":"))
    assert made == fast.Evidence.from_json(json.loads(made.to_text()))


@st.composite
def heads_with_units(draw: st.DrawFn) -> tuple[dict[str, Any], list[Any]]:
    """A head and any of its fields (or items of its lists) as identity units, an actor's
    among them."""
    head = draw(heads())
    if draw(st.booleans()):
        head["actor"] = draw(st.one_of(json_values, st.fixed_dictionaries({"id": texts})))
    units: list[Any] = []
    for name, value in head.items():
        if name == "events" or draw(st.integers(0, 2)) == 0:
            continue
        if isinstance(value, list) and value and draw(st.booleans()):
            for index in draw(st.sets(st.integers(0, len(value) - 1))):
                units.append((f"$.{name}[{index}]", (name, index), value[index]))
        else:
            units.append((f"$.{name}", (name,), value))
    return head, units


@_MANY
@given(head_units=heads_with_units())
def test_the_head_written_by_orjson_replaces_any_units_as_the_plain_definition(
    head_units: tuple[dict[str, Any], list[Any]],
) -> None:
    document, units = head_units
    salts = {path: f"{number:032x}" for number, (path, _, _) in enumerate(units)}
    found = outcome(lambda: fast._head_sorted(document, units, fast._digester(salts, {}, None)))
    if found is not None:
        head = {key: value for key, value in document.items() if key != "events"}
        evidence = plain.Evidence(salts, {}, ())
        assert found == outcome(lambda: plain.canonical(plain._digested(head, units, evidence)))


@st.composite
def near_common_events(draw: st.DrawFn) -> dict[str, Any]:
    """An event of the common shape (texts, an actor of texts or none, empty data), often with
    a member more, or one renamed, in it or in its actor: the fast path must tell them apart."""
    event: dict[str, Any] = {
        "kind": draw(st.sampled_from(_KINDS)),
        "at": draw(st.one_of(st.just("2026-01-05T09:00:00+00:00"), texts)),
        "actor": draw(
            st.one_of(
                st.none(),
                st.fixed_dictionaries({"id": texts, "name": texts, "role": texts}),
            )
        ),
        "data": {},
        "note": draw(texts),
        "recorded_at": draw(st.sampled_from([None, "2026-02-01T10:11:12.123456+00:00"])),
    }
    target = event["actor"] if event["actor"] is not None and draw(st.booleans()) else event
    change = draw(st.integers(0, 2))
    if change >= 1:  # a member renamed (as many members as before), or one more
        if change == 1:
            del target[draw(st.sampled_from(sorted(target)))]
        target[draw(st.sampled_from(["extra", "Kind", "role ", "id2"]))] = draw(texts)
    return event


@_MANY
@given(
    document=real_documents(),
    added=st.lists(near_common_events(), min_size=1, max_size=3),
    seed=st.integers(0, 2**32),
)
def test_an_event_nearly_of_the_common_shape_is_sealed_as_the_plain_definition(
    document: dict[str, Any], added: list[dict[str, Any]], seed: int
) -> None:
    document["events"] = [*document["events"], *added]
    reference, optimised = both_seal(document, seed)
    assert optimised == reference
