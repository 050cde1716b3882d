"""Survey instruments as FHIR R4 ``Questionnaire`` resources (plain JSON dicts) and back.

:func:`instrument_to_questionnaire` writes every part of an instrument: the items and their
answer options (with codes in a code system per scale), and, as extensions the library defines
(docs/fhir.md), the scales, the keying and reverse scoring of each item, the subscales, the
missing-data rules and the measures, so that :func:`instrument_from_questionnaire` gives the
same instrument back. A Questionnaire made elsewhere imports too, with the defaults docs/fhir.md
states for what FHIR does not say (scale direction, scoring).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from ..analysis.instrument import (
    DEFAULT_MISSING_DATA,
    NOT_APPLICABLE,
    Coding,
    Instrument,
    Item,
    Keyed,
    Measure,
    MissingDataRule,
    Scale,
    ScaleKind,
    Subscale,
)
from ..core.errors import ValidationError
from ._common import (
    DEFAULT_BASE,
    INSTRUMENT_IDENTIFIER,
    MAX_VALUE,
    MIN_VALUE,
    ORDINAL_VALUE,
    Problems,
    answer_system,
    complex_ext,
    ext,
    ext_value,
    ext_values,
    extension_url,
    extensions,
    fhir_id,
    questionnaire_url,
)

SOURCE = extension_url("instrument-source")
URL = extension_url("instrument-url")
NOTES = extension_url("instrument-notes")
AUDIENCE = extension_url("instrument-audience")
SCALE = extension_url("scale")
MISSING_DATA = extension_url("missing-data")
SUBSCALE = extension_url("subscale")
MEASURE = extension_url("measure")
PUBLISHED_REVERSE = extension_url("reverse-scored-published")
ITEM_SCALE = extension_url("item-scale")
KEYED = extension_url("keyed")
REVERSE_SCORED = extension_url("reverse-scored")
SHORT = extension_url("item-short")

YES, NO = "yes", "no"


# -- export -----------------------------------------------------------------------------------


def item_type(scale: Scale) -> str:
    """The FHIR item type of an item on ``scale``: ordinal ``choice``; yes/no ``boolean``
    (``choice`` when 'not applicable' is allowed); free text ``text`` (``open-choice``)."""
    if scale.kind is ScaleKind.ORDINAL:
        return "choice"
    if scale.kind is ScaleKind.YES_NO:
        return "choice" if scale.not_applicable else "boolean"
    return "open-choice" if scale.not_applicable else "text"


def _coding(system: str, code: str, display: str | None) -> dict[str, Any]:
    coding = {"system": system, "code": code}
    return coding | {"display": display} if display else coding


def answer_options(scale: Scale, system: str) -> list[dict[str, Any]]:
    """The answer options of an item on ``scale`` (none for a boolean or text item)."""
    options: list[dict[str, Any]] = []
    if scale.kind is ScaleKind.ORDINAL:
        for code in range(scale.min, scale.max + 1):
            option = {"valueCoding": _coding(system, str(code), scale.labels.get(code))}
            options.append({"extension": [ext(ORDINAL_VALUE, "Decimal", code)]} | option)
    elif scale.kind is ScaleKind.YES_NO and scale.not_applicable:
        for answer, value, default in ((YES, 1, "Yes"), (NO, 0, "No")):
            display = scale.labels.get(value, default)
            options.append({"valueCoding": _coding(system, answer, display)})
    if scale.not_applicable:
        options.append({"valueCoding": _coding(system, NOT_APPLICABLE, "Not applicable")})
    return options


def _rule(rule: MissingDataRule) -> dict[str, Any]:
    if rule.min_answered is not None:
        return complex_ext(MISSING_DATA, [ext("min-answered", "Integer", rule.min_answered)])
    return complex_ext(MISSING_DATA, [ext("min-share", "Decimal", rule.min_share)])


def _scale_ext(name: str, scale: Scale) -> dict[str, Any]:
    parts = [ext("name", "String", name), ext("kind", "Code", scale.kind.value)]
    if scale.kind is ScaleKind.ORDINAL:
        parts += [ext("min", "Integer", scale.min), ext("max", "Integer", scale.max)]
    parts.append(ext("coding", "Code", scale.coding.value))
    if scale.not_applicable:
        parts.append(ext("not-applicable", "Boolean", True))
    for code, text in sorted(scale.labels.items()):
        label = [ext("code", "Integer", code), ext("text", "String", text)]
        parts.append(complex_ext("label", label))
    return complex_ext(SCALE, parts)


def _subscale_ext(subscale: Subscale) -> dict[str, Any]:
    parts = [ext("id", "String", subscale.id), ext("title", "String", subscale.title)]
    parts += [ext("item", "String", item) for item in subscale.items]
    if subscale.missing_data is not None:
        parts.append(_rule(subscale.missing_data))
    return complex_ext(SUBSCALE, parts)


def _measure_ext(measure: Measure) -> dict[str, Any]:
    return complex_ext(
        MEASURE,
        [
            ext("kind", "Code", measure.kind),
            ext("item", "String", measure.item),
            ext("top", "Integer", measure.top),
        ],
    )


def _machine_name(instrument_id: str) -> str:
    """A name usable by machines, as FHIR asks (``lab-services-clinician`` ->
    ``LabServicesClinician``)."""
    name = "".join(
        part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", instrument_id)
    )
    return name if name[:1].isalpha() else f"Q{name}"


def _item(instrument: Instrument, item: Item, base: str) -> dict[str, Any]:
    scale = instrument.scales[item.scale]
    extension = [ext(ITEM_SCALE, "String", item.scale), ext(KEYED, "Code", item.keyed.value)]
    if scale.scored:
        extension.append(ext(REVERSE_SCORED, "Boolean", instrument.is_reversed(item.id)))
    if item.short is not None:
        extension.append(ext(SHORT, "String", item.short))
    document: dict[str, Any] = {
        "extension": extension,
        "linkId": item.id,
        "text": item.text,
        "type": item_type(scale),
    }
    if item.required:
        document["required"] = True
    options = answer_options(scale, answer_system(instrument.id, item.scale, base))
    if options:
        document["answerOption"] = options
    return document


def instrument_to_questionnaire(
    instrument: Instrument, *, base: str = DEFAULT_BASE, status: str = "active"
) -> dict[str, Any]:
    """The instrument as a FHIR R4 ``Questionnaire`` (a JSON dict), canonical URL
    ``<base>/Questionnaire/<id>`` (:func:`questionnaire_url`) at the instrument's version."""
    extension = [ext(SOURCE, "String", instrument.source)]
    if instrument.url is not None:
        extension.append(ext(URL, "String", instrument.url))
    if instrument.notes:
        extension.append(ext(NOTES, "String", instrument.notes))
    extension.append(ext(AUDIENCE, "Code", instrument.audience))
    extension += [_scale_ext(name, scale) for name, scale in instrument.scales.items()]
    extension.append(_rule(instrument.missing_data))
    extension += [_subscale_ext(subscale) for subscale in instrument.subscales]
    extension += [_measure_ext(measure) for measure in instrument.measures]
    if instrument.declared_reverse is not None:
        listed = [ext("item", "String", item) for item in instrument.declared_reverse]
        extension.append(complex_ext(PUBLISHED_REVERSE, listed or [ext("none", "Boolean", True)]))
    document: dict[str, Any] = {"resourceType": "Questionnaire"}
    if (resource_id := fhir_id(instrument.id)) is not None:
        document["id"] = resource_id
    document |= {
        "extension": extension,
        "url": questionnaire_url(instrument.id, base),
        "identifier": [{"system": INSTRUMENT_IDENTIFIER, "value": instrument.id}],
        "version": instrument.version,
        "name": _machine_name(instrument.id),
        "title": instrument.title,
        "status": status,
        "subjectType": ["Patient", "Practitioner", "Organization"],
    }
    if instrument.instructions:
        document["description"] = instrument.instructions
    if instrument.licence is not None:
        document["copyright"] = instrument.licence
    document["item"] = [_item(instrument, item, base) for item in instrument.items]
    return document


