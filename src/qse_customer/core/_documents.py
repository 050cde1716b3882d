"""Result classes as JSON documents through the library's one converter
(:data:`qse_customer.core.serialisation.converter`).

A result class inherits :class:`Document` for its ``to_dict()``; the shape of each is the
converter's: an attrs class becomes its fields by name (enums by value, times and dates in ISO
8601, tuples as lists), unless the module that defines it registers a hook saying otherwise (a
count derived from others, keys grouped or renamed).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from cattrs.gen import make_dict_unstructure_fn, override

from .serialisation import converter

__all__ = ["Document", "converter", "field_dump", "register"]

T = TypeVar("T")


class Document:
    """A result that is a JSON document: ``to_dict()`` through the library's converter."""

    __slots__ = ()

    def to_dict(self) -> dict[str, Any]:
        """As JSON types (the shape the converter gives it; see the class's module)."""
        document: dict[str, Any] = converter.unstructure(self, type(self))
        return document


def field_dump(cls: type[Any], omit: Iterable[str] = (), **overrides: Any) -> Callable[[Any], Any]:
    """The converter's own dict of ``cls``'s fields, without those in ``omit`` (``overrides``:
    cattrs overrides by field name, ``rename=`` or ``unstruct_hook=``)."""
    given: dict[str, Any] = {name: override(omit=True) for name in omit} | overrides
    made: Callable[[Any], Any] = make_dict_unstructure_fn(cls, converter, **given)
    return made


def register(cls: type[T], hook: Callable[[T], Any]) -> None:
    """Make ``hook`` the converter's way to unstructure ``cls``."""
    converter.register_unstructure_hook(cls, hook)
