"""The hash chain over a record's history: tamper evidence an LIS can check without our code.

For a record whose document (:func:`qse_customer.to_dict`) has events ``e_0 .. e_n-1``::

    h_head = SHA-256("qse-customer/1" || canonical(head))
    h_0    = SHA-256(h_head || canonical(e_0))
    h_i    = SHA-256(h_i-1  || canonical(e_i))

where ``||`` joins bytes (a hash as its 32 raw bytes), ``head`` is the document without its
``events``, and ``canonical(x)`` is the RFC 8785 (JSON Canonicalization Scheme) form of ``x`` as
UTF-8, after object members whose value is null are left out and every identity unit
(:mod:`.identity`) is replaced by ``{"sha256": d}`` (for an actor: ``{"role": r, "sha256": d}``),
with ``d = SHA-256(salt || canonical(value))`` in hex and a
random salt per unit. The store keeps, beside each record, an :class:`Evidence`: the salts of the
units whose text is there, the digests of the units that were erased, and ``h_head``, ``h_0``,
... in hex. An erasure removes a unit's text and salt and keeps its digest, so the chain still
verifies, and the erased value can no longer be confirmed by guessing.

RFC 8785 is the ``rfc8785`` package. For the documents records make (no floats, keys in ASCII)
it is exactly Python's ``json.dumps`` with sorted keys, compact separators and no ASCII escaping;
that faster path is used when it applies and is proved equal to ``rfc8785`` by the tests.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import Any, Final

import rfc8785
from attrs import field, frozen

from ._frozen_json import freeze
from .identity import Unit, event_units, header_units

PREFIX: Final = b"qse-customer/1"
SALT_BYTES: Final = 16

SaltSource = Callable[[int], bytes]
"""Gives ``n`` random bytes (the store passes ``os.urandom``; ``core`` reads no entropy)."""

_dumps = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
).encode
# A JSON string as ``_dumps`` writes it (the C function json uses without ASCII escaping).
_string: Callable[[str], str] = json.encoder.encode_basestring
_ascii_string: Callable[[str], str] = json.encoder.encode_basestring_ascii
_compact = json.JSONEncoder(separators=(",", ":")).encode


def _simple(value: Any) -> bool:
    """True when ``json.dumps`` writes ``value`` exactly as RFC 8785 does: no floats, and
    object keys in ASCII (RFC 8785 sorts keys by UTF-16 code units, Python by code points)."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, float):
            return False
        if isinstance(item, str | int) or item is None:
            continue
        if isinstance(item, Mapping):
            for key in item:
                if not key.isascii():
                    return False
            pending.extend(item.values())
        elif isinstance(item, list | tuple):
            pending.extend(item)
        else:
            return False
    return True


def canonical(value: Any) -> bytes:
    """The RFC 8785 canonical JSON of ``value`` as UTF-8 bytes."""
    if _simple(value):
        try:
            return _dumps(value).encode("utf-8")
        except UnicodeEncodeError:
            pass  # a lone surrogate: let rfc8785 say what it makes of it
    return rfc8785.dumps(_plain(value))


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {key: _plain(inner) for key, inner in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(inner) for inner in value]
    return value


def unit_digest(salt: str, value: Any) -> str:
    """The hex digest that stands for an identity unit in the chain."""
    return hashlib.sha256(bytes.fromhex(salt) + _unit_canonical(value)).hexdigest()


def _unit_canonical(value: Any) -> bytes:
    """:func:`canonical` of a unit's value, without the general checks for the two shapes
    nearly every unit has: a text, and an actor's ``{"id": ..., "name": ...}``."""
    kind = type(value)
    try:
        if kind is str:
            return _string(value).encode("utf-8")
        if kind is dict and len(value) == 2:
            person, name = value.get("id"), value.get("name")
            if type(person) is str and type(name) is str:
                return ('{"id":' + _string(person) + ',"name":' + _string(name) + "}").encode()
    except UnicodeEncodeError:
        pass  # a lone surrogate: as canonical() does
    return canonical(value)


