"""One cattrs converter for the whole library: records to and from plain dicts and JSON."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from datetime import date, datetime
from enum import Enum
from types import NoneType, UnionType
from typing import Any, Union, cast, get_args, get_origin

import attrs
import cattrs
from cattrs.errors import ClassValidationError, IterableValidationError, IterableValidationNote
from cattrs.gen import make_dict_unstructure_fn, override
from cattrs.preconf.json import make_converter
from cattrs.strategies import configure_tagged_union

from .errors import FieldError, TransitionError, ValidationError, json_problem
from .record import OMIT_IF_NONE, Record
from .record_types import RECORD_TYPES, AnyRecord
from .roles import Actor
from .schema import validate_record_document
from .survey import Answer

_FRACTION = re.compile(r"[.,](\d+)")


def _structure_datetime(value: Any, _: type) -> datetime:
    if isinstance(value, datetime):
        return value
    fraction = _FRACTION.search(value, 19) if isinstance(value, str) else None
    if fraction is not None and len(fraction.group(1)) > 6:
        # Python would silently drop the digits past the microsecond; a time is never changed.
        raise ValidationError.single(
            "$",
            f"{value!r} has {len(fraction.group(1))} decimals of seconds; at most 6 "
            "(microseconds) can be kept: round it where it came from",
        )
    return datetime.fromisoformat(value)


def _structure_date(value: Any, _: type) -> date:
    if isinstance(value, date):
        return value
    return date.fromisoformat(value)


_ACTOR_MEMO_LIMIT = 4096


def _remembered_actors(converter: cattrs.Converter) -> None:
    """Structure each distinct actor once: a lab's events name the same few people thousands of
    times, and an :class:`Actor` is immutable, so equal documents can share one object. Only an
    actor that structured without error is remembered, so a bad one is explained every time."""
    made = converter.gen_structure_attrs_fromdict(Actor)
    memo: dict[tuple[tuple[str, Any], ...], Actor] = {}

    def structure_actor(value: Any, _: type) -> Actor:
        if type(value) is not dict:
            return made(value, Actor)
        key = tuple(value.items())
        try:
            return memo[key]
        except KeyError:
            pass
        except TypeError:  # an unhashable value: not an actor anyone wrote
            return made(value, Actor)
        actor = made(value, Actor)
        if len(memo) >= _ACTOR_MEMO_LIMIT:
            memo.clear()
        if all(type(item) is str for item in value.values()):
            memo[key] = actor
        return actor

    converter.register_structure_hook(Actor, structure_actor)


def _optional(kind: Any) -> bool:
    args = get_args(kind)
    return get_origin(kind) in (Union, UnionType) and len(args) == 2 and NoneType in args


def _homogeneous_tuple(kind: Any) -> bool:
    args = get_args(kind)
    return get_origin(kind) is tuple and len(args) == 2 and args[1] is Ellipsis


def _direct_hooks(converter: cattrs.Converter) -> None:
    """``X | None`` and ``tuple[X, ...]`` with the hook for ``X`` looked up once, not on every
    value as cattrs' generic handlers do. A tuple that fails is structured again by cattrs'
    own handler, so its errors (each element's index) are exactly cattrs'."""

    def optional(kind: Any) -> Callable[[Any, Any], Any]:
        inner = next(arg for arg in get_args(kind) if arg is not NoneType)
        hook = converter.get_structure_hook(inner)
        return lambda value, _: None if value is None else hook(value, inner)

    def homogeneous(kind: Any) -> Callable[[Any, Any], Any]:
        inner = get_args(kind)[0]
        hook = converter.get_structure_hook(inner)
        explained = converter._structure_tuple

        def structure_tuple(value: Any, _: Any) -> tuple[Any, ...]:
            try:
                return tuple([hook(item, inner) for item in value])
            except Exception:
                return explained(value, kind)

        return structure_tuple

    converter.register_structure_hook_factory(_optional, optional)
    converter.register_structure_hook_factory(_homogeneous_tuple, homogeneous)


def _make_converter() -> cattrs.Converter:
    converter = make_converter(forbid_extra_keys=True)
    converter.register_unstructure_hook_func(
        lambda t: isinstance(t, type) and issubclass(t, Enum), lambda value: value.value
    )
    converter.register_unstructure_hook(datetime, lambda value: value.isoformat())
    converter.register_structure_hook(datetime, _structure_datetime)
    converter.register_unstructure_hook(date, lambda value: value.isoformat())
    converter.register_structure_hook(date, _structure_date)
    converter.register_structure_hook_func(lambda t: t == Answer, lambda value, _: value)
    converter.register_structure_hook_func(
        lambda t: t is Any or t == Mapping[str, Any], lambda value, _: value
    )
    _direct_hooks(converter)
    _remembered_actors(converter)
    for cls in RECORD_TYPES.values():
        _omit_if_none(converter, cls)
    configure_tagged_union(
        cast(Any, AnyRecord),
        converter,
        tag_generator=lambda cls: str(getattr(cls, "TYPE")),  # noqa: B009
        tag_name="type",
    )
    return converter


def _omit_if_none(converter: cattrs.Converter, cls: type[Record]) -> None:
    """Leave the fields marked :data:`~.record.OMIT_IF_NONE` (a record's ``lab``) out of the
    record's JSON when they are None, and write them last when they are not: a record of the
    default lab is the very JSON it was before the field existed."""
    names = [a.name for a in attrs.fields(cls) if a.metadata.get(OMIT_IF_NONE)]
    if not names:
        return
    overrides: dict[str, Any] = {name: override(omit=True) for name in names}
    base = make_dict_unstructure_fn(cls, converter, **overrides)

    def unstructure(record: Record) -> dict[str, Any]:
        result: dict[str, Any] = base(record)
        for name in names:
            value = getattr(record, name)
            if value is not None:
                result[name] = value
        return result

    converter.register_unstructure_hook(cls, unstructure)


converter: cattrs.Converter = _make_converter()
"""The library's one converter; plugins use it to store records the same way."""


def to_dict(record: Record) -> dict[str, Any]:
    """A record as plain JSON types, its type in a ``"type"`` field."""
    if not isinstance(record, Record):
        raise ValidationError.single("$", f"expected a record, got {type(record).__name__}")
    result: dict[str, Any] = converter.unstructure(record, unstructure_as=AnyRecord)
    return {"type": result.pop("type"), **result}


def to_json(record: Record, *, indent: int | None = None) -> str:
    """A record as a JSON document."""
    return json.dumps(to_dict(record), indent=indent, ensure_ascii=False)


def _join(prefix: str, inner: str) -> str:
    return prefix + inner[1:] if inner.startswith("$") else f"{prefix}.{inner}"


def _field_errors(error: BaseException, path: str = "$") -> list[FieldError]:
    """Flatten cattrs' nested structuring errors and the model's own into JSON-path errors."""
    if isinstance(error, ClassValidationError | IterableValidationError):
        found: list[FieldError] = []
        with_notes, without = error.group_exceptions()
        for sub, note in with_notes:
            step = (
                f"[{note.index!r}]" if isinstance(note, IterableValidationNote) else f".{note.name}"
            )
            found.extend(_field_errors(sub, path + step))
        for sub in without:
            found.extend(_field_errors(sub, path))
        return found
    if isinstance(error, ValidationError):
        return [FieldError(_join(path, e.path), e.message) for e in error.errors]
    if isinstance(error, TransitionError):
        message = error.args[0] if error.args else str(error)
        prefix = f"{error.path}: "
        if isinstance(message, str) and message.startswith(prefix):
            message = message[len(prefix) :]
        return [FieldError(_join(path, error.path), str(message))]
    return [FieldError(path, f"{type(error).__name__}: {error}")]


def from_dict(document: Mapping[str, Any], *, validate: bool = True) -> AnyRecord:
    """A record from plain JSON types, checked against its shipped schema and the model.

    Raises :class:`ValidationError` listing every bad field by JSON path; nothing half-built is
    returned. ``validate=False`` skips the JSON Schema pass (for data a store wrote itself); the
    model's own checks still run.
    """
    try:
        return _from_dict(document, validate)
    except RecursionError:
        raise ValidationError.single("$", _TOO_DEEP) from None


_TOO_DEEP = "the document is nested too deeply to be a record; flatten it"


def _from_dict(document: Mapping[str, Any], validate: bool) -> AnyRecord:
    if validate:
        tag = validate_record_document(document)
    else:
        tag = str(document.get("type")) if isinstance(document, Mapping) else ""
        if tag not in RECORD_TYPES:
            validate_record_document(document)  # raises with a clear message
    what = f"{tag} {document.get('id', '(no id)')!r}"
    try:
        record: AnyRecord = converter.structure(dict(document), AnyRecord)  # type: ignore[arg-type]
    except (cattrs.BaseValidationError, ValueError, TypeError, KeyError) as error:
        raise ValidationError(_field_errors(error), what=what) from error
    return record


def from_json(text: str | bytes) -> AnyRecord:
    """A record from a JSON document (see :func:`from_dict`)."""
    try:
        document = json.loads(text)
    except ValueError as error:  # not JSON, not UTF-8, or a number too long to read
        raise ValidationError.single(
            "$", f"expected a JSON document: {json_problem(error)}"
        ) from None
    except RecursionError:
        raise ValidationError.single("$", _TOO_DEEP) from None
    except TypeError as error:
        raise ValidationError.single(
            "$", f"expected JSON text, got {type(text).__name__}"
        ) from error
    return from_dict(document)
