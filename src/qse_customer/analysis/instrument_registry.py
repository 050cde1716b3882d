"""Survey instruments by id: the shipped ones (``analysis/instruments/``), those a lab or a plugin
registers, and :func:`load_instrument`, which also reads an instrument file.

Shipped instruments cannot be replaced or removed (their scoring is the publisher's); a variant is
registered under an id of its own. The process-wide :func:`default_registry` is what
:func:`load_instrument` uses unless given another.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from functools import cache
from importlib.resources import files
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ..core.errors import FieldError, QSEError, ValidationError, json_problem
from .instrument import Instrument


class UnknownInstrumentError(QSEError, LookupError):
    """An instrument name that is neither registered nor a readable file."""


@cache
def shipped_instruments() -> Mapping[str, Instrument]:
    """The instruments that ship with the library, by id."""
    folder = files("qse_customer.analysis").joinpath("instruments")
    found: dict[str, Instrument] = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".json"):
            instrument = Instrument.from_dict(json.loads(entry.read_text("utf-8")))
            found[instrument.id] = instrument
    return MappingProxyType(found)


def _as_instrument(value: Instrument | Mapping[str, Any]) -> Instrument:
    if isinstance(value, Instrument):
        return value
    if isinstance(value, Mapping):
        return Instrument.from_dict(value)
    raise ValidationError.single(
        "$", f"expected an Instrument or an instrument document, got {type(value).__name__}"
    )


class InstrumentRegistry:
    """Instruments by id: the shipped ones plus those a lab or a plugin registers.

    Shipped instruments cannot be replaced or removed (their scoring is the publisher's); a
    variant is registered under an id of its own.
    """

    def __init__(self, *, shipped: bool = True) -> None:
        self._shipped = shipped
        self._extra: dict[str, Instrument] = {}

    def _builtin(self) -> Mapping[str, Instrument]:
        return shipped_instruments() if self._shipped else MappingProxyType({})

    def register(
        self, instrument: Instrument | Mapping[str, Any], *, replace: bool = False
    ) -> Instrument:
        """Add one instrument (or its document); registering an equal one again is a no-op."""
        built = _as_instrument(instrument)
        self._check_free(built, replace=replace)
        self._extra[built.id] = built
        return built

    def register_all(
        self,
        instruments: Mapping[str, Instrument | Mapping[str, Any]],
        *,
        replace: bool = False,
    ) -> None:
        """Add a mapping of id to instrument (what a ``qse_instruments()`` hook returns).

        All or nothing: if one is invalid or clashes, none is registered.
        """
        if not isinstance(instruments, Mapping):
            raise ValidationError.single(
                "$", f"expected a mapping of id to instrument, got {type(instruments).__name__}"
            )
        built: dict[str, Instrument] = {}
        errors: list[FieldError] = []
        for key, value in instruments.items():
            try:
                instrument = _as_instrument(value)
            except ValidationError as error:
                errors.extend(FieldError(f"$.{key}{e.path[1:]}", e.message) for e in error.errors)
                continue
            if instrument.id != key:
                errors.append(
                    FieldError(f"$.{key}", f"registered as {key!r} but its id is {instrument.id!r}")
                )
                continue
            try:
                self._check_free(instrument, replace=replace)
            except ValidationError as error:
                errors.extend(FieldError(f"$.{key}", e.message) for e in error.errors)
                continue
            built[key] = instrument
        if errors:
            raise ValidationError(errors, what="instruments to register")
        self._extra.update(built)

    def _check_free(self, instrument: Instrument, *, replace: bool) -> None:
        builtin = self._builtin().get(instrument.id)
        if builtin is not None and builtin != instrument:
            raise ValidationError.single(
                "$.id",
                f"{instrument.id!r} is a shipped instrument and cannot be replaced; register "
                "your variant under an id of its own",
            )
        existing = self._extra.get(instrument.id)
        if existing is not None and existing != instrument and not replace:
            raise ValidationError.single(
                "$.id",
                f"an instrument {instrument.id!r} is already registered with different content; "
                "pass replace=True to replace it or choose another id",
            )

    def unregister(self, instrument_id: str) -> None:
        """Remove a registered instrument (shipped ones stay)."""
        if instrument_id in self._builtin():
            raise ValidationError.single(
                "$.id", f"{instrument_id!r} is a shipped instrument and cannot be removed"
            )
        if self._extra.pop(instrument_id, None) is None:
            raise UnknownInstrumentError(f"no instrument {instrument_id!r} is registered")

    def get(self, instrument_id: str) -> Instrument:
        """The instrument with this id; UnknownInstrumentError lists the known ids."""
        found = self._extra.get(instrument_id) or self._builtin().get(instrument_id)
        if found is None:
            raise UnknownInstrumentError(
                f"no instrument named {instrument_id!r}; known instruments: "
                f"{', '.join(sorted(self.as_mapping()))}; or give a path to a JSON file"
            )
        return found

    def as_mapping(self) -> Mapping[str, Instrument]:
        """A read-only snapshot of every instrument by id."""
        return MappingProxyType({**self._builtin(), **self._extra})

    def __contains__(self, instrument_id: object) -> bool:
        return instrument_id in self._extra or instrument_id in self._builtin()

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self.as_mapping()))

    def __len__(self) -> int:
        return len(self.as_mapping())


_default_registry = InstrumentRegistry()


def default_registry() -> InstrumentRegistry:
    """The process-wide registry that :func:`load_instrument` uses unless given another."""
    return _default_registry


def register_instrument(
    instrument: Instrument | Mapping[str, Any], *, replace: bool = False
) -> Instrument:
    """Register an instrument (or its document) in the default registry."""
    return _default_registry.register(instrument, replace=replace)


def register_instruments(
    instruments: Mapping[str, Instrument | Mapping[str, Any]], *, replace: bool = False
) -> None:
    """Register a mapping of id to instrument in the default registry (all or nothing)."""
    _default_registry.register_all(instruments, replace=replace)


def unregister_instrument(instrument_id: str) -> None:
    """Remove a registered instrument from the default registry."""
    _default_registry.unregister(instrument_id)


def instruments() -> Mapping[str, Instrument]:
    """Every instrument in the default registry by id (shipped and registered)."""
    return _default_registry.as_mapping()


def load_instrument(
    source: str | os.PathLike[str] | Mapping[str, Any] | Instrument,
    *,
    registry: InstrumentRegistry | None = None,
) -> Instrument:
    """An instrument from a registered name, a path to a JSON file, or a document mapping.

    A path is the only thing read from disk; a name always wins over a file of the same name.
    """
    try:
        return _load_instrument(source, registry if registry is not None else _default_registry)
    except RecursionError:
        raise ValidationError.single(
            "$", "the instrument document is nested too deeply; flatten it"
        ) from None


def _load_instrument(
    source: str | os.PathLike[str] | Mapping[str, Any] | Instrument, registry: InstrumentRegistry
) -> Instrument:
    if isinstance(source, Instrument):
        return source
    if isinstance(source, Mapping):
        return Instrument.from_dict(source)
    if isinstance(source, str) and source in registry:
        return registry.get(source)
    if not isinstance(source, str | os.PathLike):
        raise ValidationError.single(
            "$",
            "expected an instrument name, a path or a mapping, got " + type(source).__name__,
        )
    try:
        path = Path(source)
    except TypeError as error:
        raise ValidationError.single("$", f"expected a text path: {error}") from None
    if not path.is_file():
        raise UnknownInstrumentError(
            f"no instrument named {str(source)!r} and no instrument file at that path; known "
            f"instruments: {', '.join(sorted(registry.as_mapping()))}"
        )
    try:
        document = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as error:  # ValueError: not UTF-8, not JSON, a huge number
        problem = json_problem(error) if isinstance(error, ValueError) else error
        raise ValidationError.single(
            "$", f"cannot read instrument file {str(path)!r} as JSON: {problem}"
        ) from error
    return Instrument.from_dict(document)