# -- import -----------------------------------------------------------------------------------

_IDENTIFIER = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")


def as_identifier(value: str) -> str:
    """``value`` as an instrument identifier: lower case, other characters as ``-``, starting
    with a letter or digit (a linkId ``1.1`` stays ``1.1``; ``/Q 2`` becomes ``q-2``)."""
    lowered = re.sub(r"[^a-z0-9_.-]+", "-", value.strip().lower())
    return re.sub(r"^[^a-z0-9]+", "", lowered)


class _Reader:
    """Reads one Questionnaire into the parts of an instrument, collecting every problem."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        self.problems = Problems()
        self.document = document
        self.scales: dict[str, Scale] = {}
        self.items: list[Item] = []
        self.paths: dict[str, str] = {}  # item id -> its FHIRPath, for later problems
        self.declared_reversal: dict[str, tuple[bool, str]] = {}

    # extensions of the library ------------------------------------------------------------

    def _indexed(
        self, element: Mapping[str, Any], url: str, path: str
    ) -> Iterator[tuple[str, Any]]:
        for index, found in self.problems.items(element, "extension", path):
            if isinstance(found, Mapping) and found.get("url") == url:
                yield f"{path}.extension[{index}]", found

    def _value(self, element: Mapping[str, Any], name: str, kind: type, path: str) -> Any:
        """The value of sub-extension ``name`` (None if absent), of Python type ``kind``."""
        for sub_path, found in self._indexed(element, name, path):
            value = next((v for k, v in found.items() if k.startswith("value")), None)
            if kind is int and isinstance(value, float) and value.is_integer():
                value = int(value)
            if isinstance(value, kind) and not (kind is int and isinstance(value, bool)):
                return value
            self.problems.add(sub_path, f"expected a {kind.__name__} value, got {value!r}")
            return None
        return None

    def _rule(self, element: Mapping[str, Any], path: str) -> MissingDataRule | None:
        for rule_path, found in self._indexed(element, MISSING_DATA, path):
            answered = self._value(found, "min-answered", int, rule_path)
            share = self._value(found, "min-share", float, rule_path)
            if share is None:
                share_int = self._value(found, "min-share", int, rule_path)
                share = float(share_int) if share_int is not None else None
            try:
                return MissingDataRule(min_answered=answered, min_share=share)
            except ValidationError as error:
                self.problems.add(rule_path, error.errors[0].message)
            return None
        return None

    def library_scales(self) -> None:
        for path, found in self._indexed(self.document, SCALE, "Questionnaire"):
            name = self._value(found, "name", str, path)
            kind = self._value(found, "kind", str, path)
            labels: dict[int, str] = {}
            for label_path, label in self._indexed(found, "label", path):
                code = self._value(label, "code", int, label_path)
                text = self._value(label, "text", str, label_path)
                if code is not None and text is not None:
                    labels[code] = text
            spec: dict[str, Any] = {"labels": labels}
            for key, sub, kind_of in (("min", "min", int), ("max", "max", int)):
                if (value := self._value(found, sub, kind_of, path)) is not None:
                    spec[key] = value
            if (coding := self._value(found, "coding", str, path)) is not None:
                spec["coding"] = coding
            spec["not_applicable"] = bool(self._value(found, "not-applicable", bool, path))
            if name is None or kind is None:
                self.problems.add(path, "a scale extension needs a name and a kind")
                continue
            try:
                self.scales[name] = Scale(kind=kind, **spec)
            except ValueError as error:
                self.problems.add(path, str(error))

    # items ----------------------------------------------------------------------------------

    def walk(self, owner: Mapping[str, Any], path: str) -> None:
        for index, raw in self.problems.items(owner, "item", path):
            item_path = f"{path}.item[{index}]"
            element = self.problems.mapping(raw, item_path)
            if element is None:
                continue
            kind = element.get("type")
            if kind == "group":
                self.walk(element, item_path)
            elif kind != "display":
                self.item(element, item_path)
            if kind != "group" and "item" in element:
                self.walk(element, item_path)  # questions may have nested questions

    def item(self, element: Mapping[str, Any], path: str) -> None:
        link_id = self.problems.text(element, "linkId", path)
        if link_id is None:
            if "linkId" not in element:
                self.problems.add(f"{path}.linkId", "an item needs a linkId")
            return
        item_id = as_identifier(link_id)
        if not item_id:
            self.problems.add(f"{path}.linkId", f"{link_id!r} has no letter or digit to name it by")
            return
        if item_id in self.paths:
            self.problems.add(f"{path}.linkId", f"item {item_id!r} is used twice")
            return
        self.paths[item_id] = path
        text = self.problems.text(element, "text", path) or link_id
        scale = self._item_scale(element, item_id, path)
        if scale is None:
            return
        keyed = ext_value(element, KEYED, "Code")
        reversed_value = ext_value(element, REVERSE_SCORED, "Boolean")
        if keyed is None and isinstance(reversed_value, bool):
            descending = self.scales[scale].coding is Coding.DESCENDING
            keyed = Keyed.NEGATIVE if reversed_value != descending else Keyed.POSITIVE
        if isinstance(reversed_value, bool):
            self.declared_reversal[item_id] = (reversed_value, path)
        short = ext_value(element, SHORT, "String")
        try:
            self.items.append(
                Item(
                    id=item_id,
                    text=text,
                    scale=scale,
                    keyed=keyed or Keyed.POSITIVE,
                    required=element.get("required") is True,
                    short=short if isinstance(short, str) else None,
                )
            )
        except ValueError as error:
            self.problems.add(path, str(error))

    def _item_scale(self, element: Mapping[str, Any], item_id: str, path: str) -> str | None:
        named = ext_value(element, ITEM_SCALE, "String")
        if named is not None:
            if named in self.scales:
                return str(named)
            self.problems.add(f"{path}.extension", f"unknown scale {named!r}")
            return None
        scale = self._derived_scale(element, path)
        if scale is None:
            return None
        for name, known in self.scales.items():
            if known == scale:
                return name
        name = f"scale-{len(self.scales) + 1}"
        while name in self.scales:
            name += "-1"
        self.scales[name] = scale
        return name

    def _derived_scale(self, element: Mapping[str, Any], path: str) -> Scale | None:
        """The scale of an item with none of the library's extensions: from its type and its
        answer options (codes ascending: a higher code is the more favourable answer)."""
        kind = element.get("type")
        if kind == "boolean":
            return Scale(kind=ScaleKind.YES_NO)
        if kind in {"string", "text"}:
            return Scale(kind=ScaleKind.TEXT)
        if kind == "integer":
            low = ext_value(element, MIN_VALUE, "Integer")
            high = ext_value(element, MAX_VALUE, "Integer")
            if isinstance(low, int) and isinstance(high, int) and low < high:
                return Scale(kind=ScaleKind.ORDINAL, min=low, max=high)
            self.problems.add(
                f"{path}.type",
                "an integer item is scored only with minValue and maxValue extensions "
                f"({MIN_VALUE}, {MAX_VALUE}), the lower less than the higher",
            )
            return None
        if kind in {"choice", "open-choice"}:
            return self._choice_scale(element, path)
        self.problems.add(
            f"{path}.type",
            f"an item of type {kind!r} cannot be an instrument's item; expected choice, "
            "open-choice, integer, boolean, string, text, group or display",
        )
        return None

    def _choice_scale(self, element: Mapping[str, Any], path: str) -> Scale | None:
        options: list[tuple[str, str | None, Any, str]] = []  # code, display, ordinal, path
        not_applicable = False
        for index, raw in self.problems.items(element, "answerOption", path):
            option_path = f"{path}.answerOption[{index}]"
            option = self.problems.mapping(raw, option_path)
            if option is None:
                continue
            ordinal = ext_value(option, ORDINAL_VALUE, "Decimal")
            if "valueInteger" in option and isinstance(option["valueInteger"], int):
                code, display = str(option["valueInteger"]), None
                ordinal = option["valueInteger"] if ordinal is None else ordinal
            elif isinstance(option.get("valueCoding"), Mapping):
                coding = option["valueCoding"]
                code, display = coding.get("code"), coding.get("display")
                if not isinstance(code, str) or not code:
                    self.problems.add(f"{option_path}.valueCoding.code", "expected a code")
                    continue
            else:
                self.problems.add(
                    option_path, "expected a valueCoding or valueInteger answer option"
                )
                continue
            if code == NOT_APPLICABLE:
                not_applicable = True
                continue
            options.append(
                (code, display if isinstance(display, str) else None, ordinal, option_path)
            )
        if not options:
            self.problems.add(
                f"{path}.answerOption",
                "a choice item needs answer options (answerValueSet is not read)",
            )
            return None
        values = self._option_values(options)
        if values is None:
            return None
        if element.get("type") == "choice" and sorted(code for code, *_ in options) == [NO, YES]:
            yes_no: dict[int | str, str] = {
                1 if code == YES else 0: display or code for code, display, _, _ in options
            }
            return Scale(kind=ScaleKind.YES_NO, labels=yes_no, not_applicable=not_applicable)
        if len(set(values)) != len(values):
            self.problems.add(f"{path}.answerOption", "two answer options have the same value")
            return None
        if len(values) < 2:
            self.problems.add(f"{path}.answerOption", "a scored item needs two answer options")
            return None
        labels: dict[int | str, str] = {
            value: display or code
            for value, (code, display, _, _) in zip(values, options, strict=True)
        }
        return Scale(
            kind=ScaleKind.ORDINAL,
            min=min(values),
            max=max(values),
            labels=labels,
            not_applicable=not_applicable,
        )

    def _option_values(self, options: list[tuple[str, str | None, Any, str]]) -> list[int] | None:
        """Each option's value: its ordinalValue if every option has one, else its code if every
        code is a whole number, else its position (1, 2, ...)."""
        ordinals = [ordinal for _, _, ordinal, _ in options]
        if all(isinstance(o, int | float) and not isinstance(o, bool) for o in ordinals):
            if all(float(o).is_integer() for o in ordinals):
                return [int(o) for o in ordinals]
            for _, _, ordinal, option_path in options:
                if not float(ordinal).is_integer():
                    self.problems.add(
                        f"{option_path}.extension", f"expected a whole ordinalValue, got {ordinal}"
                    )
            return None
        if all(re.fullmatch(r"-?[0-9]+", code) for code, *_ in options):
            return [int(code) for code, *_ in options]
        return list(range(1, len(options) + 1))

    # the instrument -------------------------------------------------------------------------

    def subscales(self) -> list[Subscale]:
        found = []
        for path, element in self._indexed(self.document, SUBSCALE, "Questionnaire"):
            subscale_id = self._value(element, "id", str, path)
            title = self._value(element, "title", str, path)
            members = ext_values(element, "item", "String")
            if subscale_id is None or title is None or not all(isinstance(m, str) for m in members):
                self.problems.add(path, "a subscale extension needs an id, a title and items")
                continue
            found.append(
                Subscale(
                    id=subscale_id,
                    title=title,
                    items=members,
                    missing_data=self._rule(element, path),
                )
            )
        return found

    def measures(self) -> list[Measure]:
        found = []
        for path, element in self._indexed(self.document, MEASURE, "Questionnaire"):
            kind = self._value(element, "kind", str, path)
            item = self._value(element, "item", str, path)
            top = self._value(element, "top", int, path)
            if kind is None or item is None:
                self.problems.add(path, "a measure extension needs a kind and an item")
                continue
            found.append(Measure(kind=kind, item=item, top=2 if top is None else top))
        return found

    def published_reverse(self) -> tuple[str, ...] | None:
        for path, element in self._indexed(self.document, PUBLISHED_REVERSE, "Questionnaire"):
            listed = ext_values(element, "item", "String")
            if not all(isinstance(item, str) for item in listed):
                self.problems.add(path, "expected item ids")
            return tuple(str(item) for item in listed)
        return None


def _instrument_id(document: Mapping[str, Any]) -> str:
    identifiers = document.get("identifier")
    if isinstance(identifiers, list):
        for identifier in identifiers:
            if (
                isinstance(identifier, Mapping)
                and identifier.get("system") == INSTRUMENT_IDENTIFIER
                and isinstance(identifier.get("value"), str)
            ):
                return str(identifier["value"])
    for key in ("id", "name"):
        if isinstance(document.get(key), str) and as_identifier(document[key]):
            return as_identifier(document[key])
    url = document.get("url")
    if isinstance(url, str):
        return as_identifier(url.rstrip("/").rsplit("/", 1)[-1])
    return ""


def _text(document: Mapping[str, Any], key: str) -> str | None:
    value = document.get(key)
    return value if isinstance(value, str) and value else None


def instrument_from_questionnaire(document: Mapping[str, Any]) -> Instrument:
    """The instrument a FHIR R4 ``Questionnaire`` (a JSON dict) describes.

    A Questionnaire :func:`instrument_to_questionnaire` wrote gives back the same instrument.
    One made elsewhere is read with these defaults: the id from ``id`` (else ``name``, else the
    URL's last segment), made an identifier; items from every question at any depth (groups
    and display items are not items), their ids from the linkIds; a choice item's codes are its
    answer options' ``ordinalValue`` extensions, else their codes if whole numbers, else their
    positions, and a higher code is the more favourable answer (ascending, positively keyed);
    no subscales; a subscale-free instrument still gets the default missing-data rule. Every
    problem is a :class:`ValidationError` naming its location (``Questionnaire.item[2].type``).
    """
    problems = Problems()
    if not isinstance(document, Mapping):
        problems.add("Questionnaire", f"expected a JSON object, got {type(document).__name__}")
        problems.raise_if_any("Questionnaire")
    if document.get("resourceType") != "Questionnaire":
        problems.add(
            "Questionnaire.resourceType",
            f"expected 'Questionnaire', got {document.get('resourceType')!r}",
        )
        problems.raise_if_any("Questionnaire")
    reader = _Reader(document)
    instrument_id = _instrument_id(document)
    if not _IDENTIFIER.match(instrument_id):
        reader.problems.add(
            "Questionnaire.name", "expected a name, id or url to take the instrument's id from"
        )
    reader.library_scales()
    reader.walk(document, "Questionnaire")
    if not reader.items and not reader.problems.errors:
        reader.problems.add("Questionnaire.item", "expected at least one question")
    subscales, measures = reader.subscales(), reader.measures()
    declared = reader.published_reverse()
    rule = reader._rule(document, "Questionnaire")
    what = f"Questionnaire {document.get('url') or instrument_id!r}"
    reader.problems.raise_if_any(what)
    url = ext_value(document, URL, "String")
    foreign = not extensions(document, SOURCE)
    publisher = _text(document, "publisher")
    source = ext_value(document, SOURCE, "String") or " ".join(
        filter(None, ["FHIR Questionnaire", document.get("url"), publisher and f"({publisher})"])
    )
    audience = ext_value(document, AUDIENCE, "Code")
    instrument = Instrument(
        id=instrument_id,
        version=_text(document, "version") or "1",
        title=_text(document, "title") or _text(document, "name") or instrument_id,
        source=source,
        url=url if isinstance(url, str) else (_text(document, "url") if foreign else None),
        licence=_text(document, "copyright"),
        audience=audience if audience in {"internal", "external", "any"} else "any",
        instructions=_text(document, "description") or "",
        notes=ext_value(document, NOTES, "String") or "",
        scales=reader.scales,
        items=reader.items,
        subscales=subscales,
        missing_data=rule or DEFAULT_MISSING_DATA,
        measures=measures,
        declared_reverse=declared,
    )
    for item_id, (stated, path) in reader.declared_reversal.items():
        if instrument.is_reversed(item_id) != stated:
            reader.problems.add(
                f"{path}.extension",
                f"the item is marked reverse-scored {stated} but its keying and its scale's "
                f"coding make it {not stated}",
            )
    reader.problems.raise_if_any(what)
    return instrument