def _strings(value: Sequence[str]) -> tuple[str, ...]:
    return tuple(value)


@frozen
class Evidence:
    """What a store keeps beside a record so that its chain can be checked (see module doc)."""

    salts: Mapping[str, str] = field(factory=dict, converter=freeze)
    erased: Mapping[str, str] = field(factory=dict, converter=freeze)
    hashes: tuple[str, ...] = field(default=(), converter=_strings)
    _text: str | None = field(default=None, init=False, eq=False, repr=False)
    """:meth:`to_text`, when :func:`seal` wrote it as it sealed a new record (else None)."""

    @property
    def head(self) -> str | None:
        """The hash of the last event (the record's head), or None before any."""
        return self.hashes[-1] if len(self.hashes) > 1 else None

    def to_json(self) -> dict[str, Any]:
        """The evidence as plain JSON (how stores keep it)."""
        return {
            "v": 1,
            "salts": dict(self.salts),
            "erased": dict(self.erased),
            "hashes": list(self.hashes),
        }

    def to_text(self) -> str:
        """:meth:`to_json` as compact JSON text, as ``json.dumps(..., separators=(",", ":"))``
        writes it (how stores keep it), written directly."""
        if self._text is not None:
            return self._text
        salts, erased, hashes = self.salts, self.erased, self.hashes
        ascii_string = _ascii_string
        try:
            return (
                '{"v":1,"salts":{'
                + ",".join([ascii_string(k) + ":" + ascii_string(v) for k, v in salts.items()])
                + '},"erased":{'
                + ",".join([ascii_string(k) + ":" + ascii_string(v) for k, v in erased.items()])
                + '},"hashes":['
                + ",".join([ascii_string(h) for h in hashes])
                + "]}"
            )
        except TypeError:  # not all texts (evidence read from a damaged store): as json does
            return _compact(self.to_json())

    @classmethod
    def from_json(cls, document: Mapping[str, Any]) -> Evidence:
        """The evidence from :meth:`to_json`'s form."""
        return cls(document["salts"], document["erased"], document["hashes"])


class ChainError(Exception):
    """A unit with neither text-and-salt nor an erased digest: the chain cannot be rebuilt."""

    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.path = path


# -- how the chain sees a part: the plain definition, and the fast path that equals it --------
#
# The plain path (_digested, then canonical) follows the definition in the module's doc. Sealing
# runs for every record a store writes, so the parts nearly every record has (an event with
# empty data, a record's own fields of JSON strings and numbers) take a fast path that writes
# the same bytes without the general copies and checks; tests/test_evidence_fast.py proves it
# equal, byte for byte, to the implementation first written.

_Digest = Callable[[str, Any], str]
"""Gives the digest standing for the unit at a path with a value (or raises ChainError)."""


def _digester(
    salts: Mapping[str, str], erased: Mapping[str, str], fresh: Mapping[str, bytes] | None
) -> _Digest:
    """The digest of each unit: kept where the unit was erased, else from its salt (``fresh``
    holds salts just drawn, as bytes)."""

    def digest(path: str, value: Any) -> str:
        found = erased.get(path)
        if found is not None:
            return found
        raw = fresh.get(path) if fresh is not None else None
        if raw is None:
            salt = salts.get(path)
            if salt is None:
                raise ChainError(path)
            raw = bytes.fromhex(salt)
        return hashlib.sha256(raw + _unit_canonical(value)).hexdigest()

    return digest


def _digested(part: Mapping[str, Any], units: Sequence[Unit], digest_of: _Digest) -> Any:
    """``part`` (the record's head or one event) as the chain sees it: each unit replaced by
    its digest, and object members whose value is null left out (so a field added to the model
    later, null in older records, does not change their hashes)."""
    copy = _deep_copy(part)
    _replace_units(copy, units, digest_of)
    return copy


