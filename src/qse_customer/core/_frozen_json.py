"""JSON data made read-only all the way down, and back: for event data, rule parameters and
evidence, which must not change once a record, rule or finding holds them."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

__all__ = ["FrozenValues", "freeze", "thaw"]

_SCALARS = (str, int, float, bool, type(None))
_SCALAR_TYPES = frozenset(_SCALARS)


class FrozenValues(dict[str, Any]):
    """A dict whose every value is :func:`freeze`'s output already (a scalar, a read-only
    mapping made by ``freeze`` or by wrapping plain JSON scalars, a tuple of them): ``freeze``
    wraps it read-only as it is, without copying it again, so a finding's evidence built from
    parts made once (a rule's limit) costs no deep copy. Its maker gives it away: nothing may
    keep or change it afterwards. Read as a mapping, it is the dict it holds."""

    __slots__ = ()


def freeze(value: Any) -> Any:
    """A read-only deep copy of JSON data: mappings become read-only, lists become tuples."""
    # Scalars are tested inline, by exact type, before a call: evidence and event data are
    # mostly scalars, and a call per scalar was most of the time.
    kind = type(value)
    if kind in _SCALAR_TYPES:
        return value
    if kind is dict or kind is MappingProxyType:
        return MappingProxyType(
            {
                key: item if type(item) in _SCALAR_TYPES else freeze(item)
                for key, item in value.items()
            }
        )
    if kind is list or kind is tuple:
        return tuple([item if type(item) in _SCALAR_TYPES else freeze(item) for item in value])
    if kind is FrozenValues:
        return MappingProxyType(value)
    if isinstance(value, Mapping):
        return MappingProxyType({key: freeze(item) for key, item in value.items()})
    if isinstance(value, list | tuple):
        return tuple(freeze(item) for item in value)
    return value


def thaw(value: Any) -> Any:
    """Plain JSON data (dicts and lists) from :func:`freeze`'s output."""
    if isinstance(value, Mapping):
        return {key: thaw(item) for key, item in value.items()}
    if isinstance(value, tuple | list):
        return [thaw(item) for item in value]
    return value
