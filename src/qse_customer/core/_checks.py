"""attrs validators shared by the records: each error names the field and what was expected.

A text field can hold someone's words or name, so an error about one says which type it was
given, never the value (a blank string is shown as it is: it holds nothing)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any, cast

import attrs

from .errors import FieldError, ValidationError
from .timestamps import FIRST_YEAR, LAST_YEAR


def _name(attribute: Any) -> str:
    return str(getattr(attribute, "name", "value"))


def nonempty_text(instance: object, attribute: Any, value: Any) -> None:
    """Require a non-empty string (with no lone surrogate)."""
    if not isinstance(value, str) or not value.strip():
        given = repr(value) if isinstance(value, str) else type(value).__name__
        raise ValidationError.single(
            f"$.{_name(attribute)}", f"expected a non-empty string, got {given}"
        )
    if not value.isascii():
        refuse_lone_surrogates(value, f"$.{_name(attribute)}")


LAB_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
"""What a lab's name looks like: a letter or digit, then up to 63 letters, digits, ``.``, ``_``
or ``-`` (``LAB-7``, ``north.site_2``): safe in a URL, a file name, a database setting."""

_LAB = re.compile(LAB_PATTERN)


def lab_name(value: object, path: str = "$.lab") -> str:
    """``value`` if it is a lab's name (see :data:`LAB_PATTERN`); refused naming ``path``."""
    if not isinstance(value, str) or _LAB.fullmatch(value) is None:
        raise ValidationError.single(
            path,
            "expected a lab name: a letter or digit, then up to 63 letters, digits, '.', '_' "
            f"or '-' (such as 'LAB-7'), got {value!r}",
        )
    return value


def optional_lab(instance: object, attribute: Any, value: Any) -> None:
    """Require a lab's name or None (the default lab)."""
    if value is not None:
        lab_name(value, f"$.{_name(attribute)}")


def optional_text(instance: object, attribute: Any, value: Any) -> None:
    """Require a non-empty string or None."""
    if value is not None:
        nonempty_text(instance, attribute, value)


def text(instance: object, attribute: Any, value: Any) -> None:
    """Require a string (possibly empty, with no lone surrogate)."""
    if not isinstance(value, str):
        raise ValidationError.single(
            f"$.{_name(attribute)}", f"expected a string, got {type(value).__name__}"
        )
    if not value.isascii():
        refuse_lone_surrogates(value, f"$.{_name(attribute)}")


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


def lone_surrogate(value: str, path: str) -> FieldError | None:
    """The problem with a string holding a lone surrogate (half of a UTF-16 pair: no UTF-8 file
    or database can hold it), or None."""
    if value.isascii():
        return None
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as error:
        return FieldError(
            path,
            f"holds a lone surrogate (U+{ord(value[error.start]):04X}) at character "
            f"{error.start}, which is not text: a file or database cannot hold it; fix the "
            "encoding of the data where it came from",
        )
    return None


def refuse_lone_surrogates(value: str, path: str) -> None:
    """Raise :class:`ValidationError` naming ``path`` if ``value`` holds a lone surrogate."""
    problem = lone_surrogate(value, path)
    if problem is not None:
        raise ValidationError([problem])


def _step(path: str, key: object) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    if isinstance(key, str) and lone_surrogate(key, path) is None:
        return f"{path}.{key}"
    return f"{path}[{key!a}]"  # a path must be printable itself


def _storable(value: object) -> bool:
    """Whether :func:`unstorable` would find nothing: the same walk without paths, so the
    common case (every record is fine) costs little."""
    pending = [value]
    while pending:
        item = pending.pop()
        kind = type(item)
        if kind is str:
            if not item.isascii():  # type: ignore[attr-defined]
                try:
                    item.encode("utf-8")  # type: ignore[attr-defined]
                except UnicodeEncodeError:
                    return False
        elif item is None or kind is bool or kind is int or kind is float:
            continue
        elif isinstance(item, date):
            year = item.astimezone(UTC).year if isinstance(item, datetime) else item.year
            if not FIRST_YEAR <= year <= LAST_YEAR:
                return False
        elif isinstance(item, Enum):
            continue
        elif isinstance(item, Mapping):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list | tuple | set | frozenset):
            pending.extend(item)
        elif attrs.has(kind):
            pending.extend(getattr(item, field.name) for field in attrs.fields(kind))
        elif isinstance(item, str):  # a str subclass
            pending.append(str(item))
    return True


def unstorable(value: object, path: str = "$") -> list[FieldError]:
    """Every string (key or value) holding a lone surrogate, and every date or time outside the
    years the library judges, anywhere in ``value``: a JSON document, or a record's fields
    (mappings, sequences and attrs classes are looked into)."""
    if _storable(value):
        return []
    problems: list[FieldError] = []
    pending: list[tuple[object, str]] = [(value, path)]
    while pending:
        item, where = pending.pop()
        if isinstance(item, str):
            problem = lone_surrogate(item, where)
            if problem is not None:
                problems.append(problem)
        elif isinstance(item, Enum | bool | int | float) or item is None:
            continue
        elif isinstance(item, date):
            year = item.astimezone(UTC).year if isinstance(item, datetime) else item.year
            if not FIRST_YEAR <= year <= LAST_YEAR:
                problems.append(
                    FieldError(
                        where,
                        f"{item.isoformat()} is outside the years qse-customer can judge "
                        f"({FIRST_YEAR}-{LAST_YEAR}); check the year",
                    )
                )
        elif isinstance(item, Mapping):
            for key, inner in item.items():
                problem = lone_surrogate(key, where) if isinstance(key, str) else None
                if problem is not None:
                    problems.append(FieldError(where, f"the key {key!r} {problem.message}"))
                pending.append((inner, _step(where, key)))
        elif isinstance(item, list | tuple | set | frozenset):
            pending.extend((inner, _step(where, index)) for index, inner in enumerate(item))
        elif attrs.has(type(item)):
            for attribute in attrs.fields(cast("type[attrs.AttrsInstance]", type(item))):
                pending.append((getattr(item, attribute.name), _step(where, attribute.name)))
    return sorted(problems, key=lambda problem: problem.path)


def check_storable(fields: Mapping[str, object]) -> None:
    """Refuse a record whose ``fields`` hold text with a lone surrogate, or a date or time
    outside the years the library judges (see :func:`unstorable`)."""
    problems = unstorable(fields)
    if problems:
        raise ValidationError(problems)


_UNCHECKED: dict[type, tuple[str, ...]] = {}


def unchecked_fields(cls: type) -> tuple[str, ...]:
    """The fields of an attrs class (a record's, but for its events) that no validator of this
    module nor an enumeration already keeps to storable values: those :func:`check_storable`
    must look at."""
    found = _UNCHECKED.get(cls)
    if found is None:
        checked = {nonempty_text, optional_text, optional_lab, text, boolean, positive_int}
        found = tuple(
            field.name
            for field in attrs.fields(cls)
            if field.name != "events"
            and field.init
            and field.validator not in checked
            and not (isinstance(field.converter, type) and issubclass(field.converter, Enum))
        )
        _UNCHECKED[cls] = found
    return found
