"""Loading rulesets: a shipped name, a JSON (or YAML) file, or a mapping; ``extends`` resolved.

Reading a file named by the caller is the one place the rules layer touches the file system;
everything after it works on the parsed document. YAML needs PyYAML (the ``yaml`` extra); without
it a ``.yaml`` file is refused with a message saying so.

``extends`` reads no file the caller did not choose: a shipped ruleset, or a regular file under
the folder of the ruleset file the caller named (a file it extends may extend others there too),
or under a folder the caller names with ``extends_from``. A link out of those folders, a device,
or a file larger than :data:`MAX_RULESET_BYTES` is refused before it is read, and an error about
an extended file names it and the place of the problem, never its content.
"""

from __future__ import annotations

import json
import os
import re
import stat
from collections.abc import Iterable, Mapping
from datetime import date
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from ..core.errors import FieldError, ValidationError, json_problem
from .kind_protocol import RuleKind
from .kind_registry import all_kinds, kinds_named
from .limits import limit_errors
from .ruleset import AppliesTo, Rule, Ruleset, Source
from .validation import (
    RuleEntry,
    _document_validator,
    calendar_errors,
    check_rules,
    schema_errors,
    value_errors,
)

SHIPPED = (
    "qse2-responsibility",
    "customer-service-standards",
    "complaints-handling",
    "improvement-referrals",
)
"""The rulesets shipped in the package, by name."""

RulesetSource = str | os.PathLike[str] | Mapping[str, Any] | Ruleset

MAX_RULESET_BYTES = 4 * 1024 * 1024
"""The most a ruleset file may hold: 4 MiB (the shipped ones hold under 20 KB). A larger file,
or one that never ends (``/dev/zero``), is refused after reading this much, never read whole."""

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_RULE_PATH = re.compile(r"^\$\.rules\[(\d+)\]")


def shipped_rulesets() -> tuple[str, ...]:
    """The names of the rulesets shipped in the package."""
    return SHIPPED


def load_ruleset(
    source: RulesetSource,
    *,
    kinds: Mapping[str, Any] | None = None,
    extends_from: Iterable[str | os.PathLike[str]] = (),
) -> Ruleset:
    """A validated ruleset from a shipped name, a path to a ``.json`` (or ``.yaml``) file, or a
    mapping; ``kinds`` adds rule kinds to the built-in ones (without it, a kind that is not
    built in is looked up among the plugins' ``qse_rule_kinds``); ``extends_from`` names
    folders, besides the ruleset file's own, whose files ``extends`` may read.

    Raises :class:`~qse_customer.ValidationError` listing every problem by JSON path.
    """
    if not isinstance(source, str | os.PathLike | Mapping | Ruleset):
        raise ValidationError.single(
            "$",
            f"expected a shipped ruleset name, a path or a mapping, got {type(source).__name__}",
            what="ruleset",
        )
    try:
        return _load_source(source, kinds, _folders(extends_from))
    except RecursionError:
        raise ValidationError.single(
            "$", "the ruleset is nested too deeply; flatten it", what="ruleset"
        ) from None


def _folders(extends_from: Iterable[str | os.PathLike[str]]) -> tuple[Path, ...]:
    """The folders named by ``extends_from``, their links resolved."""
    if isinstance(extends_from, str | bytes | os.PathLike):
        extends_from = [extends_from]
    folders = []
    for index, folder in enumerate(extends_from):
        if not isinstance(folder, str | os.PathLike):
            raise ValidationError.single(
                f"$.extends_from[{index}]",
                f"expected a folder's path, got {type(folder).__name__}",
                what="ruleset",
            )
        folders.append(Path(os.path.realpath(folder)))
    return tuple(folders)


def _own_folder(source: RulesetSource) -> tuple[Path, ...]:
    """The folder of a ruleset file the caller named (none for a shipped name or a mapping)."""
    if isinstance(source, Mapping | Ruleset):
        return ()
    if isinstance(source, str) and not _looks_like_path(source):
        return ()
    try:
        return (Path(os.path.realpath(source)).parent,)
    except (TypeError, ValueError):  # _read says what is wrong with the path
        return ()


def _load_source(
    source: RulesetSource, kinds: Mapping[str, Any] | None, extends_from: tuple[Path, ...]
) -> Ruleset:
    # The caller's kinds are checked first; None: the built-in kinds, and plugins' ones when a
    # ruleset names a kind that is not built in (see kind_registry).
    every_kind = all_kinds(kinds) if kinds is not None else None
    if isinstance(source, Ruleset):
        if kinds is None:
            return source
        source = source.to_dict()
    if kinds is None and isinstance(source, str) and source in SHIPPED:
        return _shipped(source)
    return _load(source, every_kind, (), (*_own_folder(source), *extends_from))