def _replace_units(copy: Any, units: Sequence[Unit], digest_of: _Digest) -> None:
    for path, location, value in units:
        digest = digest_of(path, value)
        node: Any = copy
        for step in location[:-1]:
            node = node[step]
        last = location[-1]
        replacement: dict[str, Any] = {"sha256": digest}
        # An event's actor (or a replacement's) keeps its role beside the digest; a data entry
        # that happens to be called "actor" is a unit like any other.
        is_actor = last == "actor" and (len(location) == 1 or location[-2] == "replacement")
        if is_actor and isinstance(node.get(last), Mapping):
            replacement = {"role": node[last].get("role"), "sha256": digest}
        node[last] = replacement


def _deep_copy(value: Any) -> Any:
    """A copy to change, without object members whose value is null (see :func:`chained`)."""
    if isinstance(value, Mapping):
        return {key: _deep_copy(inner) for key, inner in value.items() if inner is not None}
    if isinstance(value, list | tuple):
        return [_deep_copy(inner) for inner in value]
    return value


class _Unusual(Exception):
    """A value the fast path leaves to the plain one (a float, a tuple, a non-ASCII key...)."""


def _stripped(value: Any) -> Any:
    """:func:`_deep_copy` for plain dicts, lists, texts, integers and booleans with ASCII keys
    (then :func:`_simple` holds for the copy with its units replaced); raises :class:`_Unusual`
    for anything else."""
    kind = type(value)
    if kind is dict:
        copy = {}
        for key, inner in value.items():
            if inner is None:
                continue
            if type(key) is not str or not key.isascii():
                raise _Unusual
            of = type(inner)
            copy[key] = inner if of is str or of is int or of is bool else _stripped(inner)
        return copy
    if kind is list:
        return [
            inner
            if (of := type(inner)) is str or of is int or of is bool or inner is None
            else _stripped(inner)
            for inner in value
        ]
    if kind is str or kind is int or kind is bool or value is None:
        return value
    raise _Unusual


def _view(part: Mapping[str, Any], units: Sequence[Unit], digest_of: _Digest) -> bytes:
    """``canonical(_digested(part, units, digest_of))``, without its second look at the data
    when the part is made of plain JSON types."""
    try:
        copy = _stripped(part)
    except _Unusual:
        return canonical(_digested(part, units, digest_of))
    _replace_units(copy, units, digest_of)
    try:
        return _dumps(copy).encode("utf-8")
    except UnicodeEncodeError:
        return rfc8785.dumps(_plain(copy))


_Shape = tuple[str, str, str | None, str, str, str, str | None]
"""An event of the common shape: its kind, at, actor's role (None: no actor), id and name
(unused without an actor), note and recorded_at."""


def _shape(event: Any) -> _Shape | None:
    """The parts of an event whose canonical form :func:`_event_text` writes directly (every
    field a text, an actor of texts or none, empty data), or None for any other event."""
    # Six members, each of them found: the keys are exactly these.
    if type(event) is not dict or len(event) != 6:
        return None
    try:
        kind, at, actor, data = event["kind"], event["at"], event["actor"], event["data"]
        note, recorded = event["note"], event["recorded_at"]
    except KeyError:
        return None
    if (
        type(kind) is not str
        or type(at) is not str
        or type(data) is not dict
        or data
        or type(note) is not str
        or not (recorded is None or type(recorded) is str)
    ):
        return None
    if actor is None:
        return kind, at, None, "", "", note, recorded
    # An actor's other members, if any, are not in the chain (it holds its role and the digest
    # of its id and name): they need no look.
    if type(actor) is not dict:
        return None
    try:
        role, person, name = actor["role"], actor["id"], actor["name"]
    except KeyError:
        return None
    if type(role) is not str or type(person) is not str or type(name) is not str:
        return None
    return kind, at, role, person, name, note, recorded


