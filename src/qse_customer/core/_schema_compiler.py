"""A JSON Schema compiled to one Python predicate: valid or not, as ``jsonschema`` judges.

``jsonschema`` explains every failure but pays for it on every document: each keyword is looked
up, each ``$ref`` resolved, each nullable ``oneOf`` tries both branches and builds the error of
the one that fails. A valid record meets all of that for nothing. :func:`compile_schema` turns the
keywords the record schemas use into closures once, so judging a valid record costs a few
dictionary lookups and ``isinstance`` checks; :mod:`.schema` (records) and
:mod:`qse_customer.rules.validation` (ruleset documents, rule params) ask ``jsonschema`` for the
errors only when the predicate says no.

The predicate follows ``jsonschema``'s draft 2020-12 semantics exactly (its type checker, its
``re.search`` for ``pattern``, its format checker for ``format``, its ``equal`` for ``enum`` and
``const``, its ``uniq`` for ``uniqueItems``, its comparisons for the numeric bounds), so the two
accept and refuse the same documents (tests/test_validation_paths.py,
tests/test_ruleset_validation_paths.py). A keyword it does not know raises :class:`Unsupported`
when compiling, never a silent pass.
"""

from __future__ import annotations

import numbers
import re
from collections.abc import Callable, Mapping
from typing import Any

Check = Callable[[Any], bool]

# Keywords that never change whether a document is valid.
_ANNOTATIONS = frozenset(
    {"$schema", "$id", "$defs", "$comment", "title", "description", "examples", "default"}
)


class Unsupported(ValueError):
    """The schema uses a keyword (or form of one) the compiler does not handle."""


def _is_integer(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and value.is_integer())


def _is_number(value: Any) -> bool:
    return not isinstance(value, bool) and isinstance(value, numbers.Number)


_TYPES: dict[str, Check] = {
    "string": lambda value: isinstance(value, str),
    "object": lambda value: isinstance(value, dict),
    "array": lambda value: isinstance(value, list),
    "boolean": lambda value: isinstance(value, bool),
    "null": lambda value: value is None,
    "integer": _is_integer,
    "number": _is_number,
}


def _all(checks: list[Check]) -> Check:
    if not checks:
        return lambda value: True
    if len(checks) == 1:
        return checks[0]
    if len(checks) == 2:
        first, second = checks
        return lambda value: first(value) and second(value)
    if len(checks) == 3:
        first, second, third = checks
        return lambda value: first(value) and second(value) and third(value)
    found = tuple(checks)
    return lambda value: all(check(value) for check in found)


