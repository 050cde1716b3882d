"""Generated code that turns records into the plain dicts of :func:`qse_customer.to_dict` and
back, for the stores' hot paths.

cattrs does the same job for the whole library, generically: about 14 µs to unstructure a
complaint with three events and 80 µs to structure it again, of which most is attrs re-running
every validator and the history check. A store reads back only documents it wrote itself from
valid records (see :mod:`.documents`), so here, for each record class, one function is
generated from its attrs fields and type hints that builds the object field by field, without the
checks that already passed; and one that writes the dict in the exact key order and form
``to_dict`` gives. Small value objects made of strings only (an :class:`Actor`, a
:class:`RecordRef`) are shared between records, as they are immutable.

The tests check, for every record type hypothesis can draw, that both functions agree with
``to_dict`` / ``from_dict`` exactly. A record class with a field type this module does not know
gets no generated code, and the store falls back to cattrs for it.
"""

from __future__ import annotations

import inspect
import types
import typing
from collections.abc import Callable, Mapping
from datetime import date, datetime
from enum import Enum
from types import MappingProxyType
from typing import Any, Union, cast, get_args, get_origin

import attrs

from .._generated import run_source
from ..core._frozen_json import freeze
from ..core.history import facts_of
from ..core.record import OMIT_IF_NONE
from ..core.serialisation import converter

_SCALARS = (str, int, float, bool, type(None))
_EMPTY: Mapping[str, Any] = MappingProxyType({})  # read-only, so every empty mapping can share it
_MEMO_LIMIT = 4096


class Unsupported(Exception):
    """A field type with no generated code; that record class goes through cattrs."""


def _frozen_data(mapping: dict[str, Any]) -> Mapping[str, Any]:
    """Event data as :class:`~qse_customer.Event` holds it: read-only all the way down."""
    if not mapping:
        return _EMPTY
    for value in mapping.values():
        if type(value) not in _SCALARS:
            return cast(Mapping[str, Any], freeze(mapping))
    return MappingProxyType(mapping)


def _unstructure_any(value: Any) -> Any:
    if type(value) in _SCALARS:
        return value
    return converter.unstructure(value)


def _unstructure_mapping(mapping: Mapping[str, Any]) -> dict[str, Any]:
    return {
        key: value if type(value) in _SCALARS else converter.unstructure(value)
        for key, value in mapping.items()
    }


def _is_scalar_union(hint: Any) -> bool:
    origin = get_origin(hint)
    if origin not in (Union, types.UnionType):
        return False
    return all(arg in _SCALARS for arg in get_args(hint))


def _optional_of(hint: Any) -> Any | None:
    origin = get_origin(hint)
    args = get_args(hint)
    if origin in (Union, types.UnionType) and len(args) == 2 and type(None) in args:
        return args[0] if args[1] is type(None) else args[1]
    return None


