"""Generated code that turns records into the plain dicts of :func:`qse_customer.to_dict` and
back, for the stores' hot paths.

cattrs does the same job for the whole library, generically: about 14 µs to unstructure a
complaint with three events and 80 µs to structure it again, of which most is attrs re-running
every validator and the history check. A store reads back only documents it wrote itself from
valid records (see :mod:`.documents`), so here, for each record class, one function is
generated from its attrs fields and type hints that builds the object field by field, without the
checks that already passed; and one that writes the dict in the exact key order and form
``to_dict`` gives. Small value objects made of strings only (an :class:`Actor`, a
:class:`RecordRef`) are shared between records, as they are immutable. A record's history facts
are left to be found when first asked (:attr:`~qse_customer.Record.history_facts`). An object
is filled as a shell of its class, then made one (see :func:`_shell`).

A second builder (:func:`generate_checked`) takes the JSON types as orjson reads them. orjson
reads an integer beyond 64 bits as a float, so wherever a value that may be a number is read
(a field of type ``int``, ``float`` or ``Any``, event data) that builder raises
:class:`Inexact` on a float, and the store reads that document again as
:func:`~._documents.load_document` does (through the standard library if it has a run of 19
digits). A document without a float (nearly every one) is never scanned for long numbers.

The tests check, for every record type hypothesis can draw, that both functions agree with
``to_dict`` / ``from_dict`` exactly. A record class with a field type this module does not know
gets no generated code, and the store falls back to cattrs for it.
"""

from __future__ import annotations

import inspect
import keyword
import types
import typing
from collections.abc import Callable, Mapping
from datetime import date, datetime
from enum import Enum
from types import MappingProxyType
from typing import Any, Final, Union, cast, get_args, get_origin

import attrs

from .._generated import run_source
from ..core._frozen_json import freeze
from ..core.record import OMIT_IF_NONE
from ..core.serialisation import converter

_SCALARS = (str, int, float, bool, type(None))
_TEXTS = (str, int, bool, type(None))  # the scalars orjson reads exactly as the standard library
_EMPTY: Mapping[str, Any] = MappingProxyType({})  # read-only, so every empty mapping can share it
_MEMO_LIMIT = 4096
_UNROLLED = 4  # the most items of a tuple of attrs objects built without a loop


class Unsupported(Exception):
    """A field type with no generated code; that record class goes through cattrs."""


class Inexact(Exception):
    """Raised by a builder for orjson's reading (:func:`generate_checked`) where a number field
    holds a float: orjson reads an integer beyond 64 bits as one, so the standard library's
    reading of that document may differ."""


def _exact(value: Any) -> Any:
    """``value`` (JSON types), unless it holds a float anywhere: :class:`Inexact` then."""
    kind = type(value)
    if kind is float:
        raise Inexact
    if kind is dict:
        for item in value.values():
            if type(item) not in _TEXTS:
                _exact(item)
    elif kind is list:
        for item in value:
            if type(item) not in _TEXTS:
                _exact(item)
    return value


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


_last_stamp: list[tuple[Any, str]] = [(None, "")]
"""The last optional time the encoders wrote and its ISO text (one pair, replaced whole: a
thread reads a consistent pair)."""


def _stamp_text(moment: datetime) -> str:
    """``moment.isoformat()``, kept as the last optional time written."""
    text = moment.isoformat()
    _last_stamp[0] = (moment, text)
    return text


_STAMPS_KEPT: Final = 256
_stamps_read: dict[str, datetime] = {}
"""The optional times the builders parsed, after their ISO texts (at most :data:`_STAMPS_KEPT`,
then forgotten all at once). A store stamps every event it writes at once with one instant, and
a lab that enters its records day by day stamps them with few: the events of a record and of
the records saved together share a handful of texts. A datetime is immutable, so records may
share it."""


def _read_stamp(text: str) -> datetime:
    """``datetime.fromisoformat(text)``, kept for the next time ``text`` is read."""
    moment = datetime.fromisoformat(text)
    if len(_stamps_read) >= _STAMPS_KEPT:
        _stamps_read.clear()
    _stamps_read[text] = moment
    return moment


def _is_scalar_union(hint: Any) -> bool:
    origin = get_origin(hint)
    if origin not in (Union, types.UnionType):
        return False
    return all(arg in _SCALARS for arg in get_args(hint))


def _may_be_number(hint: Any) -> bool:
    """Whether a JSON value read for ``hint`` may be a number."""
    if hint is Any or hint is int or hint is float:
        return True
    return get_origin(hint) in (Union, types.UnionType) and any(
        _may_be_number(arg) for arg in get_args(hint)
    )


