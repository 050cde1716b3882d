"""The JSON report's text: the standard library's bytes, written by orjson where it can.

``json.dumps`` with an indent runs the standard library's pure-Python encoder (its C encoder
writes compact JSON only): about 0.55 s for the 29 MB report of 250,000 records. orjson (the
``fast`` extra) writes the same text in a tenth of that, except for what the two write
differently, which is found first and handed to the standard library:

- values JSON does not have (``NaN``, ``Infinity``, a circular reference, an object the standard
  library refuses): a walk over the document finds that it holds none (text, numbers, lists and
  dicts with text keys only, and no float written with an exponent: a fifth of the indented
  encoder's time); a document with anything else goes to the C encoder, which refuses them in
  a compact pass that keeps no text (handed ``str`` as its string encoder, so no string is
  escaped), a third of the indented encoder's time;
- floats below 1e-4 (the standard library writes ``1e-05``, orjson ``0.00001`` or ``1.5e-7``):
  in a document the walk does not pass, found in orjson's own text (an exponent, or ``0.0000``
  not after a digit); from 1e16 both write the same exponent (``1e+16``), found all the same;
- keys that are not strings, integers beyond 64 bits and lone surrogates, which orjson refuses.

Every other float is written alike (both write the shortest text that reads back as the same
float); ``tests/test_json_text.py`` holds the two to the same text on arbitrary JSON values.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from enum import Enum, StrEnum
from typing import Any, Final, NoReturn

from ._terminal import printable_json

try:
    import orjson
except ImportError:  # the fast extra is not installed
    orjson = None  # type: ignore[assignment]

__all__ = ["dumps_indented", "printable_indented"]

_EXPONENT = re.compile(rb"e[-+][0-9]")
"""The exponent of a float (``1e-05``, ``1.5e-7``, ``1e+16``) when a digit comes before it
(searched for the ``e`` first: five times faster than the whole pattern). A string holding such
text sends the document to the standard library too, merely slower."""

_TINY = b"0.0000"
"""How a float below 1e-4 that orjson writes without an exponent starts (``0.00001``), when no
digit comes before it (``10.00001`` is not one)."""


def _refuse(value: object) -> NoReturn:
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _checker() -> Callable[[Any, int], object]:
    """The standard library's C encoder writing compact JSON without escaping (``str`` stands
    for its string encoder) and without looking for cycles (one ends in a RecursionError): it
    raises for what the standard library cannot write compactly; its text is not read."""
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:  # no C accelerator: the public encoder does the same, slower
        encoder = json.JSONEncoder(ensure_ascii=False, allow_nan=False, check_circular=False)
        return lambda document, _: encoder.encode(document)
    checker: Callable[[Any, int], object] = make(
        None, _refuse, str, None, ":", ",", False, False, False
    )
    return checker


_check = _checker()


_LEAVES: Final[frozenset[type]] = frozenset({str, int, bool, type(None)})
"""Values both libraries write alike, whatever they hold (an integer beyond 64 bits orjson
refuses, and the standard library writes it)."""


def _plain(document: Any) -> bool:
    """True when ``document`` holds only dicts with text keys, lists, tuples, text (a subclass
    too, unless an enum other than a StrEnum), integers, true, false, null and floats of 0 or
    from 1e-4 to below 1e16: then the standard library writes it (what :func:`_writable` finds,
    in less time: a walk that writes nothing), and orjson writes its floats alike (no text to
    search for them). False for anything else, and for a cycle (a RecursionError)."""
    try:
        return _plain_values((document,), set(_LEAVES))
    except RecursionError:
        return False


def _plain_values(values: Iterable[Any], leaves: set[type]) -> bool:
    """:func:`_plain` of each of ``values``; ``leaves``, the text types found plain so far."""
    for value in values:
        kind = type(value)
        if kind in leaves:
            continue
        if kind is float:
            # Not NaN or infinite (which fail every comparison), nor written with an exponent.
            if not (value == 0.0 or 1e-4 <= abs(value) < 1e16):
                return False
        elif kind is dict:
            for key in value:
                if type(key) is not str:
                    return False
            if not _plain_values(value.values(), leaves):
                return False
        elif kind is list or kind is tuple:
            if not _plain_values(value, leaves):
                return False
        elif issubclass(kind, str) and (not issubclass(kind, Enum) or issubclass(kind, StrEnum)):
            leaves.add(kind)  # written as its text by both (a StrEnum's value is its text)
        else:
            return False
    return True


def _writable(document: Any) -> bool:
    """True when the standard library writes ``document`` without NaN, infinity or a refusal."""
    try:
        _check(document, 0)
    except (TypeError, ValueError, RecursionError):
        return False
    return True


def _float_differs(raw: bytes) -> bool:
    """True when orjson's text ``raw`` may hold a float the standard library writes otherwise
    (see the module doc)."""
    if any(raw[match.start() - 1 : match.start()].isdigit() for match in _EXPONENT.finditer(raw)):
        return True
    start = raw.find(_TINY)
    while start != -1:
        if not raw[start - 1 : start].isdigit():
            return True
        start = raw.find(_TINY, start + 1)
    return False


def _orjson_text(document: Any, option: int) -> bytes | None:
    """orjson's indented text of ``document`` when it is the standard library's, else None."""
    plain = _plain(document)
    if orjson is None or not (plain or _writable(document)):
        return None
    try:
        raw = orjson.dumps(document, option=orjson.OPT_INDENT_2 | option)
    except TypeError:  # orjson.JSONEncodeError is one
        return None
    return raw if plain or not _float_differs(raw) else None


def dumps_indented(document: Any) -> str:
    """Exactly ``json.dumps(document, indent=2, ensure_ascii=False)``, faster with orjson."""
    raw = _orjson_text(document, 0)
    if raw is not None:
        return raw.decode("utf-8")
    return json.dumps(document, indent=2, ensure_ascii=False)


def printable_indented(document: Any) -> str:
    """Exactly ``printable_json(dumps_indented(document)) + "\\n"`` (see
    :func:`.terminal.printable_json`): text in ASCII without DEL, as orjson's bytes show at once,
    has nothing to escape."""
    raw = _orjson_text(document, 0 if orjson is None else orjson.OPT_APPEND_NEWLINE)
    if raw is None:
        return printable_json(json.dumps(document, indent=2, ensure_ascii=False)) + "\n"
    if raw.isascii() and b"\x7f" not in raw:
        return raw.decode("ascii")
    # Decoded whole and the bytes let go before the printable pass (a 29 MB report is held
    # twice, not three times); that pass leaves the final newline as it is.
    text = raw.decode("utf-8")
    del raw
    return printable_json(text)
