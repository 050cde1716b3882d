"""The JSON report's text: the standard library's bytes, written by orjson where it can.

``json.dumps`` with an indent runs the standard library's pure-Python encoder (its C encoder
writes compact JSON only): about 0.55 s for the 29 MB report of 250,000 records. orjson (the
``fast`` extra) writes the same text in a twentieth of that, except for what the two write
differently, which is found first and handed to the standard library:

- values JSON does not have (``NaN``, ``Infinity``, a circular reference, an object the standard
  library refuses): the C encoder, writing compactly, refuses them in about a quarter of the
  indented encoder's time;
- floats the standard library writes with an exponent (below 1e-4 or from 1e16: ``1e-05``, where
  orjson writes ``0.00001``): found in that compact text;
- keys that are not strings, integers beyond 64 bits and lone surrogates, which orjson refuses.

Every other float is written alike (both write the shortest text that reads back as the same
float); ``tests/test_json_text.py`` holds the two to the same text on arbitrary JSON values.
"""

from __future__ import annotations

import json
import re
from typing import Any

try:
    import orjson
except ImportError:  # the fast extra is not installed
    orjson = None  # type: ignore[assignment]

__all__ = ["dumps_indented"]

_EXPONENT = re.compile(r"e[-+][0-9]")
"""The exponent of a float as the standard library writes it (``1e-05``, ``1.5e+16``) when a
digit comes before it (searched for the ``e`` first: five times faster than the whole pattern).
A string holding such text sends the document to the standard library too, merely slower."""


def _has_exponent(text: str) -> bool:
    return any(text[match.start() - 1].isdigit() for match in _EXPONENT.finditer(text))


_compact = json.JSONEncoder(ensure_ascii=False, allow_nan=False).encode


def dumps_indented(document: Any) -> str:
    """Exactly ``json.dumps(document, indent=2, ensure_ascii=False)``, faster with orjson."""
    if orjson is not None:
        try:
            compact = _compact(document)
        except (TypeError, ValueError, RecursionError):
            compact = None
        if compact is not None and not _has_exponent(compact):
            try:
                return orjson.dumps(document, option=orjson.OPT_INDENT_2).decode("utf-8")
            except (TypeError, orjson.JSONEncodeError):
                pass
    return json.dumps(document, indent=2, ensure_ascii=False)
