"""Findings: what one rule found about one record (or one period), and why, in plain words."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final

from attrs import field, frozen
from cattrs.gen import override

from ..core._documents import Document, converter, field_dump, register
from ..core._frozen_json import FrozenValues, freeze
from ..core.timestamps import optional_utc
from .status import Status

if TYPE_CHECKING:
    from ..core.translation import Translator


class Message(str):
    """A finding's message in English that can be written again in another language: the
    engine keeps, beside the English text, how to explain the finding again (``docs/i18n.md``).
    It is the English string in every other respect (equal, hashed, dumped to JSON and pickled
    as it)."""

    def __new__(cls, text: str, again: Callable[[Translator], str]) -> Message:
        message = str.__new__(cls, text)
        message._again = again
        return message

    _again: Callable[[Translator], str]

    def in_locale(self, t: Translator) -> str:
        """The message in ``t``'s language (this very text in English)."""
        return str(self) if t.is_source else self._again(t)

    def __reduce__(self) -> tuple[type[str], tuple[str]]:
        return str, (str(self),)


def in_locale(message: str, t: Translator) -> str | None:
    """``message`` in ``t``'s language if it can be written again (a :class:`Message`), else
    None."""
    return message.in_locale(t) if isinstance(message, Message) else None


_SET: Final = object.__setattr__
"""How :meth:`Finding.explained_later` sets a field of a frozen finding."""


def _status(value: Status | str) -> Status:
    """A Status from its value (the engine passes Status members: no enum lookup then)."""
    return value if value.__class__ is Status else Status(value)


@frozen
class Finding(Document):
    """The outcome of rule ``rule_id`` for record ``record_id`` (None for a period's finding).

    ``due_at`` is the deadline (for a clock), the end of the period (for a threshold), or None.
    ``evidence`` holds the facts as JSON types (event kinds, times, actors and their roles);
    ``message`` says the same for an auditor, starting with the rule, the outcome and the clause
    (``source``, e.g. ``003_1901d489df2c6a2b.txt §3.1.3``). ``elapsed`` is the time a stopped clock
    ran, in the rule's ``measure``. An anonymous complaint's submitter is never in a finding: the
    evidence names only the staff who did each step.
    """

    rule_id: str
    record_id: str | None
    status: Status = field(converter=_status)
    due_at: datetime | None = field(converter=optional_utc)
    evidence: Mapping[str, Any] = field(converter=freeze)
    message: str
    source: str
    record_type: str | None = None
    ruleset: str = ""
    ruleset_version: str = ""
    severity: str = "medium"
    period: str | None = None
    elapsed: timedelta | None = None
    measure: str | None = None
    _explain: Callable[[], tuple[Mapping[str, Any], str]] | None = field(
        default=None, init=False, eq=False, repr=False
    )

    def to_json(self, *, indent: int | None = None) -> str:
        """The finding as a JSON document."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    @classmethod
    def explained_later(
        cls,
        explain: Callable[[], tuple[Mapping[str, Any], str]],
        *,
        rule_id: str,
        record_id: str | None,
        status: Status,
        due_at: datetime | None,
        source: str,
        record_type: str | None,
        ruleset: str,
        ruleset_version: str,
        severity: str,
        period: str | None,
        elapsed: timedelta | None,
        measure: str | None,
    ) -> Finding:
        """A finding whose ``evidence`` and ``message`` are made by ``explain()`` when first
        read (the engine keeps thousands of findings that a count-only caller never reads);
        ``status`` must be a :class:`Status`. It is equal to, and reads exactly as, the finding
        made with both given."""
        if due_at is not None and (type(due_at) is not datetime or due_at.tzinfo is not UTC):
            due_at = optional_utc(due_at)
        finding = object.__new__(cls)
        put = _SET
        put(finding, "rule_id", rule_id)
        put(finding, "record_id", record_id)
        put(finding, "status", status)
        put(finding, "due_at", due_at)
        put(finding, "source", source)
        put(finding, "record_type", record_type)
        put(finding, "ruleset", ruleset)
        put(finding, "ruleset_version", ruleset_version)
        put(finding, "severity", severity)
        put(finding, "period", period)
        put(finding, "elapsed", elapsed)
        put(finding, "measure", measure)
        put(finding, "_explain", explain)
        return finding

    def _explained(self, explain: Callable[[], tuple[Mapping[str, Any], str]]) -> None:
        """Set the evidence and message ``explain()`` makes (a finding made by
        :meth:`explained_later`, read now), and forget ``explain``."""
        evidence, message = explain()
        put = _SET
        # The engine's evidence is FrozenValues, read-only but for its top (freeze's own case).
        put(
            self,
            "evidence",
            MappingProxyType(evidence) if type(evidence) is FrozenValues else freeze(evidence),
        )
        put(self, "message", message)
        put(self, "_explain", None)

    if not TYPE_CHECKING:  # to the type checker, every field is always there

        def __getattr__(self, name: str) -> Any:
            # Called only for a field not yet set: the evidence and message of a finding
            # made by explained_later, made now.
            if name in ("evidence", "message"):
                explain = object.__getattribute__(self, "_explain")
                if explain is not None:
                    self._explained(explain)
                    return object.__getattribute__(self, name)
            raise AttributeError(
                f"{type(self).__name__!r} object has no attribute {name!r}", name=name, obj=self
            )


_ORDER = (
    "rule_id",
    "record_type",
    "record_id",
    "status",
    "due_at",
    "period",
    "elapsed_seconds",
    "measure",
    "severity",
    "source",
    "ruleset",
    "ruleset_version",
    "message",
    "evidence",
)
"""The keys of a finding's document, in order (``docs/findings.md``)."""

