"""Records as stored documents: the JSON of :func:`qse_customer.to_dict`, sealed, and read back
fast when the seal proves the store wrote them.

Reading a record back through :func:`qse_customer.from_dict` costs about 1.7 ms with the JSON
Schema and 80 µs without it, which caps streaming near 12,000 records a second. A record a store
saved was valid when it was saved: it was built by the model's own checks. So a store seals each
document with a CRC-32 of the document and the model's fingerprint (the record schema, every record
type's fields and lifecycle). When the seal matches, the document is exactly what this store wrote
from a valid record under the same model, and :func:`decode` builds the record straight from the
JSON types with code generated per record type (:mod:`.codegen`), without re-running
checks that already passed: a stream of them runs 3 to 4 times faster. When it does not match
(the row was edited by hand, or written under another model), the document is validated in full,
JSON Schema and model, and a failure names the record.

The seal detects accidental edits and model changes, not an adversary: anyone who can write the
database file can also forge a CRC.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import cache
from importlib.resources import files
from json.scanner import make_scanner
from typing import Any

import attrs

from ..core.errors import FieldError, QSEError, ValidationError
from ..core.events import Event
from ..core.record import Record
from ..core.record_types import RECORD_TYPES
from ..core.serialisation import from_dict, to_dict
from ._codegen import Inexact, Unsupported, generate, generate_checked, generate_encoder
from .errors import StoredRecordError

Builder = Callable[[Any], Any]


def _fingerprint() -> bytes:
    digest = hashlib.sha256()
    digest.update(files("qse_customer.core").joinpath("schemas/records.schema.json").read_bytes())
    for tag in sorted(RECORD_TYPES):
        cls = RECORD_TYPES[tag]
        life = cls.LIFECYCLE
        digest.update(tag.encode())
        digest.update(repr([(a.name, str(a.type)) for a in attrs.fields(cls)]).encode())
        digest.update(repr(sorted(life.kinds)).encode())
        digest.update(repr(sorted(life.status_after.items())).encode())
        digest.update(repr((sorted(life.opening), sorted(life.closing))).encode())
        digest.update(repr(sorted(life.reopening)).encode())
    return digest.digest()


MODEL_FINGERPRINT: bytes = _fingerprint()
"""Changes whenever the record schema or a record type's fields or lifecycle change."""

_SEAL_START = zlib.crc32(MODEL_FINGERPRINT)


def seal(document: str) -> int:
    """The seal of a stored document under the current model (a CRC-32, as a signed 32-bit int
    so it fits any SQL integer column)."""
    value = zlib.crc32(document.encode("utf-8"), _SEAL_START)
    return value - (1 << 32) if value >= 1 << 31 else value


_json_encode = json.JSONEncoder(separators=(",", ":")).encode
_json_scan = make_scanner(json.JSONDecoder())  # type: ignore[arg-type]  # typeshed: a class


_DIGITS_AS_ZEROS = bytes.maketrans(b"123456789", b"000000000")
"""Every digit as ``0``: a run of digits, whatever they are, becomes one substring to look for."""


def _orjson() -> Any:
    """orjson (the ``fast`` extra), or None."""
    try:
        import orjson
    except ImportError:
        return None
    return orjson


def load_plain(document: str) -> Any:
    """A stored document's JSON types, through the standard library's scanner."""
    return _json_scan(document, 0)[0]


def _load_fast(orjson: Any) -> Callable[[str, bytes], Any] | None:
    if orjson is None:
        return None
    loads = orjson.loads
    zeros = _DIGITS_AS_ZEROS
    long_number = b"0" * 19

    def load_fast(document: str, data: bytes) -> Any:
        # orjson reads an integer beyond 64 bits as a float: a document with a run of 19
        # digits (a number that long, or digits in a text) is read by the standard library.
        if long_number not in data.translate(zeros):
            return loads(data)
        return load_plain(document)

    return load_fast


_orjson_loads: Callable[[bytes], Any] | None = getattr(_orjson(), "loads", None)
"""orjson's reader (the ``fast`` extra), or None."""


