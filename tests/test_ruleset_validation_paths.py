"""Ruleset documents, rule params and ``where`` values are judged first by their schema compiled
to Python (:mod:`qse_customer.core._schema_compiler`), and ``jsonschema`` is asked only about
the ones it refuses: the two give the same verdict, and a refused document gets the same errors,
word for word and in the same order, as when ``jsonschema`` judged everything.

The documents are the shipped rulesets and the demo lab's contract ruleset, and versions of
them changed in one to three places: a value of another type, a bool where a number goes, a
number out of range, a word outside an enumeration, a field dropped or added, an item
duplicated, a tuple for a list, a key that is not text. Each keyword the compiler learned for
rulesets is also held to ``jsonschema`` on its own, on generated values.
"""

from __future__ import annotations

import copy
import json
import math
import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from importlib.resources import files
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qse_customer import ValidationError
from qse_customer.core._schema_compiler import Unsupported, compile_schema
from qse_customer.core.errors import FieldError
from qse_customer.core.record_types import RECORD_TYPES
from qse_customer.rules import validation
from qse_customer.rules.kind_registry import BUILTIN_KINDS
from qse_customer.rules.loader import SHIPPED, load_ruleset

FORMATS = jsonschema.Draft202012Validator.FORMAT_CHECKER


@cache
def shipped(name: str) -> dict[str, Any]:
    text = files("qse_customer.rules").joinpath(f"rulesets/{name}.json").read_text("utf-8")
    document: dict[str, Any] = json.loads(text)
    return document


@cache
def contract_document() -> dict[str, Any]:
    from qse_customer.demo.lab import generate_lab

    return generate_lab(2026).contract_ruleset().to_dict()


DOCUMENTS = [*SHIPPED, "contracts"]


def document_named(name: str) -> dict[str, Any]:
    return copy.deepcopy(contract_document() if name == "contracts" else shipped(name))


@contextmanager
def jsonschema_alone() -> Iterator[None]:
    """Validation as it was before the compiled schemas: jsonschema judges every value."""
    before = validation._predicate
    validation._predicate = lambda validator: None  # type: ignore[assignment]
    try:
        yield
    finally:
        validation._predicate = before  # type: ignore[assignment]


def plain_errors(
    validator: jsonschema.protocols.Validator, instance: Any, prefix: str = "$"
) -> list[FieldError]:
    """What ``schema_errors`` said before the compiled schemas (its code as it was)."""
    errors = sorted(validator.iter_errors(instance), key=lambda e: [str(p) for p in e.path])
    return [
        FieldError(validation._join(prefix, error.json_path), validation._message(error))
        for error in errors
    ]


def outcome(document: Any) -> Any:
    """What loading says: the ruleset, or every error by path (or the exception, by type)."""
    try:
        return load_ruleset(document)
    except ValidationError as error:
        return [(e.path, e.message) for e in error.errors]
    except Exception as error:  # compared by type and text
        return (type(error).__name__, str(error))


def pairs(document: Any) -> Iterator[tuple[jsonschema.protocols.Validator, Any]]:
    """Every (validator, value) that loading ``document`` asks a schema about."""
    yield validation._document_validator(), document
    rules = document.get("rules") if isinstance(document, dict) else None
    for rule in rules if isinstance(rules, list) else []:
        if not isinstance(rule, dict):
            continue
        kind = BUILTIN_KINDS.get(rule.get("kind")) if isinstance(rule.get("kind"), str) else None
        if kind is not None and "params" in rule:
            yield validation._params_validator(kind), rule["params"]
        applies = rule.get("applies_to")
        applies = applies if isinstance(applies, dict) else {}
        written = applies.get("record_type")
        tags = [written] if isinstance(written, str) else written
        tags = [tag for tag in tags if tag in RECORD_TYPES] if isinstance(tags, list) else []
        where = applies.get("where")
        for name, condition in where.items() if isinstance(where, dict) else ():
            if not isinstance(name, str) or "." in name:
                continue
            for tag in tags:
                if name not in validation._fields(RECORD_TYPES[tag]):
                    continue
                validator = validation._value_validator(tag, name)
                try:
                    values = validation._condition_values(condition)
                except Exception:  # a condition the schema refuses: no values to judge
                    continue
                for _, value in values:
                    yield validator, value