_PLAIN: Final = frozenset((str, int, float, bool, type(None)))
_STR: Final = frozenset((str,))


def evidence_document(evidence: Mapping[str, Any]) -> dict[str, Any]:
    """A finding's evidence as the converter writes it (read-only mappings as dicts, tuples as
    lists), by exact type where it is frozen JSON (in the converter's general path, most of
    the time a report takes to list its findings); anything else is handed to the converter."""
    document: dict[str, Any] = _mapping(evidence, Mapping[str, Any])
    return document


def _mapping(value: Any, kind: Any) -> Any:
    """``value``, a mapping the converter would unstructure as ``kind``, as plain JSON: a copy of
    a dict (or of the dict a read-only mapping wraps) whose keys are all ``str``, each value
    that is not a JSON scalar made plain in place (the scalars, most of them, are tested in one
    pass, with no Python loop unless one is not)."""
    if type(value) is MappingProxyType or type(value) is dict:
        try:
            document = value.copy()  # a read-only mapping copies the mapping it wraps
        except AttributeError:  # it wraps a mapping without copy()
            document = None
        if type(document) is dict and _STR.issuperset(map(type, document)):
            if not _PLAIN.issuperset(map(type, document.values())):
                for key, item in document.items():  # values replaced, no key added: allowed
                    if type(item) not in _PLAIN:
                        document[key] = _evidence_value(item)
            return document
    return converter.unstructure(value, kind)


def _evidence_value(value: Any) -> Any:
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is MappingProxyType or kind is dict:
        return _mapping(value, kind)
    if kind is tuple or kind is list:
        if _PLAIN.issuperset(map(type, value)):
            return list(value)
        return [item if type(item) in _PLAIN else _evidence_value(item) for item in value]
    return converter.unstructure(value, kind)


_fields = field_dump(
    Finding,
    omit=("_explain",),
    evidence=override(unstruct_hook=evidence_document),
    elapsed=override(
        rename="elapsed_seconds",
        unstruct_hook=lambda elapsed: None if elapsed is None else elapsed.total_seconds(),
    ),
)


def _finding(finding: Finding) -> dict[str, Any]:
    document = _fields(finding)
    return {key: document[key] for key in _ORDER}


register(Finding, _finding)
