"""``responsibility``: for an event kind, the roles allowed to perform it.

Params::

    events          the event kinds (steps) the rule is about
    roles           the roles allowed to perform them
    actor_required  optional, default true: an event with no actor is a breach, and says so

One finding per record: ``met`` when every event of those kinds was done by an actor in one of the
allowed roles, ``breached`` when any was not (or had no actor), ``not_applicable`` when the record
has no such event by ``at`` or its ``applies_to`` conditions do not match. A step covered by
several rules (``referred`` on a complaint is in R-N4 and R-K5) must satisfy each of them; each
rule reports on its own.

Several responsibility rules on one record type compile into one pass over the events: a table
from event kind and role to two bit masks (the rules that see the step, the rules it breaches),
OR-ed together into the signature the engine counts.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from types import MappingProxyType
from typing import Any, Final

from ..core._frozen_json import FrozenValues, freeze
from ..core.events import Event
from ..core.record import Record
from ..core.roles import Actor, Role
from ._wording import actor_text, either, record_noun
from .kind_protocol import (
    BaseRuleKind,
    CompileContext,
    CompiledRule,
    Env,
    Explanation,
    GroupCheck,
    Outcome,
)
from .response_time import EVENT_KINDS
from .status import BREACHED, MET, NOT_APPLICABLE

PARAMS_SCHEMA: Final[dict[str, Any]] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "additionalProperties": False,
    "required": ["events", "roles"],
    "properties": {
        "events": EVENT_KINDS,
        "roles": {
            "type": "array",
            "items": {"type": "string", "pattern": "^[a-z][a-z0-9_]*$"},
            "minItems": 1,
            "uniqueItems": True,
        },
        "actor_required": {"type": "boolean"},
    },
}

_NONE: Final = Outcome(NOT_APPLICABLE, None, None, None)
_MET: Final = Outcome(MET, None, None, None)


class Responsibility(BaseRuleKind):
    """The ``responsibility`` rule kind (see the module doc)."""

    per_cycle = False
    name = "responsibility"
    params_schema: Mapping[str, Any] = PARAMS_SCHEMA

    def event_kinds(self, params: Mapping[str, Any]) -> list[tuple[str, str]]:
        """The steps, with their paths."""
        return [(f".events[{k}]", kind) for k, kind in enumerate(params.get("events", ()))]

    def roles(self, params: Mapping[str, Any]) -> list[tuple[str, str]]:
        """The allowed roles, with their paths."""
        return [(f".roles[{k}]", role) for k, role in enumerate(params.get("roles", ()))]

    def compile(self, rule: Any, context: CompileContext) -> CompiledRule:
        """One closure: the step kinds and allowed roles as frozensets."""
        kinds = frozenset(rule.params["events"])
        allowed = frozenset(Role(role) for role in rule.params["roles"])
        required = bool(rule.params.get("actor_required", True))

        def check(record: Record, events: Sequence[Event], env: Env) -> Outcome:
            seen = False
            for index, event in enumerate(events):
                if event.kind in kinds:
                    actor = event.actor
                    if actor is None:
                        if required:
                            return Outcome(BREACHED, None, None, index)
                    elif actor.role not in allowed:
                        return Outcome(BREACHED, None, None, index)
                    seen = True
            return _MET if seen else _NONE

        allowed_words: dict[str, str] = {}  # the roles allowed in words, once a language

        def explain(
            record: Record, events: Sequence[Event], outcome: Outcome, env: Env
        ) -> Explanation:
            return _explain(record, events, outcome, kinds, rule.params, env, allowed_words)

        return CompiledRule(check=check, explain=explain)

    def compile_group(self, rules: Sequence[Any], context: CompileContext) -> GroupCheck | None:
        """All the record type's responsibility rules in one pass (see the module doc).

        For each event kind and each role (or no actor), the outcome is known in advance: which
        rules see the step, and which of them it breaches. So the table holds, per kind and role,
        one integer with two bit masks (seen, shifted left by the number of rules; breached), and
        a record's signature is the OR of its events' entries.
        """
        count = len(rules)
        every = (1 << count) - 1
        kinds = sorted({kind for rule in rules for kind in rule.params["events"]})
        table: dict[str, dict[Role | None, int]] = {}
        for kind in kinds:
            by_role: dict[Role | None, int] = {}
            for role in (*Role, None):
                value = 0
                for index, rule in enumerate(rules):
                    if kind not in rule.params["events"]:
                        continue
                    bit = 1 << index
                    value |= bit << count
                    if role is None:
                        if rule.params.get("actor_required", True):
                            value |= bit
                    elif role.value not in rule.params["roles"]:
                        value |= bit
                by_role[role] = value
            table[kind] = by_role
        lookup = table.get
        filters = tuple(
            (1 << index | 1 << (index + count), predicate)
            for index, rule in enumerate(rules)
            if (predicate := context.predicates.get(rule.id)) is not None
        )

        def run(record: Record, events: Sequence[Event], env: Env) -> Hashable:
            signature = 0
            for event in events:
                by_role = lookup(event.kind)
                if by_role is not None:
                    actor = event.actor
                    signature |= by_role[actor.role if actor is not None else None]
            for bits, predicate in filters:
                if not predicate(record):
                    signature &= ~bits
            return signature

        def decode(signature: Hashable) -> tuple[int, ...]:
            assert isinstance(signature, int)
            seen, bad = signature >> count, signature & every
            return tuple(
                BREACHED if bad >> k & 1 else MET if seen >> k & 1 else NOT_APPLICABLE
                for k in range(count)
            )

        return GroupCheck(rule_ids=tuple(rule.id for rule in rules), run=run, decode=decode)


_ACTORS: dict[tuple[str, str, str], Mapping[str, str]] = {}
"""Each actor's evidence, frozen, made once (a bounded memo: staff are few)."""
_ACTORS_LIMIT: Final = 4096