class _Generator:
    """Writes the source of the functions for one family of classes and compiles it."""

    def __init__(self) -> None:
        self.namespace: dict[str, Any] = {
            "_new": object.__new__,
            "_set": object.__setattr__,
            "_MP": MappingProxyType,
            "_frozen_data": _frozen_data,
            "_EMPTY": _EMPTY,
            "_tuple": tuple,
            "_list": list,
            "_datetime_from": datetime.fromisoformat,
            "_date_from": date.fromisoformat,
            "_any_out": _unstructure_any,
            "_mapping_out": _unstructure_mapping,
            "_facts_of": facts_of,
        }
        self.sources: list[str] = []
        self.builders: dict[type, str] = {}
        self.encoders: dict[type, str] = {}
        self.counter = 0

    def name(self, prefix: str, value: Any = None) -> str:
        self.counter += 1
        name = f"_{prefix}{self.counter}"
        if value is not None:
            self.namespace[name] = value
        return name

    # -- JSON types to objects --------------------------------------------------------------

    def build_expression(self, hint: Any, source: str) -> str:
        if hint is Any or hint in _SCALARS or _is_scalar_union(hint):
            return source
        if hint is datetime:
            return f"_datetime_from({source})"
        if hint is date:
            return f"_date_from({source})"
        if isinstance(hint, type) and issubclass(hint, Enum):
            members = self.name("members", {member.value: member for member in hint})
            return f"{members}[{source}]"
        if isinstance(hint, type) and attrs.has(hint):
            return f"{self.builder(hint)}({source})"
        inner = _optional_of(hint)
        if inner is not None:
            variable = self.name("v")
            expression = self.build_expression(inner, variable)
            return f"(None if ({variable} := {source}) is None else {expression})"
        origin, args = get_origin(hint), get_args(hint)
        if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
            variable = self.name("x")
            expression = self.build_expression(args[0], variable)
            if expression == variable:
                return f"_tuple({source})"
            return f"_tuple([{expression} for {variable} in {source}])"
        if origin in (Mapping, typing.Mapping) and args and args[0] is str:
            if args[1] is Any:
                return f"_frozen_data({source})"
            if args[1] in _SCALARS or _is_scalar_union(args[1]):
                variable = self.name("m")
                return f"(_MP({variable}) if ({variable} := {source}) else _EMPTY)"
        raise Unsupported(hint)

    def builder(self, cls: type) -> str:
        if cls in self.builders:
            return self.builders[cls]
        name = self.name(f"build_{cls.__name__}_")
        self.builders[cls] = name
        hints = typing.get_type_hints(cls)
        fields = attrs.fields(cls)
        fields_in = [a for a in fields if a.init]
        lines = [f"def {name}(d):", f"    o = _new({self.name('cls', cls)})"]
        for attribute in fields:
            if attribute.name == "_facts" and not attribute.init:
                continue  # a record's history facts: set once its events are there
            if not attribute.init or attribute.alias != attribute.name:
                raise Unsupported(cls)
            source = (
                f"d.get({attribute.name!r})"
                if attribute.metadata.get(OMIT_IF_NONE)
                else f"d[{attribute.name!r}]"
            )
            expression = self.build_expression(hints[attribute.name], source)
            lines.append(f"    {self.assign(cls, attribute.name, expression)}")
        if any(a.name == "_facts" for a in fields):
            special = self.name("special", cls.special_kinds())  # type: ignore[attr-defined]
            lines.append(f"    {self.assign(cls, '_facts', f'_facts_of(o.events, {special})')}")
        lines.append("    return o")
        strings_only = all(
            hints[a.name] is str
            or (isinstance(hints[a.name], type) and issubclass(hints[a.name], Enum))
            for a in fields_in
        ) and len(fields_in) == len(fields)
        if strings_only:
            # Immutable values of strings only: share one object per distinct value.
            memo = self.name("memo", {})
            key = "(" + "".join(f"d[{a.name!r}], " for a in fields) + ")"
            lines = [
                f"def {name}(d):",
                f"    k = {key}",
                f"    o = {memo}.get(k)",
                "    if o is not None:",
                "        return o",
                f"    o = _new({self.name('cls', cls)})",
                *lines[2:-1],
                f"    if len({memo}) >= {_MEMO_LIMIT}:",
                f"        {memo}.clear()",
                f"    {memo}[k] = o",
                "    return o",
            ]
        self.sources.append("\n".join(lines))
        return name

    def assign(self, cls: type, attribute: str, expression: str) -> str:
        """The statement setting ``attribute`` of a new ``cls`` (``o``) to ``expression``:
        through its slot's own ``__set__`` (a third faster than ``object.__setattr__``, which
        looks the slot up every time), or ``object.__setattr__`` for an attribute kept in the
        instance's ``__dict__``."""
        slot = inspect.getattr_static(cls, attribute, None)
        if isinstance(slot, types.MemberDescriptorType):
            setter = self.name(f"set_{attribute.lstrip('_')}_", slot.__set__)
            return f"{setter}(o, {expression})"
        return f"_set(o, {attribute!r}, {expression})"

    # -- objects to JSON types --------------------------------------------------------------

    def encode_expression(self, hint: Any, source: str) -> str:
        if hint in _SCALARS or _is_scalar_union(hint):
            return source
        if hint is Any:
            return f"_any_out({source})"
        if hint in (datetime, date):
            return f"{source}.isoformat()"
        if isinstance(hint, type) and issubclass(hint, Enum):
            return f"{source}.value"
        if isinstance(hint, type) and attrs.has(hint):
            return f"{self.encoder(hint)}({source})"
        inner = _optional_of(hint)
        if inner is not None:
            variable = self.name("v")
            expression = self.encode_expression(inner, variable)
            return f"(None if ({variable} := {source}) is None else {expression})"
        origin, args = get_origin(hint), get_args(hint)
        if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
            variable = self.name("x")
            expression = self.encode_expression(args[0], variable)
            if expression == variable:
                return f"_list({source})"
            return f"[{expression} for {variable} in {source}]"
        if origin in (Mapping, typing.Mapping) and args and args[0] is str:
            return f"_mapping_out({source})"
        raise Unsupported(hint)

    def encoder(self, cls: type, tag: str | None = None) -> str:
        if cls in self.encoders:
            return self.encoders[cls]
        name = self.name(f"encode_{cls.__name__}_")
        self.encoders[cls] = name
        hints = typing.get_type_hints(cls)
        items = [f"'type': {tag!r}"] if tag is not None else []
        omitted: list[str] = []
        for attribute in attrs.fields(cls):
            if not attribute.init:
                continue
            if attribute.metadata.get(OMIT_IF_NONE):
                # Left out when None, written last otherwise: as the converter does.
                omitted.append(attribute.name)
                continue
            expression = self.encode_expression(hints[attribute.name], f"o.{attribute.name}")
            items.append(f"{attribute.name!r}: {expression}")
        body = ",\n        ".join(items)
        lines = [f"def {name}(o):", f"    r = {{\n        {body},\n    }}"]
        for field_name in omitted:
            expression = self.encode_expression(hints[field_name], "v")
            lines.append(f"    if (v := o.{field_name}) is not None:")
            lines.append(f"        r[{field_name!r}] = {expression}")
        lines.append("    return r")
        self.sources.append("\n".join(lines))
        return name

    def compile(self, what: str) -> dict[str, Any]:
        return run_source("\n\n".join(self.sources), what, self.namespace)


def generate(cls: type, tag: str) -> tuple[Callable[[Any], Any], Callable[[Any], dict[str, Any]]]:
    """The generated (builder, encoder) pair of a record class; :class:`Unsupported` if one of
    its field types has no generated code."""
    generator = _Generator()
    build = generator.builder(cls)
    encode = generator.encoder(cls, tag)
    namespace = generator.compile(f"codec for {tag} records")
    return namespace[build], namespace[encode]
