"""attrs validators shared by the records: each error names the field and what was expected.

A text field can hold someone's words or name, so an error about one says which type it was
given, never the value (a blank string is shown as it is: it holds nothing)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .errors import ValidationError


def _name(attribute: Any) -> str:
    return str(getattr(attribute, "name", "value"))


def nonempty_text(instance: object, attribute: Any, value: Any) -> None:
    """Require a non-empty string."""
    if not isinstance(value, str) or not value.strip():
        given = repr(value) if isinstance(value, str) else type(value).__name__
        raise ValidationError.single(
            f"$.{_name(attribute)}", f"expected a non-empty string, got {given}"
        )


def optional_text(instance: object, attribute: Any, value: Any) -> None:
    """Require a non-empty string or None."""
    if value is not None:
        nonempty_text(instance, attribute, value)


def text(instance: object, attribute: Any, value: Any) -> None:
    """Require a string (possibly empty)."""
    if not isinstance(value, str):
        raise ValidationError.single(
            f"$.{_name(attribute)}", f"expected a string, got {type(value).__name__}"
        )


def boolean(instance: object, attribute: Any, value: Any) -> None:
    """Require a bool (not a truthy value)."""
    if not isinstance(value, bool):
        raise ValidationError.single(
            f"$.{_name(attribute)}", f"expected true or false, got {value!r}"
        )


def positive_int(instance: object, attribute: Any, value: Any) -> None:
    """Require a whole number greater than zero."""
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValidationError.single(
            f"$.{_name(attribute)}", f"expected a whole number greater than 0, got {value!r}"
        )


def text_tuple(value: Iterable[str]) -> tuple[str, ...]:
    """Convert an iterable of strings to a tuple, refusing a bare string."""
    if isinstance(value, str):
        raise ValidationError.single("$", "expected a list of strings, got a single string")
    items = tuple(value)
    for index, item in enumerate(items):
        if not isinstance(item, str):
            raise ValidationError.single(
                f"$[{index}]", f"expected a string, got {type(item).__name__}"
            )
    return items