# The same staff act in record after record: their canonical id and name are kept.
_actor_units: dict[tuple[str, str], bytes] = {}
_ACTOR_UNITS_KEPT = 4096


def _actor_unit(person: str, name: str) -> bytes:
    """``canonical({"id": person, "name": name})``; UnicodeEncodeError for a lone surrogate."""
    key = (person, name)
    found = _actor_units.get(key)
    if found is None:
        found = ('{"id":' + _string(person) + ',"name":' + _string(name) + "}").encode("utf-8")
        if len(_actor_units) >= _ACTOR_UNITS_KEPT:
            _actor_units.clear()
        _actor_units[key] = found
    return found


def _event_text(shape: _Shape, actor: str, note: str) -> bytes:
    """The canonical bytes of an event of :func:`_shape`, given the digests of its actor and
    its note (unused when it has none); UnicodeEncodeError for a lone surrogate."""
    kind, at, role, _, _, text, recorded = shape
    written = "{" if role is None else '{"actor":{"role":' + _string(role) + ',"sha256":"'
    if role is not None:
        written += actor + '"},'
    written += '"at":' + _string(at) + ',"data":{},"kind":' + _string(kind)
    written += ',"note":{"sha256":"' + note + '"}' if text else ',"note":""'
    if recorded is not None:
        written += ',"recorded_at":' + _string(recorded)
    return (written + "}").encode("utf-8")


def _event_view(event: Mapping[str, Any], index: int, digest_of: _Digest) -> bytes:
    """The canonical bytes of an event as the chain sees it (``canonical`` of its digested
    copy); written directly for an event of the common shape."""
    shape = _shape(event)
    if shape is not None:
        path = f"$.events[{index}]"
        _, _, role, person, name, note, _ = shape
        try:
            actor = "" if role is None else digest_of(path + ".actor", {"id": person, "name": name})
            noted = digest_of(path + ".note", note) if note else ""
            return _event_text(shape, actor, noted)
        except UnicodeEncodeError:
            pass  # a lone surrogate: the general path says what becomes of it
    return _view(event, list(event_units(event, index)), digest_of)


def _head_view(
    document: Mapping[str, Any], units: Sequence[Unit] | None, digest_of: _Digest
) -> bytes:
    """The canonical bytes of a record's own fields (its events left out) as the chain sees
    them; ``units`` are its header units when known."""
    if units is None:
        units = list(header_units(document))
    written = _head_sorted(document, units, digest_of)
    if written is None:
        written = _head_text(document, units, digest_of)
    if written is not None:
        return written
    if type(document) is dict:
        try:
            copy = _stripped_head(document)
        except _Unusual:
            pass
        else:
            _replace_units(copy, units, digest_of)
            try:
                return _dumps(copy).encode("utf-8")
            except UnicodeEncodeError:
                return rfc8785.dumps(_plain(copy))
    head = {key: value for key, value in document.items() if key != "events"}
    return _view(head, units, digest_of)


def _orjson_dumps() -> Callable[..., bytes] | None:
    try:
        import orjson
    except ImportError:
        return None
    dumps: Callable[..., bytes] = orjson.dumps
    return dumps


_sorted_dumps = _orjson_dumps()
_SORT_KEYS: Final = 1 << 5  # orjson.OPT_SORT_KEYS
_HEAD_PLAIN: Final = frozenset((str, int, bool))
_ascii_names: dict[tuple[Any, ...], bool] = {}


