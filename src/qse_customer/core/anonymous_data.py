"""What the data of an event on an anonymous complaint may hold: an allow-list of fields that
identify no one, each with the shape its value must have.

A block-list of identifying keys is never complete: ``Name``, ``EMAIL``, ``e-mail``,
``patient_name``, ``caller``, ``reported_by`` or a nested ``{"details": {"email": ...}}`` slip
past any list of names. So the data of an event on an anonymous complaint may hold only the
fields allowed here, and each value must have its field's shape: a date, a whole number, a
number, true or false, one of a fixed set of codes, or a reference matching a pattern the lab
gives. No free text, no nesting; ``null`` is always allowed. Free text belongs in the event's
note, which no report, notification, log or error message shows and which an export holds only
when asked for (see ``docs/records.md``).

The shipped list holds what the library itself reads from a complaint's event data: ``until``,
the agreed date of a ``response_time`` extension. A lab adds its own fields with
:func:`allow_anonymous_data` once at start-up, before it builds or loads records; a field whose
key looks like it names someone (``caller_ref``) or whose pattern accepts a name, an e-mail
address or a telephone number is refused.

Error messages name keys only when they look like field names, and never quote a value.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from types import MappingProxyType
from typing import Any, Final, Literal

from attrs import field, frozen

from ._checks import nonempty_text
from .errors import ValidationError

Shape = Literal["date", "integer", "number", "boolean", "choice", "reference"]
SHAPES: Final = ("date", "integer", "number", "boolean", "choice", "reference")

IDENTIFYING_STEMS: Final = (
    "name",
    "mail",
    "phone",
    "mobile",
    "tel",
    "fax",
    "address",
    "postcode",
    "zip",
    "contact",
    "dob",
    "birth",
    "nhs",
    "mrn",
    "ssn",
    "passport",
    "patient",
    "customer",
    "submitter",
    "caller",
    "reporter",
    "reportedby",
    "complainant",
    "respondent",
    "person",
    "who",
)
"""Parts of a key (lower case, letters and digits only) that say it would hold who someone is: a
lab cannot allow such a key, whatever shape it gives it."""

_PROBES: Final = (
    "Jane Doe",
    "jane",
    "Doe",
    "jane.doe@example.org",
    "07700 900123",
    "07700900123",
    "+447700900123",
    "943 476 5919",
    "9434765919",
)
"""Values a reference pattern must refuse: a name, an e-mail address, telephone and NHS numbers."""

_KEY = re.compile(r"[a-z][a-z0-9_]{0,39}")
_CODE = re.compile(r"[a-z0-9][a-z0-9_]{0,39}")
_SHOWN_KEY = re.compile(r"[A-Za-z][A-Za-z0-9_.-]{0,39}")
MAX_REFERENCE = 64
"""The longest reference value a ``reference`` field accepts."""
MAX_NUMBER = 1_000_000
"""Numbers on an anonymous complaint stay below this in size: a telephone, NHS or hospital number
written as a number is refused."""


def _key(instance: object, attribute: object, value: Any) -> None:
    if not isinstance(value, str) or not _KEY.fullmatch(value):
        raise ValidationError.single(
            "$.key", "expected a field name in snake_case (a-z, 0-9, _; at most 40 characters)"
        )
    squashed = re.sub(r"[^a-z0-9]", "", value)
    found = [stem for stem in IDENTIFYING_STEMS if stem in squashed]
    if found:
        raise ValidationError.single(
            "$.key",
            f"{value!r} looks like it would hold who someone is (it contains {found[0]!r}); an "
            "anonymous complaint's event data holds nothing that could identify a person",
        )


def _shape(instance: object, attribute: object, value: Any) -> None:
    if value not in SHAPES:
        raise ValidationError.single(
            "$.shape", f"unknown shape {value!r}; expected one of {', '.join(SHAPES)}"
        )


def _choices(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        raise ValidationError.single("$.choices", "expected a list of codes, got one string")
    return tuple(value)


@frozen
class AnonymousDataField:
    """One field an event on an anonymous complaint may carry in its data, with its shape.

    ``shape`` is ``"date"`` (an ISO date, or a date and time with its UTC offset), ``"integer"``,
    ``"number"``, ``"boolean"``, ``"choice"`` (one of ``choices``, codes in snake_case) or
    ``"reference"`` (text matching ``pattern`` in full, at most 64 characters: a number in the
    lab's own scheme, such as ``CAPA-\\d{4}-\\d{3}``). ``purpose`` says why the lab needs it.
    """

    key: str = field(validator=_key)
    shape: Shape = field(validator=_shape)
    purpose: str = field(validator=nonempty_text)
    choices: tuple[str, ...] = field(default=(), converter=_choices)
    pattern: str | None = None

    def __attrs_post_init__(self) -> None:
        if self.shape == "choice":
            if not self.choices or not all(
                isinstance(code, str) and _CODE.fullmatch(code) for code in self.choices
            ):
                raise ValidationError.single(
                    "$.choices",
                    "a choice field needs a list of codes in snake_case (at most 40 characters "
                    "each)",
                )
        elif self.choices:
            raise ValidationError.single("$.choices", "only a choice field has choices")
        if self.shape == "reference":
            self._check_pattern()
        elif self.pattern is not None:
            raise ValidationError.single("$.pattern", "only a reference field has a pattern")

    def _check_pattern(self) -> None:
        if not isinstance(self.pattern, str) or not self.pattern:
            raise ValidationError.single(
                "$.pattern", "a reference field needs the pattern its values match (a regex)"
            )
        try:
            compiled = re.compile(self.pattern)
        except re.error as error:
            raise ValidationError.single(
                "$.pattern", f"not a regular expression: {error}"
            ) from None
        accepted = [probe for probe in _PROBES if compiled.fullmatch(probe)]
        if accepted:
            raise ValidationError.single(
                "$.pattern",
                f"the pattern accepts {accepted[0]!r}, so it would let a name, an e-mail address "
                "or a telephone number in; make it match only the lab's own reference numbers",
            )

    def problem(self, value: Any) -> str | None:
        """What is wrong with ``value`` for this field, or None; never quotes the value."""
        if value is None:
            return None
        expected = self._expected()
        if isinstance(value, bool):
            return None if self.shape == "boolean" else f"expected {expected}, got true/false"
        if self.shape == "boolean":
            return f"expected {expected}, got {_kind_of(value)}"
        if self.shape in ("integer", "number"):
            if not (
                isinstance(value, int) or (self.shape == "number" and isinstance(value, float))
            ):
                return f"expected {expected}, got {_kind_of(value)}"
            if abs(value) >= MAX_NUMBER:
                return f"expected {expected} below {MAX_NUMBER:,} (not a telephone or NHS number)"
            return None
        if not isinstance(value, str):
            return f"expected {expected}, got {_kind_of(value)}"
        if self.shape == "date":
            return None if _is_date(value) else f"expected {expected}, got {_kind_of(value)}"
        if self.shape == "choice":
            return None if value in self.choices else f"expected {expected}"
        assert self.pattern is not None
        if len(value) <= MAX_REFERENCE and re.fullmatch(self.pattern, value):
            return None
        return f"expected {expected}, got {_kind_of(value)} that does not match it"

    def _expected(self) -> str:
        return {
            "date": "a date (2026-03-18) or a date and time with its UTC offset",
            "integer": "a whole number",
            "number": "a number",
            "boolean": "true or false",
            "choice": f"one of {', '.join(self.choices)}",
            "reference": f"a reference matching {self.pattern}",
        }[self.shape]


def _kind_of(value: Any) -> str:
    if isinstance(value, str):
        return f"text of {len(value)} character{'s' if len(value) != 1 else ''}"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, bool):
        return "true/false"
    return "a number" if isinstance(value, int | float) else type(value).__name__


def _is_date(value: str) -> bool:
    if len(value) == 10:
        try:
            date.fromisoformat(value)
        except ValueError:
            return False
        return True
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return False
    return moment.tzinfo is not None


SHIPPED: Final[Mapping[str, AnonymousDataField]] = MappingProxyType(
    {
        "until": AnonymousDataField(
            "until",
            "date",
            "the date a response_time extension moves a deadline to (null: the standard is "
            "waived), read by the shipped rulesets and the response_time rule kind",
        ),
    }
)
"""The fields the library itself reads from a complaint's event data."""

_added: dict[str, AnonymousDataField] = {}


def anonymous_data_fields() -> Mapping[str, AnonymousDataField]:
    """Every field an event on an anonymous complaint may carry: the shipped ones and the lab's."""
    return MappingProxyType({**SHIPPED, **_added})


def allow_anonymous_data(allowed: AnonymousDataField) -> AnonymousDataField:
    """Let events on anonymous complaints carry this field (for the whole process).

    Allowing an equal field again does nothing; another field under a key already allowed is
    refused, as is a shipped key.
    """
    if not isinstance(allowed, AnonymousDataField):
        raise ValidationError.single(
            "$", f"expected an AnonymousDataField, got {type(allowed).__name__}"
        )
    known = SHIPPED.get(allowed.key) or _added.get(allowed.key)
    if known is not None and known != allowed:
        raise ValidationError.single(
            "$.key",
            f"{allowed.key!r} is already allowed with shape {known.shape!r}; revoke it first "
            "(a shipped field cannot be changed)",
        )
    _added[allowed.key] = allowed
    return allowed


def revoke_anonymous_data(key: str) -> None:
    """Take a field the lab allowed off the list (records that use it no longer validate)."""
    if key in SHIPPED:
        raise ValidationError.single("$.key", f"{key!r} is shipped with the library and stays")
    _added.pop(key, None)


def shown_key(key: str) -> str:
    """A data key as an error may show it: quoted when it looks like a field name, otherwise
    only its length (a key can be free text too)."""
    if _SHOWN_KEY.fullmatch(key):
        return repr(key)
    return f"a key of {len(key)} characters"


def anonymous_data_problems(data: Mapping[str, Any]) -> list[tuple[str | None, str]]:
    """Each problem with an anonymous complaint's event data, as (key or None, message): keys
    not on the allow-list, and values without their field's shape. Values are never quoted."""
    allowed = anonymous_data_fields()
    problems: list[tuple[str | None, str]] = []
    refused = [key for key in data if key not in allowed]
    if refused:
        shown = ", ".join(sorted(shown_key(key) for key in refused))
        single = refused[0] if len(refused) == 1 and _SHOWN_KEY.fullmatch(refused[0]) else None
        problems.append(
            (
                single,
                f"not allowed on an anonymous complaint: {shown}; its events may carry only "
                f"fields that identify no one ({', '.join(sorted(allowed))}; a lab adds its own "
                "with allow_anonymous_data, see docs/records.md), and free text goes in the note",
            )
        )
    for key, value in data.items():
        if key in allowed:
            problem = allowed[key].problem(value)
            if problem is not None:
                problems.append((key, problem))
    return problems