def verdict(check: Any, value: Any) -> Any:
    """``check(value)``, or the type of what it raised."""
    try:
        return bool(check(value))
    except Exception as error:
        return type(error).__name__


def compare(document: Any) -> None:
    for validator, value in pairs(document):
        predicate = validation._predicate(validator)
        assert predicate is not None  # every shipped schema compiles
        assert verdict(predicate, value) == verdict(validator.is_valid, value)
        assert validation.schema_errors(validator, value, "$.x") == plain_errors(
            validator, value, "$.x"
        )
    now = outcome(document)
    with jsonschema_alone():
        before = outcome(document)
    assert now == before


@pytest.mark.parametrize("name", DOCUMENTS)
def test_the_shipped_rulesets_take_the_quick_path(name: str) -> None:
    document = document_named(name)
    for validator, value in pairs(document):
        predicate = validation._predicate(validator)
        assert predicate is not None
        assert predicate(value), (validator.schema.get("title"), value)
        assert validator.is_valid(value)
    compare(document)
    assert not isinstance(outcome(document), list | tuple)


# Values a compiled schema could misjudge: bools where numbers go, numbers at, past and far past
# the bounds (or not finite), words just outside an enumeration, text the patterns refuse,
# dates the format check refuses, containers of each kind and a tuple for a list.
NASTY: list[Any] = [
    True,
    False,
    None,
    0,
    1,
    -1,
    1.0,
    0.5,
    6,
    7,
    2610,
    2611,
    1.0000001,
    10**16,
    2**70,
    -(10**16),
    1e300,
    math.nan,
    math.inf,
    -math.inf,
    "",
    " ",
    "x",
    "1",
    "received",
    "received\n",
    "Received",
    "working_days",
    "next_day",
    "same_day",
    "high",
    "medium",
    "critical",
    "any",
    "complaint",
    "enquiry",
    "quality_manager",
    "Mon-Fri",
    "Mon-Sun-Tue",
    "mon",
    "09:00",
    "24:00",
    "25:61",
    "2026-01-05",
    "2026-02-30",
    "2026-1-5",
    "٢٠٢٦-٠١-٠٥",
    "\ud800",
    [],
    ["received"],
    ["received", "received"],
    [1, 1.0],
    [1, True],
    [0, False],
    [{"a": 1}, {"a": 1.0}],
    ("received",),
    {},
    {"in": ["a"]},
    {"in": []},
    {"in": ["a"], "not_in": ["b"]},
    {"working_days": 2},
    {"x": 1},
]

KEYS: list[Any] = [
    "extra",
    "description",
    "limit",
    "unit",
    "calendar",
    "in",
    "not_in",
    "Mon-Fri",
    "Sun",
    "bad name",
    "1x",
    "channel",
    "status.code",
    "working_days",
    "\ud800",
    1,
]


def nasty() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.sampled_from(NASTY).map(copy.deepcopy),
        st.integers(-3, 3000),
        st.floats(-1, 2, allow_nan=False),
        st.text(max_size=4),
    )


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


def changed(value: Any, draw: st.DrawFn) -> Any:
    """``value`` with its type or size changed a little: a number moved or made text or a
    bool, a word made a number, a list given a duplicate or made a tuple."""
    if isinstance(value, bool):
        return draw(st.sampled_from([int(value), float(value), str(value).lower(), not value]))
    if isinstance(value, int | float):
        return draw(
            st.sampled_from(
                [value + 1, value - 1, -value, value * 1000, float(value) + 0.5, str(value), True]
            )
        )
    if isinstance(value, str):
        return draw(st.sampled_from([value + "\n", value.upper(), " " + value, 1, [value]]))
    if isinstance(value, list):
        if value and draw(st.booleans()):
            return [*value, copy.deepcopy(draw(st.sampled_from(value)))]  # a duplicate item
        return tuple(value)
    return draw(nasty())