def _head_sorted(
    document: Mapping[str, Any], units: Sequence[Unit], digest_of: _Digest
) -> bytes | None:
    """:func:`_head_view` by orjson with sorted keys, where it writes what ``_dumps`` writes
    (orjson and ``json`` escape every character alike; a test holds them to it): object keys in
    ASCII at every depth (then UTF-8, code point and UTF-16 orders agree), values of JSON types
    with no float (:func:`_stripped`, which also leaves out null members), integers within 64
    bits and no lone surrogate (orjson refuses those); None for anything else, or without
    orjson (the ``fast`` extra)."""
    dumps = _sorted_dumps
    if dumps is None or type(document) is not dict:
        return None
    names = tuple(document)
    plain = _ascii_names.get(names)
    if plain is None:
        plain = all(type(name) is str and name.isascii() for name in names)
        if len(_ascii_names) < _HEAD_ORDERS_KEPT:
            _ascii_names[names] = plain
    if not plain:
        return None
    allowed = _HEAD_PLAIN
    try:
        # A list or an object: copied without its null members, checked all the way down.
        head = {
            name: value if type(value) in allowed else _stripped(value)
            for name, value in document.items()
            if value is not None and name != "events"
        }
    except _Unusual:  # a float, a non-ASCII key...
        return None
    for path, location, value in units:
        name = location[0]
        if type(name) is not str or name == "actor":
            return None
        digest = {"sha256": digest_of(path, value)}
        if len(location) == 1:
            head[name] = digest
        else:  # an item of a list (header units are fields or items of list fields)
            head[name][location[1]] = digest  # in the copy _stripped made
    try:
        return dumps(head, option=_SORT_KEYS)
    except TypeError:  # an integer beyond 64 bits, a lone surrogate: as _dumps cannot
        return None


# A record type's fields come in the same order in every document: each order is sorted once.
_head_orders: dict[tuple[Any, ...], tuple[str, ...]] = {}
_HEAD_ORDERS_KEPT = 256


def _head_text(
    document: Mapping[str, Any], units: Sequence[Unit], digest_of: _Digest
) -> bytes | None:
    """:func:`_head_view` written directly for a record of JSON texts, integers, booleans and
    empty lists, whose identity units are whole fields or every item of a list (as every record
    type's are); None for anything else."""
    if type(document) is not dict:
        return None
    names = tuple(document)
    order = _head_orders.get(names)
    if order is None:
        if not all(type(name) is str and name.isascii() for name in names):
            return None
        order = tuple(sorted(name for name in names if name != "events"))
        if len(_head_orders) < _HEAD_ORDERS_KEPT:
            _head_orders[names] = order
    standing: dict[str, str] = {}  # a field's JSON where units stand in for it
    items: dict[str, list[str]] = {}
    for path, location, value in units:
        name = location[0]
        if type(name) is not str or name == "actor":
            return None
        digest = '{"sha256":"' + digest_of(path, value) + '"}'
        if len(location) == 1:
            standing[name] = digest
        elif len(location) == 2 and location[1] == len(items.setdefault(name, [])):
            items[name].append(digest)
        else:
            return None
    for name, digests in items.items():
        if type(document.get(name)) is not list or len(document[name]) != len(digests):
            return None
        standing[name] = "[" + ",".join(digests) + "]"
    parts = []
    for name in order:
        value = document[name]
        if value is None:
            continue
        text = standing.get(name)
        if text is None:
            kind = type(value)
            if kind is str:
                text = _string(value)
            elif kind is bool:
                text = "true" if value else "false"
            elif kind is int:
                text = int.__repr__(value)
            elif kind is list and not value:
                text = "[]"
            else:
                return None
        parts.append(_string(name) + ":" + text)
    try:
        return ("{" + ",".join(parts) + "}").encode("utf-8")
    except UnicodeEncodeError:
        return None


def _stripped_head(document: dict[str, Any]) -> dict[str, Any]:
    """:func:`_stripped` of a record document without its events (one copy, not two)."""
    copy = {}
    for key, inner in document.items():
        if inner is None or key == "events":
            continue
        if type(key) is not str or not key.isascii():
            raise _Unusual
        of = type(inner)
        copy[key] = inner if of is str or of is int or of is bool else _stripped(inner)
    return copy