@cache
def _shipped(name: str) -> Ruleset:
    """A shipped ruleset with the built-in kinds, loaded once (rulesets are immutable)."""
    return _load(name, None, (), ())


def _looks_like_path(text: str) -> bool:
    return text.endswith((".json", ".yaml", ".yml")) or "/" in text or os.sep in text


def _key(source: str | os.PathLike[str]) -> str:
    """What identifies a ruleset in an ``extends`` chain: its shipped name or its full path."""
    if isinstance(source, str) and not _looks_like_path(source):
        return source
    return str(Path(source).resolve())


def _file_text(path: Path, *, extended: bool) -> str:
    """The text of a ruleset file, at most :data:`MAX_RULESET_BYTES` of it; an extended file
    must be a regular file, opened without following a link (its path is already resolved)."""
    flags = os.O_RDONLY | (_NOFOLLOW | _NONBLOCK if extended else 0)
    fd = os.open(path, flags)
    with os.fdopen(fd, "rb") as handle:
        if extended and not stat.S_ISREG(os.fstat(fd).st_mode):
            raise ValueError("it is not a regular file")
        data = handle.read(MAX_RULESET_BYTES + 1)
    if len(data) > MAX_RULESET_BYTES:
        raise ValueError(
            f"it is larger than {MAX_RULESET_BYTES // (1024 * 1024)} MiB; no ruleset is that large"
        )
    return data.decode("utf-8")


def _yaml_problem(error: Exception) -> str:
    """A YAML error without the lines it quotes: what is wrong, and where."""
    problem = getattr(error, "problem", None)
    mark = getattr(error, "problem_mark", None)
    if problem is None:
        return json_problem(error) if isinstance(error, ValueError) else "it cannot be read"
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
    return f"{problem}{where}"


def _read(
    source: str | os.PathLike[str] | Mapping[str, Any], *, extended: bool = False
) -> tuple[Any, str, Path | None]:
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
        text = _file_text(path, extended=extended)
    except (OSError, ValueError) as error:  # ValueError: not UTF-8, too large, a NUL in the path
        reason = error.strerror if isinstance(error, OSError) and error.strerror else error
        if isinstance(error, UnicodeDecodeError):
            reason = f"it is not UTF-8 text (byte {error.start})"
        raise ValidationError.single("$", f"cannot read {path}: {reason}", what=label) from None
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
            problem = _yaml_problem(error)
            raise ValidationError.single("$", f"not valid YAML: {problem}", what=label) from None
    try:
        return json.loads(text), label, path.parent
    except ValueError as error:
        raise ValidationError.single(
            "$", f"not valid JSON: {json_problem(error)}", what=label
        ) from None


def _load(
    source: str | os.PathLike[str] | Mapping[str, Any],
    kinds: Mapping[str, RuleKind] | None,
    chain: tuple[str, ...],
    allowed: tuple[Path, ...],
    *,
    extended: bool = False,
) -> Ruleset:
    """The ruleset ``source`` holds, its ``extends`` resolved within the ``allowed`` folders;
    ``extended`` when another ruleset extends it (it must then be a regular file, and a ruleset).
    ``kinds``: every kind it may use; None: the ones its rules name, found by
    :func:`~qse_customer.rules.kind_registry.kinds_named`.
    """
    document, label, folder = _read(source, extended=extended)
    if not isinstance(document, Mapping):
        raise ValidationError.single(
            "$", f"expected a ruleset object, got {type(document).__name__}", what=label
        )
    if extended and not {"name", "version"} <= set(document):
        # Some other program's file: say so, and quote none of it.
        raise ValidationError.single(
            "$", "it is not a ruleset (a ruleset has a name and a version)", what=label
        )
    # A value no ruleset may hold is reported once, not again by the schema.
    errors = value_errors(document)
    reported = {error.path for error in errors}
    shape = schema_errors(_document_validator(), document)
    errors.extend(error for error in shape if error.path not in reported)
    broken = {int(m.group(1)) for e in errors if (m := _RULE_PATH.match(e.path))}
    here = chain if isinstance(source, Mapping) else (*chain, _key(source))
    base = _base(document, kinds, here, folder, errors, allowed)
    removed = _removed(document, base, errors)
    calendars: dict[str, Any] = dict(base.calendars) if base else {}
    own_calendars = document.get("calendars", {})
    if isinstance(own_calendars, Mapping) and not any(
        e.path.startswith("$.calendars") for e in errors
    ):
        errors.extend(calendar_errors(own_calendars))
        calendars.update(own_calendars)
    backdated = document.get("backdated_after")
    if isinstance(backdated, Mapping) and not any(
        e.path.startswith("$.backdated_after") for e in errors
    ):
        errors.extend(limit_errors(backdated, "$.backdated_after"))
    written = document.get("rules", [])
    written = written if isinstance(written, list) else []
    entries, order = _entries(written, base, removed, broken)
    if kinds is None:
        kinds = kinds_named((entry.document.get("kind") for entry in entries), None)
    problems, resolved = check_rules(entries, kinds, calendars)
    errors.extend(problems)
    starts, until = _in_force(document, errors)
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
    return Ruleset(
        name=document["name"],
        version=document["version"],
        rules=tuple(rules),
        effective_from=starts,
        effective_until=until,
        source=Source.from_dict(document["source"]) if "source" in document else None,
        description=document.get("description", ""),
        calendars=calendars,
        extends=document.get("extends"),
        kinds=kinds,
        backdated_after=document.get(
            "backdated_after", base.backdated_after if base is not None else None
        ),
    )