@st.composite
def mutated(draw: st.DrawFn) -> dict[str, Any]:
    """A shipped (or the contract) ruleset's document, changed in one to three places."""
    document = document_named(draw(st.sampled_from(DOCUMENTS)))
    for _ in range(draw(st.integers(1, 3))):
        # Mostly inside the rules, where the params are.
        rules = [path for path in locations(document) if path[:1] == ("rules",)]
        places = rules if rules and draw(st.integers(0, 3)) else list(locations(document))
        if not places:
            break
        path = draw(st.sampled_from(places))
        holder = parent(document, path)
        how = draw(st.sampled_from(["replace", "change", "change", "drop", "add"]))
        if how == "replace":
            holder[path[-1]] = draw(nasty())
        elif how == "change":
            holder[path[-1]] = changed(holder[path[-1]], draw)
        elif how == "drop":
            del holder[path[-1]]
        else:
            target = holder if isinstance(holder, dict) else document
            target[draw(st.sampled_from(KEYS))] = draw(nasty())
    return document


@settings(max_examples=300)
@given(mutated())
def test_mutated_rulesets_are_judged_alike(document: dict[str, Any]) -> None:
    compare(document)


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d["rules"][0]["params"]["limit"].update(working_days=True),
        lambda d: d["rules"][0]["params"]["limit"].update(working_days=2611),
        lambda d: d["rules"][0]["params"]["limit"].update(working_days=2.5),
        lambda d: d["rules"][0]["params"]["limit"].update(working_days=math.nan),
        lambda d: d["rules"][0]["params"].update(warn_at=0),
        lambda d: d["rules"][0]["params"].update(warn_at=1.5),
        lambda d: d["rules"][0]["params"].update(warn_at=False),
        lambda d: d["rules"][0]["params"].update(start=["received", "received"]),
        lambda d: d["rules"][0]["params"].update(start=("received",)),
        lambda d: d["rules"][0]["params"]["limit"].update(after_closing="next-day"),
        lambda d: d["rules"][0]["params"].pop("stop"),
        lambda d: d["rules"][0]["params"].update(colour="blue"),
        lambda d: d["rules"][0]["applies_to"]["where"].update(channel={"in": ["a"], "not_in": []}),
        lambda d: d["rules"][0]["applies_to"]["where"].update({"Bad name": 1}),
        lambda d: d["rules"][0]["applies_to"]["where"].update(channel="pigeon"),
        lambda d: d["rules"][0]["applies_to"]["where"].update(complex=1),
        lambda d: d["rules"][0].update(severity="urgent"),
        lambda d: d["calendars"]["uk-statutory"].update(weekdays=[0, 7, True]),
        lambda d: d["calendars"].update({"UK": {}}),
        lambda d: d.update(effective="2014-02-30"),
        lambda d: d.update(remove=["T-1", "T-1"]),
        lambda d: d.update(rules=[{}]),
    ],
)
def test_each_mutation_of_a_shipped_ruleset(change: Any) -> None:
    document = document_named("customer-service-standards")
    assert document["rules"][0]["kind"] == "response_time"
    change(document)
    compare(document)
    assert isinstance(outcome(document), list)  # each change is an error


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d["rules"][0]["params"]["limit"].update(working_days=2.0),  # an integer
        lambda d: d["rules"][0]["params"].update(warn_at=1),
        lambda d: d["rules"][0].update(severity="critical"),
        lambda d: d.update(rules=[]),
    ],
)
def test_each_change_a_ruleset_may_make(change: Any) -> None:
    document = document_named("customer-service-standards")
    change(document)
    compare(document)
    assert not isinstance(outcome(document), list | tuple)


def test_every_shipped_schema_compiles() -> None:
    assert validation._predicate(validation._document_validator()) is not None
    for kind in BUILTIN_KINDS.values():
        assert validation._predicate(validation._params_validator(kind)) is not None
    for tag, cls in RECORD_TYPES.items():
        for name in validation._fields(cls):
            assert validation._predicate(validation._value_validator(tag, name)) is not None


