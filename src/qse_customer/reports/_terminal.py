"""Text for a terminal: control characters in data shown escaped, never sent raw.

A record's fields come from outside (an LIS, a web form, an e-mail): an ESC in a complaint's
category could move the cursor, recolour or rewrite the screen, or hide a line of the text report
or of ``explain``; a bidirectional override could make ``T-1 met`` read as something else. So
every terminal output (the text report, ``explain``, the command line's messages) shows these as
Python-style escapes (``\\x1b``, ``\\u202e``): C0 and C1 control characters, DEL, the Unicode
line and paragraph separators, the bidirectional controls, and lone surrogates (which cannot be
written as UTF-8 at all). A backslash is left as it is, so escaping twice changes nothing.
"""

from __future__ import annotations

import re

_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_UNSAFE = re.compile(f"[\x00-\x1f\x7f-\x9f\u2028\u2029{_BIDI}\ud800-\udfff]")
_UNSAFE_BUT_NEWLINE = re.compile(f"[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029{_BIDI}\ud800-\udfff]")
# In JSON text, C0 characters are always escaped by the json module; these are not.
_UNSAFE_IN_JSON = re.compile(f"[\x7f-\x9f\u2028\u2029{_BIDI}\ud800-\udfff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match[0]
    named = _NAMED.get(char)
    if named is not None:
        return named
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` as one line for a terminal: every control character escaped, newlines too."""
    return _UNSAFE.sub(_escape, text)


def printable_lines(text: str) -> str:
    """``text`` for a terminal, keeping its line breaks: every other control escaped."""
    return _UNSAFE_BUT_NEWLINE.sub(_escape, text)


def printable_json(text: str) -> str:
    """JSON text safe for a terminal and still the same JSON: the characters the ``json`` module
    leaves raw (DEL, C1 controls, separators, bidirectional controls) written as ``\\u`` escapes
    of four hex digits."""
    if _latin1_and_safe(text):
        return text
    return _UNSAFE_IN_JSON.sub(lambda match: f"\\u{ord(match[0]):04x}", text)


_C1_AND_DEL = bytes(range(0x7F, 0xA0))


def _latin1_and_safe(text: str) -> bool:
    """True when ``text`` is Latin-1 (as a report of English words and ASCII data mostly is)
    without DEL or a C1 control, the only characters :data:`_UNSAFE_IN_JSON` matches below
    U+0100: then there is nothing to escape, found in half the regular expression's time."""
    try:
        raw = text.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return len(raw.translate(None, _C1_AND_DEL)) == len(raw)