def _no_loads(data: bytes) -> Any:
    raise AssertionError("orjson is not installed")  # pragma: no cover - never called


_load_encoded: Callable[[str, bytes], Any] = _load_fast(_orjson()) or (
    lambda document, _: load_plain(document)
)
"""A sealed document (and its UTF-8 bytes, which the seal was computed from) as JSON types."""


def load_document(document: str) -> Any:
    """A sealed document's JSON types: read by orjson with the ``fast`` extra (twice as fast;
    the same values, a property holds it), by the standard library otherwise."""
    return _load_encoded(document, document.encode("utf-8"))


def unstructure(record: Record) -> dict[str, Any]:
    """The plain JSON types of ``record``, exactly as :func:`to_dict` gives them (a new dict
    each time, which the caller may change)."""
    generated = _generated(record.TYPE) if RECORD_TYPES.get(record.TYPE) is type(record) else None
    return generated[1](record) if generated is not None else to_dict(record)


def unstructure_grown(document: dict[str, Any], record: Record, count: int) -> dict[str, Any]:
    """:func:`unstructure` of ``record``, given ``document``, the :func:`unstructure` of a
    record of the same type and own fields whose events are ``record``'s first ``count``: only
    the events after them are encoded. The new dict shares ``document``'s events (the caller
    must change neither)."""
    events = document.get("events")
    generated = _generated(record.TYPE) if RECORD_TYPES.get(record.TYPE) is type(record) else None
    encode = _event_encoder()
    if generated is None or encode is None or type(events) is not list or len(events) != count:
        return unstructure(record)
    grown = dict(document)
    grown["events"] = [*events, *map(encode, record.events[count:])]
    return grown


@cache
def _event_encoder() -> Callable[[Any], dict[str, Any]] | None:
    try:
        return generate_encoder(Event)
    except Unsupported:  # pragma: no cover - events have generated code
        return None


def dump_plain(document: dict[str, Any]) -> str:
    """A document as stored, through the standard library: compact JSON, non-ASCII escaped."""
    return _json_encode(document)


def _dump_fast(orjson: Any) -> Callable[[dict[str, Any]], str] | None:
    if orjson is None:
        return None
    orjson_dumps = orjson.dumps
    zeros = _DIGITS_AS_ZEROS

    def dump_fast(document: dict[str, Any]) -> str:
        # The standard library's bytes exactly: orjson's when they are ASCII (the library
        # escapes non-ASCII text) with no float written another way, its own otherwise.
        try:
            data: bytes = orjson_dumps(document)
        except TypeError:  # beyond orjson: integers past 64 bits, lone surrogates
            return _json_encode(document)
        # orjson spells a float below 1e-4 or from 1e16 otherwise (0.00001 and 1e16 for
        # 1e-05 and 1e+16): "0.0000" or a digit before an "e" finds every such float (and,
        # harmlessly, some texts and times).
        if data.isascii() and b"0.0000" not in data and b"0e" not in data.translate(zeros):
            return data.decode("ascii")
        return _json_encode(document)

    return dump_fast


dumps: Callable[[dict[str, Any]], str] = _dump_fast(_orjson()) or dump_plain
"""A document as stored: compact JSON, byte for byte what the standard library writes
(``separators=(",", ":")``, non-ASCII escaped); through orjson with the ``fast`` extra (a
property holds the two to the same bytes)."""


def encode(record: Record) -> str:
    """The stored document of ``record``: the compact JSON of :func:`to_dict`."""
    return dumps(unstructure(record))


def validate_stored(tag: str, record_id: str, document: str, where: str) -> Record:
    """A record from its stored document, validated in full; a failure names the record."""
    try:
        data = json.loads(document)
    except (ValueError, TypeError) as error:
        raise StoredRecordError(
            tag, record_id, [FieldError("$", f"not a JSON document: {error}")], where=where
        ) from error
    try:
        record: Record = from_dict(data)
    except ValidationError as error:
        raise StoredRecordError(tag, record_id, error.errors, where=where) from error
    except QSEError as error:
        raise StoredRecordError(
            tag, record_id, [FieldError("$", str(error))], where=where
        ) from error
    if tag != record.TYPE or record_id != record.id:
        raise StoredRecordError(
            tag,
            record_id,
            [FieldError("$", f"the document is {record.TYPE} {record.id!r}, not the row's own")],
            where=where,
        )
    return record