def _inexact() -> Any:
    raise Inexact


def _shell(cls: type, attributes: list[str]) -> type | None:
    """A class to fill a new ``cls`` in, then turned into ``cls`` (``o.__class__ = cls``), or
    None where that cannot be done.

    Setting an attrs class's slot costs a call (about 48 ns: its ``__setattr__`` refuses, as the
    class is frozen, and only the slot's own ``__set__`` is left), while a plain store to a slot
    of a class whose ``__setattr__`` is ``object``'s takes a few ns. The shell is a subclass of
    ``cls`` adding nothing (no slot, so CPython lets its object become a ``cls``) whose
    ``__setattr__`` and ``__delattr__`` are ``object``'s; the builder stores every attribute,
    then sets the object's class, so no shell ever leaves it. Only for attributes all kept in
    slots, with names a store statement can spell, of a class whose subclasses are made by
    ``type`` alone (no metaclass, no ``__init_subclass__`` that a shell would call)."""
    if type(cls) is not type or any("__init_subclass__" in vars(k) for k in cls.__mro__[:-1]):
        return None
    if not attributes or not all(
        name.isidentifier()
        and not keyword.iskeyword(name)
        and not name.startswith("__")
        and isinstance(inspect.getattr_static(cls, name, None), types.MemberDescriptorType)
        for name in attributes
    ):
        return None
    try:
        shell = type(
            f"_Shell_{cls.__name__}",
            (cls,),
            {
                "__slots__": (),
                "__setattr__": object.__setattr__,
                "__delattr__": object.__delattr__,
                "__module__": __name__,
            },
        )
        probe: Any = object.__new__(shell)
        probe.__class__ = cls
    except TypeError:  # a class that cannot be subclassed, or an object that cannot move
        return None
    if type(probe) is not cls or shell.__basicsize__ != cls.__basicsize__:
        return None  # pragma: no cover - CPython moves an object only between equal layouts
    return shell


def _optional_of(hint: Any) -> Any | None:
    origin = get_origin(hint)
    args = get_args(hint)
    if origin in (Union, types.UnionType) and len(args) == 2 and type(None) in args:
        return args[0] if args[1] is type(None) else args[1]
    return None