def head_hash(document: Mapping[str, Any], evidence: Evidence) -> str:
    """``h_head`` of a record document (its events left out)."""
    digest_of = _digester(evidence.salts, evidence.erased, None)
    return hashlib.sha256(PREFIX + _head_view(document, None, digest_of)).hexdigest()


def event_hash(previous: str, event: Mapping[str, Any], index: int, evidence: Evidence) -> str:
    """``h_index`` of an event, after the hash ``previous`` (hex)."""
    digest_of = _digester(evidence.salts, evidence.erased, None)
    view = _event_view(event, index, digest_of)
    return hashlib.sha256(bytes.fromhex(previous) + view).hexdigest()


def seal(
    document: Mapping[str, Any],
    previous: Evidence | None,
    salt_source: SaltSource,
) -> Evidence:
    """The evidence of a record document: ``previous`` extended over the events it does not yet
    cover (all of them, and the head, when ``previous`` is None), with new salts for new units."""
    if previous is None:
        made = _seal_new(document, salt_source)
        if made is not None:
            return made
    events = document["events"]
    head_units: list[Unit] | None = None
    fresh: list[str] = []
    if previous is None:
        salts: dict[str, str] = {}
        erased: Mapping[str, str] = {}
        hashes: list[str] = []
        head_units = list(header_units(document))
        fresh += [path for path, _, _ in head_units]
    else:
        salts = dict(previous.salts)
        erased = previous.erased
        hashes = list(previous.hashes)
    start = max(len(hashes) - 1, 0)  # the first event not yet in the chain
    # Salts are drawn in one call, in the order of the units (header, then event by event).
    shapes: list[_Shape | None] = []
    for index in range(start, len(events)):
        event = events[index]
        shape = _shape(event)
        shapes.append(shape)
        if shape is None:
            fresh += [path for path, _, _ in event_units(event, index)]
            continue
        if shape[2] is not None:
            fresh.append(f"$.events[{index}].actor")
        if shape[5]:
            fresh.append(f"$.events[{index}].note")
    drawn: dict[str, bytes] = {}
    if fresh:
        noise = salt_source(SALT_BYTES * len(fresh))
        for number, path in enumerate(fresh):
            raw = noise[number * SALT_BYTES : (number + 1) * SALT_BYTES]
            drawn[path] = raw
            salts[path] = raw.hex()
    digest_of = _digester(salts, erased, drawn)
    sha256 = hashlib.sha256
    if previous is None:
        head = sha256(PREFIX + _head_view(document, head_units, digest_of)).digest()
        hashes = [head.hex()]
    elif start < len(events):
        head = bytes.fromhex(hashes[-1])
    for index, shape in enumerate(shapes, start):
        view = None
        if shape is not None and not erased:
            # New units of the common shape: their salts were just drawn.
            _, _, role, person, name, note, _ = shape
            try:
                actor = noted = ""
                if role is not None:
                    unit = _actor_unit(person, name)
                    actor = sha256(drawn[f"$.events[{index}].actor"] + unit).hexdigest()
                if note:
                    unit = _string(note).encode("utf-8")
                    noted = sha256(drawn[f"$.events[{index}].note"] + unit).hexdigest()
                view = _event_text(shape, actor, noted)
            except UnicodeEncodeError:
                pass  # a lone surrogate: the general path says what becomes of it
        if view is None:
            view = _event_view(events[index], index, digest_of)
        head = sha256(head + view).digest()
        hashes.append(head.hex())
    return _evidence(salts, erased, hashes)


# For the first events: the paths of the actor and the note, and the start of their salts'
# members in the evidence's JSON (paths of ASCII letters, digits, "$", ".", "[" and "]": no
# escape needed).
_EVENT_PATHS: Final = tuple(
    (path + "actor", '"' + path + 'actor":"', path + "note", '"' + path + 'note":"')
    for path in (f"$.events[{index}]." for index in range(64))
)
# Parts of an event's canonical text that depend on one field only, for the roles and kinds met.
_role_parts: dict[str, str] = {}
_kind_parts: dict[str, str] = {}
_PARTS_KEPT = 1024
_NOTHING_ERASED: Final[Mapping[str, str]] = MappingProxyType({})


