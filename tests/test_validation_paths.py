"""The quick validation paths (``jsonschema-rs`` with the ``fast`` extra, the schema compiled to
Python without it) accept and refuse exactly the documents ``jsonschema`` does, and a refused
document gets the same errors, word for word, as before they existed (issue 16).

Valid documents are serialised records from :mod:`qse_customer.testing.strategies`; mutated
ones drop a required field, give a wrong type, a bad date-time, an extra field, a value outside
an enumeration, a lone surrogate, blank text Python and Rust disagree on, a tuple for a list,
a number JSON cannot hold... The ``jsonschema-rs`` side is skipped where it is not installed.
"""

from __future__ import annotations

import json
import math
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qse_customer import ValidationError, from_dict, to_json
from qse_customer.core import schema
from qse_customer.core._checks import unstorable
from qse_customer.core._schema_compiler import compile_schema
from qse_customer.core.record_types import RECORD_TYPES
from qse_customer.testing.strategies import records

FAST = schema.jsonschema_rs is not None
QUICK = ["compiled", "jsonschema-rs"] if FAST else ["compiled"]


@contextmanager
def backend(name: str) -> Iterator[None]:
    before = schema.validation_backend()
    schema.validation_backend(name)
    try:
        yield
    finally:
        schema.validation_backend(before)


def today(document: Any) -> Any:
    """What validation said before the quick paths: jsonschema's errors and unstorable's."""
    tag = document.get("type") if isinstance(document, dict) else None
    if not isinstance(tag, str) or tag not in RECORD_TYPES:
        return "unknown type"
    errors = sorted(
        [*schema.schema_errors(document, tag), *unstorable(document)], key=lambda e: e.path
    )
    return [(error.path, error.message) for error in errors] or tag


def outcome(document: Any) -> Any:
    """What validation says now: the record type, or every error by path; and from_dict's."""
    try:
        said: Any = schema.validate_record_document(document)
    except ValidationError as error:
        said = [(e.path, e.message) for e in error.errors]
        tag = document.get("type") if isinstance(document, dict) else None
        if not isinstance(tag, str) or tag not in RECORD_TYPES:
            said = "unknown type"
    try:
        built: Any = from_dict(document)
    except ValidationError as error:
        built = (str(error), [(e.path, e.message) for e in error.errors])
    except Exception as error:  # the model's own refusals: compared by type and text
        built = (type(error).__name__, str(error))
    return said, built


def verdicts(document: Any) -> dict[str, bool]:
    """Each predicate's verdict: jsonschema's own, and each quick backend's."""
    tag = document["type"]
    found = {"jsonschema": schema._validator(tag).is_valid(document)}
    for name in QUICK:
        try:
            found[name] = schema._predicate(tag, name)(document)
        except Exception:  # jsonschema-rs cannot read it (a non-text key, a lone surrogate key)
            found[name] = False
    return found


# Values the quick paths could misjudge: text Python calls blank and Rust might not, digits
# outside ASCII, date-times the pattern or the format check refuses (or RFC 3339 would), a
# trailing newline (Python's $ accepts it), numbers JSON cannot hold, a tuple for a list.
NASTY: list[Any] = [
    "",
    " ",
    "\x1c",
    "\x1f\x1e",
    "\x85",
    "\u3000",
    "\u180e",
    "\u200b",
    "x",
    "\ud800",
    "a\udfffb",
    "٢٠٢٦-٠١-٠٥",
    "2026-01-05",
    "2026-02-30",
    "2026-01-05\n",
    "2026-01-05T09:00:00+00:00",
    "2026-01-05T09:00:00.1234567+00:00",
    "2026-01-05T09:00Z",
    "2026-01-05T09:00:00Z\n",
    "2026-01-05 09:00:00Z",
    "2026-13-05T09:00:00Z",
    "2026-01-05T25:61:00Z",
    "2026-01-05T09:00:00+25:00",
    "٢٠٢٦-01-05T09:00:00Z",
    "0" * 64,
    "0" * 64 + "\n",
    "A" * 64,
    "received",
    "received\n",
    "Received",
    "email",
    "technologist",
    "routine",
    "external",
    "nope",
    0,
    1,
    -1,
    5.0,
    5.5,
    2**70,
    -(2**70),
    math.nan,
    math.inf,
    True,
    False,
    None,
    [],
    ["x"],
    {},
    {"x": 1},
    ("x",),
    {1: "x"},
    {"\ud800": 1},
]


def nasty() -> st.SearchStrategy[Any]:
    return st.one_of(st.sampled_from(NASTY), st.text(max_size=5), st.integers(), st.floats())