class _Compiler:
    def __init__(self, root: Mapping[str, Any], formats: Any) -> None:
        self.root = root
        self.formats = formats
        self.refs: dict[str, Check] = {}

    def ref(self, target: str) -> Check:
        found = self.refs.get(target)
        if found is not None:
            return found
        if not target.startswith("#/"):
            raise Unsupported(f"a $ref outside the document: {target!r}")
        schema: Any = self.root
        for part in target[2:].split("/"):
            if not isinstance(schema, Mapping):
                raise Unsupported(f"a $ref into something other than a mapping: {target!r}")
            key = part.replace("~1", "/").replace("~0", "~")
            if key not in schema:
                raise Unsupported(f"a $ref to nothing: {target!r}")
            schema = schema[key]
        cell: list[Check] = []
        self.refs[target] = lambda value: cell[0](value)  # a recursive reference, until compiled
        compiled = self.compile(schema)
        cell.append(compiled)
        self.refs[target] = compiled
        return compiled

    def compile(self, schema: Any) -> Check:
        if schema is True:
            return lambda value: True
        if schema is False:
            return lambda value: False
        if not isinstance(schema, Mapping):
            raise Unsupported(f"not a schema: {schema!r}")
        if "$id" in schema and schema is not self.root:
            # A new base for the $refs below it, which this compiler does not follow.
            raise Unsupported("a $id below the root")
        checks: list[Check] = []
        # The cheap keywords first: a wrong type fails before its properties are looked at.
        for keyword in ("$ref", "type", "const", "enum"):
            if keyword in schema:
                checks.append(getattr(self, "_" + keyword.lstrip("$"))(schema[keyword], schema))
        for keyword, value in schema.items():
            if keyword in _ANNOTATIONS or keyword in {"$ref", "type", "const", "enum", "then"}:
                continue
            method = getattr(self, "_" + keyword, None)
            if method is None:
                raise Unsupported(f"the keyword {keyword!r}")
            checks.append(method(value, schema))
        return _all(checks)

    def _ref(self, target: str, schema: Mapping[str, Any]) -> Check:
        return self.ref(target)

    def _type(self, names: str | list[str], schema: Mapping[str, Any]) -> Check:
        unknown = {names} - set(_TYPES) if isinstance(names, str) else set(names) - set(_TYPES)
        if unknown:
            raise Unsupported(f"the type {sorted(unknown)[0]!r}")
        if isinstance(names, str):
            return _TYPES[names]
        checks = tuple(_TYPES[name] for name in names)
        return lambda value: any(check(value) for check in checks)

    def _const(self, expected: Any, schema: Mapping[str, Any]) -> Check:
        return self._enum([expected], schema)

    def _enum(self, allowed: list[Any], schema: Mapping[str, Any]) -> Check:
        from jsonschema._utils import equal  # the general case, as jsonschema compares

        options = tuple(allowed)
        if not all(type(each) is str for each in allowed):
            return lambda value: any(equal(each, value) for each in options)
        texts = frozenset(allowed)
        # Plain text by set membership; anything else (a str subclass) as jsonschema compares.
        return lambda value: (
            value in texts if type(value) is str else any(equal(each, value) for each in options)
        )

    def _pattern(self, pattern: str, schema: Mapping[str, Any]) -> Check:
        search = re.compile(pattern).search  # jsonschema's re.search, from the same cache
        return lambda value: not isinstance(value, str) or search(value) is not None

    def _format(self, name: str, schema: Mapping[str, Any]) -> Check:
        if self.formats is None or name not in self.formats.checkers:
            # No format checker (an annotation only), or a format it does not know: passes, as
            # in jsonschema.
            return lambda value: True
        conforms = self.formats.conforms
        return lambda value: conforms(value, name)

    # The bounds compare as jsonschema does, refusing only when its comparison fails (so NaN,
    # which compares false with everything, passes them all, as it does there).
    def _minimum(self, limit: float, schema: Mapping[str, Any]) -> Check:
        return lambda value: not _is_number(value) or not value < limit

    def _maximum(self, limit: float, schema: Mapping[str, Any]) -> Check:
        return lambda value: not _is_number(value) or not value > limit

    def _exclusiveMinimum(self, limit: float, schema: Mapping[str, Any]) -> Check:
        return lambda value: not _is_number(value) or not value <= limit

    def _exclusiveMaximum(self, limit: float, schema: Mapping[str, Any]) -> Check:
        return lambda value: not _is_number(value) or not value >= limit

    def _minLength(self, least: int, schema: Mapping[str, Any]) -> Check:
        return lambda value: not isinstance(value, str) or not len(value) < least

    def _maxLength(self, most: int, schema: Mapping[str, Any]) -> Check:
        return lambda value: not isinstance(value, str) or not len(value) > most

    def _minItems(self, least: int, schema: Mapping[str, Any]) -> Check:
        return lambda value: not isinstance(value, list) or len(value) >= least

    def _maxItems(self, most: int, schema: Mapping[str, Any]) -> Check:
        return lambda value: not isinstance(value, list) or not len(value) > most

    def _uniqueItems(self, unique: Any, schema: Mapping[str, Any]) -> Check:
        if not unique:
            return lambda value: True
        from jsonschema._utils import uniq  # jsonschema's own test, with its equal

        def check(value: Any) -> bool:
            if not isinstance(value, list):
                return True
            if all(type(item) is str for item in value):
                return len(set(value)) == len(value)  # what uniq finds for plain text
            return bool(uniq(value))

        return check

    def _minProperties(self, least: int, schema: Mapping[str, Any]) -> Check:
        return lambda value: not isinstance(value, dict) or len(value) >= least

    def _maxProperties(self, most: int, schema: Mapping[str, Any]) -> Check:
        return lambda value: not isinstance(value, dict) or not len(value) > most

    def _propertyNames(self, names: Any, schema: Mapping[str, Any]) -> Check:
        check = self.compile(names)
        return lambda value: not isinstance(value, dict) or all(check(name) for name in value)

    def _items(self, items: Any, schema: Mapping[str, Any]) -> Check:
        if "prefixItems" in schema:
            raise Unsupported("items with prefixItems")
        check = self.compile(items)
        return lambda value: not isinstance(value, list) or all(check(item) for item in value)

    def _required(self, names: list[str], schema: Mapping[str, Any]) -> Check:
        needed = tuple(names)
        return lambda value: not isinstance(value, dict) or all(name in value for name in needed)

    def _properties(self, properties: Mapping[str, Any], schema: Mapping[str, Any]) -> Check:
        compiled = tuple((name, self.compile(sub)) for name, sub in properties.items())

        def check(value: Any) -> bool:
            if not isinstance(value, dict):
                return True
            for name, inner in compiled:  # noqa: SIM110 - a loop is faster than all() here
                if name in value and not inner(value[name]):
                    return False
            return True

        return check

    def _additionalProperties(self, extra: Any, schema: Mapping[str, Any]) -> Check:
        if "patternProperties" in schema:
            raise Unsupported("additionalProperties with patternProperties")
        known = frozenset(schema.get("properties", {}))
        if extra is False:
            return lambda value: not isinstance(value, dict) or known.issuperset(value)
        inner = self.compile(extra)
        return lambda value: (
            not isinstance(value, dict)
            or all(inner(item) for key, item in value.items() if key not in known)
        )

    def _dependentRequired(
        self, needs: Mapping[str, list[str]], schema: Mapping[str, Any]
    ) -> Check:
        pairs = tuple((name, tuple(required)) for name, required in needs.items())
        return lambda value: (
            not isinstance(value, dict)
            or all(
                all(other in value for other in required)
                for name, required in pairs
                if name in value
            )
        )

    def _allOf(self, schemas: list[Any], schema: Mapping[str, Any]) -> Check:
        return _all([self.compile(sub) for sub in schemas])

    def _anyOf(self, schemas: list[Any], schema: Mapping[str, Any]) -> Check:
        checks = tuple(self.compile(sub) for sub in schemas)
        return lambda value: any(check(value) for check in checks)

    def _oneOf(self, schemas: list[Any], schema: Mapping[str, Any]) -> Check:
        checks = [self.compile(sub) for sub in schemas]
        if len(checks) == 2 and schemas[1] == {"type": "null"} and not checks[0](None):
            # A nullable value: null, or the other branch (which never accepts null).
            other = checks[0]
            return lambda value: value is None or other(value)
        found = tuple(checks)
        return lambda value: sum(1 for check in found if check(value)) == 1

    def _not(self, sub: Any, schema: Mapping[str, Any]) -> Check:
        check = self.compile(sub)
        return lambda value: not check(value)

    def _if(self, condition: Any, schema: Mapping[str, Any]) -> Check:
        test = self.compile(condition)
        then = self.compile(schema.get("then", True))
        otherwise = self.compile(schema.get("else", True))
        return lambda value: then(value) if test(value) else otherwise(value)

    def _else(self, sub: Any, schema: Mapping[str, Any]) -> Check:
        if "if" not in schema:
            return lambda value: True  # ignored without an if, as jsonschema does
        return lambda value: True  # compiled with the if


def compile_schema(schema: Mapping[str, Any], formats: Any) -> Check:
    """A predicate saying whether a document is valid under ``schema`` (draft 2020-12),
    judging ``format`` with the ``jsonschema.FormatChecker`` ``formats`` (a format it has no
    checker for passes, as in ``jsonschema``; with None, as for a validator made without a
    format checker, ``format`` is an annotation only). Raises :class:`Unsupported` for a keyword
    it cannot judge exactly as ``jsonschema`` does."""
    return _Compiler(schema, formats).compile(schema)