def _event_paths(index: int) -> tuple[str, str, str, str]:
    """``_EVENT_PATHS[index]``, for any index."""
    if index < len(_EVENT_PATHS):
        return _EVENT_PATHS[index]
    path = f"$.events[{index}]."
    return path + "actor", '"' + path + 'actor":"', path + "note", '"' + path + 'note":"'


def _role_part(role: str) -> str:
    """``'{"actor":{"role":' + _string(role) + ',"sha256":"'``, kept per role."""
    found = _role_parts.get(role)
    if found is None:
        found = '{"actor":{"role":' + _string(role) + ',"sha256":"'
        if len(_role_parts) >= _PARTS_KEPT:
            _role_parts.clear()
        _role_parts[role] = found
    return found


def _kind_part(kind: str) -> str:
    """``',"data":{},"kind":' + _string(kind)``, kept per kind."""
    found = _kind_parts.get(kind)
    if found is None:
        found = ',"data":{},"kind":' + _string(kind)
        if len(_kind_parts) >= _PARTS_KEPT:
            _kind_parts.clear()
        _kind_parts[kind] = found
    return found


def _seal_new(document: Mapping[str, Any], salt_source: SaltSource) -> Evidence | None:
    """:func:`seal` of a record not yet sealed whose events all have the common shape (what a
    store does for every record it inserts), without the general machinery, and the evidence's
    text (:meth:`Evidence.to_text`) written as it goes; None for any other document, before
    drawing salts."""
    events = document.get("events")
    if type(events) is not list:
        return None
    shapes: list[_Shape] = []
    count = 0
    for event in events:
        shape = _shape(event)
        if shape is None:
            return None
        shapes.append(shape)
        count += (shape[2] is not None) + (shape[5] != "")
    head_units = list(header_units(document))
    count += len(head_units)
    noise = salt_source(SALT_BYTES * count) if count else b""
    hexed = noise.hex()
    sha256 = hashlib.sha256
    salts: dict[str, str] = {}
    texts: list[str] = []  # the salts' members in the evidence's JSON
    digests: dict[str, str] = {}
    at = 0  # the next salt's offset in noise
    for path, _, value in head_units:
        salt = salts[path] = hexed[2 * at : 2 * at + 2 * SALT_BYTES]
        texts.append(_ascii_string(path) + ':"' + salt + '"')
        digests[path] = sha256(noise[at : at + SALT_BYTES] + _unit_canonical(value)).hexdigest()
        at += SALT_BYTES
    head = sha256(PREFIX + _head_view(document, head_units, lambda p, _: digests[p])).digest()
    hashes = [head.hex()]
    recorded_for: str | None = None
    recorded_part = "}"
    role_parts, kind_parts, actor_units = _role_parts, _kind_parts, _actor_units
    end = 2 * at + 2 * SALT_BYTES  # of the next salt in hexed
    for index, (kind, when, role, person, name, note, recorded) in enumerate(shapes):
        actor_path, actor_member, note_path, note_member = _event_paths(index)
        if role is not None:
            salt = salts[actor_path] = hexed[end - 2 * SALT_BYTES : end]
            texts.append(actor_member + salt + '"')
            unit = actor_units.get((person, name))
            if unit is None:
                try:
                    unit = _actor_unit(person, name)
                except UnicodeEncodeError:
                    unit = _unit_canonical({"id": person, "name": name})
            actor = sha256(noise[at : at + SALT_BYTES] + unit).hexdigest()
            at += SALT_BYTES
            end += 2 * SALT_BYTES
            start = (role_parts.get(role) or _role_part(role)) + actor + '"},"at":'
        else:
            start = '{"at":'
        if note:
            salt = salts[note_path] = hexed[end - 2 * SALT_BYTES : end]
            texts.append(note_member + salt + '"')
            noted = sha256(noise[at : at + SALT_BYTES] + _unit_canonical(note)).hexdigest()
            at += SALT_BYTES
            end += 2 * SALT_BYTES
            noted = ',"note":{"sha256":"' + noted + '"}'
        else:
            noted = ',"note":""'
        if recorded != recorded_for:  # the events of a record written at once share a stamp
            recorded_for = recorded
            recorded_part = "}" if recorded is None else ',"recorded_at":' + _string(recorded) + "}"
        # _event_text(shape, actor, noted), from parts kept per role and per kind
        try:
            view = (
                start
                + _string(when)
                + (kind_parts.get(kind) or _kind_part(kind))
                + noted
                + recorded_part
            ).encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate: the general path, from the same salts
            view = _event_view(events[index], index, _digester(salts, {}, None))
        head = sha256(head + view).digest()
        hashes.append(head.hex())
    made = _evidence(salts, _NOTHING_ERASED, hashes)
    object.__setattr__(
        made,
        "_text",
        '{"v":1,"salts":{'
        + ",".join(texts)
        + '},"erased":{},"hashes":["'
        + '","'.join(hashes)
        + '"]}',
    )
    return made


