"""The hash chain as first written (``qse_customer.core.evidence`` at commit 530ca19), kept
verbatim (imports made absolute) as the reference the optimised module must equal byte for byte
(``test_evidence_fast.py``). Not used by the library."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

import rfc8785
from attrs import field, frozen

from qse_customer.core._frozen_json import freeze
from qse_customer.core.identity import Unit, event_units, header_units

PREFIX: Final = b"qse-customer/1"
SALT_BYTES: Final = 16

SaltSource = Callable[[int], bytes]
"""Gives ``n`` random bytes (the store passes ``os.urandom``; ``core`` reads no entropy)."""

_dumps = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
).encode


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
    return hashlib.sha256(bytes.fromhex(salt) + canonical(value)).hexdigest()


def _strings(value: Sequence[str]) -> tuple[str, ...]:
    return tuple(value)


@frozen
class Evidence:
    """What a store keeps beside a record so that its chain can be checked (see module doc)."""

    salts: Mapping[str, str] = field(factory=dict, converter=freeze)
    erased: Mapping[str, str] = field(factory=dict, converter=freeze)
    hashes: tuple[str, ...] = field(default=(), converter=_strings)

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

    @classmethod
    def from_json(cls, document: Mapping[str, Any]) -> Evidence:
        """The evidence from :meth:`to_json`'s form."""
        return cls(document["salts"], document["erased"], document["hashes"])


class ChainError(Exception):
    """A unit with neither text-and-salt nor an erased digest: the chain cannot be rebuilt."""

    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.path = path


def _digested(part: Mapping[str, Any], units: Sequence[Unit], evidence: Evidence) -> Any:
    """``part`` (the record's head or one event) as the chain sees it: each unit replaced by
    its digest, and object members whose value is null left out (so a field added to the model
    later, null in older records, does not change their hashes)."""
    copy = _deep_copy(part)
    for path, location, value in units:
        digest = evidence.erased.get(path)
        if digest is None:
            salt = evidence.salts.get(path)
            if salt is None:
                raise ChainError(path)
            digest = unit_digest(salt, value)
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
    return copy


def _deep_copy(value: Any) -> Any:
    """A copy to change, without object members whose value is null (see :func:`chained`)."""
    if isinstance(value, Mapping):
        return {key: _deep_copy(inner) for key, inner in value.items() if inner is not None}
    if isinstance(value, list | tuple):
        return [_deep_copy(inner) for inner in value]
    return value


def head_hash(document: Mapping[str, Any], evidence: Evidence) -> str:
    """``h_head`` of a record document (its events left out)."""
    head = {key: value for key, value in document.items() if key != "events"}
    canonical_head = _digested(head, list(header_units(document)), evidence)
    return hashlib.sha256(PREFIX + canonical(canonical_head)).hexdigest()


def event_hash(previous: str, event: Mapping[str, Any], index: int, evidence: Evidence) -> str:
    """``h_index`` of an event, after the hash ``previous`` (hex)."""
    view = _digested(event, list(event_units(event, index)), evidence)
    return hashlib.sha256(bytes.fromhex(previous) + canonical(view)).hexdigest()


def seal(
    document: Mapping[str, Any],
    previous: Evidence | None,
    salt_source: SaltSource,
) -> Evidence:
    """The evidence of a record document: ``previous`` extended over the events it does not yet
    cover (all of them, and the head, when ``previous`` is None), with new salts for new units."""
    events = document["events"]
    salts = dict(previous.salts) if previous is not None else {}
    erased = previous.erased if previous is not None else {}
    hashes = list(previous.hashes) if previous is not None else []
    covered = len(hashes) - 1  # events already in the chain
    fresh: list[str] = []
    if previous is None:
        fresh += [path for path, _, _ in header_units(document)]
    start = max(covered, 0)
    for index in range(start, len(events)):
        fresh += [path for path, _, _ in event_units(events[index], index)]
    if fresh:
        noise = salt_source(SALT_BYTES * len(fresh))
        for number, path in enumerate(fresh):
            salts[path] = noise[number * SALT_BYTES : (number + 1) * SALT_BYTES].hex()
    evidence = Evidence(salts, erased, ())
    if previous is None:
        hashes = [head_hash(document, evidence)]
    for index in range(start, len(events)):
        hashes.append(event_hash(hashes[-1], events[index], index, evidence))
    return Evidence(salts, erased, hashes)


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
    try:
        if not hashes or head_hash(document, evidence) != hashes[0]:
            return -1
        previous = hashes[0]
        for index, event in enumerate(events):
            if index + 1 >= len(hashes):
                return index
            found = event_hash(previous, event, index, evidence)
            if found != hashes[index + 1]:
                return index
            previous = found
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
