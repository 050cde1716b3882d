"""A rule's ``applies_to`` conditions compiled into one predicate over records.

A condition names a record field (``channel``), or a key inside a mapping field
(``attributes.staff_available``), and gives a value (equality), ``{"in": [...]}`` (membership),
``{"not": value}`` or ``{"not_in": [...]}``. Booleans are compared as booleans, so ``true`` never
matches ``1``; enumerations compare by their value (``"telephone"``). All conditions must hold.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from operator import attrgetter
from typing import Any

from ..core.record import Record

Getter = Callable[[Record], Any]
_MISSING = object()


def field_getter(name: str) -> Getter:
    """A function reading field ``name`` (or ``field.key`` in a mapping field) from a record."""
    base, _, key = name.partition(".")
    read = attrgetter(base)
    if not key:
        return lambda record: getattr(record, base, _MISSING)

    def nested(record: Record) -> Any:
        mapping = read(record) if hasattr(record, base) else None
        return mapping.get(key, _MISSING) if isinstance(mapping, Mapping) else _MISSING

    return nested


def _same(value: Any, wanted: Any) -> bool:
    """Equality that keeps booleans apart from numbers."""
    if isinstance(value, bool) or isinstance(wanted, bool):
        return isinstance(value, bool) and isinstance(wanted, bool) and value is wanted
    return bool(value == wanted)


def _test(condition: Any) -> Callable[[Any], bool]:
    if isinstance(condition, Mapping):
        operator, operand = next(iter(condition.items()))
        if operator == "in":
            options = tuple(operand)
            return lambda value: any(_same(value, option) for option in options)
        if operator == "not_in":
            options = tuple(operand)
            return lambda value: (
                value is not _MISSING and not any(_same(value, option) for option in options)
            )
        return lambda value: value is not _MISSING and not _same(value, operand)
    if isinstance(condition, bool) or condition is None:
        return lambda value: value is condition
    return lambda value: not isinstance(value, bool) and value == condition


def compile_where(where: Mapping[str, Any]) -> Callable[[Record], bool] | None:
    """One predicate for all the conditions, or None when there are none."""
    if not where:
        return None
    tests = tuple((field_getter(name), _test(condition)) for name, condition in where.items())
    if len(tests) == 1:
        (read, test), *_ = tests
        return lambda record: test(read(record))

    def matches(record: Record) -> bool:
        return all(test(read(record)) for read, test in tests)

    return matches