def _evidence(salts: dict[str, str], erased: Mapping[str, str], hashes: list[str]) -> Evidence:
    """``Evidence(salts, erased, hashes)`` for a ``salts`` dict of texts no one else holds:
    read-only without the copy its converter makes."""
    made = object.__new__(Evidence)
    object.__setattr__(made, "salts", MappingProxyType(salts))
    object.__setattr__(made, "erased", erased if erased is _NOTHING_ERASED else freeze(erased))
    object.__setattr__(made, "hashes", tuple(hashes))
    object.__setattr__(made, "_text", None)
    return made


def erase(evidence: Evidence, document: Mapping[str, Any], paths: Sequence[str]) -> Evidence:
    """The evidence after the units at ``paths`` were erased from the record: their digests kept
    (computed from ``document`` *before* the erasure), their salts dropped; hashes unchanged."""
    values = {path: value for path, _, value in header_units(document)}
    for index, event in enumerate(document["events"]):
        values.update((path, value) for path, _, value in event_units(event, index))
    salts = dict(evidence.salts)
    erased = dict(evidence.erased)
    for path in paths:
        if path in erased:
            continue
        salt = salts.pop(path, None)
        if salt is None or path not in values:
            raise ChainError(path)
        erased[path] = unit_digest(salt, values[path])
    return Evidence(salts, erased, evidence.hashes)


def first_difference(document: Mapping[str, Any], evidence: Evidence) -> int | None:
    """Where the chain breaks: ``-1`` for the record itself, the index of the first event whose
    hash differs (or that has none, or a stored hash without an event), or None when it holds."""
    events = document["events"]
    hashes = evidence.hashes
    digest_of = _digester(evidence.salts, evidence.erased, None)
    sha256 = hashlib.sha256
    try:
        if not hashes:
            return -1
        head = sha256(PREFIX + _head_view(document, None, digest_of)).digest()
        if head.hex() != hashes[0]:
            return -1
        for index, event in enumerate(events):
            if index + 1 >= len(hashes):
                return index
            head = sha256(head + _event_view(event, index, digest_of)).digest()
            if head.hex() != hashes[index + 1]:
                return index
    except ChainError as error:
        return _index_of(error.path)
    except (KeyError, TypeError, ValueError, IndexError):
        return -1
    if len(hashes) != len(events) + 1:
        return len(events)
    return None


def _index_of(path: str) -> int:
    if path.startswith("$.events["):
        return int(path[len("$.events[") : path.index("]")])
    return -1
