"""The JSON report's text is the standard library's, byte for byte, whoever writes it."""

from __future__ import annotations

import json
import math
import uuid
from collections import OrderedDict
from datetime import UTC, datetime
from enum import Enum, IntEnum, StrEnum
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from qse_customer.reports import _json_text
from qse_customer.reports._json_text import dumps_indented, printable_indented
from qse_customer.reports._terminal import printable_json

orjson = pytest.importorskip("orjson")

_floats = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=-1e-3, max_value=1e-3),
    st.sampled_from([0.0, -0.0, 1e-4, 9.999999999999999e-05, 1e16, 9999999999999998.0, 0.1]),
)
_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(2**70), max_value=2**70),
    _floats,
    st.text(),
    st.text(alphabet='0123456789e-+."\\\n\x00\x7f\u2028\ud800 '),
)


class _Tone(StrEnum):
    CALM = "calm"


class _Level(IntEnum):
    HIGH = 3


class _Colour(Enum):
    RED = 1


class _Text(str):
    pass


class _Number(float):
    pass


# What is not a JSON value but one library or both write all the same (or refuse).
_objects = st.one_of(
    st.sampled_from([_Tone.CALM, _Level.HIGH, _Colour.RED, uuid.UUID(int=7)]),
    st.datetimes(timezones=st.just(UTC)),
    st.text(max_size=6).map(_Text),
    st.floats().map(_Number),
)
_keys = st.one_of(st.text(max_size=8), st.integers(-3, 3), st.booleans(), st.none())


def _containers(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.text(max_size=4), inner, max_size=3).map(OrderedDict),
        st.lists(inner, max_size=3).map(tuple),
        st.dictionaries(st.text(max_size=8), inner, max_size=4),
        st.dictionaries(_keys, inner, max_size=3),
    )


_json_values = st.recursive(_scalars, _containers, max_leaves=20)


def _written(write: Any, value: Any) -> tuple[str, Any]:
    try:
        return "text", write(value)
    except Exception as error:  # the same kind of error from both is the expected outcome
        return "error", type(error)


def _standard(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)


@given(_json_values)
@example({"share": 1e-05, "n": 3})
@example({"big": 1e16})
@example({"nan": math.nan})
@example({"id": "1e-05 in a string"})
@example({1: "integer key"})
@example([2**64])
@example({"lone": "\ud800"})
def test_the_same_text_as_the_standard_library(value: Any) -> None:
    assert _written(dumps_indented, value) == _written(_standard, value)


@given(st.recursive(st.one_of(_scalars, _objects), _containers, max_leaves=12))
@example([datetime(2026, 1, 1, tzinfo=UTC)])
@example([_Colour.RED])
@example({"tone": _Tone.CALM, "level": _Level.HIGH})
def test_the_same_text_or_error_for_other_objects(value: Any) -> None:
    assert _written(dumps_indented, value) == _written(_standard, value)


@given(_json_values)
@example({"text": "DEL \x7f, C1 \x85, separator \u2028, bidi \u202e, caf\u00e9"})
@example({"ascii": "plain"})
def test_printable_text_is_the_standard_librarys_made_printable(value: Any) -> None:
    expected = _written(lambda v: printable_json(_standard(v)) + "\n", value)
    assert _written(printable_indented, value) == expected


@given(st.recursive(st.one_of(_scalars, _objects), _containers, max_leaves=12))
@example({"tone": _Tone.CALM, "text": _Text("x")})
@example([math.inf])
@example({1: "integer key"})
@example([1e-4, 9.999999999999999e-05, 1e16, 9999999999999998.0, -0.0, 5e-324])
def test_a_plain_document_is_one_the_standard_library_writes(value: Any) -> None:
    # The walk stands in for the C encoder's check only where that check passes, and for the
    # search of orjson's text for floats only where orjson writes them as the standard library.
    if _json_text._plain(value):
        assert _json_text._writable(value)
        try:
            raw = orjson.dumps(value, option=orjson.OPT_INDENT_2)
        except TypeError:  # what orjson refuses goes to the standard library
            return
        assert raw.decode() == _standard(value)


def test_a_cycle_is_refused_as_the_standard_library_refuses_it() -> None:
    cycle: list[Any] = []
    cycle.append({"again": cycle})
    assert not _json_text._plain(cycle)
    assert _written(dumps_indented, cycle) == _written(_standard, cycle) == ("error", ValueError)


def test_a_report_is_written_by_orjson(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    real = orjson.dumps

    def counting(*args: Any, **kwargs: Any) -> bytes:
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(_json_text.orjson, "dumps", counting)
    document = {"share": 0.975, "rows": [{"id": "C-1", "n": 3, "ok": True, "at": None}], "x": []}
    assert dumps_indented(document) == _standard(document)
    assert len(calls) == 1


@pytest.mark.parametrize(
    "document", [{"share": 1e-05}, {"tiny": -2.5e-07}, {"nan": math.nan}, {1: "a"}, [2**64]]
)
def test_what_orjson_writes_otherwise_goes_to_the_standard_library(document: Any) -> None:
    plain = _standard(document)
    assert _written(lambda v: orjson.dumps(v, option=orjson.OPT_INDENT_2).decode(), document) != (
        "text",
        plain,
    )
    assert dumps_indented(document) == plain


def test_without_orjson_the_standard_library_writes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_json_text, "orjson", None)
    document = {"share": 0.975, "rows": [1, 2]}
    assert dumps_indented(document) == _standard(document)