def _in_force(
    document: Mapping[str, Any], errors: list[FieldError]
) -> tuple[date | None, date | None]:
    """``effective_from`` (or its older name ``effective``) and ``effective_until``; the schema
    has checked that each is a date or null."""
    if any(e.path.startswith("$.effective") for e in errors):
        return None, None
    if document.get("effective") is not None and document.get("effective_from") is not None:
        errors.append(
            FieldError(
                "$.effective",
                "effective is the older name of effective_from; give only effective_from",
            )
        )
        return None, None
    written = document.get("effective_from", document.get("effective"))
    starts = date.fromisoformat(written) if written else None
    written = document.get("effective_until")
    until = date.fromisoformat(written) if written else None
    if starts is not None and until is not None and until < starts:
        errors.append(
            FieldError(
                "$.effective_until",
                f"expected a date on or after effective_from ({starts.isoformat()}): it is the "
                "last day this version is in force",
            )
        )
    return starts, until


def _extended_file(
    reference: str, folder: Path | None, allowed: tuple[Path, ...]
) -> tuple[Path | None, str]:
    """The file ``extends`` names (relative to the extending file's folder), its links resolved,
    or None and why it may not be read: it lies outside every allowed folder."""
    try:
        written = Path(reference)
        start = folder if folder is not None else Path.cwd()
        target = Path(os.path.realpath(written if written.is_absolute() else start / written))
    except (TypeError, ValueError, OSError) as error:
        return None, f"{reference!r} is not a path that can be read ({error})"
    if any(target.is_relative_to(place) for place in allowed):
        return target, ""
    shipped = ", ".join(SHIPPED)
    if not allowed:
        return None, (
            f"{reference!r} is a file, and a ruleset given as a mapping may extend only a "
            f"shipped ruleset ({shipped}); name the folders its files may come from with "
            "extends_from="
        )
    return None, (
        f"{reference!r} is outside the folders a ruleset may extend from "
        f"({', '.join(str(place) for place in allowed)}): extend a shipped ruleset ({shipped}) "
        "or a file in those folders, or name its folder with extends_from= "
        "(--extends-from on the command line)"
    )


def _base(
    document: Mapping[str, Any],
    kinds: Mapping[str, RuleKind] | None,
    chain: tuple[str, ...],
    folder: Path | None,
    errors: list[FieldError],
    allowed: tuple[Path, ...],
) -> Ruleset | None:
    reference = document.get("extends")
    if not isinstance(reference, str):
        return None
    target: str | Path = reference
    if _looks_like_path(reference):
        found, refusal = _extended_file(reference, folder, allowed)
        if found is None:
            errors.append(FieldError("$.extends", refusal))
            return None
        target = found
    if _key(target) in chain:
        errors.append(
            FieldError("$.extends", f"{reference!r} extends itself: {' -> '.join(chain)}")
        )
        return None
    try:
        return _load(target, kinds, chain, allowed, extended=True)
    except ValidationError as error:
        for problem in error.errors:
            errors.append(FieldError("$.extends", f"{reference!r} is invalid at {problem}"))
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