def _actor_evidence(actor: Actor) -> Mapping[str, str]:
    """``{"id", "name", "role"}`` of a step's actor, read-only (the same one for every step the
    actor did: a finding's evidence shares it)."""
    key = (actor.id, actor.name, actor.role.value)
    found = _ACTORS.get(key)
    if found is None:
        if len(_ACTORS) >= _ACTORS_LIMIT:
            _ACTORS.clear()
        found = _ACTORS[key] = MappingProxyType({"id": key[0], "name": key[1], "role": key[2]})
    return found


def _explain(
    record: Record,
    events: Sequence[Event],
    outcome: Outcome,
    kinds: frozenset[str],
    params: Mapping[str, Any],
    env: Env,
    allowed_words: dict[str, str] | None = None,
) -> Explanation:
    allowed = list(params["roles"])
    required = bool(params.get("actor_required", True))
    t = env.t
    noun = record_noun(record.TYPE, t)
    steps = []
    problems = []
    for event in events:
        if event.kind not in kinds:
            continue
        actor = event.actor
        ok = (actor is None and not required) or (actor is not None and actor.role in allowed)
        steps.append(
            MappingProxyType(
                {
                    "event": event.kind,
                    "at": event.at.isoformat(),
                    "actor": None if actor is None else _actor_evidence(actor),
                    "allowed": ok,
                }
            )
        )
        if not ok:
            problems.append(
                t.gettext("{kind} on {when} was done by {actor}").format(
                    kind=event.kind, when=env.show_at(event), actor=actor_text(event, t)
                )
                if actor is not None
                else t.gettext(
                    "{kind} on {when} has no actor recorded, but the step must be done by "
                    "someone in an allowed role"
                ).format(kind=event.kind, when=env.show_at(event))
            )
    # Every value frozen as it is made: the finding takes the evidence without a deep copy.
    evidence: dict[str, Any] = FrozenValues(allowed_roles=freeze(allowed), steps=tuple(steps))
    allowed_text = allowed_words.get(t.locale) if allowed_words is not None else None
    if allowed_text is None:
        allowed_text = t.gettext("the roles allowed are {roles}").format(roles=either(allowed, t))
        if allowed_words is not None:
            allowed_words[t.locale] = allowed_text
    if not steps:
        return evidence, t.gettext(
            "the {noun} has no {events} event by {when}, so there is no step to check"
        ).format(noun=noun, events=either(sorted(kinds), t), when=env.show(env.at_us))
    separator = t.gettext("; ")
    if problems:
        return evidence, separator.join(problems) + f"{separator}{allowed_text}."
    done = separator.join(
        t.gettext("{kind} on {when} by {actor}").format(
            kind=event.kind, when=env.show_at(event), actor=actor_text(event, t)
        )
        for event in events
        if event.kind in kinds
    )
    return evidence, f"{done}{separator}{allowed_text}."
