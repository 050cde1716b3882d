"""Survey instruments as data: items, response scales, keying, subscales, the missing-data rule.

An instrument is a JSON document validated by ``schemas/instrument.schema.json`` and then by the
model (every item, scale and subscale it names exists; the publisher's list of reverse-scored
items agrees with the scale coding and the item keying). The shipped instruments, and those labs
and plugins register, are found by id in :mod:`.instrument_registry`.

Orientation: after scoring, a higher value is always the more favourable one. An item is
reverse-scored (its code ``c`` becomes ``min + max - c``) exactly when the scale's coding and the
item's keying disagree: a positively keyed item on a descending scale (the PSQ-18 prints
1 = strongly agree), or a negatively keyed item on an ascending one.
"""

from __future__ import annotations

import copy
import json
import math
from collections.abc import Iterable, Iterator, Mapping
from enum import StrEnum
from functools import cache
from importlib.resources import files
from types import MappingProxyType
from typing import Any

import jsonschema
from attrs import field, frozen
from cattrs.gen import override

from ..core._documents import Document, field_dump, register
from ..core.errors import FieldError, ValidationError
from ..core.survey import Answer

NOT_APPLICABLE = "not_applicable"
"""The answer a respondent gives to an item that does not apply to them (if the scale allows)."""

_YES = frozenset({"yes", "y", "true"})
_NO = frozenset({"no", "n", "false"})


class ScaleKind(StrEnum):
    """How a scale's answers are given."""

    ORDINAL = "ordinal"
    YES_NO = "yes_no"
    TEXT = "text"


class Coding(StrEnum):
    """Which way a scale's printed codes run."""

    ASCENDING = "ascending"
    DESCENDING = "descending"


class Keyed(StrEnum):
    """Whether agreement with an item reflects satisfaction (positive) or dissatisfaction."""

    POSITIVE = "positive"
    NEGATIVE = "negative"


def _labels(value: Mapping[int | str, str] | None) -> Mapping[int, str]:
    return MappingProxyType({int(code): str(text) for code, text in (value or {}).items()})


def _mapping(value: Mapping[str, Scale]) -> Mapping[str, Scale]:
    return MappingProxyType(dict(value))


def _items(value: Iterable[Item]) -> tuple[Item, ...]:
    return tuple(value)


def _subscales(value: Iterable[Subscale]) -> tuple[Subscale, ...]:
    return tuple(value)


def _measures(value: Iterable[Measure]) -> tuple[Measure, ...]:
    return tuple(value)


