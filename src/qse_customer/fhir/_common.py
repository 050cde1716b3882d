"""What the FHIR mappings share: the URLs the library defines, extension helpers and the
collection of problems by FHIRPath-like location (``Questionnaire.item[2].answerOption[0]``)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from ..core.errors import FieldError, ValidationError

DEFAULT_BASE = "https://qse-customer.example/fhir"
"""The base of the canonical URLs the library gives its resources unless told another."""

EXTENSION_BASE = "https://qse-customer.example/fhir/StructureDefinition"
"""The base of every extension the library defines (docs/fhir.md lists them)."""

INSTRUMENT_IDENTIFIER = "https://qse-customer.example/fhir/NamingSystem/instrument"
"""The ``Questionnaire.identifier`` system whose value is the instrument's id."""

RESPONSE_IDENTIFIER = "https://qse-customer.example/fhir/NamingSystem/survey-response"
"""The ``QuestionnaireResponse.identifier`` system whose value is the response's record id."""

RESPONDENT_IDENTIFIER = "https://qse-customer.example/fhir/NamingSystem/respondent"
"""The identifier system of a respondent (``QuestionnaireResponse.source``)."""

ACTOR_IDENTIFIER = "https://qse-customer.example/fhir/NamingSystem/actor"
"""The identifier system of who recorded a response (``QuestionnaireResponse.author``)."""

ORDINAL_VALUE = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
"""The core extension giving an answer option its numeric value (read on import, written too)."""

MIN_VALUE = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_VALUE = "http://hl7.org/fhir/StructureDefinition/maxValue"

_FHIR_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")


def extension_url(name: str) -> str:
    """The URL of the library's extension ``name`` (``.../StructureDefinition/<name>``)."""
    return f"{EXTENSION_BASE}/{name}"


def fhir_id(value: str) -> str | None:
    """``value`` if it may be a FHIR resource id, else None."""
    return value if _FHIR_ID.match(value) else None


def questionnaire_url(instrument_id: str, base: str = DEFAULT_BASE) -> str:
    """The canonical URL of an instrument's Questionnaire: ``<base>/Questionnaire/<id>``."""
    return f"{base.rstrip('/')}/Questionnaire/{instrument_id}"


def answer_system(instrument_id: str, scale: str, base: str = DEFAULT_BASE) -> str:
    """The code system of one scale's answer codes: ``<base>/CodeSystem/<instrument>/<scale>``."""
    return f"{base.rstrip('/')}/CodeSystem/{instrument_id}/{scale}"


def ext(url: str, value_type: str, value: Any) -> dict[str, Any]:
    """A simple extension: ``{"url": url, "value<Type>": value}``."""
    return {"url": url, f"value{value_type}": value}


def complex_ext(url: str, parts: list[dict[str, Any]]) -> dict[str, Any]:
    """An extension of sub-extensions."""
    return {"url": url, "extension": parts}


class Problems:
    """Problems found while reading a resource, each by its FHIRPath-like location."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def add(self, path: str, message: str) -> None:
        self.errors.append(FieldError(path, message))

    def raise_if_any(self, what: str) -> None:
        if self.errors:
            raise ValidationError(self.errors, what=what)

    def mapping(self, value: Any, path: str) -> Mapping[str, Any] | None:
        if isinstance(value, Mapping):
            return value
        self.add(path, f"expected an object, got {_kind(value)}")
        return None

    def items(self, owner: Mapping[str, Any], key: str, path: str) -> Iterator[tuple[int, Any]]:
        """The elements of the list ``owner[key]`` (nothing if absent), by index."""
        value = owner.get(key)
        if value is None:
            return
        if not isinstance(value, list):
            self.add(f"{path}.{key}", f"expected a list, got {_kind(value)}")
            return
        yield from enumerate(value)

    def text(self, owner: Mapping[str, Any], key: str, path: str) -> str | None:
        """``owner[key]`` if it is a non-empty string (None if absent)."""
        value = owner.get(key)
        if value is None:
            return None
        if isinstance(value, str) and value:
            return value
        self.add(f"{path}.{key}", f"expected a non-empty string, got {value!r}")
        return None


def _kind(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def extensions(element: Mapping[str, Any], url: str) -> list[Mapping[str, Any]]:
    """The extensions of ``element`` with this url (ill-formed ones left out)."""
    found = element.get("extension")
    if not isinstance(found, list):
        return []
    return [e for e in found if isinstance(e, Mapping) and e.get("url") == url]


def ext_value(element: Mapping[str, Any], url: str, value_type: str) -> Any:
    """The ``value<Type>`` of the first extension with this url, or None."""
    for found in extensions(element, url):
        return found.get(f"value{value_type}")
    return None


def ext_values(element: Mapping[str, Any], url: str, value_type: str) -> list[Any]:
    """The ``value<Type>`` of every extension with this url, in order."""
    return [found.get(f"value{value_type}") for found in extensions(element, url)]