def test_a_schema_the_compiler_cannot_judge_is_left_to_jsonschema() -> None:
    unknown = {"type": "array", "contains": {"type": "string"}}
    with pytest.raises(Unsupported, match="contains"):
        compile_schema(unknown, None)
    with pytest.raises(Unsupported, match="x-vendor"):
        compile_schema({"type": "object", "x-vendor": True}, None)
    with pytest.raises(Unsupported, match=r"\$id"):
        compile_schema({"$defs": {"a": {"$id": "other.json"}}, "$ref": "#/$defs/a"}, None)
    with pytest.raises(Unsupported, match=r"\$ref"):
        compile_schema({"oneOf": [{"type": "string"}], "$ref": "#/oneOf/0"}, None)
    with pytest.raises(Unsupported, match=r"\$ref"):
        compile_schema({"$ref": "#/$defs/missing"}, None)
    newer = jsonschema.Draft202012Validator(unknown)
    older = jsonschema.Draft7Validator({"type": "array", "items": [{"type": "string"}]})
    for validator in (newer, older):
        assert validation._predicate(validator) is None
        assert validation.schema_errors(validator, [1]) == plain_errors(validator, [1])
        assert validation.schema_errors(validator, [1]) != []
    assert validation.schema_errors(newer, ["a"]) == []
    assert validation.schema_errors(older, ["a"]) == []
    with pytest.raises(Unsupported, match="decimal"):
        compile_schema({"type": ["string", "decimal"]}, None)
    # A schema fault fails only where jsonschema meets it, as before.
    faults: list[tuple[dict[str, Any], type[Exception]]] = [
        ({"pattern": "("}, re.error),
        ({"type": "decimal"}, jsonschema.exceptions.UnknownType),
    ]
    for fault, error in faults:
        unreadable = jsonschema.Draft202012Validator({"properties": {"a": fault}})
        assert validation._predicate(unreadable) is None
        assert validation.schema_errors(unreadable, {"b": "x"}) == []
        with pytest.raises(error):
            validation.schema_errors(unreadable, {"a": "x"})


def test_throwaway_validators_do_not_pile_up() -> None:
    for limit in range(validation._MOST_PREDICATES + 10):
        validator = jsonschema.Draft202012Validator({"maximum": limit})
        assert validation.schema_errors(validator, limit + 1) == plain_errors(validator, limit + 1)
        assert validation.schema_errors(validator, limit) == []
    assert len(validation._PREDICATES) <= validation._MOST_PREDICATES
    shipped_validator = validation._document_validator()
    assert validation._predicate(shipped_validator) is not None  # compiled again when needed


def test_a_value_the_predicate_cannot_compare_goes_to_jsonschema() -> None:
    validator = jsonschema.Draft202012Validator({"maximum": 3})
    assert validation._predicate(validator) is not None
    with pytest.raises(TypeError):  # jsonschema's own failure, not the predicate's
        validation.schema_errors(validator, complex(1, 1))
    assert validation.schema_errors(validator, 4) == plain_errors(validator, 4)


# Each keyword the compiler learned for rulesets, against jsonschema on generated values.

SCALARS: list[Any] = [
    None,
    True,
    False,
    0,
    1,
    -1,
    0.0,
    -0.0,
    1.0,
    0.5,
    2,
    3,
    2**53 + 1,
    float(2**53),
    math.nan,
    math.inf,
    -math.inf,
    "",
    "a",
    "1",
    "ab",
    "abc",
    "Mon",
    "\ud800",
]


VALUES = st.recursive(
    st.one_of(
        st.sampled_from(SCALARS),
        st.integers(-5, 5),
        st.floats(-5, 5),
        st.text(max_size=4),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=5),
        st.lists(inner, max_size=3).map(tuple),
        st.dictionaries(st.text(max_size=3), inner, max_size=4),
        st.dictionaries(st.sampled_from(["a", "b", 1, 2.5, None, True]), inner, max_size=3),
    ),
    max_leaves=8,
)


