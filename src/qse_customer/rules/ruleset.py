"""Rulesets and rules as immutable values; :func:`~qse_customer.rules.load_ruleset` builds them."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from attrs import field, frozen

from ..core._frozen_json import freeze, thaw
from ..core.errors import ValidationError


@frozen
class Source:
    """Where a rule comes from: a document, a section (clause) in it, and the words it rests on."""

    document: str
    section: str | None = None
    quote: str | None = None

    def __str__(self) -> str:
        return f"{self.document} §{self.section}" if self.section else self.document

    def to_dict(self) -> dict[str, Any]:
        """The source as JSON types."""
        result: dict[str, Any] = {"document": self.document}
        if self.section is not None:
            result["section"] = self.section
        if self.quote is not None:
            result["quote"] = self.quote
        return result

    @classmethod
    def from_dict(cls, document: Mapping[str, Any]) -> Source:
        """A source from its JSON form (already validated against the ruleset schema)."""
        return cls(document["document"], document.get("section"), document.get("quote"))


@frozen
class AppliesTo:
    """Which records a rule concerns: record types, and conditions on their fields.

    ``record_types`` is resolved: for ``"any"`` it lists the types whose lifecycle knows every
    event kind the rule names. ``where`` maps a field (``channel``, or ``attributes.key`` inside a
    mapping field) to a value (equality), or ``{"in": [...]}``, ``{"not": value}``,
    ``{"not_in": [...]}``.
    """

    record_types: tuple[str, ...]
    where: Mapping[str, Any] = field(factory=dict, converter=freeze)
    any_type: bool = False

    def to_dict(self) -> dict[str, Any]:
        """As written in a ruleset document."""
        written: Any = "any" if self.any_type else list(self.record_types)
        if isinstance(written, list) and len(written) == 1:
            written = written[0]
        result: dict[str, Any] = {"record_type": written}
        if self.where:
            result["where"] = thaw(self.where)
        return result


@frozen
class Rule:
    """One rule: what it checks (``kind``, ``params``), on which records, from which clause."""

    id: str
    title: str
    kind: str
    params: Mapping[str, Any] = field(converter=freeze)
    applies_to: AppliesTo
    source: Source
    severity: str = "medium"
    description: str = ""

    def to_dict(self) -> dict[str, Any]:
        """As written in a ruleset document."""
        result: dict[str, Any] = {
            "id": self.id,
            "title": self.title,
            "kind": self.kind,
            "source": self.source.to_dict(),
            "severity": self.severity,
            "applies_to": self.applies_to.to_dict(),
            "params": thaw(self.params),
        }
        if self.description:
            result["description"] = self.description
        return result


def _optional_freeze(value: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    return None if value is None else freeze(value)


@frozen
class Ruleset:
    """A named, versioned set of rules, validated; compile it with a calendar to run it.

    ``calendars`` names calendar settings (``WorkingCalendar.to_dict`` form) that a rule may ask
    for instead of the caller's calendar (the UK-wide statutory count of FOI requests).
    ``kinds`` are the rule kinds it was validated against (built-in plus any extra ones).
    ``effective_from`` and ``effective_until`` (inclusive) are the local dates this version is in
    force (see :mod:`qse_customer.rules.versions`).
    ``backdated_after`` is the limit (as in a rule) after which an event recorded late counts as
    a back-dated entry (None: the engine's default, 2 working days).
    """

    name: str
    version: str
    rules: tuple[Rule, ...]
    effective_from: date | None = None
    source: Source | None = None
    description: str = ""
    calendars: Mapping[str, Any] = field(factory=dict, converter=freeze)
    extends: str | None = None
    kinds: Mapping[str, Any] = field(factory=dict, eq=False, repr=False)
    effective_until: date | None = None
    backdated_after: Mapping[str, Any] | None = field(default=None, converter=_optional_freeze)

    @property
    def effective(self) -> date | None:
        """The older name of :attr:`effective_from`."""
        return self.effective_from

    @property
    def in_force(self) -> str:
        """When this version is in force, in words: ``from 01 Jul 2026 until 31 Dec 2026``."""
        start = f"from {self.effective_from:%d %b %Y}" if self.effective_from else "from the start"
        end = f" until {self.effective_until:%d %b %Y}" if self.effective_until else ""
        return start + end

    @property
    def label(self) -> str:
        """``name version``, as findings cite it."""
        return f"{self.name} {self.version}"

    def rule(self, rule_id: str) -> Rule:
        """The rule with this id; an unknown id lists the known ones."""
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        known = ", ".join(rule.id for rule in self.rules)
        raise ValidationError.single(
            "$.rules", f"no rule {rule_id!r} in ruleset {self.name!r}; it has {known}"
        )

    def to_dict(self) -> dict[str, Any]:
        """The ruleset as a document :func:`load_ruleset` accepts (with ``extends`` resolved)."""
        result: dict[str, Any] = {"name": self.name, "version": self.version}
        if self.effective_from is not None:
            result["effective_from"] = self.effective_from.isoformat()
        if self.effective_until is not None:
            result["effective_until"] = self.effective_until.isoformat()
        if self.source is not None:
            result["source"] = self.source.to_dict()
        if self.description:
            result["description"] = self.description
        if self.calendars:
            result["calendars"] = thaw(self.calendars)
        if self.backdated_after is not None:
            result["backdated_after"] = thaw(self.backdated_after)
        result["rules"] = [rule.to_dict() for rule in self.rules]
        return result