def decode(tag: str, record_id: str, document: str, stored_seal: int, where: str) -> Record:
    """The record a store saved: built directly when the seal matches, validated in full if not."""
    build = _builder_for_tag(tag)
    if build is not None and stored_seal == seal(document):
        try:
            record: Record = build(load_document(document))
            return record
        except (KeyError, TypeError, ValueError, AttributeError, StopIteration):
            pass  # cannot happen for a sealed document; the full validation below explains it
    return validate_stored(tag, record_id, document, where)


def decode_rows(
    tag: str,
    rows: Iterable[Sequence[Any]],
    where: str,
    on_invalid: Callable[[StoredRecordError], None] | None,
    text: Callable[[bytes], str] | None = None,
) -> Iterator[Record]:
    """Decode stored rows of one type, each ``(id, document, seal)``, in order (the
    streaming path). A row that fails validation raises its :class:`StoredRecordError`, or,
    with ``on_invalid``, is passed to it and skipped.

    The documents are text, or, with ``text``, their UTF-8 bytes (what the seal and orjson
    read, so that no text is made only to be encoded again); ``text`` turns bytes into the
    document's text for the full validation of a row whose seal does not match (raising what
    the store raises for a document that is not UTF-8).

    With the ``fast`` extra a sealed document is read by orjson and built by the checked
    builder (:func:`~._codegen.generate_checked`): a float where a number may be means the
    document may hold an integer orjson cannot read exactly, and the document is then read as
    :func:`load_document` reads it (the standard library's scanner if it has a run of 19
    digits)."""
    return decode_pages(tag, (rows,), where, on_invalid, text)


def decode_pages(
    tag: str,
    pages: Iterable[Iterable[Sequence[Any]]],
    where: str,
    on_invalid: Callable[[StoredRecordError], None] | None,
    text: Callable[[bytes], str] | None = None,
) -> Iterator[Record]:
    """:func:`decode_rows` of every page of rows in turn, as one stream: a store that reads in
    pages hands its pages here (one generator a stream, not one for the pages and one for
    each page's records)."""
    build = _builder_for_tag(tag)
    loads = _orjson_loads or _no_loads
    fast = _checked_builder_for_tag(tag) if _orjson_loads is not None else None
    start = _SEAL_START
    crc = zlib.crc32
    for rows in pages:
        for record_id, document, stored_seal in rows:
            data = document if text is not None else document.encode("utf-8")
            value = crc(data, start)
            if value >= 2147483648:
                value -= 4294967296
            if value == stored_seal and build is not None:
                try:
                    if fast is not None:
                        try:
                            yield fast(loads(data))
                            continue
                        except Inexact:
                            pass
                    yield build(_load_encoded(data.decode("utf-8") if text else document, data))
                    continue
                except (KeyError, TypeError, ValueError, AttributeError, StopIteration):
                    pass
            try:
                yield validate_stored(
                    tag, record_id, text(document) if text is not None else document, where
                )
            except StoredRecordError as error:
                if on_invalid is None:
                    raise
                on_invalid(error)


# -- the generated code, by record type ---------------------------------------------------------


@cache
def _generated(tag: str) -> tuple[Builder, Callable[[Any], dict[str, Any]]] | None:
    try:
        return generate(RECORD_TYPES[tag], tag)
    except Unsupported:
        return None


def _builder_for_tag(tag: str) -> Builder | None:
    generated = _generated(tag)
    return generated[0] if generated is not None else None


@cache
def _checked_builder_for_tag(tag: str) -> Builder | None:
    try:
        return generate_checked(RECORD_TYPES[tag], tag)
    except Unsupported:
        return None