def _ids(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


@frozen(eq=True, hash=False)
class Scale(Document):
    """A response scale: its kind, its codes from ``min`` to ``max`` and which way they run."""

    kind: ScaleKind = field(converter=ScaleKind)
    min: int = 0
    max: int = 1
    coding: Coding = field(default=Coding.ASCENDING, converter=Coding)
    labels: Mapping[int, str] = field(factory=dict, converter=_labels)
    not_applicable: bool = False

    @property
    def scored(self) -> bool:
        """True unless this is a free-text scale."""
        return self.kind is not ScaleKind.TEXT

    @property
    def low(self) -> int:
        """The lowest scored value (0 for yes/no)."""
        return 0 if self.kind is ScaleKind.YES_NO else self.min

    @property
    def high(self) -> int:
        """The highest scored value (1 for yes/no)."""
        return 1 if self.kind is ScaleKind.YES_NO else self.max

    def problem(self, answer: Answer) -> str | None:
        """Why ``answer`` is invalid on this scale, or None if it is valid (None is missing)."""
        if answer is None:
            return None
        if self.not_applicable and answer == NOT_APPLICABLE:
            return None
        na = f" or {NOT_APPLICABLE!r}" if self.not_applicable else ""
        if self.kind is ScaleKind.TEXT:
            return None if isinstance(answer, str) else f"expected text, got {answer!r}"
        if self.kind is ScaleKind.YES_NO:
            if isinstance(answer, bool):
                return None
            if isinstance(answer, str) and answer.strip().lower() in _YES | _NO:
                return None
            return f"expected true/false or 'yes'/'no'{na}, got {answer!r}"
        if isinstance(answer, bool) or not isinstance(answer, int | float):
            return f"expected a whole number from {self.min} to {self.max}{na}, got {answer!r}"
        if (isinstance(answer, float) and not answer.is_integer()) or not (
            self.min <= answer <= self.max
        ):
            return f"expected a whole number from {self.min} to {self.max}{na}, got {answer!r}"
        return None

    def code(self, answer: Answer) -> int | None:
        """The numeric code of a valid answer (yes = 1, no = 0); None if missing or n/a."""
        if answer is None or answer == NOT_APPLICABLE or self.kind is ScaleKind.TEXT:
            return None
        if self.kind is ScaleKind.YES_NO:
            if isinstance(answer, str):
                return 1 if answer.strip().lower() in _YES else 0
            return 1 if answer else 0
        assert isinstance(answer, int | float)
        return int(answer)


def _value(member: StrEnum) -> str:
    """A StrEnum member as its plain string (the converter passes a ``str`` through as itself)."""
    return member.value


# As in an instrument document: codes only on an ordinal scale, the coding there or when it is
# not ascending, labels (by code, keyed by its text) and not_applicable only when there are any.
_scale_fields = field_dump(
    Scale,
    kind=override(unstruct_hook=_value),
    coding=override(unstruct_hook=_value),
    labels=override(
        omit_if_default=True,
        unstruct_hook=lambda labels: {str(code): text for code, text in sorted(labels.items())},
    ),
    not_applicable=override(omit_if_default=True),
)


def _scale(scale: Scale) -> dict[str, Any]:
    document: dict[str, Any] = _scale_fields(scale)
    if scale.kind is not ScaleKind.ORDINAL:
        del document["min"], document["max"]
        if scale.coding is Coding.ASCENDING:
            del document["coding"]
    return document


register(Scale, _scale)


@frozen
class Item(Document):
    """One question or statement: its id, its wording and the scale it is answered on."""

    id: str
    text: str
    scale: str
    keyed: Keyed = field(default=Keyed.POSITIVE, converter=Keyed)
    required: bool = False
    short: str | None = None


# As in an instrument document: a short wording only if there is one, before the keying;
# ``required`` only when it is.
_item_fields = field_dump(
    Item,
    keyed=override(unstruct_hook=_value),
    short=override(omit_if_default=True),
    required=override(omit_if_default=True),
)
_ITEM_KEYS = ("id", "text", "scale", "short", "keyed", "required")


def _item(item: Item) -> dict[str, Any]:
    document: dict[str, Any] = _item_fields(item)
    return {key: document[key] for key in _ITEM_KEYS if key in document}


register(Item, _item)


@frozen
class MissingDataRule(Document):
    """A subscale is scored when enough of its items are answered; its score is their mean."""

    min_answered: int | None = None
    min_share: float | None = None

    def __attrs_post_init__(self) -> None:
        if (self.min_answered is None) == (self.min_share is None):
            raise ValidationError.single(
                "$.missing_data", "expected exactly one of min_answered or min_share"
            )

    def needed(self, items: int) -> int:
        """How many of ``items`` items must be answered for a score."""
        if self.min_answered is not None:
            return self.min_answered
        assert self.min_share is not None
        return max(1, math.ceil(round(self.min_share * items, 9)))

    def describe(self, items: int) -> str:
        """The rule in words for a subscale of ``items`` items."""
        if self.min_answered is not None:
            return (
                f"mean of the answered items, scored when at least {self.min_answered} of "
                f"{items} are answered"
            )
        return (
            f"mean of the answered items, scored when at least {self.needed(items)} of {items} "
            f"(a share of {self.min_share:g}) are answered"
        )


# As in an instrument document: only the one bound the rule has.
register(
    MissingDataRule,
    field_dump(
        MissingDataRule,
        min_answered=override(omit_if_default=True),
        min_share=override(omit_if_default=True),
    ),
)


DEFAULT_MISSING_DATA = MissingDataRule(min_share=0.5)
"""Without a rule of its own, a subscale needs at least half of its items answered."""


@frozen
class Subscale(Document):
    """A group of items scored together (a component, a dimension, a service area)."""

    id: str
    title: str
    items: tuple[str, ...] = field(converter=_ids)
    missing_data: MissingDataRule | None = None


# As in an instrument document: a missing-data rule only if the subscale has its own.
register(Subscale, field_dump(Subscale, missing_data=override(omit_if_default=True)))


@frozen
class Measure(Document):
    """A whole-survey measure of one item: ``nps`` (0-10) or ``csat`` (share of top boxes)."""

    kind: str
    item: str
    top: int = 2


# As in an instrument document: the number of top boxes only for a CSAT measure.
_measure_fields = field_dump(Measure, omit=("top",))
register(
    Measure,
    lambda measure: (
        _measure_fields(measure) | ({"top": measure.top} if measure.kind == "csat" else {})
    ),
)


@frozen(eq=True, hash=False)
class Instrument(Document):
    """A survey instrument; build one with :meth:`from_dict` or :func:`load_instrument`
    (``to_dict()`` is its JSON document: ``from_dict(to_dict())`` gives it back)."""

    id: str
    version: str
    title: str
    source: str
    scales: Mapping[str, Scale] = field(converter=_mapping)
    items: tuple[Item, ...] = field(converter=_items)
    subscales: tuple[Subscale, ...] = field(default=(), converter=_subscales)
    missing_data: MissingDataRule = DEFAULT_MISSING_DATA
    measures: tuple[Measure, ...] = field(default=(), converter=_measures)
    audience: str = "any"
    url: str | None = None
    licence: str | None = None
    instructions: str = ""
    notes: str = ""
    declared_reverse: tuple[str, ...] | None = None
    _index: Mapping[str, Item] = field(init=False, eq=False, repr=False)
    _reversed: frozenset[str] = field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_index", MappingProxyType({i.id: i for i in self.items}))
        errors = list(self._problems())
        if errors:
            raise ValidationError(errors, what=f"instrument {self.id!r}")
        object.__setattr__(self, "_reversed", frozenset(self.reversed_items))

    def _problems(self) -> Iterator[FieldError]:
        for name, scale in self.scales.items():
            if scale.kind is ScaleKind.ORDINAL and scale.min >= scale.max:
                yield FieldError(f"$.scales.{name}.max", "expected max greater than min")
            if scale.kind is ScaleKind.ORDINAL:
                for code in scale.labels:
                    if not scale.min <= code <= scale.max:
                        yield FieldError(
                            f"$.scales.{name}.labels.{code}",
                            f"expected a code from {scale.min} to {scale.max}",
                        )
        seen: set[str] = set()
        for index, item in enumerate(self.items):
            if item.id in seen:
                yield FieldError(f"$.items[{index}].id", f"item id {item.id!r} is used twice")
            seen.add(item.id)
            if item.scale not in self.scales:
                yield FieldError(
                    f"$.items[{index}].scale",
                    f"unknown scale {item.scale!r}; expected one of {sorted(self.scales)}",
                )
        yield from self._subscale_problems(seen)
        for index, measure in enumerate(self.measures):
            path = f"$.measures[{index}]"
            measured = self.scales.get(self._scale_name(measure.item) or "")
            if measure.kind not in {"nps", "csat"}:
                yield FieldError(f"{path}.kind", f"expected 'nps' or 'csat', got {measure.kind!r}")
            elif measured is None:
                yield FieldError(f"{path}.item", f"unknown item {measure.item!r}")
            elif measure.kind == "nps" and (
                measured.kind is not ScaleKind.ORDINAL or (measured.min, measured.max) != (0, 10)
            ):
                yield FieldError(f"{path}.item", "an nps measure needs an item on a 0-10 scale")
            elif measure.kind == "csat" and (
                measured.kind is not ScaleKind.ORDINAL or measure.top > measured.max - measured.min
            ):
                yield FieldError(
                    f"{path}.top", "a csat measure needs an ordinal item with more codes than top"
                )
        if self.declared_reverse is not None and all(i.scale in self.scales for i in self.items):
            declared, derived = set(self.declared_reverse), set(self.reversed_items)
            if declared != derived:
                yield FieldError(
                    "$.reverse_scored",
                    "the published reverse-scored items do not match the scale coding and item "
                    f"keying: listed but not derived {sorted(declared - derived)}, derived but "
                    f"not listed {sorted(derived - declared)}",
                )

    def _subscale_problems(self, item_ids: set[str]) -> Iterator[FieldError]:
        seen: set[str] = set()
        for index, subscale in enumerate(self.subscales):
            path = f"$.subscales[{index}]"
            if subscale.id in seen:
                yield FieldError(f"{path}.id", f"subscale id {subscale.id!r} is used twice")
            seen.add(subscale.id)
            ranges = set()
            for position, item_id in enumerate(subscale.items):
                if item_id not in item_ids:
                    yield FieldError(f"{path}.items[{position}]", f"unknown item {item_id!r}")
                    continue
                scale = self.scales.get(self._scale_name(item_id) or "")
                if scale is None:
                    continue
                if not scale.scored:
                    yield FieldError(
                        f"{path}.items[{position}]", f"item {item_id!r} is free text: not scored"
                    )
                ranges.add((scale.low, scale.high))
            if len(ranges) > 1:
                yield FieldError(
                    f"{path}.items",
                    f"the items of a subscale must share one score range, got {sorted(ranges)}",
                )
            rule = subscale.missing_data or self.missing_data
            if rule.needed(len(subscale.items)) > len(subscale.items):
                yield FieldError(
                    f"{path}.missing_data",
                    f"needs {rule.needed(len(subscale.items))} answered items but the subscale "
                    f"has {len(subscale.items)}",
                )

    def _scale_name(self, item_id: str) -> str | None:
        return next((item.scale for item in self.items if item.id == item_id), None)

    # -- lookups ----------------------------------------------------------------------------

    def item(self, item_id: str) -> Item:
        """The item with this id; a ValidationError names the known ids."""
        found = self._index.get(item_id)
        if found is not None:
            return found
        raise ValidationError.single(
            f"$.items.{item_id}",
            f"instrument {self.id!r} has no item {item_id!r}; expected one of "
            f"{', '.join(i.id for i in self.items)}",
        )

    def scale_of(self, item_id: str) -> Scale:
        """The scale the item is answered on."""
        return self.scales[self.item(item_id).scale]

    def subscale(self, subscale_id: str) -> Subscale:
        """The subscale with this id; a ValidationError names the known ids."""
        for subscale in self.subscales:
            if subscale.id == subscale_id:
                return subscale
        raise ValidationError.single(
            f"$.subscales.{subscale_id}",
            f"instrument {self.id!r} has no subscale {subscale_id!r}; expected one of "
            f"{', '.join(s.id for s in self.subscales)}",
        )

    def rule_for(self, subscale: Subscale) -> MissingDataRule:
        """The missing-data rule that applies to ``subscale``."""
        return subscale.missing_data or self.missing_data

    def is_reversed(self, item_id: str) -> bool:
        """True if the item's code is reversed when scored (coding and keying disagree)."""
        self.item(item_id)  # an unknown id raises, naming the known ones
        return item_id in self._reversed

    @property
    def reversed_items(self) -> tuple[str, ...]:
        """The ids of the reverse-scored items, in instrument order."""
        return tuple(item.id for item in self.items if self._derive_reversed(item))

    def _derive_reversed(self, item: Item) -> bool:
        scale = self.scales[item.scale]
        if not scale.scored:
            return False
        descending = scale.kind is ScaleKind.ORDINAL and scale.coding is Coding.DESCENDING
        return descending != (item.keyed is Keyed.NEGATIVE)

    # -- answers ----------------------------------------------------------------------------

    def validate_answers(self, answers: Mapping[str, Answer]) -> list[FieldError]:
        """Every problem with one respondent's answers (unknown items, bad values, missing
        required items), by JSON path ``$.answers.<item>``; an empty list if they are valid."""
        if not isinstance(answers, Mapping):
            return [FieldError("$.answers", f"expected a mapping, got {type(answers).__name__}")]
        known = self._index
        errors: list[FieldError] = []
        for key, answer in answers.items():
            item = known.get(key) if isinstance(key, str) else None
            if item is None:
                errors.append(
                    FieldError(
                        f"$.answers.{key}",
                        f"unknown item {key!r} for instrument {self.id!r}; expected one of "
                        f"{', '.join(known)}",
                    )
                )
                continue
            problem = self.scales[item.scale].problem(answer)
            if problem is not None:
                errors.append(FieldError(f"$.answers.{key}", problem))
        for item in self.items:
            if item.required and answers.get(item.id) is None:
                errors.append(FieldError(f"$.answers.{item.id}", "a required item is unanswered"))
        return errors

    def check_answers(self, answers: Mapping[str, Answer]) -> None:
        """Raise a ValidationError listing every problem :meth:`validate_answers` finds."""
        errors = self.validate_answers(answers)
        if errors:
            raise ValidationError(errors, what=f"answers to instrument {self.id!r}")

    # -- documents --------------------------------------------------------------------------

    @classmethod
    def from_dict(cls, document: Mapping[str, Any]) -> Instrument:
        """An instrument from its JSON document, checked against the shipped schema first."""
        errors = instrument_schema_errors(document)
        if errors:
            name = document.get("id", "(no id)") if isinstance(document, Mapping) else "(none)"
            raise ValidationError(errors, what=f"instrument {name!r}")
        default_rule = document.get("missing_data")
        return cls(
            id=document["id"],
            version=document["version"],
            title=document["title"],
            source=document["source"],
            url=document.get("url"),
            licence=document.get("licence"),
            audience=document.get("audience", "any"),
            instructions=document.get("instructions", ""),
            notes=document.get("notes", ""),
            scales={name: Scale(**spec) for name, spec in document["scales"].items()},
            items=[Item(**spec) for spec in document["items"]],
            subscales=[
                Subscale(
                    id=spec["id"],
                    title=spec["title"],
                    items=spec["items"],
                    missing_data=(
                        MissingDataRule(**spec["missing_data"]) if "missing_data" in spec else None
                    ),
                )
                for spec in document.get("subscales", ())
            ],
            missing_data=(
                MissingDataRule(**default_rule) if default_rule else DEFAULT_MISSING_DATA
            ),
            measures=[Measure(**spec) for spec in document.get("measures", ())],
            declared_reverse=(
                tuple(document["reverse_scored"]) if "reverse_scored" in document else None
            ),
        )


# As its JSON document: what is unset or empty left out (the url, the licence, instructions,
# notes, the publisher's reverse-scored items, measures), in the document's order.
_instrument_fields = field_dump(
    Instrument,
    url=override(omit_if_default=True),
    licence=override(omit_if_default=True),
    instructions=override(omit_if_default=True),
    notes=override(omit_if_default=True),
    declared_reverse=override(rename="reverse_scored", omit_if_default=True),
    measures=override(omit_if_default=True),
)
_INSTRUMENT_KEYS = (
    "id",
    "version",
    "title",
    "source",
    "url",
    "licence",
    "audience",
    "instructions",
    "notes",
    "scales",
    "items",
    "reverse_scored",
    "subscales",
    "missing_data",
    "measures",
)


def _instrument(instrument: Instrument) -> dict[str, Any]:
    document: dict[str, Any] = _instrument_fields(instrument)
    return {key: document[key] for key in _INSTRUMENT_KEYS if key in document}


register(Instrument, _instrument)


# -- schema -----------------------------------------------------------------------------------


@cache
def _schema_document() -> dict[str, Any]:
    text = (
        files("qse_customer.analysis").joinpath("schemas/instrument.schema.json").read_text("utf-8")
    )
    schema: dict[str, Any] = json.loads(text)
    return schema


def instrument_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) every instrument document must match (a fresh copy)."""
    return copy.deepcopy(_schema_document())


@cache
def _validator() -> jsonschema.protocols.Validator:
    schema = _schema_document()
    cls = jsonschema.validators.validator_for(schema)
    validator: jsonschema.protocols.Validator = cls(schema)
    return validator


def _schema_message(error: jsonschema.ValidationError) -> str:
    if error.validator == "additionalProperties":
        return f"unexpected field: {error.message}"
    if error.validator == "pattern" and "description" in error.schema:
        return f"{error.instance!r} is not {error.schema['description']}"
    if error.validator == "not" and "description" in error.schema:
        return f"unexpected field: {error.schema['description']}"
    if error.validator == "oneOf" and isinstance(error.instance, dict):
        return "expected exactly one of min_answered or min_share"
    return str(error.message)


def instrument_schema_errors(document: Any) -> list[FieldError]:
    """Every way ``document`` fails the instrument schema, by JSON path."""
    found = sorted(_validator().iter_errors(document), key=lambda e: list(map(str, e.path)))
    return [FieldError(error.json_path, _schema_message(error)) for error in found]