def locations(document: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every path to a value inside ``document``."""
    if isinstance(document, dict):
        for key, value in document.items():
            yield (*path, key)
            yield from locations(value, (*path, key))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            yield (*path, index)
            yield from locations(value, (*path, index))


def parent(document: Any, path: tuple[Any, ...]) -> Any:
    for step in path[:-1]:
        document = document[step]
    return document


@st.composite
def mutated(draw: st.DrawFn) -> dict[str, Any]:
    """A record's JSON document, changed in one to three places."""
    document: dict[str, Any] = json.loads(to_json(draw(records())))
    for _ in range(draw(st.integers(1, 3))):
        places = list(locations(document))
        path = draw(st.sampled_from(places))
        holder = parent(document, path)
        how = draw(st.sampled_from(["replace", "replace", "drop", "add", "tuple"]))
        if how == "replace":
            holder[path[-1]] = draw(nasty())
        elif how == "drop":
            del holder[path[-1]]
            if not holder and isinstance(holder, list) and len(path) > 1:
                continue
        elif how == "add":
            target = holder if isinstance(holder, dict) else document
            target[draw(st.sampled_from(["extra", "note", "data", "actor", "at", "\ud800"]))] = (
                draw(nasty())
            )
        elif isinstance(holder[path[-1]], list):
            holder[path[-1]] = tuple(holder[path[-1]])
        if "type" not in document:
            break
    return document


def compare(document: Any) -> None:
    expected = today(document)
    with backend("jsonschema"):
        reference = outcome(document)
    for name in QUICK:
        with backend(name):
            assert outcome(document) == reference, name
    said = reference[0]
    assert said == expected  # the same verdict, and the same errors, as before
    if isinstance(document, dict) and isinstance(said, str) and said in RECORD_TYPES:
        found = verdicts(document)
        # The compiled schema judges exactly as jsonschema; jsonschema-rs never accepts what it
        # refuses (it may refuse more: an RFC 3339 date-time with no seconds, a trailing
        # newline; jsonschema then decides, so the outcome above is the same).
        assert found["compiled"] == found["jsonschema"]
        if found.get("jsonschema-rs"):
            assert found["jsonschema"]


@settings(max_examples=300)
@given(records())
def test_valid_records_take_the_quick_path(record: Any) -> None:
    document = json.loads(to_json(record))
    compare(document)
    assert schema._plain_json(document)
    assert all(verdicts(document).values()), verdicts(document)


@settings(max_examples=500)
@given(mutated())
def test_mutated_documents_are_judged_alike(document: dict[str, Any]) -> None:
    compare(document)


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d.pop("id"),
        lambda d: d.update(id=12),
        lambda d: d.update(id="\x1c"),
        lambda d: d.update(id="\u3000"),
        lambda d: d.update(id="a\ud800"),
        lambda d: d.update(extra=1),
        lambda d: d.update(events=tuple(d["events"])),
        lambda d: d.update(events=[]),
        lambda d: d["events"][0].update(at="2026-01-05T09:00Z"),
        lambda d: d["events"][0].update(at="2026-01-05T09:00:00Z\n"),
        lambda d: d["events"][0].update(at="2026-13-05T09:00:00Z"),
        lambda d: d["events"][0].update(at="٢٠٢٦-01-05T09:00:00Z"),
        lambda d: d["events"][0].update(kind="received\n"),
        lambda d: d["events"][0].update(kind="nope"),
        lambda d: d["events"][0].update(actor={"id": "a", "name": "b", "role": "boss"}),
        lambda d: d["events"][0].update(data={"x": math.nan}),
        lambda d: d["events"][0].update(data={1: 2}),
        lambda d: d["events"][0].update(data={"\ud800": 2}),
        lambda d: d.update(channel="pigeon"),
        lambda d: d.update(follow_up_digest="0" * 64 + "\n"),
        lambda d: d.update(submitter={}),
    ],
)
def test_each_mutation_of_a_complaint(change: Any) -> None:
    document = {
        "type": "complaint",
        "id": "C-1",
        "channel": "email",
        "category": "turnaround",
        "events": [
            {
                "kind": "received",
                "at": "2026-01-05T09:00:00+00:00",
                "actor": {"id": "t-1", "name": "Tara", "role": "technologist"},
            }
        ],
    }
    compare(document)
    change(document)
    compare(document)


def test_every_record_schema_compiles() -> None:
    checker = jsonschema.Draft202012Validator.FORMAT_CHECKER
    for tag in RECORD_TYPES:
        compile_schema(schema.schema_for(tag), checker)  # raises Unsupported otherwise


@pytest.mark.skipif(not FAST, reason="jsonschema-rs (the fast extra) is not installed")
def test_rust_reads_blank_text_as_python_does() -> None:
    """The text pattern, rewritten for Rust's regex, finds the same characters as Python's
    \\S: every code point but the surrogates."""
    text_schema = schema._rust_schema(schema._document()["$defs"]["text"])
    rust = schema.jsonschema_rs.validator_for(text_schema)
    python = re.compile(schema._document()["$defs"]["text"]["pattern"])
    differ = [
        point
        for point in range(sys.maxunicode + 1)
        if not 0xD800 <= point <= 0xDFFF
        and rust.is_valid(chr(point)) != (python.search(chr(point)) is not None)
    ]
    assert differ == []


def test_the_backend_is_chosen_and_checked() -> None:
    assert schema.validation_backend() == ("jsonschema-rs" if FAST else "compiled")
    with pytest.raises(ValueError, match="unknown validation backend"):
        schema.validation_backend("fastest")