BOUNDS = st.one_of(
    st.integers(-3, 3),
    st.floats(-3, 3, allow_nan=False),
    st.sampled_from([0, 1, 0.5, 2**53, 1e308]),
)
SIZES = st.integers(0, 4)
NAMES = st.sampled_from(
    [
        {"pattern": "^[a-z]+$"},
        {"pattern": "^(Mon|Tue)(-(Mon|Tue))?$"},
        {"maxLength": 1},
        {"minLength": 2},
        {"enum": ["a", "b"]},
        {"type": "string"},
        True,
        False,
    ]
)
KEYWORDS: dict[str, st.SearchStrategy[Any]] = {
    "minimum": BOUNDS,
    "maximum": BOUNDS,
    "exclusiveMinimum": BOUNDS,
    "exclusiveMaximum": BOUNDS,
    "minLength": SIZES,
    "maxLength": SIZES,
    "maxItems": SIZES,
    "maxProperties": SIZES,
    "uniqueItems": st.booleans(),
    "propertyNames": NAMES,
}


@pytest.mark.parametrize("keyword", sorted(KEYWORDS))
@given(data=st.data())
def test_each_keyword_judges_as_jsonschema(keyword: str, data: st.DataObject) -> None:
    schema: dict[str, Any] = {keyword: data.draw(KEYWORDS[keyword], label="value")}
    if data.draw(st.booleans(), label="typed"):
        schema["type"] = data.draw(
            st.sampled_from(["number", "integer", "string", "array", "object", "boolean"])
        )
    check = compile_schema(schema, None)
    validator = jsonschema.Draft202012Validator(schema)
    for _ in range(5):
        value = data.draw(VALUES, label="instance")
        assert check(value) == validator.is_valid(value), (schema, value)


# Lists of values jsonschema's equal finds alike (1 and 1.0) or not (1 and True, 0 and False),
# nested in lists and objects, often twice.
TWINS: list[Any] = [
    1,
    1.0,
    True,
    0,
    0.0,
    -0.0,
    False,
    None,
    "1",
    "a",
    [1],
    [1.0],
    [True],
    [],
    {"a": 1},
    {"a": 1.0},
    {"a": True},
    {},
    math.nan,
]


@given(st.lists(st.sampled_from(TWINS), max_size=5))
def test_unique_items_compares_as_jsonschema(items: list[Any]) -> None:
    for schema in ({"uniqueItems": True}, {"type": "array", "uniqueItems": True}):
        check = compile_schema(schema, None)
        assert check(items) == jsonschema.Draft202012Validator(schema).is_valid(items), items


@pytest.mark.parametrize(
    ("items", "unique"),
    [
        ([1, 1.0], False),
        ([1, True], True),
        ([0, False], True),
        ([[1], [True]], True),
        ([{"a": 1}, {"a": 1.0}], False),
        (["a", "a"], False),
        (["a", "b"], True),
        ([], True),
    ],
)
def test_unique_items_by_jsonschemas_equal(items: list[Any], unique: bool) -> None:
    assert compile_schema({"uniqueItems": True}, None)(items) is unique
    assert compile_schema({"uniqueItems": False}, None)(items) is True


def test_bounds_leave_bools_and_text_alone_and_pass_nan() -> None:
    for keyword in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        check = compile_schema({keyword: 0}, None)
        assert check(True) and check(False) and check("5") and check(math.nan)
        typed = compile_schema({"type": "number", keyword: 0}, None)
        assert not typed(True)
    assert not compile_schema({"maximum": 1}, None)(1.5)
    assert not compile_schema({"exclusiveMinimum": 0}, None)(0)
    assert compile_schema({"exclusiveMinimum": 0}, None)(1e-300)
    assert not compile_schema({"exclusiveMaximum": 1}, None)(1.0)


def test_format_without_a_checker_is_an_annotation() -> None:
    schema = {"type": "string", "format": "date"}
    assert compile_schema(schema, None)("2026-02-30")
    assert not compile_schema(schema, FORMATS)("2026-02-30")
    assert compile_schema(schema, FORMATS)("2026-02-28")