class _Generator:
    """Writes the source of the functions for one family of classes and compiles it."""

    def __init__(self, checked: bool = False) -> None:
        self.checked = checked
        """Build from orjson's reading: a float where a number may be raises :class:`Inexact`."""
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
            "_exact": _exact,
            "_float": float,
            "_inexact": _inexact,
            "_last_stamp": _last_stamp,
            "_stamp_text": _stamp_text,
            "_stamps_read": _stamps_read,
            "_read_stamp": _read_stamp,
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
        if hint is Any:
            return f"_exact({source})" if self.checked else source
        if hint in _SCALARS or _is_scalar_union(hint):
            if self.checked and _may_be_number(hint):
                variable = self.name("n")
                return f"(_inexact() if type({variable} := {source}) is _float else {variable})"
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
            if inner is datetime:
                # An optional time is most often a store's stamp, the same text for every event
                # written at once: the times parsed are kept after their texts.
                expression = f"(_stamps_read.get({variable}) or _read_stamp({variable}))"
            else:
                expression = self.build_expression(inner, variable)
            return f"(None if ({variable} := {source}) is None else {expression})"
        origin, args = get_origin(hint), get_args(hint)
        if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
            variable = self.name("x")
            expression = self.build_expression(args[0], variable)
            if expression == variable:
                return f"_tuple({self.exact(args[0], source)})"
            listed = f"_tuple([{expression} for {variable} in {source}])"
            if isinstance(args[0], type) and attrs.has(args[0]):
                # A record's events, mostly few: built into a tuple display for up to
                # _UNROLLED of them (no comprehension's function, list and tuple call; about
                # 110 ns a record), in order, as the comprehension does.
                items, count = self.name("l"), self.name("c")
                choices = []
                for size in range(1, _UNROLLED + 1):
                    built = "".join(
                        f"{self.build_expression(args[0], f'{items}[{index}]')}, "
                        for index in range(size)
                    )
                    test = (
                        f"(({count} := len({items} := {source})) == 1)"
                        if size == 1
                        else f"{count} == {size}"
                    )
                    choices.append(f"({built}) if {test} else ")
                fallback = f"_tuple([{expression} for {variable} in {items}])"
                return "(" + "".join(choices) + fallback + ")"
            return listed
        if origin in (Mapping, typing.Mapping) and args and args[0] is str:
            if args[1] is Any:
                variable = self.name("m")
                data = self.exact(Any, variable)
                return f"(_frozen_data({data}) if ({variable} := {source}) else _EMPTY)"
            if args[1] in _SCALARS or _is_scalar_union(args[1]):
                variable = self.name("m")
                data = self.exact(args[1], variable)
                return f"(_MP({data}) if ({variable} := {source}) else _EMPTY)"
        raise Unsupported(hint)

    def exact(self, hint: Any, source: str) -> str:
        """``source``, checked for floats if it may hold numbers and this generator builds from
        orjson's reading."""
        return f"_exact({source})" if self.checked and _may_be_number(hint) else source

    def builder(self, cls: type) -> str:
        if cls in self.builders:
            return self.builders[cls]
        name = self.name(f"build_{cls.__name__}_")
        self.builders[cls] = name
        hints = typing.get_type_hints(cls)
        fields = attrs.fields(cls)
        fields_in = [a for a in fields if a.init]
        values: list[tuple[str, str]] = []
        for attribute in fields:
            if attribute.name == "_facts" and not attribute.init:
                continue  # a record's history facts: left to be found (None), below
            if not attribute.init or attribute.alias != attribute.name:
                raise Unsupported(cls)
            source = (
                f"d.get({attribute.name!r})"
                if attribute.metadata.get(OMIT_IF_NONE)
                else f"d[{attribute.name!r}]"
            )
            values.append((attribute.name, self.build_expression(hints[attribute.name], source)))
        if any(a.name == "_facts" for a in fields):
            # Found when first asked (Record.history_facts): a stream that never asks (a count,
            # an export) does not walk every history for them.
            values.append(("_facts", "None"))
        shell = _shell(cls, [attribute for attribute, _ in values])
        if shell is not None:
            # Filled as a shell (plain stores to its slots, a few ns each instead of a call to
            # each slot's setter), then made the class itself.
            lines = [f"def {name}(d):", f"    o = _new({self.name('shell', shell)})"]
            lines.extend(f"    o.{attribute} = {expression}" for attribute, expression in values)
            lines.append(f"    o.__class__ = {self.name('cls', cls)}")
        else:
            lines = [f"def {name}(d):", f"    o = _new({self.name('cls', cls)})"]
            lines.extend(
                f"    {self.assign(cls, attribute, expression)}" for attribute, expression in values
            )
        lines.append("    return o")
        strings_only = all(
            hints[a.name] is str
            or (isinstance(hints[a.name], type) and issubclass(hints[a.name], Enum))
            for a in fields_in
        ) and len(fields_in) == len(fields)
        if strings_only and fields:
            # Immutable values of strings only: share one object per distinct value, found by
            # its first field's text (a hash of one text, not of a tuple built for each
            # value) and kept with its other fields' texts, which must be equal too.
            memo = self.name("memo", {})
            rest = [f"e[{index}] == d[{a.name!r}]" for index, a in enumerate(fields[1:], start=1)]
            kept = "".join(f"d[{a.name!r}], " for a in fields[1:])
            lines = [
                f"def {name}(d):",
                f"    e = {memo}.get(k := d[{fields[0].name!r}])",
                f"    if e is not None{''.join(f' and {test}' for test in rest)}:",
                "        return e[0]",
                *lines[1:-1],
                f"    if len({memo}) >= {_MEMO_LIMIT}:",
                f"        {memo}.clear()",
                f"    {memo}[k] = (o, {kept})",
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
            # What ``.value`` returns (Enum's property reads it), without the property's cost;
            # an enum that defines its own ``value`` is read through it.
            if inspect.getattr_static(hint, "value") is inspect.getattr_static(Enum, "value"):
                return f"{source}._value_"
            return f"{source}.value"
        if isinstance(hint, type) and attrs.has(hint):
            flat = self.flat_encoding(hint, source)
            return flat if flat is not None else f"{self.encoder(hint)}({source})"
        inner = _optional_of(hint)
        if inner is not None:
            variable = self.name("v")
            if inner is datetime:
                # An optional time is most often a store's stamp, one object for every event
                # written at once: its text is kept for the next event (the last one only).
                last = self.name("t")
                expression = (
                    f"({last}[1] if ({last} := _last_stamp[0])[0] is {variable} "
                    f"else _stamp_text({variable}))"
                )
            else:
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
            variable = self.name("m")
            return f"(_mapping_out({variable}) if ({variable} := {source}) else {{}})"
        raise Unsupported(hint)

    def flat_encoding(self, cls: type, source: str) -> str | None:
        """The dict display :meth:`encoder`'s function for ``cls`` returns, written in place
        (no call), for a class of texts, numbers and enums only (an actor); None for others."""
        hints = typing.get_type_hints(cls)
        fields = attrs.fields(cls)
        if not all(a.init and not a.metadata.get(OMIT_IF_NONE) for a in fields):
            return None
        variable = self.name("w")
        items = []
        for index, attribute in enumerate(fields):
            hint = hints[attribute.name]
            if not (
                hint in _SCALARS
                or _is_scalar_union(hint)
                or (isinstance(hint, type) and issubclass(hint, Enum))
            ):
                return None
            # The source read once, as the first value is (a display evaluates in order).
            read = f"({variable} := {source})" if index == 0 else variable
            items.append(
                f"{attribute.name!r}: {self.encode_expression(hint, f'{read}.{attribute.name}')}"
            )
        return "{" + ", ".join(items) + "}" if items else None

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

    # -- copies with some attributes replaced ----------------------------------------------

    def replacer(self, cls: type, names: tuple[str, ...]) -> str:
        """A function of ``(o, *values)``: a new ``cls`` with every attribute of ``o`` but
        ``names``, which take ``values`` (no converter or validator runs)."""
        fields = [a.name for a in attrs.fields(cls)]
        if not set(names) <= set(fields):
            raise Unsupported(cls)
        name = self.name(f"replace_{cls.__name__}_")
        given = [f"v{index}" for index in range(len(names))]
        values = dict(zip(names, given, strict=True))
        shell = _shell(cls, fields)
        if shell is not None:
            # Filled as a shell of ``cls`` (plain stores to its slots), then made one, as the
            # builders fill a record read back.
            lines = [
                f"def {name}(s, {', '.join(given)}):",
                f"    o = _new({self.name('shell', shell)})",
            ]
            lines.extend(
                f"    o.{attribute} = {values.get(attribute, f's.{attribute}')}"
                for attribute in fields
            )
            lines.append(f"    o.__class__ = {self.name('cls', cls)}")
        else:
            lines = [
                f"def {name}(s, {', '.join(given)}):",
                f"    o = _new({self.name('cls', cls)})",
            ]
            lines.extend(
                f"    {self.assign(cls, attribute, values.get(attribute, f's.{attribute}'))}"
                for attribute in fields
            )
        lines.append("    return o")
        self.sources.append("\n".join(lines))
        return name

    def compile(self, what: str) -> dict[str, Any]:
        return run_source("\n\n".join(self.sources), what, self.namespace)


def generate_checked(cls: type, tag: str) -> Callable[[Any], Any]:
    """The builder of a record class for documents read by orjson: as :func:`generate`'s, but
    it raises :class:`Inexact` where a value that may be a number holds a float (the standard
    library reads an integer orjson could not hold exactly as an int); :class:`Unsupported` as
    :func:`generate`."""
    generator = _Generator(checked=True)
    build = generator.builder(cls)
    return cast(
        Callable[[Any], Any], generator.compile(f"checked builder for {tag} records")[build]
    )


def generate_encoder(cls: type) -> Callable[[Any], dict[str, Any]]:
    """The generated encoder of an attrs class (as a field of that class is encoded inside a
    record's generated encoder); :class:`Unsupported` as :func:`generate`."""
    generator = _Generator()
    encode = generator.encoder(cls)
    namespace = generator.compile(f"encoder of {cls.__name__}")
    return cast(Callable[[Any], dict[str, Any]], namespace[encode])


def generate_replacer(cls: type, *names: str) -> Callable[..., Any]:
    """``replace(o, *values)``: a copy of an attrs object ``o`` of class ``cls`` (every
    attribute, ``init=False`` ones too, as :func:`~qse_customer.core.record._copy_with_events`
    copies) with the attributes ``names`` set to ``values``, no converter or validator run (for
    values already checked); :class:`Unsupported` if ``cls`` has no attribute of one of the
    names."""
    generator = _Generator()
    replace = generator.replacer(cls, names)
    namespace = generator.compile(f"copier of {cls.__name__} ({', '.join(names)})")
    return cast(Callable[..., Any], namespace[replace])


def generate(cls: type, tag: str) -> tuple[Callable[[Any], Any], Callable[[Any], dict[str, Any]]]:
    """The generated (builder, encoder) pair of a record class; :class:`Unsupported` if one of
    its field types has no generated code."""
    generator = _Generator()
    build = generator.builder(cls)
    encode = generator.encoder(cls, tag)
    namespace = generator.compile(f"codec for {tag} records")
    return namespace[build], namespace[encode]
