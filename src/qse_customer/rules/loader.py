"""Loading rulesets: a shipped name, a JSON (or YAML) file, or a mapping; ``extends`` resolved.

Reading a file named by the caller is the one place the rules layer touches the file system;
everything after it works on the parsed document. YAML needs PyYAML (the ``yaml`` extra); without
it a ``.yaml`` file is refused with a message saying so.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from datetime import date
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from ..core.errors import FieldError, ValidationError, json_problem
from .kind import RuleKind
from .kinds import all_kinds
from .ruleset import AppliesTo, Rule, Ruleset, Source
from .validation import (
    RuleEntry,
    _document_validator,
    calendar_errors,
    check_rules,
    schema_errors,
    value_errors,
)

SHIPPED = ("qse2-responsibility", "customer-service-standards", "improvement-referrals")
"""The rulesets shipped in the package, by name."""

RulesetSource = str | os.PathLike[str] | Mapping[str, Any] | Ruleset
_RULE_PATH = re.compile(r"^\$\.rules\[(\d+)\]")


def shipped_rulesets() -> tuple[str, ...]:
    """The names of the rulesets shipped in the package."""
    return SHIPPED


def load_ruleset(source: RulesetSource, *, kinds: Mapping[str, Any] | None = None) -> Ruleset:
    """A validated ruleset from a shipped name, a path to a ``.json`` (or ``.yaml``) file, or a
    mapping; ``kinds`` adds rule kinds (from plugins) to the built-in ones.

    Raises :class:`~qse_customer.ValidationError` listing every problem by JSON path.
    """
    if not isinstance(source, str | os.PathLike | Mapping | Ruleset):
        raise ValidationError.single(
            "$",
            f"expected a shipped ruleset name, a path or a mapping, got {type(source).__name__}",
            what="ruleset",
        )
    try:
        return _load_source(source, kinds)
    except RecursionError:
        raise ValidationError.single(
            "$", "the ruleset is nested too deeply; flatten it", what="ruleset"
        ) from None


def _load_source(source: RulesetSource, kinds: Mapping[str, Any] | None) -> Ruleset:
    every_kind = all_kinds(kinds)
    if isinstance(source, Ruleset):
        if kinds is None:
            return source
        source = source.to_dict()
    if kinds is None and isinstance(source, str) and source in SHIPPED:
        return _shipped(source)
    return _load(source, every_kind, ())


@cache
def _shipped(name: str) -> Ruleset:
    """A shipped ruleset with the built-in kinds, loaded once (rulesets are immutable)."""
    return _load(name, all_kinds(None), ())


def _looks_like_path(text: str) -> bool:
    return text.endswith((".json", ".yaml", ".yml")) or "/" in text or os.sep in text


def _key(source: str | os.PathLike[str]) -> str:
    """What identifies a ruleset in an ``extends`` chain: its shipped name or its full path."""
    if isinstance(source, str) and not _looks_like_path(source):
        return source
    return str(Path(source).resolve())


def _read(source: str | os.PathLike[str] | Mapping[str, Any]) -> tuple[Any, str, Path | None]:
    """The parsed document, a label for errors, and the folder relative paths start from."""
    if isinstance(source, Mapping):
        return source, f"ruleset {source.get('name', '(unnamed)')!r}", None
    if isinstance(source, str) and not _looks_like_path(source):
        if source not in SHIPPED:
            raise ValidationError.single(
                "$",
                f"no shipped ruleset named {source!r}; shipped: {', '.join(SHIPPED)}; "
                "or give a path to a .json file, or a mapping",
                what="ruleset",
            )
        text = files("qse_customer.rules").joinpath(f"rulesets/{source}.json").read_text("utf-8")
        return json.loads(text), f"ruleset {source!r}", None
    try:
        path = Path(source)
    except TypeError as error:
        raise ValidationError.single(
            "$", f"expected a text path: {error}", what="ruleset"
        ) from None
    label = f"ruleset file {str(path)!r}"
    try:
        text = path.read_text("utf-8")
    except (OSError, ValueError) as error:  # ValueError: not UTF-8, or a NUL in the path
        reason = error.strerror if isinstance(error, OSError) and error.strerror else error
        raise ValidationError.single("$", f"cannot read {path}: {reason}", what=label) from error
    if path.suffix in {".yaml", ".yml"}:
        try:
            import yaml  # type: ignore[import-untyped]
        except ImportError:
            raise ValidationError.single(
                "$",
                "reading YAML needs PyYAML: install qse-customer[yaml], or write the ruleset "
                "as JSON",
                what=label,
            ) from None
        try:
            return yaml.safe_load(text), label, path.parent
        except (yaml.YAMLError, ValueError) as error:  # ValueError: a number too long to read
            problem = json_problem(error) if isinstance(error, ValueError) else error
            raise ValidationError.single("$", f"not valid YAML: {problem}", what=label) from None
    try:
        return json.loads(text), label, path.parent
    except ValueError as error:
        raise ValidationError.single(
            "$", f"not valid JSON: {json_problem(error)}", what=label
        ) from None


def _load(
    source: str | os.PathLike[str] | Mapping[str, Any],
    kinds: Mapping[str, RuleKind],
    chain: tuple[str, ...],
) -> Ruleset:
    document, label, folder = _read(source)
    if not isinstance(document, Mapping):
        raise ValidationError.single(
            "$", f"expected a ruleset object, got {type(document).__name__}", what=label
        )
    # A value no ruleset may hold is reported once, not again by the schema.
    errors = value_errors(document)
    reported = {error.path for error in errors}
    shape = schema_errors(_document_validator(), document)
    errors.extend(error for error in shape if error.path not in reported)
    broken = {int(m.group(1)) for e in errors if (m := _RULE_PATH.match(e.path))}
    here = chain if isinstance(source, Mapping) else (*chain, _key(source))
    base = _base(document, kinds, here, folder, errors)
    removed = _removed(document, base, errors)
    calendars: dict[str, Any] = dict(base.calendars) if base else {}
    own_calendars = document.get("calendars", {})
    if isinstance(own_calendars, Mapping) and not any(
        e.path.startswith("$.calendars") for e in errors
    ):
        errors.extend(calendar_errors(own_calendars))
        calendars.update(own_calendars)
    written = document.get("rules", [])
    written = written if isinstance(written, list) else []
    entries, order = _entries(written, base, removed, broken)
    problems, resolved = check_rules(entries, kinds, calendars)
    errors.extend(problems)
    # A number too large for any rule, where no schema's own range has said so already.
    reported = {error.path for error in errors}
    errors.extend(e for e in value_errors(document, large=True) if e.path not in reported)
    if errors:
        raise ValidationError(errors, what=label)
    rules = []
    for index in order:
        entry = entries[index]
        types, any_type = resolved[index]
        rules.append(_rule(entry.document, types, any_type))
    effective = document.get("effective")
    return Ruleset(
        name=document["name"],
        version=document["version"],
        rules=tuple(rules),
        effective=date.fromisoformat(effective) if effective else None,
        source=Source.from_dict(document["source"]) if "source" in document else None,
        description=document.get("description", ""),
        calendars=calendars,
        extends=document.get("extends"),
        kinds=kinds,
    )


def _base(
    document: Mapping[str, Any],
    kinds: Mapping[str, RuleKind],
    chain: tuple[str, ...],
    folder: Path | None,
    errors: list[FieldError],
) -> Ruleset | None:
    reference = document.get("extends")
    if not isinstance(reference, str):
        return None
    target: str | Path = reference
    if _looks_like_path(reference) and folder is not None and not Path(reference).is_absolute():
        target = folder / reference
    if _key(target) in chain:
        errors.append(
            FieldError("$.extends", f"{reference!r} extends itself: {' -> '.join(chain)}")
        )
        return None
    try:
        return _load(target, kinds, chain)
    except ValidationError as error:
        for problem in error.errors:
            errors.append(
                FieldError("$.extends", f"{reference!r} is invalid: {problem.path}: {problem}")
            )
        return None


def _removed(
    document: Mapping[str, Any], base: Ruleset | None, errors: list[FieldError]
) -> frozenset[str]:
    removed = document.get("remove", [])
    if not isinstance(removed, list) or not removed:
        return frozenset()
    if base is None:
        if "extends" not in document:
            errors.append(
                FieldError("$.remove", "remove lists rules of an extended ruleset; add 'extends'")
            )
        return frozenset()
    known = {rule.id for rule in base.rules}
    for index, rule_id in enumerate(removed):
        if rule_id not in known:
            errors.append(
                FieldError(
                    f"$.remove[{index}]",
                    f"{base.name!r} has no rule {rule_id!r}; it has {', '.join(sorted(known))}",
                )
            )
    return frozenset(removed)


def _entries(
    written: list[Any], base: Ruleset | None, removed: frozenset[str], broken: set[int]
) -> tuple[list[RuleEntry], list[int]]:
    """Rule entries to check (inherited ones first), and the order the rules end up in."""
    own = {
        rule.get("id"): index
        for index, rule in enumerate(written)
        if isinstance(rule, Mapping) and index not in broken
    }
    entries: list[RuleEntry] = []
    order: list[int] = []
    placed: set[int] = set()
    for rule in base.rules if base else ():
        if rule.id in removed:
            continue
        if rule.id in own:
            index = own[rule.id]
            entries.append(RuleEntry(written[index], f"$.rules[{index}]"))
            placed.add(index)
        else:
            entries.append(RuleEntry(rule.to_dict(), None))
        order.append(len(entries) - 1)
    for index, rule in enumerate(written):
        if index in placed or index in broken or not isinstance(rule, Mapping):
            continue
        entries.append(RuleEntry(rule, f"$.rules[{index}]"))
        order.append(len(entries) - 1)
    return entries, order


def _rule(document: Mapping[str, Any], types: tuple[str, ...], any_type: bool) -> Rule:
    applies = document["applies_to"]
    return Rule(
        id=document["id"],
        title=document["title"],
        kind=document["kind"],
        params=document.get("params", {}),
        applies_to=AppliesTo(types, applies.get("where", {}), any_type),
        source=Source.from_dict(document["source"]),
        severity=document.get("severity", "medium"),
        description=document.get("description", ""),
    )
